// A pack as a safety engineer describes it: materials, cell types, modules of cells, a cooling
// plate and an enclosure, all in SI units (m, kg, J, K, s). The voxelizer (voxelizer.hpp) turns
// this description into a VoxelModel. Standard library only (docs/design.md §2).
//
// Coordinates: the enclosure's outer minimum corner is the origin; x, y, z are the grid axes.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace runaway::meshes {

using Vec3 = std::array<double, 3>;

// Grid axes 0 = x, 1 = y, 2 = z.
inline constexpr int kAxisCount = 3;

// An axis-aligned direction, in the same order as kernels::Face: -x, +x, -y, +y, -z, +z.
enum class Direction : int { kXMinus = 0, kXPlus, kYMinus, kYPlus, kZMinus, kZPlus };

inline int axis_of(Direction d) {
  return int(d) / 2;
}
inline bool is_plus(Direction d) {
  return int(d) % 2 == 1;
}
inline Direction make_direction(int axis, bool plus) {
  return Direction(2 * axis + (plus ? 1 : 0));
}
std::string to_string(Direction d);  // "-x", "+x", ...
std::string axis_name(int axis);     // "x", "y", "z"
// Parses "+x", "-x", ... "+z"; also "x" for "+x". Empty when the text is none of these.
std::optional<Direction> parse_direction(const std::string& text);
// Parses "x", "y", "z".
std::optional<int> parse_axis(const std::string& text);

// Half-open axis-aligned box [lo, hi), m.
struct Box {
  Vec3 lo{0, 0, 0};
  Vec3 hi{0, 0, 0};
  double size(int axis) const { return hi[axis] - lo[axis]; }
  double volume() const { return size(0) * size(1) * size(2); }
  Vec3 centre() const {
    return {0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]), 0.5 * (lo[2] + hi[2])};
  }
};
// True when the boxes share a volume thicker than `tolerance` (m) on every axis; touching faces
// do not overlap.
bool overlaps(const Box& a, const Box& b, double tolerance = 1e-9);
// True when `inner` lies inside `outer`, allowing `tolerance` (m) of round-off.
bool contains(const Box& outer, const Box& inner, double tolerance = 1e-9);

// Thermal properties of a material in its own frame. Layered and wound materials are
// orthotropic: `conductivity_through_plane` acts across the layers (thickness of a prismatic or
// pouch jelly roll, normal of a plate or barrier sheet, radius of a cylindrical jelly roll) and
// `conductivity_in_plane` along them (width and height; the axis of a cylinder). Isotropic
// materials have both equal. The voxelizer maps them onto grid axes by orientation.
struct MaterialSpec {
  std::string name;
  double density = 0;                     // kg/m^3
  double heat_capacity = 0;               // specific heat cp, J/(kg K)
  double conductivity_in_plane = 0;       // W/(m K)
  double conductivity_through_plane = 0;  // W/(m K)
  double emissivity = 0;                  // surface emissivity, 0..1
  // A gas radiation crosses: gaps of it exchange radiation between the opaque surfaces bounding
  // them (docs/physics.md "Gaps between cells"); its own emissivity is unused.
  bool transparent = false;
  // Melting (docs/physics.md "Cans that melt"); melting_point 0: does not melt.
  double melting_point = 0;            // K
  double latent_heat_of_fusion = 0;    // J/kg
  double molten_conductivity = 0.026;  // W/(m K) once molten; default air's, ASSUMED
  bool is_jelly_roll = false;          // reactive electrode stack of a cell
  std::string source;                  // where the numbers come from
  bool isotropic() const { return conductivity_in_plane == conductivity_through_plane; }
};

enum class CellShape { kPrismatic, kPouch, kCylindrical };
std::string to_string(CellShape shape);  // "prismatic", "pouch", "cylindrical"
std::optional<CellShape> parse_cell_shape(const std::string& text);

// One cell type in its own frame. The top of the cell (terminals, vent) points along
// Orientation::up; prismatic and pouch cells stack along their thickness.
struct CellType {
  std::string name;
  CellShape shape = CellShape::kPrismatic;
  double width = 0;      // prismatic/pouch: long side of the large face, m
  double thickness = 0;  // prismatic/pouch: through-plane size, m
  double height = 0;     // bottom to top (cylinder: axial length), m
  double diameter = 0;   // cylindrical only, m
  // Wall of the can (pouch: the laminate). Voxelized as `can_material` where it is at least one
  // voxel thick on every axis, else folded into the jelly roll (see voxelizer.hpp). 0 = no can.
  double can_wall_thickness = 0;  // m
  std::string can_material;
  std::string jelly_roll_material;
  std::string chemistry;       // name in the chemistry library
  double capacity_ah = 0;      // rated capacity, A h (datasheets' unit; 1 A h = 3600 C)
  double nominal_voltage = 0;  // V
  double vent_offset = 0;      // vent centre from the centre of the top face along width, m
  double flame_length = 0;     // flame region above the vent, along `up`, m
  double flame_width = 0;      // flame region's side, across `up`, m
  std::string source;          // where the numbers come from

  // Volume inside the can, m^3 (analytic).
  double jelly_roll_volume() const;
  // Outer volume, m^3 (analytic).
  double outer_volume() const;
  // Rated electrical energy at full charge, J.
  double rated_energy() const { return capacity_ah * 3600.0 * nominal_voltage; }
};

// Where a cell's top points and, for prismatic and pouch cells, which grid axis its thickness
// lies along (must differ from up's axis). The width takes the remaining axis.
struct Orientation {
  Direction up = Direction::kZPlus;
  int thickness_axis = 0;
};
// Grid axis of the cell's width for a prismatic/pouch cell.
int width_axis(const Orientation& o);
// Outer extent of a cell along the grid axes x, y, z, m.
Vec3 oriented_extent(const CellType& cell, const Orientation& o);

// A sheet of material; thickness 0 means none.
struct Layer {
  std::string material;
  double thickness = 0;  // m
};

// A rectangular array of identical cells. Cell ids run x fastest, then y, then z.
struct ModuleLayout {
  std::string name;
  CellType cell;
  Orientation orientation;
  double soc = 1.0;                   // state of charge, 0..1
  std::array<int, 3> count{1, 1, 1};  // cells along x, y, z
  Vec3 gap{0, 0, 0};                  // free space between neighbouring cells along x, y, z, m
  Vec3 position{0, 0, 0};             // minimum corner of the module box (end plates included), m
  Layer barrier;                      // sheet centred in every gap between neighbouring cells
  Layer end_plate;                    // one plate on each end along end_plate_axis
  int end_plate_axis = 0;
  int cell_count() const { return count[0] * count[1] * count[2]; }
};
// Box of the whole module, end plates included.
Box module_box(const ModuleLayout& m);
// Outer boxes of the module's cells, in cell-id order (x fastest).
std::vector<Box> cell_boxes(const ModuleLayout& m);

struct Enclosure {
  Vec3 size{0, 0, 0};         // outer size, m
  double wall_thickness = 0;  // m; 0 = no wall (boundary conditions act on the contents)
  std::string wall_material;
  std::string gas;  // material filling every voxel nothing else occupies
  // Faces without a wall, by Direction (-x, +x, ... +z): the gas there reaches the model's edge,
  // so a plume leaves and fresh air enters; the face's boundary condition still applies.
  std::array<bool, 6> open_faces{};
  bool is_open(Direction d) const { return open_faces[std::size_t(d)]; }
};
Box enclosure_box(const Enclosure& e);
// The outer box less the walls; on an open face it reaches the outer face.
Box enclosure_interior(const Enclosure& e);

// A plate lying against the inside of one enclosure face, spanning the interior. Coolant is
// modelled by that face's boundary condition (convection to the coolant temperature).
struct CoolingPlate {
  std::string material;
  double thickness = 0;  // m; 0 = none
  Direction face = Direction::kZMinus;
};

// A solid box inside the enclosure: a lid plate, a busbar cover, a vent channel's wall. Painted
// after the walls and the cooling plate, before the modules; its material's through-plane
// conductivity lies along the box's thinnest axis (a plate's normal).
struct Solid {
  std::string name;
  std::string material;
  Box box;  // m, in the pack's frame
};
// Grid axis of a solid's normal: its thinnest side (the lowest axis of equal sides).
int solid_normal_axis(const Solid& s);

struct PackDescription {
  std::vector<MaterialSpec> materials;  // every material the pack refers to, by name
  Enclosure enclosure;
  CoolingPlate cooling_plate;
  std::vector<Solid> solids;  // in painting order: a later one paints over an earlier one
  std::vector<ModuleLayout> modules;
  const MaterialSpec* find_material(const std::string& name) const;
  int cell_count() const;
};
Box cooling_plate_box(const PackDescription& p);

}  // namespace runaway::meshes
