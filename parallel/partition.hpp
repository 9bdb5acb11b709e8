// A rank's share of a run (docs/design.md §9.2): the blocks of a Cartesian decomposition and the
// slice of a SimulationInput that one block needs. Plain data, no MPI: MpiDomain (mpi_domain.hpp)
// decides the blocks, these functions cut the input to fit.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "host/solver/domain.hpp"
#include "host/solver/simulation.hpp"
#include "kernels/grid.hpp"

namespace runaway::parallel {

// The rank across each face (x-, x+, y-, y+, z-, z+), kNoNeighbour on the faces of the grid.
using FaceNeighbours = std::array<int, kernels::kFaceCount>;
inline constexpr int kNoNeighbour = -1;

// The block of Cartesian coordinates `coords` when each axis of `global` is cut into
// `ranks[d]` blocks as even as possible: the first n % p blocks along an axis get one voxel more.
host::Block block_of(const kernels::GridShape& global, const std::array<int, 3>& ranks,
                     const std::array<int, 3>& coords);

// Interior index of a voxel of the block in the global grid, and back (-1 when the global voxel
// lies outside the block). Interior indices are [z][y][x], x fastest, 0-based.
std::int64_t global_index(const kernels::GridShape& global, const host::Block& block,
                          std::int64_t local);
std::int64_t local_index(const kernels::GridShape& global, const host::Block& block,
                         std::int64_t global_interior);
// The global interior index of every voxel of the block, in the block's interior order: the
// `index` argument of Domain::gather for a field of the block.
std::vector<std::int64_t> global_indices(const kernels::GridShape& global,
                                         const host::Block& block);

// Voxel values of the block cut from a global interior array (empty stays empty).
template <class T>
std::vector<T> slice(const std::vector<T>& global_values, const kernels::GridShape& global,
                     const host::Block& block) {
  if (global_values.empty()) return {};
  std::vector<T> out;
  out.reserve(std::size_t(block.voxels()));
  for (int k = 0; k < block.extent[2]; ++k) {
    for (int j = 0; j < block.extent[1]; ++j) {
      const std::int64_t row =
          (std::int64_t(block.offset[2] + k) * global.ny + block.offset[1] + j) * global.nx +
          block.offset[0];
      out.insert(out.end(), global_values.begin() + row,
                 global_values.begin() + row + block.extent[0]);
    }
  }
  return out;
}

// This block's share of a global run:
// - conduction: the block's shape and voxel arrays (material ids, initial temperatures, heat
//   source); a face of the global grid keeps the global face's condition; a face shared with a
//   neighbour becomes BoundaryKind::kHalo, with halo_material_ids[face] the global material ids
//   of the neighbour's voxels across it (in-face order of host/solver/conduction_solver.hpp);
// - cell_ids sliced; each cell's plume faces and radiation targets and each trigger's voxels
//   (global interior indices) kept where they lie in the block, renumbered to local interior
//   indices, order preserved;
// - materials, chemistries, cells (a plume's node sums and radiation share stay global), gas
//   regions, triggers and control otherwise unchanged (a trigger may be left with no voxel on
//   this rank; its power is still the global one).
host::SimulationInput local_input(const host::SimulationInput& global, const host::Block& block,
                                  const FaceNeighbours& neighbours);
// The conduction part alone.
host::ConductionProblem local_problem(const host::ConductionProblem& global,
                                      const host::Block& block, const FaceNeighbours& neighbours);

}  // namespace runaway::parallel
