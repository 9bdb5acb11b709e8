// [[probe]] and [verdict] of a pack config (docs/verdicts.md): where the monitoring points are
// and which rules judge the run.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "host/config/config_reader.hpp"
#include "host/config/config_sections.hpp"
#include "host/verdict/verdict_rules.hpp"

namespace runaway::host {

const char* to_string(ProbeKind kind) {
  switch (kind) {
    case ProbeKind::kPoint:
      return "point";
    case ProbeKind::kCellSurface:
      return "cell_surface";
    case ProbeKind::kRegion:
      return "region";
    case ProbeKind::kWall:
      return "wall";
  }
  return "?";
}

const char* to_string(ProbeStatistic statistic) {
  return statistic == ProbeStatistic::kMax ? "max" : "mean";
}

namespace config_detail {

namespace {

bool inside(const meshes::Vec3& p, const meshes::Box& b) {
  for (std::size_t a = 0; a < 3; ++a) {
    if (p[a] < b.lo[a] - 1e-12 || p[a] > b.hi[a] + 1e-12) return false;
  }
  return true;
}

// min and max of a box key pair, min < max on every axis.
void read_box(Reader& r, const Scope& s, ProbeConfig& p, bool required) {
  auto lo = r.vec3(s, "min", Rule::kAny, false);
  auto hi = r.vec3(s, "max", Rule::kAny, false);
  if (!lo && !hi && !required) return;
  if (!lo) r.missing(s, "min", "m, [x, y, z] of the box's lowest corner");
  if (!hi) r.missing(s, "max", "m, [x, y, z] of the box's highest corner");
  for (std::size_t a = 0; a < 3; ++a) {
    if (!((*lo)[a] < (*hi)[a])) r.fail_key(s.key("max"), "must exceed min on every axis");
  }
  p.bounded = true;
  p.min = *lo;
  p.max = *hi;
}

}  // namespace

void parse_probes(Reader& r, const toml::node* node, PackConfig& config) {
  if (node == nullptr) return;
  const toml::array* list = node->as_array();
  if (list == nullptr || !list->is_array_of_tables()) {
    r.fail_at(*node, "probe", "expected an array of tables ([[probe]])");
  }
  const meshes::Box pack_box = meshes::enclosure_box(config.pack.enclosure);
  const int cells = config.pack.cell_count();
  std::set<std::string> names;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Scope s{list->get(i)->as_table(), "probe[" + std::to_string(i) + "]"};
    ProbeConfig p;
    p.key = s.path;
    p.name = r.required_text(s, "name", "the probe's name, as the lab's channel list says it");
    if (p.name.empty() || p.name.find_first_of(",\n\"") != std::string::npos) {
      r.fail_key(s.key("name"), "must be non-empty, without commas, quotes or line breaks");
    }
    if (!names.insert(p.name).second) {
      r.fail_key(s.key("name"), "another probe is already named '" + p.name + "'");
    }
    const std::string kind = r.required_text(s, "kind", "point, cell_surface, region or wall");
    if (const auto statistic = r.text(s, "statistic")) {
      r.check_name(s, "statistic", *statistic, {"mean", "max"}, "probe statistic");
      p.statistic = *statistic == "max" ? ProbeStatistic::kMax : ProbeStatistic::kMean;
    }
    if (kind == "point") {
      r.check_keys(s, {"name", "kind", "position"});
      auto at = r.vec3(s, "position", Rule::kAny, false);
      if (!at) r.missing(s, "position", "m, [x, y, z] in the pack's frame");
      if (!inside(*at, pack_box)) r.fail_key(s.key("position"), "lies outside the enclosure");
      p.kind = ProbeKind::kPoint;
      p.position = *at;
    } else if (kind == "cell_surface") {
      r.check_keys(s, {"name", "kind", "cell", "face", "statistic"});
      const std::optional<int> cell = r.integer(s, "cell", 0);
      if (!cell) r.missing(s, "cell", "cell id");
      if (*cell >= cells) {
        r.fail_key(s.key("cell"), "there are only " + std::to_string(cells) + " cells (ids 0 to " +
                                      std::to_string(cells - 1) + ")");
      }
      auto face = r.direction(s, "face");
      if (!face) r.missing(s, "face", "the cell face: +x, -x, +y, -y, +z, -z");
      p.kind = ProbeKind::kCellSurface;
      p.cell = *cell;
      p.face = *face;
    } else if (kind == "region") {
      r.check_keys(s, {"name", "kind", "min", "max", "statistic"});
      p.kind = ProbeKind::kRegion;
      read_box(r, s, p, true);
    } else if (kind == "wall") {
      r.check_keys(s, {"name", "kind", "face", "min", "max", "statistic"});
      auto face = r.direction(s, "face");
      if (!face) r.missing(s, "face", "the enclosure face: +x, -x, +y, -y, +z, -z");
      p.kind = ProbeKind::kWall;
      p.face = *face;
      read_box(r, s, p, false);
    } else {
      r.check_name(s, "kind", kind, {"point", "cell_surface", "region", "wall"}, "probe kind");
    }
    config.probes.push_back(p);
  }
}

void parse_verdict(Reader& r, const toml::table* section, PackConfig& config) {
  if (section == nullptr) return;
  const Scope s{section, "verdict"};
  r.check_keys(s,
               {"rules", "max_operating_temperature", "alarm", "alarm_temperature", "alarm_delay",
                "initiating_cell", "initiating_module", "observation_time", "extend_run",
                "cool_temperature", "wall_temperature_rise", "lower_flammability_limit"});
  VerdictConfig v;
  const toml::node* rules = r.get(s, "rules");
  if (rules == nullptr) r.missing(s, "rules", "rule sets: " + join(verdict_rule_names()));
  const toml::array* list = rules->as_array();
  if (list == nullptr || list->empty()) {
    r.fail_at(*rules, s.key("rules"), "expected a non-empty array of rule-set names");
  }
  for (const toml::node& n : *list) {
    auto name = n.as_string();
    if (!name) r.fail_at(n, s.key("rules"), "expected a rule-set name, got " + type_name(n));
    r.check_name(s, "rules", name->get(), verdict_rule_names(), "rule set");
    if (std::find(v.rules.begin(), v.rules.end(), name->get()) != v.rules.end()) {
      r.fail_at(n, s.key("rules"), "lists '" + name->get() + "' twice");
    }
    v.rules.push_back(name->get());
  }
  if (auto t = r.number(s, "max_operating_temperature", Rule::kTemperature)) {
    v.max_operating_temperature = *t;
  }
  if (auto alarm = r.text(s, "alarm")) {
    r.check_name(s, "alarm", *alarm, {"confirmation", "temperature", "vent"}, "alarm logic");
    v.alarm = *alarm;
  }
  if (auto t = r.number(s, "alarm_temperature", Rule::kTemperature)) v.alarm_temperature = *t;
  if (v.alarm == "temperature" && std::isnan(v.alarm_temperature)) {
    r.missing(s, "alarm_temperature", "K, the probe temperature that raises the warning");
  }
  if (v.alarm == "temperature" && config.probes.empty()) {
    r.fail_key(s.key("alarm"), "a temperature alarm needs probes ([[probe]])");
  }
  v.alarm_delay = r.number_or(s, "alarm_delay", 0.0, Rule::kNonNegative);
  const int cells = config.pack.cell_count();
  auto cell_key = [&](const std::string& key, int id) {
    if (id >= cells) {
      r.fail_key(s.key(key), "there are only " + std::to_string(cells) + " cells (ids 0 to " +
                                 std::to_string(cells - 1) + ")");
    }
  };
  if (auto id = r.integer(s, "initiating_cell", 0)) {
    cell_key("initiating_cell", *id);
    v.initiating_cell = *id;
  } else if (!config.heaters.empty()) {
    v.initiating_cell = config.heaters.front().cell;
  } else if (!config.nails.empty()) {
    v.initiating_cell = config.nails.front().cell;
  } else {
    r.missing(s, "initiating_cell",
              "the cell the test drives into runaway; the pack has no heater or nail trigger");
  }
  if (const toml::node* m = r.get(s, "initiating_module")) {
    const toml::array* ids = m->as_array();
    if (ids == nullptr || ids->empty()) {
      r.fail_at(*m, s.key("initiating_module"), "expected a non-empty array of cell ids");
    }
    for (const toml::node& n : *ids) {
      const int id = r.integer(n, s.key("initiating_module"), 0);
      cell_key("initiating_module", id);
      v.initiating_module.push_back(id);
    }
    if (std::find(v.initiating_module.begin(), v.initiating_module.end(), v.initiating_cell) ==
        v.initiating_module.end()) {
      r.fail_key(s.key("initiating_module"),
                 "must hold the initiating cell (" + std::to_string(v.initiating_cell) + ")");
    }
  } else {
    // Cell ids follow module order: the initiating cell's module is a run of ids.
    int first = 0;
    for (const meshes::ModuleLayout& module : config.pack.modules) {
      const int n = module.cell_count();
      if (v.initiating_cell < first + n) {
        for (int c = first; c < first + n; ++c) v.initiating_module.push_back(c);
        break;
      }
      first += n;
    }
  }
  // GB 38031-2025 C.5.3.7 asks for a rise lasting more than 3 s: samples 1 s apart at most.
  for (const std::string& rule : v.rules) {
    if (rule.rfind("gb38031", 0) == 0 && config.output.series_interval > 1.0) {
      r.fail_key(s.key("rules"), rule +
                                     " confirms runaway on a rise lasting more than 3 s, which "
                                     "needs output.series_interval <= 1 s (it is " +
                                     fmt::format("{:g}", config.output.series_interval) + " s)");
    }
  }
  v.observation_time = r.number_or(s, "observation_time", 0.0, Rule::kNonNegative);
  v.extend_run = r.boolean(s, "extend_run").value_or(false);
  v.cool_temperature = r.number_or(s, "cool_temperature", v.cool_temperature, Rule::kTemperature);
  v.wall_temperature_rise =
      r.number_or(s, "wall_temperature_rise", v.wall_temperature_rise, Rule::kPositive);
  v.lower_flammability_limit =
      r.number_or(s, "lower_flammability_limit", v.lower_flammability_limit, Rule::kFraction);
  if (v.extend_run) {
    const double window = observation_window(v);
    if (window > config.run.end_time) config.run.end_time = window;
  }
  config.verdict = v;
}

}  // namespace config_detail
}  // namespace runaway::host
