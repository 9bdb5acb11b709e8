#include "host/solver/vent_plume.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <exception>
#include <unordered_map>
#include <unordered_set>

#include "kernels/vent_plume.hpp"

namespace runaway::host {

namespace {

using Voxel = std::array<int, 3>;

constexpr int kOffsets[6][3] = {{-1, 0, 0}, {1, 0, 0},  {0, -1, 0},
                                {0, 1, 0},  {0, 0, -1}, {0, 0, 1}};

bool inside(const meshes::VoxelModel& m, const Voxel& p) {
  return p[0] >= 0 && p[1] >= 0 && p[2] >= 0 && p[0] < m.shape.nx && p[1] < m.shape.ny &&
         p[2] < m.shape.nz;
}

Voxel voxel_of(const meshes::VoxelModel& m, std::int64_t v) {
  return {int(v % m.shape.nx), int(v / m.shape.nx % m.shape.ny),
          int(v / (std::int64_t(m.shape.nx) * m.shape.ny))};
}

std::int64_t index_of(const meshes::VoxelModel& m, const Voxel& p) {
  return m.index(p[0], p[1], p[2]);
}

// Whether the straight segment from `from` to `to` (m) runs through gas only, sampled every half
// of the smallest voxel edge; the voxel holding `from` is the path voxel next to the face.
bool sees(const meshes::VoxelModel& m, const meshes::Vec3& from, const meshes::Vec3& to) {
  const double step = 0.5 * std::min({m.spacing.dx, m.spacing.dy, m.spacing.dz});
  const double d[3] = {to[0] - from[0], to[1] - from[1], to[2] - from[2]};
  const double length = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  const int samples = int(length / step);
  for (int s = 1; s < samples; ++s) {
    const double f = double(s) / samples;
    Voxel p;
    for (int a = 0; a < 3; ++a) {
      p[std::size_t(a)] = int(
          std::floor((from[std::size_t(a)] + f * d[a] - m.origin[std::size_t(a)]) / m.spacing[a]));
    }
    if (!inside(m, p) || !is_gas_voxel(m, index_of(m, p))) return false;
  }
  return true;
}

}  // namespace

bool is_gas_voxel(const meshes::VoxelModel& model, std::int64_t v) {
  if (model.cell[std::size_t(v)] >= 0) return false;
  const meshes::Material& m = model.materials[model.material[std::size_t(v)]];
  return m.density * m.heat_capacity < kGasHeatCapacity;
}

std::vector<GasRegion> find_gas_regions(const meshes::VoxelModel& model,
                                        std::vector<std::int32_t>* region_of_voxel) {
  const std::int64_t n = model.shape.voxel_count();
  std::vector<std::int32_t>& region = *region_of_voxel;
  region.assign(std::size_t(n), -1);
  std::vector<GasRegion> regions;
  std::vector<std::int64_t> stack;
  const double volume = model.spacing.volume();
  for (std::int64_t start = 0; start < n; ++start) {
    if (region[std::size_t(start)] >= 0 || !is_gas_voxel(model, start)) continue;
    const auto id = std::int32_t(regions.size());
    GasRegion r;
    region[std::size_t(start)] = id;
    stack.assign(1, start);
    while (!stack.empty()) {
      const std::int64_t v = stack.back();
      stack.pop_back();
      const meshes::Material& mat = model.materials[model.material[std::size_t(v)]];
      r.volume += volume;
      r.oxygen_mass += kernels::kOxygenMassFractionOfAir * mat.density * volume;
      const Voxel p = voxel_of(model, v);
      for (const auto& o : kOffsets) {
        const Voxel q{p[0] + o[0], p[1] + o[1], p[2] + o[2]};
        if (!inside(model, q)) {
          r.open = true;
          continue;
        }
        const std::int64_t w = index_of(model, q);
        if (region[std::size_t(w)] < 0 && is_gas_voxel(model, w)) {
          region[std::size_t(w)] = id;
          stack.push_back(w);
        }
      }
    }
    regions.push_back(r);
  }
  return regions;
}

PlumePath trace_plume_path(const meshes::VoxelModel& model, const meshes::CellInfo& cell,
                           const std::vector<std::int32_t>& region_of_voxel) {
  PlumePath path;
  const int a = meshes::axis_of(cell.vent_direction);
  const int sign = meshes::is_plus(cell.vent_direction) ? 1 : -1;
  const int b = (a + 1) % 3, c = (a + 2) % 3;  // the axes across `up`
  const auto ua = std::size_t(a), ub = std::size_t(b), uc = std::size_t(c);

  // The rise column's footprint: the flame region's cross-section, or the vent voxel's column.
  int lo[3], hi[3];
  for (int d = 0; d < 3; ++d) lo[d] = hi[d] = cell.vent_voxel[std::size_t(d)];
  if (!cell.flame_box.empty()) {
    for (int d : {b, c}) {
      lo[d] = cell.flame_box.min[std::size_t(d)];
      hi[d] = cell.flame_box.max[std::size_t(d)];
    }
  }
  const int flame_layers =
      cell.flame_box.empty() ? 1 : cell.flame_box.max[ua] - cell.flame_box.min[ua] + 1;

  // Sets, not grid-sized arrays: a path holds a few thousand voxels of millions, and a pack traces
  // one path per cell (312 full-grid arrays were most of the MG4 pack's setup).
  std::unordered_set<std::int64_t> on_path;
  std::vector<std::vector<std::int64_t>> nodes;
  std::vector<std::int64_t> previous_layer;
  Voxel axis_voxel{cell.vent_voxel[0], cell.vent_voxel[1], cell.vent_voxel[2]};
  int layer = cell.vent_voxel[ua] + sign;
  for (;; layer += sign) {
    axis_voxel[ua] = layer;
    if (!inside(model, axis_voxel) || !is_gas_voxel(model, index_of(model, axis_voxel))) break;
    std::vector<std::int64_t> node;
    for (int p = lo[b]; p <= hi[b]; ++p) {
      for (int q = lo[c]; q <= hi[c]; ++q) {
        Voxel v;
        v[ua] = layer, v[ub] = p, v[uc] = q;
        if (!inside(model, v)) continue;
        const std::int64_t w = index_of(model, v);
        if (is_gas_voxel(model, w) && on_path.insert(w).second) node.push_back(w);
      }
    }
    previous_layer = node;
    nodes.push_back(std::move(node));
  }
  path.rise_layers = int(nodes.size());
  if (!nodes.empty()) {
    path.gas_region = region_of_voxel[std::size_t(nodes.front().front())];
  }

  // A ceiling above the column (not the model's edge): the jet spreads in rings under it.
  if (inside(model, axis_voxel) && !previous_layer.empty()) {
    const int plane = layer - sign;
    const int floor_layer = cell.vent_voxel[ua] + sign;  // the jet fills down to the vent's level
    std::vector<std::int64_t> ring = previous_layer;
    for (;;) {
      std::vector<std::int64_t> next;
      for (std::int64_t v : ring) {
        const Voxel p = voxel_of(model, v);
        for (const auto& o : kOffsets) {
          if (o[a] != 0) continue;  // stay in the plane
          const Voxel q{p[0] + o[0], p[1] + o[1], p[2] + o[2]};
          if (!inside(model, q)) continue;
          const std::int64_t w = index_of(model, q);
          if (is_gas_voxel(model, w) && on_path.insert(w).second) next.push_back(w);
        }
      }
      if (next.empty()) break;
      std::vector<std::int64_t> node = next;
      for (std::int64_t v : next) {  // the gas below the ring, down to the vent's level
        Voxel p = voxel_of(model, v);
        for (int l = plane - sign; sign > 0 ? l >= floor_layer : l <= floor_layer; l -= sign) {
          p[ua] = l;
          if (!inside(model, p)) break;
          const std::int64_t w = index_of(model, p);
          if (!is_gas_voxel(model, w) || !on_path.insert(w).second) break;
          node.push_back(w);
        }
      }
      nodes.push_back(std::move(node));
      ring = std::move(next);
    }
    path.ceiling_rings = int(nodes.size()) - path.rise_layers;
  }

  // Faces between path gas and solids, and each node's flow cross-section and distance: the rise
  // flows along `up` (length h_up per layer), the rings across it (the mean in-plane edge).
  const double h[3] = {model.spacing.dx, model.spacing.dy, model.spacing.dz};
  const double across = 0.5 * (h[b] + h[c]);
  const double rise_height = path.rise_layers * h[a];
  path.node_area.assign(nodes.size(), 0.0);
  path.node_flow_area.assign(nodes.size(), 0.0);
  path.node_distance.assign(nodes.size(), 0.0);
  for (std::size_t n = 0; n < nodes.size(); ++n) {
    const bool rising = int(n) < path.rise_layers;
    const double length = rising ? h[a] : across;
    path.node_flow_area[n] = double(nodes[n].size()) * model.spacing.volume() / length;
    path.node_distance[n] =
        rising ? (double(n) + 0.5) * h[a]
               : rise_height + (double(n - std::size_t(path.rise_layers)) + 0.5) * across;
    for (std::int64_t v : nodes[n]) {
      const Voxel p = voxel_of(model, v);
      for (int f = 0; f < 6; ++f) {
        const Voxel q{p[0] + kOffsets[f][0], p[1] + kOffsets[f][1], p[2] + kOffsets[f][2]};
        if (!inside(model, q)) continue;
        const std::int64_t w = index_of(model, q);
        if (is_gas_voxel(model, w)) continue;
        const int d = f / 2;
        const double area = h[(d + 1) % 3] * h[(d + 2) % 3];
        path.faces.push_back({w, int(n), area});
        path.node_area[n] += area;
      }
    }
  }

  // The flame's point source: on the column's axis, halfway up the flame region (or the rise).
  if (path.rise_layers == 0) return path;
  const int source_layers = std::min(flame_layers, path.rise_layers);
  meshes::Vec3 source;
  for (int d = 0; d < 3; ++d) {
    source[std::size_t(d)] =
        model.origin[std::size_t(d)] + 0.5 * (lo[d] + hi[d] + 1) * h[d];  // footprint centre
  }
  const double vent_face = model.origin[ua] + (cell.vent_voxel[ua] + (sign > 0 ? 1 : 0)) * h[a];
  source[ua] = vent_face + sign * 0.5 * source_layers * h[a];
  {
    Voxel s;
    for (int d = 0; d < 3; ++d) {
      s[std::size_t(d)] =
          int(std::floor((source[std::size_t(d)] - model.origin[std::size_t(d)]) / h[d]));
    }
    if (!inside(model, s) || !is_gas_voxel(model, index_of(model, s))) return path;
  }

  // Every gas voxel within range that borders a solid: each such face that sees the source.
  int box_lo[3], box_hi[3];
  for (int d = 0; d < 3; ++d) {
    box_lo[d] = std::max(
        0, int(std::floor(
               (source[std::size_t(d)] - kRadiationRange - model.origin[std::size_t(d)]) / h[d])));
    box_hi[d] = std::min(
        model.shape[d] - 1,
        int(std::floor((source[std::size_t(d)] + kRadiationRange - model.origin[std::size_t(d)]) /
                       h[d])));
  }
  std::vector<double> share_of_voxel, area_of_voxel;
  std::vector<std::int64_t> target_voxel;
  std::unordered_map<std::int64_t, std::size_t> slot;  // target voxel -> its place in the lists
  for (int k = box_lo[2]; k <= box_hi[2]; ++k) {
    for (int j = box_lo[1]; j <= box_hi[1]; ++j) {
      for (int i = box_lo[0]; i <= box_hi[0]; ++i) {
        const Voxel p{i, j, k};
        const std::int64_t v = index_of(model, p);
        if (!is_gas_voxel(model, v)) continue;
        const meshes::Vec3 centre = model.centre(i, j, k);
        for (int f = 0; f < 6; ++f) {
          const Voxel q{i + kOffsets[f][0], j + kOffsets[f][1], k + kOffsets[f][2]};
          if (!inside(model, q)) continue;
          const std::int64_t w = index_of(model, q);
          if (is_gas_voxel(model, w)) continue;
          const int d = f / 2;
          meshes::Vec3 face = centre;
          face[std::size_t(d)] += kOffsets[f][d] * 0.5 * h[d];
          const double r[3] = {source[0] - face[0], source[1] - face[1], source[2] - face[2]};
          const double distance = std::sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
          if (distance > kRadiationRange) continue;
          // The face's outward normal (from the solid into the gas) is -offset.
          const double cos_theta = -kOffsets[f][d] * r[d] / distance;
          const double area = h[(d + 1) % 3] * h[(d + 2) % 3];
          const double share = kernels::point_source_share(area, cos_theta, distance);
          if (share <= 0.0 || !sees(model, centre, source)) continue;
          const auto [it, added] = slot.emplace(w, target_voxel.size());
          if (added) {
            target_voxel.push_back(w);
            share_of_voxel.push_back(0.0);
            area_of_voxel.push_back(0.0);
          }
          share_of_voxel[it->second] += share;
          area_of_voxel[it->second] += area;
          path.radiation_share += share;
        }
      }
    }
  }
  // A source closer to a face than the grid resolves can over-count: never more than all of it.
  const double scale = path.radiation_share > 1.0 ? 1.0 / path.radiation_share : 1.0;
  path.radiation_share = 0.0;
  for (std::size_t t = 0; t < target_voxel.size(); ++t) {
    path.radiation.push_back({target_voxel[t], share_of_voxel[t] * scale, area_of_voxel[t]});
    path.radiation_share += share_of_voxel[t] * scale;
  }
  return path;
}

std::vector<PlumePath> trace_plume_paths(const meshes::VoxelModel& model,
                                         const std::vector<std::int32_t>& region_of_voxel) {
  std::vector<PlumePath> paths(model.cells.size());
  std::vector<std::exception_ptr> failures(model.cells.size());
  const auto count = std::int64_t(model.cells.size());
  // Dynamic: a cell under a ceiling traces rings and radiation far longer than one in the open.
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t c = 0; c < count; ++c) {
    try {
      paths[std::size_t(c)] = trace_plume_path(model, model.cells[std::size_t(c)], region_of_voxel);
    } catch (...) {  // an exception must not leave an OpenMP region
      failures[std::size_t(c)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return paths;
}

}  // namespace runaway::host
