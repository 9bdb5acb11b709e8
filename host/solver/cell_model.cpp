// 0D cell tests: the jelly roll as one voxel, advanced by the same kinetics and event kernels as
// the 3D solver. The surroundings (oven convection, ARC heater) enter each kinetics step as a
// constant source evaluated at the start of the step, which is why the step is kept well below
// the cell's thermal time constant rho cp V / (h A).
#include "host/solver/cell_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include <fmt/core.h>

#include "common/error.hpp"
#include "kernels/cell_events.hpp"

namespace runaway::host {

using kernels::Chemistry;
using kernels::KineticState;

const char* cell_test_mode_name(CellTestMode mode) {
  switch (mode) {
    case CellTestMode::kAdiabatic:
      return "adiabatic";
    case CellTestMode::kOven:
      return "oven";
    case CellTestMode::kArc:
      return "arc";
    case CellTestMode::kHeater:
      return "heater";
  }
  return "unknown";
}

CellTestMode parse_cell_test_mode(const std::string& text, const std::string& key) {
  if (text == "adiabatic") return CellTestMode::kAdiabatic;
  if (text == "oven") return CellTestMode::kOven;
  if (text == "arc") return CellTestMode::kArc;
  if (text == "heater") return CellTestMode::kHeater;
  throw bad_input("unknown test mode; expected adiabatic, oven, arc or heater",
                  ErrorContext{"", 0, key, text});
}

namespace {

void require_positive(double value, const char* key, const char* unit) {
  if (!std::isfinite(value) || !(value > 0.0)) {
    throw bad_input(fmt::format("must be a finite number > 0 {}", unit),
                    ErrorContext{"", 0, key, fmt::format("{}", value)});
  }
}

// ARC heat-wait-seek phases.
enum class ArcPhase { kHeat, kWait, kSeek, kExotherm, kGaveUp };

}  // namespace

void validate(const CellTestOptions& o) {
  require_positive(o.start_temperature, "--start-temperature", "K");
  require_positive(o.end_time, "--end-time", "s");
  require_positive(o.max_step, "max_step", "s");
  require_positive(o.max_temperature_change, "max_temperature_change", "K");
  if (o.mode == CellTestMode::kOven) {
    require_positive(o.oven_temperature, "--oven-temperature", "K");
    require_positive(o.oven_ramp_rate, "--oven-ramp-rate", "K/s");
    require_positive(o.heat_transfer_coefficient, "--heat-transfer-coefficient", "W/(m^2 K)");
  }
  if (o.mode == CellTestMode::kArc) {
    require_positive(o.arc_step, "--arc-step", "K");
    require_positive(o.arc_heating_rate, "--arc-heating-rate", "K/s");
    require_positive(o.arc_wait_time, "--arc-wait-time", "s");
    require_positive(o.arc_seek_time, "--arc-seek-time", "s");
    require_positive(o.arc_detection_rate, "--arc-detection-rate", "K/s");
    require_positive(o.arc_max_temperature, "--arc-max-temperature", "K");
  }
  if (o.mode == CellTestMode::kHeater) require_positive(o.heater_power, "--heater-power", "W");
  if (!std::isfinite(o.nail_time)) {
    throw bad_input("must be a finite time in s (negative: no nail)",
                    ErrorContext{"", 0, "--nail-time", fmt::format("{}", o.nail_time)});
  }
}

CellTestResult run_cell_test(const Chemistry& chemistry, const ReferenceCell& cell,
                             const CellTestOptions& options) {
  validate(chemistry, ErrorContext{"", 0, std::string("chemistries.") + chemistry.name, ""});
  validate(options);
  require_positive(cell.jelly_roll_volume, "cell.jelly_roll_volume", "m^3");
  require_positive(cell.surface_area, "cell.surface_area", "m^2");

  const double volume = cell.jelly_roll_volume;
  const double rho_cp = chemistry.density * chemistry.heat_capacity;
  const double heat_capacity_of_cell = rho_cp * volume;  // J/K
  const kernels::CellEventParameters events = kernels::make_cell_event_parameters(
      chemistry, volume,
      kernels::stored_electrical_energy(cell.charge_capacity, cell.voltage, cell.state_of_charge),
      options.start_temperature, options.nail_time);
  const double electrolyte_per_share = kernels::electrolyte_content(chemistry) * volume;  // kg

  CellTestResult result;
  CellTestSummary& s = result.summary;
  s.chemistry = chemistry.name;
  s.electrolyte_class = kernels::electrolyte_class_name(
      kernels::classify_electrolyte(chemistry.liquid_electrolyte_fraction));
  s.mode = cell_test_mode_name(options.mode);
  for (int i = 0; i < chemistry.reaction_count; ++i) {
    result.reaction_names.emplace_back(chemistry.reactions[i].name);
  }

  KineticState state = kernels::initial_kinetic_state(chemistry);
  kernels::CellEventState cell_state =
      kernels::start_cell_events(events, state.electrolyte_left * electrolyte_per_share);
  s.initial_electrolyte = state.electrolyte_left * electrolyte_per_share;
  double time = 0.0;
  double temperature = options.start_temperature;
  double substep_hint = 0.0;
  const double start_rate = kernels::self_heating_rate(chemistry, temperature, state);

  // Largest step: max_step, and a tenth of the thermal time constant when coupled to an oven.
  double step_limit = options.max_step;
  if (options.mode == CellTestMode::kOven) {
    const double time_constant =
        heat_capacity_of_cell / (options.heat_transfer_coefficient * cell.surface_area);
    step_limit = std::min(step_limit, 0.1 * time_constant);
  }

  auto oven_temperature_at = [&](double t) {
    const double target = options.oven_temperature;
    const double start = options.start_temperature;
    const double ramped = start + (target > start ? 1.0 : -1.0) * options.oven_ramp_rate * t;
    return target > start ? std::min(ramped, target) : std::max(ramped, target);
  };

  ArcPhase arc_phase = ArcPhase::kHeat;
  double arc_target = options.start_temperature + options.arc_step;
  double arc_phase_end = 0.0;  // end time of a wait or seek
  if (options.mode == CellTestMode::kArc) {
    // The first step is a seek at the start temperature: a cell that already self-heats there
    // is detected at once.
    arc_phase = ArcPhase::kSeek;
    arc_target = options.start_temperature;
    arc_phase_end = options.arc_seek_time;
  }

  auto ambient_at = [&](double t, double cell_temperature) {
    if (options.mode == CellTestMode::kOven) return oven_temperature_at(t);
    return cell_temperature;  // adiabatic calorimeter follows the cell
  };

  auto record = [&](const kernels::KineticsStepResult* r, double dt, double short_energy,
                    double combustion_energy) {
    CellTestSample sample;
    sample.time = time;
    sample.temperature = temperature;
    sample.self_heating_rate = r != nullptr
                                   ? r->self_heating_rate
                                   : kernels::self_heating_rate(chemistry, temperature, state);
    sample.ambient_temperature = ambient_at(time, temperature);
    for (int i = 0; i < chemistry.reaction_count; ++i) {
      sample.progress[static_cast<std::size_t>(i)] =
          kernels::reaction_progress(chemistry, state, i);
    }
    sample.electrolyte_left = state.electrolyte_left;
    if (r != nullptr && dt > 0.0) {
      sample.short_circuit_power = short_energy / dt;
      sample.vent_heat_power = r->vent_heat * volume / dt;
      sample.combustion_power = combustion_energy / dt;
      sample.vent_mass_flow = cell_state.vent_mass_flow;
    }
    sample.vented_mass = cell_state.vented_mass;
    sample.pressure = cell_state.pressure;
    sample.vented_gas_mass = cell_state.vented_gas_mass;
    sample.vented_vapour_mass = cell_state.vented_vapour_mass;
    sample.vented_liquid_mass = cell_state.vented_liquid_mass;
    sample.heat_kept_in_body = cell_state.body_heat;
    sample.heat_carried_by_ejecta = cell_state.ejecta_heat;
    result.samples.push_back(sample);
  };
  // Event times for the summary, from the flags a check fired.
  auto note = [&](unsigned fired) {
    if ((fired & kernels::kEventShortCircuit) != 0) {
      s.short_circuit_time = cell_state.short_circuit_start_time;
    }
    if ((fired & kernels::kEventVent) != 0) {
      s.vent_time = cell_state.vent_open_time;
      s.vent_temperature = temperature;
    }
    if ((fired & kernels::kEventRunaway) != 0) {
      s.runaway = true;
      s.runaway_onset_time = cell_state.runaway_onset_time;
      s.runaway_onset_temperature = cell_state.runaway_onset_temperature;
    }
    if ((fired & kernels::kEventBurntOut) != 0) {
      s.burnt_out = true;
      s.burnt_out_time = cell_state.burnt_out_time;
    }
  };
  // The check at the start, as the 3D simulation does: a cell above a threshold fires at once.
  note(kernels::update_cell_events(events, cell_state, {time, temperature, start_rate, NAN, 0.0}));
  record(nullptr, 0.0, 0.0, 0.0);
  s.max_temperature = temperature;
  s.max_pressure = cell_state.pressure;

  double dt = std::min(1.0, step_limit);
  while (time < options.end_time * (1.0 - 1e-12)) {
    // Step length: the controller's dt, clipped to the end, the nail and ARC phase boundaries.
    double step = std::min({dt, step_limit, options.end_time - time});
    if (options.nail_time > time && options.nail_time < time + step) {
      step = options.nail_time - time;
    }
    double heater_rate = 0.0;  // W/m^3 from an ARC heater
    if (options.mode == CellTestMode::kArc) {
      if (arc_phase == ArcPhase::kHeat) {
        heater_rate = rho_cp * options.arc_heating_rate;
        const double to_target = (arc_target - temperature) / options.arc_heating_rate;
        step = std::min(step, std::max(to_target, 1e-3));
      } else if (arc_phase == ArcPhase::kWait || arc_phase == ArcPhase::kSeek) {
        step = std::min(step, std::max(arc_phase_end - time, 1e-6));
      }
    }
    double surroundings_rate = heater_rate;  // W/m^3
    if (options.mode == CellTestMode::kHeater && !s.runaway) {
      surroundings_rate = options.heater_power / volume;
    }
    if (options.mode == CellTestMode::kOven) {
      const double t_oven = oven_temperature_at(time + 0.5 * step);
      surroundings_rate =
          options.heat_transfer_coefficient * cell.surface_area * (t_oven - temperature) / volume;
    }
    const double cell_source = kernels::cell_heat_source(events, cell_state, time, step);
    const kernels::VentFlow vent =
        kernels::cell_vent_flow(events, cell_state, time, temperature,
                                state.electrolyte_left * electrolyte_per_share, step);

    // Until the onset, the integrator watches the self-heating rate sub-step by sub-step.
    const double watched_rate = kernels::has_event(cell_state, kernels::kEventRunaway)
                                    ? 0.0
                                    : events.runaway_rate_threshold;
    KineticState trial = state;
    kernels::KineticsStepResult r = kernels::advance_kinetics(
        chemistry, temperature, trial, step, cell_source + surroundings_rate, vent,
        options.tolerances, substep_hint, watched_rate);
    if (options.mode == CellTestMode::kOven && r.converged) {
      // The oven's exchange at the step's mean temperature (trapezoidal predictor-corrector):
      // second order in the step, where the start temperature alone was first order and put the
      // published oven case's onset 1 % early.
      const double t_oven = oven_temperature_at(time + 0.5 * step);
      surroundings_rate = options.heat_transfer_coefficient * cell.surface_area *
                          (t_oven - 0.5 * (temperature + r.temperature)) / volume;
      trial = state;
      r = kernels::advance_kinetics(chemistry, temperature, trial, step,
                                    cell_source + surroundings_rate, vent, options.tolerances,
                                    substep_hint, watched_rate);
    }
    if (!r.converged) {
      throw runtime_error(fmt::format("kinetics did not converge at t = {} s, T = {} K after {} "
                                      "sub-steps; tighten max_step",
                                      time, temperature, r.accepted_substeps + r.rejected_substeps),
                          ErrorContext{"", 0, "chemistry", chemistry.name});
    }
    const double change = std::fabs(r.temperature - temperature);
    if (change > options.max_temperature_change && step > 1e-9) {
      dt = step * std::max(0.1, 0.8 * options.max_temperature_change / change);
      continue;  // redo the step shorter: the state was not touched
    }

    // Accept.
    state = trial;
    substep_hint = r.next_substep;
    // The cell's step closes with the event model the 3D simulation uses; onset is where the
    // self-heating rate crossed the threshold, as for a voxel of a pack.
    const double onset = r.watched_rate_crossing >= 0.0 ? time + r.watched_rate_crossing : NAN;
    kernels::CellObservation seen{time + step, r.temperature, r.self_heating_rate, onset,
                                  r.vented_mass * volume};
    seen.mean_temperature = r.temperature;
    seen.liquid_mass = trial.electrolyte_left * electrolyte_per_share;
    seen.gas_generated = r.gas_generated * volume;
    seen.reaction_heat_kept = r.heat_released * volume;
    seen.ejected_heat = r.ejected_heat * volume;
    seen.vent_heat = r.vent_heat * volume;
    seen.electrolyte_decomposed = r.electrolyte_decomposed * volume;
    double short_energy = 0.0;
    double combustion_energy = 0.0;
    const unsigned fired =
        kernels::close_cell_step(events, cell_state, seen, step, &short_energy, &combustion_energy);
    s.reaction_heat += r.reaction_heat * volume;
    s.vent_heat += r.vent_heat * volume;
    s.short_circuit_energy += short_energy;
    s.heat_from_surroundings += surroundings_rate * step * volume;
    s.combustion_energy += combustion_energy;
    s.kinetics_substeps += r.accepted_substeps;
    ++s.steps;
    time += step;
    const bool rising = r.temperature > temperature;
    temperature = r.temperature;

    note(fired);
    if (options.mode != CellTestMode::kArc && s.self_heating_onset_time < 0.0 &&
        r.self_heating_rate >= options.arc_detection_rate) {
      s.self_heating_onset_time = time;
      s.self_heating_onset_temperature = temperature;
    }
    if (temperature > s.max_temperature) s.max_temperature = temperature;
    if (!(cell_state.pressure <= s.max_pressure)) s.max_pressure = cell_state.pressure;
    if (r.self_heating_rate > s.max_self_heating_rate) {
      s.max_self_heating_rate = r.self_heating_rate;
      s.time_of_max_rate = time;
    }

    if (options.mode == CellTestMode::kArc) {
      switch (arc_phase) {
        case ArcPhase::kHeat:
          if (temperature >= arc_target - 1e-9) {
            arc_phase = ArcPhase::kWait;
            arc_phase_end = time + options.arc_wait_time;
          }
          break;
        case ArcPhase::kWait:
          if (time >= arc_phase_end - 1e-9) {
            arc_phase = ArcPhase::kSeek;
            arc_phase_end = time + options.arc_seek_time;
          }
          break;
        case ArcPhase::kSeek:
          if (time >= arc_phase_end - 1e-9) {
            if (r.self_heating_rate >= options.arc_detection_rate) {
              arc_phase = ArcPhase::kExotherm;
              s.self_heating_onset_time = time;
              s.self_heating_onset_temperature = temperature;
            } else if (arc_target + options.arc_step > options.arc_max_temperature) {
              arc_phase = ArcPhase::kGaveUp;
            } else {
              arc_phase = ArcPhase::kHeat;
              arc_target = temperature + options.arc_step;
            }
          }
          break;
        case ArcPhase::kExotherm:
        case ArcPhase::kGaveUp:
          break;
      }
    }

    record(&r, step, short_energy, combustion_energy);
    // Burnt out and past its peak: the cell's own sources are spent and it no longer heats up.
    if (s.burnt_out && !rising) break;
    if (arc_phase == ArcPhase::kGaveUp) break;
    // Grow the step towards the allowed temperature change (at most doubling).
    const double growth = change > 0.0 ? 0.8 * options.max_temperature_change / change : 2.0;
    dt = step * std::min(2.0, std::max(0.5, growth));
    if (dt < 1e-9) dt = 1e-9;
  }

  s.end_time = time;
  s.vented_mass = cell_state.vented_mass;
  s.vented_gas_mass = cell_state.vented_gas_mass;
  s.vented_vapour_mass = cell_state.vented_vapour_mass;
  s.vented_liquid_mass = cell_state.vented_liquid_mass;
  s.heat_kept_in_body = cell_state.body_heat;
  s.heat_carried_by_ejecta = cell_state.ejecta_heat;
  const double pool = state.electrolyte_left * electrolyte_per_share;
  s.electrolyte_vapour = std::min(cell_state.vapour_mass, pool);
  s.electrolyte_liquid = pool - s.electrolyte_vapour;
  s.electrolyte_decomposed = cell_state.electrolyte_decomposed;
  s.electrolyte_balance_error =
      s.initial_electrolyte -
      (s.electrolyte_liquid + s.electrolyte_vapour + s.electrolyte_decomposed + s.vented_mass);
  // The enthalpy the last step's gas owes the roll is in neither share until the roll gives it.
  const double stored = heat_capacity_of_cell * (temperature - options.start_temperature);
  s.energy_balance_error = stored - (s.heat_kept_in_body + s.heat_from_surroundings);
  s.heat_split_error =
      (s.reaction_heat + s.short_circuit_energy) - (s.heat_kept_in_body + s.heat_carried_by_ejecta);
  return result;
}

CriticalOvenTemperature find_critical_oven_temperature(const Chemistry& chemistry,
                                                       const ReferenceCell& cell,
                                                       CellTestOptions options, double below,
                                                       double above, double tolerance,
                                                       const std::string& flag) {
  options.mode = CellTestMode::kOven;
  CriticalOvenTemperature c;
  auto runs_away = [&](double oven, double* onset) {
    options.oven_temperature = oven;
    ++c.oven_tests;
    const CellTestSummary s = run_cell_test(chemistry, cell, options).summary;
    if (onset != nullptr) *onset = s.runaway_onset_time;
    return s.runaway;
  };
  if (!(below < above) || !(tolerance > 0.0)) {
    throw bad_input("needs LOW < HIGH (K)",
                    ErrorContext{"", 0, flag, fmt::format("{},{}", below, above)});
  }
  if (runs_away(below, nullptr)) {
    throw bad_input(fmt::format("the cell already runs away at {} K within {} s: lower LOW", below,
                                options.end_time),
                    ErrorContext{"", 0, flag, fmt::format("{}", below)});
  }
  if (!runs_away(above, &c.onset_above)) {
    throw bad_input(fmt::format("the cell does not run away at {} K within {} s: raise HIGH or "
                                "--end-time",
                                above, options.end_time),
                    ErrorContext{"", 0, flag, fmt::format("{}", above)});
  }
  while (above - below > tolerance) {
    const double middle = 0.5 * (below + above);
    double onset = 0;
    if (runs_away(middle, &onset)) {
      above = middle;
      c.onset_above = onset;
    } else {
      below = middle;
    }
  }
  c.below = below;
  c.above = above;
  return c;
}

void write_cell_test_csv(const CellTestResult& result, const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!file) {
    throw runtime_error("cannot open the output file for writing", ErrorContext{path, 0, "", ""});
  }
  std::string header = "time_s,temperature_K,self_heating_rate_K_per_s,ambient_temperature_K";
  for (const std::string& name : result.reaction_names) header += ",progress_" + name;
  header +=
      ",electrolyte_left,short_circuit_power_W,vent_heat_power_W,vented_mass_kg,"
      "combustion_power_W,pressure_Pa,vent_mass_flow_kg_per_s,vented_gas_kg,vented_vapour_kg,"
      "vented_liquid_kg,heat_kept_in_body_J,heat_carried_by_ejecta_J\n";
  std::fputs(header.c_str(), file.get());
  for (const CellTestSample& x : result.samples) {
    std::string line = fmt::format("{:.9g},{:.9g},{:.9g},{:.9g}", x.time, x.temperature,
                                   x.self_heating_rate, x.ambient_temperature);
    for (std::size_t i = 0; i < result.reaction_names.size(); ++i) {
      line += fmt::format(",{:.9g}", x.progress[i]);
    }
    line +=
        fmt::format(",{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}", x.electrolyte_left,
                    x.short_circuit_power, x.vent_heat_power, x.vented_mass, x.combustion_power);
    line += fmt::format(",{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g}\n", x.pressure,
                        x.vent_mass_flow, x.vented_gas_mass, x.vented_vapour_mass,
                        x.vented_liquid_mass, x.heat_kept_in_body, x.heat_carried_by_ejecta);
    std::fputs(line.c_str(), file.get());
  }
  if (std::ferror(file.get()) != 0) {
    throw runtime_error("failed while writing the output file", ErrorContext{path, 0, "", ""});
  }
}

std::string format_cell_test_summary(const CellTestResult& result) {
  const CellTestSummary& s = result.summary;
  auto time_or_never = [](double t) {
    return t < 0.0 ? std::string("never") : fmt::format("{:.6g} s", t);
  };
  std::string out;
  out += fmt::format("chemistry:                 {} ({} electrolyte)\n", s.chemistry,
                     s.electrolyte_class);
  out += fmt::format("test:                      {}, ran {:.6g} s in {} steps\n", s.mode,
                     s.end_time, s.steps);
  if (s.self_heating_onset_time >= 0.0) {
    out += fmt::format("self-heating onset:        {:.2f} K at {} (rate >= 0.02 K/min)\n",
                       s.self_heating_onset_temperature, time_or_never(s.self_heating_onset_time));
  } else {
    out += "self-heating onset:        not detected\n";
  }
  if (s.runaway) {
    out += fmt::format("runaway onset:             {:.2f} K at {} (time to runaway)\n",
                       s.runaway_onset_temperature, time_or_never(s.runaway_onset_time));
  } else {
    out += "runaway onset:             no runaway\n";
  }
  out += fmt::format("maximum temperature:       {:.2f} K\n", s.max_temperature);
  out += fmt::format("maximum self-heating rate: {:.6g} K/s at {:.6g} s\n", s.max_self_heating_rate,
                     s.time_of_max_rate);
  out += fmt::format("internal short circuit:    {}\n", time_or_never(s.short_circuit_time));
  if (s.vent_time >= 0.0) {
    out += fmt::format("vent opened:               {} at {:.2f} K\n", time_or_never(s.vent_time),
                       s.vent_temperature);
  } else {
    out += "vent opened:               never\n";
  }
  if (std::isnan(s.max_pressure)) {
    out += "peak can pressure:         not modelled (no free volume)\n";
  } else {
    out += fmt::format("peak can pressure:         {:.4g} kPa absolute\n", s.max_pressure * 1e-3);
  }
  out += fmt::format(
      "vented mass:               {:.6g} kg gas, {:.6g} kg vapour, {:.6g} kg droplets\n",
      s.vented_gas_mass, s.vented_vapour_mass, s.vented_liquid_mass);
  out += fmt::format("reaction heat:             {:.6g} J\n", s.reaction_heat);
  out += fmt::format("short-circuit heat:        {:.6g} J\n", s.short_circuit_energy);
  const double cell_heat = s.heat_kept_in_body + s.heat_carried_by_ejecta;
  out += fmt::format("heat kept in the body:     {:.6g} J ({:.1f} % of reactions + short)\n",
                     s.heat_kept_in_body,
                     cell_heat != 0.0 ? 100.0 * s.heat_kept_in_body / cell_heat : 0.0);
  out += fmt::format("heat carried by ejecta:    {:.6g} J (of which the vented liquid {:.6g} J)\n",
                     s.heat_carried_by_ejecta, s.vent_heat);
  out += fmt::format("combustion heat (flame):   {:.6g} J\n", s.combustion_energy);
  out += fmt::format(
      "electrolyte:               {:.6g} kg = {:.6g} liquid + {:.6g} vapour + {:.6g} decomposed + "
      "{:.6g} vented (error {:.3g} kg)\n",
      s.initial_electrolyte, s.electrolyte_liquid, s.electrolyte_vapour, s.electrolyte_decomposed,
      s.vented_mass, s.electrolyte_balance_error);
  out += fmt::format(
      "energy balance error:      {:.3g} J (stored vs kept + surroundings), {:.3g} J "
      "(released vs body + ejecta)\n",
      s.energy_balance_error, s.heat_split_error);
  return out;
}

}  // namespace runaway::host
