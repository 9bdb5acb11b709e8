// A cell chemistry is data: a general N-reaction Arrhenius set plus the few cell-level constants
// that decide short circuit, venting and combustion (docs/design.md §4, docs/physics.md
// "Kinetics"). Plain structs with fixed-size arrays, so the same object lives in GPU constant
// memory and in host code; no std::string, no std::vector.
//
// Rate law of reaction i (the NREL form of Hatchard et al. 2001 / Kim et al. 2007, generalised):
//
//   R_i = A_i(T) exp(-Ea_i / (R T)) c^m (1 - c)^n  [exp(-z / z_ref)] [g(s)] [onset(T)]  (1/s)
//   dc/dt = -R_i,   heat release q_i = H_i W_i R_i                                  (W/m^3)
//
// with c the remaining fraction of the reactant (c0 at the start), m and n the orders on the
// remaining and on the converted fraction, z = z0 + (c0 - c) the SEI thickness of the anode
// reaction, and g(s) the solvent gate of reactions that need liquid electrolyte. The liquid
// electrolyte fraction f (kg of liquid per kg of cell) sets the electrolyte content
// W_e = f * density; see kernels/kinetics.hpp for the solvent pool s.
#pragma once

#include "kernels/hd.hpp"

namespace runaway::kernels {

inline constexpr int kMaxReactions = 8;
inline constexpr int kMaxNameLength = 48;  // including the terminating '\0'

// Universal gas constant, J/(mol K) (CODATA 2018; exact since the 2019 SI redefinition).
inline constexpr double kGasConstant = 8.314462618;

// Liquid electrolyte share of cell weight above which a cell is a liquid Li-ion cell; at or
// below it (and above zero) it is semi-solid, at zero all-solid (MGSSI 2025; CATARC taxonomy
// 2025).
inline constexpr double kSemiSolidMaxLiquidFraction = 0.10;

// Default runaway onset: a voxel's self-heating rate exceeds 1 K/s (docs/design.md §6).
inline constexpr double kDefaultRunawayRateThreshold = 1.0;

struct Reaction {
  char name[kMaxNameLength] = {};     // short identifier used in output columns, e.g. "sei"
  double pre_exponential_factor = 0;  // A, 1/s
  double activation_energy = 0;       // Ea, J/mol
  double heat_of_reaction = 0;        // H, J per kg of reactant converted; negative = endothermic
  // W, kg of reactant per m^3 of jelly roll. Must be 0 when reactant_is_electrolyte: then
  // W = W_e = liquid_electrolyte_fraction * density, so the fraction alone sets it.
  double reactant_content = 0;
  double order_remaining = 1;    // m, exponent on the remaining fraction c
  double order_converted = 0;    // n, exponent on the converted fraction 1 - c
  double initial_remaining = 1;  // c0 in [0, 1]; e.g. 1 - alpha0 for the NREL cathode

  // The reactant is the liquid electrolyte itself (NREL "electrolyte decomposition"): the rate
  // uses the liquid left in the voxel, which the other solvent-consuming reactions and venting
  // also deplete. Requires initial_remaining = 1.
  bool reactant_is_electrolyte = false;
  // The reaction needs liquid electrolyte (solvent) as a co-reactant (anode + solvent, cathode
  // + solvent): it consumes electrolyte_per_reactant kg of liquid per kg of reactant converted
  // and stops when the liquid is used up.
  bool consumes_electrolyte = false;
  double electrolyte_per_reactant = 0;  // nu, kg of liquid electrolyte per kg of reactant

  // SEI-thickness inhibition exp(-z / z_ref) with z = z0 + (c0 - c) (Hatchard 2001, Kim 2007).
  bool sei_inhibition = false;
  double initial_sei_thickness = 0;    // z0, dimensionless
  double reference_sei_thickness = 0;  // z_ref, dimensionless

  // Temperature switch of A (Feng et al. 2015 anode: A jumps once the separator collapses):
  //   A(T) = A + (A_above - A) * sigma((T - switch_temperature) / switch_width),
  // sigma the logistic function; switch_width = 0 makes it a sharp step at switch_temperature.
  bool temperature_switch = false;
  double switch_temperature = 0;                   // K
  double switch_width = 0;                         // K
  double pre_exponential_factor_above_switch = 0;  // 1/s

  // Onset gate: the rate is multiplied by sigma((T - onset_temperature) / onset_width), so the
  // reaction is off well below its onset (the open reproductions of Feng 2015 use this with a
  // 1 K width). onset_width must be > 0 when the gate is on.
  bool temperature_onset = false;
  double onset_temperature = 0;  // K
  double onset_width = 0;        // K

  // Gas the reaction makes, mol per kg of reactant converted (non-condensable: CO2, CO, H2, O2,
  // hydrocarbons). It fills the can's free volume and leaves through the open vent.
  double gas_yield = 0;
};

struct Chemistry {
  char name[kMaxNameLength] = {};
  int reaction_count = 0;
  Reaction reactions[kMaxReactions];

  // Jelly roll (the reacting volume).
  double density = 0;        // kg/m^3
  double heat_capacity = 0;  // cp, J/(kg K)
  // Liquid electrolyte mass fraction f of the cell, in [0, 1]: > 0.10 liquid, (0, 0.10]
  // semi-solid, 0 all-solid. Sets W_e = f * density, the solvent available and the vent fuel.
  double liquid_electrolyte_fraction = 0;
  double runaway_rate_threshold = kDefaultRunawayRateThreshold;  // onset, K/s

  // Internal short circuit: triggered when the jelly roll reaches separator_temperature (or
  // at a nail time set by the trigger); releases energy_fraction * capacity * voltage * SOC
  // as heat in the jelly roll with power E / tau * exp(-(t - t0) / tau).
  double separator_temperature = 0;          // K; 0: no spontaneous short (a nail still works)
  double short_circuit_energy_fraction = 0;  // of the stored electrical energy, [0, 1]
  double short_circuit_time_constant = 0;    // tau, s

  // Gas, pressure and venting (kernels/cell_vent.hpp, docs/physics.md "Gas, pressure and
  // venting"). The reactions' gas (Reaction::gas_yield) and the solvent's vapour,
  //   log10(p_sat / Pa) = solvent_antoine_a - solvent_antoine_b / (T + solvent_antoine_c),
  // fill the can's free volume. The vent opens when the gauge pressure reaches
  // vent_burst_pressure (or, when that is 0, when the jelly roll reaches vent_temperature) and
  // then discharges gas and vapour as an ideal-gas orifice of vent_discharge_coefficient *
  // the vent's area, choked when the pressure ratio allows; droplets leave with the vapour. Like
  // the free volume, the vent's area is given per m^3 of jelly roll, so that one chemistry serves
  // cells of several sizes (a cell's can is then the reference cell's, scaled).
  double free_volume_fraction = 0;        // m^3 of gas space in the can per m^3 of jelly roll
  double vent_burst_pressure = 0;         // Pa above ambient; 0: the pressure does not open it
  double vent_temperature = 0;            // K, used only without a burst pressure; 0: never
  double vent_area_per_volume = 0;        // m^2 of open vent per m^3 of jelly roll, 1/m
  double vent_discharge_coefficient = 0;  // Cd in (0, 1]
  double gas_molar_mass = 0;              // kg/mol of the reaction gas mix
  double gas_heat_capacity_ratio = 0;     // gamma = cp / cv of the vented mix, > 1
  double gas_heat_capacity = 0;           // J/(kg K), cp of the reaction gas
  double solvent_molar_mass = 0;          // kg/mol of the volatile solvent
  // Mass share of the liquid that is the volatile solvent (e.g. DMC in EC/DMC): its vapour
  // pressure is volatile share (Raoult, mass ~ mole share) times p_sat; the rest does not boil.
  double volatile_fraction = 0;
  double solvent_antoine_a = 0;        // log10(Pa)
  double solvent_antoine_b = 0;        // K
  double solvent_antoine_c = 0;        // K
  double electrolyte_latent_heat = 0;  // J/kg, heat of vaporisation of the solvent
  double liquid_heat_capacity = 0;     // J/(kg K) of the liquid electrolyte
  double entrained_liquid_ratio = 0;   // kg of droplets vented per kg of vapour
  // Share of the heat released in the jelly roll (reactions and short) once the cell runs away
  // with its vent open that ejected solids carry out of the cell: the body/ejecta split that the
  // vent flow itself does not give (default from fractional thermal-runaway calorimetry,
  // docs/databank.md).
  double ejecta_heat_share = 0;

  // Combustion: burned_fraction of the vented mass burns outside the cell, releasing
  // heat_of_combustion per kg over burn_time (first-order burn of the fuel in the flame).
  double heat_of_combustion = 0;  // J/kg of vented electrolyte
  double burned_fraction = 0;     // [0, 1]
  double burn_time = 0;           // s
};

enum class ElectrolyteClass : int { kLiquid = 0, kSemiSolid, kAllSolid };

// Liquid if f > 10 %, semi-solid if 0 < f <= 10 %, all-solid if f == 0 (see the constant).
RUNAWAY_HD inline ElectrolyteClass classify_electrolyte(double liquid_electrolyte_fraction) {
  if (liquid_electrolyte_fraction > kSemiSolidMaxLiquidFraction) return ElectrolyteClass::kLiquid;
  if (liquid_electrolyte_fraction > 0.0) return ElectrolyteClass::kSemiSolid;
  return ElectrolyteClass::kAllSolid;
}

// "liquid", "semi-solid" or "all-solid".
inline const char* electrolyte_class_name(ElectrolyteClass c) {
  switch (c) {
    case ElectrolyteClass::kLiquid:
      return "liquid";
    case ElectrolyteClass::kSemiSolid:
      return "semi-solid";
    case ElectrolyteClass::kAllSolid:
      return "all-solid";
  }
  return "unknown";
}

// Liquid electrolyte content W_e of the jelly roll, kg/m^3.
RUNAWAY_HD inline double electrolyte_content(const Chemistry& chemistry) {
  return chemistry.liquid_electrolyte_fraction * chemistry.density;
}

// W of reaction i, kg/m^3: its own content, or W_e for an electrolyte-decomposition reaction.
RUNAWAY_HD inline double reactant_content(const Chemistry& chemistry, int i) {
  const Reaction& r = chemistry.reactions[i];
  return r.reactant_is_electrolyte ? electrolyte_content(chemistry) : r.reactant_content;
}

// Copies a C string into a fixed name buffer; returns false (and truncates) if it does not fit.
template <int N>
inline bool set_name(char (&destination)[N], const char* source) {
  int i = 0;
  for (; i < N - 1 && source[i] != '\0'; ++i) destination[i] = source[i];
  const bool fits = source[i] == '\0';
  for (; i < N; ++i) destination[i] = '\0';
  return fits;
}

}  // namespace runaway::kernels
