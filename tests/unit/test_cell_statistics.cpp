// Per-cell statistics come from a two-level reduction (chunks of the active list, then cells):
// a cell larger than one chunk must give exactly the statistics of its voxels.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "host/chemistry/chemistry_library.hpp"
#include "support/simulation_problems.hpp"

namespace runaway::testing {
namespace {

TEST(CellStatistics, CellsSpanningSeveralChunksReduceExactly) {
  auto backend = kernels::make_openmp_backend();
  const kernels::Chemistry chem = host::find_chemistry("nrel-lco");
  SimulationInput in = jelly_block(chem, 12, false);  // 1728 jelly-roll voxels: two chunks
  ASSERT_GT(12 * 12 * 12, kernels::kStatisticsChunk);
  const auto n = std::size_t(in.conduction.shape.interior_size());
  in.conduction.initial_temperatures.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    in.conduction.initial_temperatures[c] = 300.0 + double((c * 37) % 101);  // 300..400 K
  }
  const host::Simulation sim(*backend, in);
  const auto& t = in.conduction.initial_temperatures;
  const double mean = std::accumulate(t.begin(), t.end(), 0.0) / double(n);
  const kernels::CellStatistics& s = sim.cells()[0].stats;
  EXPECT_NEAR(s.mean_temperature, mean, 1e-12 * mean);
  EXPECT_EQ(s.max_temperature, *std::max_element(t.begin(), t.end()));
  // Nothing has reacted: the releasable heat is sum over exothermic reactions of H W c0 V.
  double releasable = 0;
  for (int i = 0; i < chem.reaction_count; ++i) {
    const kernels::Reaction& r = chem.reactions[i];
    if (r.heat_of_reaction > 0) {
      releasable += r.heat_of_reaction * kernels::reactant_content(chem, i) * r.initial_remaining;
    }
  }
  releasable *= double(n) * in.conduction.spacing.volume();
  EXPECT_NEAR(s.releasable_heat, releasable, 1e-12 * releasable);
  EXPECT_TRUE(std::isnan(s.earliest_arrival));
}

}  // namespace
}  // namespace runaway::testing
