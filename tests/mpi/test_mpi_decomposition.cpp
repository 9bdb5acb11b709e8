// MpiDomain's decomposition, reductions and gather, and the partition of a run's input: the
// blocks cover the grid exactly once and are even, rank counts that do not fit are refused on
// every rank, min/max skip NaN, and local_input keeps each voxel list's entries on exactly one
// rank. Runs on 1, 2 and 4 ranks (tests/mpi/CMakeLists.txt).
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "common/error.hpp"
#include "parallel/mpi_domain.hpp"
#include "parallel/partition.hpp"

namespace runaway::parallel {
namespace {

using kernels::GridShape;

int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

int length(const GridShape& s, int axis) {
  return axis == 0 ? s.nx : (axis == 1 ? s.ny : s.nz);
}

// Every rank's block, in rank order.
std::vector<host::Block> all_blocks(const MpiDomain& domain) {
  const host::Block& b = domain.block();
  const int mine[6] = {b.offset[0], b.offset[1], b.offset[2],
                       b.extent[0], b.extent[1], b.extent[2]};
  std::vector<int> all(6 * std::size_t(domain.size()));
  MPI_Allgather(mine, 6, MPI_INT, all.data(), 6, MPI_INT, domain.communicator());
  std::vector<host::Block> blocks(std::size_t(domain.size()));
  for (std::size_t r = 0; r < blocks.size(); ++r) {
    for (int d = 0; d < 3; ++d) {
      blocks[r].offset[d] = all[6 * r + std::size_t(d)];
      blocks[r].extent[d] = all[6 * r + 3 + std::size_t(d)];
    }
  }
  return blocks;
}

class Decomposition : public ::testing::TestWithParam<GridShape> {};

TEST_P(Decomposition, BlocksCoverTheGridExactlyOnceAndAreEven) {
  const GridShape global = GetParam();
  MpiDomain domain(global);
  ASSERT_EQ(domain.size(), world_size());
  const auto& dims = domain.ranks_per_axis();
  EXPECT_EQ(dims[0] * dims[1] * dims[2], domain.size());

  const std::vector<host::Block> blocks = all_blocks(domain);
  std::vector<int> owners(std::size_t(global.interior_size()), 0);
  for (const host::Block& b : blocks) {
    for (int k = 0; k < b.extent[2]; ++k)
      for (int j = 0; j < b.extent[1]; ++j)
        for (int i = 0; i < b.extent[0]; ++i)
          ++owners[std::size_t((std::int64_t(b.offset[2] + k) * global.ny + b.offset[1] + j) *
                                   global.nx +
                               b.offset[0] + i)];
  }
  const auto [fewest, most] = std::minmax_element(owners.begin(), owners.end());
  EXPECT_EQ(*fewest, 1);
  EXPECT_EQ(*most, 1);

  for (int d = 0; d < 3; ++d) {
    int thinnest = length(global, d);
    int thickest = 0;
    for (const host::Block& b : blocks) {
      thinnest = std::min(thinnest, b.extent[d]);
      thickest = std::max(thickest, b.extent[d]);
    }
    EXPECT_LE(thickest - thinnest, 1) << "axis " << d;
    if (dims[std::size_t(d)] > 1) {
      EXPECT_GE(thinnest, kMinBlockVoxels) << "axis " << d;
    }
  }
}

TEST_P(Decomposition, NeighboursShareTheirFaces) {
  const GridShape global = GetParam();
  MpiDomain domain(global);
  const std::vector<host::Block> blocks = all_blocks(domain);
  std::vector<int> neighbours(6 * std::size_t(domain.size()));
  MPI_Allgather(domain.neighbours().data(), 6, MPI_INT, neighbours.data(), 6, MPI_INT,
                domain.communicator());
  const host::Block& mine = domain.block();
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    const int axis = f / 2;
    const bool plus = (f % 2) == 1;
    const int other = domain.neighbours()[std::size_t(f)];
    if (other == kNoNeighbour) {
      EXPECT_EQ(plus ? mine.offset[axis] + mine.extent[axis] : mine.offset[axis],
                plus ? length(global, axis) : 0)
          << "face " << f;
      continue;
    }
    const host::Block& theirs = blocks[std::size_t(other)];
    EXPECT_EQ(neighbours[6 * std::size_t(other) + std::size_t(f ^ 1)], domain.rank());
    EXPECT_EQ(plus ? mine.offset[axis] + mine.extent[axis] : mine.offset[axis],
              plus ? theirs.offset[axis] : theirs.offset[axis] + theirs.extent[axis]);
    for (int d = 0; d < 3; ++d) {
      if (d == axis) continue;
      EXPECT_EQ(mine.offset[d], theirs.offset[d]);
      EXPECT_EQ(mine.extent[d], theirs.extent[d]);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Grids, Decomposition,
                         ::testing::Values(GridShape{17, 9, 5}, GridShape{64, 64, 64},
                                           GridShape{100, 4, 4}, GridShape{7, 31, 2},
                                           GridShape{1, 1, 8}));

TEST(ProcessGrid, SplitsTheLongestAxesAndKeepsBlocksAtLeastTwoVoxelsThick) {
  EXPECT_EQ(MpiDomain::process_grid({128, 128, 128}, 1), (std::array<int, 3>{1, 1, 1}));
  EXPECT_EQ(MpiDomain::process_grid({128, 128, 128}, 2), (std::array<int, 3>{1, 1, 2}));
  EXPECT_EQ(MpiDomain::process_grid({128, 128, 128}, 4), (std::array<int, 3>{1, 2, 2}));
  EXPECT_EQ(MpiDomain::process_grid({128, 128, 128}, 8), (std::array<int, 3>{2, 2, 2}));
  EXPECT_EQ(MpiDomain::process_grid({256, 64, 32}, 2), (std::array<int, 3>{2, 1, 1}));
  EXPECT_EQ(MpiDomain::process_grid({256, 64, 32}, 4), (std::array<int, 3>{2, 2, 1}));
  // A balanced factorisation that does not fit gives way to one that does.
  EXPECT_EQ(MpiDomain::process_grid({100, 4, 4}, 27), (std::array<int, 3>{27, 1, 1}));
  EXPECT_EQ(MpiDomain::process_grid({100, 4, 4}, 8), (std::array<int, 3>{2, 2, 2}));
  EXPECT_EQ(MpiDomain::process_grid({4, 4, 100}, 50), (std::array<int, 3>{1, 1, 50}));
  // Every count that some split fits is accepted, with blocks thick enough; the others refused.
  // 20 x 4 x 4 on 40 ranks: MPI's balanced 5 x 4 x 2 does not fit, 10 x 2 x 2 does.
  EXPECT_EQ(MpiDomain::process_grid({20, 4, 4}, 40), (std::array<int, 3>{10, 2, 2}));
  for (const GridShape grid : {GridShape{40, 24, 9}, GridShape{20, 4, 4}, GridShape{3, 64, 5}}) {
    for (int ranks = 1; ranks <= 96; ++ranks) {
      const bool some_split_fits = [&] {
        for (int px = 1; px <= grid.nx; ++px)
          for (int py = 1; py <= grid.ny; ++py)
            for (int pz = 1; pz <= grid.nz; ++pz)
              if (px * py * pz == ranks && (px == 1 || grid.nx / px >= kMinBlockVoxels) &&
                  (py == 1 || grid.ny / py >= kMinBlockVoxels) &&
                  (pz == 1 || grid.nz / pz >= kMinBlockVoxels))
                return true;
        return false;
      }();
      try {
        const auto dims = MpiDomain::process_grid(grid, ranks);
        EXPECT_TRUE(some_split_fits);
        EXPECT_EQ(dims[0] * dims[1] * dims[2], ranks);
        for (int d = 0; d < 3; ++d) {
          const int thinnest = length(grid, d) / dims[std::size_t(d)];
          EXPECT_GE(thinnest, dims[std::size_t(d)] > 1 ? kMinBlockVoxels : 1);
        }
      } catch (const Error& e) {
        EXPECT_FALSE(some_split_fits) << ranks << " ranks: " << e.what();
      }
    }
  }
}

TEST(ProcessGrid, RefusesRankCountsThatDoNotFit) {
  for (const auto& [grid, ranks] : std::vector<std::pair<GridShape, int>>{
           {{3, 3, 3}, 2}, {{1, 1, 1}, 4}, {{6, 6, 6}, 5}, {{1, 1, 7}, 4}, {{8, 8, 8}, 128}}) {
    try {
      MpiDomain::process_grid(grid, ranks);
      ADD_FAILURE() << ranks << " ranks were accepted on " << grid.nx << "x" << grid.ny << "x"
                    << grid.nz;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
      const std::string text = e.what();
      EXPECT_NE(
          text.find(std::to_string(ranks) + " MPI ranks on the grid " + std::to_string(grid.nx) +
                    " x " + std::to_string(grid.ny) + " x " + std::to_string(grid.nz)),
          std::string::npos)
          << text;
    }
  }
}

// A grid that cannot take more than one rank: every rank of a multi-rank run throws bad_input
// (and none is left waiting in a collective).
TEST(MpiDomainConstruction, TooManyRanksIsBadInputOnEveryRank) {
  const int size = world_size();
  const GridShape thin{1, 1, 2 * size - 1};  // fits one rank; can never give each >= 2 voxels
  bool threw_bad_input = false;
  try {
    MpiDomain domain(thin);
    EXPECT_EQ(size, 1);
  } catch (const Error& e) {
    threw_bad_input = e.kind() == ErrorKind::kBadInput;
    EXPECT_NE(std::string(e.what()).find(std::to_string(size) + " MPI ranks on the grid 1 x 1 x " +
                                         std::to_string(2 * size - 1)),
              std::string::npos)
        << e.what();
  }
  int threw = threw_bad_input ? 1 : 0;
  int everywhere = 0;
  MPI_Allreduce(&threw, &everywhere, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  EXPECT_EQ(everywhere, size > 1 ? size : 0);
}

TEST(MpiDomainReductions, SumMaxMinAllOk) {
  MpiDomain domain({16, 16, 16});
  const int size = domain.size();
  const double r = domain.rank();
  EXPECT_EQ(domain.sum(r + 1), size * (size + 1) / 2.0);
  EXPECT_EQ(domain.max(r), size - 1.0);
  EXPECT_EQ(domain.min(r), 0.0);
  double values[2] = {r, -r};
  domain.max(values, 2);
  EXPECT_EQ(values[0], size - 1.0);
  EXPECT_EQ(values[1], 0.0);
  EXPECT_TRUE(domain.all_ok(true));
  EXPECT_FALSE(domain.all_ok(domain.rank() != size - 1));
}

// NaN means "no value on this rank": min/max are over the ranks that have one, NaN if none does.
TEST(MpiDomainReductions, MinAndMaxSkipNaN) {
  MpiDomain domain({16, 16, 16});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const int size = domain.size();
  const double value = domain.rank() == 0 ? nan : double(domain.rank());
  if (size == 1) {
    EXPECT_TRUE(std::isnan(domain.min(value)));
    EXPECT_TRUE(std::isnan(domain.max(value)));
  } else {
    EXPECT_EQ(domain.min(value), 1.0);
    EXPECT_EQ(domain.max(value), size - 1.0);
  }
  EXPECT_TRUE(std::isnan(domain.min(nan)));
  EXPECT_TRUE(std::isnan(domain.sum(value)));  // a sum keeps NaN: a broken field shows
}

TEST(MpiDomainGather, PlacesEveryRanksValuesOnRankZero) {
  const GridShape global{9, 7, 12};
  MpiDomain domain(global);
  const std::vector<std::int64_t> index = global_indices(global, domain.block());
  std::vector<double> values(index.size());
  for (std::size_t m = 0; m < index.size(); ++m) values[m] = 0.5 + double(index[m]);
  const std::vector<double> all = domain.gather(index, values, std::size_t(global.interior_size()));
  if (domain.is_root()) {
    ASSERT_EQ(all.size(), std::size_t(global.interior_size()));
    for (std::size_t g = 0; g < all.size(); ++g) EXPECT_EQ(all[g], 0.5 + double(g));
  } else {
    EXPECT_TRUE(all.empty());
  }
}

TEST(Partition, LocalAndGlobalIndicesAreInverse) {
  const GridShape global{11, 6, 5};
  const host::Block block = block_of(global, {3, 2, 1}, {1, 1, 0});
  EXPECT_EQ(block.offset[0], 4);
  EXPECT_EQ(block.extent[0], 4);
  EXPECT_EQ(block.offset[1], 3);
  EXPECT_EQ(block.extent[1], 3);
  for (std::int64_t local = 0; local < block.voxels(); ++local) {
    EXPECT_EQ(local_index(global, block, global_index(global, block, local)), local);
  }
  EXPECT_EQ(local_index(global, block, 0), -1);
  EXPECT_EQ(global_index(global, block, 0), (3 * 11) + 4);
}

// Heater and flame voxels end up on exactly one rank each, renumbered to that rank's block.
TEST(Partition, VoxelListsAreSplitAcrossRanksExactlyOnce) {
  const GridShape global{10, 9, 8};
  MpiDomain domain(global);
  host::SimulationInput in;
  in.conduction.shape = global;
  in.conduction.spacing = {1e-3, 1e-3, 1e-3};
  in.conduction.materials = {{1000, 1000, {1, 1, 1}, 0, -1}};
  in.cell_ids.assign(std::size_t(global.interior_size()), -1);
  for (std::size_t c = 0; c < in.cell_ids.size(); c += 3) in.cell_ids[c] = 0;
  in.cells.resize(1);
  host::Trigger heater;
  for (std::int64_t g = 0; g < global.interior_size(); g += 7) {
    in.cells[0].plume.faces.push_back({g, 0, 1.0});
    in.cells[0].plume.radiation.push_back({g, 1e-3, 1e-6});
    heater.voxels.push_back(global.interior_size() - 1 - g);
  }
  in.triggers = {heater};

  const host::SimulationInput local = local_input(in, domain.block(), domain.neighbours());
  const host::Block& b = domain.block();
  EXPECT_EQ(local.conduction.shape.nx, b.extent[0]);
  EXPECT_EQ(local.conduction.shape.ny, b.extent[1]);
  EXPECT_EQ(local.conduction.shape.nz, b.extent[2]);
  ASSERT_EQ(local.cell_ids.size(), std::size_t(b.voxels()));
  for (std::int64_t m = 0; m < b.voxels(); ++m) {
    EXPECT_EQ(local.cell_ids[std::size_t(m)], in.cell_ids[std::size_t(global_index(global, b, m))]);
  }
  // Every rank marks the global voxels it holds; each listed voxel must be held exactly once.
  auto count_holders = [&](const std::vector<std::int64_t>& local_list,
                           const std::vector<std::int64_t>& global_list) {
    std::vector<int> held(std::size_t(global.interior_size()), 0);
    for (std::int64_t v : local_list) {
      EXPECT_GE(v, 0);
      EXPECT_LT(v, b.voxels());
      ++held[std::size_t(global_index(global, b, v))];
    }
    MPI_Allreduce(MPI_IN_PLACE, held.data(), int(held.size()), MPI_INT, MPI_SUM,
                  domain.communicator());
    std::vector<int> expected(held.size(), 0);
    for (std::int64_t g : global_list) expected[std::size_t(g)] = 1;
    EXPECT_EQ(held, expected);
  };
  auto voxels_of = [](const auto& list) {
    std::vector<std::int64_t> v;
    for (const auto& entry : list) v.push_back(entry.voxel);
    return v;
  };
  count_holders(voxels_of(local.cells[0].plume.faces), voxels_of(in.cells[0].plume.faces));
  count_holders(voxels_of(local.cells[0].plume.radiation), voxels_of(in.cells[0].plume.radiation));
  count_holders(local.triggers[0].voxels, in.triggers[0].voxels);
  const auto local_faces = voxels_of(local.cells[0].plume.faces);
  EXPECT_TRUE(std::is_sorted(local_faces.begin(), local_faces.end()));
}

}  // namespace
}  // namespace runaway::parallel
