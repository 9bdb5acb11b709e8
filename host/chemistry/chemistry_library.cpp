// Built-in chemistries. Every number cites its source; "assumed" marks a modelling choice made
// here for lack of a published value, "UNVERIFIED" a value taken from an open re-implementation
// that has not been checked against the paper's own table.
#include "host/chemistry/chemistry_library.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include <fmt/core.h>

#include "kernels/cell_events.hpp"

namespace runaway::host {

using kernels::Chemistry;
using kernels::Reaction;

namespace {

constexpr double kCelsius = 273.15;  // K at 0 °C (exact)
constexpr double kPi = 3.14159265358979323846;
constexpr double kAmpereHour = kernels::kSecondsPerHour;  // C per Ah (exact)

// Electrolyte constants shared by the built-ins, all for EC/DMC-type carbonate blends.
// Latent heat: dimethyl carbonate, Delta_vap H ~ 38 kJ/mol / 90.08 g/mol ~ 4.2e5 J/kg
// (NIST Chemistry WebBook order of magnitude; UNVERIFIED, assumed for the whole blend).
constexpr double kCarbonateLatentHeat = 4.2e5;  // J/kg
// Heat of combustion: from standard enthalpies of formation, DMC ~ 15.9 MJ/kg and EC ~ 12.1
// MJ/kg (higher heating values); a 1:1 blend with ~12 % non-combustible LiPF6 gives ~1.3e7
// J/kg. Estimate, UNVERIFIED against a measured electrolyte value.
constexpr double kCarbonateHeatOfCombustion = 1.3e7;  // J/kg
// Flame: assumed (no published value found).
constexpr double kAssumedBurnedFraction = 0.5;  // of the vented mass
constexpr double kAssumedBurnTime = 10.0;       // s
// Internal short circuit discharges the cell over ~10 s: assumed (nail tests release the
// stored energy in seconds to tens of seconds).
constexpr double kAssumedShortCircuitTimeConstant = 10.0;  // s

// --- Gas, pressure and venting (docs/physics.md "Gas, pressure and venting") ---------------------
// Solvent vapour of an EC/DMC electrolyte: the volatile part is the DMC, 44 % of the liquid's
// mass (ASSUMED: EC:DMC 1:1 by weight with ~12 % LiPF6, the LP30 type); EC (boiling near 248 °C)
// and the salt are taken as not boiling. Its vapour pressure is Raoult's law on the DMC share
// (cell_vent.hpp). p_DMC from Clausius-Clapeyron through DMC's normal boiling point, 363.5 K (NIST
// Chemistry WebBook, average of 9 values), with Delta_vap H = 38 kJ/mol (as the latent heat
// above): an Antoine form with C = 0, giving 6.4 kPa at 25 °C (measured: about 7 kPa, Pokorny et
// al. 2017, J. Chem. Eng. Data 62, 3206) and 9.7 bar at 170 °C.
constexpr double kDmcMolarMass = 0.0900779;        // kg/mol (NIST Chemistry WebBook)
constexpr double kDmcBoilingPoint = 363.5;         // K (NIST Chemistry WebBook)
constexpr double kDmcVaporisationEnthalpy = 38e3;  // J/mol, UNVERIFIED order of magnitude
constexpr double kDmcMassFraction = 0.44;          // of the liquid, ASSUMED (LP30 type)
// Liquid electrolyte heat capacity: ASSUMED 1800 J/(kg K), the order of carbonate blends.
constexpr double kAssumedLiquidHeatCapacity = 1800.0;
// Vent gas: a CO2 / CO / H2 / hydrocarbon mix of the kind Golubkov et al. 2014 (RSC Adv. 4,
// 3633) measured; molar mass 0.025 kg/mol, gamma 1.3 and cp 1300 J/(kg K) ASSUMED for such a mix.
constexpr double kAssumedGasMolarMass = 0.025;
constexpr double kAssumedGasHeatCapacityRatio = 1.3;
constexpr double kAssumedGasHeatCapacity = 1300.0;
// Free gas space in the can (mandrel hole, head space, unfilled pores): ASSUMED 5 % of the jelly
// roll's volume.
constexpr double kAssumedFreeVolumeFraction = 0.05;
// Sharp-edged orifice discharge coefficient, the textbook ~0.6 (e.g. ISO 5167-2 orifice plates).
constexpr double kOrificeDischargeCoefficient = 0.6;
// Droplets leaving with the vapour: ASSUMED 0.5 kg per kg (no measured split found).
constexpr double kAssumedEntrainedLiquidRatio = 0.5;
// Body/ejecta split of the heat released once the vent is open: 1 - the cell body's mean share of
// the total heat in the Battery Failure Databank's FTRC tests at 100 % SOC (docs/databank.md):
// 18650 26.8 %, all formats 27.6 % (no large-format cell was tested, so the 50 Ah cells take the
// all-format mean: an extrapolation, ASSUMED).
constexpr double kDatabankEjectaShare18650 = 1.0 - 0.268;
constexpr double kDatabankEjectaShareAllFormats = 1.0 - 0.276;

// Gas yields, mol per kg of reactant converted: stoichiometric estimates, ASSUMED.
// Li per kg of graphite at x = 0.8 in Li_xC6: 0.8 / 0.07206 kg = 11.1 mol/kg.
constexpr double kLithiumPerCarbon = 0.8 / 0.07206;
// SEI: (CH2OCO2Li)2 -> Li2CO3 + C2H4 + CO2 + 1/2 O2, 2.5 mol of gas per 2 Li.
constexpr double kSeiGasYield = 1.25 * kLithiumPerCarbon;
// Anode + EC: 2 Li + EC -> Li2CO3 + C2H4, 1 mol of gas per 2 Li (the 0.49 kg of EC per kg of
// carbon of the anode's solvent demand is the same stoichiometry).
constexpr double kAnodeGasYield = 0.5 * kLithiumPerCarbon;
// Electrolyte decomposition: one mol of gas (CO2, C2H4, PF5 ...) per mol of solvent.
constexpr double kElectrolyteGasYield = 1.0 / kDmcMolarMass;
// LiCoO2 cathode: Li0.5CoO2 -> 1/2 LiCoO2 + 1/6 Co3O4 + 1/6 O2 (0.0944 kg/mol), oxygen kept as gas.
constexpr double kLcoCathodeGasYield = (1.0 / 6.0) / 0.0944;
// NMC cathode: ~0.25 mol O2 per mol of NMC (0.097 kg/mol) in the layered-to-rock-salt steps,
// split evenly over Feng's two cathode reactions (which each convert the whole cathode).
constexpr double kNmcCathodeGasYield = 0.5 * 0.25 / 0.097;

// The can, gas and vent of a carbonate-electrolyte cell.
// `vent_area`: m^2 of the reference cell of `jelly_roll_volume` m^3.
void set_carbonate_vent(Chemistry& c, double burst_pressure, double vent_area,
                        double jelly_roll_volume, double ejecta_heat_share) {
  c.vent_burst_pressure = burst_pressure;
  c.vent_temperature = 0.0;
  c.free_volume_fraction = kAssumedFreeVolumeFraction;
  c.vent_area_per_volume = vent_area / jelly_roll_volume;
  c.vent_discharge_coefficient = kOrificeDischargeCoefficient;
  c.gas_molar_mass = kAssumedGasMolarMass;
  c.gas_heat_capacity_ratio = kAssumedGasHeatCapacityRatio;
  c.gas_heat_capacity = kAssumedGasHeatCapacity;
  c.solvent_molar_mass = kDmcMolarMass;
  c.volatile_fraction = kDmcMassFraction;
  const double b = kDmcVaporisationEnthalpy / (kernels::kGasConstant * std::log(10.0));
  c.solvent_antoine_a = std::log10(kernels::kStandardAtmosphere) + b / kDmcBoilingPoint;
  c.solvent_antoine_b = b;
  c.solvent_antoine_c = 0.0;
  c.electrolyte_latent_heat = kCarbonateLatentHeat;
  c.liquid_heat_capacity = kAssumedLiquidHeatCapacity;
  c.entrained_liquid_ratio = kAssumedEntrainedLiquidRatio;
  c.ejecta_heat_share = ejecta_heat_share;
  c.heat_of_combustion = kCarbonateHeatOfCombustion;
  c.burned_fraction = kAssumedBurnedFraction;
  c.burn_time = kAssumedBurnTime;
}

// Gas yields of the reactions named as in the built-ins.
void set_gas_yields(Chemistry& c, double cathode_yield) {
  for (int i = 0; i < c.reaction_count; ++i) {
    Reaction& r = c.reactions[i];
    const std::string name = r.name;
    if (name == "sei") r.gas_yield = kSeiGasYield;
    if (name == "anode") r.gas_yield = kAnodeGasYield;
    if (name == "electrolyte") r.gas_yield = kElectrolyteGasYield;
    if (name.rfind("cathode", 0) == 0) r.gas_yield = cathode_yield;
  }
}

Reaction arrhenius(const char* name, double a, double ea, double heat, double content,
                   double initial_remaining) {
  Reaction r;
  kernels::set_name(r.name, name);
  r.pre_exponential_factor = a;
  r.activation_energy = ea;
  r.heat_of_reaction = heat;
  r.reactant_content = content;
  r.initial_remaining = initial_remaining;
  return r;
}

Reaction electrolyte_decomposition(const char* name, double a, double ea, double heat) {
  Reaction r = arrhenius(name, a, ea, heat, 0.0, 1.0);
  r.reactant_is_electrolyte = true;
  return r;
}

Reaction with_onset(Reaction r, double onset_temperature, double width) {
  r.temperature_onset = true;
  r.onset_temperature = onset_temperature;
  r.onset_width = width;
  return r;
}

void add(Chemistry& c, const Reaction& r) {
  c.reactions[c.reaction_count++] = r;
}

// --- nrel-lco ----------------------------------------------------------------------------------
// The NREL four-reaction model of a LiCoO2/graphite 18650: Hatchard et al. 2001, J. Electrochem.
// Soc. 148, A755; Kim et al. 2007, J. Power Sources 170, 476. Parameters as several open
// implementations and Altair AcuSolve's defaults give them, which agree (UNVERIFIED against the
// papers' tables). The published model couples no reaction to the solvent except the
// electrolyte's own decomposition, and this entry reproduces it as published.
ChemistryEntry nrel_lco() {
  ChemistryEntry e;
  Chemistry& c = e.chemistry;
  kernels::set_name(c.name, "nrel-lco");
  // rho = 2580 kg/m^3, cp = 830 J/(kg K): Kim 2007 (rho cp = 2.14e6 J/(m^3 K), UNVERIFIED;
  // the split between rho and cp is UNVERIFIED).
  c.density = 2580.0;
  c.heat_capacity = 830.0;
  // W_e = 406.9 kg/m^3 of electrolyte (Hatchard 2001, Kim 2007) -> f = 406.9 / 2580 = 15.8 %:
  // liquid.
  c.liquid_electrolyte_fraction = 406.9 / 2580.0;
  // SEI decomposition: R = A exp(-Ea/RT) c_sei, c_sei0 = 0.15, W = 610.4 kg/m^3 carbon.
  add(c, arrhenius("sei", 1.667e15, 1.3508e5, 2.57e5, 610.4, 0.15));
  // Anode + solvent: R = A exp(-z/z_ref) exp(-Ea/RT) c_ne, c_ne0 = 0.75, z0 = z_ref = 0.033.
  Reaction anode = arrhenius("anode", 2.5e13, 1.3508e5, 1.714e6, 610.4, 0.75);
  anode.sei_inhibition = true;
  anode.initial_sei_thickness = 0.033;
  anode.reference_sei_thickness = 0.033;
  add(c, anode);
  // Cathode + solvent: R = A alpha (1 - alpha) exp(-Ea/RT), alpha0 = 0.04 -> c0 = 0.96.
  Reaction cathode = arrhenius("cathode", 6.667e13, 1.396e5, 3.14e5, 1221.0, 0.96);
  cathode.order_remaining = 1.0;
  cathode.order_converted = 1.0;
  add(c, cathode);
  // Electrolyte decomposition: R = A exp(-Ea/RT) c_e, c_e0 = 1, W = W_e.
  add(c, electrolyte_decomposition("electrolyte", 5.14e25, 2.74e5, 1.55e5));
  // Internal short at 438 K: the Coman internal-short temperature of AcuSolve's NREL defaults
  // (Altair AcuSolve documentation). Energy fraction 0: the published model has no internal
  // short, and its four reactions already release ~450 K worth of heat; adding the 18650's whole
  // electrical energy (~830 K in this heat capacity) would double-count. Set a fraction to study
  // nail tests with this chemistry.
  c.separator_temperature = 438.0;
  c.short_circuit_energy_fraction = 0.0;
  c.short_circuit_time_constant = kAssumedShortCircuitTimeConstant;
  // No vent, no gas, no fire: the published model has none (nrel-lco-vented adds them).
  // An 18650 can (18 mm x 65 mm), jelly roll taken as the can volume; 2.2 Ah and 3.7 V are
  // assumed, typical of LiCoO2 18650s of the Kim 2007 era.
  const double radius = 0.009;
  const double height = 0.065;
  e.cell.description = "18650 LiCoO2/graphite, 2.2 Ah (assumed), 18 mm x 65 mm";
  e.cell.jelly_roll_volume = kPi * radius * radius * height;
  e.cell.surface_area = 2.0 * kPi * radius * height + 2.0 * kPi * radius * radius;
  e.cell.charge_capacity = 2.2 * kAmpereHour;
  e.cell.voltage = 3.7;
  e.source = "Hatchard et al. 2001 (JES 148 A755); Kim et al. 2007 (JPS 170 476)";
  // The equations as published; the constants via open implementations, UNVERIFIED above.
  e.provenance = Provenance::kPublished;
  return e;
}

// --- nrel-lco-vented -----------------------------------------------------------------------------
// The nrel-lco kinetics in an 18650 that behaves as a fractional thermal-runaway calorimeter
// sees one: gas, pressure and a burst vent, the internal short of the stored energy at the
// separator temperature, and the Databank's 18650 body/ejecta split. A variant, not a paper's
// model: every addition is ASSUMED (see the constants above).
ChemistryEntry nrel_lco_vented() {
  ChemistryEntry e = nrel_lco();
  Chemistry& c = e.chemistry;
  kernels::set_name(c.name, "nrel-lco-vented");
  c.short_circuit_energy_fraction = 1.0;  // ASSUMED: the stored energy, as in FTRC tests
  set_gas_yields(c, kLcoCathodeGasYield);
  // 18650 burst disc at 1.5 MPa gauge (ASSUMED, within the ~1-2 MPa of 18650 caps) and a 10 mm^2
  // open vent (ASSUMED).
  set_carbonate_vent(c, 1.5e6, 10e-6, e.cell.jelly_roll_volume, kDatabankEjectaShare18650);
  e.source = "nrel-lco kinetics + ASSUMED 18650 short, gas, burst vent, Databank ejecta share";
  e.provenance = Provenance::kVariant;
  return e;
}

// --- Feng 2015 NCM reaction set ----------------------------------------------------------------
// Feng et al. 2015, Applied Energy 154, 74: 25 Ah NCM prismatic cell, 0.72 kg, cp 1100 J/(kg K).
// A, Ea, Delta H, reactant masses and c0 from an open reproduction of the paper (UNVERIFIED
// against the paper). That reproduction also gates each reaction with an onset temperature
// (logistic, 1 K wide) and switches the anode A smoothly at 260 °C; the onset temperatures below
// are its values (UNVERIFIED). Its SEI regeneration term and anode inhibition by c_sei are not
// reproduced. Reactant contents W = (reactant mass / cell mass) * density, so temperature rises
// depend only on the published mass ratios, not on the assumed density.
constexpr double kFengCellMass = 0.72;        // kg
constexpr double kFengHeatCapacity = 1100.0;  // J/(kg K)

void add_feng_reactions(Chemistry& c, bool anode_consumes_solvent) {
  const double rho = c.density;
  auto content = [&](double grams) { return grams * 1e-3 / kFengCellMass * rho; };
  constexpr double kWidth = 1.0;  // K, logistic width of the reproduction's gates (beta = 1/K)
  add(c, with_onset(arrhenius("sei", 1.667e15, 135080.0, 257e3, content(100.58), 0.15),
                    50.0 + kCelsius, kWidth));
  Reaction anode = with_onset(arrhenius("anode", 0.035, 33000.0, 1714e3, content(100.58), 1.0),
                              50.0 + kCelsius, kWidth);
  anode.temperature_switch = true;  // A = 0.035 -> 5 1/s at 260 °C (Feng 2015)
  anode.switch_temperature = 260.0 + kCelsius;
  anode.switch_width = kWidth;
  anode.pre_exponential_factor_above_switch = 5.0;
  if (anode_consumes_solvent) {
    // Li_xC6 + EC -> Li2CO3 + C2H4 needs 1/2 EC per Li: with x ~ 0.8, 0.8 / 0.072 kg C * 0.5 *
    // 0.088 kg/mol ~ 0.49 kg of electrolyte per kg of carbon. Stoichiometric estimate, assumed.
    anode.consumes_electrolyte = true;
    anode.electrolyte_per_reactant = 0.49;
  }
  add(c, anode);
  // Separator melting is endothermic (Delta H < 0).
  add(c, with_onset(arrhenius("separator", 1.5e50, 420000.0, -233.2e3, content(17.6), 1.0),
                    120.0 + kCelsius, kWidth));
  add(c, with_onset(electrolyte_decomposition("electrolyte", 3e15, 170000.0, 800e3),
                    140.0 + kCelsius, kWidth));
  // Cathode reactions are autocatalytic, c (1 - c), seeded with c0 = 0.999 (reproduction).
  Reaction cathode1 =
      with_onset(arrhenius("cathode1", 1.75e9, 114950.0, 77e3, content(179.12), 0.999),
                 180.0 + kCelsius, kWidth);
  cathode1.order_converted = 1.0;
  add(c, cathode1);
  Reaction cathode2 =
      with_onset(arrhenius("cathode2", 1.077e12, 158880.0, 84e3, content(179.12), 0.999),
                 220.0 + kCelsius, kWidth);
  cathode2.order_converted = 1.0;
  add(c, cathode2);
}

ChemistryEntry feng2015_ncm() {
  ChemistryEntry e;
  Chemistry& c = e.chemistry;
  kernels::set_name(c.name, "feng2015-ncm");
  // Cell volume assumed as a 148 x 26.5 x 91.8 mm box -> rho = 0.72 kg / V ~ 2000 kg/m^3.
  const double length = 0.148;
  const double thickness = 0.0265;
  const double height = 0.0918;
  const double volume = length * thickness * height;
  c.density = kFengCellMass / volume;
  c.heat_capacity = kFengHeatCapacity;
  // Electrolyte 108 g of 720 g = 15 % (Feng 2015, via an open reproduction): liquid.
  c.liquid_electrolyte_fraction = 108.0 / 720.0;
  add_feng_reactions(c, false);
  // Internal short starts at 260 °C (Feng 2015) and releases 370 kJ, the spontaneous value for
  // non-nailed cells: fraction 1 with capacity 25 Ah and an effective 4.11 V (370 kJ / 90 kC).
  c.separator_temperature = 260.0 + kCelsius;
  c.short_circuit_energy_fraction = 1.0;
  c.short_circuit_time_constant = kAssumedShortCircuitTimeConstant;
  // No vent, gas or fire: the paper's model has none (feng2015-ncm-vented adds them).
  e.cell.description = "25 Ah NCM prismatic, 0.72 kg (Feng 2015); 148 x 26.5 x 91.8 mm assumed";
  e.cell.jelly_roll_volume = volume;
  e.cell.surface_area = 2.0 * (length * thickness + length * height + thickness * height);
  e.cell.charge_capacity = 25.0 * kAmpereHour;
  e.cell.voltage = 370e3 / (25.0 * kAmpereHour);
  e.source = "Feng et al. 2015 (Applied Energy 154, 74), open reproduction, UNVERIFIED";
  e.provenance = Provenance::kOpenReproduction;
  return e;
}

// --- feng2015-ncm-vented -----------------------------------------------------------------------
// feng2015-ncm in a prismatic can with gas, a burst vent and the fire of its vented fuel: a
// variant, every addition ASSUMED (see the constants above).
ChemistryEntry feng2015_ncm_vented() {
  ChemistryEntry e = feng2015_ncm();
  Chemistry& c = e.chemistry;
  kernels::set_name(c.name, "feng2015-ncm-vented");
  // A prismatic can's burst vent, 0.6 MPa gauge over 150 mm^2 (ASSUMED; prismatic vents burst at
  // a few tenths of a MPa).
  set_gas_yields(c, kNmcCathodeGasYield);
  set_carbonate_vent(c, 0.6e6, 150e-6, e.cell.jelly_roll_volume, kDatabankEjectaShareAllFormats);
  e.source = "feng2015-ncm + ASSUMED gas, burst vent, fire, Databank ejecta share";
  e.provenance = Provenance::kVariant;
  return e;
}

// --- nmc-liquid-50ah and its semi-solid twin ---------------------------------------------------
// A ~50 Ah NMC prismatic cell with the Feng 2015 NCM kinetics and reactant mass ratios, plus the
// anode's solvent demand (stoichiometric, assumed), so the liquid electrolyte fraction limits
// the anode reaction as well as the electrolyte decomposition and the vent fuel.
// Cell: 148 x 40 x 100 mm and 2100 kg/m^3 (1.24 kg), 50 Ah, 3.7 V: assumed, a generic large
// prismatic NMC cell.
ChemistryEntry nmc_50ah(const char* name, double liquid_fraction, const char* source) {
  ChemistryEntry e;
  Chemistry& c = e.chemistry;
  kernels::set_name(c.name, name);
  const double length = 0.148;
  const double thickness = 0.040;
  const double height = 0.100;
  c.density = 2100.0;
  c.heat_capacity = kFengHeatCapacity;
  c.liquid_electrolyte_fraction = liquid_fraction;
  add_feng_reactions(c, true);
  c.separator_temperature = 260.0 + kCelsius;  // as Feng 2015
  c.short_circuit_energy_fraction = 1.0;       // assumed, as Feng 2015
  c.short_circuit_time_constant = kAssumedShortCircuitTimeConstant;
  // Gas and vent as feng2015-ncm-vented's, with a larger vent for the larger can (200 mm^2,
  // ASSUMED).
  set_gas_yields(c, kNmcCathodeGasYield);
  set_carbonate_vent(c, 0.6e6, 200e-6, length * thickness * height, kDatabankEjectaShareAllFormats);
  e.cell.description = "50 Ah NMC prismatic, 148 x 40 x 100 mm (assumed)";
  e.cell.jelly_roll_volume = length * thickness * height;
  e.cell.surface_area = 2.0 * (length * thickness + length * height + thickness * height);
  e.cell.charge_capacity = 50.0 * kAmpereHour;
  e.cell.voltage = 3.7;
  e.source = source;
  return e;
}

std::vector<ChemistryEntry> build_library() {
  std::vector<ChemistryEntry> library;
  library.push_back(nrel_lco());
  library.push_back(nrel_lco_vented());
  library.push_back(feng2015_ncm());
  library.push_back(feng2015_ncm_vented());
  // Liquid: 15 % electrolyte by mass, Feng 2015's 108 g / 720 g.
  library.push_back(nmc_50ah("nmc-liquid-50ah", 108.0 / 720.0,
                             "Feng 2015 NCM kinetics (UNVERIFIED) in an assumed 50 Ah cell"));
  // Semi-solid twin: 5 % liquid electrolyte, the share reported for QingTao / SAIC MG4 cells (press
  // reports, Dec 2025 - May 2026). Its kinetics, separator (short-circuit) temperature, gas yields,
  // burst pressure, vent, volatile share and anode-solvent coupling are ASSUMED equal to the liquid
  // twin's: only the fraction changes (less electrolyte to decompose, less solvent for the anode,
  // less gas from both, less vapour, vent fuel and evaporative cooling). Each is a chemistry key a
  // fitted semi-solid cell sets (docs/config.md).
  // This isolates the effect of the fraction; it is not a fitted semi-solid cell, and a hybrid cell
  // has been measured to be less stable than liquid ones (Zhang et al. 2024, J. Power Sources,
  // doi 10.1016/j.jpowsour.2024.235261). Fit a real cell's kinetics before trusting a result.
  library.push_back(
      nmc_50ah("nmc-semisolid-50ah", 0.05,
               "liquid twin with 5 % liquid (QingTao); kinetics ASSUMED, not fitted"));
  // No LFP entry: no published LFP reaction set has been checked yet; give an LFP cell its fitted
  // set through the config file.
  for (const ChemistryEntry& entry : library) {
    validate(entry.chemistry,
             ErrorContext{"", 0, std::string("chemistries.") + entry.chemistry.name, ""});
  }
  return library;
}

const std::vector<ChemistryEntry>& library() {
  static const std::vector<ChemistryEntry> entries = build_library();
  return entries;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// --- validation --------------------------------------------------------------------------------

std::string number(double value) {
  return fmt::format("{}", value);
}

class Checker {
 public:
  explicit Checker(const ErrorContext& context)
      : context_(context), prefix_(context.key.empty() ? "chemistry" : context.key) {}

  [[noreturn]] void fail(const std::string& key, const std::string& value,
                         const std::string& message) const {
    ErrorContext c = context_;
    c.key = prefix_ + "." + key;
    c.value = value;
    throw bad_input(message, c);
  }
  void finite(const std::string& key, double value) const {
    if (!std::isfinite(value)) fail(key, number(value), "must be a finite number");
  }
  void positive(const std::string& key, double value, const std::string& unit) const {
    finite(key, value);
    if (!(value > 0.0)) fail(key, number(value), "must be > 0 " + unit);
  }
  void non_negative(const std::string& key, double value, const std::string& unit) const {
    finite(key, value);
    if (value < 0.0) fail(key, number(value), "must be >= 0 " + unit);
  }
  void fraction(const std::string& key, double value) const {
    finite(key, value);
    if (value < 0.0 || value > 1.0) fail(key, number(value), "must be a fraction in [0, 1]");
  }

 private:
  ErrorContext context_;
  std::string prefix_;
};

void validate_reaction(const Checker& check, const Reaction& r, int index) {
  const std::string k = fmt::format("reactions[{}].", index);
  if (r.name[0] == '\0') check.fail(k + "name", "", "must name the reaction (e.g. \"sei\")");
  check.non_negative(k + "pre_exponential_factor", r.pre_exponential_factor, "1/s");
  check.non_negative(k + "activation_energy", r.activation_energy, "J/mol");
  check.non_negative(k + "gas_yield", r.gas_yield, "mol per kg of reactant");
  check.finite(k + "heat_of_reaction", r.heat_of_reaction);
  check.non_negative(k + "reactant_content", r.reactant_content, "kg/m^3");
  check.finite(k + "order_remaining", r.order_remaining);
  if (!(r.order_remaining > 0.0 && r.order_remaining <= 4.0)) {
    check.fail(k + "order_remaining", number(r.order_remaining),
               "must be in (0, 4]: a reaction of order 0 in its reactant never stops");
  }
  check.finite(k + "order_converted", r.order_converted);
  if (r.order_converted < 0.0 || r.order_converted > 4.0) {
    check.fail(k + "order_converted", number(r.order_converted), "must be in [0, 4]");
  }
  check.fraction(k + "initial_remaining", r.initial_remaining);
  if (r.order_converted > 0.0 && r.initial_remaining >= 1.0) {
    check.fail(k + "initial_remaining", number(r.initial_remaining),
               "must be < 1 for an autocatalytic reaction (order_converted > 0), which needs a "
               "converted seed to start (e.g. 0.96 for the NREL cathode)");
  }
  if (r.reactant_is_electrolyte) {
    if (r.reactant_content != 0.0) {
      check.fail(k + "reactant_content", number(r.reactant_content),
                 "must be left out for an electrolyte reaction: its content is "
                 "liquid_electrolyte_fraction * density");
    }
    if (r.initial_remaining != 1.0) {
      check.fail(k + "initial_remaining", number(r.initial_remaining),
                 "must be 1 for an electrolyte reaction (it starts from all the liquid)");
    }
    if (r.sei_inhibition) {
      check.fail(k + "sei_inhibition", "true", "applies to anode reactions, not the electrolyte");
    }
    if (r.consumes_electrolyte) {
      check.fail(k + "consumes_electrolyte", "true",
                 "is implied for an electrolyte reaction; leave it out");
    }
  }
  if (r.consumes_electrolyte) {
    check.positive(k + "electrolyte_per_reactant", r.electrolyte_per_reactant,
                   "kg of electrolyte per kg of reactant");
  } else if (r.electrolyte_per_reactant != 0.0) {
    check.fail(k + "electrolyte_per_reactant", number(r.electrolyte_per_reactant),
               "is used only with consumes_electrolyte = true");
  }
  if (r.sei_inhibition) {
    check.non_negative(k + "initial_sei_thickness", r.initial_sei_thickness, "(dimensionless)");
    check.positive(k + "reference_sei_thickness", r.reference_sei_thickness, "(dimensionless)");
  }
  if (r.temperature_switch) {
    check.positive(k + "switch_temperature", r.switch_temperature, "K");
    check.non_negative(k + "switch_width", r.switch_width, "K");
    check.non_negative(k + "pre_exponential_factor_above_switch",
                       r.pre_exponential_factor_above_switch, "1/s");
  }
  if (r.temperature_onset) {
    check.positive(k + "onset_temperature", r.onset_temperature, "K");
    check.positive(k + "onset_width", r.onset_width, "K");
  }
}

}  // namespace

std::vector<std::string> chemistry_names() {
  std::vector<std::string> names;
  for (const ChemistryEntry& e : library()) names.emplace_back(e.chemistry.name);
  return names;
}

std::string closest_name(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    const std::size_t d = edit_distance(word, candidate);
    if (best.empty() || d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  // Close enough to be a typo: at most a third of the longer name, and at least 3 edits allowed.
  const std::size_t limit = std::max<std::size_t>(3, std::max(word.size(), best.size()) / 3);
  return best_distance <= limit ? best : std::string();
}

const ChemistryEntry& find_chemistry_entry(const std::string& name, const ErrorContext& context) {
  for (const ChemistryEntry& e : library()) {
    if (name == e.chemistry.name) return e;
  }
  const std::vector<std::string> names = chemistry_names();
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  const std::string suggestion = closest_name(name, names);
  std::string message = "unknown chemistry";
  if (!suggestion.empty()) message += fmt::format(" (did you mean \"{}\"?)", suggestion);
  message += "; built-in chemistries are: " + list;
  ErrorContext c = context;
  if (c.key.empty()) c.key = "chemistry";
  c.value = "\"" + name + "\"";
  throw bad_input(message, c);
}

Chemistry find_chemistry(const std::string& name, const ErrorContext& context) {
  return find_chemistry_entry(name, context).chemistry;
}

void validate(const Chemistry& c, const ErrorContext& context) {
  const Checker check(context);
  if (c.name[0] == '\0') check.fail("name", "", "must name the chemistry");
  if (c.reaction_count < 1 || c.reaction_count > kernels::kMaxReactions) {
    check.fail("reactions", std::to_string(c.reaction_count),
               fmt::format("must hold 1 to {} reactions", kernels::kMaxReactions));
  }
  check.positive("density", c.density, "kg/m^3");
  check.positive("heat_capacity", c.heat_capacity, "J/(kg K)");
  check.fraction("liquid_electrolyte_fraction", c.liquid_electrolyte_fraction);
  check.positive("runaway_rate_threshold", c.runaway_rate_threshold, "K/s");
  check.non_negative("separator_temperature", c.separator_temperature,
                     "K (0: no spontaneous short)");
  check.fraction("short_circuit_energy_fraction", c.short_circuit_energy_fraction);
  check.positive("short_circuit_time_constant", c.short_circuit_time_constant, "s");
  check.non_negative("vent_burst_pressure", c.vent_burst_pressure,
                     "Pa above ambient (0: the pressure does not open the vent)");
  check.non_negative("vent_temperature", c.vent_temperature,
                     "K (0 with no burst pressure: the cell never vents)");
  check.non_negative("free_volume_fraction", c.free_volume_fraction, "m^3 per m^3 of jelly roll");
  check.non_negative("electrolyte_latent_heat", c.electrolyte_latent_heat, "J/kg");
  check.non_negative("liquid_heat_capacity", c.liquid_heat_capacity, "J/(kg K)");
  check.non_negative("gas_heat_capacity", c.gas_heat_capacity, "J/(kg K)");
  check.non_negative("entrained_liquid_ratio", c.entrained_liquid_ratio, "kg per kg of vapour");
  check.fraction("ejecta_heat_share", c.ejecta_heat_share);
  check.fraction("volatile_fraction", c.volatile_fraction);
  check.finite("solvent_antoine_a", c.solvent_antoine_a);
  check.finite("solvent_antoine_b", c.solvent_antoine_b);
  check.finite("solvent_antoine_c", c.solvent_antoine_c);
  // A vent that can open needs the can and the orifice; a burst pressure needs a gas space to
  // build it in.
  const bool vents = c.vent_burst_pressure > 0.0 || c.vent_temperature > 0.0;
  if (vents) {
    const std::string why = "to vent (vent_burst_pressure or vent_temperature is set)";
    check.positive("free_volume_fraction", c.free_volume_fraction, why);
    check.positive("vent_area_per_volume", c.vent_area_per_volume, "m^2 per m^3 " + why);
    check.positive("vent_discharge_coefficient", c.vent_discharge_coefficient, why);
    if (c.vent_discharge_coefficient > 1.0) {
      check.fail("vent_discharge_coefficient", number(c.vent_discharge_coefficient),
                 "must be in (0, 1]");
    }
    check.positive("gas_molar_mass", c.gas_molar_mass, "kg/mol " + why);
    check.finite("gas_heat_capacity_ratio", c.gas_heat_capacity_ratio);
    if (!(c.gas_heat_capacity_ratio > 1.0)) {
      check.fail("gas_heat_capacity_ratio", number(c.gas_heat_capacity_ratio),
                 "must be > 1 " + why + " (about 1.3 for vent gas)");
    }
    if (c.liquid_electrolyte_fraction > 0.0) {
      check.positive("solvent_molar_mass", c.solvent_molar_mass, "kg/mol " + why + " with liquid");
    }
  } else if (c.ejecta_heat_share > 0.0) {
    check.fail("ejecta_heat_share", number(c.ejecta_heat_share),
               "needs a vent that can open (vent_burst_pressure or vent_temperature)");
  }
  check.non_negative("heat_of_combustion", c.heat_of_combustion, "J/kg");
  check.fraction("burned_fraction", c.burned_fraction);
  check.non_negative("burn_time", c.burn_time, "s");
  std::set<std::string> names;
  for (int i = 0; i < c.reaction_count; ++i) {
    validate_reaction(check, c.reactions[i], i);
    if (!names.insert(c.reactions[i].name).second) {
      check.fail(fmt::format("reactions[{}].name", i), c.reactions[i].name,
                 "is used by an earlier reaction; reaction names must be unique");
    }
  }
}

const char* provenance_name(Provenance provenance) {
  switch (provenance) {
    case Provenance::kPublished:
      return "published";
    case Provenance::kOpenReproduction:
      return "open reproduction";
    case Provenance::kVariant:
      return "variant";
    case Provenance::kAssumed:
      return "assumed";
  }
  return "unknown";
}

}  // namespace runaway::host
