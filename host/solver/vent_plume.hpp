// Where a venting cell's plume goes in the pack, traced once through the pack's gas voxels
// (docs/physics.md "The vent plume"; the step's physics is kernels/vent_plume.hpp):
//   rise         the column above the vent, the cell type's flame_width square, layer by layer
//                along `up` until a solid (a lid, an enclosure wall, a busbar) or the model's edge;
//   ceiling jet  under a solid, rings of gas voxels spreading from the impingement in the plane
//                below the ceiling (breadth-first in that plane), each with the gas below it down
//                to the vent's level: the jet fills a shallow headspace (ASSUMED well mixed over
//                its depth);
//   faces        every face between a path voxel and a solid voxel is a surface the stream heats,
//                with h from a flat-plate correlation at the node's velocity and distance;
//   radiation    the faces that see the flame's point source (the centre of the flame region) in
//                a straight line through gas, within kRadiationRange.
// Gas regions (connected gas voxels) hold the oxygen the fires share; one that reaches the
// model's edge is open (it draws fresh air), one that does not is sealed.
#pragma once

#include <cstdint>
#include <vector>

#include "meshes/voxel_model.hpp"

namespace runaway::host {

// A surface the stream heats: the solid voxel, the path node whose gas touches it, its area.
struct PlumeFace {
  std::int64_t voxel = 0;  // interior index (global until a run is split)
  int node = 0;
  double area = 0;  // m^2
};

// A surface that sees the flame: the share of the radiated heat it takes.
struct PlumeView {
  std::int64_t voxel = 0;
  double share = 0;
  double area = 0;  // m^2 of its faces that see the flame
};

struct PlumePath {
  std::vector<PlumeFace> faces;  // this rank's
  // Per node, of the whole path: the area of the faces it touches (m^2), the cross-section its
  // gas flows through (its volume over its length along the flow, m^2) and its distance from the
  // vent along the path (m): what the heat-transfer correlation needs.
  std::vector<double> node_area;
  std::vector<double> node_flow_area;
  std::vector<double> node_distance;
  std::vector<PlumeView> radiation;  // this rank's
  double radiation_share = 0;        // sum over the whole path (<= 1)
  int gas_region = -1;               // the region its fire draws oxygen from; -1: none
  int rise_layers = 0;               // gas layers of the rise column
  int ceiling_rings = 0;             // rings of the ceiling jet (0: it leaves through the top)
};

struct GasRegion {
  double volume = 0;       // m^3
  double oxygen_mass = 0;  // kg at the start
  bool open = false;       // reaches the model's edge: fresh air, the oxygen never runs out
};

// A voxel is gas when its material's rho cp is below this (solids ~1e6, gases ~1e3 J/(m^3 K)).
inline constexpr double kGasHeatCapacity = 1e5;  // J/(m^3 K)
// Faces farther than this from a flame are not traced for its radiation (they would take less
// than ~1e-3 of it per 100 cm^2): ASSUMED, bounds the set-up cost in large packs.
inline constexpr double kRadiationRange = 0.3;  // m

bool is_gas_voxel(const meshes::VoxelModel& model, std::int64_t v);

// The connected gas regions of the model and the region of every voxel (-1 for solids).
std::vector<GasRegion> find_gas_regions(const meshes::VoxelModel& model,
                                        std::vector<std::int32_t>* region_of_voxel);

// Traces cell `cell`'s plume path.
PlumePath trace_plume_path(const meshes::VoxelModel& model, const meshes::CellInfo& cell,
                           const std::vector<std::int32_t>& region_of_voxel);

// Every cell's plume path, in model.cells order, the cells shared among the OpenMP threads (each
// path depends on its cell alone, so the result does not depend on the team).
std::vector<PlumePath> trace_plume_paths(const meshes::VoxelModel& model,
                                         const std::vector<std::int32_t>& region_of_voxel);

}  // namespace runaway::host
