// Gas, pressure and venting of a cell (kernels/cell_vent.hpp) against textbook results: the
// critical flow constant of air, the continuity of choked and subsonic orifice flow, the
// isothermal blowdown of a choked vessel and the vapour a blowdown entrains, whatever the step, the
// solvent's normal boiling point and Raoult's law, and the implicit evaporation that cannot cool
// the roll below its vapour's boiling point.
#include <gtest/gtest.h>

#include <cmath>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/cell_events.hpp"
#include "kernels/cell_vent.hpp"

namespace runaway::testing {
namespace {

using kernels::VentParameters;

// Air (gamma 1.4, 28.97 g/mol) through a choked nozzle: mdot = 0.0404 A p0 / sqrt(T0) in SI units,
// the constant of every compressible-flow text (e.g. Anderson, Modern Compressible Flow, §5.4).
TEST(Orifice, ChokedAirFollowsTheTextbookFlowConstant) {
  const double p0 = 1e6;
  const double t0 = 300.0;
  const double flux = kernels::orifice_mass_flux(p0, 101325.0, t0, 0.02897, 1.4);
  EXPECT_NEAR(flux * std::sqrt(t0) / p0, 0.0404, 0.0404 * 2e-3);
  // Choked: the flux does not depend on the back pressure.
  EXPECT_EQ(flux, kernels::orifice_mass_flux(p0, 2e5, t0, 0.02897, 1.4));
  EXPECT_EQ(kernels::orifice_mass_flux(9e4, 101325.0, t0, 0.02897, 1.4), 0.0);  // no back flow
}

// The subsonic formula meets the choked one at the critical pressure ratio, and falls to zero as
// the ratio goes to one.
TEST(Orifice, SubsonicFlowMeetsChokedFlowAtTheCriticalRatio) {
  const double gamma = 1.3;
  const double critical = std::pow(2.0 / (gamma + 1.0), gamma / (gamma - 1.0));
  const double ambient = 101325.0;
  const double choked =
      kernels::orifice_mass_flux(ambient / (critical * (1 - 1e-9)), ambient, 500.0, 0.025, gamma);
  const double subsonic =
      kernels::orifice_mass_flux(ambient / (critical * (1 + 1e-9)), ambient, 500.0, 0.025, gamma);
  EXPECT_NEAR(subsonic / choked, 1.0, 1e-6);
  EXPECT_LT(kernels::orifice_mass_flux(ambient * 1.001, ambient, 500.0, 0.025, gamma),
            0.1 * subsonic);
}

VentParameters gas_only_can() {
  VentParameters p;
  p.free_volume = 1e-6;  // 1 mL
  p.flow_area = 1e-7;    // m^2
  p.gas_molar_mass = 0.025;
  p.heat_capacity_ratio = 1.3;
  return p;
}

// A choked can of ideal gas at fixed temperature empties exponentially, n(t) = n0 exp(-t / tau)
// with tau = V M / (A R T G/P). gas_left_after_venting integrates dn/dt = -k n exactly at the
// step's k, which a choked orifice holds fixed: one step or a hundred land on the exponential.
TEST(Orifice, ChokedBlowdownFollowsTheExponentialWhateverTheStep) {
  const VentParameters p = gas_only_can();
  const double t = 500.0;
  const double p0 = 20 * kernels::kStandardAtmosphere;  // stays choked above ~1.8 atm
  const double n0 = p0 * p.free_volume / (kernels::kGasConstant * t);
  const double g_over_p = kernels::orifice_mass_flux(p0, p.ambient_pressure, t, p.gas_molar_mass,
                                                     p.heat_capacity_ratio) /
                          p0;
  const double tau =
      p.free_volume * p.gas_molar_mass / (p.flow_area * kernels::kGasConstant * t * g_over_p);
  const double end = 1.0 * tau;  // P falls to 20/e ~ 7.4 atm: choked throughout
  auto error = [&](int steps) {
    double n = n0;
    for (int k = 0; k < steps; ++k) {
      n = kernels::gas_left_after_venting(p, t, n, 0.0, 0.0, end / steps);
    }
    return std::fabs(n - n0 * std::exp(-end / tau)) / n0;
  };
  for (int steps : {1, 3, 100}) EXPECT_LT(error(steps), 1e-12) << steps << " steps";
}

// With gas made at a steady rate G, the open can settles where the vent lets out G: the step
// books exactly what was made minus what is left, and the pressure is where the flow equals G.
TEST(Orifice, SteadyProductionSettlesWhereTheVentCarriesItAway) {
  const VentParameters p = gas_only_can();
  const double t = 600.0;
  const double rate = 1e-3;  // mol/s
  double n = 0.0;
  for (int k = 0; k < 200; ++k)
    n = kernels::gas_left_after_venting(p, t, n, rate * 0.05, 0.0, 0.05);
  const kernels::VentOutflow out = kernels::vent_outflow(p, t, n, 0.0);
  EXPECT_NEAR(out.gas_moles / rate, 1.0, 1e-6);
}

VentParameters builtin_vent(const char* chemistry) {
  const host::ChemistryEntry& e = host::find_chemistry_entry(chemistry);
  return kernels::make_vent_parameters(e.chemistry, e.cell.jelly_roll_volume, 298.15);
}

// The built-in solvent (DMC) boils at its normal boiling point, 363.5 K (NIST WebBook), and a
// blend's vapour follows Raoult's law on its volatile share until the volatile is all vapour.
TEST(Vapour, BuiltInSolventBoilsAtItsNormalBoilingPointAndFollowsRaoult) {
  const VentParameters p = builtin_vent("nmc-liquid-50ah");
  EXPECT_NEAR(kernels::saturation_pressure(p, 363.5) / kernels::kStandardAtmosphere, 1.0, 1e-12);
  const double t = 420.0;
  const double pool = 0.1;  // kg
  EXPECT_NEAR(kernels::vapour_pressure(p, t, pool, 0.44 * pool),
              0.44 * kernels::saturation_pressure(p, t), 1e-9);
  // A trace of liquid: all of it is vapour, at its ideal-gas pressure in the free volume.
  const double trace = 1e-9;
  EXPECT_NEAR(kernels::vapour_pressure(p, t, trace, trace),
              trace * kernels::kGasConstant * t / (p.solvent_molar_mass * p.free_volume), 1e-9);
  EXPECT_EQ(kernels::vapour_pressure(p, t, pool, 0.0), 0.0);
}

// The open vent's evaporation is implicit in the cooling its latent heat causes: however long the
// step, the roll ends no colder than where the vapour stops flowing (its pressure at ambient),
// and a short step takes what the orifice lets through.
TEST(Vapour, EvaporationStopsWhereTheVapourCannotLeave) {
  const VentParameters p = builtin_vent("nmc-liquid-50ah");
  const double pool = 0.18;  // kg, the 50 Ah cell's liquid
  const double volatile_mass = p.volatile_fraction * pool;
  const double t = 450.0;
  const kernels::VentFlow flow = kernels::open_vent_flow(p, t, 0.0, pool, volatile_mass, 1e4);
  const double out = pool * -std::expm1(-flow.liquid_rate * 1e4);
  const double vapour = out / (1.0 + p.entrained_liquid_ratio);
  ASSERT_GT(vapour, 0.0);
  const double cooled = t - p.latent_heat * vapour / p.heat_capacity;
  const double left = volatile_mass - vapour * (1 + p.entrained_liquid_ratio * p.volatile_fraction);
  // At the end: the vapour pressure is down to the ambient (to the bisection's round-off).
  EXPECT_NEAR(kernels::vapour_pressure(p, cooled, pool - out, left) / p.ambient_pressure, 1.0,
              1e-3);
  EXPECT_GT(cooled, 363.5 - 1.0);  // no colder than the pure solvent's boiling point
  // A 1 ms step takes at most what the orifice passes at the start.
  const kernels::VentFlow quick = kernels::open_vent_flow(p, t, 0.0, pool, volatile_mass, 1e-3);
  const double taken =
      pool * -std::expm1(-quick.liquid_rate * 1e-3) / (1.0 + p.entrained_liquid_ratio);
  const double orifice =
      kernels::vent_outflow(p, t, 0.0, kernels::vapour_pressure(p, t, pool, volatile_mass))
          .vapour_mass *
      1e-3;
  EXPECT_LE(taken, orifice * (1 + 1e-9));
  EXPECT_GT(taken, 0.9 * orifice);
}

// A vent that has just burst blows its gas down in milliseconds and drags vapour out with it; below
// the solvent's boiling point nothing follows once the can is at ambient. What that blowdown
// entrains must not depend on the step: one 1 s step, ten steps and a thousand all vent what a
// fine explicit integration of the same orifice equations vents (once the start's gas pushed
// vapour for the whole step, and a 1 s step vented 8x what a 0.25 s step did).
TEST(Vapour, BlowdownEntrainsTheSameVapourWhateverTheStep) {
  const VentParameters p = builtin_vent("nmc-liquid-50ah");
  const double t0 = 350.0;  // DMC's partial pressure ~0.3 atm: below ambient, it cannot boil off
  const double pool0 = 0.18;
  const double volatile0 = p.volatile_fraction * pool0;
  const double burst = kernels::kStandardAtmosphere + p.burst_pressure;
  const double n0 = (burst - kernels::vapour_pressure(p, t0, pool0, volatile0)) * p.free_volume /
                    (kernels::kGasConstant * t0);
  const double droplets = 1.0 + p.entrained_liquid_ratio;
  const double per_vapour = 1.0 + p.entrained_liquid_ratio * volatile0 / pool0;
  // The steps of a driver: each step's flow from its start, then the gas it leaves.
  auto stepped = [&](int steps) {
    const double h = 1.0 / steps;
    double n = n0, pool = pool0, volatile_mass = volatile0, t = t0, vapour = 0.0;
    for (int k = 0; k < steps; ++k) {
      const kernels::VentFlow flow = kernels::open_vent_flow(p, t, n, pool, volatile_mass, h);
      const double out = pool * -std::expm1(-flow.liquid_rate * h);
      const double v = out / droplets;
      vapour += v;
      pool -= out;
      volatile_mass -= v * per_vapour;
      t -= p.latent_heat * v / p.heat_capacity;
      n = kernels::gas_left_after_venting(p, t, n, 0.0,
                                          kernels::vapour_pressure(p, t, pool, volatile_mass), h);
    }
    return vapour;
  };
  // Reference: explicit Euler at a thousandth of the blowdown time until the flow stops.
  const kernels::VentOutflow start =
      kernels::vent_outflow(p, t0, n0, kernels::vapour_pressure(p, t0, pool0, volatile0));
  const double tau = n0 / start.gas_moles;
  ASSERT_LT(tau, 0.05) << "a blowdown far shorter than the steps";
  double n = n0, vapour = 0.0, blowdown_time = 0.0;
  for (; blowdown_time < 1.0; blowdown_time += 1e-3 * tau) {
    const double t = t0 - p.latent_heat * vapour / p.heat_capacity;
    const double p_v =
        kernels::vapour_pressure(p, t, pool0 - droplets * vapour, volatile0 - per_vapour * vapour);
    const kernels::VentOutflow out = kernels::vent_outflow(p, t, n, p_v);
    if (!(out.gas_moles > 0.0)) break;
    n -= 1e-3 * tau * out.gas_moles;
    vapour += 1e-3 * tau * out.vapour_mass;
  }
  ASSERT_GT(vapour, 0.0);
  ASSERT_LT(blowdown_time, 0.5) << "the flow stops within the second";
  for (int steps : {1, 10, 1000}) {
    EXPECT_NEAR(stepped(steps) / vapour, 1.0, 0.01) << steps << " steps; tau " << tau << " s";
  }
}

// The vent opens at the burst pressure, however it got there, and a vent without one opens at
// its temperature.
TEST(Vent, OpensAtTheBurstPressureOrElseAtTheVentTemperature) {
  const host::ChemistryEntry& e = host::find_chemistry_entry("nmc-liquid-50ah");
  kernels::CellEventParameters p =
      kernels::make_cell_event_parameters(e.chemistry, e.cell.jelly_roll_volume, 1.0, 298.15);
  EXPECT_EQ(p.vent_temperature, 0.0);  // a burst pressure replaces the temperature
  kernels::CellEventState s = kernels::start_cell_events(p, 0.18);
  EXPECT_NEAR(s.pressure,
              kernels::kStandardAtmosphere +
                  kernels::vapour_pressure(p.vent, 298.15, 0.18, s.volatile_mass),
              1e-6);
  kernels::CellObservation o;
  o.time = 1.0;
  o.max_temperature = 900.0;  // hot, but the pressure decides
  EXPECT_EQ(kernels::update_cell_events(p, s, o) & kernels::kEventVent, 0u);
  s.pressure = kernels::kStandardAtmosphere + p.vent.burst_pressure;
  o.time = 2.0;
  EXPECT_NE(kernels::update_cell_events(p, s, o) & kernels::kEventVent, 0u);

  kernels::Chemistry by_temperature = e.chemistry;
  by_temperature.vent_burst_pressure = 0.0;
  by_temperature.vent_temperature = 450.0;
  p = kernels::make_cell_event_parameters(by_temperature, e.cell.jelly_roll_volume, 1.0, 298.15);
  s = kernels::start_cell_events(p, 0.18);
  o.time = 1.0;
  o.max_temperature = 440.0;
  EXPECT_EQ(kernels::update_cell_events(p, s, o) & kernels::kEventVent, 0u);
  o.time = 2.0;
  o.max_temperature = 460.0;
  EXPECT_NE(kernels::update_cell_events(p, s, o) & kernels::kEventVent, 0u);
  EXPECT_NEAR(s.vent_open_time, 1.5, 1e-12);
}

}  // namespace
}  // namespace runaway::testing
