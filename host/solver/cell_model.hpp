// 0D simulations of one cell with exactly the kernels the 3D solver uses (kernels/kinetics.hpp,
// kernels/cell_events.hpp): the jelly roll is one well-mixed voxel. Three standard abuse tests:
//   adiabatic  from a start temperature, no heat exchange;
//   oven       convection h A (T_oven(t) - T) to an oven that ramps from the start temperature
//              to its set point and holds;
//   arc        accelerating-rate calorimetry, heat-wait-seek: heat by a step, wait, seek for
//              self-heating above the detection rate, then follow adiabatically;
//   heater     a heater of fixed power on an otherwise adiabatic cell, switched off at runaway
//              onset: the trigger of fractional thermal-runaway calorimetry (FTRC).
// Output: a time series (CSV) and a summary (onsets, maxima, events, pressure, what the vent
// carried out, the body/ejecta heat split and the energy and electrolyte balances).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/chemistry.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::host {

enum class CellTestMode { kAdiabatic, kOven, kArc, kHeater };

// "adiabatic", "oven", "arc", "heater"; parse throws bad_input naming `key` for anything else.
const char* cell_test_mode_name(CellTestMode mode);
CellTestMode parse_cell_test_mode(const std::string& text, const std::string& key = "--mode");

// ARC self-heating detection limit, 0.02 K/min: the usual sensitivity of a heat-wait-seek ARC
// (e.g. Feng et al. 2014/2015 ARC tests; Hatchard 2001 used the same order).
inline constexpr double kArcDetectionRate = 0.02 / 60.0;  // K/s

struct CellTestOptions {
  CellTestMode mode = CellTestMode::kAdiabatic;
  double start_temperature = 298.15;  // K
  double end_time = 24.0 * 3600.0;    // s; the run also stops once it has burnt out and peaked

  // oven
  double oven_temperature = 473.15;         // K, the set point held after the ramp
  double oven_ramp_rate = 5.0 / 60.0;       // K/s, from start_temperature to the set point
  double heat_transfer_coefficient = 10.0;  // W/(m^2 K), natural convection in an oven

  // ARC heat-wait-seek
  double arc_step = 5.0;                          // K per heat step
  double arc_heating_rate = 2.0 / 60.0;           // K/s while heating a step
  double arc_wait_time = 20.0 * 60.0;             // s
  double arc_seek_time = 10.0 * 60.0;             // s
  double arc_detection_rate = kArcDetectionRate;  // K/s
  double arc_max_temperature = 573.15;            // K; heat-wait-seek gives up above it

  double nail_time = -1.0;  // s, forced internal short circuit; < 0: none

  // heater (FTRC): W into the jelly roll until runaway onset. ASSUMED default: the order of the
  // patch heaters of the Databank's 18650 heater tests (docs/databank.md).
  double heater_power = 100.0;

  // Step control of the 0D driver: the kinetics integrator resolves the chemistry within a
  // step; the step only bounds the temperature change between event checks and outputs.
  double max_step = 10.0;               // s
  double max_temperature_change = 1.0;  // K per step
  kernels::KineticsTolerances tolerances{};
};

// Rejects options that make no sense (non-positive temperatures, times, rates), naming the CLI
// flag.
void validate(const CellTestOptions& options);

struct CellTestSample {
  double time = 0;                 // s
  double temperature = 0;          // K
  double self_heating_rate = 0;    // K/s, chemistry only (reactions - latent heat)
  double ambient_temperature = 0;  // K, the oven (or the calorimeter) temperature
  std::array<double, kernels::kMaxReactions> progress{};  // converted share of each reactant
  double electrolyte_left = 0;                            // liquid left / initial liquid
  double short_circuit_power = 0;                         // W, step average
  double vent_heat_power = 0;   // W the vented liquid took out (latent, sensible), step average
  double vented_mass = 0;       // kg of liquid electrolyte (vapour and droplets), cumulative
  double combustion_power = 0;  // W released in the flame (outside the cell), step average
  double pressure = 0;          // Pa, absolute, in the can; NaN without a gas model
  double vent_mass_flow = 0;    // kg/s of gas, vapour and droplets, step average
  double vented_gas_mass = 0;   // kg, cumulative
  double vented_vapour_mass = 0;
  double vented_liquid_mass = 0;      // droplets
  double heat_kept_in_body = 0;       // J, cumulative
  double heat_carried_by_ejecta = 0;  // J, cumulative
};

struct CellTestSummary {
  std::string chemistry;
  std::string electrolyte_class;  // "liquid", "semi-solid", "all-solid"
  std::string mode;
  double end_time = 0;               // s, when the run stopped
  double max_temperature = 0;        // K
  double max_self_heating_rate = 0;  // K/s
  double time_of_max_rate = 0;       // s
  // First time the self-heating rate reached the ARC detection rate (0.02 K/min); for the ARC
  // mode, the seek that detected it. Negative time: never.
  double self_heating_onset_time = -1;
  double self_heating_onset_temperature = 0;
  // Runaway: self-heating rate >= the chemistry's threshold (1 K/s by default).
  bool runaway = false;
  double runaway_onset_time = -1;  // s from the start: the time to runaway
  double runaway_onset_temperature = 0;
  double short_circuit_time = -1;  // s, negative: never
  double vent_time = -1;           // s, negative: never
  double vent_temperature = 0;     // K, the jelly roll's when the vent opened
  double max_pressure = 0;         // Pa, absolute; NaN without a gas model
  bool burnt_out = false;
  double burnt_out_time = -1;  // s, negative: never
  // Energy over the run, J.
  double reaction_heat = 0;
  double vent_heat = 0;  // taken out by the vented liquid (latent and sensible)
  double short_circuit_energy = 0;
  double heat_from_surroundings = 0;  // oven convection, ARC heater, FTRC heater
  double combustion_energy = 0;       // released in the flame, not in the cell
  double heat_kept_in_body = 0;       // of reactions and short, what stayed in the jelly roll
  double heat_carried_by_ejecta = 0;  // what gas, vapour, droplets and solids carried out
  // Mass, kg.
  double vented_mass = 0;  // liquid electrolyte: vapour + droplets
  double vented_gas_mass = 0;
  double vented_vapour_mass = 0;
  double vented_liquid_mass = 0;  // droplets
  double initial_electrolyte = 0;
  double electrolyte_liquid = 0;  // left as liquid at the end
  double electrolyte_vapour = 0;  // left as vapour in the can at the end
  double electrolyte_decomposed = 0;
  // rho cp V (T_end - T_start) - (heat kept in the body + surroundings), J, and (reactions +
  // short) - (body + ejecta), J: zero up to round-off by construction of the kernels.
  double energy_balance_error = 0;
  double heat_split_error = 0;
  // initial - (liquid + vapour + decomposed + vented), kg.
  double electrolyte_balance_error = 0;
  long steps = 0;
  long kinetics_substeps = 0;
};

struct CellTestResult {
  CellTestSummary summary;
  std::vector<std::string> reaction_names;
  std::vector<CellTestSample> samples;
};

// Runs one test. Throws runaway::Error: bad_input for invalid chemistry or options, runtime for
// a kinetics step that failed to converge.
CellTestResult run_cell_test(const kernels::Chemistry& chemistry, const ReferenceCell& cell,
                             const CellTestOptions& options);

// The lowest oven set point at which the cell runs away within options.end_time, bracketed by
// bisection of oven tests to `tolerance` K: runs at `below` must not run away and at `above` must
// (else bad_input naming `flag`). The oven tests are `options` with only the set point changed.
struct CriticalOvenTemperature {
  double below = 0;        // K: no runaway within the end time
  double above = 0;        // K: runaway
  double onset_above = 0;  // s, the onset at `above`
  int oven_tests = 0;
};
CriticalOvenTemperature find_critical_oven_temperature(
    const kernels::Chemistry& chemistry, const ReferenceCell& cell, CellTestOptions options,
    double below, double above, double tolerance = 0.1,
    const std::string& flag = "--critical-oven-temperature");

// Writes the samples as CSV (header row, SI units in the column names). Throws runtime_error
// when the file cannot be written.
void write_cell_test_csv(const CellTestResult& result, const std::string& path);

// Human-readable summary, several lines.
std::string format_cell_test_summary(const CellTestResult& result);

}  // namespace runaway::host
