#include "host/config/toml_text.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <string_view>

#include "common/error.hpp"
#include "common/text.hpp"
#include "host/chemistry/chemistry_library.hpp"

namespace runaway::host {

std::string float_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", int(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

namespace {

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

// A TOML value as TOML text, floats in their shortest form (0.2, not 0.20000000000000001).
std::string toml_text(const toml::node& n) {
  if (const auto* s = n.as_string()) return quoted(s->get());
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return float_text(f->get());
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* a = n.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + toml_text(*a->get(i));
    return out + "]";
  }
  if (const auto* t = n.as_table()) {
    if (t->empty()) return "{}";
    std::string out = "{ ";
    bool first = true;
    for (const auto& [k, v] : *t) {
      out += (first ? "" : ", ") +
             (is_bare_key(k.str()) ? std::string(k.str()) : quoted(std::string(k.str()))) + " = " +
             toml_text(v);
      first = false;
    }
    return out + " }";
  }
  std::ostringstream s;  // dates and times
  n.visit([&s](const auto& v) { s << v; });
  return s.str();
}

// As shown in a summary or a directory name: strings without quotes.
std::string display_text(const toml::node& n) {
  if (const auto* s = n.as_string()) return s->get();
  return toml_text(n);
}

std::optional<double> number_of(const toml::node& n) {
  if (const auto* i = n.as_integer()) return double(i->get());
  if (const auto* f = n.as_floating_point()) return f->get();
  return std::nullopt;
}

int line_of(const toml::node& n) {
  return int(n.source().begin.line);
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

void InputFileReader::fail(int line, const std::string& key, const std::string& message,
                           const std::string& value) const {
  throw bad_input(message, ErrorContext{file_.string(), line, key, value});
}

void InputFileReader::check_keys(const toml::table& t, const std::string& where,
                                 const std::vector<std::string>& allowed) const {
  for (const auto& [k, v] : t) {
    const std::string name(k.str());
    if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
    const std::string suggestion = closest_name(name, allowed);
    std::string message = "unknown key '" + name + "' ";
    message += where.empty() ? "at the top level" : "in " + where;
    message += suggestion.empty() ? "; valid keys: " + join(allowed)
                                  : "; did you mean '" + suggestion + "'?";
    std::string key = where;
    key += where.empty() ? name : "." + name;
    fail(line_of(v), key, message);
  }
}

}  // namespace runaway::host
