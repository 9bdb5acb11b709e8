#include "host/config/config_sections.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "host/chemistry/chemistry_library.hpp"
#include "host/config/chemistry_fields.hpp"
#include "meshes/voxelizer.hpp"

namespace runaway::host::config_detail {

std::vector<std::string> names_of_materials(const meshes::PackDescription& pack) {
  std::vector<std::string> names;
  for (const meshes::MaterialSpec& m : pack.materials) names.push_back(m.name);
  return names;
}

void parse_materials(Reader& r, const toml::table* section, meshes::PackDescription& pack) {
  pack.materials = meshes::library_materials();
  if (section == nullptr) return;
  std::vector<std::string> library_names = names_of_materials(pack);
  for (const auto& [entry_key, node] : *section) {
    const std::string name(entry_key.str());
    const Scope s{node.as_table(), "materials." + name};
    if (s.table == nullptr) r.fail_at(node, s.path, "expected a table, got " + type_name(node));
    r.check_keys(s, {"base", "density", "heat_capacity", "conductivity", "conductivity_in_plane",
                     "conductivity_through_plane", "emissivity", "transparent", "melting_point",
                     "latent_heat_of_fusion", "molten_conductivity", "is_jelly_roll", "source"});
    meshes::MaterialSpec m;
    bool from_library = false;
    auto base = r.text(s, "base");
    const std::string start = base ? *base : name;
    if (const meshes::MaterialSpec* lib = meshes::find_library_material(start)) {
      m = *lib;
      from_library = true;
    } else if (base) {
      r.check_name(s, "base", *base, library_names, "library material");
    }
    m.name = name;
    auto need = [&](const std::string& key, const std::string& what) {
      if (!from_library && s.table->get(key) == nullptr) r.missing(s, key, what);
    };
    need("density", "kg/m^3");
    need("heat_capacity", "J/(kg K)");
    m.density = r.number_or(s, "density", m.density, Rule::kPositive);
    m.heat_capacity = r.number_or(s, "heat_capacity", m.heat_capacity, Rule::kPositive);
    auto k = r.number(s, "conductivity", Rule::kPositive);
    auto k_in = r.number(s, "conductivity_in_plane", Rule::kPositive);
    auto k_through = r.number(s, "conductivity_through_plane", Rule::kPositive);
    if (k && (k_in || k_through)) {
      r.fail_key(s.key("conductivity"),
                 "give either conductivity (isotropic) or conductivity_in_plane and "
                 "conductivity_through_plane, not both");
    }
    if (k) {
      m.conductivity_in_plane = m.conductivity_through_plane = *k;
    } else {
      if (!from_library && !(k_in && k_through)) {
        r.missing(s, k_in ? "conductivity_through_plane" : "conductivity",
                  "W/(m K); or both conductivity_in_plane and conductivity_through_plane");
      }
      if (k_in) m.conductivity_in_plane = *k_in;
      if (k_through) m.conductivity_through_plane = *k_through;
    }
    m.emissivity = r.number_or(s, "emissivity", from_library ? m.emissivity : 0.8, Rule::kFraction);
    m.transparent = r.boolean(s, "transparent").value_or(m.transparent);
    m.is_jelly_roll = r.boolean(s, "is_jelly_roll").value_or(m.is_jelly_roll);
    m.melting_point = r.number_or(s, "melting_point", m.melting_point, Rule::kPositive);
    m.latent_heat_of_fusion =
        r.number_or(s, "latent_heat_of_fusion", m.latent_heat_of_fusion, Rule::kNonNegative);
    m.molten_conductivity =
        r.number_or(s, "molten_conductivity", m.molten_conductivity, Rule::kPositive);
    if (!(m.melting_point > 0)) {
      for (const char* key : {"latent_heat_of_fusion", "molten_conductivity"}) {
        if (s.table->get(key) != nullptr) {
          r.fail_key(s.key(key), "needs melting_point (K): the material does not melt");
        }
      }
    } else if (m.is_jelly_roll) {
      r.fail_key(s.key("melting_point"), "a jelly roll cannot melt (only cans and sheets)");
    }
    if (m.transparent && m.is_jelly_roll) {
      r.fail_key(s.key("transparent"), "a jelly roll cannot be transparent");
    }
    m.source = r.text(s, "source")
                   .value_or(from_library ? m.source + " (overridden in the pack file)"
                                          : "pack file " + r.main_file());
    auto existing = std::find_if(pack.materials.begin(), pack.materials.end(),
                                 [&](const meshes::MaterialSpec& e) { return e.name == name; });
    if (existing != pack.materials.end()) {
      *existing = m;
    } else {
      pack.materials.push_back(m);
    }
  }
}

// Scalar fields of a chemistry, by key.
namespace {

struct ChemistryField {
  const char* key;
  double kernels::Chemistry::*member;
  Rule rule;
};
const ChemistryField kChemistryFields[] = {
    {"density", &kernels::Chemistry::density, Rule::kPositive},
    {"heat_capacity", &kernels::Chemistry::heat_capacity, Rule::kPositive},
    {"liquid_electrolyte_fraction", &kernels::Chemistry::liquid_electrolyte_fraction,
     Rule::kFraction},
    {"runaway_rate_threshold", &kernels::Chemistry::runaway_rate_threshold, Rule::kPositive},
    {"separator_temperature", &kernels::Chemistry::separator_temperature, Rule::kTemperature},
    {"short_circuit_energy_fraction", &kernels::Chemistry::short_circuit_energy_fraction,
     Rule::kFraction},
    {"short_circuit_time_constant", &kernels::Chemistry::short_circuit_time_constant,
     Rule::kPositive},
    {"vent_temperature", &kernels::Chemistry::vent_temperature, Rule::kTemperature},
    {"electrolyte_latent_heat", &kernels::Chemistry::electrolyte_latent_heat, Rule::kNonNegative},
    {"heat_of_combustion", &kernels::Chemistry::heat_of_combustion, Rule::kNonNegative},
    {"burned_fraction", &kernels::Chemistry::burned_fraction, Rule::kFraction},
    {"burn_time", &kernels::Chemistry::burn_time, Rule::kPositive},
    // Gas, pressure and venting: optional in a custom chemistry (0 = not modelled); the
    // chemistry's validation asks for what a vent that can open needs.
    {"vent_burst_pressure", &kernels::Chemistry::vent_burst_pressure, Rule::kNonNegative},
    {"free_volume_fraction", &kernels::Chemistry::free_volume_fraction, Rule::kNonNegative},
    {"vent_area_per_volume", &kernels::Chemistry::vent_area_per_volume, Rule::kNonNegative},
    {"vent_discharge_coefficient", &kernels::Chemistry::vent_discharge_coefficient,
     Rule::kFraction},
    {"gas_molar_mass", &kernels::Chemistry::gas_molar_mass, Rule::kNonNegative},
    {"gas_heat_capacity_ratio", &kernels::Chemistry::gas_heat_capacity_ratio, Rule::kNonNegative},
    {"gas_heat_capacity", &kernels::Chemistry::gas_heat_capacity, Rule::kNonNegative},
    {"solvent_molar_mass", &kernels::Chemistry::solvent_molar_mass, Rule::kNonNegative},
    {"volatile_fraction", &kernels::Chemistry::volatile_fraction, Rule::kFraction},
    {"solvent_antoine_a", &kernels::Chemistry::solvent_antoine_a, Rule::kAny},
    {"solvent_antoine_b", &kernels::Chemistry::solvent_antoine_b, Rule::kAny},
    {"solvent_antoine_c", &kernels::Chemistry::solvent_antoine_c, Rule::kAny},
    {"liquid_heat_capacity", &kernels::Chemistry::liquid_heat_capacity, Rule::kNonNegative},
    {"entrained_liquid_ratio", &kernels::Chemistry::entrained_liquid_ratio, Rule::kNonNegative},
    {"ejecta_heat_share", &kernels::Chemistry::ejecta_heat_share, Rule::kFraction},
};

// The first key of kChemistryFields that a custom chemistry may leave out.
constexpr const char* kFirstOptionalChemistryField = "vent_burst_pressure";

struct ReactionNumber {
  const char* key;
  double kernels::Reaction::*member;
  Rule rule;
};
const ReactionNumber kReactionNumbers[] = {
    {"pre_exponential_factor", &kernels::Reaction::pre_exponential_factor, Rule::kNonNegative},
    {"activation_energy", &kernels::Reaction::activation_energy, Rule::kNonNegative},
    {"heat_of_reaction", &kernels::Reaction::heat_of_reaction, Rule::kAny},
    {"reactant_content", &kernels::Reaction::reactant_content, Rule::kNonNegative},
    {"order_remaining", &kernels::Reaction::order_remaining, Rule::kNonNegative},
    {"order_converted", &kernels::Reaction::order_converted, Rule::kNonNegative},
    {"initial_remaining", &kernels::Reaction::initial_remaining, Rule::kFraction},
    {"electrolyte_per_reactant", &kernels::Reaction::electrolyte_per_reactant, Rule::kNonNegative},
    {"initial_sei_thickness", &kernels::Reaction::initial_sei_thickness, Rule::kNonNegative},
    {"reference_sei_thickness", &kernels::Reaction::reference_sei_thickness, Rule::kPositive},
    {"switch_temperature", &kernels::Reaction::switch_temperature, Rule::kTemperature},
    {"pre_exponential_factor_above_switch", &kernels::Reaction::pre_exponential_factor_above_switch,
     Rule::kNonNegative},
    {"gas_yield", &kernels::Reaction::gas_yield, Rule::kNonNegative},
};

struct ReactionFlag {
  const char* key;
  bool kernels::Reaction::*member;
};
const ReactionFlag kReactionFlags[] = {
    {"reactant_is_electrolyte", &kernels::Reaction::reactant_is_electrolyte},
    {"consumes_electrolyte", &kernels::Reaction::consumes_electrolyte},
    {"sei_inhibition", &kernels::Reaction::sei_inhibition},
    {"temperature_switch", &kernels::Reaction::temperature_switch},
};

std::vector<std::string> reaction_keys(bool with_name) {
  std::vector<std::string> keys;
  if (with_name) keys.push_back("name");
  for (const ReactionNumber& f : kReactionNumbers) keys.push_back(f.key);
  for (const ReactionFlag& f : kReactionFlags) keys.push_back(f.key);
  return keys;
}

void read_reaction_fields(Reader& r, const Scope& s, kernels::Reaction& reaction) {
  for (const ReactionNumber& f : kReactionNumbers) {
    if (auto v = r.number(s, f.key, f.rule)) reaction.*f.member = *v;
  }
  for (const ReactionFlag& f : kReactionFlags) {
    if (auto v = r.boolean(s, f.key)) reaction.*f.member = *v;
  }
}

void check_reaction(Reader& r, const Scope& s, const kernels::Reaction& reaction) {
  if (reaction.reactant_is_electrolyte && reaction.reactant_content != 0) {
    r.fail_key(s.key("reactant_content"),
               "must be 0 when reactant_is_electrolyte = true: the liquid electrolyte "
               "fraction sets the content");
  }
  if (reaction.sei_inhibition && !(reaction.reference_sei_thickness > 0)) {
    r.fail_key(s.key("reference_sei_thickness"), "must be positive when sei_inhibition = true");
  }
  if (reaction.temperature_switch && !(reaction.switch_temperature > 0)) {
    r.fail_key(s.key("switch_temperature"), "must be set when temperature_switch = true");
  }
}

}  // namespace

std::vector<std::string> library_chemistry_list() {
  return chemistry_names();
}

const kernels::Chemistry* find_library_chemistry(const std::string& name) {
  const std::vector<std::string> names = chemistry_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) return nullptr;
  return &find_chemistry_entry(name).chemistry;
}

PackChemistry parse_chemistry(Reader& r, const Scope& s, const std::string& name) {
  std::vector<std::string> keys{"base", "reactions"};
  for (const ChemistryField& f : kChemistryFields) keys.push_back(f.key);
  r.check_keys(s, keys);
  PackChemistry entry;
  entry.name = name;
  auto base = r.text(s, "base");
  const std::string start = base ? *base : name;
  const kernels::Chemistry* library = find_library_chemistry(start);
  if (library != nullptr) {
    entry.chemistry = *library;
    entry.base = start;
  } else if (base) {
    r.check_name(s, "base", *base, library_chemistry_list(), "library chemistry");
  }
  if (!kernels::set_name(entry.chemistry.name, name.c_str())) {
    r.fail(r.where(*s.table), s.path,
           "chemistry name is longer than " + std::to_string(kernels::kMaxNameLength - 1) +
               " characters");
  }
  const double base_density = entry.chemistry.density;
  bool optional = false;
  for (const ChemistryField& f : kChemistryFields) {
    optional = optional || std::strcmp(f.key, kFirstOptionalChemistryField) == 0;
    auto v = r.number(s, f.key, f.rule);
    if (v) {
      entry.chemistry.*f.member = *v;
    } else if (library == nullptr) {
      // A custom chemistry states every constant; optional ones default as in the struct.
      if (!optional && std::strcmp(f.key, "runaway_rate_threshold") != 0) {
        r.missing(s, f.key, "a custom chemistry (no base) needs every constant");
      }
    }
  }
  // A base's reactant contents are kg per m^3 of its own density: an overridden density scales
  // them with it, so the cell's mass fractions (and the electrolyte-to-solid ratio, W_e = f rho)
  // stay as published. A content given here is taken as it stands.
  const double density_scale = library != nullptr ? entry.chemistry.density / base_density : 1.0;
  std::vector<bool> content_given(std::size_t(kernels::kMaxReactions), false);
  const toml::node* reactions = r.get(s, "reactions");
  if (reactions != nullptr) {
    const std::string key = s.key("reactions");
    if (const toml::array* list = reactions->as_array()) {
      // A full custom reaction set replaces the base's.
      if (list->size() > std::size_t(kernels::kMaxReactions)) {
        r.fail_at(*reactions, key,
                  "at most " + std::to_string(kernels::kMaxReactions) + " reactions, got " +
                      std::to_string(list->size()));
      }
      entry.chemistry.reaction_count = int(list->size());
      std::set<std::string> seen;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::node& item = *list->get(i);
        const Scope rs{item.as_table(), key + "[" + std::to_string(i) + "]"};
        if (rs.table == nullptr)
          r.fail_at(item, rs.path, "expected a table, got " + type_name(item));
        r.check_keys(rs, reaction_keys(true));
        kernels::Reaction reaction;
        const std::string reaction_name = r.required_text(rs, "name", "short identifier");
        if (!seen.insert(reaction_name).second) {
          r.fail_key(rs.key("name"), "duplicate reaction name '" + reaction_name + "'");
        }
        if (!kernels::set_name(reaction.name, reaction_name.c_str())) {
          r.fail_key(rs.key("name"),
                     "longer than " + std::to_string(kernels::kMaxNameLength - 1) + " characters");
        }
        for (const char* required :
             {"pre_exponential_factor", "activation_energy", "heat_of_reaction"}) {
          if (rs.table->get(required) == nullptr) r.missing(rs, required, "see docs/config.md");
        }
        read_reaction_fields(r, rs, reaction);
        check_reaction(r, rs, reaction);
        entry.chemistry.reactions[i] = reaction;
        content_given[i] = true;  // a full set states its own contents
      }
    } else if (const toml::table* by_name = reactions->as_table()) {
      // Overrides of the base's reactions, by reaction name.
      std::vector<std::string> known;
      known.reserve(std::size_t(entry.chemistry.reaction_count));
      for (int i = 0; i < entry.chemistry.reaction_count; ++i) {
        known.push_back(entry.chemistry.reactions[i].name);
      }
      for (const auto& [rk, rnode] : *by_name) {
        const std::string reaction_name(rk.str());
        const Scope rs{rnode.as_table(), s.key("reactions." + reaction_name)};
        if (rs.table == nullptr)
          r.fail_at(rnode, rs.path, "expected a table, got " + type_name(rnode));
        r.check_name(s, "reactions." + reaction_name, reaction_name, known, "reaction");
        r.check_keys(rs, reaction_keys(false));
        const auto index =
            std::size_t(std::find(known.begin(), known.end(), reaction_name) - known.begin());
        read_reaction_fields(r, rs, entry.chemistry.reactions[index]);
        check_reaction(r, rs, entry.chemistry.reactions[index]);
        content_given[index] = rs.table->get("reactant_content") != nullptr;
      }
    } else {
      r.fail_at(*reactions, key,
                "expected an array of reaction tables (a full set) or a table of overrides by "
                "reaction name, got " +
                    type_name(*reactions));
    }
  } else if (library == nullptr) {
    r.missing(s, "reactions", "a custom chemistry (no base) needs its reaction set");
  }
  for (int i = 0; i < entry.chemistry.reaction_count; ++i) {
    if (!content_given[std::size_t(i)])
      entry.chemistry.reactions[i].reactant_content *= density_scale;
  }
  // The kinetics library's checks (orders, seeds, time constants...), named under this key.
  const SourceLocation at = r.where(*s.table);
  validate(entry.chemistry, ErrorContext{at.file, at.line, s.path, ""});
  return entry;
}

void parse_cell_types(Reader& r, const toml::table* section,
                      std::map<std::string, meshes::CellType>& types) {
  for (const meshes::CellType& c : meshes::library_cells()) types[c.name] = c;
  if (section == nullptr) return;
  std::vector<std::string> library_names;
  for (const meshes::CellType& c : meshes::library_cells()) library_names.push_back(c.name);
  for (const auto& [entry_key, node] : *section) {
    const std::string name(entry_key.str());
    const Scope s{node.as_table(), "cell_types." + name};
    if (s.table == nullptr) r.fail_at(node, s.path, "expected a table, got " + type_name(node));
    r.check_keys(
        s, {"base", "shape", "width", "thickness", "height", "diameter", "can_wall_thickness",
            "can_material", "jelly_roll_material", "chemistry", "capacity_ah", "nominal_voltage",
            "vent_offset", "flame_length", "flame_width", "source"});
    meshes::CellType c;
    bool from_library = false;
    auto base = r.text(s, "base");
    const std::string start = base ? *base : name;
    if (const meshes::CellType* lib = meshes::find_library_cell(start)) {
      c = *lib;
      from_library = true;
    } else if (base) {
      r.check_name(s, "base", *base, library_names, "library cell type");
    }
    c.name = name;
    if (auto shape = r.text(s, "shape")) {
      auto parsed = meshes::parse_cell_shape(*shape);
      if (!parsed) {
        r.check_name(s, "shape", *shape, {"prismatic", "pouch", "cylindrical"}, "cell shape");
      }
      c.shape = *parsed;
    } else if (!from_library) {
      r.missing(s, "shape", "prismatic, pouch or cylindrical");
    }
    const bool cylinder = c.shape == meshes::CellShape::kCylindrical;
    auto dimension = [&](const char* key, double& field, bool needed) {
      auto v = r.number(s, key, Rule::kPositive);
      if (v) {
        if (!needed) {
          r.fail_key(s.key(key),
                     std::string("does not apply to a ") + meshes::to_string(c.shape) + " cell");
        }
        field = *v;
      } else if (needed && !(field > 0)) {
        r.missing(s, key, "m");
      }
    };
    dimension("width", c.width, !cylinder);
    dimension("thickness", c.thickness, !cylinder);
    dimension("diameter", c.diameter, cylinder);
    dimension("height", c.height, true);
    c.can_wall_thickness =
        r.number_or(s, "can_wall_thickness", c.can_wall_thickness, Rule::kNonNegative);
    const double smallest =
        cylinder ? std::min(c.diameter, c.height) : std::min({c.width, c.thickness, c.height});
    if (2 * c.can_wall_thickness >= smallest) {
      r.fail_key(s.key("can_wall_thickness"),
                 "twice the can wall must be less than the smallest outer size (" +
                     std::to_string(smallest) + " m)");
    }
    c.can_material = r.text(s, "can_material").value_or(c.can_material);
    if (c.can_material.empty()) c.can_material = cylinder ? "steel-can" : "aluminium-can";
    c.jelly_roll_material = r.text(s, "jelly_roll_material").value_or(c.jelly_roll_material);
    if (c.jelly_roll_material.empty()) r.missing(s, "jelly_roll_material", "a material name");
    c.chemistry = r.text(s, "chemistry").value_or(c.chemistry);
    if (c.chemistry.empty()) r.missing(s, "chemistry", "a chemistry name");
    if (!from_library) {
      r.required_number(s, "capacity_ah", Rule::kPositive, "A h");
      r.required_number(s, "nominal_voltage", Rule::kPositive, "V");
    }
    c.capacity_ah = r.number_or(s, "capacity_ah", c.capacity_ah, Rule::kPositive);
    c.nominal_voltage = r.number_or(s, "nominal_voltage", c.nominal_voltage, Rule::kPositive);
    c.vent_offset = r.number_or(s, "vent_offset", c.vent_offset, Rule::kAny);
    if (!cylinder && std::fabs(c.vent_offset) >= 0.5 * c.width) {
      r.fail_key(s.key("vent_offset"),
                 "the vent must lie on the top face: |vent_offset| < width/2");
    }
    if (cylinder && c.vent_offset != 0) {
      r.fail_key(s.key("vent_offset"), "a cylindrical cell vents at the centre of its top");
    }
    c.flame_length =
        r.number_or(s, "flame_length", from_library ? c.flame_length : 0.03, Rule::kNonNegative);
    c.flame_width =
        r.number_or(s, "flame_width", from_library ? c.flame_width : 0.02, Rule::kPositive);
    c.source = r.text(s, "source")
                   .value_or(from_library ? c.source + " (overridden in the pack file)"
                                          : "pack file " + r.main_file());
    types[name] = c;
  }
}

meshes::ModuleLayout parse_module(Reader& r, const Scope& s, const std::string& default_name,
                                  const std::map<std::string, meshes::CellType>& types) {
  r.check_keys(s, {"name", "cell_type", "cells", "gap", "position", "up", "thickness_axis", "soc",
                   "barrier", "end_plates"});
  meshes::ModuleLayout m;
  m.name = r.text(s, "name").value_or(default_name);
  const std::string type = r.required_text(s, "cell_type", "a cell type name");
  std::vector<std::string> known;
  known.reserve(types.size());
  for (const auto& [name, c] : types) known.push_back(name);
  r.check_name(s, "cell_type", type, known, "cell type");
  m.cell = types.at(type);
  const toml::node* cells = r.get(s, "cells");
  if (cells == nullptr) r.missing(s, "cells", "cell counts [nx, ny, nz]");
  const toml::array* counts = cells->as_array();
  if (counts == nullptr || counts->size() != 3) {
    r.fail_at(*cells, s.key("cells"), "expected 3 integers [nx, ny, nz]");
  }
  for (std::size_t a = 0; a < 3; ++a) m.count[a] = r.integer(*counts->get(a), s.key("cells"), 1);
  // Keeps cell ids within int32 and the layout checks cheap; no real module comes close.
  constexpr double kMaxCellsPerModule = 1e6;
  if (double(m.count[0]) * m.count[1] * m.count[2] > kMaxCellsPerModule) {
    r.fail_at(*cells, s.key("cells"), "more than 1,000,000 cells in one module");
  }
  m.gap = r.vec3(s, "gap", Rule::kNonNegative, true).value_or(Vec3{0, 0, 0});
  auto position = r.vec3(s, "position", Rule::kAny, false);
  if (!position) r.missing(s, "position", "minimum corner [x, y, z] of the module box, m");
  m.position = *position;
  m.orientation.up = r.direction(s, "up").value_or(meshes::Direction::kZPlus);
  m.orientation.thickness_axis = r.axis(s, "thickness_axis").value_or(0);
  if (m.cell.shape != meshes::CellShape::kCylindrical &&
      m.orientation.thickness_axis == meshes::axis_of(m.orientation.up)) {
    r.fail_key(s.key(s.table->get("thickness_axis") ? "thickness_axis" : "up"),
               "the cells' thickness axis (" + meshes::axis_name(m.orientation.thickness_axis) +
                   ") must differ from their up axis (" + meshes::to_string(m.orientation.up) +
                   ")");
  }
  m.soc = r.number_or(s, "soc", 1.0, Rule::kFraction);
  if (const toml::table* barrier = r.table(s, "barrier")) {
    const Scope b{barrier, s.key("barrier")};
    r.check_keys(b, {"material", "thickness"});
    m.barrier.material = r.required_text(b, "material", "a material name");
    m.barrier.thickness = r.required_number(b, "thickness", Rule::kPositive, "m");
    for (int a = 0; a < 3; ++a) {
      if (m.count[std::size_t(a)] > 1 && m.barrier.thickness > m.gap[std::size_t(a)] + 1e-12) {
        r.fail_key(b.key("thickness"), "the barrier (" + std::to_string(m.barrier.thickness) +
                                           " m) is thicker than the gap along " +
                                           meshes::axis_name(a) + " (" +
                                           std::to_string(m.gap[std::size_t(a)]) + " m)");
      }
    }
  }
  if (const toml::table* plates = r.table(s, "end_plates")) {
    const Scope p{plates, s.key("end_plates")};
    r.check_keys(p, {"material", "thickness", "axis"});
    m.end_plate.material = r.required_text(p, "material", "a material name");
    m.end_plate.thickness = r.required_number(p, "thickness", Rule::kPositive, "m");
    m.end_plate_axis = r.axis(p, "axis").value_or(0);
  }
  return m;
}

void parse_solids(Reader& r, const toml::node* node, meshes::PackDescription& pack,
                  const std::vector<std::string>& material_names) {
  if (node == nullptr) return;
  const toml::array* list = node->as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    r.fail_at(*node, "solids", "expected an array of tables ([[solids]])");
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Scope s{list->get(i)->as_table(), "solids[" + std::to_string(i) + "]"};
    r.check_keys(s, {"name", "material", "min", "max"});
    meshes::Solid solid;
    solid.name = r.text(s, "name").value_or("solid-" + std::to_string(i));
    if (!names.insert(solid.name).second) {
      // Reported where this solid is: its name, or its table when the name is the default.
      const toml::node* named = s.table->get("name");
      r.fail(r.where(named != nullptr ? *named : *s.table), s.key("name"),
             "two solids are named '" + solid.name + "'");
    }
    solid.material = r.required_text(s, "material", "a material name");
    r.check_name(s, "material", solid.material, material_names, "material");
    auto lo = r.vec3(s, "min", Rule::kAny, false);
    if (!lo) r.missing(s, "min", "minimum corner [x, y, z] of the box, m");
    auto hi = r.vec3(s, "max", Rule::kAny, false);
    if (!hi) r.missing(s, "max", "maximum corner [x, y, z] of the box, m");
    for (int a = 0; a < 3; ++a) {
      const auto ua = std::size_t(a);
      if (!((*hi)[ua] > (*lo)[ua])) {
        r.fail_key(s.key("max"), "must exceed min along " + meshes::axis_name(a) + " (" +
                                     std::to_string((*hi)[ua]) +
                                     " m <= " + std::to_string((*lo)[ua]) + " m)");
      }
    }
    solid.box.lo = *lo;
    solid.box.hi = *hi;
    pack.solids.push_back(solid);
  }
}

kernels::BoundaryCondition parse_boundary(Reader& r, const Scope& s) {
  const std::string type = r.required_text(s, "type", "adiabatic, fixed_temperature or convection");
  kernels::BoundaryCondition bc;
  if (type == "adiabatic") {
    r.check_keys(s, {"type"});
  } else if (type == "fixed_temperature") {
    r.check_keys(s, {"type", "temperature"});
    bc.kind = kernels::BoundaryKind::kFixedTemperature;
    bc.temperature = r.required_number(s, "temperature", Rule::kTemperature, "K");
  } else if (type == "convection") {
    r.check_keys(s, {"type", "temperature", "heat_transfer_coefficient", "emissivity"});
    bc.kind = kernels::BoundaryKind::kConvectionRadiation;
    bc.temperature = r.required_number(s, "temperature", Rule::kTemperature, "ambient, K");
    bc.heat_transfer_coefficient =
        r.required_number(s, "heat_transfer_coefficient", Rule::kNonNegative, "W/(m^2 K)");
    bc.emissivity = r.number_or(s, "emissivity", 0.0, Rule::kFraction);
  } else {
    r.check_name(s, "type", type, {"adiabatic", "fixed_temperature", "convection"},
                 "boundary type");
  }
  return bc;
}

void parse_triggers(Reader& r, const toml::node* node, PackConfig& config, int cell_count) {
  if (node == nullptr) return;
  const toml::array* list = node->as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    r.fail_at(*node, "trigger", "expected an array of tables ([[trigger]])");
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Scope s{list->get(i)->as_table(), "trigger[" + std::to_string(i) + "]"};
    const std::string type = r.required_text(s, "type", "heater, nail or oven");
    auto cell_id = [&]() {
      const std::optional<int> id = r.integer(s, "cell", 0);
      if (!id) r.missing(s, "cell", "cell id");
      const int cell = *id;
      if (cell >= cell_count) {
        r.fail_key(s.key("cell"), "there are only " + std::to_string(cell_count) +
                                      " cells (ids 0 to " + std::to_string(cell_count - 1) + ")");
      }
      return cell;
    };
    if (type == "heater") {
      r.check_keys(s, {"type", "cell", "face", "power", "start_time", "duration"});
      HeaterTrigger h;
      h.cell = cell_id();
      auto face = r.direction(s, "face");
      if (!face) r.missing(s, "face", "the cell face the heater is on: +x, -x, ...");
      h.face = *face;
      h.power = r.required_number(s, "power", Rule::kPositive, "W");
      h.start_time = r.number_or(s, "start_time", 0.0, Rule::kNonNegative);
      h.duration = r.required_number(s, "duration", Rule::kPositive, "s");
      config.heaters.push_back(h);
    } else if (type == "nail") {
      r.check_keys(s, {"type", "cell", "time"});
      NailTrigger n;
      n.cell = cell_id();
      n.time = r.required_number(s, "time", Rule::kNonNegative, "s");
      config.nails.push_back(n);
    } else if (type == "oven") {
      r.check_keys(s, {"type", "start_temperature", "ramp_rate", "hold_temperature",
                       "heat_transfer_coefficient", "emissivity"});
      if (config.oven) r.fail_key(s.key("type"), "only one oven trigger is allowed");
      OvenTrigger o;
      o.start_temperature =
          r.number_or(s, "start_temperature", config.run.initial_temperature, Rule::kTemperature);
      o.ramp_rate = r.required_number(s, "ramp_rate", Rule::kPositive, "K/s");
      o.hold_temperature = r.required_number(s, "hold_temperature", Rule::kTemperature, "K");
      o.heat_transfer_coefficient =
          r.required_number(s, "heat_transfer_coefficient", Rule::kNonNegative, "W/(m^2 K)");
      o.emissivity = r.number_or(s, "emissivity", 0.0, Rule::kFraction);
      config.oven = o;
    } else {
      r.check_name(s, "type", type, {"heater", "nail", "oven"}, "trigger type");
    }
  }
}

}  // namespace runaway::host::config_detail

namespace runaway::host {

std::optional<double> chemistry_number(const kernels::Chemistry& chemistry,
                                       const std::string& key) {
  using namespace config_detail;
  for (const ChemistryField& f : kChemistryFields) {
    if (key == f.key) return chemistry.*f.member;
  }
  const std::string prefix = "reactions.";
  if (key.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string rest = key.substr(prefix.size());
  const auto dot = rest.find('.');
  if (dot == std::string::npos) return std::nullopt;
  for (int i = 0; i < chemistry.reaction_count; ++i) {
    const kernels::Reaction& reaction = chemistry.reactions[i];
    if (rest.substr(0, dot) != reaction.name) continue;
    for (const ReactionNumber& n : kReactionNumbers) {
      if (rest.substr(dot + 1) == n.key) return reaction.*n.member;
    }
  }
  return std::nullopt;
}

}  // namespace runaway::host
