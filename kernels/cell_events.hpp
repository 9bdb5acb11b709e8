// Cell-level events of thermal runaway: internal short circuit, venting, combustion and runaway
// onset (DESIGN.md §4, docs/physics.md "Cell events"). One CellEventState per battery cell; the
// driver updates it from per-cell reductions of the voxel fields (maximum jelly-roll temperature,
// maximum self-heating rate, vented mass) once per step, and turns it into sources:
//
//   short circuit   P(t) = E / tau * exp(-(t - t0) / tau),  E = fraction * capacity * voltage *
//   SOC,
//                   spread uniformly over the cell's jelly roll (W/m^3 = P / V_jelly_roll);
//   venting         opens once the jelly roll reaches the vent temperature; for the ejection
//                   time t_v = -tau_vent ln(1 - vented_fraction) the kinetics kernel then
//                   removes the liquid at S / tau_vent with its latent heat, so vented_fraction
//                   of the liquid present at the opening leaves (less if reactions consume some);
//   combustion      burned_fraction of the vented mass enters a flame and burns first-order over
//                   burn_time: dM/dt = chi mdot_vent - M / tau_burn, power = dHc M / tau_burn,
//                   deposited in a flame region next to the vent (returned separately here).
//
// Plain data and RUNAWAY_HD functions, so the state can live on the device if the driver wants.
#pragma once

#include <cmath>

#include "kernels/chemistry.hpp"
#include "kernels/hd.hpp"

namespace runaway::kernels {

// Seconds per hour, to turn a capacity in ampere-hours into coulombs (exact).
inline constexpr double kSecondsPerHour = 3600.0;

// Electrical energy stored in a cell, J: capacity (C) * voltage (V) * state of charge.
RUNAWAY_HD inline double stored_electrical_energy(double charge_capacity, double voltage,
                                                  double state_of_charge) {
  return charge_capacity * voltage * state_of_charge;
}

// Per-cell constants of the event models, built once from the chemistry and the cell.
struct CellEventParameters {
  double jelly_roll_volume = 0;            // m^3, the volume the short-circuit heat goes into
  double short_circuit_energy = 0;         // J released in total by the internal short
  double short_circuit_time_constant = 0;  // tau, s
  double separator_temperature = 0;        // K, spontaneous short circuit; 0: none
  double nail_time = -1;                   // s, forced short circuit (nail); < 0: none
  double vent_temperature = 0;             // K; 0: the cell never vents
  double vent_ejection_time = 0;           // t_v, s (infinite when all the liquid vents)
  double burned_fraction = 0;              // chi, share of the vented mass that burns
  double heat_of_combustion = 0;           // J/kg
  double burn_time = 0;                    // s
  double runaway_rate_threshold = kDefaultRunawayRateThreshold;  // K/s
};

// How long an open vent ejects: S / tau leaves exp(-t_v / tau) of the liquid after t_v, so
// t_v = -tau ln(1 - vented_fraction); infinite for a fraction of 1.
RUNAWAY_HD inline double vent_ejection_time(const Chemistry& chemistry) {
  return chemistry.vented_fraction < 1.0
             ? -chemistry.vent_time_constant * std::log(1.0 - chemistry.vented_fraction)
             : HUGE_VAL;
}

RUNAWAY_HD inline CellEventParameters make_cell_event_parameters(
    const Chemistry& chemistry, double jelly_roll_volume, double charge_capacity, double voltage,
    double state_of_charge, double nail_time = -1.0) {
  CellEventParameters p;
  p.jelly_roll_volume = jelly_roll_volume;
  p.short_circuit_energy = chemistry.short_circuit_energy_fraction *
                           stored_electrical_energy(charge_capacity, voltage, state_of_charge);
  p.short_circuit_time_constant = chemistry.short_circuit_time_constant;
  p.separator_temperature = chemistry.separator_temperature;
  p.nail_time = nail_time;
  p.vent_temperature = chemistry.vent_temperature;
  p.vent_ejection_time = vent_ejection_time(chemistry);
  p.burned_fraction = chemistry.burned_fraction;
  p.heat_of_combustion = chemistry.heat_of_combustion;
  p.burn_time = chemistry.burn_time;
  p.runaway_rate_threshold = chemistry.runaway_rate_threshold;
  return p;
}

// Events a cell has gone through (bit flags, so the driver can OR them in reductions).
enum CellEvent : unsigned {
  kEventShortCircuit = 1u,
  kEventVent = 2u,
  kEventRunaway = 4u,
  kEventBurntOut = 8u,
};

// The state machine normal -> venting -> shorted -> runaway -> burnt-out, as the latest
// phase reached (vent and short can come in either order; the phase reports the later one).
enum class CellPhase : int { kNormal = 0, kVenting, kShorted, kRunaway, kBurntOut };

struct CellEventState {
  unsigned events = 0;                       // CellEvent flags that have happened
  double short_circuit_start_time = 0;       // s
  double vent_open_time = 0;                 // s
  double runaway_onset_time = 0;             // s, first time the self-heating rate >= threshold
  double runaway_onset_temperature = 0;      // K, maximum jelly-roll temperature at onset
  double burnt_out_time = 0;                 // s
  double short_circuit_energy_released = 0;  // J
  double vented_mass = 0;                    // kg of liquid electrolyte vented so far
  double flame_fuel_mass = 0;                // kg of vented vapour still burning
  double combustion_energy_released = 0;     // J released in the flame so far
};

RUNAWAY_HD inline bool has_event(const CellEventState& s, CellEvent e) {
  return (s.events & e) != 0;
}

RUNAWAY_HD inline CellPhase cell_phase(const CellEventState& s) {
  if (has_event(s, kEventBurntOut)) return CellPhase::kBurntOut;
  if (has_event(s, kEventRunaway)) return CellPhase::kRunaway;
  if (has_event(s, kEventShortCircuit)) return CellPhase::kShorted;
  if (has_event(s, kEventVent)) return CellPhase::kVenting;
  return CellPhase::kNormal;
}

inline const char* cell_phase_name(CellPhase phase) {
  switch (phase) {
    case CellPhase::kNormal:
      return "normal";
    case CellPhase::kVenting:
      return "venting";
    case CellPhase::kShorted:
      return "shorted";
    case CellPhase::kRunaway:
      return "runaway";
    case CellPhase::kBurntOut:
      return "burnt-out";
  }
  return "unknown";
}

// Short-circuit heat released in [t0, t1], J: the exact integral of E/tau exp(-(t - ts)/tau).
RUNAWAY_HD inline double short_circuit_energy_between(const CellEventParameters& p,
                                                      const CellEventState& s, double t0,
                                                      double t1) {
  if (!has_event(s, kEventShortCircuit) || p.short_circuit_energy <= 0.0) return 0.0;
  const double ts = s.short_circuit_start_time;
  const double a = (t0 > ts ? t0 : ts) - ts;
  const double b = (t1 > ts ? t1 : ts) - ts;
  if (b <= a) return 0.0;
  const double tau = p.short_circuit_time_constant;
  return p.short_circuit_energy * (std::exp(-a / tau) - std::exp(-b / tau));
}

// Step-average short-circuit heat rate in the jelly roll over [t0, t0 + dt], W/m^3: the q_extra
// of the kinetics step, exact in energy over the step.
RUNAWAY_HD inline double short_circuit_heat_rate(const CellEventParameters& p,
                                                 const CellEventState& s, double t0, double dt) {
  if (dt <= 0.0 || p.jelly_roll_volume <= 0.0) return 0.0;
  return short_circuit_energy_between(p, s, t0, t0 + dt) / (dt * p.jelly_roll_volume);
}

// Whether the vent ejects liquid during a kinetics step starting at t0 (the `venting` argument
// of advance_kinetics): from the opening for vent_ejection_time. A step that straddles the end
// ejects for all of its length; end steps there (as the 0D driver does) to make it exact.
RUNAWAY_HD inline bool vent_ejecting(const CellEventParameters& p, const CellEventState& s,
                                     double t0) {
  return has_event(s, kEventVent) && t0 >= s.vent_open_time &&
         t0 < s.vent_open_time + p.vent_ejection_time;
}

// Instantaneous short-circuit power at time t, W.
RUNAWAY_HD inline double short_circuit_power(const CellEventParameters& p, const CellEventState& s,
                                             double t) {
  if (!has_event(s, kEventShortCircuit) || t < s.short_circuit_start_time) return 0.0;
  const double tau = p.short_circuit_time_constant;
  return p.short_circuit_energy / tau * std::exp(-(t - s.short_circuit_start_time) / tau);
}

// Books the short-circuit energy of [t0, t0 + dt] (call once per step, after the kinetics).
RUNAWAY_HD inline void record_short_circuit(const CellEventParameters& p, CellEventState& s,
                                            double t0, double dt) {
  s.short_circuit_energy_released += short_circuit_energy_between(p, s, t0, t0 + dt);
}

// Adds the mass vented during a step of length dt (kg, from the kinetics kernel summed over the
// cell's voxels) and burns the flame's fuel; returns the combustion heat of the step, J. The
// vented mass is taken as flowing at a constant rate over the step, and
//   dM/dt = chi mdot - M / tau_burn
// is integrated exactly, so the total released is dHc * chi * (total vented) once burnt out.
RUNAWAY_HD inline double advance_combustion(const CellEventParameters& p, CellEventState& s,
                                            double vented_mass_in_step, double dt) {
  s.vented_mass += vented_mass_in_step;
  const double fuel_in = p.burned_fraction * vented_mass_in_step;
  const double fuel_start = s.flame_fuel_mass;
  double fuel_end = 0.0;
  if (p.burn_time > 0.0 && dt > 0.0) {
    const double decay = std::exp(-dt / p.burn_time);
    // M(dt) = M0 e^{-dt/tau} + (chi mdot) tau (1 - e^{-dt/tau}),  chi mdot = fuel_in / dt
    fuel_end = fuel_start * decay + fuel_in * p.burn_time / dt * (1.0 - decay);
  }
  const double burned = fuel_start + fuel_in - fuel_end;
  s.flame_fuel_mass = fuel_end;
  const double energy = p.heat_of_combustion * burned;
  s.combustion_energy_released += energy;
  return energy;
}

// Flame power at the current fuel inventory, W.
RUNAWAY_HD inline double combustion_power(const CellEventParameters& p, const CellEventState& s) {
  return p.burn_time > 0.0 ? p.heat_of_combustion * s.flame_fuel_mass / p.burn_time : 0.0;
}

// Trigger checks at the end of a step that ended at `time`, from per-cell reductions: the
// maximum jelly-roll temperature and the maximum self-heating rate of the cell's voxels.
// Returns the CellEvent flags that fired in this call (for the event table).
//   short circuit: T_max >= separator temperature (if > 0), or time >= nail time (if >= 0)
//   vent:          T_max >= vent temperature (if > 0)
//   runaway:       max self-heating rate >= threshold (DESIGN.md §4)
//   burnt-out:     after runaway, the self-heating rate is back below the threshold, the short
//                  circuit has released 99.9 % of its energy and the flame holds < 0.1 % of the
//                  fuel burnt so far.
RUNAWAY_HD inline unsigned update_cell_events(const CellEventParameters& p, CellEventState& s,
                                              double time, double max_temperature,
                                              double max_self_heating_rate) {
  unsigned fired = 0;
  const bool separator_failed =
      p.separator_temperature > 0.0 && max_temperature >= p.separator_temperature;
  if (!has_event(s, kEventShortCircuit) &&
      (separator_failed || (p.nail_time >= 0.0 && time >= p.nail_time))) {
    s.short_circuit_start_time = time;
    fired |= kEventShortCircuit;
  }
  if (!has_event(s, kEventVent) && p.vent_temperature > 0.0 &&
      max_temperature >= p.vent_temperature) {
    s.vent_open_time = time;
    fired |= kEventVent;
  }
  if (!has_event(s, kEventRunaway) && max_self_heating_rate >= p.runaway_rate_threshold) {
    s.runaway_onset_time = time;
    s.runaway_onset_temperature = max_temperature;
    fired |= kEventRunaway;
  }
  s.events |= fired;
  if (has_event(s, kEventRunaway) && !has_event(s, kEventBurntOut) &&
      (fired & kEventRunaway) == 0 && max_self_heating_rate < p.runaway_rate_threshold) {
    const bool short_done = !has_event(s, kEventShortCircuit) ||
                            s.short_circuit_energy_released >= 0.999 * p.short_circuit_energy;
    const double burned_so_far =
        p.heat_of_combustion > 0.0 ? s.combustion_energy_released / p.heat_of_combustion : 0.0;
    const bool flame_done = s.flame_fuel_mass <= 1e-3 * burned_so_far;
    if (short_done && flame_done) {
      s.burnt_out_time = time;
      s.events |= kEventBurntOut;
      fired |= kEventBurntOut;
    }
  }
  return fired;
}

}  // namespace runaway::kernels
