// Inside the config parser (config.cpp, config_sections.cpp, config_files.cpp): the Reader, typed
// access to TOML values with file, line and dotted key in every message, and where values were
// set. Not for use outside host/config/.
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/text.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/config/config.hpp"
#include "host/config/toml_text.hpp"
#include "meshes/library.hpp"

namespace runaway::host::config_detail {

using meshes::Vec3;

// Values from --set are parsed as TOML whose "file" is this prefix plus the assignment, so
// error messages point at the command line.
inline constexpr const char* kCommandLinePrefix = "--set ";

// Temperatures below this are almost certainly degrees Celsius typed into a kelvin key.
inline constexpr double kLowestPlausibleTemperature = 100.0;  // K

// ----- where things are ----------------------------------------------------------------------

inline SourceLocation location_of_region(const toml::source_region& s,
                                         const std::string& fallback) {
  if (s.path && !s.path->empty()) {
    if (s.path->rfind(kCommandLinePrefix, 0) == 0) return {*s.path, 0};
    return {*s.path, int(s.begin.line)};
  }
  return {fallback, 0};
}

inline std::string value_text(const toml::node& n) {
  if (n.is_table()) return "{...}";
  std::ostringstream s;
  n.visit([&s](const auto& v) { s << v; });
  std::string text = s.str();
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
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

}  // namespace runaway::host::config_detail
