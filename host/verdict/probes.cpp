#include "host/verdict/probes.hpp"

#include <cmath>
#include <string>

#include "common/error.hpp"

namespace runaway::host {

namespace {

bool centre_in_box(const meshes::Vec3& c, const ProbeConfig& probe) {
  for (std::size_t a = 0; a < 3; ++a) {
    if (c[a] < probe.min[a] || c[a] > probe.max[a]) return false;
  }
  return true;
}

[[noreturn]] void no_voxel(const PackConfig& config, const ProbeConfig& probe,
                           const std::string& key, const std::string& why) {
  const SourceLocation at = config.location_of(probe.key + "." + key);
  throw bad_input("probe '" + probe.name + "' " + why,
                  {at.file, at.line, probe.key + "." + key, ""});
}

}  // namespace

ProbeVoxels probe_voxels(const PackConfig& config, const ProbeConfig& probe,
                         const meshes::VoxelModel& model) {
  ProbeVoxels out;
  const int n[3] = {model.shape.nx, model.shape.ny, model.shape.nz};
  const double h[3] = {model.spacing.dx, model.spacing.dy, model.spacing.dz};
  switch (probe.kind) {
    case ProbeKind::kPoint: {
      int ijk[3] = {0, 0, 0};
      for (std::size_t a = 0; a < 3; ++a) {
        ijk[a] = int(std::floor((probe.position[a] - model.origin[a]) / h[a]));
        if (ijk[a] < 0 || ijk[a] >= n[a])
          no_voxel(config, probe, "position", "lies outside the model");
      }
      const std::int64_t v = model.index(ijk[0], ijk[1], ijk[2]);
      out.voxels.push_back(v);
      out.cell = model.cell[std::size_t(v)];
      break;
    }
    case ProbeKind::kCellSurface:
      out.voxels = meshes::cell_face_voxels(model, probe.cell, probe.face);
      out.cell = probe.cell;
      if (out.voxels.empty()) no_voxel(config, probe, "cell", "finds no voxel of the cell");
      break;
    case ProbeKind::kRegion:
    case ProbeKind::kWall: {
      const bool wall = probe.kind == ProbeKind::kWall;
      const int axis = int(probe.face) / 2;
      const bool high = int(probe.face) % 2 == 1;
      for (int k = 0; k < n[2]; ++k) {
        for (int j = 0; j < n[1]; ++j) {
          for (int i = 0; i < n[0]; ++i) {
            if (wall) {
              const int along[3] = {i, j, k};
              if (along[axis] != (high ? n[axis] - 1 : 0)) continue;
            }
            if (probe.bounded && !centre_in_box(model.centre(i, j, k), probe)) continue;
            out.voxels.push_back(model.index(i, j, k));
          }
        }
      }
      if (out.voxels.empty()) {
        no_voxel(config, probe, wall ? "face" : "min",
                 "holds no voxel centre; make its box larger than a voxel");
      }
      break;
    }
  }
  return out;
}

}  // namespace runaway::host
