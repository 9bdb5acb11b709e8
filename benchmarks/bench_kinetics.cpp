// The kinetics half step (kernels/kinetics.hpp through Backend::kinetics): the stiff per-voxel
// integration of every active (jelly-roll) voxel over dt = 0.5 s, the half of a 1 s quiet step.
// Two regimes, since the cost per voxel differs by orders of magnitude:
//   quiet    all voxels at 300 K: one Rosenbrock sub-step each;
//   runaway  voxels taken from the middle of an NREL runaway (around 600 K, spread over 40 K),
//            where the integrator needs hundreds of sub-steps to resolve the jump.
// Counter: active voxels integrated per second (and sub-steps per voxel, from a host probe).
#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/backend.hpp"
#include "kernels/coupling.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::benchmarks {
namespace {

using kernels::DeviceArray;
using kernels::Index;

constexpr double kHalfStep = 0.5;  // s

// A state from the middle of an adiabatic NREL runaway started at 430 K (the CVODE test case):
// integrate until T passes `temperature`.
kernels::KineticState nrel_state_at(const kernels::Chemistry& chem, double temperature,
                                    double& reached) {
  kernels::KineticState s = kernels::initial_kinetic_state(chem);
  double t = 430.0;
  while (t < temperature) {
    t = kernels::advance_kinetics(chem, t, s, 1e-3, 0.0, false).temperature;
  }
  reached = t;
  return s;
}

struct Voxels {
  std::unique_ptr<kernels::Backend> backend = kernels::make_backend();
  kernels::Chemistry chemistry = host::find_chemistry("nrel-lco");
  Index count;
  DeviceArray<Index> voxel;
  DeviceArray<std::int32_t> cell;
  DeviceArray<std::uint8_t> slot;
  DeviceArray<kernels::Chemistry> chemistries;
  DeviceArray<double> remaining, remaining0, electrolyte, electrolyte0, t, t0;
  DeviceArray<float> hint;
  DeviceArray<double> heat_rate, self_heating, arrival, released, vented;
  DeviceArray<std::uint8_t> in_runaway;
  DeviceArray<int> failures;
  DeviceArray<double> source;
  DeviceArray<std::uint8_t> vent_open;
  double mean_substeps = 0;

  Voxels(Index n, bool runaway) : count(n) {
    kernels::Backend& b = *backend;
    const auto un = std::size_t(n);
    const std::size_t nr = std::size_t(kernels::kMaxReactions);
    std::vector<Index> voxel_h(un);
    std::vector<double> rem_h(nr * un, 0.0), s_h(un), t_h(un);
    double reached = 0;
    const kernels::KineticState mid = runaway ? nrel_state_at(chemistry, 600.0, reached)
                                              : kernels::initial_kinetic_state(chemistry);
    long substeps = 0;
    for (std::size_t m = 0; m < un; ++m) {
      voxel_h[m] = Index(m);  // the temperature array is the active list itself
      // Spread the temperatures over 40 K so neighbouring voxels are at different points of the
      // runaway (as in a propagating front); quiet voxels at 300 K.
      t_h[m] = runaway ? reached + 40.0 * double(m % 97) / 96.0 - 20.0 : 300.0;
      for (int i = 0; i < chemistry.reaction_count; ++i)
        rem_h[std::size_t(i) * un + m] = mid.remaining[i];
      s_h[m] = mid.electrolyte_left;
      if (m < 97) {  // host probe of the work per voxel
        kernels::KineticState probe = mid;
        substeps += kernels::advance_kinetics(chemistry, t_h[m], probe, kHalfStep, 0.0, false)
                        .accepted_substeps;
      }
    }
    mean_substeps = double(substeps) / double(std::min<std::size_t>(un, 97));
    voxel = DeviceArray<Index>(b, un);
    voxel.upload(voxel_h.data());
    cell = DeviceArray<std::int32_t>(b, un);
    std::vector<std::int32_t> zeros_i(un, 0);
    cell.upload(zeros_i.data());
    slot = DeviceArray<std::uint8_t>(b, un);
    std::vector<std::uint8_t> zeros_u8(un, 0);
    slot.upload(zeros_u8.data());
    chemistries = DeviceArray<kernels::Chemistry>(b, 1);
    chemistries.upload(&chemistry);
    remaining = DeviceArray<double>(b, rem_h.size());
    remaining0 = DeviceArray<double>(b, rem_h.size());
    remaining0.upload(rem_h.data());
    electrolyte = DeviceArray<double>(b, un);
    electrolyte0 = DeviceArray<double>(b, un);
    electrolyte0.upload(s_h.data());
    t = DeviceArray<double>(b, un);
    t0 = DeviceArray<double>(b, un);
    t0.upload(t_h.data());
    hint = DeviceArray<float>(b, un);
    std::vector<float> zeros_f(un, 0.0f);
    hint.upload(zeros_f.data());
    std::vector<double> zeros_d(un, 0.0);
    std::vector<double> nan_d(un, NAN);
    heat_rate = DeviceArray<double>(b, un);
    self_heating = DeviceArray<double>(b, un);
    self_heating.upload(zeros_d.data());
    arrival = DeviceArray<double>(b, un);
    arrival.upload(nan_d.data());
    released = DeviceArray<double>(b, un);
    released.upload(zeros_d.data());
    vented = DeviceArray<double>(b, un);
    vented.upload(zeros_d.data());
    in_runaway = DeviceArray<std::uint8_t>(b, un);
    in_runaway.upload(zeros_u8.data());
    failures = DeviceArray<int>(b, 1);
    const int zero = 0;
    failures.upload(&zero);
    source = DeviceArray<double>(b, 1);
    const double no_source = 0.0;
    source.upload(&no_source);
    vent_open = DeviceArray<std::uint8_t>(b, 1);
    vent_open.upload(zeros_u8.data());
    reset();
  }

  // Every iteration integrates the same physical states.
  void reset() {
    backend->copy_on_device(remaining.data(), remaining0.data(), remaining0.bytes());
    backend->copy_on_device(electrolyte.data(), electrolyte0.data(), electrolyte0.bytes());
    backend->copy_on_device(t.data(), t0.data(), t0.bytes());
  }

  kernels::KineticsUpdate update() {
    kernels::KineticsUpdate u{};
    kernels::KineticsView& k = u.k;
    k.count = count;
    k.voxel = voxel.data();
    k.cell = cell.data();
    k.chemistry = slot.data();
    k.chemistries = chemistries.data();
    k.remaining = remaining.data();
    k.electrolyte_left = electrolyte.data();
    k.substep_hint = hint.data();
    k.heat_release_rate = heat_rate.data();
    k.self_heating_rate = self_heating.data();
    k.arrival_time = arrival.data();
    k.heat_released = released.data();
    k.vented_mass = vented.data();
    k.in_runaway = in_runaway.data();
    k.failures = failures.data();
    u.drive.source = source.data();
    u.drive.vent_open = vent_open.data();
    u.t = t.data();
    u.dt = kHalfStep;
    u.time_end = kHalfStep;
    u.onset_rate = kernels::kDefaultRunawayRateThreshold;
    return u;
  }
};

void run(benchmark::State& state, bool runaway) {
  const Index n = Index(state.range(0));
  Voxels v(n, runaway);
  const kernels::KineticsUpdate u = v.update();
  for (auto _ : state) {
    state.PauseTiming();
    v.reset();
    v.backend->synchronize();
    state.ResumeTiming();
    v.backend->kinetics(u, u.k.count);
    v.backend->synchronize();
  }
  int failed = 0;
  v.failures.download(&failed);
  if (failed != 0) state.SkipWithError("the kinetics integrator failed in some voxel");
  state.counters["active_voxels_per_s"] =
      benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["substeps_per_voxel"] = v.mean_substeps;
  state.SetLabel(v.backend->info().name + (runaway ? " runaway" : " quiet"));
}

void BM_KineticsQuiet(benchmark::State& state) {
  run(state, false);
}
void BM_KineticsRunaway(benchmark::State& state) {
  run(state, true);
}

BENCHMARK(BM_KineticsQuiet)
    ->Arg(1 << 14)
    ->Arg(1 << 18)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_KineticsRunaway)
    ->Arg(1 << 12)
    ->Arg(1 << 14)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace runaway::benchmarks

BENCHMARK_MAIN();
