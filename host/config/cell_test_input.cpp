#include "host/config/cell_test_input.hpp"

#include <cmath>
#include <map>

#include <fmt/core.h>

#include "host/config/config.hpp"
#include "host/config/config_reader.hpp"
#include "host/config/config_sections.hpp"
#include "host/config/toml_text.hpp"
#include "kernels/cell_events.hpp"
#include "meshes/library.hpp"

namespace runaway::host {

using config_detail::Reader;
using config_detail::Scope;

namespace {

constexpr double kPi = 3.14159265358979323846;

// The cell of a cell type: its jelly roll, outer surface and rated charge.
ReferenceCell reference_cell_of(const meshes::CellType& type) {
  ReferenceCell cell;
  cell.description = "cell type " + type.name;
  cell.jelly_roll_volume = type.jelly_roll_volume();
  if (type.shape == meshes::CellShape::kCylindrical) {
    cell.surface_area =
        kPi * type.diameter * type.height + 0.5 * kPi * type.diameter * type.diameter;
  } else {
    cell.surface_area = 2.0 * (type.width * type.thickness + type.width * type.height +
                               type.thickness * type.height);
  }
  cell.charge_capacity = type.capacity_ah * kernels::kSecondsPerHour;
  cell.voltage = type.nominal_voltage;
  return cell;
}

void override_positive(std::optional<double> value, const char* flag, const char* unit,
                       double& target) {
  if (!value) return;
  if (!std::isfinite(*value) || !(*value > 0.0)) {
    throw bad_input(fmt::format("must be a finite number > 0 {}", unit),
                    ErrorContext{"", 0, flag, fmt::format("{}", *value)});
  }
  target = *value;
}

}  // namespace

CellTestInput resolve_cell_test_input(const CellTestRequest& request) {
  const std::string origin = request.file.empty() ? std::string("(built-in)") : request.file;
  toml::table root = request.file.empty() ? toml::table{} : load_config_table(request.file);
  std::map<std::string, SourceLocation> locations;
  Reader r(origin, locations);
  const Scope top{&root, ""};
  // A pack carries sections `runaway cell` does not use; a chemistry file may hold only these.
  const bool pack = root.contains("run") || root.contains("module");
  if (!pack) r.check_keys(top, {"name", "description", "chemistries", "cell_types"});

  // The cell type (the library's, overlaid with the file's), which may name the chemistry.
  std::map<std::string, meshes::CellType> types;
  config_detail::parse_cell_types(r, r.table(top, "cell_types"), types);
  const meshes::CellType* type = nullptr;
  if (!request.cell_type.empty()) {
    const auto found = types.find(request.cell_type);
    if (found == types.end()) {
      std::vector<std::string> names;
      names.reserve(types.size());
      for (const auto& [name, t] : types) names.push_back(name);
      const std::string suggestion = closest_name(request.cell_type, names);
      throw bad_input(
          "unknown cell type" +
              (suggestion.empty() ? std::string() : " (did you mean \"" + suggestion + "\"?)"),
          ErrorContext{origin, 0, "--cell-type", request.cell_type});
    }
    type = &found->second;
  }
  std::string name = request.chemistry;
  if (name.empty()) name = type != nullptr ? type->chemistry : std::string("nrel-lco");

  // The chemistry: the file's [chemistries.NAME] (a library entry of that name is its default
  // base, as in a pack) or the library's, with the overrides applied as keys of that table.
  const std::string prefix = "chemistries." + name + ".";
  for (const std::string& assignment : request.chemistry_overrides) {
    apply_override(root, prefix + assignment);
  }
  const toml::table* chemistries = r.table(top, "chemistries");
  const toml::node* table = chemistries != nullptr ? chemistries->get(name) : nullptr;
  CellTestInput input;
  std::string base;
  if (table != nullptr) {
    const Scope s{table->as_table(), "chemistries." + name};
    if (s.table == nullptr) r.fail_at(*table, s.path, "expected a table, got " + type_name(*table));
    const PackChemistry parsed = config_detail::parse_chemistry(r, s, name);
    input.chemistry = parsed.chemistry;
    base = parsed.base;
    input.chemistry_origin = base.empty() ? origin : origin + " (base " + base + ")";
  } else {
    const ChemistryEntry& entry =
        find_chemistry_entry(name, ErrorContext{origin, 0, "--chemistry", ""});
    input.chemistry = entry.chemistry;
    base = name;
    input.chemistry_origin = "built-in";
  }

  input.base = base;
  // The cell: the cell type's, else the (base) library chemistry's reference cell.
  if (type != nullptr) {
    input.cell = reference_cell_of(*type);
  } else if (!base.empty()) {
    input.cell = find_chemistry_entry(base).cell;
  } else if (!(request.jelly_roll_volume && request.surface_area && request.capacity_ah &&
               request.voltage)) {
    throw bad_input(
        "a custom chemistry (no base) has no reference cell: give --cell-type, or --volume, "
        "--surface-area, --capacity-ah and --voltage",
        ErrorContext{origin, 0, "chemistries." + name, ""});
  }
  double capacity_ah = input.cell.charge_capacity / kernels::kSecondsPerHour;
  override_positive(request.jelly_roll_volume, "--volume", "m^3", input.cell.jelly_roll_volume);
  override_positive(request.surface_area, "--surface-area", "m^2", input.cell.surface_area);
  override_positive(request.capacity_ah, "--capacity-ah", "A h", capacity_ah);
  override_positive(request.voltage, "--voltage", "V", input.cell.voltage);
  input.cell.charge_capacity = capacity_ah * kernels::kSecondsPerHour;
  if (request.state_of_charge) {
    const double soc = *request.state_of_charge;
    if (!(soc >= 0.0 && soc <= 1.0)) {
      throw bad_input("must be a fraction in [0, 1]",
                      ErrorContext{"", 0, "--state-of-charge", fmt::format("{}", soc)});
    }
    input.cell.state_of_charge = soc;
  }
  if (input.cell.description.empty()) {
    input.cell.description = "cell from the command line";
  } else if (request.jelly_roll_volume || request.surface_area || request.capacity_ah ||
             request.voltage) {
    input.cell.description += " (resized on the command line)";
  }
  return input;
}

}  // namespace runaway::host
