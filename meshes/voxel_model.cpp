#include "meshes/voxel_model.hpp"

namespace runaway::meshes {

int VoxelModel::material_id(const std::string& name) const {
  for (std::size_t m = 0; m < materials.size(); ++m) {
    if (materials[m].name == name) return int(m);
  }
  return -1;
}

std::vector<std::int64_t> cell_face_voxels(const VoxelModel& model, int cell_id, Direction face) {
  std::vector<std::int64_t> voxels;
  if (cell_id < 0 || std::size_t(cell_id) >= model.cells.size()) return voxels;
  const VoxelRange& r = model.cells[std::size_t(cell_id)].voxels;
  const int axis = axis_of(face);
  const int step = is_plus(face) ? 1 : -1;
  for (int k = r.min[2]; k <= r.max[2]; ++k) {
    for (int j = r.min[1]; j <= r.max[1]; ++j) {
      for (int i = r.min[0]; i <= r.max[0]; ++i) {
        const std::int64_t v = model.index(i, j, k);
        if (model.cell[std::size_t(v)] != cell_id) continue;
        int n[3] = {i, j, k};
        n[axis] += step;
        const bool outside_grid = n[axis] < 0 || n[axis] >= model.shape[axis];
        if (outside_grid || model.cell[std::size_t(model.index(n[0], n[1], n[2]))] != cell_id) {
          voxels.push_back(v);
        }
      }
    }
  }
  return voxels;
}

}  // namespace runaway::meshes
