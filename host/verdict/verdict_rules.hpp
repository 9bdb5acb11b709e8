// The rules a propagation test is judged by (docs/verdicts.md): GB 38031-2025 and -2020, UN GTR
// 20 and UL 9540A at module level, evaluated on a run's sampled series. A pure function of the
// series (no file, no solver), so that tests can feed it made-up histories and the report,
// `compare` and the run's summary all judge a run the same way.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "host/config/config.hpp"

namespace runaway::host {

inline constexpr double kNoTime = std::numeric_limits<double>::quiet_NaN();

// Rule-set names a [verdict] may list.
const std::vector<std::string>& verdict_rule_names();
// End of the observation the rules ask for, s from the start of the test: the config's
// observation_time, else the longest of its rules' own (GB 38031-2025: 2 h).
double observation_window(const VerdictConfig& verdict);

// A probe as the evaluator sees it.
struct ProbeInfo {
  std::string name;
  ProbeKind kind = ProbeKind::kPoint;
  int cell = -1;  // the cell it monitors (a cell-surface probe, or a point inside a cell), else -1
};

// The sampled history of a run: every series row-major [sample][column].
struct VerdictInput {
  std::vector<double> time;  // s
  std::size_t cells = 0;
  std::vector<double> cell_max_temperature;    // K
  std::vector<double> combustion_heat;         // J, cumulative; empty: not recorded
  std::vector<double> plume_heat_carried_out;  // J, cumulative; empty: not recorded
  std::vector<double> vented_gas_mass;         // kg, cumulative; empty: not recorded
  std::vector<ProbeInfo> probes;
  std::vector<double> probe_temperature;  // K, [sample][probe]
  // Events per cell, s (NaN: never): the internal short (the separator failed: the cell's
  // voltage collapses), the vent opening and the solver's own runaway onset.
  std::vector<double> short_time, vent_time, onset_time;
  std::vector<double> gas_molar_mass;   // kg/mol of each cell's vent gas (0: unknown)
  double gas_volume = 0;                // m^3 of gas inside the model (for the LFL figure)
  double initial_temperature = 298.15;  // K
  double end_time = 0;                  // s simulated
};

// One criterion of a rule and how the run fares against it.
enum class Finding { kPass, kFail, kOpen, kNotJudged };  // open: the run is too short to decide
const char* to_string(Finding finding);

struct Criterion {
  std::string clause;  // e.g. "GB 38031-2025 5.2.7 b) 1)"
  std::string text;    // what the rule asks, in our words
  Finding finding = Finding::kNotJudged;
  std::string figures;  // the numbers that decided it
};

struct RuleVerdict {
  std::string rule;  // gb38031-2025, ...
  std::string title;
  Finding overall = Finding::kNotJudged;  // fail if one fails, else open if one is open, else pass
  std::vector<Criterion> criteria;
};

struct VerdictReport {
  // Runaway confirmation per cell by GB 38031-2025 C.5.3.7, s (NaN: not confirmed).
  std::vector<double> confirmation_time;
  int initiating_cell = -1;
  double initiating_runaway = kNoTime;            // s, confirmation of the initiating cell
  double warning = kNoTime;                       // s, the thermal-event warning
  double first_neighbour_runaway = kNoTime;       // s, the model's onset of another cell
  double first_runaway_outside_module = kNoTime;  // s, the same outside the initiating module
  double fire = kNoTime;                          // a vent fire burns (inside or outside the pack)
  double flame_out = kNoTime;                     // a burning plume leaves the pack
  double hot_gas_out = kNoTime;                   // vent gas leaves the pack
  double wall_rise = kNoTime;                     // a wall probe rose by wall_temperature_rise
  double hazard = kNoTime;       // GB 38031-2020 / GTR 20: flame or vent gas out of the pack
  double cool = kNoTime;         // every probe (else cell) at or below cool_temperature since
  double observation_end = 0;    // s, the window the rules ask to observe
  double vented_gas_volume = 0;  // m^3 at the initial temperature and 1 atm
  double peak_lfl_share = 0;     // vented gas / (gas volume x LFL); NaN without a gas volume
  bool contained_in_cell = true;
  bool contained_in_module = true;
  std::vector<RuleVerdict> rules;
};

// Judges the run by every rule of `verdict`. Throws runaway::Error when the input is
// inconsistent (series of the wrong length).
VerdictReport judge(const VerdictConfig& verdict, const VerdictInput& input);

// The GB 38031-2025 C.5.3.7 confirmation on one monitored temperature series: the first sample
// time at which (the voltage dropped by more than 25 % [short_time <= t] OR the temperature
// reached max_operating_temperature) AND it has risen at >= 1 K/s for more than 3 s. NaN: never.
double confirm_runaway(const std::vector<double>& time, const std::vector<double>& temperature,
                       std::size_t column, std::size_t columns, double short_time,
                       double max_operating_temperature);

}  // namespace runaway::host
