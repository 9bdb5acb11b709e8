// The voxelizer: volumes of each cell shape against analytic volumes, cell ids and counts,
// grid-aligned orthotropic materials, thin cans and barriers, vents and flame regions, layout
// errors and the memory limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "meshes/library.hpp"
#include "meshes/voxelizer.hpp"

namespace runaway::meshes {
namespace {

constexpr double kPi = 3.14159265358979323846;

// A pack holding one module of `count` cells of library type `cell_name`, placed with `margin`
// of gas around it in an enclosure without walls.
PackDescription one_module(const std::string& cell_name, std::array<int, 3> count,
                           Orientation orientation, double margin, Vec3 gap = {0, 0, 0}) {
  PackDescription pack;
  pack.materials = library_materials();
  ModuleLayout m;
  m.name = "m";
  m.cell = *find_library_cell(cell_name);
  m.orientation = orientation;
  m.count = count;
  m.gap = gap;
  m.position = {margin, margin, margin};
  pack.modules.push_back(m);
  const Box box = module_box(m);
  pack.enclosure.gas = "air";
  for (int a = 0; a < 3; ++a) pack.enclosure.size[std::size_t(a)] = box.hi[std::size_t(a)] + margin;
  return pack;
}

VoxelizeOptions voxels(double h) {
  VoxelizeOptions o;
  o.voxel_size = {h, h, h};
  return o;
}

double box_surface(const Vec3& e) {
  return 2 * (e[0] * e[1] + e[1] * e[2] + e[0] * e[2]);
}

// |voxelized - analytic| must be within one voxel layer over the shape's surface: A * h.
void expect_volume_within_one_layer(double voxelized, double analytic, double surface, double h,
                                    const std::string& what) {
  EXPECT_LE(std::fabs(voxelized - analytic), surface * h)
      << what << ": voxelized " << voxelized << " m^3, analytic " << analytic << " m^3";
}

TEST(Voxelizer, PrismaticCellVolumeMatchesAnalytic) {
  // Margin off the voxel grid (3.3 mm) so faces fall between voxel centres.
  const double h = 0.001;
  PackDescription pack = one_module("nmc-50ah-prismatic", {1, 1, 1}, {}, 0.0033);
  const VoxelModel model = voxelize(pack, voxels(h));
  ASSERT_EQ(model.cells.size(), 1u);
  const CellInfo& cell = model.cells[0];
  const CellType& type = pack.modules[0].cell;
  const double v = h * h * h;
  const Vec3 e = oriented_extent(type, {});
  expect_volume_within_one_layer(double(cell.voxel_count) * v, type.outer_volume(), box_surface(e),
                                 h, "outer");
  EXPECT_DOUBLE_EQ(cell.outer_volume, 0.148 * 0.0265 * 0.091);
  EXPECT_NEAR(cell.jelly_roll_volume, (0.148 - 0.0016) * (0.0265 - 0.0016) * (0.091 - 0.0016),
              1e-12);
  // Can (0.8 mm) thinner than the 1 mm voxel: folded, so every cell voxel is jelly roll.
  EXPECT_EQ(cell.jelly_roll_voxel_count, cell.voxel_count);
  // Count voxels with the cell id directly.
  std::int64_t counted = 0;
  for (std::int32_t id : model.cell) counted += id == 0 ? 1 : 0;
  EXPECT_EQ(counted, cell.voxel_count);
}

TEST(Voxelizer, ResolvedCanGetsItsOwnMaterialAndJellyRollVolumeMatches) {
  const double h = 0.0005;
  PackDescription pack = one_module("nmc-50ah-prismatic", {1, 1, 1}, {}, 0.0021);
  pack.modules[0].cell.can_wall_thickness = 0.0012;  // >= one 0.5 mm voxel
  const VoxelModel model = voxelize(pack, voxels(h));
  const CellInfo& cell = model.cells[0];
  const CellType& type = pack.modules[0].cell;
  const double t = type.can_wall_thickness;
  const Vec3 inner{type.thickness - 2 * t, type.width - 2 * t, type.height - 2 * t};
  const double v = h * h * h;
  expect_volume_within_one_layer(double(cell.jelly_roll_voxel_count) * v, type.jelly_roll_volume(),
                                 box_surface(inner), h, "jelly roll");
  const int can = model.material_id("aluminium-can");
  ASSERT_GE(can, 0);
  std::int64_t can_voxels = 0;
  for (std::size_t i = 0; i < model.material.size(); ++i) {
    if (model.material[i] == can) {
      EXPECT_EQ(model.cell[i], 0);
      ++can_voxels;
    }
  }
  EXPECT_EQ(can_voxels, cell.voxel_count - cell.jelly_roll_voxel_count);
  EXPECT_GT(can_voxels, 0);
}

TEST(Voxelizer, PouchCellVolumeMatchesAnalytic) {
  const double h = 0.001;
  // Lying flat: thickness along z, top (tabs) along +y.
  Orientation flat{Direction::kYPlus, 2};
  PackDescription pack = one_module("lfp-20ah-pouch", {1, 1, 1}, flat, 0.0027);
  const VoxelModel model = voxelize(pack, voxels(h));
  const CellType& type = pack.modules[0].cell;
  EXPECT_EQ(type.shape, CellShape::kPouch);
  const Vec3 e = oriented_extent(type, flat);
  EXPECT_DOUBLE_EQ(e[2], type.thickness);
  EXPECT_DOUBLE_EQ(e[1], type.height);
  expect_volume_within_one_layer(double(model.cells[0].voxel_count) * h * h * h,
                                 type.outer_volume(), box_surface(e), h, "pouch");
}

class CylinderVolume : public ::testing::TestWithParam<std::tuple<std::string, Direction>> {};

TEST_P(CylinderVolume, MatchesAnalytic) {
  const auto& [name, up] = GetParam();
  const double h = 0.0005;
  PackDescription pack = one_module(name, {1, 1, 1}, {up, 0}, 0.0013);
  const VoxelModel model = voxelize(pack, voxels(h));
  const CellType& type = pack.modules[0].cell;
  const double r = 0.5 * type.diameter;
  const double surface = 2 * kPi * r * type.height + 2 * kPi * r * r;
  expect_volume_within_one_layer(double(model.cells[0].voxel_count) * h * h * h,
                                 kPi * r * r * type.height, surface, h, name);
  // The cylinder's axis is along `up`: its voxel extent there is the height.
  const VoxelRange& range = model.cells[0].voxels;
  const int a = axis_of(up);
  EXPECT_NEAR((range.max[std::size_t(a)] - range.min[std::size_t(a)] + 1) * h, type.height,
              1.0001 * h);
  EXPECT_NEAR((range.max[std::size_t((a + 1) % 3)] - range.min[std::size_t((a + 1) % 3)] + 1) * h,
              type.diameter, 1.0001 * h);
}

INSTANTIATE_TEST_SUITE_P(LibraryCells, CylinderVolume,
                         ::testing::Values(std::make_tuple("18650-lco", Direction::kZPlus),
                                           std::make_tuple("21700-nmc", Direction::kZPlus),
                                           std::make_tuple("21700-nmc", Direction::kXMinus)));

TEST(Voxelizer, CellIdsRunXFastestWithEqualCounts) {
  // 3 x 2 x 2 cylinders on a pitch of 24 mm = 48 voxels, so every cell sees the same pattern.
  const double h = 0.0005;
  PackDescription pack = one_module("21700-nmc", {3, 2, 2}, {}, 0.002, {0.003, 0.003, 0.003});
  const VoxelModel model = voxelize(pack, voxels(h));
  ASSERT_EQ(model.cells.size(), 12u);
  std::vector<std::int64_t> counts(12, 0);
  for (std::int32_t id : model.cell) {
    ASSERT_LT(id, 12);
    if (id >= 0) ++counts[std::size_t(id)];
  }
  for (int id = 0; id < 12; ++id) {
    const CellInfo& c = model.cells[std::size_t(id)];
    EXPECT_EQ(c.id, id);
    EXPECT_EQ(counts[std::size_t(id)], c.voxel_count);
    EXPECT_EQ(c.voxel_count, model.cells[0].voxel_count);
    const int expected[3] = {id % 3, id / 3 % 2, id / 6};
    for (int a = 0; a < 3; ++a) {
      const double pitch = (a == 2 ? 0.070 : 0.021) + 0.003;
      EXPECT_NEAR(c.centre[std::size_t(a)] - model.cells[0].centre[std::size_t(a)],
                  expected[a] * pitch, 1e-12);
    }
  }
}

TEST(Voxelizer, OrthotropicConductivityFollowsOrientation) {
  PackDescription pack = one_module("nmc-50ah-prismatic", {2, 1, 1}, {Direction::kZPlus, 0}, 0.01);
  ModuleLayout turned = pack.modules[0];
  turned.name = "turned";
  turned.orientation = {Direction::kZPlus, 1};  // thickness along y
  turned.position = {0.01, 0.2, 0.01};
  pack.modules.push_back(turned);
  ModuleLayout cylinders;
  cylinders.name = "cylinders";
  cylinders.cell = *find_library_cell("18650-lco");
  cylinders.orientation = {Direction::kXPlus, 0};  // axis along x
  cylinders.position = {0.2, 0.01, 0.01};
  pack.modules.push_back(cylinders);
  pack.enclosure.size = {0.4, 0.4, 0.12};
  pack.enclosure.gas = "air";
  const VoxelModel model = voxelize(pack, voxels(0.002));
  auto k_of_cell = [&](int id) {
    const CellInfo& c = model.cells[std::size_t(id)];
    const auto v = model.index(c.vent_voxel[0], c.vent_voxel[1], c.vent_voxel[2]);
    return model.materials[model.material[std::size_t(v)]].conductivity;
  };
  const auto kx = k_of_cell(0);  // thickness along x: through-plane 1.5 along x
  EXPECT_DOUBLE_EQ(kx[0], 1.5);
  EXPECT_DOUBLE_EQ(kx[1], 30.0);
  EXPECT_DOUBLE_EQ(kx[2], 30.0);
  const auto ky = k_of_cell(2);
  EXPECT_DOUBLE_EQ(ky[0], 30.0);
  EXPECT_DOUBLE_EQ(ky[1], 1.5);
  EXPECT_DOUBLE_EQ(ky[2], 30.0);
  const auto kc = k_of_cell(4);  // wound cell, axis x: axial along x, radial across
  EXPECT_DOUBLE_EQ(kc[0], 13.6);
  EXPECT_DOUBLE_EQ(kc[1], 0.2);
  EXPECT_DOUBLE_EQ(kc[2], 0.2);
  // One material entry per orientation; each jelly roll carries its chemistry.
  int jelly_entries = 0;
  for (const Material& m : model.materials) {
    if (!m.is_jelly_roll) continue;
    ++jelly_entries;
    EXPECT_FALSE(m.chemistry.empty());
  }
  EXPECT_EQ(jelly_entries, 3);
}

TEST(Voxelizer, FoldedCanKeepsTheCellsHeatCapacity) {
  const double h = 0.001;
  PackDescription pack = one_module("21700-nmc", {1, 1, 1}, {}, 0.0025);
  const VoxelModel model = voxelize(pack, voxels(h));
  const CellType& type = pack.modules[0].cell;
  const MaterialSpec& jelly = *find_library_material(type.jelly_roll_material);
  const MaterialSpec& can = *find_library_material(type.can_material);
  const double v_can = type.outer_volume() - type.jelly_roll_volume();
  const double analytic = jelly.density * jelly.heat_capacity * type.jelly_roll_volume() +
                          can.density * can.heat_capacity * v_can;
  double voxelized = 0;
  const Material* folded = nullptr;
  for (std::size_t i = 0; i < model.cell.size(); ++i) {
    if (model.cell[i] != 0) continue;
    folded = &model.materials[model.material[i]];
    voxelized += folded->density * folded->heat_capacity * h * h * h;
  }
  ASSERT_NE(folded, nullptr);
  EXPECT_TRUE(folded->is_jelly_roll);
  EXPECT_NEAR(folded->jelly_roll_fraction, type.jelly_roll_volume() / type.outer_volume(), 1e-12);
  // Same tolerance as the volume: one voxel layer over the surface.
  const double r = 0.5 * type.diameter;
  const double surface = 2 * kPi * r * type.height + 2 * kPi * r * r;
  EXPECT_LE(std::fabs(voxelized - analytic), surface * h * folded->density * folded->heat_capacity);
  EXPECT_FALSE(model.warnings.empty());  // says the can was folded
}

TEST(Voxelizer, ThinBarrierIsBlendedWithTheGapGasInSeries) {
  // 2 mm gaps on a 2 mm grid aligned with them: each gap is exactly one voxel wide.
  const double h = 0.002;
  PackDescription pack =
      one_module("nmc-50ah-prismatic", {3, 1, 1}, {Direction::kZPlus, 0}, 0.004, {0.002, 0, 0});
  pack.modules[0].cell.thickness = 0.026;  // 13 voxels
  pack.modules[0].barrier = {"mica", 0.0005};
  PackDescription aligned = pack;
  const Box box = module_box(aligned.modules[0]);
  aligned.enclosure.size = {box.hi[0] + 0.004, box.hi[1] + 0.004, box.hi[2] + 0.004};
  const VoxelModel model = voxelize(aligned, voxels(h));
  const MaterialSpec& mica = *find_library_material("mica");
  const MaterialSpec& air = *find_library_material("air");
  const double f = 0.0005 / 0.002;
  const double k_series =
      1.0 / (f / mica.conductivity_through_plane + (1 - f) / air.conductivity_through_plane);
  const double k_parallel = f * mica.conductivity_in_plane + (1 - f) * air.conductivity_in_plane;
  // The voxel between cell 0 and cell 1 at the height of cell 0's centre.
  const CellInfo& c0 = model.cells[0];
  const int i = c0.voxels.max[0] + 1;
  const auto v = model.index(i, c0.vent_voxel[1], c0.vent_voxel[2] - 3);
  const Material& gap = model.materials[model.material[std::size_t(v)]];
  EXPECT_NEAR(gap.conductivity[0], k_series, 1e-12 * k_series);
  EXPECT_NEAR(gap.conductivity[1], k_parallel, 1e-12);
  EXPECT_NEAR(gap.density, f * mica.density + (1 - f) * air.density, 1e-9);
  EXPECT_EQ(model.cells[1].voxels.min[0], i + 1);       // exactly one gap voxel
  EXPECT_EQ(model.cells[0].voxel_count, 13 * 74 * 46);  // 26 x 148 x 92 mm at 2 mm (91 rounds up)
}

TEST(Voxelizer, BlendedBarrierKeepsTheGapResistanceWhateverItsVoxelWidth) {
  // A 3 mm gap on a 2 mm grid is one or two voxels wide; either way the voxels across it must
  // add up to the true series resistance b/k_b + (g-b)/k_gas and hold its heat capacity.
  const double h = 0.002;
  PackDescription pack =
      one_module("nmc-50ah-prismatic", {4, 1, 1}, {Direction::kZPlus, 0}, 0.0043, {0.003, 0, 0});
  pack.modules[0].barrier = {"mica", 0.0005};
  const VoxelModel model = voxelize(pack, voxels(h));
  const MaterialSpec& mica = *find_library_material("mica");
  const MaterialSpec& air = *find_library_material("air");
  const double resistance =
      0.0005 / mica.conductivity_through_plane + 0.0025 / air.conductivity_through_plane;
  const double heat_capacity = 0.0005 * mica.density * mica.heat_capacity +
                               0.0025 * air.density * air.heat_capacity;  // J/(m^2 K)
  for (int c = 0; c + 1 < 4; ++c) {
    const CellInfo& left = model.cells[std::size_t(c)];
    const int j = left.vent_voxel[1];
    const int k = left.vent_voxel[2] - 3;
    double gap_resistance = 0;
    double gap_heat_capacity = 0;
    int width = 0;
    for (int i = left.voxels.max[0] + 1; i < model.cells[std::size_t(c) + 1].voxels.min[0]; ++i) {
      const Material& m = model.materials[model.material[std::size_t(model.index(i, j, k))]];
      gap_resistance += model.spacing.dx / m.conductivity[0];
      gap_heat_capacity += model.spacing.dx * m.density * m.heat_capacity;
      ++width;
    }
    ASSERT_GE(width, 1);
    EXPECT_NEAR(gap_resistance, resistance, 1e-9 * resistance) << "gap " << c;
    EXPECT_NEAR(gap_heat_capacity, heat_capacity, 1e-9 * heat_capacity) << "gap " << c;
  }
}

TEST(Voxelizer, WarnsWhenGapsHoldNoVoxel) {
  PackDescription pack =
      one_module("nmc-50ah-prismatic", {4, 1, 1}, {Direction::kZPlus, 0}, 0.01, {0.001, 0, 0});
  const VoxelModel model = voxelize(pack, voxels(0.004));
  bool warned = false;
  for (const std::string& w : model.warnings)
    warned = warned || w.find("touch") != std::string::npos;
  EXPECT_TRUE(warned);
}

TEST(Voxelizer, ThickBarrierIsVoxelizedAsItself) {
  const double h = 0.001;
  PackDescription pack =
      one_module("nmc-50ah-prismatic", {2, 1, 1}, {Direction::kZPlus, 0}, 0.003, {0.004, 0, 0});
  pack.modules[0].barrier = {"aerogel", 0.002};
  const VoxelModel model = voxelize(pack, voxels(h));
  const int aerogel = model.material_id("aerogel");
  ASSERT_GE(aerogel, 0);
  std::int64_t count = 0;
  for (std::uint8_t m : model.material) count += m == aerogel ? 1 : 0;
  // 2 voxels thick, over the 148 x 91 mm face of the cells.
  const VoxelRange& r = model.cells[0].voxels;
  EXPECT_EQ(count, 2 * std::int64_t(r.max[1] - r.min[1] + 1) * (r.max[2] - r.min[2] + 1));
}

TEST(Voxelizer, VentVoxelAndFlameRegionSitOnTheTopFace) {
  const double h = 0.002;
  PackDescription pack =
      one_module("nmc-50ah-prismatic", {2, 1, 1}, {Direction::kZPlus, 0}, 0.04, {0.002, 0, 0});
  pack.modules[0].cell.vent_offset = 0.03;
  const VoxelModel model = voxelize(pack, voxels(h));
  for (const CellInfo& c : model.cells) {
    EXPECT_EQ(c.vent_direction, Direction::kZPlus);
    EXPECT_EQ(c.vent_voxel[2], c.voxels.max[2]);
    const auto vent = model.index(c.vent_voxel[0], c.vent_voxel[1], c.vent_voxel[2]);
    EXPECT_EQ(model.cell[std::size_t(vent)], c.id);
    EXPECT_NEAR(model.centre(c.vent_voxel[0], c.vent_voxel[1], c.vent_voxel[2])[1],
                c.centre[1] + 0.03, h);
    // 30 mm flame length = 15 layers above the cell; 20 mm wide = 10 voxels across y.
    EXPECT_EQ(c.flame_box.min[2], c.voxels.max[2] + 1);
    EXPECT_EQ(c.flame_box.max[2] - c.flame_box.min[2] + 1, 15);
    EXPECT_EQ(c.flame_box.max[1] - c.flame_box.min[1] + 1, 10);
    EXPECT_EQ(std::int64_t(c.flame_voxels.size()), c.flame_box.count());
    for (std::int64_t v : c.flame_voxels) EXPECT_LT(model.cell[std::size_t(v)], 0);
  }
}

TEST(Voxelizer, CellFaceVoxelsAreTheSurfaceLayer) {
  const double h = 0.002;
  PackDescription pack = one_module("nmc-50ah-prismatic", {1, 1, 1}, {Direction::kZPlus, 0}, 0.01);
  const VoxelModel model = voxelize(pack, voxels(h));
  const VoxelRange& r = model.cells[0].voxels;
  const auto face = cell_face_voxels(model, 0, Direction::kXMinus);
  EXPECT_EQ(std::int64_t(face.size()),
            std::int64_t(r.max[1] - r.min[1] + 1) * (r.max[2] - r.min[2] + 1));
  for (std::int64_t v : face) EXPECT_EQ(v % model.shape.nx, r.min[0]);
}

TEST(Voxelizer, OverlappingModulesAreRejected) {
  PackDescription pack = one_module("nmc-50ah-prismatic", {4, 1, 1}, {}, 0.01);
  ModuleLayout second = pack.modules[0];
  second.name = "second";
  second.position[0] += 0.05;  // inside the first module's 4 x 26.5 mm
  pack.modules.push_back(second);
  pack.enclosure.size[0] += 0.1;
  const auto problems = find_layout_problems(pack);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, LayoutProblem::Kind::kModulesOverlap);
  EXPECT_EQ(problems[0].module, 0);
  EXPECT_EQ(problems[0].other_module, 1);
  EXPECT_GE(problems[0].cell, 0);
  EXPECT_GE(problems[0].other_cell, 4);
  try {
    voxelize(pack, voxels(0.004));
    FAIL() << "overlap accepted";
  } catch (const MeshError& e) {
    EXPECT_EQ(e.kind(), MeshErrorKind::kLayout);
    EXPECT_NE(std::string(e.what()).find("overlap"), std::string::npos);
  }
}

TEST(Voxelizer, TouchingModulesAreAccepted) {
  PackDescription pack = one_module("nmc-50ah-prismatic", {2, 1, 1}, {}, 0.01);
  ModuleLayout second = pack.modules[0];
  second.name = "second";
  second.position[0] = module_box(pack.modules[0]).hi[0];
  pack.modules.push_back(second);
  pack.enclosure.size[0] = module_box(second).hi[0] + 0.01;
  EXPECT_TRUE(find_layout_problems(pack).empty());
}

TEST(Voxelizer, CellsOutsideTheEnclosureAreRejected) {
  PackDescription pack = one_module("nmc-50ah-prismatic", {3, 1, 1}, {}, 0.01);
  pack.enclosure.size[2] = 0.08;  // lower than the 91 mm cells
  const auto problems = find_layout_problems(pack);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, LayoutProblem::Kind::kOutsideEnclosure);
  EXPECT_EQ(problems[0].cell, 0);
  // A wall also shrinks the interior.
  PackDescription walled = one_module("nmc-50ah-prismatic", {1, 1, 1}, {}, 0.002);
  walled.enclosure.wall_thickness = 0.003;
  walled.enclosure.wall_material = "steel";
  EXPECT_EQ(find_layout_problems(walled).size(), 1u);
  EXPECT_THROW(voxelize(walled, voxels(0.002)), MeshError);
}

TEST(Voxelizer, CoolingPlateOverlapIsRejectedAndPlateIsPainted) {
  PackDescription pack = one_module("nmc-50ah-prismatic", {1, 1, 1}, {}, 0.01);
  pack.cooling_plate = {"aluminium", 0.005, Direction::kZMinus};
  const VoxelModel model = voxelize(pack, voxels(0.001));
  const int plate = model.material_id("aluminium");
  ASSERT_GE(plate, 0);
  EXPECT_EQ(model.material[std::size_t(model.index(0, 0, 4))], plate);
  EXPECT_EQ(model.material[std::size_t(model.index(0, 0, 5))], 0);  // gas above it
  pack.cooling_plate.thickness = 0.02;
  const auto problems = find_layout_problems(pack);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].kind, LayoutProblem::Kind::kOverlapsCoolingPlate);
}

// A walled one-cell pack (2 mm voxels) with an orthotropic sheet material for solids.
PackDescription walled_cell() {
  PackDescription pack = one_module("nmc-50ah-prismatic", {1, 1, 1}, {}, 0.01);
  pack.enclosure.wall_thickness = 0.004;
  pack.enclosure.wall_material = "steel";
  MaterialSpec sheet;
  sheet.name = "sheet";
  sheet.density = 2000;
  sheet.heat_capacity = 1000;
  sheet.conductivity_in_plane = 10;
  sheet.conductivity_through_plane = 1;
  pack.materials.push_back(sheet);
  return pack;
}

TEST(Voxelizer, SolidsArePaintedAfterTheWallsAndBeforeTheModules) {
  PackDescription pack = walled_cell();
  const Box cell = cell_boxes(pack.modules[0])[0];
  const Box interior = enclosure_interior(pack.enclosure);
  // A lid plate 2 mm above the cell top, across the interior (through-plane along z), a side wall
  // beside the cell standing on the floor (through-plane along x), and a steel block painted
  // over part of the lid (the later solid wins).
  Solid lid{"lid", "sheet", interior};
  lid.box.lo[2] = cell.hi[2] + 0.002;
  lid.box.hi[2] = cell.hi[2] + 0.004;
  Solid side{"side", "sheet", interior};
  side.box.hi[0] = interior.lo[0] + 0.004;
  side.box.hi[2] = cell.hi[2];
  Solid block{"block", "steel", lid.box};
  block.box.hi[0] = interior.lo[0] + 0.01;
  pack.solids = {lid, side, block};
  ASSERT_TRUE(find_layout_problems(pack).empty());
  const VoxelModel model = voxelize(pack, voxels(0.002));
  const int flat = model.material_id("sheet[through=z]");
  const int upright = model.material_id("sheet[through=x]");
  const int steel = model.material_id("steel");
  ASSERT_GE(flat, 0);
  ASSERT_GE(upright, 0);
  EXPECT_EQ(model.materials[std::size_t(flat)].conductivity[2], 1.0);
  EXPECT_EQ(model.materials[std::size_t(flat)].conductivity[0], 10.0);
  EXPECT_EQ(model.materials[std::size_t(upright)].conductivity[0], 1.0);
  auto at = [&model](double x, double y, double z) {
    const int i = int(x / model.spacing.dx), j = int(y / model.spacing.dy),
              k = int(z / model.spacing.dz);
    return int(model.material[std::size_t(model.index(i, j, k))]);
  };
  const Vec3 c = cell.centre();
  const double lid_z = lid.box.centre()[2];
  EXPECT_EQ(at(c[0], c[1], lid_z), flat);                            // the lid over the cell
  EXPECT_EQ(at(c[0], c[1], cell.hi[2] + 0.001), 0);                  // gas in the headspace
  EXPECT_EQ(at(interior.lo[0] + 0.005, c[1], lid_z), steel);         // the block over the lid
  EXPECT_EQ(at(interior.lo[0] + 0.001, c[1], c[2]), upright);        // the side wall
  EXPECT_EQ(at(0.001, c[1], lid_z), steel);                          // the -x wall, unpainted
  EXPECT_EQ(at(c[0], c[1], pack.enclosure.size[2] - 0.001), steel);  // the top wall
  // The lid fills the voxels whose centres lie in it and not in the block.
  std::int64_t lid_voxels = 0;
  for (std::uint8_t m : model.material) lid_voxels += m == flat;
  const auto centres = [](double lo, double hi, double h, int n) {
    std::int64_t count = 0;
    for (int i = 0; i < n; ++i) count += (i + 0.5) * h >= lo && (i + 0.5) * h < hi;
    return count;
  };
  const std::int64_t expected =
      centres(block.box.hi[0], lid.box.hi[0], model.spacing.dx, model.shape.nx) *
      centres(lid.box.lo[1], lid.box.hi[1], model.spacing.dy, model.shape.ny) *
      centres(lid.box.lo[2], lid.box.hi[2], model.spacing.dz, model.shape.nz);
  EXPECT_GT(expected, 0);
  EXPECT_EQ(lid_voxels, expected);
  EXPECT_EQ(model.cells.size(), 1u);
  EXPECT_EQ(model.cells[0].voxel_count,
            voxelize(walled_cell(), voxels(0.002)).cells[0].voxel_count);
}

TEST(Voxelizer, SolidsMustLieInsideTheWallsAndOffThePlateAndTheCells) {
  PackDescription pack = walled_cell();
  pack.cooling_plate = {"aluminium", 0.004, Direction::kZMinus};
  const Box cell = cell_boxes(pack.modules[0])[0];
  const Box interior = enclosure_interior(pack.enclosure);
  auto kinds = [&pack](const Box& box) {
    pack.solids = {{"s", "sheet", box}};
    std::vector<LayoutProblem::Kind> k;
    for (const LayoutProblem& p : find_layout_problems(pack)) {
      EXPECT_EQ(p.solid, 0);
      EXPECT_NE(p.message.find("solid 's'"), std::string::npos) << p.message;
      k.push_back(p.kind);
    }
    return k;
  };
  using K = LayoutProblem::Kind;
  Box over_cell = cell;
  over_cell.lo[2] = cell.hi[2] - 0.002;  // dips 2 mm into the cell's top
  over_cell.hi[2] = cell.hi[2] + 0.002;
  EXPECT_EQ(kinds(over_cell), std::vector<K>{K::kSolidOverlapsModule});
  EXPECT_EQ(find_layout_problems(pack)[0].cell, 0);
  Box on_cell = over_cell;
  on_cell.lo[2] = cell.hi[2];  // resting on the top: touching is fine
  EXPECT_TRUE(kinds(on_cell).empty());
  Box in_wall = on_cell;
  in_wall.hi[0] = pack.enclosure.size[0];  // into the +x wall
  EXPECT_EQ(kinds(in_wall), std::vector<K>{K::kSolidOutsideEnclosure});
  Box on_floor = interior;
  on_floor.hi[0] = interior.lo[0] + 0.004;
  on_floor.hi[2] = interior.lo[2] + 0.02;  // through the 4 mm cooling plate
  EXPECT_EQ(kinds(on_floor), std::vector<K>{K::kSolidOverlapsCoolingPlate});
  pack.solids = {{"s", "sheet", over_cell}};
  EXPECT_THROW(voxelize(pack, voxels(0.002)), MeshError);
  // An inverted box is an incomplete description.
  std::swap(on_cell.lo[1], on_cell.hi[1]);
  pack.solids = {{"s", "sheet", on_cell}};
  try {
    voxelize(pack, voxels(0.002));
    FAIL() << "inverted solid accepted";
  } catch (const MeshError& e) {
    EXPECT_EQ(e.kind(), MeshErrorKind::kDescription);
    EXPECT_NE(std::string(e.what()).find("max must exceed min along y"), std::string::npos);
  }
  // Thinner than half a voxel: no voxels, and a warning says so.
  Box thin = interior;
  thin.lo[2] = cell.hi[2] + 0.0041;
  thin.hi[2] = cell.hi[2] + 0.0049;
  pack.solids = {{"thin", "sheet", thin}};
  const VoxelModel model = voxelize(pack, voxels(0.002));
  const int sheet = model.material_id("sheet[through=z]");
  EXPECT_EQ(std::count(model.material.begin(), model.material.end(), std::uint8_t(sheet)), 0);
  EXPECT_TRUE(std::any_of(model.warnings.begin(), model.warnings.end(), [](const std::string& w) {
    return w.find("solid 'thin'") != std::string::npos;
  }));
}

TEST(Voxelizer, OpenFacesHaveNoWallAndTheInteriorReachesThem) {
  PackDescription pack = walled_cell();
  pack.cooling_plate = {"aluminium", 0.004, Direction::kZMinus};
  pack.enclosure.open_faces[std::size_t(Direction::kXPlus)] = true;
  const Box interior = enclosure_interior(pack.enclosure);
  EXPECT_EQ(interior.hi[0], pack.enclosure.size[0]);
  EXPECT_EQ(interior.lo[0], 0.004);
  EXPECT_EQ(cooling_plate_box(pack).hi[0], pack.enclosure.size[0]);
  // A solid may now fill the +x wall's place: a port wall below a 10 mm opening at the top.
  Box port_wall = interior;
  port_wall.lo[0] = pack.enclosure.size[0] - 0.004;
  port_wall.lo[2] = cooling_plate_box(pack).hi[2];
  port_wall.hi[2] = interior.hi[2] - 0.01;
  pack.solids = {{"port-wall", "steel", port_wall}};
  ASSERT_TRUE(find_layout_problems(pack).empty());
  const VoxelModel model = voxelize(pack, voxels(0.002));
  const int steel = model.material_id("steel");
  const int plate = model.material_id("aluminium");
  const int nx = model.shape.nx, ny = model.shape.ny, nz = model.shape.nz;
  const int j = ny / 2;
  auto material = [&model](int i, int jj, int k) {
    return int(model.material[std::size_t(model.index(i, jj, k))]);
  };
  EXPECT_EQ(material(0, j, nz / 2), steel);       // -x wall
  EXPECT_EQ(material(nx - 1, j, nz / 2), steel);  // the port wall at +x
  EXPECT_EQ(material(nx - 1, j, nz - 3), 0);      // the opening: gas on the model's edge
  EXPECT_EQ(material(nx - 1, j, nz - 1), steel);  // the top wall still spans the whole x
  EXPECT_EQ(material(nx - 1, j, 2), plate);       // the cooling plate reaches the open face
  EXPECT_EQ(material(nx - 1, 0, nz - 3), steel);  // the -y wall too
}

TEST(Voxelizer, RefusesModelsOverTheMemoryLimitWithTheNumbers) {
  PackDescription pack = one_module("nmc-50ah-prismatic", {12, 1, 1}, {}, 0.01);
  VoxelizeOptions options = voxels(0.0005);
  options.max_memory_bytes = 1e8;
  const MemoryEstimate e = estimate_memory(pack, options);
  EXPECT_GT(e.total_bytes(), options.max_memory_bytes);
  try {
    voxelize(pack, options);
    FAIL() << "over-limit model accepted";
  } catch (const MeshError& error) {
    EXPECT_EQ(error.kind(), MeshErrorKind::kMemory);
    const std::string text = error.what();
    const GridSize n = grid_size(pack.enclosure, options.voxel_size);
    EXPECT_NE(text.find(std::to_string(n.nx) + " x " + std::to_string(n.ny) + " x " +
                        std::to_string(n.nz)),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("100 MB"), std::string::npos) << text;
  }
}

TEST(Voxelizer, GridCoversTheEnclosureExactly) {
  Enclosure e;
  e.size = {0.1, 0.05, 0.0333};
  const GridSize n = grid_size(e, {0.002, 0.002, 0.002});
  EXPECT_EQ(n.nx, 50);
  EXPECT_EQ(n.ny, 25);
  EXPECT_EQ(n.nz, 17);
  const VoxelSpacing h = grid_spacing(e, {0.002, 0.002, 0.002});
  EXPECT_DOUBLE_EQ(h.dz * n.nz, 0.0333);
}

TEST(Library, EveryEntryHasASourceAndValidProperties) {
  for (const MaterialSpec& m : library_materials()) {
    EXPECT_FALSE(m.source.empty()) << m.name;
    EXPECT_GT(m.density, 0) << m.name;
    EXPECT_GT(m.heat_capacity, 0) << m.name;
    EXPECT_GT(m.conductivity_in_plane, 0) << m.name;
    EXPECT_GT(m.conductivity_through_plane, 0) << m.name;
  }
  for (const char* name : {"air", "aluminium", "copper", "steel", "aerogel", "mica", "thermal-pad",
                           "jelly-roll-nmc-prismatic", "jelly-roll-lfp"}) {
    EXPECT_NE(find_library_material(name), nullptr) << name;
  }
  for (const CellType& c : library_cells()) {
    EXPECT_FALSE(c.source.empty()) << c.name;
    EXPECT_NE(find_library_material(c.jelly_roll_material), nullptr) << c.name;
    EXPECT_NE(find_library_material(c.can_material), nullptr) << c.name;
    EXPECT_GT(c.capacity_ah, 0) << c.name;
    EXPECT_FALSE(c.chemistry.empty()) << c.name;
  }
  const CellType* liquid = find_library_cell("nmc-50ah-prismatic");
  const CellType* semi = find_library_cell("nmc-50ah-prismatic-semisolid");
  ASSERT_NE(liquid, nullptr);
  ASSERT_NE(semi, nullptr);
  EXPECT_EQ(liquid->width, semi->width);
  EXPECT_EQ(liquid->thickness, semi->thickness);
  EXPECT_EQ(liquid->height, semi->height);
  EXPECT_EQ(semi->chemistry, "nmc-semisolid-50ah");
  EXPECT_NE(find_library_cell("18650-lco"), nullptr);
  EXPECT_NE(find_library_cell("21700-nmc"), nullptr);
  EXPECT_NE(find_library_cell("lfp-105ah-prismatic"), nullptr);
}

}  // namespace
}  // namespace runaway::meshes
