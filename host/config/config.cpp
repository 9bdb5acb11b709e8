#include "host/config/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "meshes/library.hpp"
#include "meshes/voxelizer.hpp"

namespace runaway::host {

namespace fs = std::filesystem;
using meshes::Vec3;

namespace {

// Values from --set are parsed as TOML whose "file" is this prefix plus the assignment, so
// error messages point at the command line.
constexpr const char* kCommandLinePrefix = "--set ";

// Temperatures below this are almost certainly degrees Celsius typed into a kelvin key.
constexpr double kLowestPlausibleTemperature = 100.0;  // K

// ----- where things are ----------------------------------------------------------------------

SourceLocation location_of_region(const toml::source_region& s, const std::string& fallback) {
  if (s.path && !s.path->empty()) {
    if (s.path->rfind(kCommandLinePrefix, 0) == 0) return {*s.path, 0};
    return {*s.path, int(s.begin.line)};
  }
  return {fallback, 0};
}

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    default:
      return "a date or time";
  }
}

std::string value_text(const toml::node& n) {
  if (n.is_table()) return "{...}";
  std::ostringstream s;
  n.visit([&s](const auto& v) { s << v; });
  std::string text = s.str();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// ----- the reader: typed access with file/line/key context ------------------------------------

enum class Rule { kAny, kPositive, kNonNegative, kFraction, kTemperature };

// A table being read and its dotted path ("module[1].barrier"; "" for the root).
struct Scope {
  const toml::table* table = nullptr;
  std::string path;
  std::string key(const std::string& k) const { return path.empty() ? k : path + "." + k; }
};

class Reader {
 public:
  Reader(std::string main_file, std::map<std::string, SourceLocation>& locations)
      : main_file_(std::move(main_file)), locations_(locations) {}

  SourceLocation where(const toml::node& n) const {
    return location_of_region(n.source(), main_file_);
  }

  [[noreturn]] void fail(const SourceLocation& at, const std::string& key,
                         const std::string& message, const std::string& value = "") const {
    throw bad_input(message, ErrorContext{at.file, at.line, key, value});
  }
  [[noreturn]] void fail_at(const toml::node& n, const std::string& key,
                            const std::string& message) const {
    fail(where(n), key, message, value_text(n));
  }
  // A key the user must have written somewhere (the dotted key of a loaded value, or a table).
  [[noreturn]] void fail_key(const std::string& key, const std::string& message) const {
    auto found = locations_.find(key);
    fail(found != locations_.end() ? found->second : SourceLocation{main_file_, 0}, key, message);
  }

  // Rejects keys outside `allowed`, suggesting the closest one.
  void check_keys(const Scope& s, const std::vector<std::string>& allowed) const {
    for (const auto& [k, v] : *s.table) {
      const std::string name(k.str());
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      const std::string suggestion = closest_name(name, allowed);
      const std::string where_text = s.path.empty() ? "at the top level" : "in " + s.path;
      // Keys set from the command line have no source of their own; their values do.
      const SourceLocation at =
          k.source().path ? location_of_region(k.source(), main_file_) : where(v);
      std::string message = "unknown key '";
      message += name;
      message += "' ";
      message += where_text;
      message += suggestion.empty() ? "; valid keys: " + join(allowed)
                                    : "; did you mean '" + suggestion + "'?";
      fail(at, s.key(name), message);
    }
  }

  const toml::node* get(const Scope& s, const std::string& key) {
    const toml::node* n = s.table->get(key);
    if (n != nullptr) locations_[s.key(key)] = where(*n);
    return n;
  }

  [[noreturn]] void missing(const Scope& s, const std::string& key, const std::string& what) const {
    fail(where(*s.table), s.key(key), "missing required key '" + key + "' (" + what + ")");
  }

  double to_number(const toml::node& n, const std::string& key, Rule rule) const {
    double v = 0;
    if (auto i = n.as_integer()) {
      v = static_cast<double>(i->get());
    } else if (auto f = n.as_floating_point()) {
      v = f->get();
    } else {
      fail_at(n, key, "expected a number, got " + type_name(n));
    }
    if (!std::isfinite(v)) fail_at(n, key, "must be a finite number");
    switch (rule) {
      case Rule::kAny:
        break;
      case Rule::kPositive:
        if (!(v > 0)) fail_at(n, key, "must be positive (> 0)");
        break;
      case Rule::kNonNegative:
        if (!(v >= 0)) fail_at(n, key, "must not be negative");
        break;
      case Rule::kFraction:
        if (!(v >= 0 && v <= 1)) fail_at(n, key, "must be between 0 and 1");
        break;
      case Rule::kTemperature:
        if (!(v >= kLowestPlausibleTemperature)) {
          fail_at(n, key,
                  "is a temperature in kelvin and must be at least 100 K (25 degC = 298.15 K)");
        }
        break;
    }
    return v;
  }

  std::optional<double> number(const Scope& s, const std::string& key, Rule rule) {
    const toml::node* n = get(s, key);
    if (n == nullptr) return std::nullopt;
    return to_number(*n, s.key(key), rule);
  }
  double number_or(const Scope& s, const std::string& key, double fallback, Rule rule) {
    return number(s, key, rule).value_or(fallback);
  }
  double required_number(const Scope& s, const std::string& key, Rule rule,
                         const std::string& what) {
    auto v = number(s, key, rule);
    if (!v) missing(s, key, what);
    return *v;
  }

  int integer(const toml::node& n, const std::string& key, int minimum) const {
    auto i = n.as_integer();
    if (!i) fail_at(n, key, "expected an integer, got " + type_name(n));
    if (i->get() < minimum || i->get() > 1000000000) {
      fail_at(n, key, "must be an integer >= " + std::to_string(minimum));
    }
    return int(i->get());
  }
  std::optional<int> integer(const Scope& s, const std::string& key, int minimum) {
    const toml::node* n = get(s, key);
    if (n == nullptr) return std::nullopt;
    return integer(*n, s.key(key), minimum);
  }

  std::optional<std::string> text(const Scope& s, const std::string& key) {
    const toml::node* n = get(s, key);
    if (n == nullptr) return std::nullopt;
    auto v = n->as_string();
    if (!v) fail_at(*n, s.key(key), "expected a string, got " + type_name(*n));
    return v->get();
  }
  std::string required_text(const Scope& s, const std::string& key, const std::string& what) {
    auto v = text(s, key);
    if (!v) missing(s, key, what);
    return *v;
  }

  std::optional<bool> boolean(const Scope& s, const std::string& key) {
    const toml::node* n = get(s, key);
    if (n == nullptr) return std::nullopt;
    auto v = n->as_boolean();
    if (!v) fail_at(*n, s.key(key), "expected true or false, got " + type_name(*n));
    return v->get();
  }

  // Three numbers [x, y, z]; a single number means the same on every axis when allowed.
  std::optional<Vec3> vec3(const Scope& s, const std::string& key, Rule rule, bool allow_scalar) {
    const toml::node* n = get(s, key);
    if (n == nullptr) return std::nullopt;
    const std::string full = s.key(key);
    if (allow_scalar && (n->is_integer() || n->is_floating_point())) {
      const double v = to_number(*n, full, rule);
      return Vec3{v, v, v};
    }
    const toml::array* a = n->as_array();
    if (a == nullptr || a->size() != 3) {
      fail_at(*n, full,
              std::string("expected ") + (allow_scalar ? "a number or " : "") +
                  "an array of 3 numbers [x, y, z], got " +
                  (a ? "an array of " + std::to_string(a->size()) : type_name(*n)));
    }
    Vec3 v{};
    for (std::size_t i = 0; i < 3; ++i) v[i] = to_number(*a->get(i), full, rule);
    return v;
  }

  std::optional<meshes::Direction> direction(const Scope& s, const std::string& key) {
    auto t = text(s, key);
    if (!t) return std::nullopt;
    auto d = meshes::parse_direction(*t);
    if (!d) fail_key(s.key(key), "expected one of +x, -x, +y, -y, +z, -z, got '" + *t + "'");
    return d;
  }
  std::optional<int> axis(const Scope& s, const std::string& key) {
    auto t = text(s, key);
    if (!t) return std::nullopt;
    auto a = meshes::parse_axis(*t);
    if (!a) fail_key(s.key(key), "expected one of x, y, z, got '" + *t + "'");
    return a;
  }

  const toml::table* table(const Scope& s, const std::string& key) {
    const toml::node* n = get(s, key);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail_at(*n, s.key(key), "expected a table, got " + type_name(*n));
    return n->as_table();
  }

  // A name that must be one of `known`, with a suggestion when it is not.
  void check_name(const Scope& s, const std::string& key, const std::string& name,
                  const std::vector<std::string>& known, const std::string& kind) const {
    if (std::find(known.begin(), known.end(), name) != known.end()) return;
    const std::string suggestion = closest_name(name, known);
    fail_key(s.key(key), "unknown " + kind + " '" + name + "'" +
                             (suggestion.empty() ? "; known: " + join(known)
                                                 : "; did you mean '" + suggestion + "'?"));
  }

  const std::string& main_file() const { return main_file_; }

 private:
  std::string main_file_;
  std::map<std::string, SourceLocation>& locations_;
};

// ----- includes --------------------------------------------------------------------------------

void merge_into(toml::table& base, toml::table&& top) {
  for (auto&& [k, v] : top) {
    toml::node* existing = base.get(k.str());
    if (existing != nullptr && existing->is_table() && v.is_table()) {
      merge_into(*existing->as_table(), std::move(*v.as_table()));
    } else {
      base.insert_or_assign(k, std::move(v));
    }
  }
}

toml::table resolve_includes(toml::table t, const fs::path& file, std::vector<fs::path>& stack,
                             std::vector<std::string>& files);

toml::table load_file(const fs::path& path, std::vector<fs::path>& stack,
                      std::vector<std::string>& files, const SourceLocation& included_from) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  const fs::path id = ec ? path : canonical;
  auto cycle_start = std::find(stack.begin(), stack.end(), id);
  if (cycle_start != stack.end()) {
    std::string chain;
    for (auto it = cycle_start; it != stack.end(); ++it) chain += it->filename().string() + " -> ";
    chain += id.filename().string();
    throw bad_input("include cycle: " + chain,
                    ErrorContext{included_from.file, included_from.line, "include", path.string()});
  }
  if (!fs::is_regular_file(path)) {
    const std::string message = "cannot open config file '" + path.string() + "'";
    if (included_from.file.empty())
      throw bad_input(message, ErrorContext{path.string(), 0, "", ""});
    throw bad_input(message,
                    ErrorContext{included_from.file, included_from.line, "include", path.string()});
  }
  toml::table t;
  try {
    t = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    throw bad_input("TOML syntax error: " + std::string(e.description()),
                    ErrorContext{path.string(), int(e.source().begin.line), "", ""});
  }
  files.push_back(path.string());
  return resolve_includes(std::move(t), path, stack, files);
}

toml::table resolve_includes(toml::table t, const fs::path& file, std::vector<fs::path>& stack,
                             std::vector<std::string>& files) {
  toml::node* include = t.get("include");
  if (include == nullptr) return t;
  const SourceLocation at = location_of_region(include->source(), file.string());
  std::vector<std::string> names;
  if (auto s = include->as_string()) {
    names.push_back(s->get());
  } else if (auto a = include->as_array()) {
    for (const toml::node& n : *a) {
      auto s2 = n.as_string();
      if (!s2) {
        throw bad_input("expected a file name (string), got " + type_name(n),
                        ErrorContext{at.file, at.line, "include", value_text(n)});
      }
      names.push_back(s2->get());
    }
  } else {
    throw bad_input("expected a file name or an array of file names, got " + type_name(*include),
                    ErrorContext{at.file, at.line, "include", value_text(*include)});
  }
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(file, ec);
  stack.push_back(ec ? file : canonical);
  toml::table merged;
  for (const std::string& name : names) {
    fs::path included = fs::path(name);
    if (included.is_relative()) included = file.parent_path() / included;
    merge_into(merged, load_file(included, stack, files, at));
  }
  stack.pop_back();
  t.erase("include");
  merge_into(merged, std::move(t));
  return merged;
}

// ----- overrides ------------------------------------------------------------------------------

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

struct PathSegment {
  std::string name;
  std::optional<std::size_t> index;
};

bool is_bare_word(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
          c == '+' || c == '/')) {
      return false;
    }
  }
  return true;
}

// Parses the value of an override as TOML (its source names the command line).
toml::table parse_override_value(const std::string& value, const std::string& assignment) {
  const std::string origin = kCommandLinePrefix + assignment;
  try {
    return toml::parse("value = " + value, origin);
  } catch (const toml::parse_error& e) {
    if (is_bare_word(value)) return toml::parse("value = \"" + value + "\"", origin);
    throw bad_input("cannot read the value as TOML (" + std::string(e.description()) +
                        "); quote strings, e.g. key='\"text\"'",
                    ErrorContext{origin, 0, "", value});
  }
}

void assign_path(toml::table& t, const std::vector<PathSegment>& path, std::size_t i,
                 const std::string& value, const std::string& assignment,
                 const std::string& dotted) {
  const PathSegment& seg = path[i];
  const bool last = i + 1 == path.size();
  const std::string origin = kCommandLinePrefix + assignment;
  auto fail = [&](const std::string& message) {
    throw bad_input(message, ErrorContext{origin, 0, dotted, value});
  };
  if (last && !seg.index) {
    toml::table parsed = parse_override_value(value, assignment);
    t.insert_or_assign(seg.name, std::move(*parsed.get("value")));
    return;
  }
  toml::node* child = t.get(seg.name);
  if (seg.index) {
    toml::array* a = child != nullptr ? child->as_array() : nullptr;
    if (a == nullptr) fail("'" + seg.name + "' is not an array, so it cannot be indexed");
    if (*seg.index >= a->size()) {
      fail("index " + std::to_string(*seg.index) + " is out of range: '" + seg.name + "' has " +
           std::to_string(a->size()) + " entries");
    }
    if (last) {
      toml::table parsed = parse_override_value(value, assignment);
      a->replace(a->cbegin() + std::ptrdiff_t(*seg.index), std::move(*parsed.get("value")));
      return;
    }
    toml::table* element = a->get(*seg.index)->as_table();
    if (element == nullptr) fail("'" + seg.name + "' entries are not tables");
    assign_path(*element, path, i + 1, value, assignment, dotted);
    return;
  }
  if (child == nullptr) child = &t.insert_or_assign(seg.name, toml::table{}).first->second;
  if (toml::table* sub = child->as_table()) {
    assign_path(*sub, path, i + 1, value, assignment, dotted);
  } else if (child->is_array_of_tables()) {
    for (toml::node& element : *child->as_array()) {
      assign_path(*element.as_table(), path, i + 1, value, assignment, dotted);
    }
  } else {
    fail("'" + seg.name + "' is " + type_name(*child) + ", not a table");
  }
}

// ----- sections --------------------------------------------------------------------------------

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
                     "conductivity_through_plane", "emissivity", "is_jelly_roll", "source"});
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
    m.is_jelly_roll = r.boolean(s, "is_jelly_roll").value_or(m.is_jelly_roll);
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
    {"vent_time_constant", &kernels::Chemistry::vent_time_constant, Rule::kPositive},
    {"electrolyte_latent_heat", &kernels::Chemistry::electrolyte_latent_heat, Rule::kNonNegative},
    {"heat_of_combustion", &kernels::Chemistry::heat_of_combustion, Rule::kNonNegative},
    {"burned_fraction", &kernels::Chemistry::burned_fraction, Rule::kFraction},
    {"burn_time", &kernels::Chemistry::burn_time, Rule::kPositive},
};

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

std::vector<std::string> library_chemistry_list() {
  return chemistry_names();
}

// The built-in chemistry of that name, or nullptr.
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
  for (const ChemistryField& f : kChemistryFields) {
    auto v = r.number(s, f.key, f.rule);
    if (v) {
      entry.chemistry.*f.member = *v;
    } else if (library == nullptr) {
      // A custom chemistry states every constant; optional ones default as in the struct.
      const bool optional = std::strcmp(f.key, "runaway_rate_threshold") == 0;
      if (!optional) r.missing(s, f.key, "a custom chemistry (no base) needs every constant");
    }
  }
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

const char* const kFaceKeys[] = {"x_minus", "x_plus", "y_minus", "y_plus", "z_minus", "z_plus"};

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

}  // namespace

// ----- public ----------------------------------------------------------------------------------

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

toml::table load_config_table(const std::string& path) {
  std::vector<fs::path> stack;
  std::vector<std::string> files;
  return load_file(fs::path(path), stack, files, SourceLocation{});
}

toml::table parse_config_text(const std::string& text, const std::string& origin,
                              const std::string& base_directory) {
  toml::table t;
  try {
    t = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw bad_input("TOML syntax error: " + std::string(e.description()),
                    ErrorContext{origin, int(e.source().begin.line), "", ""});
  }
  std::vector<fs::path> stack;
  std::vector<std::string> files;
  return resolve_includes(std::move(t), fs::path(base_directory) / origin, stack, files);
}

void apply_override(toml::table& root, const std::string& assignment) {
  const auto equals = assignment.find('=');
  if (equals == std::string::npos) {
    throw bad_input("expected key=value, e.g. module.gap=0.003",
                    ErrorContext{"(command line)", 0, "--set", assignment});
  }
  const std::string key = trim(assignment.substr(0, equals));
  const std::string value = trim(assignment.substr(equals + 1));
  std::vector<PathSegment> path;
  std::stringstream parts(key);
  std::string part;
  while (std::getline(parts, part, '.')) {
    PathSegment seg;
    const auto bracket = part.find('[');
    seg.name = part.substr(0, bracket);
    if (bracket != std::string::npos) {
      const auto close = part.find(']', bracket);
      const std::string digits = part.substr(bracket + 1, close - bracket - 1);
      if (close != part.size() - 1 || digits.empty() ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        throw bad_input("bad index in '" + part + "'; write name[0]",
                        ErrorContext{kCommandLinePrefix + assignment, 0, key, value});
      }
      seg.index = std::size_t(std::stoul(digits));
    }
    if (seg.name.empty()) {
      throw bad_input("empty key segment",
                      ErrorContext{kCommandLinePrefix + assignment, 0, key, value});
    }
    path.push_back(seg);
  }
  if (path.empty() || value.empty()) {
    throw bad_input("expected key=value, e.g. module.gap=0.003",
                    ErrorContext{"(command line)", 0, "--set", assignment});
  }
  assign_path(root, path, 0, value, assignment, key);
}

std::string apply_override(const std::string& toml_text, const std::string& assignment) {
  toml::table t = parse_config_text(toml_text);
  apply_override(t, assignment);
  std::ostringstream s;
  s << t;
  return s.str();
}

PackConfig parse_pack_config(const toml::table& root, const std::string& file) {
  PackConfig config;
  config.file = file;
  Reader r(file, config.locations);
  const Scope top{&root, ""};
  r.check_keys(top, {"name", "description", "materials", "chemistries", "cell_types", "module",
                     "enclosure", "cooling_plate", "boundary", "trigger", "run", "output", "mesh"});
  config.name = r.text(top, "name").value_or(fs::path(file).stem().string());
  config.description = r.text(top, "description").value_or("");

  // Run control first: the oven's default start temperature is the initial temperature.
  const toml::table* run = r.table(top, "run");
  if (run == nullptr) r.missing(top, "run", "run control: end_time, ...");
  {
    const Scope s{run, "run"};
    r.check_keys(s,
                 {"end_time", "dt_min", "dt_max", "max_temperature_change", "initial_temperature"});
    RunControl& c = config.run;
    c.end_time = r.required_number(s, "end_time", Rule::kPositive, "s");
    c.dt_min = r.number_or(s, "dt_min", c.dt_min, Rule::kPositive);
    c.dt_max = r.number_or(s, "dt_max", c.dt_max, Rule::kPositive);
    if (c.dt_min > c.dt_max) r.fail_key(s.key("dt_min"), "must not exceed run.dt_max");
    c.max_temperature_change =
        r.number_or(s, "max_temperature_change", c.max_temperature_change, Rule::kPositive);
    c.initial_temperature =
        r.number_or(s, "initial_temperature", c.initial_temperature, Rule::kTemperature);
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
    r.check_keys(s, {"size", "wall_thickness", "wall_material", "gas"});
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
  }

  if (const toml::table* plate = r.table(top, "cooling_plate")) {
    const Scope s{plate, "cooling_plate"};
    r.check_keys(s, {"material", "thickness", "face"});
    pack.cooling_plate.material = r.text(s, "material").value_or("aluminium");
    r.check_name(s, "material", pack.cooling_plate.material, material_names, "material");
    pack.cooling_plate.thickness = r.required_number(s, "thickness", Rule::kPositive, "m");
    pack.cooling_plate.face = r.direction(s, "face").value_or(meshes::Direction::kZMinus);
  }

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

  // Layout: overlaps and cells outside the enclosure, reported at the module's position.
  for (const meshes::LayoutProblem& p : meshes::find_layout_problems(pack)) {
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

PackConfig load_pack_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::vector<fs::path> stack;
  std::vector<std::string> files;
  toml::table root = load_file(fs::path(path), stack, files, SourceLocation{});
  for (const std::string& o : overrides) apply_override(root, o);
  PackConfig config = parse_pack_config(root, path);
  config.files = files;
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
