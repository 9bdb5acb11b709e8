// The conduction stage: one RKL2 stage (the hot loop of the solver) on n^3 voxels.
// Counters: voxel-stage updates per second, bytes per voxel by design, effective GB/s, and the
// fraction of the STREAM triad bandwidth measured in the same run.
#include <benchmark/benchmark.h>

#include <memory>

#include "host/bench/stream_triad.hpp"
#include "host/solver/conduction_solver.hpp"

namespace runaway::benchmarks {
namespace {

// Bytes one RKL2 stage moves per voxel by design: reads Y_{j-1}, Y_{j-2}, Y0, L(Y0) and
// 1/(rho cp) (5 x 8 B), three fp32 face conductances (12 B), writes Y_j (8 B). The stencil's
// neighbour reads of Y_{j-1} hit cache.
constexpr double kRkl2StageBytesPerVoxel = 5 * 8 + 3 * 4 + 8;
constexpr double kForwardEulerBytesPerVoxel = 2 * 8 + 3 * 4 + 8;

struct Setup {
  std::unique_ptr<kernels::Backend> backend = kernels::make_backend();
  std::unique_ptr<host::ConductionSolver> solver;
  explicit Setup(int n) {
    host::ConductionProblem p;
    p.shape = {n, n, n};
    p.spacing = {1e-3, 1e-3, 1e-3};
    // Two materials in alternating slabs so harmonic means are real work: a jelly roll
    // (0.52 / 26.6 W/(m K), 2180 kg/m^3, 1106 J/(kg K)) and aluminium (237 W/(m K), 2700 kg/m^3,
    // 897 J/(kg K)); sources in meshes/library.cpp.
    p.materials = {{2180, 1106, {0.52, 26.6, 26.6}, 0.8, -1},
                   {2700, 897, {237, 237, 237}, 0.1, -1}};
    p.material_ids.resize(std::size_t(p.shape.interior_size()));
    for (std::size_t c = 0; c < p.material_ids.size(); ++c) {
      p.material_ids[c] = std::uint8_t((c % std::size_t(n)) / 16 % 2);
    }
    p.boundaries[0] = host::fixed_temperature(400);
    p.boundaries[5] = host::convection(25, 298.15, 0.8);
    solver = std::make_unique<host::ConductionSolver>(*backend, p);
  }
};

void report(benchmark::State& state, double voxels_per_iteration, double bytes_per_voxel) {
  const double triad = host::stream_triad_bytes_per_second();
  state.counters["voxel_updates_per_s"] =
      benchmark::Counter(voxels_per_iteration, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes_per_voxel"] = bytes_per_voxel;
  state.counters["GB_per_s"] = benchmark::Counter(voxels_per_iteration * bytes_per_voxel * 1e-9,
                                                  benchmark::Counter::kIsIterationInvariantRate);
  state.counters["triad_GB_per_s"] = triad * 1e-9;
  // Achieved bandwidth / triad bandwidth, as a rate counter so it is per second like GB/s.
  state.counters["fraction_of_triad"] =
      benchmark::Counter(voxels_per_iteration * bytes_per_voxel / triad,
                         benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(kernels::make_backend()->info().name);
}

void BM_Rkl2Stage(benchmark::State& state) {
  const int n = int(state.range(0));
  Setup s(n);
  auto& backend = s.solver->backend();
  const auto padded = std::size_t(s.solver->shape().padded_size());
  kernels::DeviceArray<double> rate0(backend, padded), y1(backend, padded), y2(backend, padded);
  const double* y0 = s.solver->temperature_data();
  backend.rkl2_first_stage(s.solver->boundaries(), s.solver->view(), y0, rate0.data(), y1.data(),
                           1e-3);
  const auto coefficients = host::rkl2_coefficients(20, 5, 1.0);
  for (auto _ : state) {
    backend.rkl2_stage(s.solver->boundaries(), s.solver->view(), coefficients, y0, rate0.data(),
                       y1.data(), y0, y2.data());
    backend.synchronize();
    benchmark::ClobberMemory();
  }
  report(state, double(n) * n * n, kRkl2StageBytesPerVoxel);
}

void BM_ForwardEulerStage(benchmark::State& state) {
  const int n = int(state.range(0));
  Setup s(n);
  auto& backend = s.solver->backend();
  kernels::DeviceArray<double> out(backend, std::size_t(s.solver->shape().padded_size()));
  for (auto _ : state) {
    backend.forward_euler(s.solver->boundaries(), s.solver->view(), s.solver->temperature_data(),
                          out.data(), 1e-3);
    backend.synchronize();
    benchmark::ClobberMemory();
  }
  report(state, double(n) * n * n, kForwardEulerBytesPerVoxel);
}

// A whole RKL2 super-step with boundary refreshes, per stage.
void BM_Rkl2Step(benchmark::State& state) {
  const int n = int(state.range(0));
  Setup s(n);
  const double dt = 30 * s.solver->explicit_time_step();
  int stages = 0;
  for (auto _ : state) {
    s.solver->conduct(dt);
    stages = s.solver->last_stage_count();
  }
  state.counters["stages"] = stages;
  report(state, double(n) * n * n * stages, kRkl2StageBytesPerVoxel);
}

BENCHMARK(BM_Rkl2Stage)->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ForwardEulerStage)->Arg(128)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Rkl2Step)->Arg(128)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace runaway::benchmarks

BENCHMARK_MAIN();
