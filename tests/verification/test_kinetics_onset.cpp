// The runaway onset seen by the per-voxel integrator (kernels/kinetics.hpp, watched_rate): the
// time the self-heating rate first passes the threshold must not depend on how the driver cuts
// time into steps. Reference: the same adiabatic run in 1 ms driver steps, where the crossing is
// placed to within a millisecond whatever the rule inside a step. Then the onset rule of a split
// step's kinetics half steps (kernels/coupling.hpp KineticsUpdate), on one voxel.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/chemistry.hpp"
#include "kernels/coupling.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::testing {
namespace {

using kernels::Chemistry;
using kernels::KineticState;

// Onset time (s) of an adiabatic run from t0 in driver steps of dt, with a threshold of
// `threshold` K/s; NaN if it never crossed within `duration`.
double onset_time(const Chemistry& chem, double t0, double duration, double dt, double threshold) {
  KineticState state = kernels::initial_kinetic_state(chem);
  double temperature = t0;
  double hint = 0.0;
  for (double time = 0.0; time < duration; time += dt) {
    const kernels::KineticsStepResult r =
        kernels::advance_kinetics(chem, temperature, state, dt, 0.0, {}, {}, hint, threshold);
    EXPECT_TRUE(r.converged);
    if (r.watched_rate_crossing >= 0.0) {
      EXPECT_LE(r.watched_rate_crossing, dt);
      return time + r.watched_rate_crossing;
    }
    hint = r.next_substep;
    temperature = r.temperature;
  }
  return NAN;
}

// nrel-lco from 450 K: the self-heating rate runs from ~0.1 K/s through 10 K/s within seconds.
// A single 20 s step places the crossing as the 1 ms steps do; the end of the step, the rule
// before the watch, is up to 20 s away.
TEST(KineticsOnset, CrossingTimeDoesNotDependOnTheDriverStep) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  const double threshold = 10.0;  // K/s
  const double reference = onset_time(chem, 450.0, 60.0, 1e-3, threshold);
  ASSERT_TRUE(std::isfinite(reference));
  ASSERT_GT(reference, 1.0);  // the run starts below the threshold
  for (const double dt : {0.1, 1.0, 20.0}) {
    const double onset = onset_time(chem, 450.0, 60.0, dt, threshold);
    EXPECT_NEAR(onset, reference, 0.01) << "driver step " << dt << " s";
  }
}

// No threshold, no crossing reported; a start already past it is reported at the step's start.
TEST(KineticsOnset, NothingIsReportedUnlessWatchedAndAStartPastTheThresholdIsTimeZero) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  KineticState state = kernels::initial_kinetic_state(chem);
  EXPECT_LT(kernels::advance_kinetics(chem, 450.0, state, 60.0, 0.0, {}).watched_rate_crossing,
            0.0);
  state = kernels::initial_kinetic_state(chem);
  const double rate = kernels::self_heating_rate(chem, 450.0, state);
  ASSERT_GT(rate, 0.0);
  EXPECT_EQ(kernels::advance_kinetics(chem, 450.0, state, 1.0, 0.0, {}, {}, 0.0, 0.5 * rate)
                .watched_rate_crossing,
            0.0);
}

// Inside a sub-step the crossing is interpolated in log(rate): exact for an exponential rise.
TEST(KineticsOnset, CrossingInsideASubStepIsInterpolatedInLogRate) {
  const double tau = 3.0;
  auto rate = [&](double t) { return std::exp((t - 9.3) / tau); };  // 1 K/s at t = 9.3 s
  kernels::detail::RateCrossingWatch watch;
  watch.threshold = 1.0;
  watch.time_before = 8.0;
  watch.start(rate(8.0));
  watch.see(10.0, rate(10.0), 0.5);
  EXPECT_NEAR(watch.crossing, 9.3, 1e-12);
  // Up and down again within one sub-step: seen from its mean, before the sub-step's middle.
  kernels::detail::RateCrossingWatch flare;
  flare.threshold = 1.0;
  flare.start(0.5);
  flare.see(2.0, 0.1, 4.0);
  EXPECT_GT(flare.crossing, 0.0);
  EXPECT_LT(flare.crossing, 1.0);
}

// One jelly-roll voxel of `chem` at `temperature` as the 3D step's kinetics see it, with no short,
// no vent and the self-heating rate of the last half step's end given; `half_step` runs one
// KineticsUpdate over dt ending at time_end, as the first (after_conduction false) or the second
// half step of a split step.
struct OneVoxel {
  Chemistry chem;
  std::vector<double> temperature, remaining, electrolyte_left{0}, heat_release_rate{0},
      self_heating_rate, arrival_time{NAN}, heat_released{0}, vented_mass{0}, gas_generated{0},
      step_heat_kept{0}, ejected_heat{0}, vent_heat{0}, electrolyte_decomposed{0}, source{0};
  std::vector<float> substep_hint{0.0f};
  std::vector<kernels::Index> voxel{0};
  std::vector<std::int32_t> cell{0};
  std::vector<std::uint8_t> chemistry{0}, in_runaway{0}, vent_open{0};
  std::vector<kernels::VentFlow> vent{kernels::VentFlow{}};
  int failures = 0;

  OneVoxel(const Chemistry& c, double t0, double rate_before)
      : chem(c), temperature{t0}, self_heating_rate{rate_before} {
    const KineticState state = kernels::initial_kinetic_state(chem);
    remaining.assign(state.remaining, state.remaining + chem.reaction_count);
    electrolyte_left[0] = state.electrolyte_left;
  }

  void half_step(double dt, double time_end, double threshold, bool after_conduction) {
    kernels::KineticsView k;
    k.count = 1;
    k.voxel = voxel.data();
    k.cell = cell.data();
    k.chemistry = chemistry.data();
    k.chemistries = &chem;
    k.remaining = remaining.data();
    k.electrolyte_left = electrolyte_left.data();
    k.substep_hint = substep_hint.data();
    k.heat_release_rate = heat_release_rate.data();
    k.self_heating_rate = self_heating_rate.data();
    k.arrival_time = arrival_time.data();
    k.heat_released = heat_released.data();
    k.vented_mass = vented_mass.data();
    k.gas_generated = gas_generated.data();
    k.step_heat_kept = step_heat_kept.data();
    k.ejected_heat = ejected_heat.data();
    k.vent_heat = vent_heat.data();
    k.electrolyte_decomposed = electrolyte_decomposed.data();
    k.in_runaway = in_runaway.data();
    k.failures = &failures;
    kernels::KineticsUpdate update{k,
                                   {source.data(), vent_open.data(), vent.data()},
                                   temperature.data(),
                                   dt,
                                   time_end,
                                   threshold,
                                   {}};
    update.after_conduction = after_conduction;
    update(0);
    ASSERT_EQ(failures, 0);
  }
};

// A voxel already past the threshold when a half step starts, burnt out by its end (nrel-lco at
// 900 K over 30 s): in a first half step that is an onset, at the half step's start (a jelly
// roll started hot); at the start of a second half step it is the split conduction's jump, which
// put the step's whole conduction rise in at one instant, and no onset.
TEST(KineticsOnset, PastTheThresholdOnlyAtASecondHalfStepsStartIsNoOnset) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  const double threshold = 10.0;  // K/s
  const double rate_at_start =
      kernels::self_heating_rate(chem, 900.0, kernels::initial_kinetic_state(chem));
  ASSERT_GT(rate_at_start, threshold);
  for (const bool after_conduction : {false, true}) {
    OneVoxel v(chem, 900.0, 0.5 * threshold);  // under it at the last half step's end
    v.half_step(30.0, 130.0, threshold, after_conduction);
    ASSERT_LT(v.self_heating_rate[0], threshold) << "burnt out within the half step";
    if (after_conduction) {
      EXPECT_TRUE(std::isnan(v.arrival_time[0]));
      EXPECT_EQ(v.in_runaway[0], 0);
    } else {
      EXPECT_EQ(v.arrival_time[0], 100.0);
      EXPECT_EQ(v.in_runaway[0], 1);
    }
  }
}

// A voxel that crosses the threshold inside the half step and burns out before its end (nrel-lco
// from 450 K over 60 s) is an onset in either half step, placed by the integrator's sub-steps
// where 1 ms driver steps place it. One still over the threshold at the end is placed in
// log(rate) from the last half step's end rate, over the whole half step, in either half step.
TEST(KineticsOnset, ACrossingInsideOrAtTheEndOfAHalfStepIsAnOnsetInEither) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  const double threshold = 10.0;  // K/s
  const double reference = onset_time(chem, 450.0, 60.0, 1e-3, threshold);
  ASSERT_TRUE(std::isfinite(reference));
  const double rate_at_start =
      kernels::self_heating_rate(chem, 450.0, kernels::initial_kinetic_state(chem));
  ASSERT_LT(rate_at_start, threshold);
  for (const bool after_conduction : {false, true}) {
    OneVoxel inside(chem, 450.0, rate_at_start);
    inside.half_step(60.0, 1060.0, threshold, after_conduction);
    ASSERT_LT(inside.self_heating_rate[0], threshold) << "burnt out within the half step";
    EXPECT_NEAR(inside.arrival_time[0], 1000.0 + reference, 0.01);
    EXPECT_EQ(inside.in_runaway[0], 1);

    const double dt = reference + 0.5;  // s: ends just past the crossing, still self-heating
    OneVoxel at_end(chem, 450.0, rate_at_start);
    at_end.half_step(dt, 1000.0 + dt, threshold, after_conduction);
    ASSERT_GT(at_end.self_heating_rate[0], threshold);
    EXPECT_EQ(at_end.arrival_time[0],
              kernels::rate_crossing_time(rate_at_start, at_end.self_heating_rate[0], threshold,
                                          1000.0 + dt, dt));
    EXPECT_GT(at_end.arrival_time[0], 1000.0);
    EXPECT_LT(at_end.arrival_time[0], 1000.0 + dt);
  }
}

}  // namespace
}  // namespace runaway::testing
