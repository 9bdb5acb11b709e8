// `runaway fit`: Arrhenius kinetics fitted to accelerating-rate-calorimetry (ARC) data
// (docs/fitting.md). The data's exotherm is compared, as log10 of the self-heating rate at the
// data's temperatures, with an adiabatic 0D run of the kinetics kernels (kernels/kinetics.hpp)
// from the exotherm's first temperature; Eigen's Levenberg-Marquardt adjusts log10(A) and Ea (and
// optionally H and the orders) of chosen reactions of a base chemistry; everything else stays
// fixed.
#pragma once

#include <string>
#include <vector>

#include "host/solver/cell_model.hpp"
#include "kernels/chemistry.hpp"

namespace runaway::host {

// An ARC record: time, temperature and self-heating rate, one row per sample, in time order.
struct ArcData {
  std::string source;               // the file, for messages
  std::vector<double> time;         // s
  std::vector<double> temperature;  // K
  std::vector<double> rate;         // K/s, self-heating rate
};

// Reads a CSV with (at least) the columns time_s, temperature_K and self_heating_rate_K_per_s,
// found by name; other columns are ignored (so `runaway cell -o` files are read as they are).
// Throws bad_input naming the file (and line) for a missing column or a bad number.
ArcData read_arc_csv(const std::string& path);

// The exotherm: rows [first, last] of the data (see detect_exotherm for the rule); the fit uses
// those of them at or above the detection rate (`rows`).
struct Exotherm {
  std::size_t first = 0;
  std::size_t last = 0;
  std::size_t peak = 0;           // row of the largest self-heating rate
  std::vector<std::size_t> rows;  // the rows fitted: rate >= detection, ascending
  std::size_t points() const { return rows.size(); }
};

inline constexpr std::size_t kMinExothermPoints = 20;
inline constexpr double kMinExothermSpan = 10.0;  // K

// The rule (docs/fitting.md "Which rows are the exotherm"):
//  1. peak = the row of the largest rate; the data are flat if it is below `detection_rate`;
//  2. the exotherm starts at the first row at or above detection_rate after the last heater step
//     before the peak. A heater step is an interval whose temperature rose more than 1.5 times
//     faster than the rate column says (a chemistry-only rate, as `runaway cell` writes), or
//     after which the rate falls more than tenfold (a dT/dt column whose heater switched off);
//     so the heat-wait-seek history before the exotherm is left out;
//  3. the end walks forward from the peak while the rate stays >= detection_rate, and is then
//     moved back to the hottest row;
//  4. the rows fitted are those from start to end whose rate is >= detection_rate (an adiabatic
//     exotherm may dip below the detection limit between two reactions: those rows are below
//     what an ARC resolves, but the model runs through them);
//  5. the temperature must not fall between consecutive rows from start to end (non-monotonic),
//     the exotherm must hold >= kMinExothermPoints fitted rows (too short) and span
//     >= kMinExothermSpan (flat). Each failure throws bad_input naming the file and what is
//     wrong.
Exotherm detect_exotherm(const ArcData& data, double detection_rate = kArcDetectionRate);

struct ArcFitOptions {
  std::vector<std::string> reactions;  // names of the reactions fitted; empty: all
  bool fit_heat = false;               // also H of each fitted reaction
  bool fit_orders = false;             // also the orders (m; n where the base's n > 0)
  // Starts from the Townsend & Tou guess with each Ea scaled by (1 + perturb), (1 - perturb)
  // alternately, A moved along so that the rate constant at the reaction's reference temperature
  // stays (a test of the fit's basin; 0: none).
  double perturb = 0.0;
  double detection_rate = kArcDetectionRate;  // K/s
  double out_of_range_penalty = 3.0;          // log10 units per point the model does not reach
  double temperature_step = 0.25;             // K per step of the model's adiabatic run
  int max_model_runs = 4000;                  // Levenberg-Marquardt function evaluations
};

// One fitted quantity, in the units engineers read: log10_A (log10 of 1/s), activation_energy
// (J/mol), heat_of_reaction (J/kg), order_remaining, order_converted.
struct FittedParameter {
  std::string reaction;
  std::string quantity;
  double initial = 0;      // the guess the fit started from
  double value = 0;        // fitted
  double half_width = 0;   // 1.96 sigma from s^2 (J^T J)^-1; NaN when J^T J is singular
  std::string guess_from;  // "Townsend-Tou", "base" (and "perturbed")
};

struct ArcFitResult {
  kernels::Chemistry chemistry;  // the base with the fitted values
  std::vector<FittedParameter> parameters;
  Exotherm exotherm;
  double rms_log10 = 0;          // RMS of log10(rate_model) - log10(rate_data), decades
  double initial_rms_log10 = 0;  // the same at the initial guess
  int iterations = 0;
  int model_runs = 0;
  int status = 0;  // Eigen's LevenbergMarquardtSpace::Status
  std::string status_text;
  // The other start whose fit was better than the given start's ("Townsend-Tou guess" or
  // "base"); empty when the given start won (fit_arc tries all three).
  std::string restarted;
  std::size_t out_of_range = 0;  // data points the fitted model does not reach
  std::vector<double> temperature, rate_data, rate_fit;  // the exotherm; rate_fit NaN off range
};

// Fits `base` to the data's exotherm. Throws bad_input for unfit data (detect_exotherm), unknown
// reaction names or options; runtime_error when the fit does not converge.
ArcFitResult fit_arc(const ArcData& data, const kernels::Chemistry& base,
                     const ArcFitOptions& options = {});

// The model's self-heating rate (K/s) at `temperatures` (ascending): an adiabatic run from the
// exotherm's first temperature, with the base's initial state aged along the data's temperature
// history before the exotherm. NaN where the run does not reach.
std::vector<double> model_rates(const kernels::Chemistry& chemistry, const ArcData& data,
                                const Exotherm& exotherm, const ArcFitOptions& options = {});

// [chemistries.FIT_NAME] with base = `base_name` and [chemistries.FIT_NAME.reactions.NAME]
// overrides of the fitted fields, with the fit's summary as comments.
std::string fitted_chemistry_toml(const ArcFitResult& result, const std::string& fit_name,
                                  const std::string& base_name, const std::string& data_file);

// temperature_K,rate_data_K_per_s,rate_fit_K_per_s,residual_log10 of the exotherm's points.
std::string fit_csv(const ArcFitResult& result);

// Human-readable summary, several lines.
std::string format_fit_summary(const ArcFitResult& result);

}  // namespace runaway::host
