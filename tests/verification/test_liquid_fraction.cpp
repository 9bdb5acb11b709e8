// The liquid electrolyte fraction f (docs/design.md §4): sweeping it from a liquid cell down to
// all-solid with everything else fixed, in a nail test of the 50 Ah NMC cell.
//
// Expected from the model's construction (docs/physics.md): the heat of reactions cannot grow
// when there is less electrolyte to decompose and less solvent for the anode, the vented mass
// (the volatile solvent's vapour and its droplets, kernels/cell_vent.hpp) shrinks with f and
// vanishes at f = 0, and the flame releases burned_fraction x heat of combustion per vented kg.
// None of this says a semi-solid cell is safe: its own kinetics decide (Zhang et al. 2024).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "host/solver/cell_model.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::testing {
namespace {

struct FractionRun {
  double fraction;
  host::CellTestSummary summary;
};

std::vector<FractionRun> sweep(const char* chemistry, double start_temperature, double nail,
                               bool venting = true) {
  std::vector<FractionRun> runs;
  const host::ChemistryEntry& e = host::find_chemistry_entry(chemistry);
  for (double f : {0.20, 0.15, 0.12, 0.10, 0.07, 0.05, 0.02, 0.0}) {
    kernels::Chemistry chem = e.chemistry;
    chem.liquid_electrolyte_fraction = f;
    if (!venting) {
      chem.vent_temperature = 0;
      chem.vent_burst_pressure = 0;
      chem.ejecta_heat_share = 0;
    }
    host::CellTestOptions o;
    o.start_temperature = start_temperature;
    o.nail_time = nail;
    o.end_time = 4 * 3600.0;
    runs.push_back({f, host::run_cell_test(chem, e.cell, o).summary});
  }
  return runs;
}

void expect_fraction_effects(const char* chemistry, const std::vector<FractionRun>& runs,
                             bool venting = true) {
  const kernels::Chemistry chem = host::find_chemistry(chemistry);
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const host::CellTestSummary& s = runs[k].summary;
    std::printf(
        "%s f = %.2f: reaction heat %.4g J, vented %.4g kg, combustion %.4g J, "
        "T_max %.0f K\n",
        chemistry, runs[k].fraction, s.reaction_heat, s.vented_mass, s.combustion_energy,
        s.max_temperature);
    EXPECT_NEAR(s.combustion_energy, chem.burned_fraction * chem.heat_of_combustion * s.vented_mass,
                1e-3 * s.combustion_energy + 1e-9);
    if (k == 0) continue;
    const host::CellTestSummary& more = runs[k - 1].summary;  // more liquid
    EXPECT_LE(s.reaction_heat, more.reaction_heat * (1 + 1e-9))
        << "f " << runs[k].fraction << " released more than f " << runs[k - 1].fraction;
    if (!venting) continue;
    EXPECT_LT(s.vented_mass, more.vented_mass) << "f " << runs[k].fraction;
    EXPECT_LE(s.combustion_energy, more.combustion_energy) << "f " << runs[k].fraction;
  }
  EXPECT_EQ(runs.back().summary.vented_mass, 0.0);  // all-solid: nothing to vent
  EXPECT_EQ(runs.back().summary.combustion_energy, 0.0);
}

// Nail test from room temperature: the short circuit starts everything, then the fraction
// decides the electrolyte heat, the anode's solvent and the vent fuel.
TEST(LiquidFraction, LessLiquidNeverMoreHeatAndVentedMassScales) {
  const std::vector<FractionRun> runs = sweep("nmc-liquid-50ah", 298.15, 5.0);
  expect_fraction_effects("nmc-liquid-50ah", runs);
  // The vent opens before the reactions have eaten much liquid, so the vented mass is close to
  // proportional to f (within the share consumed before the opening).
  const double per_fraction_liquid = runs[1].summary.vented_mass / runs[1].fraction;
  for (std::size_t k = 0; k + 1 < runs.size(); ++k) {
    EXPECT_NEAR(runs[k].summary.vented_mass / runs[k].fraction, per_fraction_liquid,
                0.1 * per_fraction_liquid)
        << "f " << runs[k].fraction;
  }
}

// The published NREL set, adiabatic from 450 K with the vent shut, obeys the ordering: less
// electrolyte heat, a cooler path, less conversion of the self-inhibiting anode.
//
// With the vent open it need not: in the published set the anode's extent depends on the
// temperature path (SEI inhibition), and less liquid also means less latent heat carried off by
// the vent. The sweep below shows f = 0.10 releasing ~0.4 % more than f = 0.12. That is the
// model, not round-off; Huang et al. (SSRN 6589383) likewise found that removing volatiles did
// not clearly reduce runaway intensity. The test pins the effect down so a change to it is seen.
TEST(LiquidFraction, HoldsForThePublishedNrelSetWithTheVentShut) {
  expect_fraction_effects("nrel-lco", sweep("nrel-lco", 450.0, -1.0, false), false);
  expect_fraction_effects("nrel-lco-vented", sweep("nrel-lco-vented", 450.0, -1.0, false), false);
}

TEST(LiquidFraction, VentCoolingCanLetTheInhibitedNrelAnodeGoFurther) {
  const std::vector<FractionRun> runs = sweep("nrel-lco-vented", 450.0, -1.0);
  double largest_rise = 0.0;
  for (std::size_t k = 1; k < runs.size(); ++k) {
    largest_rise = std::max(
        largest_rise, runs[k].summary.reaction_heat / runs[k - 1].summary.reaction_heat - 1.0);
  }
  EXPECT_GT(largest_rise, 0.0);   // the effect exists ...
  EXPECT_LT(largest_rise, 0.01);  // ... and is small
  // Venting still scales with the liquid.
  for (std::size_t k = 1; k < runs.size(); ++k) {
    EXPECT_LT(runs[k].summary.vented_mass, runs[k - 1].summary.vented_mass);
  }
}

}  // namespace
}  // namespace runaway::testing
