// Per-voxel thermal-runaway kinetics: reaction rates, heat release, the analytic Jacobian and an
// L-stable stiff integrator with adaptive sub-steps (docs/design.md §5.3, docs/physics.md
// "Kinetics"). Everything is RUNAWAY_HD, keeps its state in local arrays, allocates nothing and
// throws nothing, so the OpenMP and CUDA backends compile the same code.
//
// Unknowns of one voxel (chemistry.hpp gives the rate law):
//   c_i  remaining fraction of reaction i's reactant            dc_i/dt = -R_i
//   s    liquid electrolyte left, as a fraction of W_e = f rho
//        ds/dt = -sum_{consuming i} nu_i W_i R_i / W_e - sum_{electrolyte e} R_e - v s
//   T    temperature
//        rho cp dT/dt = r sum_i H_i W_i R_i - h_v W_e v s + q_extra
// where, held constant over a step by the cell's vent model (VentFlow, kernels/cell_events.hpp),
// v is the rate at which the open vent empties the liquid, h_v the heat each kg of it takes out
// of the jelly roll (latent heat of its vapour share, sensible heat) and r the share of the
// reaction heat kept in the jelly roll (the rest leaves with ejected solids). q_extra is a source
// held constant over the step (short circuit, conduction in a split step, an oven). The vented
// mass m_v (dm_v/dt = W_e v s) is integrated alongside; the gas the reactions make (gas_yield_i
// mol per kg of reactant) is booked from the conversions, like the heat.
//
// Integrator: ROS3, the 3-stage, order-3 L-stable Rosenbrock method with an embedded order-2
// error estimate of Sandu et al. 1997 (Atmos. Environ. 31, 3459; coefficients as in KPP's
// Rosenbrock integrator). Why Rosenbrock rather than backward Euler + Newton: the runaway is so
// steep (dT/dt up to ~1e5 K/s) that a temperature-vs-time curve accurate to 0.5 K needs the time
// of the jump to ~1e-8 relative after minutes of induction; order 3 gets there in hundreds of
// sub-steps where order 1 would need ~1e5. A Rosenbrock step is linearly implicit (three solves
// with one matrix, no Newton loop whose iteration count varies per GPU thread), L-stable, and uses
// the analytic Jacobian exactly as the method requires. The matrix sigma I - J (sigma = 1 / (h
// gamma)) is an arrowhead: each c_i couples only to itself, s and T. Eliminating the c_i leaves a
// 2x2 system in (s, T), so a solve costs O(N) with N <= kMaxReactions, no pivoting and no dense LU.
//
// Energy bookkeeping: after each accepted sub-step the reaction heat is computed from the change
// of the state, sum_i H_i W_i (c_i_old - c_i_new), the vent's heat from the vented mass, and T is
// set from them, so rho cp dT = r released - vent heat + q_extra h holds to round-off whatever the
// step error (the ODE's linear invariant, enforced rather than hoped for). Gas and the electrolyte
// the reactions decompose are booked from the same changes.
//
// GPU cost (nvcc 13, sm_80, the KineticsUpdate functor of coupling.hpp): 146 registers with the
// loops kept rolled (RUNAWAY_ROLLED; 202 before, unrolled), a 1.7 kB stack frame for the stage
// vectors and the rates at y, no spills (docs/performance.md "Registers of the kinetics"). A quiet
// voxel takes one sub-step per call; one in the steep part of a runaway a few hundred per 0.5 s
// (benchmarks/bench_kinetics.cpp).
#pragma once

#include <cmath>

#include "kernels/chemistry.hpp"
#include "kernels/hd.hpp"

namespace runaway::kernels {

// Reactions that need liquid electrolyte slow down smoothly over the last 1 % of the initial
// liquid and stop when none is left: g(s) = 1 for s >= s_g, g = u (2 - u) with u = s / s_g below.
// g is C1, so the Jacobian is continuous, and g ~ 2 s / s_g near 0 keeps s >= 0. The 1 % is a
// modelling choice (not from a paper): small enough that a liquid cell's published kinetics are
// unchanged, large enough that the gate is not stiffer than the reactions.
inline constexpr double kSolventGateFraction = 0.01;

// Per-voxel reaction state. A voxel of an all-solid chemistry keeps electrolyte_left = 0. For an
// electrolyte-decomposition reaction, remaining[i] is the share of W_e that this reaction has not
// decomposed (it books the heat); the liquid actually left, which also the vent and the
// solvent-consuming reactions deplete, is electrolyte_left.
struct KineticState {
  double remaining[kMaxReactions] = {};  // c_i, remaining fraction of each reactant
  double electrolyte_left = 0;           // s, liquid electrolyte left / W_e, in [0, 1]
};

RUNAWAY_HD inline KineticState initial_kinetic_state(const Chemistry& chemistry) {
  KineticState state;
  for (int i = 0; i < chemistry.reaction_count; ++i) {
    state.remaining[i] = chemistry.reactions[i].initial_remaining;
  }
  state.electrolyte_left = electrolyte_content(chemistry) > 0.0 ? 1.0 : 0.0;
  return state;
}

// Progress of reaction i in [0, 1]: the share of its initial reactant converted.
RUNAWAY_HD inline double reaction_progress(const Chemistry& chemistry, const KineticState& state,
                                           int i) {
  const double c0 = chemistry.reactions[i].initial_remaining;
  return c0 > 0.0 ? (c0 - state.remaining[i]) / c0 : 0.0;
}

namespace detail {

RUNAWAY_HD inline double clamp01(double x) {
  return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x);
}

// 1 / (1 + e^-x); exp overflows to inf for x << 0, which gives exactly 0, never NaN.
RUNAWAY_HD inline double logistic(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// x^p for x >= 0, with the common integer orders exact and cheap.
RUNAWAY_HD inline double power(double x, double p) {
  if (p == 0.0) return 1.0;
  if (p == 1.0) return x;
  if (p == 2.0) return x * x;
  return std::pow(x, p);
}

// d(x^p)/dx for x >= 0; 0 where it is undefined (x = 0 with p < 1), which only happens on the
// boundary the rate cannot cross.
RUNAWAY_HD inline double power_derivative(double x, double p) {
  if (p == 0.0) return 0.0;
  if (p == 1.0) return 1.0;
  if (p == 2.0) return 2.0 * x;
  if (x <= 0.0) return 0.0;
  return p * std::pow(x, p - 1.0);
}

}  // namespace detail

// Solvent gate g(s) and dg/ds (see kSolventGateFraction).
struct Gate {
  double value = 1;
  double derivative = 0;
};
RUNAWAY_HD inline Gate solvent_gate(double electrolyte_left) {
  const double s = detail::clamp01(electrolyte_left);
  if (s >= kSolventGateFraction) return {1.0, 0.0};
  const double u = s / kSolventGateFraction;
  return {u * (2.0 - u), 2.0 * (1.0 - u) / kSolventGateFraction};
}

// Rate R of one reaction (1/s) and its partial derivatives. `own` is the variable of the order
// terms: c_i, or s for an electrolyte-decomposition reaction. d_electrolyte is through the
// solvent gate only (zero for reactions that do not consume electrolyte).
struct ReactionRate {
  double rate = 0;
  double d_own = 0;
  double d_electrolyte = 0;
  double d_temperature = 0;
};

// The generalised NREL rate law (chemistry.hpp):
//   R = A(T) exp(-Ea/(R T)) x^m (1-x)^n [exp(-(z0 + c0 - x)/z_ref)] [g(s)] [onset(T)]
RUNAWAY_HD inline ReactionRate reaction_rate(const Reaction& r, double own, double electrolyte_left,
                                             double temperature, bool has_electrolyte) {
  const double t = temperature > 1.0 ? temperature : 1.0;  // guards the Arrhenius division
  double a = r.pre_exponential_factor;
  double da_dt = 0.0;
  if (r.temperature_switch) {
    const double jump = r.pre_exponential_factor_above_switch - r.pre_exponential_factor;
    if (r.switch_width > 0.0) {
      const double w = detail::logistic((t - r.switch_temperature) / r.switch_width);
      a += jump * w;
      da_dt = jump * w * (1.0 - w) / r.switch_width;
    } else if (t >= r.switch_temperature) {
      a = r.pre_exponential_factor_above_switch;
    }
  }
  const double ea_over_r = r.activation_energy / kGasConstant;
  const double arrhenius = std::exp(-ea_over_r / t);  // Arrhenius (Hatchard 2001)
  double k = a * arrhenius;
  double dk_dt = k * ea_over_r / (t * t) + da_dt * arrhenius;
  if (r.temperature_onset) {
    const double w = detail::logistic((t - r.onset_temperature) / r.onset_width);
    dk_dt = dk_dt * w + k * w * (1.0 - w) / r.onset_width;
    k *= w;
  }

  const double x = detail::clamp01(own);
  const double xm = detail::power(x, r.order_remaining);
  const double xn = detail::power(1.0 - x, r.order_converted);
  const double order_term = xm * xn;
  const double d_order_term = detail::power_derivative(x, r.order_remaining) * xn -
                              xm * detail::power_derivative(1.0 - x, r.order_converted);

  // SEI-thickness inhibition of the anode reaction, z = z0 + (c0 - c) (Hatchard 2001, Kim 2007).
  double inhibition = 1.0;
  double d_inhibition = 0.0;
  if (r.sei_inhibition) {
    const double z = r.initial_sei_thickness + (r.initial_remaining - x);
    inhibition = std::exp(-z / r.reference_sei_thickness);
    d_inhibition = inhibition / r.reference_sei_thickness;
  }

  Gate gate;
  if (r.consumes_electrolyte && !r.reactant_is_electrolyte) {
    gate = has_electrolyte ? solvent_gate(electrolyte_left) : Gate{0.0, 0.0};
  }

  ReactionRate out;
  const double shape = order_term * inhibition;
  out.rate = k * shape * gate.value;
  out.d_own = k * (d_order_term * inhibition + order_term * d_inhibition) * gate.value;
  out.d_electrolyte = k * shape * gate.derivative;
  out.d_temperature = dk_dt * shape * gate.value;
  return out;
}

// The temperature factor k(T) = A(T) exp(-Ea/(R T)) onset(T) of a reaction's rate, as
// reaction_rate computes it.
RUNAWAY_HD inline double rate_constant(const Reaction& r, double temperature) {
  const double t = temperature > 1.0 ? temperature : 1.0;
  double a = r.pre_exponential_factor;
  if (r.temperature_switch) {
    const double jump = r.pre_exponential_factor_above_switch - r.pre_exponential_factor;
    if (r.switch_width > 0.0) {
      a += jump * detail::logistic((t - r.switch_temperature) / r.switch_width);
    } else if (t >= r.switch_temperature) {
      a = r.pre_exponential_factor_above_switch;
    }
  }
  double k = a * std::exp(-r.activation_energy / (kGasConstant * t));
  if (r.temperature_onset) k *= detail::logistic((t - r.onset_temperature) / r.onset_width);
  return k;
}

// An upper bound of the reactions' |dT/dt| (K/s) at temperature T, whatever the voxel's state:
// besides k(T), every factor of the rate law is at most 1 (fractions to powers >= 0, SEI
// inhibition, the solvent gate).
RUNAWAY_HD inline double reaction_heating_bound(const Chemistry& chemistry, double temperature) {
  double bound = 0.0;
  for (int i = 0; i < chemistry.reaction_count; ++i) {
    const Reaction& r = chemistry.reactions[i];
    bound += std::fabs(r.heat_of_reaction) * reactant_content(chemistry, i) *
             rate_constant(r, temperature);
  }
  return bound / (chemistry.density * chemistry.heat_capacity);
}

// The quiet temperature for `rate` (K/s): the lowest temperature at which reaction_heating_bound
// exceeds `rate`, found by a 0.25 K scan up from 150 K and bisection to 1e-6 K (k(T) need not be
// monotonic with a temperature switch, so the scan finds the first crossing). Below it a voxel's
// reactions change its temperature by less than `rate` per second whatever its state, so the
// coupled step may skip its stiff integration (host/solver/simulation.cpp, docs/physics.md). 0 when
// `rate` <= 0: no voxel is ever quiet.
inline double quiet_temperature(const Chemistry& chemistry, double rate) {
  if (!(rate > 0.0)) return 0.0;
  constexpr double kLowest = 150.0;  // K, below any battery's operating range
  constexpr double kHighest = 5000.0;
  constexpr double kScanStep = 0.25;
  if (reaction_heating_bound(chemistry, kLowest) > rate) return 0.0;
  double low = kLowest;
  while (low < kHighest && reaction_heating_bound(chemistry, low + kScanStep) <= rate) {
    low += kScanStep;
  }
  if (low >= kHighest) return kHighest;
  double high = low + kScanStep;
  while (high - low > 1e-6) {
    const double mid = 0.5 * (low + high);
    (reaction_heating_bound(chemistry, mid) <= rate ? low : high) = mid;
  }
  return low;
}

// What the cell's open vent does to a voxel over a step, held constant over it (the cell's vent
// model sets it, kernels/cell_events.hpp vent_flow): a closed vent is the default.
struct VentFlow {
  double liquid_rate = 0;     // v, 1/s: the liquid leaves at v s W_e, kg/(m^3 s)
  double heat_per_kg = 0;     // h_v, J per kg of liquid vented, taken from the jelly roll
  double retained_share = 1;  // r, share of the reaction heat kept in the jelly roll
};

// Everything dy/dt of one voxel, for output and for reference solvers in tests.
struct KineticsDerivatives {
  double reaction_rate[kMaxReactions] = {};  // R_i, 1/s (dc_i/dt = -R_i)
  double electrolyte_rate = 0;               // ds/dt, 1/s
  double vented_mass_rate = 0;               // dm_v/dt, kg/(m^3 s)
  double reaction_heat_rate = 0;             // sum H_i W_i R_i, W/m^3
  double ejected_heat_rate = 0;              // (1 - r) sum H_i W_i R_i, W/m^3 (carried out)
  double vent_heat_rate = 0;                 // h_v dm_v/dt, W/m^3 (carried out)
  double gas_rate = 0;                       // sum gas_yield_i W_i R_i, mol/(m^3 s)
  double temperature_rate = 0;               // dT/dt including the external source, K/s
};

// rates, if given, receives each reaction's rate and partials (the integrator's Jacobian at the
// same state reuses them rather than evaluating the exponentials again).
RUNAWAY_HD inline KineticsDerivatives kinetics_derivatives(
    const Chemistry& chemistry, double temperature, const KineticState& state, const VentFlow& vent,
    double external_heat_rate, ReactionRate* rates = nullptr) {
  const double vent_rate = vent.liquid_rate;
  KineticsDerivatives d;
  const double we = electrolyte_content(chemistry);
  const bool has_electrolyte = we > 0.0;
  const double s = detail::clamp01(state.electrolyte_left);
  double electrolyte_rate = 0.0;
  for (int i = 0; i < chemistry.reaction_count; ++i) {
    const Reaction& r = chemistry.reactions[i];
    const double own = r.reactant_is_electrolyte ? s : state.remaining[i];
    const ReactionRate partials = reaction_rate(r, own, s, temperature, has_electrolyte);
    if (rates != nullptr) rates[i] = partials;
    const double rate = partials.rate;
    d.reaction_rate[i] = rate;
    const double w = reactant_content(chemistry, i);
    d.reaction_heat_rate += r.heat_of_reaction * w * rate;  // q = sum H W R (Kim 2007 eq. 7)
    d.gas_rate += r.gas_yield * w * rate;
    if (!has_electrolyte) continue;
    if (r.reactant_is_electrolyte) {
      electrolyte_rate -= rate;
    } else if (r.consumes_electrolyte) {
      electrolyte_rate -= r.electrolyte_per_reactant * w * rate / we;
    }
  }
  if (has_electrolyte) {
    electrolyte_rate -= vent_rate * s;
    d.vented_mass_rate = we * vent_rate * s;
  }
  d.electrolyte_rate = electrolyte_rate;
  d.vent_heat_rate = vent.heat_per_kg * d.vented_mass_rate;
  d.ejected_heat_rate = (1.0 - vent.retained_share) * d.reaction_heat_rate;
  const double rho_cp = chemistry.density * chemistry.heat_capacity;
  d.temperature_rate =
      (d.reaction_heat_rate - d.ejected_heat_rate - d.vent_heat_rate + external_heat_rate) / rho_cp;
  return d;
}

// Chemical heat release rate q = sum H W R, W/m^3 (no venting).
RUNAWAY_HD inline double heat_release_rate(const Chemistry& chemistry, double temperature,
                                           const KineticState& state) {
  return kinetics_derivatives(chemistry, temperature, state, VentFlow{}, 0.0).reaction_heat_rate;
}

// Self-heating rate (heat kept from the reactions - heat the vent takes) / (rho cp), K/s: what a
// thermocouple on the jelly roll, an ARC or the runaway-onset criterion sees.
RUNAWAY_HD inline double self_heating_rate(const Chemistry& chemistry, double temperature,
                                           const KineticState& state, const VentFlow& vent = {}) {
  const KineticsDerivatives d = kinetics_derivatives(chemistry, temperature, state, vent, 0.0);
  return (d.reaction_heat_rate - d.ejected_heat_rate - d.vent_heat_rate) /
         (chemistry.density * chemistry.heat_capacity);
}

// Analytic Jacobian J = df/dy of the unknowns y = (c_0 .. c_{N-1}, s, T), written densely in
// row-major order into jacobian[(N + 2) * (N + 2)]. The integrator uses the same partials in
// factored form; this dense form exists for tests and reference solvers.
RUNAWAY_HD inline void kinetics_jacobian(const Chemistry& chemistry, double temperature,
                                         const KineticState& state, const VentFlow& vent,
                                         double* jacobian) {
  const double vent_rate = vent.liquid_rate;
  const int n = chemistry.reaction_count;
  const int size = n + 2;
  const int is = n;
  const int it = n + 1;
  for (int k = 0; k < size * size; ++k) jacobian[k] = 0.0;
  const double we = electrolyte_content(chemistry);
  const bool has_electrolyte = we > 0.0;
  const double s = detail::clamp01(state.electrolyte_left);
  const double rho_cp = chemistry.density * chemistry.heat_capacity;
  for (int i = 0; i < n; ++i) {
    const Reaction& r = chemistry.reactions[i];
    const double own = r.reactant_is_electrolyte ? s : state.remaining[i];
    const ReactionRate p = reaction_rate(r, own, s, temperature, has_electrolyte);
    const double hw = vent.retained_share * r.heat_of_reaction * reactant_content(chemistry, i);
    // d(dc_i/dt) = -dR_i
    const double d_s = r.reactant_is_electrolyte ? p.d_own : p.d_electrolyte;
    if (!r.reactant_is_electrolyte) jacobian[i * size + i] = -p.d_own;
    jacobian[i * size + is] = -d_s;
    jacobian[i * size + it] = -p.d_temperature;
    // d(ds/dt)
    if (has_electrolyte) {
      double weight = 0.0;  // ds/dt contains -weight * R_i
      if (r.reactant_is_electrolyte) {
        weight = 1.0;
      } else if (r.consumes_electrolyte) {
        weight = r.electrolyte_per_reactant * reactant_content(chemistry, i) / we;
      }
      if (!r.reactant_is_electrolyte) jacobian[is * size + i] -= weight * p.d_own;
      jacobian[is * size + is] -= weight * d_s;
      jacobian[is * size + it] -= weight * p.d_temperature;
    }
    // d(dT/dt)
    if (!r.reactant_is_electrolyte) jacobian[it * size + i] += hw * p.d_own / rho_cp;
    jacobian[it * size + is] += hw * d_s / rho_cp;
    jacobian[it * size + it] += hw * p.d_temperature / rho_cp;
  }
  if (has_electrolyte) {
    jacobian[is * size + is] -= vent_rate;
    jacobian[it * size + is] -= vent.heat_per_kg * we * vent_rate / rho_cp;
  }
}

// Accuracy and effort of the per-voxel integrator.
struct KineticsTolerances {
  double relative = 1e-6;
  double absolute_temperature = 1e-3;  // K
  double absolute_fraction = 1e-8;     // on c_i and s
  int max_attempts = 20000;            // accepted + rejected sub-steps per call
  // Judge the error of each reactant fraction (and of the liquid s) by the heat it stands for,
  // in kelvin, against the temperature's tolerance, rather than as a bare fraction: what a
  // fraction's error does to the answer is the temperature it would release. A nearly consumed
  // reactant then no longer forces sub-steps of 1e-8 of itself (the propagation phase's main
  // cost, docs/performance.md). A reactant that carries no heat keeps the fraction tolerance.
  bool fractions_by_heat = true;
};

struct KineticsStepResult {
  double temperature = 0;    // K at the end of the step
  double heat_released = 0;  // J/m^3 kept in the jelly roll: reaction - ejected - vent heat
  double reaction_heat = 0;  // J/m^3, sum H_i W_i (c_i_start - c_i_end)
  double ejected_heat = 0;   // J/m^3 of the reaction heat carried out by ejected solids
  double vent_heat = 0;      // J/m^3 taken out by the vented liquid (latent and sensible)
  double vented_mass = 0;    // kg/m^3 of liquid electrolyte vented during the step
  double gas_generated = 0;  // mol/m^3 of gas the reactions made during the step
  // kg/m^3 of liquid electrolyte the reactions used up: W_e (c_e_start - c_e_end) of the
  // electrolyte's own decomposition plus nu_i W_i (c_i_start - c_i_end) of the solvent-consuming
  // reactions. With the vented mass it closes the electrolyte's mass balance.
  double electrolyte_decomposed = 0;
  double self_heating_rate = 0;  // K/s at the end of the step (kept - vent heat, no q_extra)
  // s from the step's start when the self-heating rate first passed the watched rate (the
  // runaway-onset threshold), placed between the sub-steps that bracket it; < 0 if it did not,
  // or if no rate was watched.
  double watched_rate_crossing = -1;
  double next_substep = 0;  // s, the sub-step the controller would try next (a hint)
  int accepted_substeps = 0;
  int rejected_substeps = 0;
  // false if the attempt budget ran out or the linear system broke down: the state then holds
  // the last accepted point and the rest of the step applied q_extra only. The driver must
  // treat this as a runtime failure.
  bool converged = true;
};

namespace detail {

// ROS3 coefficients (Sandu et al. 1997; as tabulated in KPP's Rosenbrock integrator).
struct Ros3 {
  static constexpr double kGamma = 0.43586652150845899941601945119356;
  static constexpr double kA21 = 1.0;  // stage 2 at y + K1; stage 3 reuses f(y + K1)
  static constexpr double kC21 = -1.0156171083877702091975600115545;
  static constexpr double kC31 = 4.0759956452537699824805835358067;
  static constexpr double kC32 = 9.2076794298330791242156818474003;
  static constexpr double kM1 = 1.0;
  static constexpr double kM2 = 6.1697947043828245592553615689730;
  static constexpr double kM3 = -0.42772256543218573326238373806514;
  static constexpr double kE1 = 0.5;
  static constexpr double kE2 = -2.9079558716805469821718236208017;
  static constexpr double kE3 = 0.22354069897811569627360909276199;
  static constexpr double kErrorOrder = 3.0;  // min(order, embedded order) + 1
};

// Vector of unknowns: c_0..c_{kMaxReactions-1}, then s, T and the vented mass m_v (kg/m^3).
inline constexpr int kSlotElectrolyte = kMaxReactions;
inline constexpr int kSlotTemperature = kMaxReactions + 1;
inline constexpr int kSlotVented = kMaxReactions + 2;
inline constexpr int kVectorSize = kMaxReactions + 3;

struct Vec {
  double v[kVectorSize];
};

// f(y) for the integrator (the same physics as kinetics_derivatives). f may be y: y is read in
// full before f is written. rates, if given, receives each reaction's rate and partials at y.
RUNAWAY_HD inline void rhs(const Chemistry& chemistry, const Vec& y, const VentFlow& vent,
                           double external_heat_rate, Vec& f, ReactionRate* rates = nullptr) {
  KineticState state;
  RUNAWAY_ROLLED
  for (int i = 0; i < chemistry.reaction_count; ++i) state.remaining[i] = y.v[i];
  state.electrolyte_left = y.v[kSlotElectrolyte];
  const KineticsDerivatives d = kinetics_derivatives(chemistry, y.v[kSlotTemperature], state, vent,
                                                     external_heat_rate, rates);
  RUNAWAY_ROLLED
  for (int i = 0; i < chemistry.reaction_count; ++i) f.v[i] = -d.reaction_rate[i];
  f.v[kSlotElectrolyte] = d.electrolyte_rate;
  f.v[kSlotTemperature] = d.temperature_rate;
  f.v[kSlotVented] = d.vented_mass_rate;
}

// The factored matrix sigma I - J (arrowhead; see the file comment). With x_i the c_i update:
//   x_i = (b_i - alpha_s_i x_s - alpha_t_i x_T) inv_d_i
//   s row:  m_ss x_s + m_st x_T + sum_i p_i x_i = b_s
//   T row:  m_ts x_s + m_tt x_T + sum_i q_i x_i = b_T
//   m_v row: sigma x_m - we_v x_s = b_m
struct Factored {
  double sigma;
  double inv_d[kMaxReactions];
  double alpha_s[kMaxReactions];
  double alpha_t[kMaxReactions];
  double p[kMaxReactions];
  double q[kMaxReactions];
  double inv_det;
  double a11, a12, a21, a22;  // reduced 2x2 system in (s, T)
  double we_v;                // W_e v
};

// Builds the factorisation at a state y for sub-step h from the reactions' rates and partials at
// y (rates_at_y, from rhs at y: the Jacobian needs nothing else of y); false if the matrix is
// (nearly) singular, which the controller answers with a smaller h.
RUNAWAY_HD inline bool factor(const Chemistry& chemistry, const ReactionRate* rates_at_y,
                              const VentFlow& vent, double h, Factored& m) {
  const double vent_rate = vent.liquid_rate;
  const int n = chemistry.reaction_count;
  const double we = electrolyte_content(chemistry);
  const bool has_electrolyte = we > 0.0;
  const double rho_cp = chemistry.density * chemistry.heat_capacity;
  m.sigma = 1.0 / (h * Ros3::kGamma);
  double m_ss = m.sigma;
  double m_st = 0.0;
  double m_ts = 0.0;
  double m_tt = m.sigma;
  RUNAWAY_ROLLED
  for (int i = 0; i < n; ++i) {
    const Reaction& r = chemistry.reactions[i];
    const double w = reactant_content(chemistry, i);
    const double hw_over = vent.retained_share * r.heat_of_reaction * w / rho_cp;
    const ReactionRate& pr = rates_at_y[i];
    m_tt -= hw_over * pr.d_temperature;
    if (r.reactant_is_electrolyte) {
      // c_e does not feed back: its row is sigma x_e + dR/ds x_s + dR/dT x_T = b_e.
      m.inv_d[i] = 1.0 / m.sigma;
      m.alpha_s[i] = pr.d_own;
      m.alpha_t[i] = pr.d_temperature;
      m.p[i] = 0.0;
      m.q[i] = 0.0;
      if (has_electrolyte) {
        m_ss += pr.d_own;
        m_st += pr.d_temperature;
      }
      m_ts -= hw_over * pr.d_own;
    } else {
      const double d = m.sigma + pr.d_own;
      if (!(d > 1e-3 * m.sigma)) return false;  // autocatalysis faster than 1/h: shrink h
      m.inv_d[i] = 1.0 / d;
      m.alpha_s[i] = pr.d_electrolyte;
      m.alpha_t[i] = pr.d_temperature;
      const double weight =
          (has_electrolyte && r.consumes_electrolyte) ? r.electrolyte_per_reactant * w / we : 0.0;
      m.p[i] = weight * pr.d_own;
      m.q[i] = -hw_over * pr.d_own;
      m_ss += weight * pr.d_electrolyte;
      m_st += weight * pr.d_temperature;
      m_ts -= hw_over * pr.d_electrolyte;
    }
  }
  m.we_v = has_electrolyte ? we * vent_rate : 0.0;
  if (has_electrolyte) {
    m_ss += vent_rate;
    m_ts += vent.heat_per_kg * m.we_v / rho_cp;
  }
  m.a11 = m_ss;
  m.a12 = m_st;
  m.a21 = m_ts;
  m.a22 = m_tt;
  RUNAWAY_ROLLED
  for (int i = 0; i < n; ++i) {
    m.a11 -= m.p[i] * m.alpha_s[i] * m.inv_d[i];
    m.a12 -= m.p[i] * m.alpha_t[i] * m.inv_d[i];
    m.a21 -= m.q[i] * m.alpha_s[i] * m.inv_d[i];
    m.a22 -= m.q[i] * m.alpha_t[i] * m.inv_d[i];
  }
  const double det = m.a11 * m.a22 - m.a12 * m.a21;
  const double scale = std::fabs(m.a11 * m.a22) + std::fabs(m.a12 * m.a21);
  if (!(std::fabs(det) > 1e-12 * scale) || !std::isfinite(det)) return false;
  m.inv_det = 1.0 / det;
  return true;
}

// x = (sigma I - J)^-1 b, in place.
RUNAWAY_HD inline void solve(const Chemistry& chemistry, const Factored& m, Vec& b) {
  const int n = chemistry.reaction_count;
  double r1 = b.v[kSlotElectrolyte];
  double r2 = b.v[kSlotTemperature];
  RUNAWAY_ROLLED
  for (int i = 0; i < n; ++i) {
    r1 -= m.p[i] * b.v[i] * m.inv_d[i];
    r2 -= m.q[i] * b.v[i] * m.inv_d[i];
  }
  const double xs = (m.a22 * r1 - m.a12 * r2) * m.inv_det;
  const double xt = (m.a11 * r2 - m.a21 * r1) * m.inv_det;
  RUNAWAY_ROLLED
  for (int i = 0; i < n; ++i) {
    b.v[i] = (b.v[i] - m.alpha_s[i] * xs - m.alpha_t[i] * xt) * m.inv_d[i];
  }
  b.v[kSlotElectrolyte] = xs;
  b.v[kSlotTemperature] = xt;
  b.v[kSlotVented] = (b.v[kSlotVented] + m.we_v * xs) / m.sigma;
}

RUNAWAY_HD inline bool all_finite(const Chemistry& chemistry, const Vec& y) {
  RUNAWAY_ROLLED
  for (int i = 0; i < chemistry.reaction_count; ++i) {
    if (!std::isfinite(y.v[i])) return false;
  }
  return std::isfinite(y.v[kSlotElectrolyte]) && std::isfinite(y.v[kSlotTemperature]) &&
         std::isfinite(y.v[kSlotVented]);
}

// Watches the self-heating rate sub-step by sub-step for its first crossing of a threshold, so
// that the onset time does not depend on the coupling step: the rate is seen at every sub-step's
// ends (log-interpolated between them) and as the sub-step's mean (a voxel that flares and burns
// out inside one sub-step).
struct RateCrossingWatch {
  double threshold = 0;  // K/s; <= 0 watches nothing
  double time_before = 0;
  double rate_before = 0;
  double crossing = -1;

  RUNAWAY_HD void start(double rate) {
    rate_before = rate;
    if (threshold > 0.0 && rate > threshold) crossing = 0.0;
  }
  // The sub-step [time_before, time] with its mean rate, ending at `rate`.
  RUNAWAY_HD void see(double time, double rate, double mean_rate) {
    if (threshold > 0.0 && crossing < 0.0) {
      const double h = time - time_before;
      if (rate > threshold) {
        crossing = rate_before > 0.0 ? time_before + h * std::log(threshold / rate_before) /
                                                         std::log(rate / rate_before)
                                     : time;
      } else if (mean_rate > threshold) {
        // Up past the threshold and down again inside the sub-step: place it before the middle.
        crossing = rate_before > 0.0 ? time_before + 0.5 * h * std::log(threshold / rate_before) /
                                                         std::log(mean_rate / rate_before)
                                     : time_before + 0.5 * h;
      }
    }
    time_before = time;
    rate_before = rate;
  }
};

}  // namespace detail

// Advances one voxel's temperature and reaction state over dt with the external source
// external_heat_rate (W/m^3, constant over the step). `vent`: what the cell's open vent does over
// the step (kernels::vent_flow of cell_events.hpp; the default is a closed vent). first_substep
// is a hint (e.g. the previous call's next_substep); <= 0 lets the controller choose.
// watched_rate > 0 (K/s): report when the self-heating rate first passes it
// (result.watched_rate_crossing).
RUNAWAY_HD inline KineticsStepResult advance_kinetics(
    const Chemistry& chemistry, double temperature, KineticState& state, double dt,
    double external_heat_rate, const VentFlow& vent_flow, const KineticsTolerances& tolerances = {},
    double first_substep = 0.0, double watched_rate = 0.0) {
  using detail::Ros3;
  using detail::Vec;
  const int n = chemistry.reaction_count;
  const double rho_cp = chemistry.density * chemistry.heat_capacity;
  const double we = electrolyte_content(chemistry);
  VentFlow vent = vent_flow;
  if (!(we > 0.0)) vent.liquid_rate = 0.0;

  KineticsStepResult result;
  Vec y;
  RUNAWAY_ROLLED
  for (int i = 0; i < kMaxReactions; ++i) y.v[i] = i < n ? state.remaining[i] : 0.0;
  y.v[detail::kSlotElectrolyte] = we > 0.0 ? state.electrolyte_left : 0.0;
  y.v[detail::kSlotTemperature] = temperature;
  y.v[detail::kSlotVented] = 0.0;

  // f(y) and each reaction's rate and partials at y, which the Jacobian of every attempt from y
  // reuses: two rate evaluations per sub-step, not three.
  Vec f0{};  // zeros in the unused reaction slots, which the stage vectors inherit
  ReactionRate rates_at_y[kMaxReactions];
  detail::rhs(chemistry, y, vent, external_heat_rate, f0, rates_at_y);
  const double external_rate = external_heat_rate / rho_cp;  // K/s the source alone gives
  detail::RateCrossingWatch watch;
  watch.threshold = watched_rate;
  watch.start(f0.v[detail::kSlotTemperature] - external_rate);
  // First sub-step: the hint, else dt limited to ~2 K and ~5 % of any reactant per sub-step
  // (a first guess only; the error controller decides).
  double h = first_substep > 0.0 ? first_substep : dt;
  if (!(first_substep > 0.0)) {
    const double t_rate = std::fabs(f0.v[detail::kSlotTemperature]);
    if (t_rate * h > 2.0) h = 2.0 / t_rate;
    RUNAWAY_ROLLED
    for (int i = 0; i <= n; ++i) {
      const int slot = i < n ? i : detail::kSlotElectrolyte;
      const double rate = std::fabs(f0.v[slot]);
      if (rate * h > 0.05) h = 0.05 / rate;
    }
  }
  // Kelvin per unit of each reactant fraction (0: judged as a bare fraction), for the error
  // norm. The liquid s keeps the bare fraction tolerance: its balance with the vented and
  // decomposed mass closes to round-off only while clamping it at 0 moves next to nothing.
  double kelvin_per_unit[detail::kSlotVented] = {};
  if (tolerances.fractions_by_heat) {
    RUNAWAY_ROLLED
    for (int i = 0; i < n; ++i) {
      const Reaction& r = chemistry.reactions[i];
      kelvin_per_unit[i] = std::fabs(r.heat_of_reaction) * reactant_content(chemistry, i) / rho_cp;
    }
  }
  const double h_min = 1e-14 * (dt > 1.0 ? dt : 1.0);
  double time = 0.0;
  double watched_mean_rate = 0.0;  // of the last accepted sub-step, for the watch
  bool reject_last = false;
  bool have_f0 = true;
  int attempts = 0;

  while (time < dt) {
    if (attempts >= tolerances.max_attempts) {
      result.converged = false;
      break;
    }
    ++attempts;
    const double h_natural = h;  // before clipping to the end of the step
    if (h > dt - time) h = dt - time;
    if (h < h_min) h = h_min;
    if (!have_f0) {
      detail::rhs(chemistry, y, vent, external_heat_rate, f0, rates_at_y);
      watch.see(time, f0.v[detail::kSlotTemperature] - external_rate, watched_mean_rate);
    }
    have_f0 = true;

    detail::Factored m;
    if (!detail::factor(chemistry, rates_at_y, vent, h, m)) {
      if (h <= h_min) {
        result.converged = false;
        break;
      }
      h *= 0.25;
      reject_last = true;
      ++result.rejected_substeps;
      continue;
    }
    // Stage 1: (sigma I - J) K1 = f(y)
    Vec k1 = f0;
    detail::solve(chemistry, m, k1);
    // Stage 2: (sigma I - J) K2 = f(y + K1) + C21/h K1. f(y + K1) overwrites y + K1, and K3
    // overwrites f(y + K1) once read: six vectors live at once keep a GPU thread's stack small.
    Vec f2;
    RUNAWAY_ROLLED
    for (int j = 0; j < detail::kVectorSize; ++j) f2.v[j] = y.v[j] + Ros3::kA21 * k1.v[j];
    detail::rhs(chemistry, f2, vent, external_heat_rate, f2);
    Vec k2;
    RUNAWAY_ROLLED
    for (int j = 0; j < detail::kVectorSize; ++j) k2.v[j] = f2.v[j] + Ros3::kC21 / h * k1.v[j];
    detail::solve(chemistry, m, k2);
    // Stage 3 reuses f(y + K1): (sigma I - J) K3 = f2 + C31/h K1 + C32/h K2
    Vec& k3 = f2;
    RUNAWAY_ROLLED
    for (int j = 0; j < detail::kVectorSize; ++j) {
      k3.v[j] = f2.v[j] + (Ros3::kC31 * k1.v[j] + Ros3::kC32 * k2.v[j]) / h;
    }
    detail::solve(chemistry, m, k3);

    Vec y_new;
    double error = 0.0;
    RUNAWAY_ROLLED
    for (int j = 0; j < detail::kVectorSize; ++j) {
      y_new.v[j] = y.v[j] + Ros3::kM1 * k1.v[j] + Ros3::kM2 * k2.v[j] + Ros3::kM3 * k3.v[j];
    }
    const bool finite = detail::all_finite(chemistry, y_new);
    if (finite) {
      const double t_magnitude =
          std::fabs(y.v[detail::kSlotTemperature]) > std::fabs(y_new.v[detail::kSlotTemperature])
              ? std::fabs(y.v[detail::kSlotTemperature])
              : std::fabs(y_new.v[detail::kSlotTemperature]);
      const double temperature_tolerance =
          tolerances.absolute_temperature + tolerances.relative * t_magnitude;
      RUNAWAY_ROLLED
      for (int j = 0; j < detail::kSlotVented; ++j) {
        if (j >= n && j < detail::kSlotElectrolyte) continue;
        const double e = Ros3::kE1 * k1.v[j] + Ros3::kE2 * k2.v[j] + Ros3::kE3 * k3.v[j];
        double ratio = 0.0;
        if (j == detail::kSlotTemperature) {
          ratio = std::fabs(e) / temperature_tolerance;
        } else {
          // A fraction: relative to itself, and absolute as the heat it stands for (or the bare
          // fraction tolerance if it carries no heat).
          const double absolute = kelvin_per_unit[j] > 0.0
                                      ? tolerances.absolute_temperature / kelvin_per_unit[j]
                                      : tolerances.absolute_fraction;
          const double magnitude =
              std::fabs(y.v[j]) > std::fabs(y_new.v[j]) ? std::fabs(y.v[j]) : std::fabs(y_new.v[j]);
          ratio = std::fabs(e) / (absolute + tolerances.relative * magnitude);
        }
        if (ratio > error) error = ratio;
      }
    }
    if (!finite || !std::isfinite(error)) {
      if (h <= h_min) {
        result.converged = false;
        break;
      }
      h *= 0.25;
      reject_last = true;
      ++result.rejected_substeps;
      continue;
    }
    double factor = error > 1e-12 ? 0.9 * std::pow(error, -1.0 / Ros3::kErrorOrder) : 5.0;
    factor = factor < 0.2 ? 0.2 : (factor > 5.0 ? 5.0 : factor);
    if (error > 1.0 && h > h_min) {
      h *= reject_last ? (factor < 0.1 ? factor : 0.1) : factor;
      reject_last = true;
      ++result.rejected_substeps;
      continue;
    }

    // Accept: clamp fractions to [0, 1], then set T from the energy released (bookkeeping).
    double reaction_heat = 0.0;
    RUNAWAY_ROLLED
    for (int i = 0; i < n; ++i) {
      const Reaction& reaction = chemistry.reactions[i];
      const double c_new = detail::clamp01(y_new.v[i]);
      const double converted = reactant_content(chemistry, i) * (y.v[i] - c_new);  // kg/m^3
      reaction_heat += reaction.heat_of_reaction * converted;
      result.gas_generated += reaction.gas_yield * converted;
      if (reaction.reactant_is_electrolyte) {
        result.electrolyte_decomposed += converted;
      } else if (reaction.consumes_electrolyte && we > 0.0) {
        result.electrolyte_decomposed += reaction.electrolyte_per_reactant * converted;
      }
      y_new.v[i] = c_new;
    }
    y_new.v[detail::kSlotElectrolyte] = detail::clamp01(y_new.v[detail::kSlotElectrolyte]);
    const double vented = y_new.v[detail::kSlotVented] > 0.0 ? y_new.v[detail::kSlotVented] : 0.0;
    const double vent_heat = vent.heat_per_kg * vented;
    const double ejected_heat = (1.0 - vent.retained_share) * reaction_heat;
    y_new.v[detail::kSlotTemperature] =
        y.v[detail::kSlotTemperature] +
        (reaction_heat - ejected_heat - vent_heat + external_heat_rate * h) / rho_cp;
    y_new.v[detail::kSlotVented] = 0.0;
    result.reaction_heat += reaction_heat;
    result.ejected_heat += ejected_heat;
    result.vent_heat += vent_heat;
    result.vented_mass += vented;
    y = y_new;
    time += h;
    if (dt - time <= 1e-12 * dt) time = dt;
    watched_mean_rate = (reaction_heat - ejected_heat - vent_heat) / (rho_cp * h);
    ++result.accepted_substeps;
    have_f0 = false;
    const double h_next = h * (reject_last ? (factor < 1.0 ? factor : 1.0) : factor);
    // A sub-step clipped to the end of the step and accurate says nothing against the longer one.
    h = (h < h_natural && factor >= 1.0 && h_next < h_natural) ? h_natural : h_next;
    reject_last = false;
  }
  if (time < dt) {
    // Budget exhausted: keep the energy balance exact by applying the external source alone.
    y.v[detail::kSlotTemperature] += external_heat_rate * (dt - time) / rho_cp;
  }

  RUNAWAY_ROLLED
  for (int i = 0; i < n; ++i) state.remaining[i] = y.v[i];
  state.electrolyte_left = y.v[detail::kSlotElectrolyte];
  result.temperature = y.v[detail::kSlotTemperature];
  result.heat_released = result.reaction_heat - result.ejected_heat - result.vent_heat;
  result.self_heating_rate = self_heating_rate(chemistry, result.temperature, state, vent);
  if (!have_f0) watch.see(time, result.self_heating_rate, watched_mean_rate);
  result.watched_rate_crossing = watch.crossing;
  result.next_substep = h;
  return result;
}

}  // namespace runaway::kernels
