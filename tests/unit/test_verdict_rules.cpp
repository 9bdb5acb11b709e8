// The rules of docs/verdicts.md on made-up histories whose answers are known by hand: GB 38031-2025
// C.5.3.7 runaway confirmation, the warning rules of GB 38031-2025 and -2020 / GTR 20, UL 9540A
// containment, the cool-down, and open findings when a run stops too soon.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error.hpp"
#include "host/verdict/verdict_rules.hpp"

namespace runaway::host {
namespace {

const double kNaN = std::nan("");

// Samples every second from 0 to `end` s.
std::vector<double> seconds(int end) {
  std::vector<double> t;
  for (int s = 0; s <= end; ++s) t.push_back(s);
  return t;
}

// A temperature at 300 K rising at `rate` K/s from `start` s.
std::vector<double> ramp(const std::vector<double>& t, double start, double rate) {
  std::vector<double> v;
  for (double s : t) v.push_back(300.0 + (s > start ? rate * (s - start) : 0.0));
  return v;
}

TEST(RunawayConfirmation, NeedsMoreThanThreeSecondsAtOneKelvinPerSecondAndAHotPointOrAShort) {
  const std::vector<double> t = seconds(60);
  // 1 K/s from 10 s: the stretch starts at 10 s, lasts 3 s at 13 s (not more) and 4 s at 14 s;
  // 333.15 K is reached at 43.15 s, so the hot point confirms at the first sample after, 44 s.
  const std::vector<double> one = ramp(t, 10, 1.0);
  EXPECT_DOUBLE_EQ(confirm_runaway(t, one, 0, 1, kNaN, 333.15), 44.0);
  // A short (the voltage collapses) at 11 s confirms as soon as the stretch is long enough.
  EXPECT_DOUBLE_EQ(confirm_runaway(t, one, 0, 1, 11.0, 333.15), 14.0);
  EXPECT_DOUBLE_EQ(confirm_runaway(t, one, 0, 1, 11.0, kNaN), 14.0);
  // Just under the rate: never, however hot.
  EXPECT_TRUE(std::isnan(confirm_runaway(t, ramp(t, 10, 0.99), 0, 1, 5.0, 301.0)));
  // Neither a short nor a maximum operating temperature: never.
  EXPECT_TRUE(std::isnan(confirm_runaway(t, ramp(t, 10, 5.0), 0, 1, kNaN, kNaN)));
  // A pause in the rise starts the stretch again: 2 K/s from 10 to 13 s, flat to 15 s, then again.
  std::vector<double> paused;
  for (double s : t) {
    paused.push_back(s <= 10   ? 300
                     : s <= 13 ? 300 + 2 * (s - 10)
                     : s <= 15 ? 306
                               : 306 + 2 * (s - 15));
  }
  EXPECT_DOUBLE_EQ(confirm_runaway(t, paused, 0, 1, 0.0, kNaN), 19.0);
  // Columns: the second of two series is the one read.
  std::vector<double> two;
  for (std::size_t s = 0; s < t.size(); ++s) {
    two.push_back(300.0);
    two.push_back(one[s]);
  }
  EXPECT_DOUBLE_EQ(confirm_runaway(t, two, 1, 2, 11.0, kNaN), 14.0);
  EXPECT_TRUE(std::isnan(confirm_runaway(t, two, 0, 2, 11.0, kNaN)));
}

// Three cells, cell 0 triggered; cells 0-1 form the initiating module. Cell 0's probe rises at
// 10 K/s from 20 s (confirmed with its short at 20 s: 24 s); cell 2 runs away at `onset2`.
struct History {
  VerdictConfig verdict;
  VerdictInput in;
  explicit History(int end, double onset2 = kNaN) {
    verdict.max_operating_temperature = 333.15;
    verdict.initiating_cell = 0;
    verdict.initiating_module = {0, 1};
    in.time = seconds(end);
    in.cells = 3;
    const std::vector<double> hot = ramp(in.time, 20, 10.0);
    for (std::size_t s = 0; s < in.time.size(); ++s) {
      in.cell_max_temperature.insert(in.cell_max_temperature.end(), {hot[s], 300.0, 300.0});
      // Two probes: cell 0's surface follows the cell; a wall patch stays at 300 K.
      in.probe_temperature.insert(in.probe_temperature.end(), {hot[s], 300.0});
      in.combustion_heat.insert(in.combustion_heat.end(), {0.0, 0.0, 0.0});
      in.plume_heat_carried_out.insert(in.plume_heat_carried_out.end(), {0.0, 0.0, 0.0});
      in.vented_gas_mass.insert(in.vented_gas_mass.end(), {0.0, 0.0, 0.0});
    }
    in.probes = {{"cell0", ProbeKind::kCellSurface, 0}, {"wall", ProbeKind::kWall, -1}};
    in.short_time = {20.0, kNaN, kNaN};
    in.vent_time = {15.0, kNaN, kNaN};
    in.onset_time = {22.0, kNaN, onset2};
    in.gas_molar_mass = {0.03, 0.03, 0.03};
    in.end_time = end;
  }
  // A fire in cell 0's plume from `t` s, leaving the pack.
  void flame_out_from(double t) {
    for (std::size_t s = 0; s < in.time.size(); ++s) {
      if (in.time[s] >= t) {
        in.combustion_heat[s * 3] = 1e4;
        in.plume_heat_carried_out[s * 3] = 1e4;
      }
    }
  }
};

const RuleVerdict& rule(const VerdictReport& r, const std::string& name) {
  for (const RuleVerdict& v : r.rules) {
    if (v.rule == name) return v;
  }
  throw std::runtime_error("no rule " + name);
}

TEST(Verdict, Gb2025WarningIsDueFiveMinutesAfterTheConfirmedRunaway) {
  History h(400);
  h.verdict.rules = {"gb38031-2025"};
  VerdictReport r = judge(h.verdict, h.in);
  EXPECT_DOUBLE_EQ(r.initiating_runaway, 24.0);
  EXPECT_DOUBLE_EQ(r.warning, 24.0);  // alarm = confirmation
  const RuleVerdict& gb = rule(r, "gb38031-2025");
  EXPECT_EQ(gb.criteria[2].finding, Finding::kPass) << gb.criteria[2].figures;
  // No flame so far, but the 2 h observation is not over: open, and so is the rule.
  EXPECT_EQ(gb.criteria[0].finding, Finding::kOpen);
  EXPECT_EQ(gb.overall, Finding::kOpen);
  // A BMS that reacts 280 s later still makes it; 301 s later does not (24 + 301 > 324).
  h.verdict.alarm_delay = 280;
  EXPECT_EQ(rule(judge(h.verdict, h.in), "gb38031-2025").criteria[2].finding, Finding::kPass);
  h.verdict.alarm_delay = 301;
  r = judge(h.verdict, h.in);
  EXPECT_DOUBLE_EQ(r.warning, 325.0);
  EXPECT_EQ(rule(r, "gb38031-2025").criteria[2].finding, Finding::kFail);
  EXPECT_EQ(rule(r, "gb38031-2025").overall, Finding::kFail);
  // A vent alarm warns at the vent, before the runaway.
  h.verdict.alarm_delay = 0;
  h.verdict.alarm = "vent";
  EXPECT_DOUBLE_EQ(judge(h.verdict, h.in).warning, 15.0);
  // A temperature alarm at 400 K: cell 0's probe passes it at 30 s.
  h.verdict.alarm = "temperature";
  h.verdict.alarm_temperature = 400.0;
  EXPECT_DOUBLE_EQ(judge(h.verdict, h.in).warning, 30.0);
}

TEST(Verdict, Gb2025FailsOnAFlameOutOfThePackAndPassesAfterAColdObservation) {
  History flame(400);
  flame.verdict.rules = {"gb38031-2025"};
  flame.flame_out_from(50);
  VerdictReport r = judge(flame.verdict, flame.in);
  EXPECT_DOUBLE_EQ(r.flame_out, 50.0);
  EXPECT_EQ(rule(r, "gb38031-2025").criteria[0].finding, Finding::kFail);
  EXPECT_EQ(rule(r, "gb38031-2025").overall, Finding::kFail);

  // Hot for a while, then every probe back under 60 degC from 3000 s, observed past 2 h.
  History cold(7300);
  cold.verdict.rules = {"gb38031-2025"};
  for (std::size_t s = 0; s < cold.in.time.size(); ++s) {
    if (cold.in.time[s] >= 3000) cold.in.probe_temperature[s * 2] = 320.0;
  }
  r = judge(cold.verdict, cold.in);
  EXPECT_DOUBLE_EQ(r.cool, 3000.0);
  const RuleVerdict& gb = rule(r, "gb38031-2025");
  EXPECT_EQ(gb.criteria[0].finding, Finding::kPass);
  EXPECT_EQ(gb.criteria[4].finding, Finding::kPass) << gb.criteria[4].figures;
  // Explosion and smoke are never judged; the rule passes on what the model judges.
  EXPECT_EQ(gb.criteria[1].finding, Finding::kNotJudged);
  EXPECT_EQ(gb.criteria[3].finding, Finding::kNotJudged);
  EXPECT_EQ(gb.overall, Finding::kPass);
}

TEST(Verdict, Gb2020AndGtr20NeedTheWarningFiveMinutesBeforeTheHazard) {
  History h(1000);
  h.verdict.rules = {"gb38031-2020", "gtr20"};
  h.flame_out_from(324.0);  // warning at 24 s: exactly 300 s before
  VerdictReport r = judge(h.verdict, h.in);
  EXPECT_DOUBLE_EQ(r.hazard, 324.0);
  EXPECT_EQ(rule(r, "gb38031-2020").criteria[0].finding, Finding::kPass);
  EXPECT_EQ(rule(r, "gtr20").criteria[0].finding, Finding::kPass);
  History late(1000);
  late.verdict.rules = {"gtr20"};
  late.flame_out_from(323.0);
  EXPECT_EQ(rule(judge(late.verdict, late.in), "gtr20").criteria[0].finding, Finding::kFail);
  // No hazard: decided only 5 min after the warning.
  History quiet(200);
  quiet.verdict.rules = {"gtr20"};
  EXPECT_EQ(rule(judge(quiet.verdict, quiet.in), "gtr20").criteria[0].finding, Finding::kOpen);
  History long_quiet(400);
  long_quiet.verdict.rules = {"gtr20"};
  EXPECT_EQ(rule(judge(long_quiet.verdict, long_quiet.in), "gtr20").criteria[0].finding,
            Finding::kPass);
}

TEST(Verdict, Ul9540aModuleFailsWhenRunawayLeavesTheInitiatingModule) {
  History inside(300);
  inside.verdict.rules = {"ul9540a-module"};
  inside.in.onset_time[1] = 100.0;  // the neighbour in the module
  VerdictReport r = judge(inside.verdict, inside.in);
  EXPECT_FALSE(r.contained_in_cell);
  EXPECT_TRUE(r.contained_in_module);
  EXPECT_EQ(rule(r, "ul9540a-module").criteria[0].finding, Finding::kPass);
  History outside(300, 150.0);
  outside.verdict.rules = {"ul9540a-module"};
  r = judge(outside.verdict, outside.in);
  EXPECT_DOUBLE_EQ(r.first_runaway_outside_module, 150.0);
  EXPECT_EQ(rule(r, "ul9540a-module").overall, Finding::kFail);
  // A wall probe 97 K over the initial temperature fails the unit-level wall criterion.
  History wall(300);
  wall.verdict.rules = {"ul9540a-module"};
  wall.in.probe_temperature[200 * 2 + 1] = 298.15 + 97.0;
  r = judge(wall.verdict, wall.in);
  EXPECT_DOUBLE_EQ(r.wall_rise, 200.0);
  EXPECT_EQ(rule(r, "ul9540a-module").criteria[2].finding, Finding::kFail);
  // Vented gas volume: 0.03 kg of 0.03 kg/mol gas is 1 mol, 24.47 L at 298.15 K and 1 atm.
  wall.in.vented_gas_mass[300 * 3] = 0.03;
  EXPECT_NEAR(judge(wall.verdict, wall.in).vented_gas_volume, 0.024465, 1e-5);
}

TEST(Verdict, NoRunawayOfTheInitiatingCellLeavesTheRulesOpen) {
  History h(400);
  h.verdict.rules = {"gb38031-2025", "ul9540a-module"};
  h.in.short_time[0] = kNaN;
  h.verdict.max_operating_temperature = 1e5;  // never reached
  const VerdictReport r = judge(h.verdict, h.in);
  EXPECT_TRUE(std::isnan(r.initiating_runaway));
  for (const RuleVerdict& v : r.rules) EXPECT_EQ(v.overall, Finding::kOpen) << v.rule;
}

TEST(Verdict, SeriesOfTheWrongLengthAreAnError) {
  History h(10);
  h.verdict.rules = {"gtr20"};
  h.in.probe_temperature.pop_back();
  EXPECT_THROW(judge(h.verdict, h.in), Error);
}

}  // namespace
}  // namespace runaway::host
