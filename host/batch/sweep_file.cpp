// Reading a sweep file (load_sweep): its keys, modes, lists, ranges and variants, checked before
// anything runs.
#include <fmt/core.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "common/error.hpp"
#include "common/files.hpp"
#include "common/text.hpp"
#include "host/batch/batch.hpp"
#include "host/batch/config_edits.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/config/toml_text.hpp"
#include "io/summary_table.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxCases = 10000;  // a sweep larger than this is almost surely a typo

class SweepReader : public InputFileReader {
 public:
  using InputFileReader::InputFileReader;

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
};

}  // namespace

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

}  // namespace runaway::host
