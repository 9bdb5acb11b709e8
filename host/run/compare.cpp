#include "host/run/compare.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

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
  row("simulated time (s)", [](const RunSummary& r) { return number(r.end_time, 0); });
  std::size_t most_cells = 0;
  for (const RunSummary& r : runs) most_cells = std::max(most_cells, r.cells.size());
  for (std::size_t c = 0; c < most_cells; ++c) {
    row(fmt::format("cell {} onset (s)", c), [c](const RunSummary& r) {
      return c < r.cells.size() ? number(r.cells[c].onset_time, 1) : std::string("");
    });
  }
  out += "\n";
  for (const RunSummary& r : runs) out += "- **" + r.name + "**: " + r.verdict + "\n";
  return out;
}

std::string compare_csv(const std::vector<RunSummary>& runs) {
  std::string out =
      "run,results,electrolyte_class,liquid_electrolyte_fraction,cells,cells_in_runaway,"
      "first_onset_s,last_onset_s,cells_per_minute,front_speed_m_per_s,peak_temperature_K,"
      "heat_released_J,end_time_s,verdict\n";
  for (const RunSummary& r : runs) {
    out += fmt::format("{},{},\"{}\",{},{},{},{},{},{},{},{},{},{},\"{}\"\n", r.name,
                       r.results.string(), classes_of(r), csv_number(mean_fraction(r)),
                       r.cells.size(), r.cells_in_runaway, csv_number(r.first_onset),
                       csv_number(r.last_onset), csv_number(r.cells_per_minute),
                       csv_number(r.front_speed), csv_number(r.peak_temperature),
                       csv_number(r.total_heat_released), csv_number(r.end_time), r.verdict);
  }
  out += "\nrun,cell,electrolyte_class,onset_s,peak_temperature_K,heat_released_J\n";
  for (const RunSummary& r : runs) {
    for (const CellOutcome& c : r.cells) {
      out += fmt::format("{},{},{},{},{},{}\n", r.name, c.name, c.electrolyte_class,
                         csv_number(c.onset_time), csv_number(c.peak_temperature),
                         csv_number(c.heat_released));
    }
  }
  return out;
}

}  // namespace runaway::host
