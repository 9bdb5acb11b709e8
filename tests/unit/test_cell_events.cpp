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
  const kernels::Chemistry chem = host::find_chemistry("feng2015-ncm-vented");
  return kernels::make_cell_event_parameters(
      chem, 3.6e-4, kernels::stored_electrical_energy(25 * 3600.0, 4.0, 0.8), 298.15, -1.0);
}

// A check at `time` of a cell at `temperature` self-heating at `rate` (onset when rate >= 1 K/s).
kernels::CellObservation seen(double time, double temperature, double rate) {
  return {time, temperature, rate, rate >= 1.0 ? time : NAN, 0.0};
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
  const unsigned fired =
      kernels::update_cell_events(p, s, seen(2.0, p.separator_temperature + 1, 0));
  ASSERT_TRUE(fired & kernels::kEventShortCircuit);
  EXPECT_EQ(s.short_circuit_start_time, 2.0);
  double t = 2.0;
  double from_rates = 0.0;
  double booked = 0.0;
  for (double dt : {0.5, 1.7, 0.01, 3.0, 7.3, 0.25, 12.0}) {
    from_rates += kernels::short_circuit_heat_rate(p, s, t, dt) * dt * p.jelly_roll_volume;
    double short_energy = 0;
    double combustion = 0;
    kernels::close_cell_step(p, s, seen(t + dt, p.separator_temperature + 1, 0), dt, &short_energy,
                             &combustion);
    booked += short_energy;
    t += dt;
  }
  EXPECT_NEAR(booked, s.short_circuit_energy_released, 1e-9);
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
  EXPECT_EQ(kernels::update_cell_events(p, s, seen(29.0, 300.0, 0.0)), 0u);
  EXPECT_EQ(kernels::update_cell_events(p, s, seen(30.0, 300.0, 0.0)) & kernels::kEventShortCircuit,
            unsigned(kernels::kEventShortCircuit));
  EXPECT_EQ(s.short_circuit_start_time, 30.0);
  EXPECT_EQ(kernels::cell_phase(s), kernels::CellPhase::kShorted);
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
  EXPECT_EQ(kernels::update_cell_events(p, s, seen(1.0, 400.0, 0.5)), 0u);
  EXPECT_EQ(kernels::update_cell_events(p, s, seen(2.0, 420.0, 1.5)),
            unsigned(kernels::kEventRunaway));
  EXPECT_EQ(s.runaway_onset_time, 2.0);
  EXPECT_EQ(s.runaway_onset_temperature, 420.0);
  EXPECT_EQ(kernels::cell_phase(s), kernels::CellPhase::kRunaway);
  kernels::update_cell_events(p, s, seen(3.0, 900.0, 500.0));
  EXPECT_FALSE(kernels::has_event(s, kernels::kEventBurntOut));
  // The short (at 900 K > separator) must finish releasing before the cell is burnt out.
  ASSERT_TRUE(kernels::has_event(s, kernels::kEventShortCircuit));
  kernels::update_cell_events(p, s, seen(4.0, 900.0, 0.1));
  EXPECT_FALSE(kernels::has_event(s, kernels::kEventBurntOut));
  double short_energy = 0;
  double combustion = 0;
  kernels::close_cell_step(p, s, seen(1e4, 900.0, 0.1), 1e4 - 4.0, &short_energy, &combustion);
  EXPECT_EQ(kernels::cell_phase(s), kernels::CellPhase::kBurntOut);
  EXPECT_EQ(s.burnt_out_time, 1e4);
  EXPECT_STREQ(kernels::cell_phase_name(kernels::cell_phase(s)), "burnt_out");
}

// Thresholds crossed between two checks are placed where the maximum temperature (or the can's
// pressure) crossed them, linearly, so the event time does not depend on the step; the vent
// discharges from the step after the check that saw it open.
TEST(CellEvents, ThresholdCrossingsAreInterpolatedBetweenChecks) {
  const CellEventParameters p = parameters();
  ASSERT_GT(p.vent.burst_pressure, 0.0);
  CellEventState s;
  const double burst = p.vent.ambient_pressure + p.vent.burst_pressure;
  s.pressure = burst - 4e4;
  kernels::update_cell_events(p, s, seen(10.0, 400.0, 0.0));
  s.pressure = burst + 4e4;
  EXPECT_EQ(kernels::update_cell_events(p, s, seen(12.0, 410.0, 0.0)),
            unsigned(kernels::kEventVent));
  EXPECT_NEAR(s.vent_open_time, 11.0, 1e-9);
  EXPECT_FALSE(kernels::vent_open_during(s, 11.5));
  EXPECT_TRUE(kernels::vent_open_during(s, 12.0));
  const double separator = p.separator_temperature;
  kernels::update_cell_events(p, s, seen(20.0, separator - 1.0, 0.0));
  kernels::update_cell_events(p, s, seen(21.0, separator + 3.0, 0.0));
  EXPECT_NEAR(s.short_circuit_start_time, 20.25, 1e-12);
  // The short's energy from its start inside the last step is released in the next one.
  EXPECT_NEAR(kernels::short_circuit_heat_rate(p, s, 21.0, 1.0) * p.jelly_roll_volume,
              p.short_circuit_energy * -std::expm1(-1.75 / p.short_circuit_time_constant), 1e-6);
}

// A rising rate crosses the threshold where log(rate) does, linear in time for exp(t / tau).
TEST(CellEvents, RateCrossingIsInterpolatedInLogRate) {
  const double tau = 3.0;
  const double t_end = 10.0;
  const double dt = 2.0;
  auto r = [&](double t) { return std::exp((t - 9.3) / tau); };  // 1 K/s at t = 9.3 s
  EXPECT_NEAR(kernels::rate_crossing_time(r(t_end - dt), r(t_end), 1.0, t_end, dt), 9.3, 1e-12);
  EXPECT_EQ(kernels::rate_crossing_time(0.0, 5.0, 1.0, t_end, dt), t_end);  // no start rate
}

}  // namespace
}  // namespace runaway::testing
