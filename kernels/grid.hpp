// Uniform cell-centred voxel grid with one ghost layer on every side (docs/design.md §3.1).
// Arrays are [z][y][x], x fastest. Interior voxels have indices 1..n in each direction;
// index 0 and n+1 are ghosts that hold boundary surface temperatures (or, later, MPI halos).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/hd.hpp"

namespace runaway::kernels {

using Index = std::int64_t;

struct GridShape {
  int nx = 0;
  int ny = 0;
  int nz = 0;

  RUNAWAY_HD Index stride_y() const { return Index(nx) + 2; }
  RUNAWAY_HD Index stride_z() const { return (Index(nx) + 2) * (Index(ny) + 2); }
  RUNAWAY_HD Index padded_size() const { return stride_z() * (Index(nz) + 2); }
  RUNAWAY_HD Index interior_size() const { return Index(nx) * ny * nz; }
  // Padded index of voxel (i, j, k); interior voxels are 1..nx, 1..ny, 1..nz.
  RUNAWAY_HD Index index(int i, int j, int k) const {
    return (Index(k) * (Index(ny) + 2) + j) * (Index(nx) + 2) + i;
  }
  // Interior-only (unpadded) index of interior voxel (i, j, k) in 1-based padded coordinates.
  RUNAWAY_HD Index interior_index(int i, int j, int k) const {
    return (Index(k - 1) * ny + (j - 1)) * Index(nx) + (i - 1);
  }
};

// Voxel edge lengths in metres.
struct Spacing {
  double dx = 0;
  double dy = 0;
  double dz = 0;
  RUNAWAY_HD double volume() const { return dx * dy * dz; }
};

// The six outer faces of the box, in the order x-, x+, y-, y+, z-, z+.
enum class Face : int { kXMinus = 0, kXPlus, kYMinus, kYPlus, kZMinus, kZPlus };
inline constexpr int kFaceCount = 6;

}  // namespace runaway::kernels
