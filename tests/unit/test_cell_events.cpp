// Cell-level events (kernels/cell_events.hpp): short-circuit energy, vent window, combustion
// bookkeeping and the trigger logic.
#include <gtest/gtest.h>

#include <cmath>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/cell_events.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::testing {
namespace {

using kernels::CellEventParameters;
using kernels::CellEventState;

CellEventParameters parameters() {
  const kernels::Chemistry chem = host::find_chemistry("feng2015-ncm");
  return kernels::make_cell_event_parameters(chem, 3.6e-4, 25 * 3600.0, 4.0, 0.8, -1.0);
}

TEST(ShortCircuit, EnergyIsCapacityTimesVoltageTimesSocTimesFraction) {
  const CellEventParameters p = parameters();
  EXPECT_NEAR(p.short_circuit_energy, 1.0 * 25 * 3600.0 * 4.0 * 0.8, 1e-6);
}

// Splitting the release into steps of any length sums to the exact integral
// E (1 - exp(-t / tau)), and the step-average power density integrates to the same energy.
TEST(ShortCircuit, StepwiseReleaseSumsToTheExactIntegral) {
  const CellEventParameters p = parameters();
  CellEventState s;
  const unsigned fired = kernels::update_cell_events(p, s, 2.0, p.separator_temperature + 1, 0.0);
  ASSERT_TRUE(fired & kernels::kEventShortCircuit);
  EXPECT_EQ(s.short_circuit_start_time, 2.0);
  double t = 0.0;
  double from_rates = 0.0;
  for (double dt : {0.5, 1.7, 0.01, 3.0, 7.3, 0.25, 12.0}) {
    from_rates += kernels::short_circuit_heat_rate(p, s, t, dt) * dt * p.jelly_roll_volume;
    kernels::record_short_circuit(p, s, t, dt);
    t += dt;
  }
  const double tau = p.short_circuit_time_constant;
  const double exact = p.short_circuit_energy * (1 - std::exp(-(t - 2.0) / tau));
  EXPECT_NEAR(s.short_circuit_energy_released / exact, 1.0, 1e-12);
  EXPECT_NEAR(from_rates / exact, 1.0, 1e-12);
  EXPECT_NEAR(kernels::short_circuit_power(p, s, 2.0), p.short_circuit_energy / tau, 1e-6);
}

TEST(ShortCircuit, NailTriggersAtItsTimeBelowTheSeparatorTemperature) {
  CellEventParameters p = parameters();
  p.nail_time = 30.0;
  CellEventState s;
  EXPECT_EQ(kernels::update_cell_events(p, s, 29.0, 300.0, 0.0), 0u);
  EXPECT_EQ(kernels::update_cell_events(p, s, 30.0, 300.0, 0.0) & kernels::kEventShortCircuit,
            unsigned(kernels::kEventShortCircuit));
  EXPECT_EQ(kernels::cell_phase(s), kernels::CellPhase::kShorted);
}

// With the vent open for vent_ejection_time and no reactions, exactly vented_fraction of the
// liquid leaves through the kinetics kernel, and its latent heat leaves with it.
TEST(Venting, EjectsTheVentedFractionOfTheLiquid) {
  kernels::Chemistry chem = host::find_chemistry("feng2015-ncm");
  for (int i = 0; i < chem.reaction_count; ++i) chem.reactions[i].pre_exponential_factor = 0;
  for (int i = 0; i < chem.reaction_count; ++i) chem.reactions[i].temperature_switch = false;
  const CellEventParameters p = kernels::make_cell_event_parameters(chem, 1e-4, 1.0, 1.0, 1.0);
  CellEventState cell;
  kernels::update_cell_events(p, cell, 0.0, chem.vent_temperature, 0.0);
  ASSERT_TRUE(kernels::has_event(cell, kernels::kEventVent));
  kernels::KineticState state = kernels::initial_kinetic_state(chem);
  const double t_v = p.vent_ejection_time;
  const int steps = 50;
  double vented = 0.0;
  double latent = 0.0;
  double temperature = 450.0;
  for (int k = 0; k < steps; ++k) {
    const double t0 = t_v * k / steps;
    ASSERT_TRUE(kernels::vent_ejecting(p, cell, t0));
    const kernels::KineticsStepResult r =
        kernels::advance_kinetics(chem, temperature, state, t_v / steps, 0.0, true);
    vented += r.vented_mass;
    latent += r.latent_heat;
    temperature = r.temperature;
  }
  EXPECT_FALSE(kernels::vent_ejecting(p, cell, t_v * 1.000001));
  const double liquid = kernels::electrolyte_content(chem);
  EXPECT_NEAR(vented / liquid, chem.vented_fraction, 1e-6);
  EXPECT_NEAR(state.electrolyte_left, 1 - chem.vented_fraction, 1e-6);
  EXPECT_NEAR(latent, vented * chem.electrolyte_latent_heat, 1e-9 * latent);
  EXPECT_NEAR((450.0 - temperature) * chem.density * chem.heat_capacity, latent, 1e-9 * latent);
}

// Whatever the step lengths, the flame releases dHc * chi * (vented mass) once it burns out.
TEST(Combustion, ReleasesTheHeatOfTheBurnedFractionOfTheVentedMass) {
  const CellEventParameters p = parameters();
  CellEventState s;
  double released = 0.0;
  double vented = 0.0;
  const double masses[] = {0.002, 0.0, 0.010, 0.001, 0.0, 0.0};
  const double steps[] = {0.3, 1.0, 2.5, 0.01, 5.0, 400.0};
  for (int k = 0; k < 6; ++k) {
    released += kernels::advance_combustion(p, s, masses[k], steps[k]);
    vented += masses[k];
  }
  EXPECT_NEAR(s.vented_mass, vented, 1e-15);
  EXPECT_NEAR(released, s.combustion_energy_released, 1e-9);
  EXPECT_NEAR(released, p.heat_of_combustion * p.burned_fraction * vented, 1e-9 * released);
  EXPECT_LT(s.flame_fuel_mass, 1e-12);
}

TEST(CellEvents, RunawayAndBurntOutFollowTheSelfHeatingRate) {
  const CellEventParameters p = parameters();
  CellEventState s;
  EXPECT_EQ(kernels::update_cell_events(p, s, 1.0, 400.0, 0.5), 0u);
  EXPECT_EQ(kernels::update_cell_events(p, s, 2.0, 420.0, 1.5), unsigned(kernels::kEventRunaway));
  EXPECT_EQ(s.runaway_onset_time, 2.0);
  EXPECT_EQ(s.runaway_onset_temperature, 420.0);
  EXPECT_EQ(kernels::cell_phase(s), kernels::CellPhase::kRunaway);
  kernels::update_cell_events(p, s, 3.0, 900.0, 500.0);
  EXPECT_FALSE(kernels::has_event(s, kernels::kEventBurntOut));
  // The short (at 900 K > separator) must finish releasing before the cell is burnt out.
  ASSERT_TRUE(kernels::has_event(s, kernels::kEventShortCircuit));
  kernels::update_cell_events(p, s, 4.0, 900.0, 0.1);
  EXPECT_FALSE(kernels::has_event(s, kernels::kEventBurntOut));
  kernels::record_short_circuit(p, s, 3.0, 1e4);
  kernels::update_cell_events(p, s, 5.0, 900.0, 0.1);
  EXPECT_EQ(kernels::cell_phase(s), kernels::CellPhase::kBurntOut);
  EXPECT_STREQ(kernels::cell_phase_name(kernels::cell_phase(s)), "burnt-out");
}

}  // namespace
}  // namespace runaway::testing
