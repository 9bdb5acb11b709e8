// A config's files and command line: includes merged (load_config_table, parse_config_text),
// --set overrides applied (apply_override), and both for load_pack_config.
#include <filesystem>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/text.hpp"
#include "host/config/config.hpp"
#include "host/config/config_reader.hpp"

namespace runaway::host {

namespace fs = std::filesystem;
using config_detail::kCommandLinePrefix;
using config_detail::location_of_region;
using config_detail::value_text;

namespace {

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

}  // namespace

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

PackConfig load_pack_config(const std::string& path, const std::vector<std::string>& overrides) {
  std::vector<fs::path> stack;
  std::vector<std::string> files;
  toml::table root = load_file(fs::path(path), stack, files, SourceLocation{});
  for (const std::string& o : overrides) apply_override(root, o);
  PackConfig config = parse_pack_config(root, path);
  config.files = files;
  return config;
}

}  // namespace runaway::host
