// The rules of docs/verdicts.md on a run's sampled series.
#include "host/verdict/verdict_rules.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "common/error.hpp"

namespace runaway::host {

namespace {

// GB 38031-2025 C.5.3.7 c): the temperature rises at >= 1 degC/s for more than 3 s.
constexpr double kConfirmationRate = 1.0;      // K/s
constexpr double kConfirmationDuration = 3.0;  // s
// GB 38031-2025 5.2.7 b) 2): warning no later than 5 min after the runaway; GB 38031-2020
// 5.2.7 and UN GTR 20 5.4.12: warning 5 min before a hazard in the passenger compartment.
constexpr double kWarningLimit = 300.0;  // s
// GB 38031-2025 8.2.7.2: observe until every monitoring point is <= 60 degC, at least 2 h.
constexpr double kGb2025Observation = 7200.0;  // s
// Ideal gas at 1 atm for the vented gas volume.
constexpr double kGasConstant = 8.314462618;  // J/(mol K), CODATA 2018 (exact)
constexpr double kAtmosphere = 101325.0;      // Pa, standard atmosphere (exact)
// A cumulative heat counts as "happened" above this, J: far below any fire or plume (kJ), far
// above round-off of sums that stay at zero.
constexpr double kHappened = 1.0;  // J

double first_time(const std::vector<double>& time, const std::vector<double>& series,
                  std::size_t columns, double threshold) {
  if (series.empty()) return kNoTime;
  for (std::size_t s = 0; s < time.size(); ++s) {
    for (std::size_t c = 0; c < columns; ++c) {
      if (series[s * columns + c] > threshold) return time[s];
    }
  }
  return kNoTime;
}

double earliest(double a, double b) {
  if (std::isnan(a)) return b;
  if (std::isnan(b)) return a;
  return std::min(a, b);
}

std::string seconds(double t) {
  return std::isnan(t) ? "never" : fmt::format("{:.1f} s", t);
}

Finding combine(const std::vector<Criterion>& criteria) {
  bool open = false, judged = false;
  for (const Criterion& c : criteria) {
    if (c.finding == Finding::kFail) return Finding::kFail;
    open = open || c.finding == Finding::kOpen;
    judged = judged || c.finding == Finding::kPass;
  }
  if (open) return Finding::kOpen;
  return judged ? Finding::kPass : Finding::kNotJudged;
}

}  // namespace

const char* to_string(Finding finding) {
  switch (finding) {
    case Finding::kPass:
      return "pass";
    case Finding::kFail:
      return "fail";
    case Finding::kOpen:
      return "open";
    case Finding::kNotJudged:
      return "not judged";
  }
  return "?";
}

const std::vector<std::string>& verdict_rule_names() {
  static const std::vector<std::string> names{"gb38031-2025", "gb38031-2020", "gtr20",
                                              "ul9540a-module"};
  return names;
}

double observation_window(const VerdictConfig& verdict) {
  if (verdict.observation_time > 0) return verdict.observation_time;
  const bool gb2025 =
      std::find(verdict.rules.begin(), verdict.rules.end(), "gb38031-2025") != verdict.rules.end();
  return gb2025 ? kGb2025Observation : 0.0;
}

double confirm_runaway(const std::vector<double>& time, const std::vector<double>& temperature,
                       std::size_t column, std::size_t columns, double short_time,
                       double max_operating_temperature) {
  double rising_since = kNoTime;  // start of the current stretch at >= 1 K/s
  for (std::size_t s = 1; s < time.size(); ++s) {
    const double dt = time[s] - time[s - 1];
    if (!(dt > 0)) continue;  // an event sample at the same time as the previous one
    const double t0 = temperature[(s - 1) * columns + column];
    const double t1 = temperature[s * columns + column];
    if ((t1 - t0) / dt >= kConfirmationRate) {
      if (std::isnan(rising_since)) rising_since = time[s - 1];
    } else {
      rising_since = kNoTime;
    }
    const bool voltage_drop = short_time <= time[s];   // false for NaN
    const bool hot = t1 >= max_operating_temperature;  // false for NaN
    const bool rising = !std::isnan(rising_since) && time[s] - rising_since > kConfirmationDuration;
    if ((voltage_drop || hot) && rising) return time[s];
  }
  return kNoTime;
}

VerdictReport judge(const VerdictConfig& verdict, const VerdictInput& in) {
  const std::size_t samples = in.time.size();
  const std::size_t cells = in.cells;
  const std::size_t probes = in.probes.size();
  auto check = [&](const std::vector<double>& v, std::size_t columns, const char* what,
                   bool optional) {
    if (optional && v.empty()) return;
    if (v.size() != samples * columns) {
      throw runaway::runtime_error(fmt::format(
          "verdict: the {} series holds {} values, not {} x {}", what, v.size(), samples, columns));
    }
  };
  check(in.cell_max_temperature, cells, "cell temperature", false);
  check(in.combustion_heat, cells, "combustion heat", true);
  check(in.plume_heat_carried_out, cells, "plume heat carried out", true);
  check(in.vented_gas_mass, cells, "vented gas", true);
  check(in.probe_temperature, probes, "probe temperature", false);
  for (const auto* events : {&in.short_time, &in.vent_time, &in.onset_time}) {
    if (events->size() != cells) throw runaway::runtime_error("verdict: one event time per cell");
  }

  VerdictReport r;
  r.initiating_cell = verdict.initiating_cell;
  r.observation_end = observation_window(verdict);

  // Runaway confirmation: on the cell's own probes, else on its hottest voxel.
  r.confirmation_time.assign(cells, kNoTime);
  for (std::size_t c = 0; c < cells; ++c) {
    double when = kNoTime;
    bool monitored = false;
    for (std::size_t p = 0; p < probes; ++p) {
      if (in.probes[p].cell != int(c)) continue;
      monitored = true;
      when = earliest(when, confirm_runaway(in.time, in.probe_temperature, p, probes,
                                            in.short_time[c], verdict.max_operating_temperature));
    }
    if (!monitored) {
      when = confirm_runaway(in.time, in.cell_max_temperature, c, cells, in.short_time[c],
                             verdict.max_operating_temperature);
    }
    r.confirmation_time[c] = when;
  }
  const auto initiating = std::size_t(std::max(verdict.initiating_cell, 0));
  if (initiating < cells) r.initiating_runaway = r.confirmation_time[initiating];
  // Propagation by the model's own onsets: a neighbour's surface probe also meets the
  // confirmation criterion when the hot initiating cell heats it (docs/verdicts.md).
  for (std::size_t c = 0; c < cells; ++c) {
    if (c == initiating) continue;
    r.first_neighbour_runaway = earliest(r.first_neighbour_runaway, in.onset_time[c]);
    const bool in_module =
        std::find(verdict.initiating_module.begin(), verdict.initiating_module.end(), int(c)) !=
        verdict.initiating_module.end();
    if (!in_module) {
      r.first_runaway_outside_module = earliest(r.first_runaway_outside_module, in.onset_time[c]);
    }
  }
  r.contained_in_cell = std::isnan(r.first_neighbour_runaway);
  r.contained_in_module = std::isnan(r.first_runaway_outside_module);

  // The warning.
  if (verdict.alarm == "confirmation") {
    for (double t : r.confirmation_time) r.warning = earliest(r.warning, t);
  } else if (verdict.alarm == "vent") {
    for (double t : in.vent_time) r.warning = earliest(r.warning, t);
  } else {
    // A probe at the alarm temperature raises it.
    for (std::size_t s = 0; s < samples && std::isnan(r.warning); ++s) {
      for (std::size_t p = 0; p < probes; ++p) {
        if (in.probe_temperature[s * probes + p] >= verdict.alarm_temperature)
          r.warning = in.time[s];
      }
    }
  }
  if (!std::isnan(r.warning)) r.warning += verdict.alarm_delay;

  // Hazards: a fire, a burning plume or vent gas leaving the pack, a hot wall.
  r.fire = first_time(in.time, in.combustion_heat, cells, kHappened);
  r.hot_gas_out = first_time(in.time, in.plume_heat_carried_out, cells, kHappened);
  if (!in.combustion_heat.empty() && !in.plume_heat_carried_out.empty()) {
    for (std::size_t s = 0; s < samples && std::isnan(r.flame_out); ++s) {
      for (std::size_t c = 0; c < cells; ++c) {
        if (in.combustion_heat[s * cells + c] > kHappened &&
            in.plume_heat_carried_out[s * cells + c] > kHappened) {
          r.flame_out = in.time[s];
        }
      }
    }
  }
  for (std::size_t s = 0; s < samples && std::isnan(r.wall_rise); ++s) {
    for (std::size_t p = 0; p < probes; ++p) {
      if (in.probes[p].kind == ProbeKind::kWall &&
          in.probe_temperature[s * probes + p] - in.initial_temperature >=
              verdict.wall_temperature_rise) {
        r.wall_rise = in.time[s];
      }
    }
  }
  r.hazard = earliest(r.flame_out, r.hot_gas_out);

  // Back under the cool temperature: the probes, or the cells without probes.
  const bool by_probes = probes > 0;
  const std::vector<double>& watched = by_probes ? in.probe_temperature : in.cell_max_temperature;
  const std::size_t columns = by_probes ? probes : cells;
  for (std::size_t s = samples; s-- > 0;) {
    bool all_cool = true;
    for (std::size_t c = 0; c < columns; ++c) {
      all_cool = all_cool && watched[s * columns + c] <= verdict.cool_temperature;
    }
    if (!all_cool) break;
    r.cool = in.time[s];
  }

  // Vent gas against its lower flammability limit, all of it mixed into the model's gas.
  double moles = 0;
  if (!in.vented_gas_mass.empty() && samples > 0) {
    for (std::size_t c = 0; c < cells; ++c) {
      const double m = in.vented_gas_mass[(samples - 1) * cells + c];
      if (in.gas_molar_mass[c] > 0) moles += m / in.gas_molar_mass[c];
    }
  }
  r.vented_gas_volume = moles * kGasConstant * in.initial_temperature / kAtmosphere;
  r.peak_lfl_share = in.gas_volume > 0
                         ? r.vented_gas_volume / (r.vented_gas_volume + in.gas_volume) /
                               verdict.lower_flammability_limit
                         : std::nan("");

  // The criteria of each rule.
  const bool triggered = !std::isnan(r.initiating_runaway);
  const double end = in.end_time;
  const std::string trigger_figures =
      fmt::format("initiating cell {} confirmed in runaway at {}", verdict.initiating_cell,
                  seconds(r.initiating_runaway));
  auto no_runaway = [&](const std::string& clause) {
    return Criterion{clause, "the test needs the initiating cell in runaway", Finding::kOpen,
                     trigger_figures + " (run ended at " + seconds(end) +
                         "): the trigger has not done its job yet"};
  };
  auto warning_after_runaway = [&](const std::string& clause) {
    Criterion c{clause, "thermal-event warning no later than 5 min after the runaway",
                Finding::kOpen, ""};
    if (!triggered) return no_runaway(clause);
    const double limit = r.initiating_runaway + kWarningLimit;
    if (!std::isnan(r.warning) && r.warning <= limit) {
      c.finding = Finding::kPass;
    } else if (!std::isnan(r.warning) || end >= limit) {
      c.finding = Finding::kFail;
    }
    c.figures =
        fmt::format("runaway {}, warning {} ({} alarm); margin {}", seconds(r.initiating_runaway),
                    seconds(r.warning), verdict.alarm,
                    std::isnan(r.warning) ? "none" : fmt::format("{:.1f} s", limit - r.warning));
    return c;
  };
  auto warning_before_hazard = [&](const std::string& clause) {
    Criterion c{clause,
                "thermal-event warning at least 5 min before a hazard (fire, explosion, smoke) "
                "reaches the passenger compartment",
                Finding::kOpen, ""};
    const std::string hazard = std::isnan(r.hazard)
                                   ? "no flame or vent gas out of the pack by " + seconds(end)
                                   : "flame or vent gas out of the pack at " + seconds(r.hazard);
    if (!std::isnan(r.hazard)) {
      const bool in_time = !std::isnan(r.warning) && r.hazard - r.warning >= kWarningLimit;
      c.finding = in_time ? Finding::kPass : Finding::kFail;
      c.figures = fmt::format("warning {}, {}; margin {}", seconds(r.warning), hazard,
                              std::isnan(r.warning)
                                  ? "none"
                                  : fmt::format("{:.1f} s", r.hazard - r.warning - kWarningLimit));
    } else {
      // No hazard yet: decided only once the run has gone 5 min past the warning.
      const bool decided = !std::isnan(r.warning) && end - r.warning >= kWarningLimit;
      c.finding = decided ? Finding::kPass : Finding::kOpen;
      c.figures = fmt::format("warning {}, {}; margin at least {}", seconds(r.warning), hazard,
                              std::isnan(r.warning)
                                  ? "none"
                                  : fmt::format("{:.1f} s", end - r.warning - kWarningLimit));
    }
    return c;
  };
  auto explosion = [&](const std::string& clause) {
    return Criterion{clause, "no explosion", Finding::kNotJudged,
                     "the model has no deflagration or burst-pressure physics"};
  };
  auto observation = [&](const std::string& clause) {
    Criterion c{clause,
                fmt::format("observe until every monitoring point is at or below {:.2f} K, at "
                            "least {:.0f} s",
                            verdict.cool_temperature, r.observation_end),
                Finding::kOpen, ""};
    const bool cool_at_end = !std::isnan(r.cool);
    if (end >= r.observation_end && cool_at_end) c.finding = Finding::kPass;
    c.figures = fmt::format("{} at or below {:.2f} K since {}; run ended at {}",
                            by_probes ? "every probe" : "every cell (no probes)",
                            verdict.cool_temperature, seconds(r.cool), seconds(end));
    return c;
  };

  for (const std::string& name : verdict.rules) {
    RuleVerdict rule;
    rule.rule = name;
    if (name == "gb38031-2025") {
      rule.title = "GB 38031-2025 5.2.7 b) and Annex C: thermal propagation";
      Criterion fire{"GB 38031-2025 5.2.7 b) 1)", "no fire outside the pack after the runaway",
                     Finding::kPass, ""};
      if (!triggered) {
        fire = no_runaway(fire.clause);
      } else if (!std::isnan(r.flame_out)) {
        fire.finding = Finding::kFail;
      } else if (end < r.observation_end) {
        fire.finding = Finding::kOpen;  // none yet, but the observation is not over
      }
      fire.figures = fmt::format("a burning plume leaves the pack at {}; vent fire (anywhere) {}",
                                 seconds(r.flame_out), seconds(r.fire));
      rule.criteria.push_back(fire);
      rule.criteria.push_back(explosion("GB 38031-2025 5.2.7 b) 1)"));
      rule.criteria.push_back(warning_after_runaway("GB 38031-2025 5.2.7 b) 2)"));
      rule.criteria.push_back(
          {"GB 38031-2025 5.2.7 b) 3)",
           "smoke not dangerous to the passenger compartment within 5 min of the warning",
           Finding::kNotJudged,
           fmt::format("vent gas first leaves the pack at {}; smoke toxicity and its path to the "
                       "cabin are outside the model",
                       seconds(r.hot_gas_out))});
      rule.criteria.push_back(observation("GB 38031-2025 8.2.7.2"));
    } else if (name == "gb38031-2020" || name == "gtr20") {
      const bool gb = name == "gb38031-2020";
      rule.title = gb ? "GB 38031-2020 5.2.7: thermal propagation"
                      : "UN GTR 20 (EVS) 5.4.12: thermal propagation";
      rule.criteria.push_back(warning_before_hazard(gb ? "GB 38031-2020 5.2.7" : "GTR 20 5.4.12"));
      rule.criteria.push_back(explosion(gb ? "GB 38031-2020 5.2.7" : "GTR 20 5.4.12"));
    } else if (name == "ul9540a-module") {
      rule.title = "UL 9540A module level (performance criteria of the module test)";
      Criterion contained{"UL 9540A module level", "thermal runaway contained by the module",
                          Finding::kPass, ""};
      if (!triggered) {
        contained = no_runaway(contained.clause);
      } else if (!r.contained_in_module) {
        contained.finding = Finding::kFail;
      }
      contained.figures = fmt::format(
          "first runaway outside the initiating module ({} cells) {}; first "
          "neighbour {}",
          verdict.initiating_module.size(), seconds(r.first_runaway_outside_module),
          seconds(r.first_neighbour_runaway));
      rule.criteria.push_back(contained);
      rule.criteria.push_back(
          {"UL 9540A module level", "cell vent gas not flammable in air (ASTM E918)",
           Finding::kNotJudged,
           fmt::format("flammability needs a gas analysis; vented gas {:.3g} L at {:.2f} K, 1 atm: "
                       "{:.3g} of the lower flammability limit ({:.3g}, ASSUMED) if mixed into "
                       "the model's {:.3g} L of gas",
                       r.vented_gas_volume * 1e3, in.initial_temperature, r.peak_lfl_share,
                       verdict.lower_flammability_limit, in.gas_volume * 1e3)});
      Criterion wall{"UL 9540A unit level (informative)",
                     fmt::format("target wall temperature rise at most {:.0f} K",
                                 verdict.wall_temperature_rise),
                     Finding::kNotJudged, ""};
      bool walls = false;
      for (const ProbeInfo& p : in.probes) walls = walls || p.kind == ProbeKind::kWall;
      if (walls) wall.finding = std::isnan(r.wall_rise) ? Finding::kPass : Finding::kFail;
      wall.figures =
          walls ? "a wall probe reaches the limit at " + seconds(r.wall_rise) : "no wall probe";
      rule.criteria.push_back(wall);
    } else {
      throw runaway::bad_input("unknown verdict rule set '" + name + "'");
    }
    rule.overall = combine(rule.criteria);
    r.rules.push_back(std::move(rule));
  }
  return r;
}

}  // namespace runaway::host
