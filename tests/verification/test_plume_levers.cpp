// The engineer's levers against propagation act on the vent plume's traced path (docs/physics.md
// "The vent plume"): a lid turns a middle cell's plume into a ceiling jet over its neighbours in a
// sealed gas region; a vent channel (a [[solids]] plate over the cells, the duct opening through
// an open enclosure face) keeps the jet under the plate in a region open to the outside air.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/solver/vent_plume.hpp"
#include "meshes/pack.hpp"

namespace runaway::testing {
namespace {

struct Traced {
  host::PackConfig config;
  meshes::VoxelModel model;
  std::vector<host::GasRegion> regions;
  host::PlumePath path;
  bool open = false;
  // Shares of the path's conductance (sum h A) on the venting cell, on other cells, on the
  // enclosure's walls and plates, and on each solid of the config.
  double self = 0, neighbours = 0, enclosure = 0, total = 0;
  std::vector<double> solid;
  int neighbour_cells = 0;  // distinct other cells the jet touches
};

Traced trace(const std::string& example, int cell) {
  Traced t;
  t.config = host::load_pack_config(std::string(RUNAWAY_SOURCE_DIR) + "/examples/" + example);
  t.model = host::build_voxel_model(t.config);
  std::vector<std::int32_t> region;
  t.regions = host::find_gas_regions(t.model, &region);
  t.path = host::trace_plume_path(t.model, t.model.cells[std::size_t(cell)], region);
  if (t.path.gas_region >= 0) t.open = t.regions[std::size_t(t.path.gas_region)].open;
  t.solid.assign(t.config.pack.solids.size(), 0.0);
  std::vector<char> touched(t.model.cells.size(), 0);
  for (const host::PlumeFace& f : t.path.faces) {
    t.total += f.area;
    const std::int32_t owner = t.model.cell[std::size_t(f.voxel)];
    if (owner == cell) {
      t.self += f.area;
    } else if (owner >= 0) {
      t.neighbours += f.area;
      touched[std::size_t(owner)] = 1;
    } else {
      t.enclosure += f.area;
      const std::int64_t nx = t.model.shape.nx, ny = t.model.shape.ny;
      const meshes::Vec3 c =
          t.model.centre(int(f.voxel % nx), int(f.voxel / nx % ny), int(f.voxel / (nx * ny)));
      for (std::size_t s = 0; s < t.config.pack.solids.size(); ++s) {
        const meshes::Box& b = t.config.pack.solids[s].box;
        bool in = true;
        for (std::size_t a = 0; a < 3; ++a) in = in && c[a] >= b.lo[a] && c[a] < b.hi[a];
        if (in) t.solid[s] += f.area;
      }
    }
  }
  for (char c : touched) t.neighbour_cells += c;
  std::printf(
      "%s, cell %d: region %s (%.3g L, O2 %.3g g), rise %d layers, %d ceiling rings, %zu faces, "
      "face area %.4g m^2: on itself %.1f %%, on %d other cells %.1f %%, on the enclosure %.1f "
      "%%\n",
      example.c_str(), cell, t.open ? "open" : "sealed",
      t.path.gas_region >= 0 ? 1e3 * t.regions[std::size_t(t.path.gas_region)].volume : 0.0,
      t.path.gas_region >= 0 ? 1e3 * t.regions[std::size_t(t.path.gas_region)].oxygen_mass : 0.0,
      t.path.rise_layers, t.path.ceiling_rings, t.path.faces.size(), t.total,
      100 * t.self / t.total, t.neighbour_cells, 100 * t.neighbours / t.total,
      100 * t.enclosure / t.total);
  for (std::size_t s = 0; s < t.solid.size(); ++s) {
    std::printf("  solid '%s': %.1f %% of the path's face area\n",
                t.config.pack.solids[s].name.c_str(), 100 * t.solid[s] / t.total);
  }
  return t;
}

// Under the lid 21 mm above the cells, the middle cell's plume rises to the lid and spreads as a
// ceiling jet whose faces include its neighbours' tops; its gas region is sealed (finite oxygen).
TEST(PlumeLevers, LidMakesASealedCeilingJetOverTheNeighbours) {
  const Traced t = trace("module_12_prismatic_liquid_lid.toml", 5);
  ASSERT_GE(t.path.gas_region, 0);
  EXPECT_FALSE(t.open);
  EXPECT_GT(t.path.rise_layers, 0);
  EXPECT_GT(t.path.ceiling_rings, 5);
  EXPECT_GT(t.neighbours, 0.0);
  EXPECT_GE(t.neighbour_cells, 2);  // cells 4 and 6 at least
  EXPECT_GT(t.enclosure, 0.0);      // the lid itself
  // The open module, for comparison: no ceiling, an open region.
  const Traced open = trace("module_12_prismatic_liquid.toml", 5);
  EXPECT_TRUE(open.open);
  EXPECT_EQ(open.path.ceiling_rings, 0);
}

// With the vent channel the plume rises only to the channel plate, 8 mm on the grid, and its
// jet runs under the plate, which takes a share of the path's conductance; the duct opens
// through the +x face, so the region is open (the outside air's oxygen).
TEST(PlumeLevers, VentChannelKeepsTheJetUnderThePlateInAnOpenRegion) {
  const Traced t = trace("module_12_prismatic_liquid_vent_channel.toml", 5);
  const Traced lid = trace("module_12_prismatic_liquid_lid.toml", 5);
  ASSERT_GE(t.path.gas_region, 0);
  EXPECT_TRUE(t.open);
  EXPECT_GT(t.path.ceiling_rings, 5);
  EXPECT_LT(t.path.rise_layers, lid.path.rise_layers);
  ASSERT_FALSE(t.solid.empty());
  EXPECT_EQ(t.config.pack.solids[0].name, "vent-channel-plate");
  EXPECT_GT(t.solid[0], 0.1 * t.total);  // the channel plate is the jet's ceiling
  EXPECT_GT(t.neighbours, 0.0);          // the jet still runs over the neighbours' tops
}

}  // namespace
}  // namespace runaway::testing
