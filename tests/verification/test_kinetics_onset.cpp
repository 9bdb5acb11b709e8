// The runaway onset seen by the per-voxel integrator (kernels/kinetics.hpp, watched_rate): the
// time the self-heating rate first passes the threshold must not depend on how the driver cuts
// time into steps. Reference: the same adiabatic run in 1 ms driver steps, where the crossing is
// placed to within a millisecond whatever the rule inside a step.
#include <gtest/gtest.h>

#include <cmath>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/chemistry.hpp"
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

}  // namespace
}  // namespace runaway::testing
