// A run split over MPI ranks (docs/design.md §9.4): which part of the global voxel grid this rank
// holds, as io/ needs it to write one results.h5 together with the other ranks. Builds with
// RUNAWAY_MPI only; docs/output-format.md, "Parallel runs", says who writes what.
#pragma once

#if RUNAWAY_HAVE_MPI

#include <mpi.h>

#include <array>
#include <cstddef>

namespace runaway::io {

// This rank's block: the interior voxels offset[d] <= index < offset[d] + extent[d] of the
// global grid along x, y, z (d = 0, 1, 2; 0-based global voxel indices, ghost layer excluded).
// The blocks of all ranks of `comm` tile the grid without overlap; a block may be empty.
struct ParallelBlock {
  MPI_Comm comm = MPI_COMM_NULL;       // every rank of the run
  std::array<int, 3> offset{0, 0, 0};  // x, y, z
  std::array<int, 3> extent{0, 0, 0};  // x, y, z

  std::size_t voxel_count() const {
    return std::size_t(extent[0]) * std::size_t(extent[1]) * std::size_t(extent[2]);
  }
};

}  // namespace runaway::io

#endif  // RUNAWAY_HAVE_MPI
