// Reaction rates, the analytic Jacobian, the solvent gate and the electrolyte classification:
// the pieces of kernels/chemistry.hpp and kernels/kinetics.hpp, one at a time.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/chemistry.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::testing {
namespace {

using kernels::Chemistry;
using kernels::KineticState;

double rate_constant(const Chemistry& chem, int reaction, double temperature) {
  // Rate at c = 1 of a first-order reaction without inhibition = A exp(-Ea / RT).
  kernels::Reaction r = chem.reactions[reaction];
  r.sei_inhibition = false;
  r.order_converted = 0;
  return kernels::reaction_rate(r, 1.0, 1.0, temperature, true).rate;
}

// Orientation rates of the NREL set (Hatchard 2001, Kim 2007), computed by hand from A and Ea:
// SEI ~2 /s at 200 °C and ~800 /s at 300 °C, electrolyte ~5.5 /s at 300 °C and ~2.8e4 /s at
// 400 °C. They check the Arrhenius law and the constants together (to the 2 digits given).
TEST(ReactionRate, NrelOrientationRatesFromReference) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  EXPECT_NEAR(rate_constant(chem, 0, 473.15), 2.0, 0.1);
  EXPECT_NEAR(rate_constant(chem, 0, 573.15), 800.0, 40.0);
  EXPECT_NEAR(rate_constant(chem, 3, 573.15), 5.5, 0.3);
  EXPECT_NEAR(rate_constant(chem, 3, 673.15), 2.8e4, 0.15e4);
}

// The full NREL rate laws (Hatchard 2001, Kim 2007) written out here independently.
TEST(ReactionRate, NrelRateLawsMatchTheEquations) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  const double t = 480.0;
  const double r_gas = kernels::kGasConstant;
  KineticState s = kernels::initial_kinetic_state(chem);
  s.remaining[0] = 0.1;      // c_sei
  s.remaining[1] = 0.6;      // c_ne: z = 0.033 + 0.15
  s.remaining[2] = 0.7;      // 1 - alpha
  s.electrolyte_left = 0.9;  // c_e
  const kernels::KineticsDerivatives d = kernels::kinetics_derivatives(chem, t, s, {}, 0.0);
  const double r_sei = 1.667e15 * std::exp(-1.3508e5 / (r_gas * t)) * 0.1;
  const double r_ne =
      2.5e13 * std::exp(-(0.033 + 0.15) / 0.033) * std::exp(-1.3508e5 / (r_gas * t)) * 0.6;
  const double alpha = 0.3;
  const double r_pe = 6.667e13 * alpha * (1 - alpha) * std::exp(-1.396e5 / (r_gas * t));
  const double r_e = 5.14e25 * std::exp(-2.74e5 / (r_gas * t)) * 0.9;
  EXPECT_NEAR(d.reaction_rate[0] / r_sei, 1.0, 1e-12);
  EXPECT_NEAR(d.reaction_rate[1] / r_ne, 1.0, 1e-12);
  EXPECT_NEAR(d.reaction_rate[2] / r_pe, 1.0, 1e-12);
  EXPECT_NEAR(d.reaction_rate[3] / r_e, 1.0, 1e-12);
  const double q =
      2.57e5 * 610.4 * r_sei + 1.714e6 * 610.4 * r_ne + 3.14e5 * 1221 * r_pe + 1.55e5 * 406.9 * r_e;
  EXPECT_NEAR(d.reaction_heat_rate / q, 1.0, 1e-9);
  EXPECT_NEAR(kernels::heat_release_rate(chem, t, s) / q, 1.0, 1e-9);
  EXPECT_NEAR(d.temperature_rate, q / (2580.0 * 830.0), 1e-9 * q / (2580.0 * 830.0));
  // Only the electrolyte reaction draws on the liquid in the published model.
  EXPECT_NEAR(d.electrolyte_rate, -r_e, 1e-12 * r_e);
}

// The analytic Jacobian against central differences, at states that exercise every term:
// SEI inhibition, autocatalysis, the solvent gate (s below 1 %), the smooth A switch and onset
// gates, an endothermic reaction and an open vent that takes heat with the liquid and leaves only a
// share of the reaction heat in the roll (ejected solids).
void expect_jacobian_matches_differences(const Chemistry& chem, double t, const KineticState& s,
                                         const kernels::VentFlow& vent) {
  const int n = chem.reaction_count;
  const int size = n + 2;
  std::vector<double> analytic(static_cast<std::size_t>(size * size));
  kernels::kinetics_jacobian(chem, t, s, vent, analytic.data());
  auto f = [&](const std::vector<double>& y) {
    KineticState x = s;
    for (int i = 0; i < n; ++i) x.remaining[i] = y[std::size_t(i)];
    x.electrolyte_left = y[std::size_t(n)];
    const kernels::KineticsDerivatives d =
        kernels::kinetics_derivatives(chem, y[std::size_t(n + 1)], x, vent, 0.0);
    std::vector<double> out(static_cast<std::size_t>(size));
    for (int i = 0; i < n; ++i) out[std::size_t(i)] = -d.reaction_rate[i];
    out[std::size_t(n)] = d.electrolyte_rate;
    out[std::size_t(n + 1)] = d.temperature_rate;
    return out;
  };
  std::vector<double> y(static_cast<std::size_t>(size));
  for (int i = 0; i < n; ++i) y[std::size_t(i)] = s.remaining[i];
  y[std::size_t(n)] = s.electrolyte_left;
  y[std::size_t(n + 1)] = t;
  for (int col = 0; col < size; ++col) {
    const double h = col == n + 1 ? 1e-4 : 1e-7;  // K, or fraction
    std::vector<double> plus = y;
    std::vector<double> minus = y;
    plus[std::size_t(col)] += h;
    minus[std::size_t(col)] -= h;
    const std::vector<double> fp = f(plus);
    const std::vector<double> fm = f(minus);
    for (int row = 0; row < size; ++row) {
      const double numeric = (fp[std::size_t(row)] - fm[std::size_t(row)]) / (2 * h);
      const double exact = analytic[std::size_t(row * size + col)];
      // Relative to the largest entry of the row, so exact zeros compare against round-off.
      double row_scale = 0.0;
      for (int k = 0; k < size; ++k) {
        row_scale = std::max(row_scale, std::fabs(analytic[std::size_t(row * size + k)]));
      }
      const double scale = std::fabs(exact) + std::fabs(numeric) + 1e-6 * row_scale + 1e-12;
      EXPECT_LT(std::fabs(exact - numeric) / scale, 2e-5)
          << chem.name << " row " << row << " col " << col << ": analytic " << exact
          << ", differences " << numeric;
    }
  }
}

// nrel-lco part way through its reactions.
KineticState nrel_midway(const Chemistry& nrel) {
  KineticState s = kernels::initial_kinetic_state(nrel);
  s.remaining[0] = 0.08;
  s.remaining[1] = 0.5;
  s.remaining[2] = 0.6;
  s.electrolyte_left = 0.7;
  return s;
}

// nmc-semisolid-50ah with its separator nearly melted and the liquid inside the solvent gate: a
// state that can exist at ~533 K (the separator's rate there is ~1e9 /s; intact, it would drown
// every other term of the temperature row in round-off).
KineticState semisolid_gated(const Chemistry& semisolid) {
  KineticState s = kernels::initial_kinetic_state(semisolid);
  const double remaining[] = {0.05, 0.5, 1e-3, 0.3, 0.2, 0.6};
  for (int i = 0; i < semisolid.reaction_count; ++i) s.remaining[i] = remaining[i];
  s.electrolyte_left = 0.004;
  return s;
}

TEST(KineticsJacobian, NrelMatchesFiniteDifferences) {
  const Chemistry chem = host::find_chemistry("nrel-lco");
  const KineticState s = nrel_midway(chem);
  expect_jacobian_matches_differences(chem, 520.0, s, {});
  expect_jacobian_matches_differences(chem, 520.0, s, {0.2, 4.2e5, 0.3});
}

TEST(KineticsJacobian, SolventLimitedChemistryWithGatesMatchesFiniteDifferences) {
  Chemistry chem = host::find_chemistry("nmc-semisolid-50ah");
  KineticState s = semisolid_gated(chem);
  // Near the anode's A switch (533.15 K, 1 K wide) and above every onset gate.
  expect_jacobian_matches_differences(chem, 533.6, s, {0.2, 6e5, 0.25});
  // Near the electrolyte onset gate (413.15 K), separator intact.
  s.remaining[2] = 0.9;
  s.electrolyte_left = 0.5;
  expect_jacobian_matches_differences(chem, 413.5, s, {});
}

// The integrator's arrowhead factorisation, built from the rates and partials the right-hand
// side kept at y (not evaluated again), solves (sigma I - J) x = b with J the dense Jacobian
// above (checked against differences) at the same state: the residual is round-off. The vented
// mass's row is sigma x_m - W_e v x_s = b_m.
void expect_factorisation_solves_with_the_jacobian(const Chemistry& chem, double t,
                                                   const KineticState& s,
                                                   const kernels::VentFlow& vent, double h) {
  namespace d = kernels::detail;
  const int n = chem.reaction_count;
  const int size = n + 2;
  d::Vec y{};
  for (int i = 0; i < n; ++i) y.v[i] = s.remaining[i];
  y.v[d::kSlotElectrolyte] = s.electrolyte_left;
  y.v[d::kSlotTemperature] = t;
  d::Vec f{};
  kernels::ReactionRate rates[kernels::kMaxReactions];
  d::rhs(chem, y, vent, 0.0, f, rates);
  d::Factored m{};
  ASSERT_TRUE(d::factor(chem, rates, vent, h, m)) << chem.name << " h " << h;

  // A right-hand side with every used slot set, of mixed signs and magnitudes.
  d::Vec b{};
  for (int i = 0; i < n; ++i) b.v[i] = (i % 2 == 0 ? 1.0 : -0.5) * (1.0 + i);
  b.v[d::kSlotElectrolyte] = 0.3;
  b.v[d::kSlotTemperature] = -40.0;
  b.v[d::kSlotVented] = 0.7;
  d::Vec x = b;
  d::solve(chem, m, x);

  std::vector<double> jacobian(static_cast<std::size_t>(size * size));
  kernels::kinetics_jacobian(chem, t, s, vent, jacobian.data());
  auto slot = [&](int k) {
    return k < n ? k : (k == n ? d::kSlotElectrolyte : d::kSlotTemperature);
  };
  for (int row = 0; row < size; ++row) {
    double residual = m.sigma * x.v[slot(row)] - b.v[slot(row)];
    double scale = std::fabs(m.sigma * x.v[slot(row)]) + std::fabs(b.v[slot(row)]);
    for (int col = 0; col < size; ++col) {
      const double term =
          jacobian[std::size_t(row) * std::size_t(size) + std::size_t(col)] * x.v[slot(col)];
      residual -= term;
      scale += std::fabs(term);
    }
    EXPECT_LT(std::fabs(residual), 1e-11 * scale) << chem.name << " h " << h << " row " << row;
  }
  const double we_v = kernels::electrolyte_content(chem) * vent.liquid_rate;
  const double vented_residual =
      m.sigma * x.v[d::kSlotVented] - we_v * x.v[d::kSlotElectrolyte] - b.v[d::kSlotVented];
  EXPECT_LT(std::fabs(vented_residual),
            1e-11 * (std::fabs(m.sigma * x.v[d::kSlotVented]) +
                     std::fabs(we_v * x.v[d::kSlotElectrolyte]) + std::fabs(b.v[d::kSlotVented])))
      << chem.name << " h " << h;
}

TEST(KineticsFactorisation, SolvesWithTheJacobianFromTheKeptRates) {
  const Chemistry nrel = host::find_chemistry("nrel-lco");
  for (const double h : {1e-6, 1e-3, 0.1}) {
    expect_factorisation_solves_with_the_jacobian(nrel, 520.0, nrel_midway(nrel), {0.2, 4.2e5, 0.3},
                                                  h);
  }
  const Chemistry semisolid = host::find_chemistry("nmc-semisolid-50ah");
  for (const double h : {1e-6, 1e-3}) {
    expect_factorisation_solves_with_the_jacobian(semisolid, 533.6, semisolid_gated(semisolid),
                                                  {0.2, 6e5, 0.25}, h);
  }
}

TEST(SolventGate, IsOneAboveTheGateAndStopsConsumptionAtZero) {
  EXPECT_EQ(kernels::solvent_gate(1.0).value, 1.0);
  EXPECT_EQ(kernels::solvent_gate(kernels::kSolventGateFraction).value, 1.0);
  EXPECT_EQ(kernels::solvent_gate(0.0).value, 0.0);
  EXPECT_NEAR(kernels::solvent_gate(0.5 * kernels::kSolventGateFraction).value, 0.75, 1e-15);
  // A solvent-consuming reaction stops without liquid; one that does not keeps going.
  const Chemistry chem = host::find_chemistry("nmc-liquid-50ah");
  KineticState s = kernels::initial_kinetic_state(chem);
  s.electrolyte_left = 0.0;
  const kernels::KineticsDerivatives d = kernels::kinetics_derivatives(chem, 500.0, s, {}, 0.0);
  ASSERT_TRUE(chem.reactions[1].consumes_electrolyte);
  EXPECT_EQ(d.reaction_rate[1], 0.0);  // anode + solvent
  EXPECT_GT(d.reaction_rate[0], 0.0);  // SEI decomposition
}

TEST(ElectrolyteClass, ThresholdsFollowTheTaxonomy) {
  using kernels::ElectrolyteClass;
  EXPECT_EQ(kernels::classify_electrolyte(0.15), ElectrolyteClass::kLiquid);
  EXPECT_EQ(kernels::classify_electrolyte(0.1000001), ElectrolyteClass::kLiquid);
  EXPECT_EQ(kernels::classify_electrolyte(0.10), ElectrolyteClass::kSemiSolid);
  EXPECT_EQ(kernels::classify_electrolyte(0.05), ElectrolyteClass::kSemiSolid);
  EXPECT_EQ(kernels::classify_electrolyte(1e-9), ElectrolyteClass::kSemiSolid);
  EXPECT_EQ(kernels::classify_electrolyte(0.0), ElectrolyteClass::kAllSolid);
  EXPECT_STREQ(kernels::electrolyte_class_name(ElectrolyteClass::kLiquid), "liquid");
  EXPECT_STREQ(kernels::electrolyte_class_name(ElectrolyteClass::kSemiSolid), "semi-solid");
  EXPECT_STREQ(kernels::electrolyte_class_name(ElectrolyteClass::kAllSolid), "all-solid");
}

TEST(KineticState, StartsFromTheChemistrysInitialState) {
  Chemistry chem = host::find_chemistry("nrel-lco");
  KineticState s = kernels::initial_kinetic_state(chem);
  EXPECT_EQ(s.remaining[0], 0.15);
  EXPECT_EQ(s.remaining[1], 0.75);
  EXPECT_EQ(s.remaining[2], 0.96);
  EXPECT_EQ(s.electrolyte_left, 1.0);
  EXPECT_NEAR(kernels::electrolyte_content(chem), 406.9, 1e-9);
  EXPECT_NEAR(kernels::reactant_content(chem, 3), 406.9, 1e-9);
  chem.liquid_electrolyte_fraction = 0.0;
  EXPECT_EQ(kernels::initial_kinetic_state(chem).electrolyte_left, 0.0);
}

}  // namespace
}  // namespace runaway::testing
