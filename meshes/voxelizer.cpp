#include "meshes/voxelizer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "common/text.hpp"

namespace runaway::meshes {

namespace {

// Centres closer than this fraction of a voxel to a face count as lying on it, so round-off
// in positions built from sums of sizes does not move a face by a whole voxel.
constexpr double kCentreTolerance = 1e-6;

std::string format_length(double metres) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g m", metres);
  return text;
}

const MaterialSpec& require_material(const PackDescription& pack, const std::string& name,
                                     const std::string& used_by) {
  const MaterialSpec* m = pack.find_material(name);
  if (m == nullptr) {
    throw MeshError(MeshErrorKind::kDescription,
                    "unknown material '" + name + "' (used by " + used_by + ")");
  }
  return *m;
}

// Grid-aligned material from a spec, through-plane conductivity along `through_axis`.
Material layered(const MaterialSpec& spec, int through_axis) {
  Material m;
  m.name = spec.name;
  m.density = spec.density;
  m.heat_capacity = spec.heat_capacity;
  m.emissivity = spec.emissivity;
  m.transparent = spec.transparent;
  m.melting_point = spec.melting_point;
  m.latent_heat_of_fusion = spec.latent_heat_of_fusion;
  m.molten_conductivity = spec.molten_conductivity;
  for (int a = 0; a < kAxisCount; ++a) {
    m.conductivity[std::size_t(a)] =
        a == through_axis ? spec.conductivity_through_plane : spec.conductivity_in_plane;
  }
  if (!spec.isotropic()) m.name += "[through=" + axis_name(through_axis) + "]";
  return m;
}

// Grid-aligned material of a wound (cylindrical) jelly roll with its axis along `axis`.
Material wound(const MaterialSpec& spec, int axis) {
  Material m = layered(spec, axis);
  m.name = spec.name;
  for (int a = 0; a < kAxisCount; ++a) {
    m.conductivity[std::size_t(a)] =
        a == axis ? spec.conductivity_in_plane : spec.conductivity_through_plane;
  }
  if (!spec.isotropic()) m.name += "[axis=" + axis_name(axis) + "]";
  return m;
}

// Adds a qualifier inside the name's brackets: "a[x]" + "y" -> "a[x, y]".
void qualify(Material& m, const std::string& qualifier) {
  if (!m.name.empty() && m.name.back() == ']') {
    m.name.pop_back();
    m.name += ", " + qualifier + "]";
  } else {
    m.name += "[" + qualifier + "]";
  }
}

class MaterialRegistry {
 public:
  explicit MaterialRegistry(std::vector<Material>& table) : table_(table) {}
  std::uint8_t id(const Material& m) {
    auto found = ids_.find(m.name);
    if (found != ids_.end()) return found->second;
    if (table_.size() >= 256) {
      throw MeshError(
          MeshErrorKind::kDescription,
          "more than 256 material variants (material ids are one byte); adding '" + m.name + "'");
    }
    const auto id = std::uint8_t(table_.size());
    table_.push_back(m);
    ids_.emplace(m.name, id);
    return id;
  }

 private:
  std::vector<Material>& table_;
  std::map<std::string, std::uint8_t> ids_;
};

class Painter {
 public:
  explicit Painter(VoxelModel& model) : model_(model) {}

  // Indices whose centres lie in [lo, hi) along `axis`, clipped to the grid (may be empty).
  void axis_range(int axis, double lo, double hi, int& first, int& last) const {
    const double h = model_.spacing[axis];
    const double o = model_.origin[std::size_t(axis)];
    first = int(std::ceil((lo - o) / h - 0.5 - kCentreTolerance));
    last = int(std::ceil((hi - o) / h - 0.5 - kCentreTolerance)) - 1;
    first = std::max(first, 0);
    last = std::min(last, model_.shape[axis] - 1);
  }

  VoxelRange range(const Box& box) const {
    VoxelRange r;
    for (int a = 0; a < kAxisCount; ++a) {
      axis_range(a, box.lo[std::size_t(a)], box.hi[std::size_t(a)], r.min[std::size_t(a)],
                 r.max[std::size_t(a)]);
    }
    return r;
  }

  // Paints `material` on every voxel whose centre lies in `box`; returns the count.
  std::int64_t fill(const Box& box, std::uint8_t material) {
    const VoxelRange r = range(box);
    if (r.empty()) return 0;
    for (int k = r.min[2]; k <= r.max[2]; ++k) {
      for (int j = r.min[1]; j <= r.max[1]; ++j) {
        const std::int64_t row = model_.index(0, j, k);
        std::fill(model_.material.begin() + row + r.min[0],
                  model_.material.begin() + row + r.max[0] + 1, material);
      }
    }
    return r.count();
  }

 private:
  VoxelModel& model_;
};

bool positive_finite(double v) {
  return std::isfinite(v) && v > 0;
}

void check_description(const PackDescription& pack, const VoxelizeOptions& options) {
  auto fail = [](const std::string& what) { throw MeshError(MeshErrorKind::kDescription, what); };
  for (int a = 0; a < kAxisCount; ++a) {
    if (!positive_finite(pack.enclosure.size[std::size_t(a)])) {
      fail("enclosure size along " + axis_name(a) + " must be positive");
    }
    if (!positive_finite(options.voxel_size[std::size_t(a)])) {
      fail("voxel size along " + axis_name(a) + " must be positive");
    }
  }
  if (pack.enclosure.wall_thickness < 0 ||
      2 * pack.enclosure.wall_thickness >=
          *std::min_element(pack.enclosure.size.begin(), pack.enclosure.size.end())) {
    fail("enclosure wall thickness must be >= 0 and leave an interior");
  }
  for (const MaterialSpec& m : pack.materials) {
    if (!positive_finite(m.density) || !positive_finite(m.heat_capacity) ||
        !positive_finite(m.conductivity_in_plane) ||
        !positive_finite(m.conductivity_through_plane)) {
      fail("material '" + m.name + "' needs positive density, heat capacity and conductivity");
    }
  }
  for (const Solid& solid : pack.solids) {
    for (int a = 0; a < kAxisCount; ++a) {
      if (!(solid.box.size(a) > 0) || !std::isfinite(solid.box.size(a))) {
        fail("solid '" + solid.name + "': max must exceed min along " + axis_name(a));
      }
    }
  }
  for (const ModuleLayout& m : pack.modules) {
    const CellType& c = m.cell;
    const bool cylinder = c.shape == CellShape::kCylindrical;
    const double sizes[] = {cylinder ? c.diameter : c.width, cylinder ? c.diameter : c.thickness,
                            c.height};
    for (double s : sizes) {
      if (!positive_finite(s)) fail("cell type '" + c.name + "' needs positive dimensions");
    }
    if (c.can_wall_thickness < 0 ||
        2 * c.can_wall_thickness >= *std::min_element(sizes, sizes + 3)) {
      fail("cell type '" + c.name + "': can wall must be >= 0 and leave a jelly roll");
    }
    if (!cylinder && (m.orientation.thickness_axis == axis_of(m.orientation.up) ||
                      m.orientation.thickness_axis < 0 || m.orientation.thickness_axis > 2)) {
      fail("module '" + m.name + "': thickness axis must differ from the up axis");
    }
    for (int a = 0; a < kAxisCount; ++a) {
      if (m.count[std::size_t(a)] < 1) fail("module '" + m.name + "': cell counts must be >= 1");
      if (!(m.gap[std::size_t(a)] >= 0)) fail("module '" + m.name + "': gaps must be >= 0");
    }
    if (m.barrier.thickness < 0 || m.end_plate.thickness < 0) {
      fail("module '" + m.name + "': barrier and end plate thickness must be >= 0");
    }
  }
}

// Fraction of the jelly roll's heat-capacity blend with a folded can; returns the blended
// material (density volume-weighted, specific heat mass-weighted, conductivity of the jelly).
Material fold_can(Material jelly, const MaterialSpec& can, const CellType& cell) {
  const double v_outer = cell.outer_volume();
  const double v_jelly = cell.jelly_roll_volume();
  const double v_can = v_outer - v_jelly;
  const double m_jelly = jelly.density * v_jelly;
  const double m_can = can.density * v_can;
  jelly.density = (m_jelly + m_can) / v_outer;
  jelly.heat_capacity =
      (m_jelly * jelly.heat_capacity + m_can * can.heat_capacity) / (m_jelly + m_can);
  jelly.jelly_roll_fraction = v_jelly / v_outer;
  jelly.emissivity = can.emissivity;  // the outer surface is the can's
  qualify(jelly, "with " + cell.name + " can folded in");
  return jelly;
}

// A barrier sheet of thickness b and the gas filling the rest of a gap g, as one material
// filling the w wide voxel layer that represents the gap (normal `axis`). Per unit face area it
// keeps the gap's series resistance across it (b/k_b + (g-b)/k_gas), its parallel conductance
// along it and its heat capacity, whatever w the grid gives the gap.
Material blend_barrier(const MaterialSpec& barrier, const MaterialSpec& gas, double b, double g,
                       double w, int axis) {
  b = std::min(b, g);
  Material m;
  m.name = barrier.name;
  const double mass_barrier = b * barrier.density;  // kg per m^2 of gap
  const double mass_gas = (g - b) * gas.density;
  m.density = (mass_barrier + mass_gas) / w;
  m.heat_capacity = (mass_barrier * barrier.heat_capacity + mass_gas * gas.heat_capacity) /
                    (mass_barrier + mass_gas);
  m.emissivity = barrier.emissivity;
  // A gas sheet in a gas gap stays a gas radiation crosses (the exchange between the bounding
  // cans does not depend on the gap's width, so the voxel width w may differ from g).
  m.transparent = barrier.transparent && gas.transparent;
  for (int a = 0; a < kAxisCount; ++a) {
    if (a == axis) {
      // Layers in series across the gap.
      m.conductivity[std::size_t(a)] =
          w / (b / barrier.conductivity_through_plane + (g - b) / gas.conductivity_through_plane);
    } else {
      // Layers in parallel along the gap.
      m.conductivity[std::size_t(a)] =
          (b * barrier.conductivity_in_plane + (g - b) * gas.conductivity_in_plane) / w;
    }
  }
  qualify(m, format_length(b) + " in " + format_length(g) + " " + gas.name + " gap as " +
                 format_length(w) + ", through=" + axis_name(axis));
  return m;
}

}  // namespace

std::string format_bytes(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (bytes >= 1000 && u < 5) {
    bytes /= 1000;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.3g %s", bytes, units[u]);
  return text;
}

GridSize grid_size(const Enclosure& enclosure, const Vec3& voxel_size) {
  int n[3];
  for (int a = 0; a < kAxisCount; ++a) {
    const double cells = enclosure.size[std::size_t(a)] / voxel_size[std::size_t(a)];
    // A million voxels per axis keeps every voxel count within int64 (and far beyond memory).
    if (!(cells < 1e6)) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3g", cells);
      throw MeshError(MeshErrorKind::kMemory, "the grid along " + axis_name(a) + " would need " +
                                                  text +
                                                  " voxels (limit 1e6 per axis); use a coarser "
                                                  "mesh.voxel_size");
    }
    n[a] = std::max(1, int(std::lround(cells)));
  }
  return {n[0], n[1], n[2]};
}

VoxelSpacing grid_spacing(const Enclosure& enclosure, const Vec3& voxel_size) {
  const GridSize n = grid_size(enclosure, voxel_size);
  return {enclosure.size[0] / n.nx, enclosure.size[1] / n.ny, enclosure.size[2] / n.nz};
}

MemoryEstimate estimate_memory(const PackDescription& pack, const VoxelizeOptions& options) {
  const GridSize n = grid_size(pack.enclosure, options.voxel_size);
  const VoxelSpacing h = grid_spacing(pack.enclosure, options.voxel_size);
  double jelly_volume = 0;
  for (const ModuleLayout& m : pack.modules) {
    jelly_volume += m.cell_count() * m.cell.outer_volume();  // folded cans count as jelly
  }
  MemoryEstimate e;
  e.voxel_count = n.voxel_count();
  e.jelly_roll_voxel_count = std::int64_t(std::llround(jelly_volume / h.volume()));
  e.model_bytes = kModelBytesPerVoxel * double(e.voxel_count);
  e.solver_bytes = kSolverBytesPerVoxel * double(e.voxel_count) +
                   kSolverBytesPerJellyRollVoxel * double(e.jelly_roll_voxel_count);
  return e;
}

std::vector<LayoutProblem> find_layout_problems(const PackDescription& pack) {
  std::vector<LayoutProblem> problems;
  const Box interior = enclosure_interior(pack.enclosure);
  const bool has_plate = pack.cooling_plate.thickness > 0;
  const Box plate = has_plate ? cooling_plate_box(pack) : Box{};
  std::vector<int> first_cell(pack.modules.size() + 1, 0);
  for (std::size_t i = 0; i < pack.modules.size(); ++i) {
    first_cell[i + 1] = first_cell[i] + pack.modules[i].cell_count();
  }
  auto describe = [](const Box& b) {
    std::ostringstream s;
    s << "[" << b.lo[0] << ", " << b.hi[0] << "] x [" << b.lo[1] << ", " << b.hi[1] << "] x ["
      << b.lo[2] << ", " << b.hi[2] << "] m";
    return s.str();
  };
  for (std::size_t i = 0; i < pack.modules.size(); ++i) {
    const ModuleLayout& m = pack.modules[i];
    const Box box = module_box(m);
    const std::vector<Box> cells = cell_boxes(m);
    // Cells outside the enclosure interior (walls excluded).
    if (!contains(interior, box)) {
      LayoutProblem p;
      p.kind = LayoutProblem::Kind::kOutsideEnclosure;
      p.module = int(i);
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (!contains(interior, cells[c])) {
          p.cell = first_cell[i] + int(c);
          break;
        }
      }
      p.message = "module '" + m.name + "' spans " + describe(box) +
                  (p.cell >= 0 ? " and its cell " + std::to_string(p.cell) + " spans " +
                                     describe(cells[std::size_t(p.cell - first_cell[i])])
                               : std::string()) +
                  ", outside the enclosure interior " + describe(interior) +
                  "; move the module (position) or enlarge the enclosure (size)";
      problems.push_back(p);
    }
    if (has_plate && overlaps(box, plate)) {
      LayoutProblem p;
      p.kind = LayoutProblem::Kind::kOverlapsCoolingPlate;
      p.module = int(i);
      p.message = "module '" + m.name + "' spans " + describe(box) +
                  " and overlaps the cooling plate " + describe(plate) +
                  "; move the module off the plate";
      problems.push_back(p);
    }
    for (std::size_t j = i + 1; j < pack.modules.size(); ++j) {
      const ModuleLayout& other = pack.modules[j];
      const Box other_box = module_box(other);
      if (!overlaps(box, other_box)) continue;
      LayoutProblem p;
      p.kind = LayoutProblem::Kind::kModulesOverlap;
      p.module = int(i);
      p.other_module = int(j);
      const std::vector<Box> other_cells = cell_boxes(other);
      for (std::size_t a = 0; a < cells.size() && p.cell < 0; ++a) {
        if (!overlaps(cells[a], other_box)) continue;
        for (std::size_t b = 0; b < other_cells.size(); ++b) {
          if (overlaps(cells[a], other_cells[b])) {
            p.cell = first_cell[i] + int(a);
            p.other_cell = first_cell[j] + int(b);
            break;
          }
        }
      }
      p.message = "module '" + m.name + "' " + describe(box) + " overlaps module '" + other.name +
                  "' " + describe(other_box);
      if (p.cell >= 0) {
        p.message += ": cells " + std::to_string(p.cell) + " and " + std::to_string(p.other_cell) +
                     " overlap";
      }
      p.message += "; move one of the modules";
      problems.push_back(p);
    }
  }
  for (std::size_t i = 0; i < pack.solids.size(); ++i) {
    const Solid& solid = pack.solids[i];
    const std::string what = "solid '" + solid.name + "' spans " + describe(solid.box);
    if (!contains(interior, solid.box)) {
      LayoutProblem p;
      p.kind = LayoutProblem::Kind::kSolidOutsideEnclosure;
      p.solid = int(i);
      p.message = what + ", outside the enclosure interior " + describe(interior) +
                  " (inside the walls; an open face's interior reaches the outer face)";
      problems.push_back(p);
    }
    if (has_plate && overlaps(solid.box, plate)) {
      LayoutProblem p;
      p.kind = LayoutProblem::Kind::kSolidOverlapsCoolingPlate;
      p.solid = int(i);
      p.message = what + " and overlaps the cooling plate " + describe(plate) +
                  "; move the solid off the plate";
      problems.push_back(p);
    }
    for (std::size_t m = 0; m < pack.modules.size(); ++m) {
      const Box box = module_box(pack.modules[m]);
      if (!overlaps(solid.box, box)) continue;
      LayoutProblem p;
      p.kind = LayoutProblem::Kind::kSolidOverlapsModule;
      p.solid = int(i);
      p.module = int(m);
      const std::vector<Box> cells = cell_boxes(pack.modules[m]);
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (overlaps(solid.box, cells[c])) {
          p.cell = first_cell[m] + int(c);
          break;
        }
      }
      p.message = what + " and overlaps module '" + pack.modules[m].name + "' " + describe(box) +
                  (p.cell >= 0 ? ": its cell " + std::to_string(p.cell) + " spans " +
                                     describe(cells[std::size_t(p.cell - first_cell[m])])
                               : std::string(" (its end plates or gaps)")) +
                  "; move the solid off the module";
      problems.push_back(p);
    }
  }
  return problems;
}

VoxelModel voxelize(const PackDescription& pack, const VoxelizeOptions& options) {
  check_description(pack, options);
  const std::vector<LayoutProblem> problems = find_layout_problems(pack);
  if (!problems.empty()) throw MeshError(MeshErrorKind::kLayout, problems.front().message);

  VoxelModel model;
  model.shape = grid_size(pack.enclosure, options.voxel_size);
  model.spacing = grid_spacing(pack.enclosure, options.voxel_size);
  model.origin = {0, 0, 0};
  model.memory = estimate_memory(pack, options);
  if (model.memory.total_bytes() > options.max_memory_bytes) {
    throw MeshError(MeshErrorKind::kMemory,
                    "the model needs " + std::to_string(model.shape.nx) + " x " +
                        std::to_string(model.shape.ny) + " x " + std::to_string(model.shape.nz) +
                        " = " + grouped_digits(model.memory.voxel_count) + " voxels (" +
                        grouped_digits(model.memory.jelly_roll_voxel_count) +
                        " in jelly rolls), about " + format_bytes(model.memory.total_bytes()) +
                        " for a run, over the limit of " + format_bytes(options.max_memory_bytes) +
                        "; use a coarser mesh.voxel_size or raise mesh.max_memory");
  }
  const VoxelSpacing& h = model.spacing;
  const double h_max = std::max({h.dx, h.dy, h.dz});
  const std::size_t n = std::size_t(model.shape.voxel_count());
  model.material.assign(n, 0);
  model.cell.assign(n, -1);

  MaterialRegistry registry(model.materials);
  Painter painter(model);
  auto warn = [&model](const std::string& text) { model.warnings.push_back(text); };

  // Gas everywhere first (id 0).
  const MaterialSpec& gas = require_material(pack, pack.enclosure.gas, "enclosure gas");
  registry.id(layered(gas, 2));

  // Enclosure walls.
  const double wall = pack.enclosure.wall_thickness;
  if (wall > 0) {
    const MaterialSpec& spec =
        require_material(pack, pack.enclosure.wall_material, "enclosure wall");
    const Box outer = enclosure_box(pack.enclosure);
    for (int face = 0; face < 6; ++face) {
      if (pack.enclosure.is_open(Direction(face))) continue;
      const int a = face / 2;
      Box slab = outer;
      if (face % 2 == 0) {
        slab.hi[std::size_t(a)] = slab.lo[std::size_t(a)] + wall;
      } else {
        slab.lo[std::size_t(a)] = slab.hi[std::size_t(a)] - wall;
      }
      if (painter.fill(slab, registry.id(layered(spec, a))) == 0) {
        warn("enclosure wall " + to_string(Direction(face)) + " (" + format_length(wall) +
             ") is thinner than half a voxel (" + format_length(h[a]) +
             ") and has no voxels; the boundary condition acts on what is inside it");
      }
    }
  }

  // Cooling plate.
  if (pack.cooling_plate.thickness > 0) {
    const MaterialSpec& spec = require_material(pack, pack.cooling_plate.material, "cooling plate");
    const int a = axis_of(pack.cooling_plate.face);
    if (painter.fill(cooling_plate_box(pack), registry.id(layered(spec, a))) == 0) {
      warn("cooling plate (" + format_length(pack.cooling_plate.thickness) +
           ") is thinner than half a voxel (" + format_length(h[a]) + ") and has no voxels");
    }
  }

  // Solids, in order: a later one paints over an earlier one.
  for (const Solid& solid : pack.solids) {
    const MaterialSpec& spec = require_material(pack, solid.material, "solid '" + solid.name + "'");
    const int a = solid_normal_axis(solid);
    if (painter.fill(solid.box, registry.id(layered(spec, a))) == 0) {
      warn("solid '" + solid.name + "' (" + format_length(solid.box.size(a)) + " along " +
           axis_name(a) + ") holds no voxel centre (voxel " + format_length(h[a]) +
           ") and has no voxels");
    }
  }

  int next_cell_id = 0;
  std::set<std::string> folded_types;  // cell types whose can was folded, warned about once
  for (const ModuleLayout& module : pack.modules) {
    const Box box = module_box(module);
    const std::vector<Box> cells = cell_boxes(module);
    const CellType& type = module.cell;

    // End plates.
    if (module.end_plate.thickness > 0) {
      const MaterialSpec& spec =
          require_material(pack, module.end_plate.material, "end plates of " + module.name);
      const int a = module.end_plate_axis;
      const std::uint8_t id = registry.id(layered(spec, a));
      Box low = box;
      Box high = box;
      low.hi[std::size_t(a)] = low.lo[std::size_t(a)] + module.end_plate.thickness;
      high.lo[std::size_t(a)] = high.hi[std::size_t(a)] - module.end_plate.thickness;
      if (painter.fill(low, id) == 0 || painter.fill(high, id) == 0) {
        warn("module '" + module.name + "': an end plate (" +
             format_length(module.end_plate.thickness) + ") has no voxels along " + axis_name(a) +
             " (voxel " + format_length(h[a]) + ")");
      }
    }

    // Gaps between neighbouring cells: barrier sheets, blended with the gas when thin.
    for (int a = 0; a < kAxisCount; ++a) {
      const std::size_t ua = std::size_t(a);
      if (module.count[ua] < 2 || module.gap[ua] <= 0) continue;
      const double g = module.gap[ua];
      const double b = module.barrier.thickness;
      const MaterialSpec* spec =
          b > 0 ? &require_material(pack, module.barrier.material, "barrier of " + module.name)
                : nullptr;
      const bool resolved = b >= h[a];
      std::map<int, std::uint8_t> blend_ids;  // by the gap's width in voxels
      std::vector<int> unresolved_gaps;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        // The gap on the high side of each cell that has a neighbour there.
        const int index[3] = {int(c) % module.count[0], int(c) / module.count[0] % module.count[1],
                              int(c) / (module.count[0] * module.count[1])};
        if (index[a] + 1 >= module.count[ua]) continue;
        const Box& cell_box = cells[c];
        Box gap_box = cell_box;
        gap_box.lo[ua] = cell_box.hi[ua];
        gap_box.hi[ua] = cell_box.hi[ua] + g;
        int first = 0;
        int last = 0;
        painter.axis_range(a, gap_box.lo[ua], gap_box.hi[ua], first, last);
        const int width = last - first + 1;
        if (width <= 0) {
          if (std::find(unresolved_gaps.begin(), unresolved_gaps.end(), index[a]) ==
              unresolved_gaps.end()) {
            unresolved_gaps.push_back(index[a]);
          }
          continue;
        }
        if (spec == nullptr) continue;  // the gas is already there
        if (resolved) {
          const double middle = cell_box.hi[ua] + 0.5 * g;
          Box sheet = gap_box;
          sheet.lo[ua] = middle - 0.5 * b;
          sheet.hi[ua] = middle + 0.5 * b;
          painter.fill(sheet, registry.id(layered(*spec, a)));
        } else {
          auto found = blend_ids.find(width);
          if (found == blend_ids.end()) {
            const Material blend = blend_barrier(*spec, gas, b, g, width * h[a], a);
            found = blend_ids.emplace(width, registry.id(blend)).first;
          }
          painter.fill(gap_box, found->second);
        }
      }
      if (!unresolved_gaps.empty()) {
        warn("module '" + module.name + "': " + std::to_string(unresolved_gaps.size()) + " of " +
             std::to_string(module.count[ua] - 1) + " gaps (" + format_length(g) + ") along " +
             axis_name(a) + " hold no voxel centre (voxel " + format_length(h[a]) +
             "): the cells on either side touch on the grid" +
             (spec != nullptr ? " and the barrier there is lost" : ""));
      }
    }

    // Cells: can and jelly roll.
    const MaterialSpec& jelly_spec =
        require_material(pack, type.jelly_roll_material, "jelly roll of " + type.name);
    const bool cylinder = type.shape == CellShape::kCylindrical;
    const int up_axis = axis_of(module.orientation.up);
    Material jelly = cylinder ? wound(jelly_spec, up_axis)
                              : layered(jelly_spec, module.orientation.thickness_axis);
    jelly.is_jelly_roll = true;
    jelly.chemistry = type.chemistry;
    jelly.jelly_roll_fraction = 1.0;
    if (!type.chemistry.empty()) qualify(jelly, type.chemistry);
    const double wall_t = type.can_wall_thickness;
    const bool can_resolved = wall_t > 0 && wall_t >= h_max;
    std::uint8_t can_id = 0;
    if (wall_t > 0) {
      const MaterialSpec& can_spec =
          require_material(pack, type.can_material, "can of " + type.name);
      if (can_resolved) {
        // A wound can's wall is thin in every direction; treat it as isotropic metal.
        can_id = registry.id(cylinder ? wound(can_spec, up_axis)
                                      : layered(can_spec, module.orientation.thickness_axis));
      } else {
        jelly = fold_can(jelly, can_spec, type);
        if (folded_types.insert(type.name).second) {
          warn("the " + format_length(wall_t) + " can of " + type.name +
               " is thinner than a voxel (" + format_length(h_max) +
               ") and is folded into its jelly roll");
        }
      }
    }
    const std::uint8_t jelly_id = registry.id(jelly);
    const double inner = can_resolved ? wall_t : 0.0;

    for (const Box& cell_box : cells) {
      CellInfo info;
      info.id = next_cell_id++;
      info.type_name = type.name;
      info.module_name = module.name;
      info.chemistry = type.chemistry;
      info.shape = type.shape;
      info.capacity_ah = type.capacity_ah;
      info.nominal_voltage = type.nominal_voltage;
      info.soc = module.soc;
      info.jelly_roll_volume = type.jelly_roll_volume();
      info.outer_volume = type.outer_volume();
      info.box = cell_box;
      info.centre = cell_box.centre();
      info.vent_direction = module.orientation.up;

      const VoxelRange r = painter.range(cell_box);
      VoxelRange found;
      found.min = {model.shape.nx, model.shape.ny, model.shape.nz};
      found.max = {-1, -1, -1};
      const double radius = 0.5 * type.diameter;
      const double inner_radius = radius - inner;
      for (int k = r.min[2]; k <= r.max[2]; ++k) {
        for (int j = r.min[1]; j <= r.max[1]; ++j) {
          for (int i = r.min[0]; i <= r.max[0]; ++i) {
            const Vec3 c = model.centre(i, j, k);
            bool in_jelly = true;
            if (cylinder) {
              double r2 = 0;
              for (int a = 0; a < kAxisCount; ++a) {
                if (a == up_axis) continue;
                const double d = c[std::size_t(a)] - info.centre[std::size_t(a)];
                r2 += d * d;
              }
              if (r2 >= radius * radius) continue;  // outside the cylinder
              in_jelly = r2 < inner_radius * inner_radius;
              const double z = c[std::size_t(up_axis)];
              in_jelly = in_jelly && z >= cell_box.lo[std::size_t(up_axis)] + inner &&
                         z < cell_box.hi[std::size_t(up_axis)] - inner;
            } else {
              for (int a = 0; a < kAxisCount; ++a) {
                const double x = c[std::size_t(a)];
                in_jelly = in_jelly && x >= cell_box.lo[std::size_t(a)] + inner &&
                           x < cell_box.hi[std::size_t(a)] - inner;
              }
            }
            const std::int64_t v = model.index(i, j, k);
            model.cell[std::size_t(v)] = std::int32_t(info.id);
            model.material[std::size_t(v)] = in_jelly ? jelly_id : can_id;
            ++info.voxel_count;
            if (in_jelly) ++info.jelly_roll_voxel_count;
            const int ijk[3] = {i, j, k};
            for (std::size_t a = 0; a < 3; ++a) {
              found.min[a] = std::min(found.min[a], ijk[a]);
              found.max[a] = std::max(found.max[a], ijk[a]);
            }
          }
        }
      }
      info.voxels = found;
      if (info.voxel_count == 0) {
        throw MeshError(MeshErrorKind::kDescription,
                        "cell " + std::to_string(info.id) + " of module '" + module.name +
                            "' has no voxels: the voxel size is larger than the cell");
      }
      if (info.jelly_roll_voxel_count == 0) {
        warn("cell " + std::to_string(info.id) + " of module '" + module.name +
             "' has no jelly-roll voxels: its can fills it at this voxel size");
      }

      // Vent: on the top face, offset along the width for prismatic and pouch cells.
      const std::size_t ua = std::size_t(up_axis);
      const double sign = is_plus(info.vent_direction) ? 1.0 : -1.0;
      Vec3 vent = info.centre;
      vent[ua] = sign > 0 ? cell_box.hi[ua] : cell_box.lo[ua];
      if (!cylinder) vent[std::size_t(width_axis(module.orientation))] += type.vent_offset;
      for (std::size_t a = 0; a < 3; ++a) {
        const double inward = a == ua ? -sign * 0.5 * h[int(a)] : 0.0;
        const int index = int(std::floor((vent[a] + inward - model.origin[a]) / h[int(a)]));
        info.vent_voxel[a] = std::clamp(index, found.min[a], found.max[a]);
      }

      // Flame region: a flame_width square column of flame_length beyond the vent face.
      if (type.flame_length > 0) {
        VoxelRange flame;
        for (int a = 0; a < kAxisCount; ++a) {
          const std::size_t sa = std::size_t(a);
          if (a == up_axis) {
            const int layers = std::max(1, int(std::lround(type.flame_length / h[a])));
            flame.min[sa] = sign > 0 ? found.max[sa] + 1 : found.min[sa] - layers;
            flame.max[sa] = sign > 0 ? found.max[sa] + layers : found.min[sa] - 1;
            flame.min[sa] = std::max(flame.min[sa], 0);
            flame.max[sa] = std::min(flame.max[sa], model.shape[a] - 1);
          } else {
            painter.axis_range(a, vent[sa] - 0.5 * type.flame_width,
                               vent[sa] + 0.5 * type.flame_width, flame.min[sa], flame.max[sa]);
            if (flame.min[sa] > flame.max[sa]) {
              flame.min[sa] = flame.max[sa] = info.vent_voxel[sa];
            }
          }
        }
        info.flame_box = flame;
        if (!flame.empty()) {
          for (int k = flame.min[2]; k <= flame.max[2]; ++k) {
            for (int j = flame.min[1]; j <= flame.max[1]; ++j) {
              for (int i = flame.min[0]; i <= flame.max[0]; ++i) {
                const std::int64_t v = model.index(i, j, k);
                if (model.cell[std::size_t(v)] < 0) info.flame_voxels.push_back(v);
              }
            }
          }
        }
      }
      model.cells.push_back(std::move(info));
    }
  }

  // Flame regions were collected cell by cell; drop voxels that later cells claimed.
  int cell_id = 0;
  for (const ModuleLayout& module : pack.modules) {
    for (int c = 0; c < module.cell_count(); ++c, ++cell_id) {
      CellInfo& info = model.cells[std::size_t(cell_id)];
      auto& f = info.flame_voxels;
      f.erase(std::remove_if(f.begin(), f.end(),
                             [&model](std::int64_t v) { return model.cell[std::size_t(v)] >= 0; }),
              f.end());
      if (module.cell.flame_length > 0 && f.empty()) {
        warn("cell " + std::to_string(info.id) + " of module '" + module.name +
             "' has no free voxel beyond its vent (" + to_string(info.vent_direction) +
             "); its flame heat has nowhere to go");
      }
    }
  }
  return model;
}

}  // namespace runaway::meshes
