// Thermal properties of one material (SI units). Orthotropic materials are grid-aligned: the
// voxelizer makes one material entry per orientation, so anisotropy costs no per-voxel bytes.
#pragma once

#include <cstdint>

namespace runaway::kernels {

inline constexpr int kMaxMaterials = 256;  // material id is a uint8 per voxel
using MaterialId = std::uint8_t;

struct ThermalMaterial {
  double density = 0;                  // kg/m^3
  double heat_capacity = 0;            // specific heat cp, J/(kg K)
  double conductivity[3] = {0, 0, 0};  // kx, ky, kz along the grid axes, W/(m K)
  double emissivity = 0.8;             // surface emissivity, used by radiating boundaries and gaps
  int chemistry = -1;  // index into the chemistry table for jelly rolls, -1 if inert
  // A gas that thermal radiation crosses (docs/physics.md "Gaps between cells"): faces on its
  // side add a radiative conductivity between the opaque surfaces bounding the gas line. Its
  // own emissivity is unused.
  bool transparent = false;
};

}  // namespace runaway::kernels
