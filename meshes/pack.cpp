#include "meshes/pack.hpp"

#include <algorithm>
#include <cmath>

namespace runaway::meshes {

namespace {
constexpr double kPi = 3.14159265358979323846;
}

std::string to_string(Direction d) {
  static const char* const names[] = {"-x", "+x", "-y", "+y", "-z", "+z"};
  return names[int(d)];
}

std::string axis_name(int axis) {
  static const char* const names[] = {"x", "y", "z"};
  return names[axis];
}

std::optional<Direction> parse_direction(const std::string& text) {
  std::string t = text;
  if (t.size() == 1) t = "+" + t;
  for (int d = 0; d < 6; ++d) {
    if (t == to_string(Direction(d))) return Direction(d);
  }
  return std::nullopt;
}

std::optional<int> parse_axis(const std::string& text) {
  for (int a = 0; a < kAxisCount; ++a) {
    if (text == axis_name(a)) return a;
  }
  return std::nullopt;
}

bool overlaps(const Box& a, const Box& b, double tolerance) {
  for (int d = 0; d < kAxisCount; ++d) {
    if (std::min(a.hi[d], b.hi[d]) - std::max(a.lo[d], b.lo[d]) <= tolerance) return false;
  }
  return true;
}

bool contains(const Box& outer, const Box& inner, double tolerance) {
  for (int d = 0; d < kAxisCount; ++d) {
    if (inner.lo[d] < outer.lo[d] - tolerance || inner.hi[d] > outer.hi[d] + tolerance) {
      return false;
    }
  }
  return true;
}

std::string to_string(CellShape shape) {
  switch (shape) {
    case CellShape::kPrismatic:
      return "prismatic";
    case CellShape::kPouch:
      return "pouch";
    case CellShape::kCylindrical:
      return "cylindrical";
  }
  return "?";
}

std::optional<CellShape> parse_cell_shape(const std::string& text) {
  for (CellShape s : {CellShape::kPrismatic, CellShape::kPouch, CellShape::kCylindrical}) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

double CellType::outer_volume() const {
  if (shape == CellShape::kCylindrical) return kPi * 0.25 * diameter * diameter * height;
  return width * thickness * height;
}

double CellType::jelly_roll_volume() const {
  const double t = can_wall_thickness;
  if (shape == CellShape::kCylindrical) {
    const double d = diameter - 2 * t;
    return kPi * 0.25 * d * d * (height - 2 * t);
  }
  return (width - 2 * t) * (thickness - 2 * t) * (height - 2 * t);
}

int width_axis(const Orientation& o) {
  return 3 - axis_of(o.up) - o.thickness_axis;
}

Vec3 oriented_extent(const CellType& cell, const Orientation& o) {
  Vec3 e{0, 0, 0};
  const int up = axis_of(o.up);
  e[up] = cell.height;
  if (cell.shape == CellShape::kCylindrical) {
    for (int a = 0; a < kAxisCount; ++a) {
      if (a != up) e[a] = cell.diameter;
    }
  } else {
    e[o.thickness_axis] = cell.thickness;
    e[width_axis(o)] = cell.width;
  }
  return e;
}

Box module_box(const ModuleLayout& m) {
  const Vec3 e = oriented_extent(m.cell, m.orientation);
  Box b;
  for (int a = 0; a < kAxisCount; ++a) {
    double size = m.count[a] * e[a] + (m.count[a] - 1) * m.gap[a];
    if (a == m.end_plate_axis) size += 2 * m.end_plate.thickness;
    b.lo[a] = m.position[a];
    b.hi[a] = m.position[a] + size;
  }
  return b;
}

std::vector<Box> cell_boxes(const ModuleLayout& m) {
  const Vec3 e = oriented_extent(m.cell, m.orientation);
  Vec3 first = m.position;
  first[m.end_plate_axis] += m.end_plate.thickness;
  std::vector<Box> boxes;
  boxes.reserve(std::size_t(m.cell_count()));
  for (int k = 0; k < m.count[2]; ++k) {
    for (int j = 0; j < m.count[1]; ++j) {
      for (int i = 0; i < m.count[0]; ++i) {
        const int index[3] = {i, j, k};
        Box b;
        for (int a = 0; a < kAxisCount; ++a) {
          b.lo[a] = first[a] + index[a] * (e[a] + m.gap[a]);
          b.hi[a] = b.lo[a] + e[a];
        }
        boxes.push_back(b);
      }
    }
  }
  return boxes;
}

Box enclosure_box(const Enclosure& e) {
  Box b;
  b.hi = e.size;
  return b;
}

Box enclosure_interior(const Enclosure& e) {
  Box b = enclosure_box(e);
  for (int a = 0; a < kAxisCount; ++a) {
    if (!e.is_open(make_direction(a, false))) b.lo[a] += e.wall_thickness;
    if (!e.is_open(make_direction(a, true))) b.hi[a] -= e.wall_thickness;
  }
  return b;
}

int solid_normal_axis(const Solid& s) {
  int axis = 0;
  for (int a = 1; a < kAxisCount; ++a) {
    if (s.box.size(a) < s.box.size(axis)) axis = a;
  }
  return axis;
}

const MaterialSpec* PackDescription::find_material(const std::string& name) const {
  for (const MaterialSpec& m : materials) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

int PackDescription::cell_count() const {
  int n = 0;
  for (const ModuleLayout& m : modules) n += m.cell_count();
  return n;
}

Box cooling_plate_box(const PackDescription& p) {
  Box b = enclosure_interior(p.enclosure);
  const int a = axis_of(p.cooling_plate.face);
  if (is_plus(p.cooling_plate.face)) {
    b.lo[a] = b.hi[a] - p.cooling_plate.thickness;
  } else {
    b.hi[a] = b.lo[a] + p.cooling_plate.thickness;
  }
  return b;
}

}  // namespace runaway::meshes
