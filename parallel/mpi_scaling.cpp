// Strong and weak scaling of the decomposed conduction solver (docs/performance.md, "MPI
// scaling"). Run under mpirun, one OpenMP thread per rank unless the ranks have cores to spare:
//
//   mpirun -np 4 --oversubscribe -x OMP_NUM_THREADS=1 runaway_mpi_scaling strong 128
//   mpirun -np 4 --oversubscribe -x OMP_NUM_THREADS=1 runaway_mpi_scaling weak 64
//
// strong N: a fixed N^3 grid over all ranks; weak N: N^3 voxels per rank. Prints one line on
// rank 0: the time per RKL2 stage (wall time of whole steps / stages), the part of it spent in
// halo exchanges (pack, MPI, waiting for the neighbours, unpack; slowest rank), the exchange
// alone (back to back, no stage in between), and the bytes each rank sends per exchange (one
// exchange per stage, plus one per step for the start temperature).
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "host/solver/conduction_solver.hpp"
#include "kernels/backend.hpp"
#include "parallel/mpi_domain.hpp"
#include "parallel/partition.hpp"

namespace runaway::parallel {
namespace {

// Bytes one RKL2 stage moves per voxel by design (benchmarks/bench_conduction.cpp).
constexpr double kRkl2StageBytesPerVoxel = 5 * 8 + 3 * 4 + 8;

// The benchmark problem of bench_conduction: a jelly roll and aluminium in 16-voxel slabs along
// x, a fixed-temperature face and a convective + radiative face.
host::ConductionProblem problem(const kernels::GridShape& shape) {
  host::ConductionProblem p;
  p.shape = shape;
  p.spacing = {1e-3, 1e-3, 1e-3};
  p.materials = {{2180, 1106, {0.52, 26.6, 26.6}, 0.8, -1}, {2700, 897, {237, 237, 237}, 0.1, -1}};
  p.material_ids.resize(std::size_t(shape.interior_size()));
  for (std::size_t c = 0; c < p.material_ids.size(); ++c) {
    p.material_ids[c] = std::uint8_t((c % std::size_t(shape.nx)) / 16 % 2);
  }
  p.boundaries[0] = host::fixed_temperature(400);
  p.boundaries[5] = host::convection(25, 298.15, 0.8);
  return p;
}

int run(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "strong";
  const int n = argc > 2 ? std::atoi(argv[2]) : (mode == "weak" ? 64 : 128);
  const int steps = argc > 3 ? std::atoi(argv[3]) : 5;
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  kernels::GridShape global{n, n, n};
  if (mode == "weak") {  // n^3 per rank: multiply each axis by the ranks the rule puts on it
    const auto dims = MpiDomain::process_grid(global, size);
    global = {n * dims[0], n * dims[1], n * dims[2]};
  } else if (mode != "strong") {
    throw bad_input("the mode is strong or weak", {"", 0, "mode", mode});
  }
  MpiDomain domain(global);
  std::unique_ptr<kernels::Backend> backend = kernels::make_openmp_backend();
  const host::ConductionProblem local =
      local_problem(problem(global), domain.block(), domain.neighbours());
  host::ConductionSolver solver(*backend, local, domain);
  const double dt = 400.0 * solver.explicit_time_step();  // ~40 stages, like a quiet pack step

  solver.step(dt);  // warm-up: pages, buffers, caches
  domain.reset_halo_statistics();
  MPI_Barrier(domain.communicator());
  const double start = MPI_Wtime();
  for (int s = 0; s < steps; ++s) solver.conduct(dt);
  MPI_Barrier(domain.communicator());
  const double elapsed = MPI_Wtime() - start;

  const int stages = solver.last_stage_count();
  const double stage_count = double(steps) * stages;
  const HaloStatistics& halo = domain.halo_statistics();
  const double halo_seconds = domain.max(halo.seconds);
  const double exchanges = double(halo.exchanges);
  const double bytes_per_exchange = exchanges > 0 ? double(halo.bytes_sent) / exchanges : 0.0;
  const double max_bytes = domain.max(bytes_per_exchange);
  const double total_bytes = domain.sum(bytes_per_exchange);
  // The exchange alone, back to back after a barrier: its cost without waiting for a slower
  // neighbour's stage (the in-step halo time above includes that wait).
  constexpr int kBareExchanges = 100;
  MPI_Barrier(domain.communicator());
  const double bare_start = MPI_Wtime();
  for (int e = 0; e < kBareExchanges; ++e) {
    domain.exchange_halo(*backend, solver.shape(), solver.temperature_data());
  }
  const double bare = domain.max((MPI_Wtime() - bare_start) / kBareExchanges);
  const double voxels_per_rank = double(domain.block().voxels());
  const double max_voxels = domain.max(voxels_per_rank);
  if (domain.is_root()) {
    const auto& d = domain.ranks_per_axis();
    std::printf(
        "%-6s ranks %d (%dx%dx%d) grid %dx%dx%d threads/rank %d: %d stages x %d steps; "
        "%.3f ms/stage, halo %.3f ms/stage (%.1f %%; exchange alone %.3f ms), sent per exchange "
        "%.0f kB/rank max, "
        "%.0f kB all ranks; block %.0f voxels = %.1f MB stage traffic; %.2f Gvoxel-stage/s\n",
        mode.c_str(), size, d[0], d[1], d[2], global.nx, global.ny, global.nz,
        backend->info().threads, stages, steps, 1e3 * elapsed / stage_count,
        1e3 * halo_seconds / stage_count, 100.0 * halo_seconds / elapsed, 1e3 * bare,
        max_bytes / 1e3, total_bytes / 1e3, max_voxels, max_voxels * kRkl2StageBytesPerVoxel / 1e6,
        double(global.interior_size()) * stage_count / elapsed / 1e9);
  }
  return 0;
}

}  // namespace
}  // namespace runaway::parallel

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int code = 0;
  try {
    code = runaway::parallel::run(argc, argv);
  } catch (const runaway::Error& e) {
    std::fprintf(stderr, "runaway_mpi_scaling: %s\n", e.what());
    code = e.exit_code();
  }
  MPI_Finalize();
  return code;
}
