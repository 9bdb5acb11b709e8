#include "host/verdict/verdict_results.hpp"

#include <fmt/core.h>

#include <cmath>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "host/config/config.hpp"
#include "host/solver/vent_plume.hpp"
#include "host/verdict/probes.hpp"
#include "io/results_writer.hpp"

namespace runaway::host {

namespace {

// The model's gas, m^3: voxels outside cells whose rho cp is a gas's (host/solver/vent_plume.hpp).
double gas_volume(const io::ModelData& model) {
  const io::Column* density = model.materials.find("density");
  const io::Column* heat_capacity = model.materials.find("heat_capacity");
  if (density == nullptr || heat_capacity == nullptr) return 0;
  const auto& rho = std::get<std::vector<double>>(density->values);
  const auto& cp = std::get<std::vector<double>>(heat_capacity->values);
  std::size_t voxels = 0;
  for (std::size_t v = 0; v < model.material.size(); ++v) {
    const std::size_t m = model.material[v];
    if (model.cell[v] < 0 && m < rho.size() && rho[m] * cp[m] < kGasHeatCapacity) ++voxels;
  }
  return double(voxels) * model.grid.dx * model.grid.dy * model.grid.dz;
}

std::string seconds(double t) {
  return std::isnan(t) ? "-" : fmt::format("{:.1f}", t);
}

}  // namespace

io::Table probe_table(const PackConfig& config, const meshes::VoxelModel& model) {
  std::vector<std::string> names, kinds, statistics;
  std::vector<std::int32_t> cells, counts;
  for (const ProbeConfig& p : config.probes) {
    const ProbeVoxels v = probe_voxels(config, p, model);
    names.push_back(p.name);
    kinds.push_back(to_string(p.kind));
    statistics.push_back(to_string(p.statistic));
    cells.push_back(v.cell);
    counts.push_back(std::int32_t(v.voxels.size()));
  }
  io::Table t;
  if (names.empty()) return t;
  t.columns = {{"name", "", names},
               {"kind", "", kinds},
               {"statistic", "", statistics},
               {"cell", "", cells},
               {"voxel_count", "1", counts}};
  return t;
}

std::optional<VerdictReport> judge_results(const io::ResultsReader& results) {
  // Only a run whose config has [verdict] is judged: results written by other tools (or by
  // tests) may hold any text as their input.
  toml::table root;
  try {
    root = parse_config_text(results.config_text(), results.path().string());
  } catch (const Error&) {
    return std::nullopt;
  }
  if (!root.contains("verdict")) return std::nullopt;
  const PackConfig config = parse_pack_config(root, results.config_path());
  const io::ModelData model = results.model();
  const io::CellSeries cells = results.cell_series();
  const io::ProbeSeries probes = results.probe_series();

  VerdictInput in;
  in.time = cells.time;
  in.cells = cells.cell_count;
  in.cell_max_temperature = cells.max_temperature;
  in.combustion_heat = cells.combustion_heat;
  in.plume_heat_carried_out = cells.plume_heat_carried_out;
  in.vented_gas_mass = cells.vented_gas_mass;
  if (probes.probe_count() > 0) {
    const auto& names = std::get<std::vector<std::string>>(probes.table.find("name")->values);
    const auto& kinds = std::get<std::vector<std::string>>(probes.table.find("kind")->values);
    const auto& cell = std::get<std::vector<std::int32_t>>(probes.table.find("cell")->values);
    for (std::size_t p = 0; p < probes.probe_count(); ++p) {
      ProbeInfo info;
      info.name = names[p];
      info.kind = kinds[p] == "wall"           ? ProbeKind::kWall
                  : kinds[p] == "cell_surface" ? ProbeKind::kCellSurface
                  : kinds[p] == "region"       ? ProbeKind::kRegion
                                               : ProbeKind::kPoint;
      info.cell = cell[p];
      in.probes.push_back(info);
    }
    in.probe_temperature = probes.temperature;
  }
  in.short_time.assign(in.cells, kNoTime);
  in.vent_time.assign(in.cells, kNoTime);
  in.onset_time.assign(in.cells, kNoTime);
  for (const io::Event& e : results.events()) {
    if (e.cell < 0 || std::size_t(e.cell) >= in.cells) continue;
    std::vector<double>* times = e.kind == "short_circuit" ? &in.short_time
                                 : e.kind == "vent"        ? &in.vent_time
                                 : e.kind == "runaway"     ? &in.onset_time
                                                           : nullptr;
    if (times != nullptr && std::isnan((*times)[std::size_t(e.cell)])) {
      (*times)[std::size_t(e.cell)] = e.time;
    }
  }
  in.gas_molar_mass.assign(in.cells, 0.0);
  if (const io::Column* chemistry = model.cells.find("chemistry")) {
    const auto& names = std::get<std::vector<std::string>>(chemistry->values);
    for (std::size_t c = 0; c < in.cells && c < names.size(); ++c) {
      if (const PackChemistry* chem = config.find_chemistry(names[c])) {
        in.gas_molar_mass[c] = chem->chemistry.gas_molar_mass;
      }
    }
  }
  in.gas_volume = gas_volume(model);
  in.initial_temperature = config.run.initial_temperature;
  in.end_time = in.time.empty() ? 0.0 : in.time.back();
  return judge(*config.verdict, in);
}

io::Table verdict_table(const VerdictReport& report) {
  std::vector<std::string> rule, clause, text, finding, figures;
  for (const RuleVerdict& r : report.rules) {
    rule.push_back(r.rule);
    clause.push_back(r.title);
    text.push_back("overall");
    finding.push_back(to_string(r.overall));
    figures.push_back("");
    for (const Criterion& c : r.criteria) {
      rule.push_back(r.rule);
      clause.push_back(c.clause);
      text.push_back(c.text);
      finding.push_back(to_string(c.finding));
      figures.push_back(c.figures);
    }
  }
  io::Table t;
  t.columns = {{"rule", "", rule},
               {"clause", "", clause},
               {"criterion", "", text},
               {"finding", "", finding},
               {"figures", "", figures}};
  return t;
}

io::Table verdict_times(const VerdictReport& r) {
  const std::vector<std::pair<const char*, double>> rows{
      {"initiating_runaway", r.initiating_runaway},
      {"warning", r.warning},
      {"first_neighbour_runaway", r.first_neighbour_runaway},
      {"first_runaway_outside_module", r.first_runaway_outside_module},
      {"fire", r.fire},
      {"flame_out_of_pack", r.flame_out},
      {"vent_gas_out_of_pack", r.hot_gas_out},
      {"wall_temperature_rise", r.wall_rise},
      {"probes_cool", r.cool},
      {"observation_end", r.observation_end}};
  std::vector<std::string> names;
  std::vector<double> times;
  for (const auto& [name, time] : rows) {
    names.emplace_back(name);
    times.push_back(time);
  }
  for (std::size_t c = 0; c < r.confirmation_time.size(); ++c) {
    names.push_back("confirmed_runaway_cell_" + std::to_string(c));
    times.push_back(r.confirmation_time[c]);
  }
  io::Table t;
  t.columns = {{"event", "", names}, {"time", "s", times}};
  return t;
}

void write_verdict(const std::filesystem::path& results, const VerdictReport& report) {
  io::write_derived_tables(results, "verdict",
                           {{"criteria", verdict_table(report)}, {"times", verdict_times(report)}});
}

std::string verdict_text(const VerdictReport& r) {
  std::string out = fmt::format(
      "Runaway confirmed (GB 38031-2025 C.5.3.7) in the initiating cell {} at {} s; warning at "
      "{} s; first neighbour {} s; first outside the initiating module {} s; vent fire {} s; "
      "burning plume out of the pack {} s; vent gas out of the pack {} s; every probe at or "
      "below the cool temperature since {} s. Runaway stayed in the initiating cell: {}; in its "
      "module: {} (over the simulated time).\n\n",
      r.initiating_cell, seconds(r.initiating_runaway), seconds(r.warning),
      seconds(r.first_neighbour_runaway), seconds(r.first_runaway_outside_module), seconds(r.fire),
      seconds(r.flame_out), seconds(r.hot_gas_out), seconds(r.cool),
      r.contained_in_cell ? "yes" : "no", r.contained_in_module ? "yes" : "no");
  for (const RuleVerdict& rule : r.rules) {
    out +=
        fmt::format("**{}**: {}\n\n| clause | criterion | finding | figures |\n|---|---|---|---|\n",
                    rule.title, to_string(rule.overall));
    for (const Criterion& c : rule.criteria) {
      out +=
          fmt::format("| {} | {} | {} | {} |\n", c.clause, c.text, to_string(c.finding), c.figures);
    }
    out += "\n";
  }
  return out;
}

}  // namespace runaway::host
