// The voxels a probe ([[probe]], docs/verdicts.md "Probes") reads in a voxel model.
#pragma once

#include <cstdint>
#include <vector>

#include "host/config/config.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::host {

struct ProbeVoxels {
  std::vector<std::int64_t> voxels;  // interior indices
  int cell = -1;                     // the cell the probe monitors, -1 for none
};

// A point: the voxel holding it. A cell surface: the cell's outer voxel layer on that side. A
// region: the voxels whose centres lie in its box. A wall: the model's outer voxel layer on that
// face, within the box when one is given. A probe that finds no voxel is bad input naming it.
ProbeVoxels probe_voxels(const PackConfig& config, const ProbeConfig& probe,
                         const meshes::VoxelModel& model);

}  // namespace runaway::host
