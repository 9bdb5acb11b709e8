// The cell-event model of thermal runaway, once for the 0D cell tests (`runaway cell`,
// host/solver/cell_model.cpp) and the 3D simulation (host/solver/simulation.cpp): internal short,
// venting, combustion of the vented fuel, runaway onset and burnt-out (docs/physics.md "Cell
// events"). One CellEventState per battery cell. Each step [t0, t0 + dt] a driver
//   1. asks for the step's sources:   cell_heat_source (the short circuit's heat kept in the roll,
//                                     less the enthalpy the vented gas took), cell_vent_flow (what
//                                     the open vent does to the liquid and the reaction heat);
//   2. integrates kinetics and conduction with them;
//   3. closes the step:               close_cell_step(parameters, state, observation, dt), with the
//                                     cell's reductions at t0 + dt (0D: the one voxel; 3D: the
//                                     maxima and sums over the jelly roll, the earliest voxel
//                                     onset, the mass vented and the gas made in the step). It
//                                     books the short-circuit energy, vents the gas, splits the
//                                     heat between the body and the ejecta, burns the flame's fuel
//                                     and fires the events.
//
//   short circuit   P(t) = E / tau exp(-(t - ts) / tau), E = fraction * stored electrical energy,
//                   spread uniformly over the jelly roll; booked as the exact cumulative integral,
//                   so steps of any length (and a start inside a step) release exactly E.
//   venting         opens when the can's gauge pressure reaches the burst pressure (or, without
//                   one, when the jelly roll reaches the vent temperature); from the step after,
//                   gas, vapour and droplets leave through the vent (kernels/cell_vent.hpp) with
//                   their enthalpy, and ejected solids take ejecta_heat_share of the heat.
//   combustion      burned_fraction chi of the vented mass enters a flame and burns first-order,
//                   dM/dt = chi mdot - M / tau_burn, the step's inflow taken at a constant rate and
//                   the equation integrated exactly: the flame releases chi dHc m_vented in total.
//   runaway         the self-heating rate reaches the threshold (the earliest voxel in 3D);
//   burnt-out       after runaway: no voxel self-heats at the threshold any more, the short has
//                   released 99.9 % of its energy and the flame holds < 0.1 % of the fuel it burnt.
// Temperature and rate thresholds are crossed between two checks: their times are interpolated
// (linearly in T, in log(rate) for rates), so event times do not depend on the step length.
//
// Plain data and RUNAWAY_HD functions, so the state can live on the device if a driver wants.
#pragma once

#include <cmath>

#include "kernels/cell_vent.hpp"
#include "kernels/chemistry.hpp"
#include "kernels/hd.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::kernels {

// Seconds per hour, to turn a capacity in ampere-hours into coulombs (exact).
inline constexpr double kSecondsPerHour = 3600.0;

// Burnt-out: the short has released this share of its energy and the flame holds less than
// kFlameSpentShare of what it has burnt (docs/physics.md "Cell events": the cell's own heat
// sources are spent; chosen so that what is left is below 0.1 % of the event's energy).
inline constexpr double kShortSpentShare = 0.999;
inline constexpr double kFlameSpentShare = 1e-3;

// Electrical energy stored in a cell, J: capacity (C) * voltage (V) * state of charge.
RUNAWAY_HD inline double stored_electrical_energy(double charge_capacity, double voltage,
                                                  double state_of_charge) {
  return charge_capacity * voltage * state_of_charge;
}

// Per-cell constants of the event model, built once from the chemistry and the cell.
struct CellEventParameters {
  double jelly_roll_volume = 0;            // m^3, the volume the short-circuit heat goes into
  double short_circuit_energy = 0;         // J released in total by the internal short
  double short_circuit_time_constant = 0;  // tau, s
  double separator_temperature = 0;        // K, spontaneous short circuit; 0: none
  double nail_time = -1;                   // s, forced short circuit (nail); < 0: none
  double vent_temperature = 0;             // K, opens the vent when there is no burst pressure
  VentParameters vent;                     // gas, pressure and outflow (cell_vent.hpp)
  double burned_fraction = 0;              // chi, share of the vented mass that burns
  double heat_of_combustion = 0;           // J/kg
  double burn_time = 0;                    // s
  double runaway_rate_threshold = kDefaultRunawayRateThreshold;  // K/s
};

// `stored_energy`: the cell's stored electrical energy, J (stored_electrical_energy);
// `start_temperature`: the cell's temperature at the start, K (sensible heat is counted from it).
RUNAWAY_HD inline CellEventParameters make_cell_event_parameters(const Chemistry& chemistry,
                                                                 double jelly_roll_volume,
                                                                 double stored_energy,
                                                                 double start_temperature,
                                                                 double nail_time = -1.0) {
  CellEventParameters p;
  p.jelly_roll_volume = jelly_roll_volume;
  p.short_circuit_energy = chemistry.short_circuit_energy_fraction * stored_energy;
  p.short_circuit_time_constant = chemistry.short_circuit_time_constant;
  p.separator_temperature = chemistry.separator_temperature;
  p.nail_time = nail_time;
  p.vent_temperature = chemistry.vent_burst_pressure > 0.0 ? 0.0 : chemistry.vent_temperature;
  p.vent = make_vent_parameters(chemistry, jelly_roll_volume, start_temperature);
  p.burned_fraction = chemistry.burned_fraction;
  p.heat_of_combustion = chemistry.heat_of_combustion;
  p.burn_time = chemistry.burn_time;
  p.runaway_rate_threshold = chemistry.runaway_rate_threshold;
  return p;
}

// Events a cell has gone through (bit flags).
enum CellEvent : unsigned {
  kEventShortCircuit = 1u,
  kEventVent = 2u,
  kEventRunaway = 4u,
  kEventBurntOut = 8u,
  // The violent phase has begun: the cell runs away with its vent open and its separator failed
  // (or self-heats past kEjectingSelfHeatingRate). Ejected solids carry ejecta_heat_share of the
  // heat released in the jelly roll from the next step on (ejected_share_during).
  kEventEjecting = 16u,
};

// The self-heating rate from which a runaway is violent enough to throw out solids when the
// separator has not failed yet, K/s: ASSUMED (FTRC ejecta come with the steep rise of tens to
// hundreds of K/s; the onset criterion's 1 K/s is too early, as a cell that barely runs away
// throws out nothing).
inline constexpr double kEjectingSelfHeatingRate = 10.0;

// Normal -> venting -> shorted -> runaway -> burnt-out, as the furthest phase reached (vent and
// short can come in either order; the phase reports the later one). Its values are stored in
// results files: append, never renumber.
enum class CellPhase : int { kNormal = 0, kVenting, kShorted, kRunaway, kBurntOut };
inline constexpr int kCellPhaseCount = 5;

// The one name table of the phases (results files, summaries, `runaway cell`).
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
      return "burnt_out";
  }
  return "unknown";
}

struct CellEventState {
  unsigned events = 0;                       // CellEvent flags that have happened
  double short_circuit_start_time = 0;       // s
  double vent_open_time = 0;                 // s, when the vent opened
  double vent_ejection_start = 0;            // s, start of the first step with the vent open
  double runaway_onset_time = 0;             // s, first time the self-heating rate >= threshold
  double runaway_onset_temperature = 0;      // K, maximum jelly-roll temperature then
  double burnt_out_time = 0;                 // s
  double short_circuit_energy_released = 0;  // J
  double vented_mass = 0;                    // kg of liquid electrolyte vented so far
  double flame_fuel_mass = 0;                // kg of vented vapour still burning
  double combustion_energy_released = 0;     // J released in the flame so far
  // Gas, pressure and what the vent carries out (docs/physics.md "Gas, pressure and venting").
  double gas_moles = 0;               // mol of non-condensable gas in the can's free volume
  double pressure = 0;                // Pa, absolute, in the can at the last check
  double vented_gas_mass = 0;         // kg of gas vented so far
  double vented_vapour_mass = 0;      // kg of solvent vented as vapour so far
  double vented_liquid_mass = 0;      // kg of liquid vented as entrained droplets so far
  double vent_mass_flow = 0;          // kg/s through the vent, averaged over the last step
  double ejecta_heat = 0;             // J carried out of the jelly roll by everything it ejected
  double body_heat = 0;               // J released in the jelly roll and kept there
  double gas_enthalpy_due = 0;        // J the vented gas carried out, not yet taken from the roll
  double vapour_mass = 0;             // kg of solvent vapour in the free volume at the last check
  double volatile_mass = 0;           // kg of volatile solvent left in the cell (liquid and vapour)
  double electrolyte_decomposed = 0;  // kg of liquid electrolyte the reactions used up so far
  double gas_production_rate = 0;     // mol/s the reactions made over the last step
  // The previous check, to interpolate threshold crossings (time < 0: none yet).
  double checked_time = -1;                  // s
  double checked_max_temperature = 0;        // K
  double checked_max_self_heating_rate = 0;  // K/s
  double checked_pressure = 0;               // Pa
};

// What a driver observed of a cell at the end of a step.
struct CellObservation {
  double time = 0;                    // s, end of the step
  double max_temperature = 0;         // K, maximum over the jelly roll
  double max_self_heating_rate = 0;   // K/s, maximum over the jelly roll (kept - vent heat)
  double earliest_onset = NAN;        // s, the earliest voxel's runaway onset; NaN: none yet
  double vented_mass = 0;             // kg of liquid vented during the step
  double mean_temperature = 0;        // K over the jelly roll (the gas's temperature)
  double liquid_mass = 0;             // kg of liquid electrolyte left (with its vapour)
  double gas_generated = 0;           // mol of gas the reactions made during the step
  double reaction_heat_kept = 0;      // J: the step's reaction heat less ejected and vent heat
  double ejected_heat = 0;            // J of reaction heat ejected solids carried out
  double vent_heat = 0;               // J the vented liquid took out (latent and sensible)
  double electrolyte_decomposed = 0;  // kg of liquid the reactions used up during the step
};

// A cell's event state at the start: the free volume holds fill gas at ambient pressure
// (ASSUMED: cans are sealed at about one atmosphere) and saturated vapour.
RUNAWAY_HD inline CellEventState start_cell_events(const CellEventParameters& p,
                                                   double liquid_mass) {
  CellEventState s;
  const double t = p.vent.reference_temperature;
  s.volatile_mass = p.vent.volatile_fraction * liquid_mass;
  if (p.vent.free_volume > 0.0 && t > 0.0) {
    s.gas_moles = p.vent.ambient_pressure * p.vent.free_volume / (kGasConstant * t);
    const double p_v = vapour_pressure(p.vent, t, liquid_mass, s.volatile_mass);
    s.pressure = gas_pressure(p.vent, t, s.gas_moles) + p_v;
    s.vapour_mass = vapour_mass(p.vent, t, p_v);
  } else {
    s.pressure = NAN;  // no free volume: the pressure is not modelled
  }
  s.checked_pressure = s.pressure;
  return s;
}

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

// When a rising rate crossed `threshold` in a step [time_end - dt, time_end] that began at
// `rate_before` and ended at `rate_after` (> threshold): interpolated in log(rate), which is
// linear in time for an Arrhenius rise; the step's end when the start rate was not positive.
RUNAWAY_HD inline double rate_crossing_time(double rate_before, double rate_after, double threshold,
                                            double time_end, double dt) {
  if (!(rate_before > 0.0) || rate_before >= threshold || !(rate_after > threshold)) {
    return time_end;
  }
  const double share = std::log(threshold / rate_before) / std::log(rate_after / rate_before);
  return time_end - dt * (1.0 - share);
}

// When a rate falling from `before` (>= threshold, at t0) to `after` (< threshold, at t1)
// crossed the threshold, in log(rate); t1 when the end rate is not positive.
RUNAWAY_HD inline double falling_rate_crossing_time(double before, double after, double threshold,
                                                    double t0, double t1) {
  if (!(after > 0.0) || !(before > after)) return t1;
  const double share = std::log(before / threshold) / std::log(before / after);
  return t0 + (t1 - t0) * share;
}

// When a value going from `before` (at t0) to `after` (at t1) crossed `threshold`, linearly.
RUNAWAY_HD inline double linear_crossing_time(double before, double after, double threshold,
                                              double t0, double t1) {
  if (before >= threshold) return t0;
  if (!(after > before)) return t1;
  const double share = (threshold - before) / (after - before);
  return t0 + (t1 - t0) * (share < 0.0 ? 0.0 : share > 1.0 ? 1.0 : share);
}

// Short-circuit energy released from its start to time t, J: E (1 - exp(-(t - ts) / tau)).
RUNAWAY_HD inline double short_circuit_energy_until(const CellEventParameters& p,
                                                    const CellEventState& s, double t) {
  if (!has_event(s, kEventShortCircuit) || p.short_circuit_energy <= 0.0) return 0.0;
  const double elapsed = t - s.short_circuit_start_time;
  if (elapsed <= 0.0) return 0.0;
  return p.short_circuit_energy * -std::expm1(-elapsed / p.short_circuit_time_constant);
}

// Short-circuit heat of the step [t0, t0 + dt] as a rate in the jelly roll, W/m^3: the q_extra of
// the kinetics, exact in energy over the step (what has not been booked yet up to t0 + dt).
RUNAWAY_HD inline double short_circuit_heat_rate(const CellEventParameters& p,
                                                 const CellEventState& s, double t0, double dt) {
  if (dt <= 0.0 || p.jelly_roll_volume <= 0.0) return 0.0;
  const double due = short_circuit_energy_until(p, s, t0 + dt) - s.short_circuit_energy_released;
  return due > 0.0 ? due / (dt * p.jelly_roll_volume) : 0.0;
}

// Instantaneous short-circuit power at time t, W.
RUNAWAY_HD inline double short_circuit_power(const CellEventParameters& p, const CellEventState& s,
                                             double t) {
  if (!has_event(s, kEventShortCircuit) || t < s.short_circuit_start_time) return 0.0;
  const double tau = p.short_circuit_time_constant;
  return p.short_circuit_energy / tau * std::exp(-(t - s.short_circuit_start_time) / tau);
}

// Whether the vent is open during a step starting at t0: from the step after the check that saw
// it open.
RUNAWAY_HD inline bool vent_open_during(const CellEventState& s, double t0) {
  return has_event(s, kEventVent) && t0 >= s.vent_ejection_start;
}

// The share of the heat released in the jelly roll during a step from t0 that ejected solids carry
// out: ejecta_heat_share in the violent phase (kEventEjecting: runaway with the vent open and the
// separator failed or the self-heating past kEjectingSelfHeatingRate), 0 before (the slow
// self-heating, a first venting and a nail's first seconds keep their heat).
RUNAWAY_HD inline double ejected_share_during(const CellEventParameters& p, const CellEventState& s,
                                              double t0) {
  return vent_open_during(s, t0) && has_event(s, kEventEjecting) ? p.vent.ejecta_heat_share : 0.0;
}

// What the cell's vent does to its jelly roll over the step [t0, t0 + dt] (kinetics.hpp VentFlow),
// from the cell's mean temperature and liquid (with its vapour, kg) at t0: nothing while closed.
RUNAWAY_HD inline VentFlow cell_vent_flow(const CellEventParameters& p, const CellEventState& s,
                                          double t0, double mean_temperature, double liquid_mass,
                                          double dt) {
  if (!vent_open_during(s, t0)) return VentFlow{};
  VentFlow flow = open_vent_flow(p.vent, mean_temperature, s.gas_moles, liquid_mass,
                                 s.volatile_mass, dt, s.gas_production_rate);
  flow.retained_share = 1.0 - ejected_share_during(p, s, t0);
  return flow;
}

// The cell-wide heat source of the step [t0, t0 + dt] in the jelly roll, W/m^3 (the q_extra of
// the kinetics): the short circuit's heat the roll keeps (ejected solids take their share,
// ejected_share_during) less the enthalpy the gas vented in the last step took out of it.
RUNAWAY_HD inline double cell_heat_source(const CellEventParameters& p, const CellEventState& s,
                                          double t0, double dt) {
  if (dt <= 0.0 || p.jelly_roll_volume <= 0.0) return 0.0;
  const double kept = 1.0 - ejected_share_during(p, s, t0);
  return kept * short_circuit_heat_rate(p, s, t0, dt) -
         s.gas_enthalpy_due / (dt * p.jelly_roll_volume);
}

// Books the vented mass of a step of length dt (kg) and burns the flame's fuel; returns the
// combustion heat of the step, J. dM/dt = chi mdot - M / tau_burn with mdot constant over the
// step is integrated exactly, so the total released is dHc chi (total vented) once burnt out;
// a burn time of 0 burns the inflow at once.
RUNAWAY_HD inline double advance_combustion(const CellEventParameters& p, CellEventState& s,
                                            double vented_mass_in_step, double dt) {
  s.vented_mass += vented_mass_in_step;
  const double fuel_in = p.burned_fraction * vented_mass_in_step;
  const double fuel_start = s.flame_fuel_mass;
  double fuel_end = 0.0;
  if (p.burn_time > 0.0 && dt > 0.0) {
    const double decay = std::exp(-dt / p.burn_time);
    // M(dt) = M0 e^{-dt/tau} + (chi mdot) tau (1 - e^{-dt/tau}),  chi mdot = fuel_in / dt
    fuel_end = fuel_start * decay + fuel_in * p.burn_time / dt * -std::expm1(-dt / p.burn_time);
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

// Fires the events of a check at o.time (see the header for the rules); returns the flags that
// fired. Crossing times are interpolated between the previous check and this one. Drivers check
// once at the start, so a cell that starts above a threshold has its event at the start time.
RUNAWAY_HD inline unsigned update_cell_events(const CellEventParameters& p, CellEventState& s,
                                              const CellObservation& o,
                                              double flame_spent_time = -HUGE_VAL) {
  const double t0 = s.checked_time >= 0.0 ? s.checked_time : o.time;
  const double t_before = s.checked_time >= 0.0 ? s.checked_max_temperature : o.max_temperature;
  auto reached = [&](double threshold) {
    return linear_crossing_time(t_before, o.max_temperature, threshold, t0, o.time);
  };
  unsigned fired = 0;
  if (!has_event(s, kEventShortCircuit)) {
    const bool separator = p.separator_temperature > 0.0 && p.short_circuit_energy > 0.0 &&
                           o.max_temperature >= p.separator_temperature;
    const bool nail = p.nail_time >= 0.0 && o.time >= p.nail_time;
    if (separator || nail) {
      const double by_separator = separator ? reached(p.separator_temperature) : HUGE_VAL;
      const double by_nail = nail ? (p.nail_time > t0 ? p.nail_time : t0) : HUGE_VAL;
      s.short_circuit_start_time = by_separator < by_nail ? by_separator : by_nail;
      fired |= kEventShortCircuit;
    }
  }
  if (!has_event(s, kEventVent)) {
    const double burst = p.vent.burst_pressure;
    const double gauge = s.pressure - p.vent.ambient_pressure;
    const bool by_pressure = burst > 0.0 && gauge >= burst;
    const bool by_temperature = p.vent_temperature > 0.0 && o.max_temperature >= p.vent_temperature;
    if (by_pressure || by_temperature) {
      const double gauge_before =
          (s.checked_time >= 0.0 ? s.checked_pressure : s.pressure) - p.vent.ambient_pressure;
      s.vent_open_time = by_pressure ? linear_crossing_time(gauge_before, gauge, burst, t0, o.time)
                                     : reached(p.vent_temperature);
      s.vent_ejection_start = o.time;  // the vent discharges from the next step on
      fired |= kEventVent;
    }
  }
  if (!has_event(s, kEventRunaway) && !std::isnan(o.earliest_onset)) {
    s.runaway_onset_time = o.earliest_onset;
    s.runaway_onset_temperature = o.max_temperature;
    fired |= kEventRunaway;
  }
  s.events |= fired;
  if (!has_event(s, kEventEjecting) && has_event(s, kEventVent) && has_event(s, kEventRunaway) &&
      (has_event(s, kEventShortCircuit) || o.max_self_heating_rate >= kEjectingSelfHeatingRate)) {
    s.events |= kEventEjecting;
    fired |= kEventEjecting;
  }
  if (has_event(s, kEventRunaway) && !has_event(s, kEventBurntOut) &&
      (fired & kEventRunaway) == 0 && o.max_self_heating_rate < p.runaway_rate_threshold) {
    // A short still to come (separator not yet failed, nail not yet driven) is not spent.
    const bool short_possible =
        p.short_circuit_energy > 0.0 && (p.separator_temperature > 0.0 || p.nail_time >= 0.0);
    const bool short_spent =
        has_event(s, kEventShortCircuit)
            ? s.short_circuit_energy_released >= kShortSpentShare * p.short_circuit_energy
            : !short_possible;
    const double burned_so_far =
        p.heat_of_combustion > 0.0 ? s.combustion_energy_released / p.heat_of_combustion : 0.0;
    const bool flame_spent = s.flame_fuel_mass <= kFlameSpentShare * burned_so_far;
    if (short_spent && flame_spent) {
      // The latest of the three instants, each placed inside the step where it can be.
      const double rate_low =
          s.checked_max_self_heating_rate >= p.runaway_rate_threshold
              ? falling_rate_crossing_time(s.checked_max_self_heating_rate, o.max_self_heating_rate,
                                           p.runaway_rate_threshold, t0, o.time)
              : t0;
      const double short_done =
          has_event(s, kEventShortCircuit) && p.short_circuit_energy > 0.0
              ? s.short_circuit_start_time -
                    p.short_circuit_time_constant * std::log(1.0 - kShortSpentShare)
              : t0;
      double when = rate_low > short_done ? rate_low : short_done;
      when = flame_spent_time > when ? flame_spent_time : when;
      s.burnt_out_time = when < t0 ? t0 : when > o.time ? o.time : when;
      s.events |= kEventBurntOut;
      fired |= kEventBurntOut;
    }
  }
  s.checked_time = o.time;
  s.checked_max_temperature = o.max_temperature;
  s.checked_max_self_heating_rate = o.max_self_heating_rate;
  s.checked_pressure = s.pressure;
  return fired;
}

// Books the gas, vapour and droplets a step of length dt vented and the pressure it leaves
// (cell_vent.hpp): the gas made in the step joins the can's, the open vent lets out what the
// backward-Euler orifice flow gives, and the enthalpy it carries is owed by the jelly roll.
RUNAWAY_HD inline void vent_cell_step(const CellEventParameters& p, CellEventState& s,
                                      const CellObservation& o, double dt, bool open) {
  const VentParameters& v = p.vent;
  const double t = o.mean_temperature;
  // The vapour is all volatile; droplets and the reactions take the pool's composition (its share
  // at the step's start, before they took anything).
  const double droplets = 1.0 + v.entrained_liquid_ratio;
  const double vapour = o.vented_mass / droplets;
  const double pool_before = o.liquid_mass + o.vented_mass + o.electrolyte_decomposed;
  const double share = pool_before > 0.0 ? s.volatile_mass / pool_before : 0.0;
  s.volatile_mass -= vapour + share * ((o.vented_mass - vapour) + o.electrolyte_decomposed);
  if (!(s.volatile_mass > 0.0)) s.volatile_mass = 0.0;
  const double p_v = vapour_pressure(v, t, o.liquid_mass, s.volatile_mass);
  const double made = s.gas_moles + o.gas_generated;
  const double left =
      open ? gas_left_after_venting(v, t, s.gas_moles, o.gas_generated, p_v, dt) : made;
  const double gas_mass = (made - left) * v.gas_molar_mass;
  s.gas_moles = left;
  s.gas_production_rate = dt > 0.0 ? o.gas_generated / dt : 0.0;
  s.vented_gas_mass += gas_mass;
  s.gas_enthalpy_due += gas_mass * v.gas_heat_capacity * (t - v.reference_temperature);
  s.vented_vapour_mass += vapour;
  s.vented_liquid_mass += o.vented_mass - vapour;
  s.vent_mass_flow = dt > 0.0 ? (gas_mass + o.vented_mass) / dt : 0.0;
  s.pressure = v.free_volume > 0.0 ? gas_pressure(v, t, left) + p_v : NAN;  // NaN: not modelled
  s.vapour_mass = vapour_mass(v, t, p_v);
}

// Closes a step of length dt that ended at o.time: books its short-circuit energy (returned in
// *short_energy, J), splits the step's heat between the body and the ejecta, vents the gas,
// burns the fuel it vented (the combustion heat is returned in *combustion, J) and fires the
// events (returned).
RUNAWAY_HD inline unsigned close_cell_step(const CellEventParameters& p, CellEventState& s,
                                           const CellObservation& o, double dt,
                                           double* short_energy, double* combustion) {
  const double t0 = o.time - dt;
  const bool open = vent_open_during(s, t0);
  const double released = short_circuit_energy_until(p, s, o.time);
  *short_energy =
      released > s.short_circuit_energy_released ? released - s.short_circuit_energy_released : 0.0;
  s.short_circuit_energy_released += *short_energy;
  // The heat split, as cell_heat_source and cell_vent_flow drove the step.
  const double short_kept = (1.0 - ejected_share_during(p, s, t0)) * *short_energy;
  const double gas_enthalpy = dt > 0.0 ? s.gas_enthalpy_due : 0.0;
  s.gas_enthalpy_due -= gas_enthalpy;
  s.body_heat += o.reaction_heat_kept + short_kept - gas_enthalpy;
  s.ejecta_heat += o.ejected_heat + o.vent_heat + (*short_energy - short_kept) + gas_enthalpy;
  s.electrolyte_decomposed += o.electrolyte_decomposed;
  vent_cell_step(p, s, o, dt, open);
  // Without inflow the fuel decays as M0 exp(-x / tau_burn) while the burnt total grows by
  // M0 - M: it is spent (M <= k burnt) from x = tau ln(M0 (1 + k) / (k (B0 + M0))).
  const double fuel = s.flame_fuel_mass;
  const double burnt =
      p.heat_of_combustion > 0.0 ? s.combustion_energy_released / p.heat_of_combustion : 0.0;
  double flame_spent = o.time;
  if (o.vented_mass <= 0.0 && p.burn_time > 0.0 && fuel > 0.0) {
    const double k = kFlameSpentShare;
    const double x = p.burn_time * std::log(fuel * (1.0 + k) / (k * (burnt + fuel)));
    flame_spent = (o.time - dt) + (x > 0.0 ? x : 0.0);
  }
  *combustion = advance_combustion(p, s, o.vented_mass, dt);
  return update_cell_events(p, s, o, flame_spent);
}

}  // namespace runaway::kernels
