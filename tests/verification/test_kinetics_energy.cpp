// Energy bookkeeping of the per-voxel kinetics integrator (kernels/kinetics.hpp).
//
// Exact answers: an adiabatic run to completion releases sum_i H_i W_i c_i0 (every reactant
// converted), and every step satisfies rho cp dT = released + q_extra dt. The integrator sets T
// from the state change, so both hold to round-off; the tolerances (1e-6 relative on the total,
// 1e-9 K on each step's temperature change) leave room only for the reactant left unconverted at
// the end (< 1e-7) and for summation round-off over thousands of sub-steps.
#include <gtest/gtest.h>

#include <cmath>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/chemistry.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::testing {
namespace {

using kernels::Chemistry;
using kernels::KineticState;

double total_releasable_heat(const Chemistry& chem) {
  double q = 0.0;
  for (int i = 0; i < chem.reaction_count; ++i) {
    q += chem.reactions[i].heat_of_reaction * kernels::reactant_content(chem, i) *
         chem.reactions[i].initial_remaining;
  }
  return q;
}

struct AdiabaticRun {
  double temperature;
  double released;
  KineticState state;
  double worst_step_imbalance;  // max over steps of |dT - (released + q dt) / (rho cp)|, K
};

// Runs the kernel in steps of `dt` (as a driver would) for `duration` seconds.
AdiabaticRun run(const Chemistry& chem, double t0, double duration, double dt,
                 double external_heat_rate) {
  AdiabaticRun out{t0, 0.0, kernels::initial_kinetic_state(chem), 0.0};
  const double rho_cp = chem.density * chem.heat_capacity;
  double hint = 0.0;
  for (double time = 0.0; time < duration; time += dt) {
    const double before = out.temperature;
    const kernels::KineticsStepResult r = kernels::advance_kinetics(
        chem, out.temperature, out.state, dt, external_heat_rate, {}, {}, hint);
    EXPECT_TRUE(r.converged);
    hint = r.next_substep;
    out.temperature = r.temperature;
    out.released += r.heat_released;
    const double imbalance =
        std::fabs((r.temperature - before) - (r.heat_released + external_heat_rate * dt) / rho_cp);
    out.worst_step_imbalance = std::max(out.worst_step_imbalance, imbalance);
    EXPECT_EQ(r.heat_released, r.reaction_heat - r.ejected_heat - r.vent_heat);
  }
  return out;
}

// Feng 2015's set runs to completion: every reactant (including the endothermic separator and
// the autocatalytic cathodes seeded at 0.999) is used up, so the heat is sum H W c0 exactly.
TEST(KineticsEnergy, AdiabaticRunReleasesAllTheReactionHeat) {
  const Chemistry chem = host::find_chemistry("feng2015-ncm");
  const double expected = total_releasable_heat(chem);
  const AdiabaticRun r = run(chem, 480.0, 4000.0, 1.0, 0.0);
  for (int i = 0; i < chem.reaction_count; ++i) {
    EXPECT_LT(r.state.remaining[i], 1e-7) << chem.reactions[i].name;
  }
  EXPECT_LT(std::fabs(r.released - expected) / expected, 1e-6)
      << "released " << r.released << " J/m^3, sum H W c0 = " << expected;
  const double rho_cp = chem.density * chem.heat_capacity;
  EXPECT_LT(std::fabs(rho_cp * (r.temperature - 480.0) - expected) / expected, 1e-6);
  EXPECT_LT(r.worst_step_imbalance, 1e-9);
  std::printf("feng2015-ncm adiabatic from 480 K: T_end %.3f K, released/sum(HWc0) - 1 = %.2e\n",
              r.temperature, r.released / expected - 1.0);
}

// The NREL anode reaction inhibits itself through the SEI thickness and never finishes, so the
// total is sum H W (c0 - c_end); an external source (a short circuit) must add exactly q dt.
TEST(KineticsEnergy, ReleasedHeatEqualsTheConsumedReactantsWithAnExternalSource) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  const double q_extra = 2e5;  // W/m^3, ~0.1 K/s in this heat capacity
  const double duration = 600.0;
  const AdiabaticRun r = run(chem, 440.0, duration, 0.5, q_extra);
  double consumed = 0.0;
  for (int i = 0; i < chem.reaction_count; ++i) {
    const double c_end = r.state.remaining[i];
    consumed += chem.reactions[i].heat_of_reaction * kernels::reactant_content(chem, i) *
                (chem.reactions[i].initial_remaining - c_end);
  }
  EXPECT_GT(r.state.remaining[1], 0.01);  // the anode stops early, as in the published model
  EXPECT_LT(std::fabs(r.released - consumed) / consumed, 1e-9);
  const double rho_cp = chem.density * chem.heat_capacity;
  const double stored = rho_cp * (r.temperature - 440.0);
  const double external_heat = q_extra * duration;  // J/m^3 from the constant source
  EXPECT_LT(std::fabs(stored - consumed - external_heat) / stored, 1e-9);
  EXPECT_LT(r.worst_step_imbalance, 1e-9);
}

// The heat does not depend on how the driver cuts time into steps (beyond the tolerance).
TEST(KineticsEnergy, EndStateIsIndependentOfTheDriverStep) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  const AdiabaticRun coarse = run(chem, 450.0, 100.0, 5.0, 0.0);
  const AdiabaticRun fine = run(chem, 450.0, 100.0, 0.01, 0.0);
  EXPECT_NEAR(coarse.temperature, fine.temperature, 0.05);
}

}  // namespace
}  // namespace runaway::testing
