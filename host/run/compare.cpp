#include "host/run/compare.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "host/verdict/verdict_results.hpp"

namespace runaway::host {

namespace {
std::string number(double v, int digits) {
  return std::isnan(v) ? std::string("-") : fmt::format("{:.{}f}", v, digits);
}
std::string csv_number(double v) {
  return std::isnan(v) ? std::string() : fmt::format("{:.9g}", v);
}

// The electrolyte classes of a run's cells, e.g. "liquid" or "liquid, semi-solid".
std::string classes_of(const RunSummary& r) {
  std::vector<std::string> seen;
  for (const CellOutcome& c : r.cells) {
    if (std::find(seen.begin(), seen.end(), c.electrolyte_class) == seen.end()) {
      seen.push_back(c.electrolyte_class);
    }
  }
  std::string out;
  for (const std::string& s : seen) out += (out.empty() ? "" : ", ") + s;
  return out;
}

double mean_fraction(const RunSummary& r) {
  double sum = 0;
  for (const CellOutcome& c : r.cells) sum += c.liquid_electrolyte_fraction;
  return r.cells.empty() ? NAN : sum / double(r.cells.size());
}
}  // namespace

std::string compare_markdown(const std::vector<RunSummary>& runs) {
  std::string out = "# Propagation comparison\n\n| metric |";
  std::string rule = "|---|";
  for (const RunSummary& r : runs) {
    out += " " + r.name + " |";
    rule += "---|";
  }
  out += "\n" + rule + "\n";
  auto row = [&](const std::string& label, auto value) {
    out += "| " + label + " |";
    for (const RunSummary& r : runs) out += " " + value(r) + " |";
    out += "\n";
  };
  row("electrolyte class", [](const RunSummary& r) { return classes_of(r); });
  row("liquid electrolyte fraction (%)",
      [](const RunSummary& r) { return number(100 * mean_fraction(r), 1); });
  row("cells in runaway", [](const RunSummary& r) {
    return fmt::format("{} of {}", r.cells_in_runaway, r.cells.size());
  });
  row("first onset (s)", [](const RunSummary& r) { return number(r.first_onset, 1); });
  row("last onset (s)", [](const RunSummary& r) { return number(r.last_onset, 1); });
  row("propagation (cells/min)", [](const RunSummary& r) { return number(r.cells_per_minute, 2); });
  row("front speed (mm/s)", [](const RunSummary& r) { return number(r.front_speed * 1e3, 3); });
  row("peak temperature (K)", [](const RunSummary& r) { return number(r.peak_temperature, 1); });
  row("heat released (MJ)",
      [](const RunSummary& r) { return number(r.total_heat_released * 1e-6, 3); });
  row("peak can pressure (kPa)",
      [](const RunSummary& r) { return number(r.peak_pressure * 1e-3, 1); });
  row("vented mass (kg)", [](const RunSummary& r) { return number(r.total_vented_mass, 4); });
  row("vented gas (kg)", [](const RunSummary& r) { return number(r.total_vented_gas_mass, 4); });
  row("heat kept in cells (MJ)",
      [](const RunSummary& r) { return number(r.total_heat_kept_in_body * 1e-6, 3); });
  row("heat carried out by ejecta (MJ)",
      [](const RunSummary& r) { return number(r.total_heat_carried_by_ejecta * 1e-6, 3); });
  row("body share of cell heat (%)",
      [](const RunSummary& r) { return number(100 * r.body_share(), 1); });
  const bool plume_recorded = std::any_of(runs.begin(), runs.end(), [](const RunSummary& r) {
    return !std::isnan(r.total_plume_heat_carried_out);
  });
  if (plume_recorded) {
    row("vent fire heat (MJ)",
        [](const RunSummary& r) { return number(r.total_combustion_heat * 1e-6, 3); });
    row("fuel heat unburnt, no oxygen (MJ)",
        [](const RunSummary& r) { return number(r.total_unburnt_fuel_heat * 1e-6, 3); });
    row("plume heat onto cells (MJ)",
        [](const RunSummary& r) { return number(r.total_plume_heat_to_cells * 1e-6, 3); });
    row("plume heat onto enclosure (MJ)",
        [](const RunSummary& r) { return number(r.total_plume_heat_to_enclosure * 1e-6, 3); });
    row("plume heat out of the pack (MJ)",
        [](const RunSummary& r) { return number(r.total_plume_heat_carried_out * 1e-6, 3); });
  }
  row("simulated time (s)", [](const RunSummary& r) { return number(r.end_time, 0); });
  // The [verdict] rules (docs/verdicts.md): each rule's finding and the times that decide them.
  std::vector<std::string> rules;
  for (const RunSummary& r : runs) {
    if (!r.verdicts) continue;
    for (const RuleVerdict& v : r.verdicts->rules) {
      if (std::find(rules.begin(), rules.end(), v.rule) == rules.end()) rules.push_back(v.rule);
    }
  }
  if (!rules.empty()) {
    auto time_row = [&](const std::string& label, double VerdictReport::*time) {
      row(label, [time](const RunSummary& r) {
        return r.verdicts ? number((*r.verdicts).*time, 1) : std::string("");
      });
    };
    time_row("runaway confirmed, initiating cell (s)", &VerdictReport::initiating_runaway);
    time_row("thermal-event warning (s)", &VerdictReport::warning);
    time_row("first neighbour runaway (s)", &VerdictReport::first_neighbour_runaway);
    time_row("burning plume out of the pack (s)", &VerdictReport::flame_out);
    time_row("vent gas out of the pack (s)", &VerdictReport::hot_gas_out);
    time_row("every probe back at or below 60 degC (s)", &VerdictReport::cool);
    for (const std::string& name : rules) {
      row("verdict " + name, [&name](const RunSummary& r) {
        if (!r.verdicts) return std::string("");
        for (const RuleVerdict& v : r.verdicts->rules) {
          if (v.rule == name) return std::string(to_string(v.overall));
        }
        return std::string("");
      });
    }
  }
  std::size_t most_cells = 0;
  for (const RunSummary& r : runs) most_cells = std::max(most_cells, r.cells.size());
  // One row per cell and quantity, a quantity's cells together.
  auto cell_rows = [&](const std::string& label, auto value) {
    for (std::size_t c = 0; c < most_cells; ++c) {
      row(fmt::format("cell {} {}", c, label), [&](const RunSummary& r) {
        return c < r.cells.size() ? value(r.cells[c]) : std::string("");
      });
    }
  };
  cell_rows("onset (s)", [](const CellOutcome& o) { return number(o.onset_time, 1); });
  // Results written before the vent series existed record none of these: rows of "-" only
  // would lengthen the report by six rows per cell and say nothing the per-run rows don't.
  auto recorded = [&](auto is_recorded) {
    return std::any_of(runs.begin(), runs.end(), [&](const RunSummary& r) {
      return std::any_of(r.cells.begin(), r.cells.end(), is_recorded);
    });
  };
  const bool vent_recorded = recorded([](const CellOutcome& o) {
    return !std::isnan(o.peak_pressure) || !std::isnan(o.vented_mass) ||
           !std::isnan(o.vented_gas_mass) || !std::isnan(o.heat_kept_in_body) ||
           !std::isnan(o.heat_carried_by_ejecta);
  });
  // Nor do results written before the vented gas series (but after the others) record that one.
  const bool gas_recorded =
      recorded([](const CellOutcome& o) { return !std::isnan(o.vented_gas_mass); });
  if (vent_recorded) {
    cell_rows("peak can pressure (kPa)",
              [](const CellOutcome& o) { return number(o.peak_pressure * 1e-3, 1); });
    cell_rows("vented mass (kg)", [](const CellOutcome& o) { return number(o.vented_mass, 4); });
    if (gas_recorded) {
      cell_rows("vented gas (kg)",
                [](const CellOutcome& o) { return number(o.vented_gas_mass, 4); });
    }
    cell_rows("heat kept in body (kJ)",
              [](const CellOutcome& o) { return number(o.heat_kept_in_body * 1e-3, 1); });
    cell_rows("heat carried by ejecta (kJ)",
              [](const CellOutcome& o) { return number(o.heat_carried_by_ejecta * 1e-3, 1); });
    cell_rows("body share of heat (%)",
              [](const CellOutcome& o) { return number(100 * o.body_share(), 1); });
  }
  if (recorded([](const CellOutcome& o) { return !std::isnan(o.plume_heat_received); })) {
    cell_rows("plume heat received (kJ)",
              [](const CellOutcome& o) { return number(o.plume_heat_received * 1e-3, 1); });
    cell_rows("own plume onto other cells (kJ)",
              [](const CellOutcome& o) { return number(o.plume_heat_to_other_cells * 1e-3, 1); });
  }
  if (recorded([](const CellOutcome& o) { return !std::isnan(o.heat_in_gap_radiation); })) {
    // Which way heat reached each cell: the per-pathway budget (docs/physics.md "Heat pathways").
    cell_rows("heat in by gas conduction (kJ)",
              [](const CellOutcome& o) { return number(o.heat_in_gas_conduction * 1e-3, 1); });
    cell_rows("heat in by gap radiation (kJ)",
              [](const CellOutcome& o) { return number(o.heat_in_gap_radiation * 1e-3, 1); });
    cell_rows("heat in from solids (kJ)",
              [](const CellOutcome& o) { return number(o.heat_in_solid_contact * 1e-3, 1); });
    cell_rows("heat in from plume fire (kJ)",
              [](const CellOutcome& o) { return number(o.plume_fire_heat_received * 1e-3, 1); });
  }
  out += "\n";
  for (const RunSummary& r : runs) out += "- **" + r.name + "**: " + r.verdict + "\n";
  for (const RunSummary& r : runs) {
    if (r.verdicts) out += "\n## Verdicts: " + r.name + "\n\n" + verdict_text(*r.verdicts);
  }
  return out;
}

std::string compare_csv(const std::vector<RunSummary>& runs) {
  std::string out =
      "run,results,electrolyte_class,liquid_electrolyte_fraction,cells,cells_in_runaway,"
      "first_onset_s,last_onset_s,cells_per_minute,front_speed_m_per_s,peak_temperature_K,"
      "heat_released_J,end_time_s,peak_pressure_Pa,vented_mass_kg,vented_gas_kg,"
      "heat_kept_in_body_J,heat_carried_by_ejecta_J,body_share,combustion_heat_J,"
      "unburnt_fuel_heat_J,plume_heat_to_cells_J,plume_heat_to_enclosure_J,"
      "plume_heat_carried_out_J,verdict\n";
  for (const RunSummary& r : runs) {
    out += fmt::format(
        "{},{},\"{}\",{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"\n",
        r.name, r.results.string(), classes_of(r), csv_number(mean_fraction(r)), r.cells.size(),
        r.cells_in_runaway, csv_number(r.first_onset), csv_number(r.last_onset),
        csv_number(r.cells_per_minute), csv_number(r.front_speed), csv_number(r.peak_temperature),
        csv_number(r.total_heat_released), csv_number(r.end_time), csv_number(r.peak_pressure),
        csv_number(r.total_vented_mass), csv_number(r.total_vented_gas_mass),
        csv_number(r.total_heat_kept_in_body), csv_number(r.total_heat_carried_by_ejecta),
        csv_number(r.body_share()), csv_number(r.total_combustion_heat),
        csv_number(r.total_unburnt_fuel_heat), csv_number(r.total_plume_heat_to_cells),
        csv_number(r.total_plume_heat_to_enclosure), csv_number(r.total_plume_heat_carried_out),
        r.verdict);
  }
  out +=
      "\nrun,cell,electrolyte_class,onset_s,peak_temperature_K,heat_released_J,peak_pressure_Pa,"
      "vented_mass_kg,vented_gas_kg,heat_kept_in_body_J,heat_carried_by_ejecta_J,body_share,"
      "plume_heat_received_J,plume_heat_to_self_J,plume_heat_to_other_cells_J,"
      "plume_heat_to_enclosure_J,plume_heat_carried_out_J,combustion_heat_J,unburnt_fuel_heat_J,"
      "heat_in_gas_conduction_J,heat_in_gap_radiation_J,heat_in_solid_contact_J,"
      "heat_in_cell_contact_J,heat_in_boundary_J,plume_fire_heat_received_J\n";
  for (const RunSummary& r : runs) {
    for (const CellOutcome& c : r.cells) {
      const double values[] = {c.onset_time,
                               c.peak_temperature,
                               c.heat_released,
                               c.peak_pressure,
                               c.vented_mass,
                               c.vented_gas_mass,
                               c.heat_kept_in_body,
                               c.heat_carried_by_ejecta,
                               c.body_share(),
                               c.plume_heat_received,
                               c.plume_heat_to_self,
                               c.plume_heat_to_other_cells,
                               c.plume_heat_to_enclosure,
                               c.plume_heat_carried_out,
                               c.combustion_heat,
                               c.unburnt_fuel_heat,
                               c.heat_in_gas_conduction,
                               c.heat_in_gap_radiation,
                               c.heat_in_solid_contact,
                               c.heat_in_cell_contact,
                               c.heat_in_boundary,
                               c.plume_fire_heat_received};
      out += r.name + "," + c.name + "," + c.electrolyte_class;
      for (double v : values) out += "," + csv_number(v);
      out += "\n";
    }
  }
  out += "\nrun,rule,clause,criterion,finding,figures\n";
  for (const RunSummary& r : runs) {
    if (!r.verdicts) continue;
    for (const RuleVerdict& v : r.verdicts->rules) {
      out +=
          fmt::format("{},{},\"{}\",overall,{},\n", r.name, v.rule, v.title, to_string(v.overall));
      for (const Criterion& c : v.criteria) {
        out += fmt::format("{},{},\"{}\",\"{}\",{},\"{}\"\n", r.name, v.rule, c.clause, c.text,
                           to_string(c.finding), c.figures);
      }
    }
  }
  return out;
}

}  // namespace runaway::host
