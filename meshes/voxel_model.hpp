// The voxel model the solver runs on: a uniform cell-centred grid with a material id and a cell
// id per voxel, a grid-aligned material table and a table of battery cells (docs/design.md §3).
// Arrays cover the interior only, [z][y][x] with x fastest; the solver adds the ghost layer.
// Indices (i, j, k) here are 0-based interior indices.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "meshes/pack.hpp"

namespace runaway::meshes {

// Number of voxels along x, y, z (like kernels::GridShape, without the ghost layer).
struct GridSize {
  int nx = 0;
  int ny = 0;
  int nz = 0;
  std::int64_t voxel_count() const { return std::int64_t(nx) * ny * nz; }
  int operator[](int axis) const { return axis == 0 ? nx : (axis == 1 ? ny : nz); }
};

// Voxel edge lengths, m.
struct VoxelSpacing {
  double dx = 0;
  double dy = 0;
  double dz = 0;
  double volume() const { return dx * dy * dz; }
  double operator[](int axis) const { return axis == 0 ? dx : (axis == 1 ? dy : dz); }
};

// One entry of the material table, with conductivity already along the grid axes.
struct Material {
  std::string
      name;  // library name, plus the variant in brackets, e.g. "jelly[nmc-liquid, through=x]"
  double density = 0;                           // kg/m^3
  double heat_capacity = 0;                     // J/(kg K)
  std::array<double, 3> conductivity{0, 0, 0};  // kx, ky, kz, W/(m K)
  double emissivity = 0;
  bool transparent = false;            // a gas radiation crosses (MaterialSpec::transparent)
  double melting_point = 0;            // K, 0: does not melt (MaterialSpec)
  double latent_heat_of_fusion = 0;    // J/kg
  double molten_conductivity = 0.026;  // W/(m K)
  std::string chemistry;               // chemistry name of a jelly roll, empty when inert
  bool is_jelly_roll = false;
  // Share of the voxel volume that is jelly roll: 1, or less when a can thinner than a voxel is
  // folded into the jelly-roll voxels. Reaction heat per voxel volume scales with it.
  double jelly_roll_fraction = 0;
};

// Inclusive range of voxel indices; empty when any min > max.
struct VoxelRange {
  std::array<int, 3> min{0, 0, 0};
  std::array<int, 3> max{-1, -1, -1};
  bool empty() const { return min[0] > max[0] || min[1] > max[1] || min[2] > max[2]; }
  std::int64_t count() const {
    if (empty()) return 0;
    return std::int64_t(max[0] - min[0] + 1) * (max[1] - min[1] + 1) * (max[2] - min[2] + 1);
  }
};

struct CellInfo {
  int id = -1;  // the value in VoxelModel::cell
  std::string type_name;
  std::string module_name;
  std::string chemistry;
  CellShape shape = CellShape::kPrismatic;
  double capacity_ah = 0;        // A h
  double nominal_voltage = 0;    // V
  double soc = 1.0;              // 0..1
  double jelly_roll_volume = 0;  // analytic volume inside the can, m^3
  double outer_volume = 0;       // analytic outer volume, m^3
  Box box;                       // outer bounding box, m
  Vec3 centre{0, 0, 0};          // geometric centre, m
  VoxelRange voxels;             // index range the cell's voxels lie in
  std::int64_t voxel_count = 0;
  std::int64_t jelly_roll_voxel_count = 0;
  std::array<int, 3> vent_voxel{0, 0, 0};        // the cell voxel under the vent
  Direction vent_direction = Direction::kZPlus;  // outward normal of the vent face
  VoxelRange flame_box;  // voxels next to the vent, outside the cell, clipped to the grid
  std::vector<std::int64_t> flame_voxels;  // linear indices in flame_box with no cell (cell < 0)

  // Electrical energy stored at this SOC, capacity x nominal voltage x SOC, J.
  double stored_energy() const { return capacity_ah * 3600.0 * nominal_voltage * soc; }
};

// Memory the model and a run on it need, estimated before anything is allocated.
struct MemoryEstimate {
  std::int64_t voxel_count = 0;
  std::int64_t jelly_roll_voxel_count = 0;  // estimated from analytic volumes
  double model_bytes = 0;                   // material + cell id arrays
  double solver_bytes = 0;                  // fields and stage arrays of a run (see voxelizer.hpp)
  double total_bytes() const { return model_bytes + solver_bytes; }
};

struct VoxelModel {
  GridSize shape;
  Vec3 origin{0, 0, 0};  // minimum corner of voxel (0, 0, 0), m (not its centre)
  VoxelSpacing spacing;
  std::vector<std::uint8_t> material;  // material id per voxel, [z][y][x]
  std::vector<std::int32_t> cell;      // cell id per voxel, -1 outside cells
  std::vector<Material> materials;     // indexed by material id, at most 256
  std::vector<CellInfo> cells;         // indexed by cell id
  MemoryEstimate memory;
  // Geometry the grid cannot resolve (a sheet thinner than a voxel, an empty flame region...).
  std::vector<std::string> warnings;

  std::int64_t index(int i, int j, int k) const {
    return (std::int64_t(k) * shape.ny + j) * shape.nx + i;
  }
  // Centre of voxel (i, j, k), m.
  Vec3 centre(int i, int j, int k) const {
    return {origin[0] + (i + 0.5) * spacing.dx, origin[1] + (j + 0.5) * spacing.dy,
            origin[2] + (k + 0.5) * spacing.dz};
  }
  int material_id(const std::string& name) const;  // -1 when absent
};

// Voxels of cell `cell_id` whose neighbour in direction `face` is not part of the cell (the
// cell's surface layer on that side; where a heater on that face deposits its power).
std::vector<std::int64_t> cell_face_voxels(const VoxelModel& model, int cell_id, Direction face);

}  // namespace runaway::meshes
