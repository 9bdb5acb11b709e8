// The coupled simulation split over ranks equals the single grid: a heater drives a framed cell
// into runaway with a vent fire on its top; every rank runs the single-grid simulation itself
// (serial domain) and the split one on its block (partition_run + MpiDomain), and compares its
// block after every step, within 1e-12 relative. Then a checkpoint written by all ranks restarts
// on half of them (4 -> 2, 2 -> 1) and still follows the single grid.
//
// The probes (their voxels' maximum and mean, reduced over the ranks) follow too.
//
// Voxel updates are identical on any split; what could differ is the per-cell sums (mean
// temperature, vented mass, heat) and the vent fire's demand, added in another order across
// ranks. They feed the fire and the events, and runaway amplifies a 1e-16 difference by orders of
// magnitude (9e-12 through runaway when they were plain sums), so they are compensated sums
// (kernels/exact_sum.hpp), which round to the same doubles in any order: measured gap 0 on 1, 2
// and 4 ranks, before and through runaway, and after the restart.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <variant>

#include "host/chemistry/chemistry_library.hpp"
#include "io/checkpoint.hpp"
#include "kernels/backend.hpp"
#include "parallel/partition.hpp"
#include "parallel/run_partition.hpp"
#include "support/simulation_problems.hpp"

namespace runaway::testing {
namespace {

constexpr double kRelativeTolerance = 1e-12;  // docs/design.md §9.3; measured 0 (see above)

SimulationInput heated_cell() {
  // The published nrel-lco has no vent: its variant vents, shorts, ejects and feeds a fire.
  const kernels::Chemistry chem = host::find_chemistry("nrel-lco-vented");
  SimulationInput in = jelly_block(chem, 6, true);  // 10^3 voxels, one cell, 2-voxel frame
  host::Trigger heater;
  heater.kind = host::TriggerKind::kHeater;
  heater.cell = 0;
  heater.power = 150;
  heater.start = 2;
  heater.duration = 60;
  for (std::int64_t v = 0; v < 10 * 10; ++v) heater.voxels.push_back(v);  // bottom of the frame
  in.triggers = {heater};
  // The plume heats the frame's top layer, one node; its fire radiates onto the same layer.
  host::PlumePath& plume = in.cells[0].plume;
  plume.node_area = {0.0};
  plume.node_flow_area = {1e-4};  // a 1 cm^2 column
  plume.node_distance = {5e-3};
  for (std::int64_t v = 9 * 100; v < 10 * 100; ++v) {
    plume.faces.push_back({v, 0, 1e-6});  // 1 mm^2 faces
    plume.node_area[0] += 1e-6;
    plume.radiation.push_back({v, 4e-3, 1e-6});
  }
  plume.radiation_share = 0.4;
  // Probes: the frame's top layer (its maximum), a mid-height plane (its mean) and one voxel; a
  // split run reduces each over the ranks holding its voxels.
  host::ProbeSetup top{"top", {}, true, 100};
  host::ProbeSetup middle{"middle", {}, false, 100};
  for (std::int64_t v = 0; v < 100; ++v) {
    top.voxels.push_back(9 * 100 + v);
    middle.voxels.push_back(5 * 100 + v);
  }
  in.probes = {top, middle, host::ProbeSetup{"point", {4 * 100 + 4 * 10 + 7}, false, 1}};
  in.control.end_time = 40;
  return in;
}

double relative_gap(double a, double b) {
  if (std::isnan(a) && std::isnan(b)) return 0.0;
  return std::fabs(a - b) / std::max(std::fabs(b), 1e-300);
}

// Largest relative gap of this rank's block and of the per-cell records from the reference.
double gap_from(host::Simulation& split, host::Simulation& whole) {
  const host::Placement& p = split.input().placement;
  const auto expected = p.decomposed()
                            ? parallel::slice(whole.temperature_field(), p.global_shape, p.block)
                            : whole.temperature_field();
  const auto got = split.temperature_field();
  double worst = got.size() == expected.size() ? 0.0 : 1.0;
  for (std::size_t c = 0; c < std::min(got.size(), expected.size()); ++c) {
    worst = std::max(worst, relative_gap(got[c], expected[c]));
  }
  const auto& a = split.cells()[0];
  const auto& b = whole.cells()[0];
  for (const auto& [x, y] : {std::pair{a.onset_time(), b.onset_time()},
                             {a.vent_time(), b.vent_time()},
                             {a.peak_temperature, b.peak_temperature},
                             {a.combustion_heat, b.combustion_heat},
                             {a.plume_heat_to_self, b.plume_heat_to_self},
                             {a.plume_heat_to_enclosure, b.plume_heat_to_enclosure},
                             {a.plume_heat_carried_out, b.plume_heat_carried_out},
                             {a.stats.mean_temperature, b.stats.mean_temperature},
                             {a.stats.heat_released, b.stats.heat_released}}) {
    worst = std::max(worst, relative_gap(x, y));
  }
  const std::vector<double> probes = split.probe_temperatures();
  const std::vector<double> reference = whole.probe_temperatures();
  for (std::size_t probe = 0; probe < reference.size(); ++probe) {
    worst = std::max(worst,
                     probe < probes.size() ? relative_gap(probes[probe], reference[probe]) : 1.0);
  }
  return worst;
}

host::SimulationSnapshot snapshot_of(const io::Checkpoint& c) {
  host::SimulationSnapshot s;
  for (const auto& [name, data] : c.arrays) {
    if (const auto* d = std::get_if<std::vector<double>>(&data)) s.doubles[name] = *d;
    if (const auto* f = std::get_if<std::vector<float>>(&data)) s.floats[name] = *f;
    if (const auto* b = std::get_if<std::vector<std::uint8_t>>(&data)) s.bytes[name] = *b;
    if (const auto* i = std::get_if<std::vector<std::int32_t>>(&data)) s.ints[name] = *i;
  }
  s.scalars = c.state.scalars;
  return s;
}

TEST(MpiSimulation, SplitRunFollowsTheSingleGridAndRestartsOnHalfTheRanks) {
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  auto backend = kernels::make_openmp_backend();
  const SimulationInput global = heated_cell();

  host::Simulation whole(*backend, global);  // every rank: the single grid, no MPI
  host::RunPartition part = parallel::partition_run(global);
  const host::Domain& domain = part.domain ? *part.domain : host::serial_domain();
  host::Simulation split(*backend, part.input, domain);

  // To the middle of the heating, then a checkpoint from every rank (written by rank 0).
  double worst = 0;
  while (whole.time() < 15.0) {
    whole.step();
    split.step();
    worst = std::max(worst, gap_from(split, whole));
  }
  const std::int64_t checkpoint_step = whole.step_count();
  const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                     ("runaway_mpi_checkpoint_" + std::to_string(size) + ".h5");
  {
    const host::SimulationSnapshot snap = split.snapshot();
    if (rank == 0) {
      std::vector<io::ArrayView> arrays;
      for (const auto& [name, v] : snap.doubles) arrays.push_back(io::array_view(name, v));
      for (const auto& [name, v] : snap.floats) arrays.push_back(io::array_view(name, v));
      for (const auto& [name, v] : snap.bytes) arrays.push_back(io::array_view(name, v));
      for (const auto& [name, v] : snap.ints) arrays.push_back(io::array_view(name, v));
      io::CheckpointState state;
      state.time = split.time();
      state.step = split.step_count();
      state.scalars = snap.scalars;
      io::write_checkpoint(file, state, arrays);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);

  // The whole run goes on through runaway and the vent fire.
  double worst_in_runaway = 0;
  while (whole.time() < global.control.end_time - 1e-9) {
    whole.step();
    split.step();
    const double gap = gap_from(split, whole);
    (std::isnan(whole.cells()[0].onset_time()) ? worst : worst_in_runaway) =
        std::max(std::isnan(whole.cells()[0].onset_time()) ? worst : worst_in_runaway, gap);
  }
  EXPECT_FALSE(std::isnan(whole.cells()[0].onset_time()));  // it ran away
  EXPECT_GT(whole.cells()[0].combustion_heat, 0.0);         // and its fire heated the pack
  EXPECT_LE(worst, kRelativeTolerance) << "split over " << size << " ranks, before runaway";
  EXPECT_LE(worst_in_runaway, kRelativeTolerance) << "split over " << size << " ranks";
  if (rank == 0) {
    std::printf("%d ranks: largest relative gap %.3g before runaway, %.3g through it\n", size,
                worst, worst_in_runaway);
  }

  // Restart on the first half of the ranks (at least one) and follow the reference again.
  const int half = std::max(1, size / 2);
  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, rank < half ? 0 : MPI_UNDEFINED, rank, &comm);
  if (comm != MPI_COMM_NULL) {
    {
      host::Simulation reference(*backend, global);
      host::RunPartition restart_part = parallel::partition_run(global, comm);
      const host::Domain& restart_domain =
          restart_part.domain ? *restart_part.domain : host::serial_domain();
      host::Simulation restarted(*backend, restart_part.input, restart_domain);
      restarted.restore(snapshot_of(io::read_checkpoint(file)));
      while (reference.step_count() < checkpoint_step) reference.step();
      EXPECT_DOUBLE_EQ(restarted.time(), reference.time());
      double restart_worst = 0;
      while (reference.time() < global.control.end_time - 1e-9) {
        reference.step();
        restarted.step();
        restart_worst = std::max(restart_worst, gap_from(restarted, reference));
      }
      EXPECT_LE(restart_worst, kRelativeTolerance) << size << " -> " << half << " ranks";
      if (rank == 0) {
        std::printf("restart %d -> %d ranks: largest relative gap %.3g\n", size, half,
                    restart_worst);
      }
    }  // the simulations go before their domain, and the domain before its communicator
    MPI_Comm_free(&comm);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) std::filesystem::remove(file);
}

}  // namespace
}  // namespace runaway::testing
