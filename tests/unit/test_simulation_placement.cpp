// The single-grid bookkeeping a decomposed run relies on, checked without MPI: the active
// positions of complementary blocks tile the single grid's active list, and a run that carries a
// placement covering the whole grid writes and reads checkpoints exactly like a plain run.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "host/chemistry/chemistry_library.hpp"
#include "support/simulation_problems.hpp"

namespace runaway::testing {
namespace {

host::Block whole(const kernels::GridShape& s) {
  host::Block b;
  b.extent[0] = s.nx, b.extent[1] = s.ny, b.extent[2] = s.nz;
  return b;
}

TEST(SimulationPlacement, ActivePositionsOfComplementaryBlocksTileTheActiveList) {
  const SimulationInput in = jelly_block(host::find_chemistry("nrel-lco"), 6, true);
  const kernels::GridShape& s = in.conduction.shape;  // 10^3 with a 2-voxel frame
  std::int64_t total = 0;
  const auto all = host::active_positions(in, whole(s), &total);
  ASSERT_EQ(total, 6 * 6 * 6);
  std::vector<std::int64_t> expected(static_cast<std::size_t>(total));
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(all, expected);  // one cell: the whole grid's order is the list itself

  // Split along z at 4 and along x at 5: four blocks.
  std::vector<std::int64_t> seen;
  for (int zlow = 0; zlow < 2; ++zlow) {
    for (int xlow = 0; xlow < 2; ++xlow) {
      host::Block b = whole(s);
      b.offset[2] = zlow ? 0 : 4, b.extent[2] = zlow ? 4 : s.nz - 4;
      b.offset[0] = xlow ? 0 : 5, b.extent[0] = xlow ? 5 : s.nx - 5;
      const auto part = host::active_positions(in, b, nullptr);
      EXPECT_TRUE(std::is_sorted(part.begin(), part.end()));
      seen.insert(seen.end(), part.begin(), part.end());
    }
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, expected);
}

TEST(SimulationPlacement, WholeGridPlacementCheckpointsLikeAPlainRun) {
  auto backend = kernels::make_openmp_backend();
  SimulationInput plain = jelly_block(host::find_chemistry("nrel-lco"), 4, true);
  plain.conduction.initial_temperature = 470;  // reacting from the start
  SimulationInput placed = plain;
  placed.placement.global_shape = plain.conduction.shape;
  placed.placement.block = whole(plain.conduction.shape);
  placed.placement.active_position =
      host::active_positions(plain, placed.placement.block, &placed.placement.global_active_count);

  host::Simulation a(*backend, plain);
  host::Simulation b(*backend, placed);
  for (int n = 0; n < 5; ++n) {
    a.step();
    b.step();
  }
  const host::SimulationSnapshot sa = a.snapshot();
  const host::SimulationSnapshot sb = b.snapshot();
  EXPECT_EQ(sa.doubles.at("remaining"), sb.doubles.at("remaining"));
  EXPECT_EQ(sa.doubles.at("arrival_time").size(), sb.doubles.at("arrival_time").size());
  EXPECT_EQ(sa.floats.at("substep_hint"), sb.floats.at("substep_hint"));
  EXPECT_EQ(sa.bytes.at("reacting"), sb.bytes.at("reacting"));
  // The gathered field holds the interior; ghosts are rebuilt at the next step.
  const auto ta = a.temperature_field();
  const auto tb = b.temperature_field();
  EXPECT_EQ(ta, tb);

  // A plain snapshot restored into the placed run, and both continued: identical.
  host::Simulation c(*backend, placed);
  c.restore(sa);
  for (int n = 0; n < 5; ++n) {
    a.step();
    c.step();
  }
  EXPECT_EQ(a.temperature_field(), c.temperature_field());
  EXPECT_EQ(a.arrival_time_field().size(), c.arrival_time_field().size());
  EXPECT_DOUBLE_EQ(a.time(), c.time());
  EXPECT_EQ(a.snapshot().doubles.at("heat_released"), c.snapshot().doubles.at("heat_released"));
}

}  // namespace
}  // namespace runaway::testing
