#include "parallel/partition.hpp"

#include <string>

#include "common/error.hpp"

namespace runaway::parallel {

namespace {

int axis_length(const kernels::GridShape& s, int axis) {
  return axis == 0 ? s.nx : (axis == 1 ? s.ny : s.nz);
}

std::string shape_text(const kernels::GridShape& s) {
  return std::to_string(s.nx) + " x " + std::to_string(s.ny) + " x " + std::to_string(s.nz);
}

// Global interior voxels of the list that lie in the block, as local interior indices.
std::vector<std::int64_t> keep_in_block(const std::vector<std::int64_t>& voxels,
                                        const kernels::GridShape& global,
                                        const host::Block& block) {
  std::vector<std::int64_t> kept;
  for (std::int64_t g : voxels) {
    const std::int64_t local = local_index(global, block, g);
    if (local >= 0) kept.push_back(local);
  }
  return kept;
}

}  // namespace

host::Block block_of(const kernels::GridShape& global, const std::array<int, 3>& ranks,
                     const std::array<int, 3>& coords) {
  host::Block b;
  for (int d = 0; d < 3; ++d) {
    const int n = axis_length(global, d);
    const int p = ranks[std::size_t(d)];
    const int c = coords[std::size_t(d)];
    const int base = n / p;
    const int extra = n % p;  // the first `extra` blocks get one voxel more
    b.extent[d] = base + (c < extra ? 1 : 0);
    b.offset[d] = c * base + (c < extra ? c : extra);
  }
  return b;
}

std::int64_t global_index(const kernels::GridShape& global, const host::Block& block,
                          std::int64_t local) {
  const std::int64_t nx = block.extent[0];
  const std::int64_t ny = block.extent[1];
  const std::int64_t i = local % nx + block.offset[0];
  const std::int64_t j = (local / nx) % ny + block.offset[1];
  const std::int64_t k = local / (nx * ny) + block.offset[2];
  return (k * global.ny + j) * global.nx + i;
}

std::int64_t local_index(const kernels::GridShape& global, const host::Block& block,
                         std::int64_t global_interior) {
  const std::int64_t i = global_interior % global.nx - block.offset[0];
  const std::int64_t j = (global_interior / global.nx) % global.ny - block.offset[1];
  const std::int64_t k = global_interior / (std::int64_t(global.nx) * global.ny) - block.offset[2];
  if (i < 0 || j < 0 || k < 0 || i >= block.extent[0] || j >= block.extent[1] ||
      k >= block.extent[2]) {
    return -1;
  }
  return (k * block.extent[1] + j) * block.extent[0] + i;
}

std::vector<std::int64_t> global_indices(const kernels::GridShape& global,
                                         const host::Block& block) {
  std::vector<std::int64_t> out(std::size_t(block.voxels()));
  for (std::size_t m = 0; m < out.size(); ++m) {
    out[m] = global_index(global, block, std::int64_t(m));
  }
  return out;
}

host::ConductionProblem local_problem(const host::ConductionProblem& global,
                                      const host::Block& block, const FaceNeighbours& neighbours) {
  const kernels::GridShape& g = global.shape;
  for (int d = 0; d < 3; ++d) {
    if (block.extent[d] < 1 || block.offset[d] < 0 ||
        block.offset[d] + block.extent[d] > axis_length(g, d)) {
      throw runaway::runtime_error("the block does not lie inside the grid " + shape_text(g));
    }
  }
  host::ConductionProblem p;
  p.shape = block.shape();
  p.spacing = global.spacing;
  p.materials = global.materials;
  p.material_ids = slice(global.material_ids, g, block);
  p.initial_temperature = global.initial_temperature;
  p.initial_temperatures = slice(global.initial_temperatures, g, block);
  p.heat_source = slice(global.heat_source, g, block);
  // Radiative lengths belong to the global model (a gas line may cross blocks).
  const bool given = !global.radiative_length[0].empty() && !global.radiative_length[1].empty() &&
                     !global.radiative_length[2].empty();
  const std::array<std::vector<double>, 3> ell =
      given ? global.radiative_length : host::radiative_lengths(global);
  for (int d = 0; d < 3; ++d) {
    p.radiative_length[std::size_t(d)] = slice(ell[std::size_t(d)], g, block);
  }

  const kernels::GridShape& s = p.shape;
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    const int axis = f / 2;
    const bool plus = (f % 2) == 1;
    const bool on_grid_face = plus ? block.offset[axis] + block.extent[axis] == axis_length(g, axis)
                                   : block.offset[axis] == 0;
    if (neighbours[std::size_t(f)] == kNoNeighbour) {
      if (!on_grid_face) {
        throw runaway::runtime_error("face " + std::to_string(f) +
                                     " of the block lies inside the grid but has no neighbour");
      }
      p.boundaries[std::size_t(f)] = global.boundaries[std::size_t(f)];
      continue;
    }
    if (on_grid_face) {
      throw runaway::runtime_error("face " + std::to_string(f) +
                                   " of the block is a face of the grid but has a neighbour");
    }
    p.boundaries[std::size_t(f)] = {kernels::BoundaryKind::kHalo, global.initial_temperature, 0, 0};
    // The neighbour's voxels across the face, first in-face axis fastest.
    const int n_first = axis == 0 ? s.ny : s.nx;
    const auto count = std::size_t(kernels::face_voxel_count(s, f));
    auto& ids = p.halo_material_ids[std::size_t(f)];
    ids.assign(count, 0);
    auto& halo_ell = p.halo_radiative_length[std::size_t(f)];
    if (!ell[std::size_t(axis)].empty()) halo_ell.assign(count, 0.0);
    if (global.material_ids.empty() && halo_ell.empty()) continue;
    for (std::size_t m = 0; m < count; ++m) {
      const int a = int(m % std::size_t(n_first));
      const int b = int(m / std::size_t(n_first));
      int cell[3] = {0, 0, 0};  // 0-based local coordinates of the voxel on the face
      const int across = plus ? block.extent[axis] : -1;  // one layer beyond the block
      if (axis == 0) {
        cell[0] = across, cell[1] = a, cell[2] = b;
      } else if (axis == 1) {
        cell[0] = a, cell[1] = across, cell[2] = b;
      } else {
        cell[0] = a, cell[1] = b, cell[2] = across;
      }
      const std::int64_t gi = block.offset[0] + cell[0];
      const std::int64_t gj = block.offset[1] + cell[1];
      const std::int64_t gk = block.offset[2] + cell[2];
      const auto global_voxel = std::size_t((gk * g.ny + gj) * g.nx + gi);
      if (!global.material_ids.empty()) ids[m] = global.material_ids[global_voxel];
      if (!halo_ell.empty()) halo_ell[m] = ell[std::size_t(axis)][global_voxel];
    }
  }
  return p;
}

host::SimulationInput local_input(const host::SimulationInput& global, const host::Block& block,
                                  const FaceNeighbours& neighbours) {
  const kernels::GridShape& g = global.conduction.shape;
  host::SimulationInput local;
  local.conduction = local_problem(global.conduction, block, neighbours);
  local.cell_ids = slice(global.cell_ids, g, block);
  local.chemistries = global.chemistries;
  local.chemistry_slot_of_material = global.chemistry_slot_of_material;
  local.cells = global.cells;
  for (host::CellSetup& cell : local.cells) {
    // The plume's faces and radiation targets this block holds; its node sums stay global.
    std::vector<host::PlumeFace> faces;
    for (const host::PlumeFace& f : cell.plume.faces) {
      const std::int64_t local_voxel = local_index(g, block, f.voxel);
      if (local_voxel >= 0) faces.push_back({local_voxel, f.node, f.area});
    }
    cell.plume.faces = std::move(faces);
    std::vector<host::PlumeView> views;
    for (const host::PlumeView& r : cell.plume.radiation) {
      const std::int64_t local_voxel = local_index(g, block, r.voxel);
      if (local_voxel >= 0) views.push_back({local_voxel, r.share, r.area});
    }
    cell.plume.radiation = std::move(views);
  }
  local.gas_regions = global.gas_regions;
  for (const host::CellSurface& face : global.cell_surfaces) {
    const std::int64_t local_voxel = local_index(g, block, face.voxel);
    if (local_voxel < 0) continue;
    host::CellSurface mine = face;
    mine.voxel = local_voxel;
    local.cell_surfaces.push_back(mine);
  }
  local.triggers = global.triggers;
  for (host::Trigger& trigger : local.triggers) {
    trigger.voxels = keep_in_block(trigger.voxels, g, block);
  }
  local.probes = global.probes;  // their global_count stays: a mean is over all ranks
  for (host::ProbeSetup& probe : local.probes) {
    probe.voxels = keep_in_block(probe.voxels, g, block);
  }
  local.control = global.control;
  return local;
}

}  // namespace runaway::parallel
