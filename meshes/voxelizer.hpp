// PackDescription -> VoxelModel.
//
// Rules (docs/config.md, "Voxelization"):
// - The grid covers the enclosure's outer box. Along each axis n = max(1, round(L / h)) voxels
//   of size L / n, so the enclosure is exact and the spacing is within half a voxel per length
//   of the one asked for.
// - A voxel belongs to a shape when its centre lies inside it (half-open: a centre exactly on a
//   shared face goes to the shape above it), so neighbouring shapes never both claim a voxel.
// - Painting order, later wins: gas, enclosure walls (none on open faces), cooling plate, solids
//   (in order), end plates, barriers, cells. A solid's through-plane conductivity lies along its
//   thinnest axis.
// - Orthotropic materials are grid-aligned: one material entry per orientation. Prismatic and
//   pouch jelly rolls, plates and barrier sheets put their through-plane conductivity along
//   their normal (cell thickness, plate normal) and in-plane along the other two axes;
//   cylindrical jelly rolls put the radial (through-plane) value on both cross-section axes and
//   the axial (in-plane) value along the axis.
// - A can is voxelized as its own material when its wall is at least one voxel thick on every
//   axis (t >= max(dx, dy, dz)); otherwise it is folded into the jelly roll: the cell's whole
//   outer shape becomes jelly roll whose density and specific heat are the volume- and
//   mass-weighted blends of jelly roll and can (the cell's heat capacity is kept), whose
//   conductivity is the jelly roll's, and whose jelly_roll_fraction is V_jelly / V_outer so
//   that reaction heat is not inflated by the can's volume.
// - A barrier sheet thinner than a voxel along its normal is blended with the gas of its gap
//   into one material filling the gap's voxels: series conductance across the gap
//   (g / (b/k_b + (g-b)/k_gas), exact for layers), parallel along it, volume-weighted density and
//   mass-weighted specific heat. Thicker sheets are voxelized as themselves.
// - Before allocating, estimate_memory() sizes the run; a model over the limit is refused with
//   the numbers.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "meshes/pack.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::meshes {

struct VoxelizeOptions {
  Vec3 voxel_size{0.002, 0.002, 0.002};  // requested dx, dy, dz, m
  double max_memory_bytes = 8e9;         // refuse models whose estimate exceeds this, bytes
};

// Bytes per voxel of the voxel model itself: uint8 material + int32 cell id.
inline constexpr double kModelBytesPerVoxel = 5;
// Bytes per voxel of a run, an estimate from docs/design.md §3 and §10: fp64 temperature and four
// RKL2 arrays (40), three fp32 face conductances (12), fp64 1/(rho cp), heat source, arrival
// time and one output field (32), material and cell ids (5): 89, rounded up to 96.
inline constexpr double kSolverBytesPerVoxel = 96;
// Extra bytes per jelly-roll voxel for the compact reaction state (up to 8 reactions in fp64,
// the liquid electrolyte left, a compact index and event flags): an estimate.
inline constexpr double kSolverBytesPerJellyRollVoxel = 96;

enum class MeshErrorKind { kDescription, kLayout, kMemory };

// A description the voxelizer cannot build. host/config turns it into a runaway::Error with the
// config file's context.
class MeshError : public std::invalid_argument {
 public:
  MeshError(MeshErrorKind kind, const std::string& message)
      : std::invalid_argument(message), kind_(kind) {}
  MeshErrorKind kind() const { return kind_; }

 private:
  MeshErrorKind kind_;
};

// Grid over the enclosure for a requested voxel size (see the rule above).
GridSize grid_size(const Enclosure& enclosure, const Vec3& voxel_size);
VoxelSpacing grid_spacing(const Enclosure& enclosure, const Vec3& voxel_size);

// Memory of the model and of a run on it, from the grid size and the analytic jelly-roll volume.
MemoryEstimate estimate_memory(const PackDescription& pack, const VoxelizeOptions& options);

// Cells and modules that overlap each other or the cooling plate, or leave the enclosure; solids
// that leave the enclosure's interior or overlap the cooling plate or a module.
struct LayoutProblem {
  enum class Kind {
    kModulesOverlap,
    kOutsideEnclosure,
    kOverlapsCoolingPlate,
    kSolidOutsideEnclosure,
    kSolidOverlapsCoolingPlate,
    kSolidOverlapsModule
  };
  Kind kind = Kind::kModulesOverlap;
  int solid = -1;         // index into PackDescription::solids for the solids' kinds, else -1
  int module = -1;        // index into PackDescription::modules
  int other_module = -1;  // second module of an overlap, else -1
  int cell = -1;          // global cell id involved, -1 when only plates are
  int other_cell = -1;
  std::string message;
};
std::vector<LayoutProblem> find_layout_problems(const PackDescription& pack);

// Builds the voxel model. Throws MeshError on an incomplete description (unknown material,
// non-positive size), a layout problem, or an estimate over options.max_memory_bytes.
VoxelModel voxelize(const PackDescription& pack, const VoxelizeOptions& options);

// "12.3 MB", "4.56 GB" (decimal units).
std::string format_bytes(double bytes);

}  // namespace runaway::meshes
