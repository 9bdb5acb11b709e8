// Arrhenius kinetics fitted to ARC data: exotherm detection, the model's adiabatic run, the
// Townsend & Tou initial guess and Eigen's Levenberg-Marquardt (docs/fitting.md).
#include "host/solver/arc_fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include <fmt/core.h>
#include <Eigen/Dense>
#include <unsupported/Eigen/NonLinearOptimization>

#include "common/error.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/config/toml_text.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::host {

using kernels::Chemistry;
using kernels::KineticState;
using kernels::Reaction;

namespace {

constexpr double kLn10 = 2.302585092994046;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string trim(const std::string& s) {
  const auto begin = s.find_first_not_of(" \t\r\"");
  if (begin == std::string::npos) return "";
  const auto end = s.find_last_not_of(" \t\r\"");
  return s.substr(begin, end - begin + 1);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(trim(field));
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

}  // namespace

ArcData read_arc_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw bad_input("cannot open the ARC data file", ErrorContext{path, 0, "", ""});
  ArcData data;
  data.source = path;
  std::string line;
  int line_number = 0;
  std::vector<std::string> header;
  while (header.empty() && std::getline(in, line)) {
    ++line_number;
    if (!trim(line).empty()) header = split_csv(line);
  }
  if (header.empty()) throw bad_input("the file is empty", ErrorContext{path, 0, "", ""});
  const char* const kColumns[] = {"time_s", "temperature_K", "self_heating_rate_K_per_s"};
  std::size_t column[3] = {};
  for (int c = 0; c < 3; ++c) {
    const auto found = std::find(header.begin(), header.end(), kColumns[c]);
    if (found == header.end()) {
      throw bad_input(fmt::format("no column '{}' in the header; an ARC file needs time_s, "
                                  "temperature_K and self_heating_rate_K_per_s",
                                  kColumns[c]),
                      ErrorContext{path, line_number, "", ""});
    }
    column[c] = std::size_t(found - header.begin());
  }
  while (std::getline(in, line)) {
    ++line_number;
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    const std::vector<std::string> fields = split_csv(line);
    double value[3] = {};
    for (int c = 0; c < 3; ++c) {
      const std::string text = column[c] < fields.size() ? fields[column[c]] : std::string();
      char* end = nullptr;
      value[c] = std::strtod(text.c_str(), &end);
      if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(value[c])) {
        throw bad_input("not a finite number",
                        ErrorContext{path, line_number, kColumns[c], text.empty() ? "''" : text});
      }
    }
    if (!data.time.empty() && !(value[0] > data.time.back())) {
      throw bad_input("time must increase from row to row",
                      ErrorContext{path, line_number, "time_s", fmt::format("{}", value[0])});
    }
    data.time.push_back(value[0]);
    data.temperature.push_back(value[1]);
    data.rate.push_back(value[2]);
  }
  return data;
}

Exotherm detect_exotherm(const ArcData& d, double detection_rate) {
  const std::size_t n = d.rate.size();
  const ErrorContext where{d.source, 0, "", ""};
  if (n < kMinExothermPoints) {
    throw bad_input(fmt::format("too short: {} rows; a fit needs an exotherm of at least {} rows",
                                n, kMinExothermPoints),
                    where);
  }
  Exotherm e;
  e.peak = std::size_t(std::max_element(d.rate.begin(), d.rate.end()) - d.rate.begin());
  if (!(d.rate[e.peak] >= detection_rate)) {
    throw bad_input(fmt::format("flat: the self-heating rate never reaches the ARC detection limit "
                                "{:.4g} K/min (largest {:.4g} K/min)",
                                detection_rate * 60.0, d.rate[e.peak] * 60.0),
                    where);
  }
  // A heater step ends at row i: the interval (i-1, i) heated faster than the rate column says
  // (a chemistry-only column), or the rate fell more than tenfold after it (a dT/dt column).
  auto heater_step_ends_at = [&](std::size_t i) {
    const double dt = d.time[i] - d.time[i - 1];
    const double rise = (d.temperature[i] - d.temperature[i - 1]) / dt;
    const double chemistry = std::max(d.rate[i - 1], d.rate[i]);
    return rise > 1.5 * chemistry + 1e-12 || d.rate[i - 1] > 10.0 * d.rate[i];
  };
  std::size_t heater_end = 0;
  for (std::size_t i = e.peak; i >= 1; --i) {
    if (heater_step_ends_at(i)) {
      heater_end = i;
      break;
    }
  }
  e.first = heater_end;
  while (d.rate[e.first] < detection_rate) ++e.first;  // stops at the peak at the latest
  e.last = e.peak;
  while (e.last + 1 < n && d.rate[e.last + 1] >= detection_rate) ++e.last;
  for (std::size_t i = e.first + 1; i <= e.last; ++i) {
    if (d.temperature[i] < d.temperature[i - 1] - 1e-9 * std::fabs(d.temperature[i - 1])) {
      throw bad_input(
          fmt::format("non-monotonic: within the exotherm (rows {} to {} of the data) the "
                      "temperature falls from {:.6g} K to {:.6g} K at t = {:.6g} s; an adiabatic "
                      "exotherm only heats up (smooth or trim the data)",
                      e.first + 1, e.last + 1, d.temperature[i - 1], d.temperature[i], d.time[i]),
          where);
    }
  }
  e.last = std::size_t(std::max_element(d.temperature.begin() + std::ptrdiff_t(e.first),
                                        d.temperature.begin() + std::ptrdiff_t(e.last) + 1) -
                       d.temperature.begin());
  for (std::size_t i = e.first; i <= e.last; ++i) {
    if (d.rate[i] >= detection_rate) e.rows.push_back(i);
  }
  const double span = d.temperature[e.last] - d.temperature[e.first];
  if (e.points() < kMinExothermPoints) {
    throw bad_input(fmt::format("too short: the exotherm (self-heating >= {:.4g} K/min after the "
                                "last heater step) has {} points; a fit needs at least {}",
                                detection_rate * 60.0, e.points(), kMinExothermPoints),
                    where);
  }
  if (span < kMinExothermSpan) {
    throw bad_input(
        fmt::format("flat: the exotherm spans {:.3g} K ({:.6g} to {:.6g} K); a fit "
                    "needs at least {:.3g} K",
                    span, d.temperature[e.first], d.temperature[e.last], kMinExothermSpan),
        where);
  }
  return e;
}

namespace {

// The model's self-heating-rate curve: log10(rate) at strictly increasing temperatures.
struct Curve {
  std::vector<double> temperature;
  std::vector<double> log10_rate;
};

kernels::KineticsTolerances model_tolerances() {
  kernels::KineticsTolerances t;
  t.relative = 1e-9;
  t.absolute_temperature = 1e-7;
  t.absolute_fraction = 1e-12;
  t.max_attempts = 200000;
  return t;
}

// Heat-release shares of each reaction along the run: (temperature, share of reaction i).
struct Shares {
  std::vector<double> temperature;
  std::vector<std::array<double, kernels::kMaxReactions>> share;
};

Curve simulate(const Chemistry& c, const ArcData& d, const Exotherm& e, const ArcFitOptions& o,
               Shares* shares = nullptr) {
  const kernels::KineticsTolerances tolerances = model_tolerances();
  const double rho_cp = c.density * c.heat_capacity;
  const kernels::VentFlow closed{};
  KineticState state = kernels::initial_kinetic_state(c);
  Curve curve;
  // Age the state along the measured history before the exotherm: each interval follows the
  // data's temperature (a source makes up the difference to the chemistry's own heat).
  for (std::size_t j = 0; j < e.first; ++j) {
    const double dt = d.time[j + 1] - d.time[j];
    const double t0 = d.temperature[j];
    const double q = kernels::self_heating_rate(c, t0, state, closed) * rho_cp;
    const double source = rho_cp * (d.temperature[j + 1] - t0) / dt - q;
    KineticState trial = state;
    const kernels::KineticsStepResult r =
        kernels::advance_kinetics(c, t0, trial, dt, source, closed, tolerances);
    if (!r.converged) return curve;
    state = trial;
  }
  // Adiabatic from the exotherm's first temperature, steps of about temperature_step.
  double temperature = d.temperature[e.first];
  double rate = kernels::self_heating_rate(c, temperature, state, closed);
  const double stop_temperature = d.temperature[e.last] + 1.0;
  const double time_limit = 100.0 * (d.time[e.last] - d.time[e.first]) + 3600.0;
  const double dead_rate = 1e-4 * o.detection_rate;  // far below what the data resolve
  double time = 0.0;
  double hint = 0.0;
  curve.temperature.push_back(temperature);
  curve.log10_rate.push_back(std::log10(std::max(rate, 1e-300)));
  for (int step = 0; step < 200000; ++step) {
    if (!(temperature < stop_temperature) || !(time < time_limit) || !(rate > dead_rate)) break;
    double dt = std::min(o.temperature_step / rate, time_limit - time);
    KineticState trial = state;
    kernels::KineticsStepResult r;
    for (int attempt = 0;; ++attempt) {
      trial = state;
      r = kernels::advance_kinetics(c, temperature, trial, dt, 0.0, closed, tolerances, hint);
      if (!r.converged) return curve;
      if (r.temperature - temperature > 4.0 * o.temperature_step && attempt < 40) {
        dt *= 0.25;
        continue;
      }
      break;
    }
    state = trial;
    time += dt;
    hint = r.next_substep;
    if (shares != nullptr) {
      const kernels::KineticsDerivatives dd =
          kernels::kinetics_derivatives(c, r.temperature, state, closed, 0.0);
      std::array<double, kernels::kMaxReactions> share{};
      for (int i = 0; i < c.reaction_count; ++i) {
        share[std::size_t(i)] = c.reactions[i].heat_of_reaction * kernels::reactant_content(c, i) *
                                dd.reaction_rate[i] / std::max(dd.reaction_heat_rate, 1e-300);
      }
      shares->temperature.push_back(r.temperature);
      shares->share.push_back(share);
    }
    if (r.temperature > temperature) {
      curve.temperature.push_back(r.temperature);
      curve.log10_rate.push_back(std::log10(std::max(r.self_heating_rate, 1e-300)));
    }
    temperature = r.temperature;
    rate = r.self_heating_rate;
  }
  return curve;
}

// log10 of the curve's rate at T (linear in T between its points); NaN off its range.
double interpolate(const Curve& curve, double t) {
  const std::vector<double>& x = curve.temperature;
  if (x.empty() || t < x.front() || t > x.back()) return kNaN;
  if (x.size() == 1) return curve.log10_rate.front();
  const std::size_t hi = std::size_t(std::upper_bound(x.begin(), x.end(), t) - x.begin());
  if (hi >= x.size()) return curve.log10_rate.back();
  const std::size_t lo = hi - 1;
  const double w = (t - x[lo]) / (x[hi] - x[lo]);
  return (1.0 - w) * curve.log10_rate[lo] + w * curve.log10_rate[hi];
}

// What the fit varies, per fitted reaction, in well-scaled internal variables:
//   q0 = log10 k(T_ref) = log10 A - Ea / (R T_ref ln 10)   (the rate constant where the reaction
//        dominates: nearly uncorrelated with Ea, unlike log10 A)
//   q1 = ln(Ea / Ea_base)                                  (Ea > 0 by construction)
//   q2 = H / H_base                                        (--fit-heat)
//   q3 = m, q4 = n (n only where the base's n > 0)         (--fit-orders)
enum class Kind { kRateConstant, kActivationEnergy, kHeat, kOrderRemaining, kOrderConverted };

struct Slot {
  int reaction = 0;
  Kind kind = Kind::kRateConstant;
};

struct Parametrisation {
  Chemistry base;
  std::vector<Slot> slots;
  std::vector<double> reference_temperature;  // per reaction index (0 when not fitted)

  Chemistry apply(const Eigen::VectorXd& q) const {
    Chemistry c = base;
    // Ea first: q0 needs it.
    for (std::size_t k = 0; k < slots.size(); ++k) {
      const Slot& s = slots[k];
      const Reaction& b = base.reactions[s.reaction];
      Reaction& r = c.reactions[s.reaction];
      const double v = q[Eigen::Index(k)];
      switch (s.kind) {
        case Kind::kActivationEnergy:
          r.activation_energy = b.activation_energy * std::exp(std::clamp(v, -5.0, 5.0));
          break;
        case Kind::kHeat:
          r.heat_of_reaction = b.heat_of_reaction * v;
          break;
        case Kind::kOrderRemaining:
          r.order_remaining = std::max(0.0, v);
          break;
        case Kind::kOrderConverted:
          r.order_converted = std::max(0.0, v);
          break;
        case Kind::kRateConstant:
          break;
      }
    }
    for (std::size_t k = 0; k < slots.size(); ++k) {
      const Slot& s = slots[k];
      if (s.kind != Kind::kRateConstant) continue;
      const Reaction& b = base.reactions[s.reaction];
      Reaction& r = c.reactions[s.reaction];
      const double t_ref = reference_temperature[std::size_t(s.reaction)];
      double log10_a =
          q[Eigen::Index(k)] + r.activation_energy / (kernels::kGasConstant * t_ref * kLn10);
      log10_a = std::clamp(log10_a, -300.0, 300.0);
      r.pre_exponential_factor = std::pow(10.0, log10_a);
      if (r.temperature_switch && b.pre_exponential_factor > 0.0) {
        r.pre_exponential_factor_above_switch = b.pre_exponential_factor_above_switch *
                                                r.pre_exponential_factor / b.pre_exponential_factor;
      }
    }
    return c;
  }

  // Internal values of a chemistry's fitted fields.
  Eigen::VectorXd internal(const Chemistry& c) const {
    Eigen::VectorXd q(Eigen::Index(slots.size()));
    for (std::size_t k = 0; k < slots.size(); ++k) {
      const Slot& s = slots[k];
      const Reaction& b = base.reactions[s.reaction];
      const Reaction& r = c.reactions[s.reaction];
      const double t_ref = reference_temperature[std::size_t(s.reaction)];
      double v = 0;
      switch (s.kind) {
        case Kind::kRateConstant:
          v = std::log10(r.pre_exponential_factor) -
              r.activation_energy / (kernels::kGasConstant * t_ref * kLn10);
          break;
        case Kind::kActivationEnergy:
          v = std::log(r.activation_energy / b.activation_energy);
          break;
        case Kind::kHeat:
          v = r.heat_of_reaction / b.heat_of_reaction;
          break;
        case Kind::kOrderRemaining:
          v = r.order_remaining;
          break;
        case Kind::kOrderConverted:
          v = r.order_converted;
          break;
      }
      q[Eigen::Index(k)] = v;
    }
    return q;
  }
};

struct Problem {
  const ArcData* data = nullptr;
  Exotherm exotherm;
  ArcFitOptions options;
  Parametrisation parametrisation;
  mutable int runs = 0;

  // log10(rate_model) - log10(rate_data) per exotherm point; the penalty where the model does
  // not reach.
  Eigen::VectorXd residuals(const Chemistry& c) const {
    ++runs;
    const Curve curve = simulate(c, *data, exotherm, options);
    Eigen::VectorXd f(Eigen::Index(exotherm.points()));
    for (std::size_t k = 0; k < exotherm.points(); ++k) {
      const std::size_t row = exotherm.rows[k];
      const double model = interpolate(curve, data->temperature[row]);
      // Off the curve: the penalty, growing by one decade per 10 K beyond the curve's end so that
      // the fit sees which way the curve must move.
      const double beyond =
          curve.temperature.empty()
              ? 0.0
              : std::max(0.0, data->temperature[row] - curve.temperature.back()) / 10.0;
      f[Eigen::Index(k)] = std::isfinite(model)
                               ? model - std::log10(std::max(data->rate[row], 1e-300))
                               : options.out_of_range_penalty + beyond;
    }
    return f;
  }
};

// The functor Eigen's LevenbergMarquardt calls: residuals and a forward-difference Jacobian.
struct Functor {
  using Scalar = double;
  enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };
  using InputType = Eigen::VectorXd;
  using ValueType = Eigen::VectorXd;
  using JacobianType = Eigen::MatrixXd;

  const Problem* problem = nullptr;
  Eigen::VectorXd all;                   // every internal variable; the free ones are the inputs
  std::vector<Eigen::Index> free;        // which of `all` the inputs are
  static constexpr double kStep = 1e-4;  // in the internal variables, all of order 1

  Eigen::VectorXd full(const Eigen::VectorXd& x) const {
    Eigen::VectorXd q = all;
    for (std::size_t k = 0; k < free.size(); ++k) q[free[k]] = x[Eigen::Index(k)];
    return q;
  }
  int inputs() const { return int(free.size()); }
  int values() const { return int(problem->exotherm.points()); }
  int operator()(const Eigen::VectorXd& x, Eigen::VectorXd& f) const {
    f = problem->residuals(problem->parametrisation.apply(full(x)));
    return 0;
  }
  int df(const Eigen::VectorXd& x, Eigen::MatrixXd& jacobian) const {
    const Eigen::VectorXd f0 = problem->residuals(problem->parametrisation.apply(full(x)));
    jacobian.resize(f0.size(), x.size());
    for (Eigen::Index k = 0; k < x.size(); ++k) {
      Eigen::VectorXd moved = x;
      moved[k] += kStep;
      jacobian.col(k) =
          (problem->residuals(problem->parametrisation.apply(full(moved))) - f0) / kStep;
    }
    return 0;
  }
};

const char* status_text(int status) {
  using namespace Eigen::LevenbergMarquardtSpace;
  switch (status) {
    case RelativeReductionTooSmall:
      return "converged (relative reduction of the sum of squares below ftol)";
    case RelativeErrorTooSmall:
      return "converged (relative change of the parameters below xtol)";
    case RelativeErrorAndReductionTooSmall:
      return "converged (parameters and sum of squares settled)";
    case CosinusTooSmall:
      return "converged (residuals orthogonal to the Jacobian)";
    case TooManyFunctionEvaluation:
      return "stopped: too many model runs";
    case FtolTooSmall:
      return "converged (no further reduction possible at machine precision)";
    case XtolTooSmall:
      return "converged (no further parameter change possible at machine precision)";
    case GtolTooSmall:
      return "converged (gradient at machine precision)";
    default:
      return "failed (improper input)";
  }
}

// Reactions in the order their rate constants reach 1e-5 1/s on heating (their onset order).
double onset_of(const Reaction& r) {
  for (double t = 200.0; t < 2000.0; t += 0.5) {
    if (kernels::rate_constant(r, t) >= 1e-5) return t;
  }
  return 2000.0;
}

}  // namespace

std::vector<double> model_rates(const Chemistry& chemistry, const ArcData& data,
                                const Exotherm& exotherm, const ArcFitOptions& options) {
  const Curve curve = simulate(chemistry, data, exotherm, options);
  std::vector<double> rates;
  for (const std::size_t row : exotherm.rows) {
    const double log10_rate = interpolate(curve, data.temperature[row]);
    rates.push_back(std::isfinite(log10_rate) ? std::pow(10.0, log10_rate) : kNaN);
  }
  return rates;
}

ArcFitResult fit_arc(const ArcData& data, const Chemistry& base, const ArcFitOptions& options) {
  validate(base, ErrorContext{"", 0, std::string("chemistries.") + base.name, ""});
  if (!(options.perturb >= 0.0 && options.perturb < 1.0)) {
    throw bad_input("must be in [0, 1)",
                    ErrorContext{"", 0, "--perturb", fmt::format("{}", options.perturb)});
  }
  Problem problem;
  problem.data = &data;
  problem.options = options;
  problem.exotherm = detect_exotherm(data, options.detection_rate);
  const Exotherm& e = problem.exotherm;

  // The fitted reactions, in their onset order.
  std::vector<int> fitted;
  if (options.reactions.empty()) {
    for (int i = 0; i < base.reaction_count; ++i) fitted.push_back(i);
  } else {
    for (const std::string& name : options.reactions) {
      int found = -1;
      std::string known;
      for (int i = 0; i < base.reaction_count; ++i) {
        if (name == base.reactions[i].name) found = i;
        known += (known.empty() ? "" : ", ") + std::string(base.reactions[i].name);
      }
      if (found < 0) {
        throw bad_input(
            fmt::format("chemistry {} has no reaction of this name (it has {})", base.name, known),
            ErrorContext{"", 0, "--fit", name});
      }
      if (std::find(fitted.begin(), fitted.end(), found) == fitted.end()) fitted.push_back(found);
    }
  }
  std::stable_sort(fitted.begin(), fitted.end(), [&](int a, int b) {
    return onset_of(base.reactions[a]) < onset_of(base.reactions[b]);
  });

  // Townsend & Tou: over the rising part of the exotherm (first row to the peak rate), split
  // evenly in temperature over the fitted reactions in onset order, a least-squares line of
  // ln(rate) against 1/T gives slope -Ea/R and intercept ln(A (H W / rho cp) g0), g0 the rest of
  // the rate law at the initial state; so A = exp(intercept) / ((H W / rho cp) g0).
  Parametrisation& p = problem.parametrisation;
  p.base = base;
  p.reference_temperature.assign(std::size_t(kernels::kMaxReactions), 0.0);
  Chemistry guess = base;
  std::vector<std::string> guess_from(std::size_t(kernels::kMaxReactions), "base");
  const double t_low = data.temperature[e.first];
  const double t_high = std::max(data.temperature[e.peak], t_low + kMinExothermSpan);
  const double width = (t_high - t_low) / double(fitted.size());
  const KineticState initial = kernels::initial_kinetic_state(base);
  const double rho_cp = base.density * base.heat_capacity;
  for (std::size_t j = 0; j < fitted.size(); ++j) {
    const int i = fitted[j];
    const double lo = t_low + width * double(j);
    const double hi = lo + width;
    const double t_ref = 0.5 * (lo + hi);
    p.reference_temperature[std::size_t(i)] = t_ref;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int count = 0;
    for (const std::size_t row : e.rows) {
      if (row > e.peak) break;
      const double t = data.temperature[row];
      if (t < lo || t > hi || !(data.rate[row] > 0.0)) continue;
      const double x = 1.0 / t;
      const double y = std::log(data.rate[row]);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      ++count;
    }
    const double denominator = count * sxx - sx * sx;
    if (count < 5 || !(denominator > 0.0)) continue;
    const double slope = (count * sxy - sx * sy) / denominator;
    const double intercept = (sy - slope * sx) / count;
    const Reaction& r = base.reactions[i];
    const double ea = -slope * kernels::kGasConstant;
    const double heat = r.heat_of_reaction * kernels::reactant_content(base, i) / rho_cp;  // K
    const double own = r.reactant_is_electrolyte ? initial.electrolyte_left : initial.remaining[i];
    const double g0 = kernels::reaction_rate(r, own, initial.electrolyte_left, t_ref,
                                             kernels::electrolyte_content(base) > 0.0)
                          .rate /
                      kernels::rate_constant(r, t_ref);
    // Meaningful: an Ea within a factor 4 of the base's and an exothermic reaction.
    if (!(ea > 0.25 * r.activation_energy && ea < 4.0 * r.activation_energy) || !(heat > 0.0) ||
        !(g0 > 0.0) || !std::isfinite(g0)) {
      continue;
    }
    const double ln_a = intercept - std::log(heat * g0);
    if (!(std::fabs(ln_a) < 300.0 * kLn10)) continue;
    guess.reactions[i].activation_energy = ea;
    guess.reactions[i].pre_exponential_factor = std::exp(ln_a);
    if (r.temperature_switch && r.pre_exponential_factor > 0.0) {
      guess.reactions[i].pre_exponential_factor_above_switch =
          r.pre_exponential_factor_above_switch * std::exp(ln_a) / r.pre_exponential_factor;
    }
    guess_from[std::size_t(i)] = "Townsend-Tou";
  }
  for (const int i : fitted) {
    p.slots.push_back({i, Kind::kRateConstant});
    p.slots.push_back({i, Kind::kActivationEnergy});
    if (options.fit_heat && base.reactions[i].heat_of_reaction != 0.0) {
      p.slots.push_back({i, Kind::kHeat});
    }
    if (options.fit_orders) {
      p.slots.push_back({i, Kind::kOrderRemaining});
      if (base.reactions[i].order_converted > 0.0) p.slots.push_back({i, Kind::kOrderConverted});
    }
  }
  const Eigen::Index m = Eigen::Index(e.points());
  const Eigen::Index n = Eigen::Index(p.slots.size());
  if (m <= n) {
    throw bad_input(fmt::format("too short: {} exotherm points for {} fitted parameters",
                                e.points(), p.slots.size()),
                    ErrorContext{data.source, 0, "", ""});
  }

  // Start from the Townsend & Tou guess or the base, whichever fits the data better.
  Eigen::VectorXd q_guess = p.internal(guess);
  Eigen::VectorXd q_base = p.internal(base);
  const double ssr_guess = problem.residuals(p.apply(q_guess)).squaredNorm();
  const double ssr_base = problem.residuals(p.apply(q_base)).squaredNorm();
  Eigen::VectorXd q = ssr_guess <= ssr_base ? q_guess : q_base;
  if (!(ssr_guess <= ssr_base)) std::fill(guess_from.begin(), guess_from.end(), "base");
  if (options.perturb > 0.0) {
    int sign = 1;
    for (std::size_t k = 0; k < p.slots.size(); ++k) {
      if (p.slots[k].kind != Kind::kActivationEnergy) continue;
      q[Eigen::Index(k)] += std::log(1.0 + sign * options.perturb);
      sign = -sign;
    }
  }
  const Chemistry start = p.apply(q);
  ArcFitResult result;
  result.exotherm = e;
  result.initial_rms_log10 = std::sqrt(problem.residuals(start).squaredNorm() / double(m));

  // Two stages: the rate constants alone (Ea held), which puts each reaction where the data
  // have it, then everything (a start whose Ea is far off would otherwise wander off first).
  Functor functor;
  functor.problem = &problem;
  struct Solution {
    Eigen::VectorXd q;
    int status = 0;
    int iterations = 0;
    double ssr = HUGE_VAL;
  };
  auto solve = [&](Eigen::VectorXd from) {
    Solution out;
    for (int stage = 0; stage < 2; ++stage) {
      functor.all = from;
      functor.free.clear();
      for (std::size_t k = 0; k < p.slots.size(); ++k) {
        if (stage == 1 || p.slots[k].kind == Kind::kRateConstant) {
          functor.free.push_back(Eigen::Index(k));
        }
      }
      Eigen::VectorXd x(Eigen::Index(functor.free.size()));
      for (std::size_t k = 0; k < functor.free.size(); ++k) {
        x[Eigen::Index(k)] = from[functor.free[k]];
      }
      Eigen::LevenbergMarquardt<Functor> lm(functor);
      lm.parameters.maxfev = options.max_model_runs;
      lm.parameters.xtol = 1e-10;
      lm.parameters.ftol = 1e-12;
      lm.parameters.factor = 1.0;  // first step bound: stay in the basin of the start
      out.status = int(lm.minimize(x));
      from = functor.full(x);
      out.iterations += int(lm.iter);
      if (out.status <= 0 ||
          out.status == Eigen::LevenbergMarquardtSpace::TooManyFunctionEvaluation) {
        break;
      }
    }
    out.q = from;
    out.ssr = problem.residuals(p.apply(from)).squaredNorm();
    return out;
  };
  auto converged = [](const Solution& x) {
    return x.status > 0 && x.status != Eigen::LevenbergMarquardtSpace::TooManyFunctionEvaluation;
  };
  // Several starts, the best converged one kept: the given start, and the data's Townsend & Tou
  // guess and the base when they differ from it. Levenberg-Marquardt finds the minimum of the
  // basin it starts in; ln(rate) vs T has more than one basin when a start's Ea is far off (a 30 %
  // error on two reactions' Ea stopped at 0.2 decades RMS), and the data's own guess is in the
  // right one whenever the reactions are separated in temperature.
  Solution best = solve(q);
  result.iterations = best.iterations;
  for (const Eigen::VectorXd* other : {&q_guess, &q_base}) {
    if ((*other - q).norm() < 1e-12) continue;
    const Solution candidate = solve(*other);
    result.iterations += candidate.iterations;
    if (converged(candidate) && (!converged(best) || candidate.ssr < best.ssr * (1 - 1e-9))) {
      best = candidate;
      result.restarted = other == &q_guess ? "Townsend-Tou guess" : "base";
    }
  }
  q = best.q;
  const int status = best.status;
  result.status = status;
  result.status_text = status_text(status);
  if (status <= 0 || status == Eigen::LevenbergMarquardtSpace::TooManyFunctionEvaluation) {
    throw runtime_error(fmt::format("the fit did not converge: {} after {} iterations and {} "
                                    "model runs; try --fit with fewer reactions",
                                    result.status_text, result.iterations, problem.runs),
                        ErrorContext{data.source, 0, "", ""});
  }
  result.chemistry = p.apply(q);

  // Residuals and the covariance s^2 (J^T J)^-1 at the solution, in the internal variables, then
  // carried to the reported quantities by their derivatives G: C = G C_q G^T.
  const Eigen::VectorXd f = problem.residuals(result.chemistry);
  Eigen::MatrixXd jacobian;
  functor.all = q;
  functor.free.clear();
  for (Eigen::Index k = 0; k < n; ++k) functor.free.push_back(k);
  functor.df(q, jacobian);
  result.model_runs = problem.runs;
  const double ssr = f.squaredNorm();
  result.rms_log10 = std::sqrt(ssr / double(m));
  const double s2 = ssr / double(m - n);
  const Eigen::MatrixXd jtj = jacobian.transpose() * jacobian;
  Eigen::FullPivLU<Eigen::MatrixXd> lu(jtj);
  Eigen::MatrixXd covariance = Eigen::MatrixXd::Constant(n, n, kNaN);
  if (lu.isInvertible()) covariance = s2 * lu.inverse();
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(n, n);
  const Chemistry& fit = result.chemistry;
  for (std::size_t k = 0; k < p.slots.size(); ++k) {
    const Slot& s = p.slots[k];
    const Eigen::Index kk = Eigen::Index(k);
    const Reaction& r = fit.reactions[s.reaction];
    const Reaction& b = base.reactions[s.reaction];
    if (s.kind == Kind::kRateConstant) {
      // log10 A = q0 + Ea / (R T_ref ln 10), Ea = Ea_base exp(q1): the q1 slot follows.
      g(kk, kk) = 1.0;
      g(kk, kk + 1) =
          r.activation_energy /
          (kernels::kGasConstant * p.reference_temperature[std::size_t(s.reaction)] * kLn10);
    } else if (s.kind == Kind::kActivationEnergy) {
      g(kk, kk) = r.activation_energy;
    } else if (s.kind == Kind::kHeat) {
      g(kk, kk) = b.heat_of_reaction;
    } else {
      g(kk, kk) = 1.0;
    }
  }
  const Eigen::MatrixXd reported = g * covariance * g.transpose();
  const Chemistry& initial_chemistry = start;
  for (std::size_t k = 0; k < p.slots.size(); ++k) {
    const Slot& s = p.slots[k];
    const Reaction& r = fit.reactions[s.reaction];
    const Reaction& r0 = initial_chemistry.reactions[s.reaction];
    FittedParameter fp;
    fp.reaction = r.name;
    fp.guess_from = guess_from[std::size_t(s.reaction)];
    if (options.perturb > 0.0) fp.guess_from += ", perturbed";
    switch (s.kind) {
      case Kind::kRateConstant:
        fp.quantity = "log10_A";
        fp.initial = std::log10(r0.pre_exponential_factor);
        fp.value = std::log10(r.pre_exponential_factor);
        break;
      case Kind::kActivationEnergy:
        fp.quantity = "activation_energy";
        fp.initial = r0.activation_energy;
        fp.value = r.activation_energy;
        break;
      case Kind::kHeat:
        fp.quantity = "heat_of_reaction";
        fp.initial = r0.heat_of_reaction;
        fp.value = r.heat_of_reaction;
        break;
      case Kind::kOrderRemaining:
        fp.quantity = "order_remaining";
        fp.initial = r0.order_remaining;
        fp.value = r.order_remaining;
        break;
      case Kind::kOrderConverted:
        fp.quantity = "order_converted";
        fp.initial = r0.order_converted;
        fp.value = r.order_converted;
        break;
    }
    const double variance = reported(Eigen::Index(k), Eigen::Index(k));
    fp.half_width = variance >= 0.0 ? 1.96 * std::sqrt(variance) : kNaN;
    result.parameters.push_back(fp);
  }
  const std::vector<double> rates = model_rates(result.chemistry, data, e, options);
  for (std::size_t k = 0; k < e.points(); ++k) {
    result.temperature.push_back(data.temperature[e.rows[k]]);
    result.rate_data.push_back(data.rate[e.rows[k]]);
    result.rate_fit.push_back(rates[k]);
    if (!std::isfinite(rates[k])) ++result.out_of_range;
  }
  return result;
}

std::string fitted_chemistry_toml(const ArcFitResult& result, const std::string& fit_name,
                                  const std::string& base_name, const std::string& data_file) {
  const Exotherm& e = result.exotherm;
  std::string out;
  out += fmt::format("# Fitted by `runaway fit` to {} ({} exotherm points, {:.2f} to {:.2f} K)\n",
                     data_file, e.points(), result.temperature.front(), result.temperature.back());
  out += fmt::format("# RMS residual {:.4g} decades of self-heating rate; {} iterations\n",
                     result.rms_log10, result.iterations);
  out += "# 95 % intervals (1.96 sigma, from the Jacobian at the solution):\n";
  for (const FittedParameter& fp : result.parameters) {
    out += fmt::format("#   {}.{} = {:.6g} +- {:.3g}\n", fp.reaction, fp.quantity, fp.value,
                       fp.half_width);
  }
  out += fmt::format("[chemistries.{}]\nbase = {}\n", fit_name, quoted(base_name));
  std::vector<std::string> reactions;
  for (const FittedParameter& fp : result.parameters) {
    if (std::find(reactions.begin(), reactions.end(), fp.reaction) == reactions.end()) {
      reactions.push_back(fp.reaction);
    }
  }
  const Chemistry& c = result.chemistry;
  for (const std::string& name : reactions) {
    out += fmt::format("\n[chemistries.{}.reactions.{}]\n", fit_name, name);
    const Reaction* r = nullptr;
    for (int i = 0; i < c.reaction_count; ++i) {
      if (name == c.reactions[i].name) r = &c.reactions[i];
    }
    for (const FittedParameter& fp : result.parameters) {
      if (fp.reaction != name) continue;
      if (fp.quantity == "log10_A") {
        out += "pre_exponential_factor = " + float_text(r->pre_exponential_factor) + "\n";
        if (r->temperature_switch) {
          out += "pre_exponential_factor_above_switch = " +
                 float_text(r->pre_exponential_factor_above_switch) + "\n";
        }
      } else if (fp.quantity == "activation_energy") {
        out += "activation_energy = " + float_text(r->activation_energy) + "\n";
      } else if (fp.quantity == "heat_of_reaction") {
        out += "heat_of_reaction = " + float_text(r->heat_of_reaction) + "\n";
      } else if (fp.quantity == "order_remaining") {
        out += "order_remaining = " + float_text(r->order_remaining) + "\n";
      } else if (fp.quantity == "order_converted") {
        out += "order_converted = " + float_text(r->order_converted) + "\n";
      }
    }
  }
  return out;
}

std::string fit_csv(const ArcFitResult& result) {
  std::string out = "temperature_K,rate_data_K_per_s,rate_fit_K_per_s,residual_log10\n";
  for (std::size_t k = 0; k < result.temperature.size(); ++k) {
    const double fit = result.rate_fit[k];
    const double residual =
        std::isfinite(fit) ? std::log10(fit) - std::log10(result.rate_data[k]) : kNaN;
    out += fmt::format("{:.9g},{:.9g},{:.9g},{:.6g}\n", result.temperature[k], result.rate_data[k],
                       fit, residual);
  }
  return out;
}

std::string format_fit_summary(const ArcFitResult& result) {
  const Exotherm& e = result.exotherm;
  std::string out;
  out += fmt::format(
      "exotherm:        rows {} to {} of the data: {} points fitted, {:.2f} to {:.2f} K, peak "
      "{:.4g} "
      "K/s\n",
      e.first + 1, e.last + 1, e.points(), result.temperature.front(), result.temperature.back(),
      *std::max_element(result.rate_data.begin(), result.rate_data.end()));
  out += fmt::format("fit:             {} after {} iterations ({} model runs)\n",
                     result.status_text, result.iterations, result.model_runs);
  if (!result.restarted.empty()) {
    out += fmt::format("                 the fit from the {} beat the given start's\n",
                       result.restarted);
  }
  out += fmt::format("residual:        RMS {:.4g} decades of self-heating rate (start {:.4g})\n",
                     result.rms_log10, result.initial_rms_log10);
  if (result.out_of_range > 0) {
    out += fmt::format("                 {} points beyond the fitted model's curve\n",
                       result.out_of_range);
  }
  for (const FittedParameter& fp : result.parameters) {
    const std::string unit = fp.quantity == "activation_energy"  ? " J/mol"
                             : fp.quantity == "heat_of_reaction" ? " J/kg"
                             : fp.quantity == "log10_A"          ? " (A in 1/s)"
                                                                 : "";
    out += fmt::format("{:<32} {:.6g} +- {:.3g}{}   (start {:.6g}, {})\n",
                       fp.reaction + "." + fp.quantity, fp.value, fp.half_width, unit, fp.initial,
                       fp.guess_from);
  }
  return out;
}

}  // namespace runaway::host
