#include "host/config/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/config/config_sections.hpp"
#include "meshes/library.hpp"
#include "meshes/voxelizer.hpp"

namespace runaway::host {

namespace fs = std::filesystem;
using namespace config_detail;

double oven_temperature(const OvenTrigger& oven, double time) {
  const double ramped = oven.start_temperature + oven.ramp_rate * std::max(0.0, time);
  return oven.hold_temperature >= oven.start_temperature ? std::min(ramped, oven.hold_temperature)
                                                         : oven.hold_temperature;
}

const std::vector<std::string>& output_field_names() {
  static const std::vector<std::string> names{
      "temperature", "heat_release_rate", "reaction_progress", "arrival_time", "electrolyte_left"};
  return names;
}

const PackChemistry* PackConfig::find_chemistry(const std::string& chemistry_name) const {
  for (const PackChemistry& c : chemistries) {
    if (c.name == chemistry_name) return &c;
  }
  return nullptr;
}

SourceLocation PackConfig::location_of(const std::string& key) const {
  auto found = locations.find(key);
  return found != locations.end() ? found->second : SourceLocation{file, 0};
}

PackConfig parse_pack_config(const toml::table& root, const std::string& file) {
  PackConfig config;
  config.file = file;
  Reader r(file, config.locations);
  const Scope top{&root, ""};
  r.check_keys(top, {"name", "description", "materials", "chemistries", "cell_types", "module",
                     "enclosure", "cooling_plate", "solids", "boundary", "trigger", "probe",
                     "verdict", "run", "output", "mesh"});
  config.name = r.text(top, "name").value_or(fs::path(file).stem().string());
  config.description = r.text(top, "description").value_or("");

  // Run control first: the oven's default start temperature is the initial temperature.
  const toml::table* run = r.table(top, "run");
  if (run == nullptr) r.missing(top, "run", "run control: end_time, ...");
  {
    const Scope s{run, "run"};
    r.check_keys(s, {"end_time", "dt_min", "dt_max", "max_temperature_change",
                     "temperature_tolerance", "initial_temperature", "kinetics_tolerance"});
    RunControl& c = config.run;
    c.end_time = r.required_number(s, "end_time", Rule::kPositive, "s");
    c.dt_min = r.number_or(s, "dt_min", c.dt_min, Rule::kPositive);
    // With an error target the error sets quiet steps, and dt_max is only a hard cap.
    const bool error_target = r.get(s, "temperature_tolerance") != nullptr;
    c.temperature_tolerance =
        r.number_or(s, "temperature_tolerance", c.temperature_tolerance, Rule::kPositive);
    c.dt_max = r.number_or(s, "dt_max", error_target ? RunControl::kDtMaxWithTolerance : c.dt_max,
                           Rule::kPositive);
    if (c.dt_min > c.dt_max) r.fail_key(s.key("dt_min"), "must not exceed run.dt_max");
    c.max_temperature_change =
        r.number_or(s, "max_temperature_change", c.max_temperature_change, Rule::kPositive);
    c.initial_temperature =
        r.number_or(s, "initial_temperature", c.initial_temperature, Rule::kTemperature);
    c.kinetics_tolerance =
        r.number_or(s, "kinetics_tolerance", c.kinetics_tolerance, Rule::kPositive);
    if (c.kinetics_tolerance > 1e-2) {
      r.fail_key(s.key("kinetics_tolerance"),
                 "must be at most 0.01 (a relative error per sub-step; the default is 1e-4)");
    }
  }

  if (const toml::table* output = r.table(top, "output")) {
    const Scope s{output, "output"};
    r.check_keys(s, {"frame_interval", "series_interval", "fields"});
    OutputConfig& o = config.output;
    o.frame_interval = r.number_or(s, "frame_interval", o.frame_interval, Rule::kPositive);
    o.series_interval = r.number_or(s, "series_interval", o.series_interval, Rule::kPositive);
    if (const toml::node* fields = r.get(s, "fields")) {
      const toml::array* a = fields->as_array();
      if (a == nullptr) r.fail_at(*fields, s.key("fields"), "expected an array of field names");
      o.fields.clear();
      for (const toml::node& f : *a) {
        auto name = f.as_string();
        if (!name) r.fail_at(f, s.key("fields"), "expected a field name, got " + type_name(f));
        r.check_name(s, "fields", name->get(), output_field_names(), "output field");
        o.fields.push_back(name->get());
      }
    }
  }

  const toml::table* mesh = r.table(top, "mesh");
  if (mesh == nullptr) r.missing(top, "mesh", "mesh.voxel_size");
  {
    const Scope s{mesh, "mesh"};
    r.check_keys(s, {"voxel_size", "max_memory"});
    auto size = r.vec3(s, "voxel_size", Rule::kPositive, true);
    if (!size) r.missing(s, "voxel_size", "m, a number or [dx, dy, dz]");
    config.mesh.voxel_size = *size;
    config.mesh.max_memory = r.number_or(s, "max_memory", config.mesh.max_memory, Rule::kPositive);
  }

  meshes::PackDescription& pack = config.pack;
  parse_materials(r, r.table(top, "materials"), pack);
  const std::vector<std::string> material_names = names_of_materials(pack);

  std::map<std::string, meshes::CellType> types;
  parse_cell_types(r, r.table(top, "cell_types"), types);
  for (const auto& [name, type] : types) {
    const Scope s{nullptr, "cell_types." + name};
    const bool from_file = config.locations.count(s.key("jelly_roll_material")) +
                               config.locations.count(s.key("can_material")) >
                           0;
    if (!from_file) continue;  // library entries are checked by the library's tests
    r.check_name(s, "jelly_roll_material", type.jelly_roll_material, material_names, "material");
    if (type.can_wall_thickness > 0) {
      r.check_name(s, "can_material", type.can_material, material_names, "material");
    }
  }

  // Enclosure.
  const toml::table* enclosure = r.table(top, "enclosure");
  if (enclosure == nullptr) r.missing(top, "enclosure", "enclosure.size");
  {
    const Scope s{enclosure, "enclosure"};
    r.check_keys(s, {"size", "wall_thickness", "wall_material", "gas", "open_faces"});
    auto size = r.vec3(s, "size", Rule::kPositive, false);
    if (!size) r.missing(s, "size", "outer size [x, y, z], m");
    pack.enclosure.size = *size;
    pack.enclosure.wall_thickness = r.number_or(s, "wall_thickness", 0.0, Rule::kNonNegative);
    if (2 * pack.enclosure.wall_thickness >= *std::min_element(size->begin(), size->end())) {
      r.fail_key(s.key("wall_thickness"), "the walls leave no interior");
    }
    pack.enclosure.wall_material = r.text(s, "wall_material").value_or("steel");
    pack.enclosure.gas = r.text(s, "gas").value_or("air");
    r.check_name(s, "wall_material", pack.enclosure.wall_material, material_names, "material");
    r.check_name(s, "gas", pack.enclosure.gas, material_names, "material");
    if (const toml::node* open = r.get(s, "open_faces")) {
      const std::string key = s.key("open_faces");
      const toml::array* faces = open->as_array();
      if (faces == nullptr) {
        r.fail_at(*open, key, "expected an array of faces, e.g. [\"+x\", \"-y\"]");
      }
      for (const toml::node& f : *faces) {
        auto text = f.as_string();
        if (!text) r.fail_at(f, key, "expected a face (+x, -x, ... -z), got " + type_name(f));
        const std::optional<meshes::Direction> d = meshes::parse_direction(text->get());
        if (!d) r.fail_at(f, key, "expected one of +x, -x, +y, -y, +z, -z");
        if (pack.enclosure.is_open(*d)) r.fail_at(f, key, "face listed twice");
        pack.enclosure.open_faces[std::size_t(*d)] = true;
      }
      if (!faces->empty() && !(pack.enclosure.wall_thickness > 0)) {
        r.fail_key(key,
                   "the enclosure has no walls (wall_thickness = 0): every face is already open");
      }
    }
  }

  if (const toml::table* plate = r.table(top, "cooling_plate")) {
    const Scope s{plate, "cooling_plate"};
    r.check_keys(s, {"material", "thickness", "face"});
    pack.cooling_plate.material = r.text(s, "material").value_or("aluminium");
    r.check_name(s, "material", pack.cooling_plate.material, material_names, "material");
    pack.cooling_plate.thickness = r.required_number(s, "thickness", Rule::kPositive, "m");
    pack.cooling_plate.face = r.direction(s, "face").value_or(meshes::Direction::kZMinus);
  }

  parse_solids(r, r.get(top, "solids"), pack, material_names);

  // Modules: [module] (one) or [[module]] (several).
  const toml::node* modules = r.get(top, "module");
  if (modules == nullptr) r.missing(top, "module", "[module] or [[module]] tables");
  if (const toml::table* one = modules->as_table()) {
    pack.modules.push_back(parse_module(r, Scope{one, "module"}, "module", types));
  } else if (modules->is_array_of_tables()) {
    const toml::array& list = *modules->as_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Scope s{list.get(i)->as_table(), "module[" + std::to_string(i) + "]"};
      pack.modules.push_back(parse_module(r, s, "module-" + std::to_string(i), types));
    }
  } else {
    r.fail_at(*modules, "module", "expected a [module] table or [[module]] tables");
  }
  std::set<std::string> module_names;
  for (std::size_t i = 0; i < pack.modules.size(); ++i) {
    const meshes::ModuleLayout& m = pack.modules[i];
    const std::string prefix =
        modules->is_table() ? std::string("module") : "module[" + std::to_string(i) + "]";
    if (!module_names.insert(m.name).second) {
      r.fail_key(prefix + ".name", "two modules are named '" + m.name + "'");
    }
    const Scope s{nullptr, prefix};
    if (!m.barrier.material.empty()) {
      r.check_name(s, "barrier.material", m.barrier.material, material_names, "material");
    }
    if (!m.end_plate.material.empty()) {
      r.check_name(s, "end_plates.material", m.end_plate.material, material_names, "material");
    }
    const auto* jelly = pack.find_material(m.cell.jelly_roll_material);
    if (jelly == nullptr) {
      r.check_name(s, "cell_type", m.cell.jelly_roll_material, material_names,
                   "jelly-roll material");
    }
  }

  // Chemistries: every one a cell uses, from the file or the library.
  std::map<std::string, PackChemistry> defined;
  if (const toml::table* chemistries = r.table(top, "chemistries")) {
    for (const auto& [k, node] : *chemistries) {
      const std::string name(k.str());
      const Scope s{node.as_table(), "chemistries." + name};
      if (s.table == nullptr) r.fail_at(node, s.path, "expected a table, got " + type_name(node));
      defined[name] = parse_chemistry(r, s, name);
    }
  }
  std::vector<std::string> known_chemistries = library_chemistry_list();
  for (const auto& [name, entry] : defined) known_chemistries.push_back(name);
  auto add_chemistry = [&](const std::string& name) {
    if (config.find_chemistry(name) != nullptr) return true;
    auto found = defined.find(name);
    if (found != defined.end()) {
      config.chemistries.push_back(found->second);
      return true;
    }
    if (const kernels::Chemistry* library = find_library_chemistry(name)) {
      config.chemistries.push_back(PackChemistry{name, name, *library});
      return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < pack.modules.size(); ++i) {
    const meshes::ModuleLayout& m = pack.modules[i];
    if (add_chemistry(m.cell.chemistry)) continue;
    const std::string type_key = "cell_types." + m.cell.name + ".chemistry";
    const Scope s{nullptr, config.locations.count(type_key) ? "cell_types." + m.cell.name
                                                            : "module[" + std::to_string(i) + "]"};
    r.check_name(s, config.locations.count(type_key) ? "chemistry" : "cell_type", m.cell.chemistry,
                 known_chemistries, "chemistry");
  }
  for (const auto& [name, entry] : defined) add_chemistry(name);

  // Boundary conditions per outer face.
  for (auto& bc : config.boundaries) bc = kernels::BoundaryCondition{};
  if (const toml::table* boundary = r.table(top, "boundary")) {
    const Scope s{boundary, "boundary"};
    std::vector<std::string> keys{"default"};
    for (const char* face : kFaceKeys) keys.push_back(face);
    r.check_keys(s, keys);
    if (const toml::table* d = r.table(s, "default")) {
      const kernels::BoundaryCondition bc = parse_boundary(r, Scope{d, s.key("default")});
      for (auto& face : config.boundaries) face = bc;
    }
    for (int face = 0; face < kernels::kFaceCount; ++face) {
      if (const toml::table* t = r.table(s, kFaceKeys[face])) {
        config.boundaries[std::size_t(face)] = parse_boundary(r, Scope{t, s.key(kFaceKeys[face])});
      }
    }
  }

  parse_triggers(r, r.get(top, "trigger"), config, pack.cell_count());
  parse_probes(r, r.get(top, "probe"), config);
  parse_verdict(r, r.table(top, "verdict"), config);

  // Layout: overlaps and cells outside the enclosure, reported at the module's position.
  for (const meshes::LayoutProblem& p : meshes::find_layout_problems(pack)) {
    if (p.solid >= 0) {
      // A solid that leaves the interior is reported at the corner that does.
      const std::string prefix = "solids[" + std::to_string(p.solid) + "]";
      bool low_outside = false;
      const meshes::Box interior = meshes::enclosure_interior(pack.enclosure);
      for (int a = 0; a < 3; ++a) {
        low_outside = low_outside || pack.solids[std::size_t(p.solid)].box.lo[std::size_t(a)] <
                                         interior.lo[std::size_t(a)] - 1e-9;
      }
      const bool at_max =
          p.kind == meshes::LayoutProblem::Kind::kSolidOutsideEnclosure && !low_outside;
      r.fail_key(prefix + (at_max ? ".max" : ".min"), p.message);
    }
    const std::string prefix =
        modules->is_table() ? std::string("module") : "module[" + std::to_string(p.module) + "]";
    const int other = p.other_module;
    const std::string key = other >= 0 && !config.locations.count(prefix + ".position")
                                ? "module[" + std::to_string(other) + "].position"
                                : prefix + ".position";
    r.fail_key(key, p.message);
  }

  std::ostringstream text;
  text << root;
  config.resolved_toml = text.str();
  return config;
}

meshes::VoxelModel build_voxel_model(const PackConfig& config) {
  meshes::VoxelizeOptions options;
  options.voxel_size = config.mesh.voxel_size;
  options.max_memory_bytes = config.mesh.max_memory;
  try {
    return meshes::voxelize(config.pack, options);
  } catch (const meshes::MeshError& e) {
    const std::string key =
        e.kind() == meshes::MeshErrorKind::kMemory ? "mesh.voxel_size" : std::string("module");
    const SourceLocation at = config.location_of(key);
    throw bad_input(e.what(), ErrorContext{at.file, at.line, key, ""});
  }
}

}  // namespace runaway::host
