// The coupled 3D simulation against the 0D kinetics, and its energy bookkeeping.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/kinetics.hpp"
#include "support/simulation_problems.hpp"

namespace runaway::testing {
namespace {

// One cell, adiabatic, uniform initial temperature: every voxel must follow the 0D solution of
// the same kinetics, since conduction has nothing to do. Short circuit and venting are off so
// only the reactions heat the cell.
TEST(CoupledSimulation, UniformAdiabaticCellFollowsZeroDimensionalKinetics) {
  auto backend = kernels::make_openmp_backend();
  kernels::Chemistry chem = host::find_chemistry("nrel-lco");
  chem.short_circuit_energy_fraction = 0;
  chem.vent_temperature = 0;
  SimulationInput in = jelly_block(chem, 4, false);
  const double t0 = 455.0;  // K: runs away within a few minutes
  in.conduction.initial_temperature = t0;
  in.control.end_time = 900;
  in.control.max_dt = 2.0;
  host::Simulation sim(*backend, in);

  kernels::KineticState state = kernels::initial_kinetic_state(chem);
  double t_ref = t0;
  double worst = 0;
  kernels::KineticsTolerances tight;
  tight.relative = 1e-9;
  tight.absolute_temperature = 1e-7;
  while (sim.time() < in.control.end_time - 1e-9) {
    const double before = sim.time();
    sim.step();
    const auto r =
        kernels::advance_kinetics(chem, t_ref, state, sim.time() - before, 0.0, false, tight);
    t_ref = r.temperature;
    worst = std::fmax(worst, std::fabs(sim.max_temperature() - t_ref));
    worst = std::fmax(worst, std::fabs(sim.conduction().min_temperature() - t_ref));
  }
  EXPECT_GT(t_ref, t0 + 300);  // it did run away
  EXPECT_LT(worst, 0.5) << "largest deviation from 0D, K";
  RecordProperty("max_deviation_K", std::to_string(worst));
  std::printf("largest deviation from 0D: %.3g K over %lld steps\n", worst,
              (long long)sim.step_count());
  EXPECT_EQ(sim.cells_in_runaway(), 1);
  EXPECT_FALSE(std::isnan(sim.cells()[0].onset_time));
}

// Non-uniform start, an aluminium frame, a heater, a nail short circuit and venting, all with
// adiabatic walls: the thermal energy gained equals every heat the run says it released.
TEST(CoupledSimulation, AdiabaticEnergyBalanceCloses) {
  auto backend = kernels::make_openmp_backend();
  kernels::Chemistry chem = host::find_chemistry("nrel-lco");
  chem.short_circuit_energy_fraction = 1.0;  // the published set has none; test it here
  SimulationInput in = jelly_block(chem, 6, true);
  in.conduction.initial_temperature = 380;
  host::Trigger heater;
  heater.kind = host::TriggerKind::kHeater;
  heater.cell = 0;
  heater.power = 50;
  heater.start = 1;
  heater.duration = 20;
  for (std::int64_t v = 0; v < 10 * 10; ++v) heater.voxels.push_back(v);  // bottom layer of frame
  host::Trigger nail;
  nail.kind = host::TriggerKind::kNail;
  nail.cell = 0;
  nail.start = 30;
  in.triggers = {heater, nail};
  in.control.end_time = 200;
  host::Simulation sim(*backend, in);
  const double e0 = sim.conduction().thermal_energy();
  sim.run();
  const double gained = sim.conduction().thermal_energy() - e0;
  const double released = sim.total_heat_released();
  EXPECT_GT(released, 1e4);  // J: the heater alone gives 1 kJ, the short circuit far more
  EXPECT_LT(std::fabs(gained - released) / released, 1e-9)
      << "gained " << gained << " J, released " << released << " J";
  std::printf("energy: gained %.9g J, released %.9g J\n", gained, released);
  EXPECT_FALSE(std::isnan(sim.cells()[0].short_time));
  EXPECT_DOUBLE_EQ(sim.cells()[0].short_time, 30.0);
}

// Skipping quiet voxels (below their chemistry's quiet temperature) must not change the answer:
// a heater drives a framed cell into runaway; the run with skipping and the run integrating every
// voxel every step agree on the onset and on the temperatures, while the skipping run integrated
// nothing at all while the pack was at ambient.
TEST(CoupledSimulation, SkippingQuietVoxelsKeepsTheAnswer) {
  auto backend = kernels::make_openmp_backend();
  kernels::Chemistry chem = host::find_chemistry("nrel-lco");
  SimulationInput in = jelly_block(chem, 6, true);
  host::Trigger heater;
  heater.kind = host::TriggerKind::kHeater;
  heater.cell = 0;
  heater.power = 150;
  heater.start = 5;
  heater.duration = 60;
  for (std::int64_t v = 0; v < 10 * 10; ++v) heater.voxels.push_back(v);  // bottom of the frame
  in.triggers = {heater};
  in.control.end_time = 40;

  auto run = [&](double quiet_rate, std::int64_t* reacting_at_start) {
    SimulationInput input = in;
    input.control.quiet_rate = quiet_rate;
    auto sim = std::make_unique<host::Simulation>(*backend, input);
    sim->step();
    *reacting_at_start = sim->reacting_voxels();
    sim->run();
    return sim;
  };
  std::int64_t skipped_start = -1;
  std::int64_t full_start = -1;
  const auto skipping = run(1e-6, &skipped_start);
  const auto full = run(0.0, &full_start);
  EXPECT_EQ(skipped_start, 0);       // ambient: every voxel quiet
  EXPECT_EQ(full_start, 6 * 6 * 6);  // every jelly-roll voxel integrated
  const double onset = skipping->cells()[0].onset_time;
  ASSERT_FALSE(std::isnan(onset));  // it ran away
  const double onset_gap = std::fabs(onset - full->cells()[0].onset_time);
  EXPECT_LT(onset_gap, 0.05) << "onset with skipping " << onset;
  const auto a = skipping->temperature_field();
  const auto b = full->temperature_field();
  double worst = 0;
  for (std::size_t c = 0; c < a.size(); ++c) worst = std::fmax(worst, std::fabs(a[c] - b[c]));
  const double peak = skipping->cells()[0].peak_temperature;
  EXPECT_LT(worst, 1e-3 * peak) << "largest temperature difference, K";
  std::printf("onset %.3f s (difference %.2g s), largest temperature difference %.3g K\n", onset,
              onset_gap, worst);
}

}  // namespace
}  // namespace runaway::testing
