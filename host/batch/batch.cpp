#include "host/batch/batch.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/config/config.hpp"
#include "io/results_reader.hpp"
#include "io/summary_table.hpp"

extern char** environ;

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCaseFile = "case.toml";
constexpr const char* kCasesFile = "cases.txt";
constexpr const char* kErrorFile = "error.txt";
constexpr const char* kLogFile = "run.log";
constexpr const char* kCheckpointFile = "checkpoint.h5";
constexpr const char* kResultsFile = "results.h5";
constexpr const char* kSlurmFile = "batch.slurm";
constexpr const char* kSweepCopy = "sweep.toml";
constexpr std::size_t kMaxCases = 10000;  // a sweep larger than this is almost surely a typo

// The config a case runs: DIR/case_NNN_x/case_NNN_x.toml, so that its results (and `runaway
// compare` of several cases) carry the case's name.
fs::path config_file(const fs::path& case_dir) {
  return case_dir / (case_dir.filename().string() + ".toml");
}

// ----- TOML values as text -----------------------------------------------------------------------

// The shortest text that reads back as the same double, always with a '.' or an exponent so
// that TOML reads a float.
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

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

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
  if (n.is_table()) return "a table";
  if (n.is_array()) return "a list";
  if (n.is_string()) return "a string";
  if (n.is_integer() || n.is_floating_point()) return "a number";
  if (n.is_boolean()) return "a boolean";
  return "a date or time";
}

std::string join(const std::vector<std::string>& words, const std::string& separator = ", ") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes through a temporary file renamed into place.
void write_text(const fs::path& path, const std::string& text) {
  fs::path temporary = path;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    out << text;
    if (!out.flush()) throw runtime_error("cannot write " + temporary.string());
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) throw runtime_error("cannot write " + path.string() + ": " + error.message());
}

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
  return s.substr(start);
}

// ----- the sweep file ----------------------------------------------------------------------------

class SweepReader {
 public:
  explicit SweepReader(fs::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(int line, const std::string& key, const std::string& message,
                         const std::string& value = "") const {
    throw bad_input(message, ErrorContext{file_.string(), line, key, value});
  }

  void check_keys(const toml::table& t, const std::string& where,
                  const std::vector<std::string>& allowed) const {
    for (const auto& [k, v] : t) {
      const std::string name(k.str());
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end()) continue;
      const std::string suggestion = closest_name(name, allowed);
      std::string message = "unknown key '" + name + "' ";
      message += where.empty() ? "at the top level" : "in " + where;
      message += suggestion.empty() ? "; valid keys: " + join(allowed)
                                    : "; did you mean '" + suggestion + "'?";
      fail(line_of(v), where.empty() ? name : dotted(where, name), message);
    }
  }

  // The edits a table of config keys makes ([fixed], a variant): `unset = ["key", ...]` first,
  // then every leaf value, nested tables joined with dots (so tables merge, as with --set).
  std::vector<ConfigEdit> edits(const toml::table& t, const std::string& where) const {
    std::vector<ConfigEdit> out;
    if (const toml::node* unset = t.get("unset")) {
      auto add = [&](const toml::node& n) {
        if (!n.is_string() || n.as_string()->get().empty()) {
          fail(line_of(n), where + ".unset",
               "expected config keys to remove, e.g. "
               "unset = [\"module.barrier\"]");
        }
        out.push_back({n.as_string()->get(), true, line_of(n)});
      };
      if (const toml::array* keys = unset->as_array()) {
        for (const toml::node& k : *keys) add(k);
      } else {
        add(*unset);
      }
    }
    leaves(t, "", out);
    return out;
  }

  // [parameters]: each leaf a list or a range; nested tables join their keys with dots.
  void parameters(const toml::table& t, const std::string& prefix,
                  std::vector<SweepAxis>& axes) const {
    for (const auto& [k, v] : t) {
      const std::string key = dotted(prefix, k.str());
      const toml::table* sub = v.as_table();
      if (sub != nullptr && !is_range(*sub)) {
        if (sub->empty()) fail(line_of(v), key, "empty table: nothing to sweep");
        parameters(*sub, key, axes);
        continue;
      }
      SweepAxis axis;
      axis.name = key;
      axis.line = line_of(v);
      if (sub != nullptr) {
        axis.points = range(*sub, key);
      } else if (const toml::array* list = v.as_array()) {
        if (list->empty()) fail(axis.line, key, "empty list: a swept key needs at least one value");
        for (const toml::node& item : *list) {
          SweepPoint p;
          p.text = display_text(item);
          p.number = number_of(item);
          p.line = line_of(item) > 0 ? line_of(item) : axis.line;
          p.edits = {{key + "=" + toml_text(item), false, p.line}};
          axis.points.push_back(std::move(p));
        }
      } else {
        fail(axis.line, key,
             "expected a list [a, b, ...] or a range { start, stop, count } or { start, stop, "
             "step }, got " +
                 type_name(v) + "; a value every case shares belongs in [fixed]",
             toml_text(v));
      }
      axes.push_back(std::move(axis));
    }
  }

  // [variants.NAME]: named sets of edits, in file order; {} changes nothing.
  void variants(const toml::table& t, std::vector<SweepAxis>& axes) const {
    for (const auto& [k, v] : t) {
      const std::string name(k.str());
      const toml::table* entries = v.as_table();
      if (entries == nullptr) {
        fail(line_of(v), "variants." + name,
             "expected a table of named edit sets, e.g. [variants." + name +
                 "] none = {}, aerogel = { \"module.barrier.material\" = \"aerogel\" }");
      }
      if (entries->empty()) fail(line_of(v), "variants." + name, "no variants: nothing to sweep");
      SweepAxis axis;
      axis.name = name;
      axis.is_variant = true;
      axis.line = line_of(v);
      std::vector<std::pair<toml::source_position, SweepPoint>> ordered;
      for (const auto& [vk, vv] : *entries) {
        const std::string where = "variants." + name + "." + std::string(vk.str());
        const toml::table* set = vv.as_table();
        if (set == nullptr) {
          fail(line_of(vv), where,
               "expected a table of config keys, e.g. { \"module.gap\" = 0.004 }, got " +
                   type_name(vv));
        }
        SweepPoint p;
        p.text = std::string(vk.str());
        p.number = whole_number(p.text);
        p.line = line_of(vv);
        p.edits = edits(*set, where);
        ordered.emplace_back(vk.source().begin, std::move(p));
      }
      std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
        return a.first.line != b.first.line ? a.first.line < b.first.line
                                            : a.first.column < b.first.column;
      });
      for (auto& entry : ordered) axis.points.push_back(std::move(entry.second));
      axes.push_back(std::move(axis));
    }
  }

 private:
  static std::string dotted(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
  }

  // A variant named like a number ("0.002") gives a numeric summary column.
  static std::optional<double> whole_number(const std::string& text) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  }

  void leaves(const toml::table& t, const std::string& prefix, std::vector<ConfigEdit>& out) const {
    for (const auto& [k, v] : t) {
      if (prefix.empty() && k.str() == "unset") continue;
      const std::string key = dotted(prefix, k.str());
      if (const toml::table* sub = v.as_table(); sub != nullptr && !sub->empty()) {
        leaves(*sub, key, out);
      } else {
        out.push_back({key + "=" + toml_text(v), false, line_of(v)});
      }
    }
  }

  static bool is_range(const toml::table& t) {
    return t.contains("start") || t.contains("stop") || t.contains("count") || t.contains("step");
  }

  double range_number(const toml::table& t, const std::string& key, const char* name) const {
    const toml::node* n = t.get(name);
    if (n == nullptr) fail(line_of(t), key, std::string("a range needs '") + name + "'");
    const std::optional<double> v = number_of(*n);
    if (!v || !std::isfinite(*v)) {
      fail(line_of(*n), key, std::string("range ") + name + " must be a finite number",
           toml_text(*n));
    }
    return *v;
  }

  // { start, stop, count } (both ends included) or { start, stop, step }.
  std::vector<SweepPoint> range(const toml::table& t, const std::string& key) const {
    check_keys(t, key, {"start", "stop", "count", "step"});
    const double start = range_number(t, key, "start");
    const double stop = range_number(t, key, "stop");
    const bool has_count = t.contains("count");
    if (has_count == t.contains("step")) {
      fail(line_of(t), key, "a range needs either 'count' or 'step' (not both)", toml_text(t));
    }
    std::vector<double> values;
    bool integral = t.get("start")->is_integer() && t.get("stop")->is_integer();
    if (has_count) {
      const toml::node& n = *t.get("count");
      if (!n.is_integer()) fail(line_of(n), key, "range count must be an integer", toml_text(n));
      const std::int64_t count = n.as_integer()->get();
      if (count < 1) {
        fail(line_of(n), key,
             "empty range: count = " + std::to_string(count) + " gives no values (need >= 1)",
             toml_text(t));
      }
      if (count > std::int64_t(kMaxCases)) {
        fail(line_of(n), key, "range count is larger than " + std::to_string(kMaxCases));
      }
      for (std::int64_t i = 0; i < count; ++i) {
        const double f = count == 1 ? 0.0 : double(i) / double(count - 1);
        values.push_back(i == count - 1 && count > 1 ? stop : start + (stop - start) * f);
      }
    } else {
      const double step = range_number(t, key, "step");
      integral = integral && t.get("step")->is_integer();
      if (step == 0) fail(line_of(t), key, "range step must not be 0", toml_text(t));
      const double steps = (stop - start) / step;
      if (steps < -1e-9) {
        fail(line_of(t), key,
             "empty range: going from start to stop by step gives no values (step has the "
             "wrong sign?)",
             toml_text(t));
      }
      if (steps > double(kMaxCases)) {
        fail(line_of(t), key, "range has more than " + std::to_string(kMaxCases) + " values");
      }
      const auto count = std::int64_t(std::floor(steps + 1e-9)) + 1;
      for (std::int64_t i = 0; i < count; ++i) values.push_back(start + step * double(i));
    }
    std::vector<SweepPoint> points;
    for (double v : values) {
      // Rounded to 12 significant digits: 0.02 + 3 * 0.06 is 0.2, not 0.19999999999999998.
      v = std::stod(fmt::format("{:.12g}", v));
      SweepPoint p;
      const bool whole = integral && std::fabs(v) < 9e15 && v == std::floor(v);
      p.text = whole ? std::to_string(std::int64_t(v)) : float_text(v);
      p.number = v;
      p.line = line_of(t);
      p.edits = {{key + "=" + p.text, false, p.line}};
      points.push_back(std::move(p));
    }
    return points;
  }

  fs::path file_;
};

// ----- edits and the config schema ---------------------------------------------------------------

std::string edit_key(const ConfigEdit& e) {
  return e.unset ? e.text : trimmed(e.text.substr(0, e.text.find('=')));
}
std::string edit_value(const ConfigEdit& e) {
  const auto equals = e.text.find('=');
  return e.unset || equals == std::string::npos ? "" : trimmed(e.text.substr(equals + 1));
}
// Where the config's messages say an edit came from.
std::string edit_origin(const ConfigEdit& e) {
  return (e.unset ? "unset " : "--set ") + e.text;
}

// `a` is `b` or a key inside it (module.barrier inside module; module[1].gap inside module).
bool key_within(const std::string& a, const std::string& b) {
  if (a.size() < b.size() || a.compare(0, b.size(), b) != 0) return false;
  return a.size() == b.size() || a[b.size()] == '.' || a[b.size()] == '[';
}

struct KeySegment {
  std::string name;
  std::optional<std::size_t> index;
};

// Removes `path` from `t`; through an array of tables without an index, from every element.
bool remove_path(toml::table& t, const std::vector<KeySegment>& path, std::size_t i) {
  const KeySegment& seg = path[i];
  const bool last = i + 1 == path.size();
  toml::node* child = t.get(seg.name);
  if (child == nullptr) return false;
  if (seg.index) {
    toml::array* a = child->as_array();
    if (a == nullptr || *seg.index >= a->size()) return false;
    if (last) {
      a->erase(a->cbegin() + std::ptrdiff_t(*seg.index));
      return true;
    }
    toml::table* element = a->get(*seg.index)->as_table();
    return element != nullptr && remove_path(*element, path, i + 1);
  }
  if (last) {
    t.erase(seg.name);
    return true;
  }
  if (toml::table* sub = child->as_table()) return remove_path(*sub, path, i + 1);
  bool removed = false;
  if (child->is_array_of_tables()) {
    for (toml::node& element : *child->as_array()) {
      removed = remove_path(*element.as_table(), path, i + 1) || removed;
    }
  }
  return removed;
}

void unset_key(toml::table& root, const ConfigEdit& edit) {
  const ErrorContext context{edit_origin(edit), 0, edit.text, ""};
  std::vector<KeySegment> path;
  std::stringstream parts(edit.text);
  std::string part;
  while (std::getline(parts, part, '.')) {
    KeySegment seg;
    const auto bracket = part.find('[');
    seg.name = part.substr(0, bracket);
    if (bracket != std::string::npos) {
      const std::string digits = part.substr(bracket + 1, part.size() - bracket - 2);
      if (part.back() != ']' || digits.empty() ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        throw bad_input("bad index in '" + part + "'; write name[0]", context);
      }
      seg.index = std::size_t(std::stoul(digits));
    }
    if (seg.name.empty()) throw bad_input("empty key segment", context);
    path.push_back(seg);
  }
  if (path.empty() || !remove_path(root, path, 0)) {
    throw bad_input("the config does not set this key, so there is nothing to unset", context);
  }
}

void apply_edit(toml::table& table, const ConfigEdit& edit) {
  if (edit.unset) {
    unset_key(table, edit);
  } else {
    apply_override(table, edit.text);
  }
}

// Applies `edits` to a copy of `base` and parses it: the config's error, if any, and otherwise
// the edited config as TOML text in `text`.
std::optional<Error> config_error(const toml::table& base, const std::vector<ConfigEdit>& edits,
                                  const std::string& base_name, std::string* text = nullptr) {
  try {
    toml::table table = base;
    for (const ConfigEdit& e : edits) apply_edit(table, e);
    parse_pack_config(table, base_name);
    if (text != nullptr) {
      std::ostringstream s;
      s << table;
      *text = s.str();
    }
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

// The edit an error of the config is about: the one whose --set (or unset) it names, else the
// last one whose key contains, or is contained in, the error's key. -1 when none.
int blamed_edit(const Error& e, const std::vector<ConfigEdit>& edits) {
  for (std::size_t i = 0; i < edits.size(); ++i) {
    if (e.context().file == edit_origin(edits[i])) return int(i);
  }
  const std::string& key = e.context().key;
  if (key.empty()) return -1;
  for (std::size_t i = edits.size(); i-- > 0;) {
    const std::string k = edit_key(edits[i]);
    if (key_within(key, k) || key_within(k, key)) return int(i);
  }
  return -1;
}

// What the config said, with its own key when it is not the edited one.
std::string config_message(const Error& e, const std::string& edited_key) {
  const std::string& key = e.context().key;
  if (key.empty() || key == edited_key) return e.message();
  return key + ": " + e.message();
}

// A piece of a case's directory name: letters, digits and . - + only.
std::string name_part(const std::string& s, std::size_t limit) {
  std::string out;
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+') {
      out += c;
    } else if (c == ' ' || c == '[' || c == ']' || c == '{' || c == '}' || c == '"') {
      continue;
    } else if (out.empty() || out.back() != '_') {
      out += '_';
    }
  }
  if (out.size() > limit) out.resize(limit);
  return out.empty() ? "_" : out;
}

// Short axis names for directory names: the last key segment, or its last word when long.
std::vector<std::string> short_names(const std::vector<SweepAxis>& axes) {
  std::vector<std::string> names;
  for (const SweepAxis& a : axes) {
    std::string n = a.name;
    if (!a.is_variant) {
      const auto dot = n.rfind('.');
      n = n.substr(dot == std::string::npos ? 0 : dot + 1);
      n = n.substr(0, n.find('['));
      const auto underscore = n.rfind('_');
      if (n.size() > 12 && underscore != std::string::npos) n = n.substr(underscore + 1);
    }
    names.push_back(n);
  }
  std::vector<std::string> unique = names;
  for (std::size_t i = 0; i < names.size(); ++i) {  // clashing short names: the whole key
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (i != j && names[i] == names[j]) unique[i] = axes[i].name;
    }
  }
  for (std::string& n : unique) n = name_part(n, 40);
  return unique;
}

// ----- case.toml: what the case is, for people and for --collect ---------------------------------

std::string case_toml(const Sweep& sweep, const SweepCase& c) {
  std::string out =
      "# One case of a `runaway batch` sweep (docs/batch.md). The .toml named like this folder is\n"
      "# the base config with these edits; `runaway run` runs it into this folder. --collect\n"
      "# reads this file.\n";
  out += fmt::format("case = {}\n", c.index);
  out += "sweep = " + quoted(fs::absolute(sweep.file).lexically_normal().string()) + "\n";
  out += "base = " + quoted(sweep.base.string()) + "\n";
  std::vector<std::string> names, values, set, unset;
  for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
    const SweepPoint& p = sweep.axes[a].points[c.point[a]];
    names.push_back(quoted(sweep.axes[a].name));
    values.push_back(p.number ? float_text(*p.number) : quoted(p.text));
  }
  for (const ConfigEdit& e : c.edits) (e.unset ? unset : set).push_back(quoted(e.text));
  out += "parameters = [" + join(names) + "]\n";
  out += "values = [" + join(values) + "]\n";
  out += "set = [" + join(set) + "]\n";
  if (!unset.empty()) out += "unset = [" + join(unset) + "]\n";
  if (!c.invalid.empty()) out += "invalid = " + quoted(c.invalid) + "\n";
  return out;
}

struct CaseRecord {
  int index = 0;
  std::vector<std::string> parameters;
  std::vector<std::string> text;
  std::vector<std::optional<double>> number;
  std::string invalid;
};

CaseRecord read_case_toml(const fs::path& file) {
  toml::table t;
  try {
    t = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw bad_input("not a case file of runaway batch: " + std::string(e.description()),
                    ErrorContext{file.string(), int(e.source().begin.line), "", ""});
  }
  auto fail = [&](const std::string& key, const std::string& message) {
    throw bad_input(message + " (a case.toml written by runaway batch has it)",
                    ErrorContext{file.string(), 0, key, ""});
  };
  CaseRecord r;
  const auto index = t["case"].value<std::int64_t>();
  if (!index || *index < 0) fail("case", "missing or not a case number");
  r.index = int(*index);
  const toml::array* names = t["parameters"].as_array();
  const toml::array* values = t["values"].as_array();
  if (names == nullptr || values == nullptr || names->size() != values->size()) {
    fail("parameters", "missing, or not as many as `values`");
  }
  for (std::size_t i = 0; i < names->size(); ++i) {
    const auto name = names->get(i)->value<std::string>();
    if (!name) fail("parameters", "expected parameter names");
    r.parameters.push_back(*name);
    r.text.push_back(display_text(*values->get(i)));
    r.number.push_back(number_of(*values->get(i)));
  }
  r.invalid = t["invalid"].value_or(std::string());
  return r;
}

// ----- running cases -----------------------------------------------------------------------------

std::atomic<int> g_batch_signal{0};
extern "C" void on_batch_signal(int signal) {
  g_batch_signal.store(signal);
}

// SIGINT/SIGTERM stop the batch from starting cases and interrupt waitpid (no SA_RESTART).
class BatchSignals {
 public:
  BatchSignals() {
    g_batch_signal.store(0);
    struct sigaction action {};
    action.sa_handler = on_batch_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
  }
  ~BatchSignals() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
  }
  BatchSignals(const BatchSignals&) = delete;
  BatchSignals& operator=(const BatchSignals&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

// Starts `executable args...` with stdin from /dev/null, stdout and stderr into `log`, and the
// environment changed by `environment` ("NAME=value"). Returns the pid; throws on failure.
pid_t spawn(const fs::path& executable, const std::vector<std::string>& args, const fs::path& log,
            const std::vector<std::string>& environment) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    const bool replaced = std::any_of(environment.begin(), environment.end(), [&](const auto& n) {
      return n.compare(0, name.size() + 1, name + "=") == 0;
    });
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), environment.begin(), environment.end());
  std::vector<char*> envp, argv;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string program = "runaway";
  std::vector<std::string> arguments = args;
  argv.push_back(program.data());
  for (std::string& a : arguments) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int status =
      posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (status != 0) {
    throw runtime_error("cannot start " + executable.string() + ": " + std::strerror(status));
  }
  return pid;
}

// The error of a failed `runaway run`: its "runaway: error:" line, else how it ended.
std::string failure_text(const fs::path& log, int wait_status) {
  std::istringstream lines(read_text(log));
  std::string line, error;
  const std::string prefix = "runaway: error: ";
  while (std::getline(lines, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) error = line.substr(prefix.size());
  }
  if (!error.empty()) return error;
  if (WIFSIGNALED(wait_status)) {
    return fmt::format("runaway run was killed by signal {} ({})", WTERMSIG(wait_status),
                       strsignal(WTERMSIG(wait_status)));
  }
  return fmt::format("runaway run exited with status {} (see {})", WEXITSTATUS(wait_status),
                     log.string());
}

bool results_complete(const fs::path& case_dir) {
  if (!fs::exists(case_dir / kResultsFile)) return false;
  try {
    return io::ResultsReader(case_dir, true).complete();
  } catch (const Error&) {
    return false;  // unreadable: run again
  }
}

std::string clock_text(double seconds) {
  const long s = std::lround(seconds);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// The arguments that run, or continue, the case in `case_dir`: from its checkpoint when an
// earlier run was interrupted.
std::vector<std::string> case_arguments(const fs::path& case_dir) {
  if (fs::exists(case_dir / kCheckpointFile)) {
    return {"run", "--restart", (case_dir / kCheckpointFile).string(), "-q"};
  }
  return run_arguments(case_dir);
}

// The cases running as child processes: at most `jobs` at once, each with one GPU when there
// are GPUs (round robin over the worker slots), each writing its output to its run.log.
class CaseProcesses {
 public:
  struct Finished {
    fs::path case_dir;
    int wait_status = 0;
    double wall_time = 0;      // s
    bool interrupted = false;  // the batch passed on a SIGINT/SIGTERM to it
  };

  CaseProcesses(fs::path executable, int jobs, std::vector<std::string> gpus)
      : executable_(std::move(executable)), gpus_(std::move(gpus)), busy_(std::size_t(jobs)) {
    // Without GPUs the cases share the CPU cores: one OpenMP team each, unless the user chose.
    const unsigned cores = std::thread::hardware_concurrency();
    if (jobs > 1 && cores > 0 && std::getenv("OMP_NUM_THREADS") == nullptr) {
      threads_ = std::max(1u, cores / unsigned(jobs));
    }
  }

  std::size_t running() const { return children_.size(); }
  bool has_room() const { return children_.size() < busy_.size(); }

  // Starts `runaway args...` for the case; throws runaway::Error when it cannot.
  void start(const fs::path& case_dir, const std::vector<std::string>& args) {
    const auto slot = std::size_t(std::find(busy_.begin(), busy_.end(), false) - busy_.begin());
    std::vector<std::string> environment;
    if (!gpus_.empty()) environment.push_back("CUDA_VISIBLE_DEVICES=" + gpus_[slot % gpus_.size()]);
    if (threads_ > 0) environment.push_back(fmt::format("OMP_NUM_THREADS={}", threads_));
    const pid_t pid = spawn(executable_, args, case_dir / kLogFile, environment);
    children_[pid] = {case_dir, slot, std::chrono::steady_clock::now()};
    busy_[slot] = true;
  }

  // Waits for a case to end. A SIGINT/SIGTERM to the batch is passed on to the running cases
  // (once), so that they write their checkpoints; the wait then returns nothing.
  std::optional<Finished> wait() {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno != EINTR) throw runtime_error(std::string("waitpid: ") + std::strerror(errno));
      if (g_batch_signal.load() != 0 && !forwarded_) {
        for (const auto& [child, info] : children_) kill(child, g_batch_signal.load());
        forwarded_ = true;
        fmt::print(
            "runaway batch: interrupted; waiting for {} running case(s) to write their "
            "checkpoints\n",
            children_.size());
        std::fflush(stdout);
      }
      return std::nullopt;
    }
    const auto found = children_.find(pid);
    if (found == children_.end()) return std::nullopt;  // not one of ours
    const Child child = found->second;
    children_.erase(found);
    busy_[child.slot] = false;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - child.start;
    return Finished{child.case_dir, status, wall.count(), forwarded_};
  }

 private:
  struct Child {
    fs::path case_dir;
    std::size_t slot = 0;
    std::chrono::steady_clock::time_point start;
  };
  fs::path executable_;
  std::vector<std::string> gpus_;
  std::vector<bool> busy_;  // per worker slot
  unsigned threads_ = 0;    // OMP_NUM_THREADS for each case; 0: leave it
  std::map<pid_t, Child> children_;
  bool forwarded_ = false;
};

// What became of a finished case, in a line; a failure is written to its error.txt.
std::string outcome(const CaseProcesses::Finished& f) {
  const bool exited_ok = WIFEXITED(f.wait_status) && WEXITSTATUS(f.wait_status) == 0;
  if (exited_ok && results_complete(f.case_dir)) {
    try {
      return "done in " + clock_text(f.wall_time) + ": " + summarize_results(f.case_dir).verdict;
    } catch (const Error& e) {
      return std::string("done, but its results do not read: ") + e.what();
    }
  }
  if (f.interrupted) return "interrupted; the next run continues it from its checkpoint";
  const std::string error = exited_ok ? "runaway run ended without completing results.h5"
                                      : failure_text(f.case_dir / kLogFile, f.wait_status);
  write_text(f.case_dir / kErrorFile, error + "\n");
  return "failed after " + clock_text(f.wall_time) + ": " + error;
}

// cases.txt: per runnable case its directory, a tab, and its `runaway run` arguments quoted for
// the shell (the Slurm script runs line i+1 in array task i).
std::string cases_text(const std::vector<SweepCase>& cases, const fs::path& dir) {
  std::string out;
  for (const SweepCase& c : cases) {
    if (!c.invalid.empty()) continue;
    std::string line = c.directory + "\t";
    for (const std::string& a : run_arguments(dir / c.directory)) {
      line += (line.back() == '\t' ? "" : " ") + shell_quoted(a);
    }
    out += line + "\n";
  }
  return out;
}

// Refuses an output directory holding anything but this sweep's cases, or cases that ran with
// another config (the base file or the sweep changed since).
void check_output_dir(const fs::path& dir, const std::vector<SweepCase>& planned) {
  const ErrorContext context{"", 0, "--output", dir.string()};
  if (!fs::exists(dir)) return;
  if (!fs::is_directory(dir)) throw bad_input("exists and is not a directory", context);
  if (!fs::exists(dir / kCasesFile)) {
    if (!fs::is_empty(dir)) {
      throw bad_input(
          "exists and is not a batch directory (no cases.txt); choose a new or empty directory",
          context);
    }
    return;
  }
  std::set<std::string> names;
  for (const SweepCase& c : planned) names.insert(c.directory);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("case_", 0) == 0 && names.count(name) == 0 &&
        fs::exists(entry.path() / kCaseFile)) {
      throw bad_input("holds case " + name +
                          ", which this sweep does not have: it belongs to another sweep; "
                          "choose a new directory, or remove that case",
                      context);
    }
  }
  for (const SweepCase& c : planned) {
    const fs::path case_dir = dir / c.directory;
    const fs::path config = config_file(case_dir);
    const bool ran = fs::exists(case_dir / kResultsFile) || fs::exists(case_dir / kCheckpointFile);
    if (ran && (c.invalid.empty() ? !fs::exists(config) || read_text(config) != c.config_text
                                  : fs::exists(config))) {
      throw bad_input(c.directory +
                          " ran with another config (the base file or the sweep changed since); "
                          "choose a new directory, or remove that case to run it again",
                      context);
    }
  }
}

std::string slurm_script(const fs::path& dir, const fs::path& executable, std::size_t cases,
                         const fs::path& sweep_file) {
  std::error_code error;
  fs::path binary = fs::read_symlink(executable, error);
  if (error) binary = fs::absolute(executable);
  std::string out = "#!/bin/bash\n";
  out += "# Slurm job array of the runaway batch sweep " + sweep_file.string() + ":\n";
  out += "# task i runs line i+1 of cases.txt with `runaway run`, one case and one GPU per task.\n";
  out += "#   submit:      sbatch " + (dir / kSlurmFile).string() + "\n";
  out += "#   afterwards:  runaway batch --collect " + dir.string() + "\n";
  out +=
      "# A case whose results.h5 is complete is skipped; one with a checkpoint continues from "
      "it.\n";
  out += "# Add your cluster's --partition, --account and --time below.\n";
  out += "#SBATCH --job-name=runaway-batch\n";
  out += fmt::format("#SBATCH --array=0-{}\n", cases - 1);
  out += "#SBATCH --ntasks=1\n";
  out += "#SBATCH --gres=gpu:1\n";
  out += "#SBATCH --output=" + (dir / "slurm-%A_%a.out").string() + "\n";
  out += "set -euo pipefail\n\n";
  out += "RUNAWAY=\"${RUNAWAY:-" + binary.string() + "}\"\n";
  out += "BATCH_DIR=" + shell_quoted(dir.string()) + "\n";
  out += R"SH(line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$BATCH_DIR/cases.txt")
if [ -z "$line" ]; then
  echo "no line $((SLURM_ARRAY_TASK_ID + 1)) in $BATCH_DIR/cases.txt" >&2
  exit 2
fi
case_name=${line%%$'\t'*}
case_dir="$BATCH_DIR/$case_name"
# `runaway compare` refuses an incomplete results.h5: it checks that the case is finished.
if [ -f "$case_dir/results.h5" ] && "$RUNAWAY" compare "$case_dir" > /dev/null 2>&1; then
  echo "$case_name: results complete, skipped"
  exit 0
fi
if [ -f "$case_dir/checkpoint.h5" ]; then
  set -- run --restart "$case_dir/checkpoint.h5" -q
else
  eval "set -- ${line#*$'\t'}"  # the arguments, shell-quoted by runaway batch
fi
rm -f "$case_dir/error.txt"
echo "$case_name: runaway $* (GPU ${CUDA_VISIBLE_DEVICES:-none})"
status=0
"$RUNAWAY" "$@" > "$case_dir/run.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  error=$(sed -n 's/^runaway: error: //p' "$case_dir/run.log" | tail -n 1)
  echo "${error:-runaway run exited with status $status (see $case_dir/run.log)}" > "$case_dir/error.txt"
  cat "$case_dir/error.txt" >&2
fi
exit "$status"
)SH";
  return out;
}

}  // namespace

// ----- public: sweeps ----------------------------------------------------------------------------

Sweep load_sweep(const fs::path& file) {
  if (!fs::is_regular_file(file)) {
    throw bad_input("cannot open the sweep file", ErrorContext{file.string(), 0, "", ""});
  }
  Sweep sweep;
  sweep.file = file;  // as given, for messages
  sweep.text = read_text(file);
  const SweepReader r(file);
  toml::table t;
  try {
    t = toml::parse(sweep.text, file.string());
  } catch (const toml::parse_error& e) {
    r.fail(int(e.source().begin.line), "", "TOML syntax error: " + std::string(e.description()));
  }
  r.check_keys(t, "",
               {"base", "description", "mode", "skip_invalid", "parameters", "variants", "fixed"});

  const toml::node* base = t.get("base");
  if (base == nullptr || !base->is_string()) {
    r.fail(base ? line_of(*base) : 0, "base",
           "the sweep needs base = \"path/to/config.toml\" (relative to the sweep file)");
  }
  fs::path base_path = base->as_string()->get();
  if (base_path.is_relative()) base_path = fs::absolute(file).parent_path() / base_path;
  sweep.base = base_path.lexically_normal();
  if (!fs::is_regular_file(sweep.base)) {
    r.fail(line_of(*base), "base", "no such config file: " + sweep.base.string(), toml_text(*base));
  }

  if (const toml::node* mode = t.get("mode")) {
    const std::string m = mode->value_or(std::string());
    if (m == "zip") {
      sweep.mode = SweepMode::kZip;
    } else if (m != "cartesian") {
      const std::string suggestion = closest_name(m, {"cartesian", "zip"});
      r.fail(line_of(*mode), "mode",
             "expected \"cartesian\" (every combination) or \"zip\" (the i-th value of every "
             "key together)" +
                 (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"),
             toml_text(*mode));
    }
  }
  if (const toml::node* skip = t.get("skip_invalid")) {
    if (!skip->is_boolean()) r.fail(line_of(*skip), "skip_invalid", "expected true or false");
    sweep.skip_invalid = skip->as_boolean()->get();
  }
  if (const toml::node* fixed = t.get("fixed")) {
    if (!fixed->is_table()) r.fail(line_of(*fixed), "fixed", "expected a table of config keys");
    sweep.fixed = r.edits(*fixed->as_table(), "fixed");
  }
  if (const toml::node* parameters = t.get("parameters")) {
    if (!parameters->is_table()) {
      r.fail(line_of(*parameters), "parameters", "expected a table of config keys");
    }
    r.parameters(*parameters->as_table(), "", sweep.axes);
  }
  if (const toml::node* variants = t.get("variants")) {
    if (!variants->is_table()) r.fail(line_of(*variants), "variants", "expected a table");
    r.variants(*variants->as_table(), sweep.axes);
  }
  if (sweep.axes.empty()) {
    r.fail(0, "parameters",
           "nothing to sweep: give [parameters] (config keys with lists or ranges) or "
           "[variants.NAME]");
  }
  std::stable_sort(sweep.axes.begin(), sweep.axes.end(),
                   [](const SweepAxis& a, const SweepAxis& b) { return a.line < b.line; });

  // Names become summary columns and HDF5 datasets.
  std::set<std::string> names;
  for (const io::Column& c : summary_table(BatchSummary{}).columns) names.insert(c.name);
  for (const SweepAxis& a : sweep.axes) {
    if (a.name.find('/') != std::string::npos) {
      r.fail(a.line, a.name, "a swept name must not contain '/'");
    }
    if (!names.insert(a.name).second) {
      r.fail(a.line, a.name,
             "the name is used twice (as a parameter, a variant or a summary column); rename it");
    }
    for (const ConfigEdit& f : sweep.fixed) {
      const std::string k = edit_key(f);
      if (!a.is_variant && (key_within(k, a.name) || key_within(a.name, k))) {
        r.fail(f.line, k, "is both in [fixed] and swept in [parameters] (" + a.name + ")");
      }
    }
  }
  if (sweep.mode == SweepMode::kZip) {
    for (const SweepAxis& a : sweep.axes) {
      if (a.points.size() != sweep.axes.front().points.size()) {
        std::string lengths;
        for (const SweepAxis& b : sweep.axes) {
          lengths +=
              (lengths.empty() ? "" : ", ") + b.name + ": " + std::to_string(b.points.size());
        }
        r.fail(a.line, a.name,
               "mode = \"zip\" takes the i-th value of every key together, so every list needs "
               "the same length (" +
                   lengths + ")");
      }
    }
  }
  std::size_t total = sweep.mode == SweepMode::kZip ? sweep.axes.front().points.size() : 1;
  for (const SweepAxis& a : sweep.axes) {
    if (sweep.mode == SweepMode::kCartesian) total *= a.points.size();
    if (total > kMaxCases) {
      r.fail(a.line, a.name, "the sweep has more than " + std::to_string(kMaxCases) + " cases");
    }
  }
  return sweep;
}

std::vector<SweepCase> plan_cases(const Sweep& sweep) {
  const std::string base_name = sweep.base.string();
  const toml::table base = load_config_table(base_name);  // its errors name the base file
  const std::string sweep_name = sweep.file.string();
  auto context = [&](const ConfigEdit& e) {
    return ErrorContext{sweep_name, e.line, edit_key(e), edit_value(e)};
  };

  // 1. The base with [fixed].
  if (auto e = config_error(base, sweep.fixed, base_name)) {
    const int blamed = blamed_edit(*e, sweep.fixed);
    if (blamed < 0) throw *e;
    const ConfigEdit& edit = sweep.fixed[std::size_t(blamed)];
    throw bad_input("[fixed]: " + config_message(*e, edit_key(edit)), context(edit));
  }

  // 2. Every value of every axis on its own: unknown keys, bad values.
  for (const SweepAxis& axis : sweep.axes) {
    for (const SweepPoint& p : axis.points) {
      std::vector<ConfigEdit> edits = sweep.fixed;
      edits.insert(edits.end(), p.edits.begin(), p.edits.end());
      const auto e = config_error(base, edits, base_name);
      if (!e) continue;
      const int blamed = blamed_edit(*e, edits);
      if (blamed >= 0 && std::size_t(blamed) >= sweep.fixed.size()) {
        const ConfigEdit& edit = edits[std::size_t(blamed)];
        throw bad_input(config_message(*e, edit_key(edit)), context(edit));
      }
      const std::string key = axis.is_variant ? "variants." + axis.name + "." + p.text : axis.name;
      throw bad_input("with this value the config is invalid: " + std::string(e->what()),
                      ErrorContext{sweep_name, p.line, key, axis.is_variant ? "" : p.text});
    }
  }

  // 3. Every case: the edited config, or why it is invalid.
  std::size_t count = sweep.mode == SweepMode::kZip ? sweep.axes.front().points.size() : 1;
  if (sweep.mode == SweepMode::kCartesian) {
    for (const SweepAxis& a : sweep.axes) count *= a.points.size();
  }
  const std::vector<std::string> short_name = short_names(sweep.axes);
  const std::size_t digits = std::max<std::size_t>(3, std::to_string(count - 1).size());
  std::vector<SweepCase> cases(count);
  for (std::size_t i = 0; i < count; ++i) {
    SweepCase& c = cases[i];
    c.index = int(i);
    c.point.resize(sweep.axes.size());
    std::size_t rest = i;
    for (std::size_t a = sweep.axes.size(); a-- > 0;) {  // the last axis varies fastest
      const std::size_t n = sweep.axes[a].points.size();
      c.point[a] = sweep.mode == SweepMode::kZip ? i : rest % n;
      rest /= n;
    }
    std::string name = fmt::format("case_{:0{}}", i, digits);
    std::vector<std::string> labels;
    c.edits = sweep.fixed;
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
      const SweepPoint& p = sweep.axes[a].points[c.point[a]];
      c.edits.insert(c.edits.end(), p.edits.begin(), p.edits.end());
      name += "_" + short_name[a] + "=" + name_part(p.text, 24);
      labels.push_back(sweep.axes[a].name + " = " + p.text);
    }
    if (name.size() > 150) name.resize(150);
    c.directory = name;
    std::string text;
    const auto e = config_error(base, c.edits, base_name, &text);
    if (!e) {
      std::string header = "# Written by runaway batch (see case.toml): " + base_name +
                           "\n# with these edits. Change the sweep, not this file.\n";
      for (const ConfigEdit& edit : c.edits) {
        header += edit.unset ? "#   unset " : "#   --set ";
        header += edit.text + "\n";
      }
      c.config_text = std::move(header);
      c.config_text += "\n" + text + "\n";
      continue;
    }
    const int blamed = blamed_edit(*e, c.edits);
    const std::string detail = blamed >= 0
                                   ? edit_key(c.edits[std::size_t(blamed)]) + ": " +
                                         config_message(*e, edit_key(c.edits[std::size_t(blamed)]))
                                   : std::string(e->what());
    if (sweep.skip_invalid) {
      c.invalid = "the config rejects this combination: " + detail;
      continue;
    }
    throw bad_input(
        "case " + std::to_string(i) + " (" + join(labels) + ") is not a valid config: " + detail +
            "; change the sweep, or set skip_invalid = true to record such cases "
            "as invalid and run the others",
        blamed >= 0 ? context(c.edits[std::size_t(blamed)]) : ErrorContext{sweep_name, 0, "", ""});
  }
  return cases;
}

std::vector<std::string> run_arguments(const fs::path& case_dir) {
  return {"run", config_file(case_dir).string(), "-o", case_dir.string(), "--overwrite", "-q"};
}

std::vector<std::string> visible_gpus() {
  std::vector<std::string> gpus;
  if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES")) {
    std::stringstream list(visible);
    std::string id;
    while (std::getline(list, id, ',')) {
      id = trimmed(id);
      if (id.empty() || id == "-1" || id == "NoDevFiles") break;
      gpus.push_back(id);
    }
    return gpus;
  }
  FILE* pipe = popen("nvidia-smi -L 2>/dev/null", "r");
  if (pipe == nullptr) return gpus;
  char line[512];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    if (std::strncmp(line, "GPU ", 4) == 0) gpus.push_back(std::to_string(gpus.size()));
  }
  pclose(pipe);
  return gpus;
}

// ----- public: summaries -------------------------------------------------------------------------

int BatchSummary::count(const std::string& status) const {
  return int(std::count_if(cases.begin(), cases.end(),
                           [&](const CaseResult& c) { return c.status == status; }));
}

BatchSummary collect_batch(const fs::path& dir) {
  const ErrorContext context{"", 0, "batch directory", dir.string()};
  if (!fs::exists(dir)) throw bad_input("no such directory", context);
  if (!fs::is_directory(dir)) {
    throw bad_input("is a file, not a batch directory (runaway batch SWEEP -o DIR makes one)",
                    context);
  }
  std::vector<fs::path> case_dirs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && entry.path().filename().string().rfind("case_", 0) == 0 &&
        fs::exists(entry.path() / kCaseFile)) {
      case_dirs.push_back(entry.path());
    }
  }
  if (case_dirs.empty() && fs::exists(dir / kCaseFile)) {
    throw bad_input("is one case of a batch; collect the batch directory above it", context);
  }
  if (case_dirs.empty()) {
    throw bad_input(fs::exists(dir / kResultsFile)
                        ? "is the result of a single run, not a batch directory (runaway "
                          "compare reads it)"
                        : "is not a batch directory: it holds no case_*/case.toml (runaway "
                          "batch SWEEP -o DIR makes one)",
                    context);
  }
  BatchSummary summary;
  bool first = true;
  for (const fs::path& case_dir : case_dirs) {
    const CaseRecord record = read_case_toml(case_dir / kCaseFile);
    if (first) {
      summary.parameters = record.parameters;
      first = false;
    } else if (record.parameters != summary.parameters) {
      throw bad_input("sweeps other parameters than the other cases (" + join(record.parameters) +
                          " vs " + join(summary.parameters) + "): the directory mixes sweeps",
                      ErrorContext{(case_dir / kCaseFile).string(), 0, "parameters", ""});
    }
    CaseResult r;
    r.index = record.index;
    r.directory = case_dir.filename().string();
    r.parameter_text = record.text;
    r.parameter_number = record.number;
    const fs::path error_file = case_dir / kErrorFile;
    const std::string recorded_error =
        fs::exists(error_file) ? trimmed(read_text(error_file)) : std::string();
    if (!record.invalid.empty()) {
      r.status = "invalid";
      r.error = record.invalid;
    } else if (fs::exists(case_dir / kResultsFile)) {
      try {
        if (io::ResultsReader(case_dir, true).complete()) {
          r.summary = summarize_results(case_dir);
          r.status = "done";
        } else if (!recorded_error.empty()) {
          r.status = "failed";
          r.error = recorded_error;
        } else {
          r.status = "unfinished";
          r.error = fs::exists(case_dir / kCheckpointFile)
                        ? "results.h5 is incomplete; run the batch again to continue from the "
                          "checkpoint"
                        : "results.h5 is incomplete: the run is going on, or was killed";
        }
      } catch (const Error& e) {
        r.status = "failed";
        r.error = e.what();
      }
    } else if (!recorded_error.empty()) {
      r.status = "failed";
      r.error = recorded_error;
    } else {
      r.status = "not_run";
    }
    summary.cases.push_back(std::move(r));
  }
  std::sort(summary.cases.begin(), summary.cases.end(),
            [](const CaseResult& a, const CaseResult& b) { return a.index < b.index; });
  return summary;
}

io::Table summary_table(const BatchSummary& s) {
  io::Table table;
  std::vector<std::int32_t> index;
  for (const CaseResult& c : s.cases) index.push_back(c.index);
  table.columns.push_back({"case", "", std::move(index)});
  auto text = [&](const char* name, auto value) {
    std::vector<std::string> v;
    for (const CaseResult& c : s.cases) v.push_back(value(c));
    table.columns.push_back({name, "", std::move(v)});
  };
  auto number = [&](const std::string& name, const char* units, auto value) {
    std::vector<double> v;
    for (const CaseResult& c : s.cases) v.push_back(value(c));
    table.columns.push_back({name, units, std::move(v)});
  };
  // A metric of RunSummary; NaN for a case that is not done.
  auto metric = [&](const char* name, const char* units, auto value) {
    number(name, units,
           [&](const CaseResult& c) { return c.summary ? double(value(*c.summary)) : NAN; });
  };
  auto summary_text = [&](const char* name, auto value) {
    text(name, [&](const CaseResult& c) { return c.summary ? value(*c.summary) : std::string(); });
  };

  text("directory", [](const CaseResult& c) { return c.directory; });
  for (std::size_t p = 0; p < s.parameters.size(); ++p) {
    const bool numeric = std::all_of(s.cases.begin(), s.cases.end(), [p](const CaseResult& c) {
      return p < c.parameter_number.size() && c.parameter_number[p].has_value();
    });
    if (numeric) {
      number(s.parameters[p], "", [p](const CaseResult& c) { return *c.parameter_number[p]; });
    } else {
      text(s.parameters[p].c_str(), [p](const CaseResult& c) {
        return p < c.parameter_text.size() ? c.parameter_text[p] : std::string();
      });
    }
  }
  text("status", [](const CaseResult& c) { return c.status; });
  summary_text("verdict", [](const RunSummary& r) { return r.verdict; });
  metric("cells", "1", [](const RunSummary& r) { return r.cells.size(); });
  metric("cells_in_runaway", "1", [](const RunSummary& r) { return r.cells_in_runaway; });
  metric("first_onset_s", "s", [](const RunSummary& r) { return r.first_onset; });
  metric("last_onset_s", "s", [](const RunSummary& r) { return r.last_onset; });
  metric("cells_per_minute", "1/min", [](const RunSummary& r) { return r.cells_per_minute; });
  metric("front_speed_m_per_s", "m/s", [](const RunSummary& r) { return r.front_speed; });
  metric("peak_temperature_K", "K", [](const RunSummary& r) { return r.peak_temperature; });
  metric("heat_released_J", "J", [](const RunSummary& r) { return r.total_heat_released; });
  summary_text("propagation_stopped", [](const RunSummary& r) {
    return std::string(r.propagation_stopped ? "true" : "false");
  });
  summary_text("stopped_before", [](const RunSummary& r) { return r.stopped_before; });
  metric("end_time_s", "s", [](const RunSummary& r) { return r.end_time; });
  metric("wall_time_s", "s", [](const RunSummary& r) { return r.wall_time; });
  text("error", [](const CaseResult& c) { return c.error; });
  return table;
}

std::string summary_csv(const io::Table& table) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    out += (c ? "," : "") + field(table.columns[c].name);
  }
  out += "\n";
  for (std::size_t row = 0; row < table.row_count(); ++row) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const auto& values = table.columns[c].values;
      std::string text;
      if (const auto* d = std::get_if<std::vector<double>>(&values)) {
        // Shortest text that reads back as the same double: rows equal the case's HDF5.
        text = std::isnan((*d)[row]) ? std::string() : fmt::format("{}", (*d)[row]);
      } else if (const auto* i = std::get_if<std::vector<std::int32_t>>(&values)) {
        text = std::to_string((*i)[row]);
      } else {
        text = field(std::get<std::vector<std::string>>(values)[row]);
      }
      out += (c ? "," : "") + text;
    }
    out += "\n";
  }
  return out;
}

void write_summary(const fs::path& dir, const BatchSummary& summary) {
  const io::Table table = summary_table(summary);
  write_text(dir / "summary.csv", summary_csv(table));
  io::write_summary_table(dir / "summary.h5", table);
}

// ----- public: running a batch -------------------------------------------------------------------

BatchSummary run_batch(const BatchOptions& options) {
  const Sweep sweep = load_sweep(options.sweep_file);
  const std::vector<SweepCase> cases = plan_cases(sweep);
  const int invalid = int(std::count_if(cases.begin(), cases.end(),
                                        [](const SweepCase& c) { return !c.invalid.empty(); }));
  if (options.dry_run) {
    fmt::print("{}: {} cases ({}), base {}\n", sweep.file.string(), cases.size(),
               sweep.mode == SweepMode::kZip ? "zip" : "cartesian", sweep.base.string());
    for (const SweepCase& c : cases) {
      fmt::print("  {}\n", c.directory);
      if (!c.invalid.empty()) fmt::print("      invalid: {}\n", c.invalid);
      for (std::size_t e = sweep.fixed.size(); e < c.edits.size(); ++e) {
        fmt::print("      {} {}\n", c.edits[e].unset ? "unset" : "--set", c.edits[e].text);
      }
    }
    for (const ConfigEdit& f : sweep.fixed) {
      fmt::print("  every case first: {} {}\n", f.unset ? "unset" : "--set", f.text);
    }
    return {};
  }
  if (options.output_dir.empty()) {
    throw bad_input("say where the cases go: -o DIR", ErrorContext{"", 0, "--output", ""});
  }
  const fs::path dir = fs::absolute(options.output_dir).lexically_normal();
  const std::string cases_list = cases_text(cases, dir);
  check_output_dir(dir, cases);

  // The case directories, each with its case.toml (kept as is when unchanged).
  fs::create_directories(dir);
  const std::string sweep_path = fs::absolute(sweep.file).lexically_normal().string();
  write_text(dir / kSweepCopy,
             "# A copy of " + sweep_path + ", run by runaway batch\n" + sweep.text);
  for (const SweepCase& c : cases) {
    const fs::path case_dir = dir / c.directory;
    fs::create_directories(case_dir);
    const std::string text = case_toml(sweep, c);
    if (!fs::exists(case_dir / kCaseFile) || read_text(case_dir / kCaseFile) != text) {
      write_text(case_dir / kCaseFile, text);
    }
    if (!c.invalid.empty()) {
      write_text(case_dir / kErrorFile, c.invalid + "\n");
    } else if (!fs::exists(config_file(case_dir)) ||
               read_text(config_file(case_dir)) != c.config_text) {
      write_text(config_file(case_dir), c.config_text);
    }
  }
  write_text(dir / kCasesFile, cases_list);
  const std::size_t runnable = cases.size() - std::size_t(invalid);

  if (options.slurm) {
    if (runnable == 0) throw bad_input("every case is invalid: nothing to run");
    write_text(dir / kSlurmFile, slurm_script(dir, options.executable, runnable, sweep_path));
    fmt::print(
        "runaway batch: {} cases in {}{}\n  submit:      sbatch {}\n  afterwards:  runaway batch "
        "--collect {}\n",
        runnable, dir.string(), invalid ? fmt::format(" ({} invalid, not run)", invalid) : "",
        (dir / kSlurmFile).string(), dir.string());
    return collect_batch(dir);
  }

  // Run: up to `jobs` cases at once, each a `runaway run` process with one GPU when there are
  // GPUs (round robin over the worker slots).
  const std::vector<std::string> gpus = visible_gpus();
  const int jobs = options.jobs > 0 ? options.jobs : std::max(1, int(gpus.size()));
  std::vector<const SweepCase*> queue;
  int done_before = 0;
  for (const SweepCase& c : cases) {
    if (!c.invalid.empty()) continue;
    if (results_complete(dir / c.directory)) {
      ++done_before;
    } else {
      queue.push_back(&c);
    }
  }
  fmt::print(
      "runaway batch: {} cases in {}: {} to run, {} already done{}; {} at once{}\n", cases.size(),
      dir.string(), queue.size(), done_before,
      invalid ? fmt::format(", {} invalid (not run)", invalid) : "", jobs,
      gpus.empty()
          ? std::string(", CPU only")
          : fmt::format(", GPUs {} ({}one case per GPU)", join(gpus, ","),
                        std::size_t(jobs) > gpus.size() ? "more cases than GPUs: not " : ""));
  std::fflush(stdout);

  CaseProcesses processes(options.executable, jobs, gpus);
  BatchSignals signals;
  const auto stopping = [] { return g_batch_signal.load() != 0; };
  std::size_t next = 0, finished = 0;
  const auto report = [&](const fs::path& case_dir, const std::string& outcome_text) {
    fmt::print("[{:>{}}/{}] {} {}\n", ++finished, std::to_string(queue.size()).size(), queue.size(),
               case_dir.filename().string(), outcome_text);
    std::fflush(stdout);
  };
  while (processes.running() > 0 || (next < queue.size() && !stopping())) {
    while (!stopping() && next < queue.size() && processes.has_room()) {
      const fs::path case_dir = dir / queue[next++]->directory;
      std::error_code ignored;
      fs::remove(case_dir / kErrorFile, ignored);
      try {
        processes.start(case_dir, case_arguments(case_dir));
      } catch (const Error& e) {
        write_text(case_dir / kErrorFile, std::string(e.what()) + "\n");
        report(case_dir, std::string("failed: ") + e.what());
      }
    }
    if (processes.running() == 0) break;
    if (const auto f = processes.wait()) report(f->case_dir, outcome(*f));
  }

  BatchSummary summary = collect_batch(dir);
  write_summary(dir, summary);
  fmt::print("\n{:<60} {:<10} {}\n", "case", "status", "verdict or error");
  for (const CaseResult& c : summary.cases) {
    fmt::print("{:<60} {:<10} {}\n", c.directory, c.status,
               c.summary ? c.summary->verdict : c.error);
  }
  fmt::print(
      "\nsummary: {} and summary.h5 ({} done, {} failed{}{})\n", (dir / "summary.csv").string(),
      summary.count("done"), summary.count("failed"),
      invalid ? fmt::format(", {} invalid", invalid) : "",
      summary.count("unfinished") + summary.count("not_run")
          ? fmt::format(", {} unfinished", summary.count("unfinished") + summary.count("not_run"))
          : "");
  std::fflush(stdout);
  if (const int signal = g_batch_signal.load()) {
    throw runtime_error(fmt::format(
        "batch interrupted by {}; run the same command again to continue (finished cases are "
        "skipped, interrupted ones continue from their checkpoints)",
        signal == SIGINT ? "SIGINT" : "SIGTERM"));
  }
  if (summary.count("failed") > 0) {
    throw runtime_error(
        fmt::format("{} of {} cases failed (see summary.csv and each case's "
                    "error.txt); the others finished",
                    summary.count("failed"), summary.cases.size()));
  }
  return summary;
}

}  // namespace runaway::host
