// The coupled 3D simulation against the 0D kinetics, and its energy bookkeeping.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "host/solver/cell_model.hpp"
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
        kernels::advance_kinetics(chem, t_ref, state, sim.time() - before, 0.0, {}, tight);
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
  EXPECT_FALSE(std::isnan(sim.cells()[0].onset_time()));
}

// The 0D cell model and the 3D simulation share one event model (kernels/cell_events.hpp). A 3D
// cell of uniform temperature, adiabatic, with venting, the internal short and the vent fire on,
// has no gradient to conduct, so every voxel must follow `runaway cell`'s adiabatic run.
struct EventTimes {
  double vent = -1, short_circuit = -1, runaway = -1, burnt_out = -1;
};

struct UniformCellComparison {
  double worst_temperature = 0;                 // K, 3D at its step ends against the 0D series
  double worst_event = 0;                       // s
  double combustion_3d = 0, combustion_0d = 0;  // J
  EventTimes d3, d0;
};

// Runs the 0D model with `chem_0d` and the 3D block with `chem`, both from `start` K.
UniformCellComparison compare_uniform_cell(const kernels::Chemistry& chem,
                                           const kernels::Chemistry& chem_0d, double start,
                                           double end_time, double max_dt) {
  const host::ChemistryEntry& entry = host::find_chemistry_entry(chem.name);
  const int n = 3;
  SimulationInput in = jelly_block(chem, n, false);
  const double volume = n * n * n * 8e-9;  // m^3, 2 mm voxels
  // The reference cell's stored energy per jelly-roll volume, in the block's volume.
  const double soc = entry.cell.state_of_charge;
  const double capacity = entry.cell.charge_capacity * volume / entry.cell.jelly_roll_volume;
  in.cells[0].stored_energy = kernels::stored_electrical_energy(capacity, entry.cell.voltage, soc);
  in.conduction.initial_temperature = start;
  in.control.end_time = end_time;
  in.control.max_dt = max_dt;
  in.control.sample_interval = end_time;
  in.control.frame_interval = end_time;
  auto backend = kernels::make_openmp_backend();
  host::Simulation sim(*backend, in);

  host::ReferenceCell cell = entry.cell;
  cell.jelly_roll_volume = volume;
  cell.charge_capacity = capacity;
  host::CellTestOptions options;
  options.mode = host::CellTestMode::kAdiabatic;
  options.start_temperature = start;
  options.end_time = end_time;
  options.max_temperature_change = 0.2;  // a fine 0D series to interpolate
  options.tolerances.relative = 1e-8;
  const host::CellTestResult zero = host::run_cell_test(chem_0d, cell, options);
  const auto& samples = zero.samples;
  auto zero_d_at = [&](double t) {
    const auto it =
        std::lower_bound(samples.begin(), samples.end(), t,
                         [](const host::CellTestSample& x, double v) { return x.time < v; });
    if (it == samples.begin()) return it->temperature;
    if (it == samples.end()) return samples.back().temperature;
    const auto prev = std::prev(it);
    const double w = (t - prev->time) / (it->time - prev->time);
    return prev->temperature + w * (it->temperature - prev->temperature);
  };

  UniformCellComparison out;
  const double end_0d = zero.summary.end_time;  // it stops once burnt out
  while (sim.time() < end_time - 1e-9) {
    sim.step();
    if (sim.time() > end_0d) break;
    const double t3 = sim.max_temperature();
    out.worst_temperature = std::max(out.worst_temperature, std::fabs(t3 - zero_d_at(sim.time())));
    out.worst_temperature =
        std::max(out.worst_temperature,
                 std::fabs(sim.conduction().min_temperature() - zero_d_at(sim.time())));
  }
  while (sim.time() < end_time - 1e-9) sim.step();
  const host::CellRecord& rec = sim.cells()[0];
  auto or_never = [](double t) { return std::isnan(t) ? -1.0 : t; };
  out.d3 = {or_never(rec.vent_time()), or_never(rec.short_time()), or_never(rec.onset_time()),
            or_never(rec.burnt_out_time())};
  const host::CellTestSummary& z = zero.summary;
  out.d0 = {z.vent_time, z.short_circuit_time, z.runaway_onset_time, z.burnt_out_time};
  for (auto [a, b] : {std::pair{out.d3.vent, out.d0.vent},
                      {out.d3.short_circuit, out.d0.short_circuit},
                      {out.d3.runaway, out.d0.runaway},
                      {out.d3.burnt_out, out.d0.burnt_out}}) {
    out.worst_event = std::max(out.worst_event, (a < 0) != (b < 0) ? HUGE_VAL : std::fabs(a - b));
  }
  out.combustion_3d = rec.combustion_heat;
  out.combustion_0d = z.combustion_energy;
  return out;
}

// The 3D step splits the kinetics from the cell's vent (its flow is set at the step's start from
// the cell's mean temperature, the gas it vents takes its enthalpy in the next step), so the 3D
// cell follows the 0D model to first order in the step: halving the step halves the gap.
TEST(CoupledSimulation, UniformCellWithEveryEventFollowsTheZeroDimensionalModel) {
  const kernels::Chemistry chem = host::find_chemistry("nmc-liquid-50ah");
  auto gaps = [&](double max_dt) {
    const UniformCellComparison c = compare_uniform_cell(chem, chem, 520.0, 600.0, max_dt);
    std::printf(
        "max_dt %.3f s: events 3D / 0D (s): vent %.3f / %.3f, short %.3f / %.3f, runaway %.3f / "
        "%.3f, burnt-out %.3f / %.3f; worst temperature gap %.3g K; combustion %.6g / %.6g J\n",
        max_dt, c.d3.vent, c.d0.vent, c.d3.short_circuit, c.d0.short_circuit, c.d3.runaway,
        c.d0.runaway, c.d3.burnt_out, c.d0.burnt_out, c.worst_temperature, c.combustion_3d,
        c.combustion_0d);
    // Every event happened, in both.
    EXPECT_EQ(c.d0.vent, 0.0);  // it starts above the burst pressure
    for (double t : {c.d0.short_circuit, c.d0.runaway, c.d0.burnt_out}) EXPECT_GT(t, 0.0);
    return c;
  };
  const UniformCellComparison coarse = gaps(0.1);
  const UniformCellComparison fine = gaps(0.05);
  EXPECT_LT(fine.worst_event, 0.6 * coarse.worst_event) << "s";
  EXPECT_LT(fine.worst_temperature, 0.6 * coarse.worst_temperature) << "K";
  EXPECT_LT(fine.worst_event, 0.5) << "s";
  EXPECT_LT(fine.worst_temperature, 3.0) << "K";
  EXPECT_NEAR(fine.combustion_3d / fine.combustion_0d, 1.0, 0.02);
}

// The comparison above can fail: a 0D model whose separator fails 2 K later (a different event
// model) moves the events by more than the tolerance.
TEST(CoupledSimulation, UniformCellComparisonSeesADifferentEventModel) {
  const kernels::Chemistry chem = host::find_chemistry("nmc-liquid-50ah");
  kernels::Chemistry other = chem;
  other.separator_temperature += 2.0;
  const UniformCellComparison c = compare_uniform_cell(chem, other, 520.0, 600.0, 0.05);
  EXPECT_GT(c.worst_event, 1.0) << "s";
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
  EXPECT_FALSE(std::isnan(sim.cells()[0].short_time()));
  EXPECT_DOUBLE_EQ(sim.cells()[0].short_time(), 30.0);
}

// The 3D cell keeps the 0D books (docs/physics.md "Gas, pressure and venting"): its electrolyte,
// liquid (with its vapour) + decomposed + vented = initial, and its heat, reactions (counted from
// the converted reactants left in the fields) + short = thermal energy gained + what the ejecta
// carried out, both to 1e-9, through venting, the short, runaway and ejection.
TEST(CoupledSimulation, VentingCellBalancesElectrolyteAndHeat) {
  auto backend = kernels::make_openmp_backend();
  const kernels::Chemistry chem = host::find_chemistry("nmc-liquid-50ah");
  SimulationInput in = jelly_block(chem, 4, false);  // adiabatic walls
  in.cells[0].stored_energy = 2e3;                   // J: a short that heats the block ~100 K
  in.conduction.initial_temperature = 520;           // vents at once; shorts and runs away later
  in.control.end_time = 200;
  in.control.max_dt = 0.1;
  host::Simulation sim(*backend, in);
  const double e0 = sim.conduction().thermal_energy();
  sim.run();
  const host::CellRecord& rec = sim.cells()[0];
  ASSERT_FALSE(std::isnan(rec.vent_time()));
  ASSERT_FALSE(std::isnan(rec.short_time()));
  ASSERT_FALSE(std::isnan(rec.onset_time()));
  ASSERT_TRUE(kernels::has_event(rec.events, kernels::kEventEjecting));
  const double reactions = reaction_heat_in_fields(sim, chem);
  const double gained = sim.conduction().thermal_energy() - e0;
  const double released = reactions + rec.short_circuit_heat();
  std::printf(
      "3D venting cell: reactions %.6g J + short %.6g J = gained %.6g J + ejecta %.6g J (gap "
      "%.3g J); electrolyte %.6g kg = %.6g left + %.6g decomposed + %.6g vented\n",
      reactions, rec.short_circuit_heat(), gained, rec.heat_carried_by_ejecta(),
      released - gained - rec.heat_carried_by_ejecta(), rec.initial_electrolyte,
      rec.stats.liquid_mass, rec.events.electrolyte_decomposed, rec.vented_mass());
  EXPECT_NEAR(gained, rec.heat_kept_in_body(), 1e-9 * released);
  EXPECT_NEAR(released, gained + rec.heat_carried_by_ejecta(), 1e-9 * released);
  EXPECT_GT(rec.heat_carried_by_ejecta(), 0.1 * released);
  EXPECT_NEAR(rec.stats.liquid_mass + rec.events.electrolyte_decomposed + rec.vented_mass(),
              rec.initial_electrolyte, 1e-9 * rec.initial_electrolyte);
  EXPECT_GT(rec.vented_mass(), 0.0);
  EXPECT_GT(rec.events.electrolyte_decomposed, 0.0);
}

// A voxel that burns out within one half step (a cell started far above its onset, as a hot
// short or fire can make it) ends that half step with no self-heating left: its onset is still
// seen, at the kinetics integrator's sub-steps, and lands within the first step.
TEST(CoupledSimulation, OnsetIsSeenWhenTheReactionsFinishWithinAHalfStep) {
  auto backend = kernels::make_openmp_backend();
  const kernels::Chemistry chem = host::find_chemistry("nrel-lco");
  SimulationInput in = jelly_block(chem, 4, false);
  in.conduction.initial_temperature = 900;  // K: every reaction done within the step
  in.control.end_time = 60.0;
  host::Simulation sim(*backend, in);
  const double first_step = sim.step(30.0);  // s: a step the caller chose, as a coarse run takes
  const host::CellRecord& rec = sim.cells()[0];
  EXPECT_LT(rec.stats.max_self_heating_rate, in.control.onset_rate) << "burnt out in the step";
  ASSERT_FALSE(std::isnan(rec.onset_time()));
  EXPECT_LE(rec.onset_time(), first_step);
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
  const double onset = skipping->cells()[0].onset_time();
  ASSERT_FALSE(std::isnan(onset));  // it ran away
  const double onset_gap = std::fabs(onset - full->cells()[0].onset_time());
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

namespace runaway::testing {
namespace {

// A snapshot restored into a new simulation continues the run bit for bit: every piece of the
// event model's state is in the snapshot.
// A framed block of n^3 liquid-electrolyte jelly roll that vents at once and runs away, nailed at
// `nail_at`, to `end` s: every part of the event model at work.
SimulationInput venting_nailed_block(int n, double nail_at, double end) {
  SimulationInput in = jelly_block(host::find_chemistry("nmc-liquid-50ah"), n, true);
  in.cells[0].stored_energy = 2e3;          // J: a short that heats this small block by ~100 K
  in.conduction.initial_temperature = 520;  // vents at once, runs away; a nail shorts it later
  host::Trigger nail;
  nail.kind = host::TriggerKind::kNail;
  nail.cell = 0;
  nail.start = nail_at;
  in.triggers = {nail};
  in.control.end_time = end;
  return in;
}

TEST(CoupledSimulation, RestoredSnapshotContinuesBitForBit) {
  auto backend = kernels::make_openmp_backend();
  const SimulationInput in = venting_nailed_block(4, 60, 60);
  host::Simulation whole(*backend, in);
  while (whole.time() < 40) whole.step();
  host::Simulation resumed(*backend, in);
  resumed.restore(whole.snapshot());
  while (whole.time() < in.control.end_time - 1e-9) {
    whole.step();
    resumed.step();
    ASSERT_EQ(whole.time(), resumed.time());
    ASSERT_EQ(whole.temperature_field(), resumed.temperature_field()) << "at " << whole.time();
  }
  EXPECT_EQ(whole.events().size(), resumed.events().size());
  EXPECT_GT(whole.events().size(), 2u);
}

// A run may change its OpenMP team between steps (host/run/thread_team.hpp gives up a thread
// beside a busy process): the same problem stepped with one thread and with a team that changes
// every step (2, 3, 1, ...) agrees to the bit, in every temperature, in the thermal energy (a sum
// over voxels) and in the events.
TEST(CoupledSimulation, ChangingTheThreadTeamBetweenStepsChangesNoBit) {
  auto backend = kernels::make_openmp_backend();
  const SimulationInput in = venting_nailed_block(6, 30, 50);
  struct TeamKept {  // the team as the test found it, whichever way the test ends
    kernels::Backend& backend;
    int team;
    ~TeamKept() { backend.set_team_size(team); }
  } const kept{*backend, backend->team_size()};
  host::Simulation fixed(*backend, in);
  host::Simulation changing(*backend, in);
  int steps = 0;
  while (fixed.time() < in.control.end_time - 1e-9) {
    backend->set_team_size(1);
    fixed.step();
    backend->set_team_size(1 + (steps + 1) % 3);
    changing.step();
    ++steps;
    ASSERT_EQ(fixed.time(), changing.time());
    ASSERT_EQ(fixed.temperature_field(), changing.temperature_field()) << "at " << fixed.time();
    ASSERT_EQ(fixed.conduction().thermal_energy(), changing.conduction().thermal_energy());
  }
  EXPECT_GT(steps, 20);
  ASSERT_EQ(fixed.events().size(), changing.events().size());
  for (std::size_t e = 0; e < fixed.events().size(); ++e)
    EXPECT_EQ(fixed.events()[e].time, changing.events()[e].time);
  EXPECT_GT(fixed.events().size(), 2u);
}

}  // namespace
}  // namespace runaway::testing

namespace runaway::testing {
namespace {

// The aluminium frame melts (a melting point lowered to 420 K, a test value, so that the heater
// and the runaway melt it): the latent heat the frame holds is part of the thermal energy, and the
// books still close to 1e-9.
TEST(CoupledSimulation, EnergyBalanceClosesWithAMeltingFrame) {
  auto backend = kernels::make_openmp_backend();
  kernels::Chemistry chem = host::find_chemistry("nrel-lco");
  chem.short_circuit_energy_fraction = 1.0;
  SimulationInput in = jelly_block(chem, 6, true);
  kernels::ThermalMaterial& frame = in.conduction.materials[1];
  frame.melting_point = 420;  // K, test value (aluminium: 933.47 K)
  frame.latent_heat = 397e3;  // J/kg, aluminium (CRC, UNVERIFIED)
  frame.molten_conductivity = 0.026;
  in.conduction.initial_temperature = 380;
  host::Trigger nail;
  nail.kind = host::TriggerKind::kNail;
  nail.cell = 0;
  nail.start = 30;
  in.triggers = {nail};
  in.control.end_time = 200;
  host::Simulation sim(*backend, in);
  const double e0 = sim.conduction().thermal_energy();
  sim.run();
  const double gained = sim.conduction().thermal_energy() - e0;
  const double released = sim.total_heat_released();
  const double latent = sim.conduction().latent_energy();
  std::printf(
      "[ measure  ] melting frame: gained %.9g J (latent %.6g J), released %.9g J, "
      "relative gap %.3g\n",
      gained, latent, released, std::fabs(gained - released) / released);
  EXPECT_GT(latent, 0.01 * released);  // the frame really melted
  EXPECT_LT(std::fabs(gained - released) / released, 1e-9);
}

// The melt fraction is run state: a snapshot taken while the frame melts, restored, continues
// bit for bit.
TEST(CoupledSimulation, RestoredSnapshotKeepsTheMelt) {
  auto backend = kernels::make_openmp_backend();
  kernels::Chemistry chem = host::find_chemistry("nmc-liquid-50ah");
  SimulationInput in = jelly_block(chem, 4, true);
  in.cells[0].stored_energy = 2e3;
  in.conduction.initial_temperature = 520;
  kernels::ThermalMaterial& frame = in.conduction.materials[1];
  frame.melting_point = 525;  // K, test value: just above the start, so the frame melts early
  frame.latent_heat = 397e3;  // J/kg
  host::Trigger nail;
  nail.kind = host::TriggerKind::kNail;
  nail.cell = 0;
  nail.start = 20;
  in.triggers = {nail};
  in.control.end_time = 60.0;
  host::Simulation whole(*backend, in);
  while (whole.time() < 40) whole.step();
  const host::SimulationSnapshot snapshot = whole.snapshot();
  ASSERT_EQ(snapshot.doubles.count("melt_fraction"), 1u);
  EXPECT_GT(whole.conduction().latent_energy(), 0.0);  // melting under way
  host::Simulation resumed(*backend, in);
  resumed.restore(snapshot);
  EXPECT_EQ(whole.conduction().melt_fraction(), resumed.conduction().melt_fraction());
  while (whole.time() < in.control.end_time - 1e-9) {
    whole.step();
    resumed.step();
    ASSERT_EQ(whole.temperature_field(), resumed.temperature_field()) << "at " << whole.time();
  }
  EXPECT_EQ(whole.conduction().melt_fraction(), resumed.conduction().melt_fraction());
  EXPECT_GT(whole.conduction().latent_energy(), 0.0);
}

}  // namespace
}  // namespace runaway::testing
