// 0D cell tests (host/solver/cell_model.hpp) with the same kernels as the 3D solver: oven, ARC
// heat-wait-seek, adiabatic and nail runs.
//
// Oven tests (Hatchard 2001; Kim 2007) show a critical oven temperature: below it the cell
// settles a few K above the oven, above it the cell runs away, sooner the hotter the oven. The
// assertions are orderings and the existence of the threshold, not published times: the
// nrel-lco constants are UNVERIFIED against the papers and the 18650 geometry is assumed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/solver/cell_model.hpp"

namespace runaway::testing {
namespace {

using host::CellTestMode;
using host::CellTestOptions;
using host::CellTestResult;

CellTestResult oven(const std::string& chemistry, double oven_temperature, double end_time) {
  const host::ChemistryEntry& e = host::find_chemistry_entry(chemistry);
  CellTestOptions o;
  o.mode = CellTestMode::kOven;
  o.start_temperature = 298.15;
  o.oven_temperature = oven_temperature;
  o.end_time = end_time;
  return host::run_cell_test(e.chemistry, e.cell, o);
}

double relative_energy_error(const host::CellTestSummary& s) {
  const double scale = std::fabs(s.reaction_heat) + std::fabs(s.heat_from_surroundings) +
                       s.short_circuit_energy + s.vent_heat;
  return std::fabs(s.energy_balance_error) / scale;
}

TEST(CellOven, HotterOvensRunAwaySoonerAndColdOnesNever) {
  const double end = 6 * 3600.0;
  double previous = 1e300;
  for (double t_oven : {413.15, 423.15, 438.15, 458.15, 473.15}) {
    const CellTestResult r = oven("nrel-lco", t_oven, end);
    ASSERT_TRUE(r.summary.runaway) << "oven at " << t_oven << " K";
    EXPECT_LT(r.summary.runaway_onset_time, previous) << "oven at " << t_oven << " K";
    previous = r.summary.runaway_onset_time;
    // Near the threshold the slow approach uses up reactants first, so the peak is lower.
    EXPECT_GT(r.summary.max_temperature, t_oven + 200.0);
    EXPECT_LT(relative_energy_error(r.summary), 1e-9);
    std::printf("nrel-lco oven %.2f K: runaway at %.0f s (%.1f K), T_max %.0f K\n", t_oven,
                r.summary.runaway_onset_time, r.summary.runaway_onset_temperature,
                r.summary.max_temperature);
  }
  for (double t_oven : {393.15, 403.15}) {
    const CellTestResult r = oven("nrel-lco", t_oven, end);
    EXPECT_FALSE(r.summary.runaway) << "oven at " << t_oven << " K";
    // Below the threshold the cell settles near the oven: self-heating balanced by convection.
    EXPECT_LT(r.summary.max_temperature, t_oven + 15.0);
    EXPECT_GT(r.samples.back().temperature, t_oven - 1.0);
    std::printf("nrel-lco oven %.2f K: no runaway, T_max %.1f K\n", t_oven,
                r.summary.max_temperature);
  }
}

// The ARC finds self-heating during a seek, above the start temperature, then follows the cell
// adiabatically into runaway; no heat is exchanged except by the heater.
TEST(CellArc, HeatWaitSeekDetectsTheExothermThenFollowsItIntoRunaway) {
  const host::ChemistryEntry& e = host::find_chemistry_entry("nrel-lco");
  CellTestOptions o;
  o.mode = CellTestMode::kArc;
  o.start_temperature = 323.15;
  o.end_time = 10 * 24 * 3600.0;
  const CellTestResult r = host::run_cell_test(e.chemistry, e.cell, o);
  const host::CellTestSummary& s = r.summary;
  ASSERT_GE(s.self_heating_onset_time, 0.0);
  EXPECT_GT(s.self_heating_onset_temperature, o.start_temperature + o.arc_step - 1e-6);
  ASSERT_TRUE(s.runaway);
  EXPECT_GT(s.runaway_onset_time, s.self_heating_onset_time);
  EXPECT_GT(s.runaway_onset_temperature, s.self_heating_onset_temperature);
  EXPECT_GT(s.heat_from_surroundings, 0.0);  // the heater steps
  EXPECT_LT(relative_energy_error(s), 1e-9);
  // Heat steps: the heater put in rho cp V (T_detect - T_start) (minus self-heating).
  const double heater_rise =
      s.heat_from_surroundings /
      (e.chemistry.density * e.chemistry.heat_capacity * e.cell.jelly_roll_volume);
  EXPECT_LE(heater_rise, s.self_heating_onset_temperature - o.start_temperature + 1e-6);
  std::printf(
      "nrel-lco ARC: self-heating detected at %.2f K (t = %.0f s), runaway at %.1f K "
      "%.0f s later, T_max %.0f K, max rate %.3g K/s\n",
      s.self_heating_onset_temperature, s.self_heating_onset_time, s.runaway_onset_temperature,
      s.runaway_onset_time - s.self_heating_onset_time, s.max_temperature, s.max_self_heating_rate);
}

// A nail shorts the Feng-type cell at the set time; its whole short-circuit energy is released
// (capacity x voltage x SOC x fraction), the vent opens, the flame burns its share.
TEST(CellNail, ShortCircuitReleasesTheStoredEnergyAndTheCellBurnsOut) {
  const host::ChemistryEntry& e = host::find_chemistry_entry("nmc-liquid-50ah");
  CellTestOptions o;
  o.mode = CellTestMode::kAdiabatic;
  o.start_temperature = 298.15;
  o.nail_time = 10.0;
  o.end_time = 3600.0;
  const CellTestResult r = host::run_cell_test(e.chemistry, e.cell, o);
  const host::CellTestSummary& s = r.summary;
  EXPECT_NEAR(s.short_circuit_time, 10.0, 1e-9);
  const double stored = e.chemistry.short_circuit_energy_fraction * e.cell.charge_capacity *
                        e.cell.voltage * e.cell.state_of_charge;
  EXPECT_GT(s.short_circuit_energy, 0.999 * stored);
  EXPECT_LE(s.short_circuit_energy, stored * (1 + 1e-12));
  EXPECT_TRUE(s.runaway);
  EXPECT_TRUE(s.burnt_out);
  EXPECT_GE(s.vent_time, 10.0);
  EXPECT_GT(s.vented_mass, 0.0);
  EXPECT_NEAR(s.combustion_energy,
              e.chemistry.burned_fraction * e.chemistry.heat_of_combustion * s.vented_mass,
              1e-3 * s.combustion_energy);
  EXPECT_LT(relative_energy_error(s), 1e-9);
}

TEST(CellTest, WritesTheCsvWithOneColumnPerReaction) {
  const host::ChemistryEntry& e = host::find_chemistry_entry("nrel-lco");
  CellTestOptions o;
  o.start_temperature = 450.0;
  o.end_time = 200.0;
  const CellTestResult r = host::run_cell_test(e.chemistry, e.cell, o);
  const std::string path = std::string(RUNAWAY_BINARY_DIR) + "/test_cell_oven.csv";
  host::write_cell_test_csv(r, path);
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  EXPECT_EQ(header,
            "time_s,temperature_K,self_heating_rate_K_per_s,ambient_temperature_K,progress_sei,"
            "progress_anode,progress_cathode,progress_electrolyte,electrolyte_left,"
            "short_circuit_power_W,vent_heat_power_W,vented_mass_kg,combustion_power_W,pressure_Pa,"
            "vent_mass_flow_kg_per_s,vented_gas_kg,vented_vapour_kg,vented_liquid_kg,"
            "heat_kept_in_body_J,heat_carried_by_ejecta_J");
  std::size_t rows = 0;
  for (std::string line; std::getline(in, line);) ++rows;
  EXPECT_EQ(rows, r.samples.size());
  EXPECT_NE(host::format_cell_test_summary(r).find("maximum temperature"), std::string::npos);
  std::remove(path.c_str());
}

TEST(CellTest, BadOptionsAreBadInputNamingTheFlag) {
  const host::ChemistryEntry& e = host::find_chemistry_entry("nrel-lco");
  CellTestOptions o;
  o.mode = CellTestMode::kOven;
  o.oven_temperature = -5;
  try {
    host::run_cell_test(e.chemistry, e.cell, o);
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_EQ(err.exit_code(), 2);
    EXPECT_EQ(err.context().key, "--oven-temperature");
  }
  try {
    host::parse_cell_test_mode("owen");
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_EQ(err.exit_code(), 2);
    EXPECT_EQ(err.context().key, "--mode");
  }
}

}  // namespace
}  // namespace runaway::testing
