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
  // Melting (docs/physics.md "Cans that melt"): a voxel above melting_point turns its excess
  // sensible heat into melt fraction (T held there until latent_heat is paid); fully molten, it
  // conducts molten_conductivity (isotropic). melting_point 0: the material does not melt.
  double melting_point = 0;            // K
  double latent_heat = 0;              // latent heat of fusion, J/kg
  double molten_conductivity = 0.026;  // W/(m K); default that of air at 300 K (Incropera &
                                       // DeWitt, Table A.4): the molten wall has run off, ASSUMED
  bool melts() const { return melting_point > 0; }
};

}  // namespace runaway::kernels
