// Halo exchange between the blocks of a decomposed grid (docs/design.md §9.2): the boundary layer
// of a block's interior is packed into a contiguous buffer, sent to the neighbouring rank, and
// unpacked into that rank's ghost layer. The 7-point stencil reads only face neighbours, so faces
// suffice (no edges or corners).
//
// A face's voxels are numbered m = a + n_a * b with (a, b) the in-face coordinates, the first
// in-face axis fastest: (y, z) on x faces, (x, z) on y faces, (x, y) on z faces. It is the order
// of BoundaryGhostUpdate (kernels/conduction.hpp) and of ConductionProblem::halo_material_ids, so
// m names the same pair of voxels on both sides of a shared face.
#pragma once

#include "kernels/conduction.hpp"
#include "kernels/grid.hpp"
#include "kernels/hd.hpp"

namespace runaway::kernels {

// Padded index of interior voxel m of `face` (the layer of the interior that touches the face).
RUNAWAY_HD inline Index face_voxel(const GridShape& s, int face, Index m) {
  const int axis = face / 2;
  const bool plus = (face % 2) == 1;
  const int n_first = axis == 0 ? s.ny : s.nx;
  const int a = 1 + int(m % n_first);
  const int b = 1 + int(m / n_first);
  if (axis == 0) return s.index(plus ? s.nx : 1, a, b);
  if (axis == 1) return s.index(a, plus ? s.ny : 1, b);
  return s.index(a, b, plus ? s.nz : 1);
}

// Padded index of the ghost beyond voxel m of `face`.
RUNAWAY_HD inline Index face_ghost(const GridShape& s, int face, Index m) {
  const int axis = face / 2;
  const Index stride = axis == 0 ? 1 : (axis == 1 ? s.stride_y() : s.stride_z());
  return (face % 2) == 1 ? face_voxel(s, face, m) + stride : face_voxel(s, face, m) - stride;
}

// buffer[m] = the field at voxel m of the face: what the neighbour across it needs.
struct PackFace {
  GridShape shape;
  int face;
  const double* field;  // padded
  double* buffer;       // face_voxel_count(shape, face) entries
  RUNAWAY_HD void operator()(Index m) const { buffer[m] = field[face_voxel(shape, face, m)]; }
};

// The ghost beyond voxel m of the face = buffer[m]: the neighbour's voxel across it.
struct UnpackFace {
  GridShape shape;
  int face;
  const double* buffer;  // face_voxel_count(shape, face) entries
  double* field;         // padded
  RUNAWAY_HD void operator()(Index m) const { field[face_ghost(shape, face, m)] = buffer[m]; }
};

}  // namespace runaway::kernels
