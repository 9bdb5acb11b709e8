// The kinetics half step (kernels/kinetics.hpp through Backend::kinetics): the stiff per-voxel
// integration of every active (jelly-roll) voxel over dt = 0.5 s, the half of a 1 s quiet step.
// Two regimes, since the cost per voxel differs by orders of magnitude:
//   quiet    all voxels at ambient: one Rosenbrock sub-step each;
//   runaway  voxels taken from the middle of an NREL runaway (around 600 K, spread over 40 K),
//            where the integrator needs hundreds of sub-steps to resolve the jump.
// The voxels are `runaway bench`'s fixture (host/bench/bench_fixtures.hpp), so both measure the
// same thing. Counter: active voxels integrated per second (and sub-steps per voxel, from a host
// probe).
#include <benchmark/benchmark.h>

#include <memory>

#include "host/bench/bench_fixtures.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "kernels/backend.hpp"

namespace runaway::benchmarks {
namespace {

using host::bench::KineticsRegime;
using host::bench::KineticsVoxels;

void run(benchmark::State& state, KineticsRegime regime) {
  const auto backend = kernels::make_backend();
  KineticsVoxels v(*backend, host::find_chemistry("nrel-lco"), kernels::Index(state.range(0)),
                   regime);
  for (auto _ : state) {
    state.PauseTiming();
    v.reset();
    backend->synchronize();
    state.ResumeTiming();
    v.half_step();
    backend->synchronize();
  }
  if (v.failures() != 0) state.SkipWithError("the kinetics integrator failed in some voxel");
  state.counters["active_voxels_per_s"] =
      benchmark::Counter(double(v.count()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["substeps_per_voxel"] = v.mean_substeps();
  state.SetLabel(backend->info().name +
                 (regime == KineticsRegime::kRunaway ? " runaway" : " quiet"));
}

void BM_KineticsQuiet(benchmark::State& state) {
  run(state, KineticsRegime::kQuiet);
}
void BM_KineticsRunaway(benchmark::State& state) {
  run(state, KineticsRegime::kRunaway);
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
