// Gas, pressure and venting of one cell (docs/physics.md "Gas, pressure and venting"): the can's
// free volume V holds the reactions' gas (n mol, with the fill gas) and the solvent's vapour.
//
//   pressure      P = n R T / V + p_v (Dalton), p_v = min(x p_sat(T), m_vol R T / (M_s V)): the
//                 volatile solvent (m_vol kg of the m_pool kg of liquid, share x = m_vol / m_pool)
//                 is saturated by Raoult's law while it lasts, else all of it is vapour; the rest
//                 of the liquid (cyclic carbonate, salt) does not boil
//   vent          opens when P - P_ambient reaches the burst pressure (cell_events.hpp)
//   outflow       an ideal-gas orifice of flow area Cd A for the mixture (molar mass and gamma of
//                 the mix), choked when P_ambient / P is below (2 / (gamma + 1))^(gamma/(gamma-1)):
//                   choked     G = P sqrt(gamma / (R_m T)) (2 / (gamma +
//                   1))^((gamma+1)/(2(gamma-1))) subsonic   G = P sqrt(2 gamma / ((gamma - 1) R_m
//                   T) (r^(2/gamma) - r^((gamma+1)/gamma)))
//                 (kg/(m^2 s), r = P_ambient / P, R_m = R / M_mix; e.g. White, Fluid Mechanics,
//                 §9.4). Gas and vapour leave in proportion to their partial pressures; droplets
//                 leave with the vapour, entrained_liquid_ratio kg per kg.
//   energy        each kg vented carries its enthalpy out of the jelly roll: the vapour its latent
//                 heat, gas and liquid their sensible heat above the cell's start temperature;
//                 once the cell runs away with its vent open, ejected solids carry
//                 ejecta_heat_share of the heat released in the roll (cell_events.hpp).
//
// The can's free volume empties in milliseconds once open (V / (Cd A c)), far below any step, so
// both outflows are integrated implicitly (backward Euler, solved by bisection): the gas over the
// step with the step's production, the vapour with the cooling its latent heat causes. Neither
// can overshoot, and the masses booked are exactly those that left.
#pragma once

#include <cmath>

#include "kernels/chemistry.hpp"
#include "kernels/hd.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::kernels {

// Standard atmosphere, Pa (exact by definition, ISO 2533).
inline constexpr double kStandardAtmosphere = 101325.0;

// Per-cell constants of the gas and vent model.
struct VentParameters {
  double free_volume = 0;     // m^3
  double burst_pressure = 0;  // Pa above ambient; 0: the pressure does not open the vent
  double ambient_pressure = kStandardAtmosphere;  // Pa
  double flow_area = 0;                           // Cd A, m^2
  double gas_molar_mass = 0;                      // kg/mol
  double heat_capacity_ratio = 0;                 // gamma of the vented mix
  double gas_heat_capacity = 0;                   // J/(kg K)
  double solvent_molar_mass = 0;                  // kg/mol; 0: no vapour
  double volatile_fraction = 0;                   // of the liquid's mass at the start
  double antoine_a = 0;                           // log10(Pa)
  double antoine_b = 0;                           // K
  double antoine_c = 0;                           // K
  double latent_heat = 0;                         // J/kg
  double liquid_heat_capacity = 0;                // J/(kg K)
  double entrained_liquid_ratio = 0;              // kg droplets per kg vapour
  double ejecta_heat_share = 0;                   // [0, 1]
  double heat_capacity = 0;                       // J/K of the jelly roll (rho cp V)
  double reference_temperature = 0;  // K, the cell's start: sensible heat is counted from it
};

RUNAWAY_HD inline VentParameters make_vent_parameters(const Chemistry& c, double jelly_roll_volume,
                                                      double start_temperature) {
  VentParameters v;
  v.free_volume = c.free_volume_fraction * jelly_roll_volume;
  v.burst_pressure = c.vent_burst_pressure;
  v.flow_area = c.vent_discharge_coefficient * c.vent_area_per_volume * jelly_roll_volume;
  v.gas_molar_mass = c.gas_molar_mass;
  v.heat_capacity_ratio = c.gas_heat_capacity_ratio;
  v.gas_heat_capacity = c.gas_heat_capacity;
  v.solvent_molar_mass = electrolyte_content(c) > 0.0 ? c.solvent_molar_mass : 0.0;
  v.volatile_fraction = c.volatile_fraction;
  v.antoine_a = c.solvent_antoine_a;
  v.antoine_b = c.solvent_antoine_b;
  v.antoine_c = c.solvent_antoine_c;
  v.latent_heat = c.electrolyte_latent_heat;
  v.liquid_heat_capacity = c.liquid_heat_capacity;
  v.entrained_liquid_ratio = c.entrained_liquid_ratio;
  v.ejecta_heat_share = c.ejecta_heat_share;
  v.heat_capacity = c.density * c.heat_capacity * jelly_roll_volume;
  v.reference_temperature = start_temperature;
  return v;
}

// Saturation pressure of the solvent, Pa (Antoine); 0 without a solvent.
RUNAWAY_HD inline double saturation_pressure(const VentParameters& p, double temperature) {
  if (!(p.solvent_molar_mass > 0.0)) return 0.0;
  return std::pow(10.0, p.antoine_a - p.antoine_b / (temperature + p.antoine_c));
}

// Partial pressure of the vapour in the free volume, Pa, with `pool_mass` kg of liquid (liquid and
// vapour) of which `volatile_mass` kg is the volatile solvent: Raoult-saturated, or all of the
// volatile evaporated when that is less.
RUNAWAY_HD inline double vapour_pressure(const VentParameters& p, double temperature,
                                         double pool_mass, double volatile_mass) {
  if (!(p.solvent_molar_mass > 0.0) || !(p.free_volume > 0.0) || !(pool_mass > 0.0) ||
      !(volatile_mass > 0.0)) {
    return 0.0;
  }
  const double share = volatile_mass < pool_mass ? volatile_mass / pool_mass : 1.0;
  const double saturated = share * saturation_pressure(p, temperature);
  const double all =
      volatile_mass * kGasConstant * temperature / (p.solvent_molar_mass * p.free_volume);
  return saturated < all ? saturated : all;
}

// kg of vapour in the free volume at partial pressure p_v.
RUNAWAY_HD inline double vapour_mass(const VentParameters& p, double temperature, double p_v) {
  return p.free_volume > 0.0 && temperature > 0.0
             ? p_v * p.free_volume * p.solvent_molar_mass / (kGasConstant * temperature)
             : 0.0;
}

// Partial pressure of n mol of gas in the free volume, Pa.
RUNAWAY_HD inline double gas_pressure(const VentParameters& p, double temperature, double moles) {
  return p.free_volume > 0.0 ? moles * kGasConstant * temperature / p.free_volume : 0.0;
}

// Mass flux of an ideal gas of molar mass m and ratio gamma through an ideal nozzle from P to the
// ambient, kg/(m^2 s) (see the header); 0 when P <= ambient.
RUNAWAY_HD inline double orifice_mass_flux(double pressure, double ambient, double temperature,
                                           double molar_mass, double gamma) {
  if (!(pressure > ambient) || !(temperature > 0.0) || !(molar_mass > 0.0) || !(gamma > 1.0)) {
    return 0.0;
  }
  const double specific_gas_constant = kGasConstant / molar_mass;
  const double critical = std::pow(2.0 / (gamma + 1.0), gamma / (gamma - 1.0));
  const double r = ambient / pressure;
  if (r <= critical) {
    return pressure * std::sqrt(gamma / (specific_gas_constant * temperature)) *
           std::pow(2.0 / (gamma + 1.0), (gamma + 1.0) / (2.0 * (gamma - 1.0)));
  }
  const double bracket = std::pow(r, 2.0 / gamma) - std::pow(r, (gamma + 1.0) / gamma);
  return pressure * std::sqrt(2.0 * gamma / ((gamma - 1.0) * specific_gas_constant * temperature) *
                              (bracket > 0.0 ? bracket : 0.0));
}

// The vent's outflow at a state: total mass flow (kg/s) and the gas and vapour parts.
struct VentOutflow {
  double pressure = 0;     // Pa, absolute
  double gas_moles = 0;    // mol/s of gas
  double vapour_mass = 0;  // kg/s of vapour
};

RUNAWAY_HD inline VentOutflow vent_outflow(const VentParameters& p, double temperature,
                                           double moles, double p_v) {
  VentOutflow out;
  const double p_g = gas_pressure(p, temperature, moles);
  out.pressure = p_g + p_v;
  if (!(out.pressure > p.ambient_pressure) || !(p.flow_area > 0.0)) return out;
  const double molar_mass = (p_g * p.gas_molar_mass + p_v * p.solvent_molar_mass) / out.pressure;
  const double moles_per_second = p.flow_area *
                                  orifice_mass_flux(out.pressure, p.ambient_pressure, temperature,
                                                    molar_mass, p.heat_capacity_ratio) /
                                  molar_mass;
  out.gas_moles = moles_per_second * p_g / out.pressure;
  out.vapour_mass = moles_per_second * p_v / out.pressure * p.solvent_molar_mass;
  return out;
}

// Root of an increasing function on [0, high] by bisection (to round-off): what the implicit
// outflows solve. f(0) <= 0 <= f(high) is the caller's to ensure.
template <class F>
RUNAWAY_HD inline double increasing_root(F f, double high) {
  double low = 0.0;
  for (int i = 0; i < 200 && high - low > 1e-15 * high; ++i) {
    const double mid = 0.5 * (low + high);
    (f(mid) <= 0.0 ? low : high) = mid;
  }
  return 0.5 * (low + high);
}

// Gas beyond what the production keeps in the can (a vent that has just burst) blows down within
// milliseconds. A step from such a state is split into sub-steps that start at a twentieth of the
// blowdown time n / outflow and grow 1.3x (the last one takes the rest); otherwise it is taken
// whole. f(h) is called for each sub-step in turn.
template <class F>
RUNAWAY_HD inline void for_each_vent_substep(double dt, double moles, double gas_outflow,
                                             double production_rate, F f) {
  double sub = dt;
  if (gas_outflow > 2.0 * production_rate && moles > 0.0) {
    sub = 0.05 * moles / gas_outflow < dt ? 0.05 * moles / gas_outflow : dt;
  }
  double elapsed = 0.0;
  for (bool last = false; !last; sub *= 1.3) {
    last = dt - elapsed < 1.5 * sub;
    const double h = last ? dt - elapsed : sub;
    f(h);
    elapsed += h;
  }
}

// The gas of one (sub-)step of length dt: dn/dt = G - k n with G = produced / dt and
// k = outflow(n) / n taken at the step's end, integrated exactly,
// n1 = n0 e^(-k dt) + (G / k)(1 - e^(-k dt)). A choked orifice has k fixed, so its blowdown is
// exact; a long step settles where the vent carries away what is made, as backward Euler would.
RUNAWAY_HD inline double gas_left_after_substep(const VentParameters& p, double temperature,
                                                double moles, double produced, double p_v,
                                                double dt) {
  const double total = moles + produced;
  if (!(total > 0.0) || !(dt > 0.0)) return total;
  const double made_rate = produced / dt;
  auto end_of_step = [&](double n) {
    const double k = vent_outflow(p, temperature, n, p_v).gas_moles / n;
    // (1 - e^(-k dt)) / k, which tends to dt as k goes to 0.
    const double span = k * dt > 1e-8 ? -std::expm1(-k * dt) / k : dt;
    return moles * std::exp(-k * dt) + made_rate * span;
  };
  return increasing_root([&](double n) { return n > 0.0 ? n - end_of_step(n) : -total; }, total);
}

// The gas left after a step of length dt in which `produced` mol were made, from `moles` at the
// start: gas_left_after_substep over the blowdown's sub-steps (for_each_vent_substep).
RUNAWAY_HD inline double gas_left_after_venting(const VentParameters& p, double temperature,
                                                double moles, double produced, double p_v,
                                                double dt) {
  if (!(dt > 0.0)) return moles + produced;
  const double rate = produced > 0.0 ? produced / dt : 0.0;
  double n = moles;
  for_each_vent_substep(
      dt, moles, vent_outflow(p, temperature, moles, p_v).gas_moles, rate,
      [&](double h) { n = gas_left_after_substep(p, temperature, n, rate * h, p_v, h); });
  return n;
}

// The open vent's effect on the jelly roll over a step of length dt from a cell at mean temperature
// `temperature` holding `moles` of gas and `pool_mass` kg of liquid (`volatile_mass` of it
// volatile): how fast the liquid leaves, the heat each kg takes and the share of reaction heat
// kept (kinetics.hpp VentFlow). The vapour mass m solves m = w(T - L m / C) dt (backward Euler in
// the cooling its latent heat causes and in the volatile it uses up), at the gas the can holds
// with `gas_production_rate` mol/s made (the last step's).
RUNAWAY_HD inline VentFlow open_vent_flow(const VentParameters& p, double temperature, double moles,
                                          double pool_mass, double volatile_mass, double dt,
                                          double gas_production_rate = 0.0) {
  VentFlow flow;
  if (!(pool_mass > 0.0) || !(volatile_mass > 0.0) || !(dt > 0.0) ||
      !(p.solvent_molar_mass > 0.0)) {
    return flow;
  }
  // Each kg of vapour takes entrained_liquid_ratio kg of droplets of the pool's composition.
  const double share = volatile_mass < pool_mass ? volatile_mass / pool_mass : 1.0;
  const double droplets = 1.0 + p.entrained_liquid_ratio;
  const double volatile_per_vapour = 1.0 + p.entrained_liquid_ratio * share;
  auto cooled = [&](double evaporated) {
    return temperature - p.latent_heat * evaporated / p.heat_capacity;
  };
  // Vapour out per second after `evaporated` kg left, with `gas` mol of gas in the can.
  auto vapour_rate = [&](double evaporated, double gas) {
    const double t = cooled(evaporated);
    if (!(t > 0.0)) return 0.0;
    const double left = pool_mass - droplets * evaporated;
    const double volatile_left = volatile_mass - volatile_per_vapour * evaporated;
    if (!(left > 0.0) || !(volatile_left > 0.0)) return 0.0;
    return vent_outflow(p, t, gas, vapour_pressure(p, t, left, volatile_left)).vapour_mass;
  };
  const double by_pool = pool_mass / droplets;
  const double by_volatile = volatile_mass / volatile_per_vapour;
  const double most = by_pool < by_volatile ? by_pool : by_volatile;
  const double production = gas_production_rate > 0.0 ? gas_production_rate : 0.0;
  // The gas a just-burst vent blows down pushes vapour out as it goes: gas and vapour are
  // integrated together over the blowdown's sub-steps, so the vapour it entrains is counted once,
  // whatever dt is. (The start's gas pushing vapour for the whole step made that vapour grow with
  // dt: 0.6 g at 0.25 s steps, 5 g at 1 s steps in the 12-cell module's first cell.)
  const double gas_outflow =
      vent_outflow(p, temperature, moles, vapour_pressure(p, temperature, pool_mass, volatile_mass))
          .gas_moles;
  double gas = moles;
  double evaporated = 0.0;
  for_each_vent_substep(dt, moles, gas_outflow, production, [&](double h) {
    const double t = cooled(evaporated);
    const double p_v = vapour_pressure(p, t, pool_mass - droplets * evaporated,
                                       volatile_mass - volatile_per_vapour * evaporated);
    gas = gas_left_after_substep(p, t, gas, production * h, p_v, h);
    const double start = evaporated;
    const double first = vapour_rate(start, gas) * h;
    if (first > 0.0) {
      const double high = start + first < most ? start + first : most;
      evaporated =
          increasing_root([&](double m) { return m - start - vapour_rate(m, gas) * h; }, high);
    }
  });
  if (!(evaporated > 0.0)) return flow;
  // Liquid out over the step as a first-order rate on what is left: exact when the reactions
  // leave the pool alone, and never more than the pool.
  double out = droplets * evaporated / pool_mass;
  out = out < 1.0 - 1e-12 ? out : 1.0 - 1e-12;
  flow.liquid_rate = -std::log1p(-out) / dt;
  flow.heat_per_kg =
      p.latent_heat / droplets + p.liquid_heat_capacity * (temperature - p.reference_temperature);
  return flow;
}

}  // namespace runaway::kernels
