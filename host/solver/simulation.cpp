#include "host/solver/simulation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <numeric>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "kernels/cell_events.hpp"

namespace runaway::host {

using kernels::Index;

const char* to_string(EventKind kind) {
  switch (kind) {
    case EventKind::kVent:
      return "vent";
    case EventKind::kShortCircuit:
      return "short_circuit";
    case EventKind::kRunaway:
      return "runaway";
    case EventKind::kBurntOut:
      return "burnt_out";
    case EventKind::kTriggerOn:
      return "trigger_on";
    case EventKind::kTriggerOff:
      return "trigger_off";
  }
  return "unknown";
}

namespace {

// How far past a predicted threshold crossing a step ends, s (choose_step).
constexpr double kEventLanding = 1e-3;

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace

// The time loop: one screen, the sequence of kernels per step visible at a glance.
void Simulation::run(SimulationObserver* observer) {
  const SimulationControl& c = input_.control;
  if (observer && steps_ == 0) {
    observer->on_frame(*this);
    observer->on_sample(*this);
    next_frame_ = c.frame_interval;
    next_sample_ = c.sample_interval;
  }
  while (time() < c.end_time * (1 - 1e-12)) {
    const std::size_t events_before = events_.size();
    step();
    report_events(observer);
    if (!observer) continue;
    const bool event = events_.size() > events_before;
    const bool last = time() >= c.end_time * (1 - 1e-12);
    if (time() >= next_sample_ - 1e-9 || event || last) {
      observer->on_sample(*this);
      while (next_sample_ <= time() + 1e-9) next_sample_ += c.sample_interval;
    }
    if (time() >= next_frame_ - 1e-9 || event || last) {
      observer->on_frame(*this);
      while (next_frame_ <= time() + 1e-9) next_frame_ += c.frame_interval;
    }
    observer->on_step(*this);  // last: a checkpoint taken here holds this step's outputs
  }
}

std::vector<double> Simulation::probe_temperatures() {
  const auto count = kernels::Index(probe_host_values_.size());
  if (count > 0) {
    backend_.gather_voxels(
        {probe_voxels_.data(), conduction_.temperature_data(), probe_values_.data()}, count);
    probe_values_.download(probe_host_values_.data());
  }
  const std::size_t probes = input_.probes.size();
  std::vector<double> sums(probes, 0.0);
  std::vector<double> maxima(probes, -std::numeric_limits<double>::infinity());
  std::size_t next = 0;
  for (std::size_t p = 0; p < probes; ++p) {
    for (std::size_t v = 0; v < input_.probes[p].voxels.size(); ++v, ++next) {
      sums[p] += probe_host_values_[next];
      maxima[p] = std::max(maxima[p], probe_host_values_[next]);
    }
  }
  domain_.sum(sums.data(), probes);
  domain_.max(maxima.data(), probes);
  std::vector<double> out(probes);
  for (std::size_t p = 0; p < probes; ++p) {
    const ProbeSetup& probe = input_.probes[p];
    out[p] = probe.maximum ? maxima[p] : sums[p] / probe.global_count;
  }
  return out;
}

// One coupled step, Strang splitting: K(dt/2) C(dt) K(dt/2), then the cells; heaters are a
// source term of the conduction C.
double Simulation::step(double dt) {
  dt = choose_step(dt);
  const double t = time();
  const double half = 0.5 * dt;
  update_drivers(dt);  // short-circuit and heater powers, open vents, oven: fixed over the step
  backend_.gather_active(
      {view_.voxel, conduction_.temperature_data(), fields_->data<double>("start_temperature")},
      fields_->active_count());
  for (double* budget : {view_.vented_mass, view_.gas_generated, view_.step_heat_kept,
                         view_.ejected_heat, view_.vent_heat, view_.electrolyte_decomposed}) {
    backend_.fill(budget, view_.count, 0.0);
  }

  kinetics_half_step(half, t + half, false);
  hand_region_sources_to_conduction();  // heaters: inside the conduction's stages
  const bool plume_heat = hand_plume_heat_to_conduction();  // the last step's plumes: likewise
  conduction_.conduct(dt);
  if (plume_heat) {
    backend_.clear_held_heat({plume_voxels_.data(), fields_->data<double>("plume_heat_held")},
                             plume_voxel_count_);
  }
  book_heat_pathways(dt);  // diagnostic: which way heat entered each cell
  kinetics_half_step(half, t + dt, true);

  collect_cell_statistics();
  close_cell_steps(dt);  // short-circuit energy, vent fire, events: kernels/cell_events.hpp
  if (time() >= input_.control.end_time * (1 - 1e-12)) settle_plume_heat();
  adapt_step(dt);
  ++steps_;
  return dt;
}

// The controller's step (or the caller's), landing exactly on frame times, trigger starts and
// ends, and the end time.
double Simulation::choose_step(double dt) const {
  if (dt > 0) return dt;
  const SimulationControl& c = input_.control;
  const double t = time();
  double limit = c.end_time - t;
  auto land_on = [&](double when) {
    if (when > t + 1e-9) limit = std::min(limit, when - t);
  };
  land_on(next_frame_);
  for (const Trigger& trig : input_.triggers) {
    land_on(trig.start);
    if (trig.kind == TriggerKind::kHeater) land_on(trig.start + trig.duration);
  }
  for (const CellRecord& rec : records_) {
    // Just past where a rising jelly roll will reach its vent or separator temperature (linear
    // extrapolation of the last two checks): the source an event starts then lags by ~1 ms, not
    // by a step.
    const double rise = rec.stats.max_temperature - rec.previous_max_temperature;
    const double since = t - rec.previous_check_time;
    if (!(rise > 0 && since > 0)) continue;
    const kernels::CellEventParameters& p = rec.parameters;
    for (const auto& [threshold, event] :
         {std::pair{p.vent_temperature, kernels::kEventVent},
          std::pair{p.short_circuit_energy > 0 ? p.separator_temperature : 0.0,
                    kernels::kEventShortCircuit}}) {
      if (threshold <= 0 || kernels::has_event(rec.events, event)) continue;
      land_on(t + (threshold - rec.stats.max_temperature) * since / rise + kEventLanding);
    }
  }
  return std::max(std::min(dt_, limit), std::min(c.min_dt, c.end_time - t));
}

// Next step: bound the temperature change of active voxels not yet in runaway, and the
// conduction's estimated local time error over every voxel not in runaway (docs/design.md §5.5).
void Simulation::adapt_step(double taken) {
  const SimulationControl& c = input_.control;
  const bool error_target = std::isfinite(c.temperature_tolerance);
  // With an error target, the change bound is for the splitting error of reacting voxels only.
  const std::uint8_t* reacting = error_target ? fields_->data<std::uint8_t>("reacting") : nullptr;
  double highest[2] = {backend_.max_temperature_change(
                           {view_.voxel, conduction_.temperature_data(),
                            fields_->data<double>("start_temperature"), view_.in_runaway, reacting},
                           fields_->active_count()),
                       conduction_.last_time_error()};
  domain_.max(highest, 2);
  last_change_ = std::max(0.0, highest[0]);
  last_time_error_ = std::max(0.0, highest[1]);
  const double factor = last_change_ > 0 ? 0.9 * c.max_temperature_change / last_change_ : 1.5;
  double next = dt_ * std::clamp(factor, 0.2, 1.5);
  if (last_time_error_ > 0 && error_target) {
    // The error grows as dt^3; scaled from the step taken (shorter than dt_ when it landed on a
    // frame or an event), shrinking at most 5x per step like the change bound. The whole
    // tolerance per step: the error left at the end stays 2-20x below it, as diffusion damps
    // what each step leaves (tests/verification/test_time_error.cpp).
    const double ratio = c.temperature_tolerance / last_time_error_;
    next = std::min(next, taken * std::max(0.2, 0.9 * std::cbrt(ratio)));
  }
  dt_ = std::clamp(next, c.min_dt, c.max_dt);
}

// Per-cell heat sources and vent flows, heater powers, oven ambient: fixed over the step.
void Simulation::update_drivers(double dt) {
  const double t = time();
  const std::size_t cells = input_.cells.size();
  for (std::size_t c = 0; c < cells; ++c) {
    const CellRecord& rec = records_[c];
    cell_source_host_[c] = kernels::cell_heat_source(rec.parameters, rec.events, t, dt);
    vent_open_host_[c] = kernels::vent_open_during(rec.events, t) ? 1 : 0;
    vent_flow_host_[c] = kernels::cell_vent_flow(
        rec.parameters, rec.events, t, rec.stats.mean_temperature, rec.stats.liquid_mass, dt);
  }
  for (std::size_t i = 0; i < input_.triggers.size(); ++i) {
    const Trigger& trig = input_.triggers[i];
    if (trig.kind == TriggerKind::kHeater) {
      const double on = overlap(t, t + dt, trig.start, trig.start + trig.duration);
      regions_[i].power = trig.power * on / dt;
    } else if (trig.kind == TriggerKind::kOven && t + 0.5 * dt >= trig.start) {
      for (int f = 0; f < kernels::kFaceCount; ++f) {
        BoundaryCondition bc = conduction_.boundary(Face(f));
        if (bc.kind != BoundaryKind::kConvectionRadiation) continue;
        bc.temperature = std::min(trig.hold_temperature,
                                  ambient0_[f] + trig.ramp_rate * (t + 0.5 * dt - trig.start));
        conduction_.set_boundary(Face(f), bc);
      }
    }
  }
  if (cells > 0) {
    cell_source_.upload(cell_source_host_.data());
    cell_vent_open_.upload(vent_open_host_.data());
    cell_vent_flow_.upload(vent_flow_host_.data());
  }
}

// Per-voxel integrator accuracy in the pack: looser than the 0D reference runs (1e-6) because
// the splitting step already bounds temperature changes to a few kelvin; the 3D-vs-0D test
// (tests/verification/test_simulation_coupled.cpp) holds the deviation below 0.5 K at 1e-4,
// and the work-precision table of docs/performance.md measures onsets against 1e-6. The
// absolute temperature tolerance scales with it (1e-2 K at 1e-4).
kernels::KineticsTolerances pack_kinetics_tolerances(double relative) {
  kernels::KineticsTolerances t;
  t.relative = relative;
  t.absolute_temperature = 100.0 * relative;
  return t;
}

// Kinetics on the reacting voxels only: a check of every active voxel's temperature, a
// compaction, then the stiff integrator over the compact list.
void Simulation::kinetics_half_step(double dt, double time_end, bool after_conduction) {
  const Index active = fields_->active_count();
  if (active == 0) return;
  const kernels::CellDrive drive{cell_source_.data(), cell_vent_open_.data(),
                                 cell_vent_flow_.data()};
  Index* list = fields_->data<Index>("reacting_list");
  reacting_count_ = backend_.select_reacting(
      {view_, drive, conduction_.temperature_data(), quiet_temperature_.data(),
       fields_->data<std::uint8_t>("reacting"), dt},
      active, list);
  if (reacting_count_ == 0) return;
  kernels::KineticsUpdate update{view_,
                                 drive,
                                 conduction_.temperature_data(),
                                 dt,
                                 time_end,
                                 input_.control.onset_rate,
                                 pack_kinetics_tolerances(input_.control.kinetics_tolerance),
                                 list,
                                 after_conduction};
  backend_.kinetics(update, reacting_count_);
}

// Heaters: their power spread over their voxels, a source of the next conduct().
void Simulation::hand_region_sources_to_conduction() {
  const double volume = conduction_.spacing().volume();
  for (Region& r : regions_) {
    if (r.power == 0 || r.count == 0) continue;
    conduction_.add_stage_source(
        {r.voxels.data(), r.count, r.power / (r.global_count * volume), r.on_boundary});
  }
}

bool Simulation::hand_plume_heat_to_conduction() {
  if (!plume_heat_held_) return false;
  plume_heat_held_ = false;
  if (plume_voxel_count_ > 0) {
    ConductionSolver::StageSource source;
    source.voxels = plume_voxels_.data();
    source.count = plume_voxel_count_;
    source.on_boundary = plume_voxels_on_boundary_;
    source.held_kelvin = fields_->data<double>("plume_heat_held");
    conduction_.add_stage_source(source);
  }
  return true;
}

// The run ends: no next step will spread what the last one's plumes gave, so it goes in now
// (the energy books already hold it).
void Simulation::settle_plume_heat() {
  if (!plume_heat_held_) return;
  plume_heat_held_ = false;
  if (plume_voxel_count_ == 0) return;
  double* held = fields_->data<double>("plume_heat_held");
  backend_.spread_held_heat({plume_voxels_.data(), held, 1.0, conduction_.temperature_data()},
                            plume_voxel_count_);
  backend_.clear_held_heat({plume_voxels_.data(), held}, plume_voxel_count_);
}

// The vent plume of a cell over the step (kernels/vent_plume.hpp): its fire burns what its gas
// region's oxygen allows; chi_r of that radiates onto the faces that see the flame; the rest and
// the ejecta's enthalpy leave the vent as a stream that heats its path node by node. Each rank
// deposits on its own voxels; the node sums are global (compensated, so any split agrees).
// `books` gathers, for the pack's records, what each cell received (entries [0, cells)), the
// fires' part of it (entries [cells, 2 cells)) and where each source's heat went (3 entries per
// source after those: self, other cells, enclosure).
void Simulation::deposit_plume(std::size_t cell, double ejecta, double combustion, double dt,
                               std::vector<kernels::CompensatedSum>* books) {
  const SimulationControl& control = input_.control;
  const PlumePath& path = input_.cells[cell].plume;
  CellRecord& rec = records_[cell];
  Plume& plume = plumes_[cell];
  double burnt = combustion;
  if (path.gas_region >= 0) {
    const auto region = std::size_t(path.gas_region);
    const bool open = input_.gas_regions[region].open;
    burnt = kernels::oxygen_limited_heat(combustion, oxygen_left_[region], open);
    if (!open) oxygen_left_[region] -= burnt / kernels::kHeatPerOxygenMass;
  }
  rec.combustion_heat += burnt;
  rec.unburnt_fuel_heat += combustion - burnt;
  const double radiated = control.flame_radiant_fraction * burnt;
  const double enthalpy = ejecta + (burnt - radiated);
  rec.plume_heat_carried_out += enthalpy + radiated;  // less what the faces take, below
  if (path.node_area.empty() && !(path.radiation_share > 0.0)) return;  // on every rank

  // The faces' temperatures, and each node's sum of h A T_s over all ranks.
  const auto voxels = kernels::Index(plume.host_values.size());
  if (voxels > 0) {
    backend_.gather_voxels(
        {plume.voxels.data(), conduction_.temperature_data(), plume.values.data()}, voxels);
    plume.values.download(plume.host_values.data());
  }
  const std::size_t nodes = path.node_area.size();
  std::vector<kernels::CompensatedSum> node_sum(nodes);
  for (std::size_t f = 0; f < path.faces.size(); ++f) {
    const PlumeFace& face = path.faces[f];
    node_sum[std::size_t(face.node)].add(face.area *
                                         plume.host_values[std::size_t(plume.face_slot[f])]);
  }
  if (domain_.size() > 1) domain_.sum(node_sum.data(), nodes);

  // The stream, node by node: the temperature it reaches each node with, its heat-transfer
  // coefficient there (its mass flow through the node's cross-section) and the face factor.
  const double capacity = kernels::plume_capacity_rate(enthalpy / dt, control.flame_temperature,
                                                       input_.conduction.initial_temperature);
  const double mass_flow = capacity / kernels::kPlumeGasHeatCapacity;
  std::vector<double> t_in(nodes), factor(nodes), h(nodes);
  double t_gas = control.flame_temperature;
  for (std::size_t n = 0; n < nodes; ++n) {
    h[n] = kernels::plume_heat_transfer_coefficient(mass_flow, path.node_flow_area[n],
                                                    path.node_distance[n]);
    const double ua = h[n] * path.node_area[n];
    t_in[n] = t_gas;
    factor[n] = kernels::plume_face_factor(capacity, ua);
    if (capacity > 0.0) {
      t_gas -= kernels::plume_node_heat(capacity, t_gas, ua, h[n] * node_sum[n].value()) / capacity;
    }
  }

  // Each voxel's joules, and the fire's part of them: its radiation, and the stream's heat in
  // the proportion the fire fed the stream.
  const double fire_in_stream = enthalpy > 0.0 ? (burnt - radiated) / enthalpy : 0.0;
  std::vector<double> joules(plume.host_values.size(), 0.0), fire(joules.size(), 0.0);
  for (std::size_t f = 0; f < path.faces.size(); ++f) {
    const PlumeFace& face = path.faces[f];
    const auto slot = std::size_t(plume.face_slot[f]);
    const auto n = std::size_t(face.node);
    const double q = dt * factor[n] * h[n] * face.area * (t_in[n] - plume.host_values[slot]);
    joules[slot] += q;
    fire[slot] += fire_in_stream * q;
  }
  for (std::size_t r = 0; r < path.radiation.size(); ++r) {
    const auto slot = std::size_t(plume.radiation_slot[r]);
    const double q =
        std::min(radiated * path.radiation[r].share,
                 kernels::flame_radiation_limit(control.flame_temperature, plume.host_values[slot],
                                                path.radiation[r].area, dt));
    joules[slot] += q;
    fire[slot] += q;
  }
  if (voxels > 0) {
    plume.values.upload(joules.data());
    backend_.deposit_heat(
        {plume.voxels.data(), plume.values.data(), conduction_.view().inv_heat_capacity,
         1.0 / conduction_.spacing().volume(), fields_->data<double>("plume_heat_held")},
        voxels);
  }
  plume_heat_held_ = true;  // on every rank: the next conduction spreads it
  const std::size_t cells = input_.cells.size();
  for (std::size_t v = 0; v < joules.size(); ++v) {
    const std::int32_t target = plume.voxel_cell[v];
    const std::size_t where = target < 0 ? 2 : (std::size_t(target) == cell ? 0 : 1);
    (*books)[2 * cells + 3 * cell + where].add(joules[v]);
    if (target >= 0) {
      (*books)[std::size_t(target)].add(joules[v]);
      (*books)[cells + std::size_t(target)].add(fire[v]);
    }
  }
}

// The step's heat through every cell's surface, by pathway (kernels/heat_pathways.hpp): each
// face's joules with the step's conductances and the temperatures conduction left (ghosts and
// halos current), summed per cell and pathway in a fixed order, then over ranks.
void Simulation::book_heat_pathways(double dt) {
  const std::size_t cells = input_.cells.size();
  if (cells == 0) return;
  const kernels::ConductionView& v = conduction_.view();
  double* joules = surface_joules_.data();
  backend_.surface_heat_flow(
      {surface_faces_.data(), v.conductance[0], v.conductance[1], v.conductance[2],
       conduction_.temperature_data(), conduction_.spacing().volume() * dt, joules,
       joules + surface_face_count_},
      surface_face_count_);
  const std::size_t pathways = cells * kernels::kHeatPathwayCount;
  std::vector<kernels::CompensatedSum> sums(pathways);
  backend_.segment_sums({surface_begin_.data(), surface_end_.data(), joules, surface_sums_.data()},
                        Index(pathways));
  surface_sums_.download(sums.data());
  if (domain_.size() > 1) domain_.sum(sums.data(), pathways);
  for (std::size_t c = 0; c < cells; ++c) {
    for (std::size_t p = 0; p < std::size_t(kernels::kHeatPathwayCount); ++p) {
      records_[c].pathway_heat[p] += sums[c * kernels::kHeatPathwayCount + p].value();
    }
  }
}

void Simulation::collect_cell_statistics() {
  const std::size_t cells = input_.cells.size();
  if (cells == 0) return;
  backend_.cell_statistics(
      {view_, chunk_begin_.data(), conduction_.temperature_data(), chunk_stats_.data()},
      chunk_count_, {chunk_stats_.data(), cell_chunk_begin_.data(), cell_stats_.data()},
      Index(cells));
  std::vector<kernels::CellPartial> partial(cells);
  cell_stats_.download(partial.data());
  if (domain_.size() > 1) {
    // Across ranks: compensated sums of sums (the same on any rank count), max of maxima, min of
    // arrival times (NaN: none yet, sent as +inf).
    constexpr int n = kernels::CellPartial::kSumCount;
    std::vector<kernels::CompensatedSum> sums(cells * n);
    std::vector<double> highs(cells * 2), earliest(cells);
    for (std::size_t c = 0; c < cells; ++c) {
      kernels::CellPartial& p = partial[c];
      for (int i = 0; i < n; ++i) sums[n * c + std::size_t(i)] = *p.sum(i);
      highs[2 * c] = p.max_temperature;
      highs[2 * c + 1] = p.max_self_heating_rate;
      earliest[c] = std::isnan(p.earliest_arrival) ? HUGE_VAL : p.earliest_arrival;
    }
    domain_.sum(sums.data(), sums.size());
    domain_.max(highs.data(), highs.size());
    domain_.min(earliest.data(), earliest.size());
    for (std::size_t c = 0; c < cells; ++c) {
      kernels::CellPartial& p = partial[c];
      for (int i = 0; i < n; ++i) *p.sum(i) = sums[n * c + std::size_t(i)];
      p.max_temperature = highs[2 * c];
      p.max_self_heating_rate = highs[2 * c + 1];
      p.earliest_arrival = std::isinf(earliest[c]) ? kNotYet : earliest[c];
    }
  }
  for (std::size_t c = 0; c < cells; ++c) {
    const kernels::CellStatistics stats = kernels::finish_cell_statistics(
        partial[c], cell_voxels_[c], conduction_.spacing().volume());
    records_[c].stats = stats;
    records_[c].peak_temperature = std::max(records_[c].peak_temperature, stats.max_temperature);
  }
  int failed = 0;
  failures_.download(&failed);
  if (domain_.size() > 1 && domain_.max(double(failed != 0)) > 0 && !failed) {
    throw runtime_error(
        "the kinetics integrator did not converge at t = " + std::to_string(time()) +
        " s on another rank; reduce run.max_dt or check the chemistry");
  }
  if (failed) {
    const auto m = std::size_t(failed - 1);
    const Index c = fields_->active_voxels()[m];
    double t = 0;
    backend_.copy_to_host(&t, conduction_.temperature_data() + c, sizeof t);
    std::int32_t cell = 0;
    backend_.copy_to_host(&cell, view_.cell + m, sizeof cell);
    throw runtime_error(
        "the kinetics integrator did not converge at t = " + std::to_string(time()) +
        " s in a voxel of cell " + std::to_string(cell) + " at " + std::to_string(t) +
        " K; reduce run.max_dt or check the chemistry");
  }
}

// Closes the step of every cell with the event model (kernels/cell_events.hpp): books its
// short-circuit energy, burns what its vent gave the flame and deposits that heat, fires events.
void Simulation::close_cell_steps(double dt) {
  const double t = time();
  std::vector<kernels::CompensatedSum> books;  // the plumes' deposits (deposit_plume)
  for (std::size_t c = 0; c < input_.cells.size(); ++c) {
    CellRecord& rec = records_[c];
    const kernels::CellStatistics& s = rec.stats;
    kernels::CellObservation seen{t, s.max_temperature, s.max_self_heating_rate, s.earliest_arrival,
                                  s.vented_mass};
    seen.mean_temperature = s.mean_temperature;
    seen.liquid_mass = s.liquid_mass;
    seen.gas_generated = s.gas_generated;
    seen.reaction_heat_kept = s.heat_kept;
    seen.ejected_heat = s.ejected_heat;
    seen.vent_heat = s.vent_heat;
    seen.electrolyte_decomposed = s.electrolyte_decomposed;
    rec.previous_check_time = rec.events.checked_time;
    rec.previous_max_temperature = rec.events.checked_max_temperature;
    double short_energy = 0;
    double combustion = 0;
    const double ejecta_before = rec.events.ejecta_heat;
    const unsigned fired =
        kernels::close_cell_step(rec.parameters, rec.events, seen, dt, &short_energy, &combustion);
    const double ejecta = rec.events.ejecta_heat - ejecta_before;
    if ((combustion > 0 || ejecta > 0) && dt > 0) {
      if (books.empty()) books.resize(5 * input_.cells.size());
      deposit_plume(c, ejecta, combustion, dt, &books);
    }
    const kernels::CellEventState& e = rec.events;
    if (fired & kernels::kEventVent) record(int(c), EventKind::kVent, e.vent_open_time);
    if (fired & kernels::kEventShortCircuit) {
      record(int(c), EventKind::kShortCircuit, e.short_circuit_start_time);
    }
    if (fired & kernels::kEventRunaway) record(int(c), EventKind::kRunaway, e.runaway_onset_time);
    if (fired & kernels::kEventBurntOut) record(int(c), EventKind::kBurntOut, e.burnt_out_time);
    rec.phase = kernels::cell_phase(rec.events);
  }
  if (!books.empty()) {  // where the plumes' heat went, over all ranks
    const std::size_t cells = input_.cells.size();
    if (domain_.size() > 1) domain_.sum(books.data(), books.size());
    for (std::size_t c = 0; c < cells; ++c) {
      CellRecord& rec = records_[c];
      rec.plume_heat_received += books[c].value();
      rec.plume_fire_heat_received += books[cells + c].value();
      const double self = books[2 * cells + 3 * c].value();
      const double others = books[2 * cells + 3 * c + 1].value();
      const double enclosure = books[2 * cells + 3 * c + 2].value();
      rec.plume_heat_to_self += self;
      rec.plume_heat_to_other_cells += others;
      rec.plume_heat_to_enclosure += enclosure;
      rec.plume_heat_carried_out -= self + others + enclosure;
    }
  }
  for (std::size_t i = 0; i < input_.triggers.size() && dt > 0; ++i) {
    const Trigger& trig = input_.triggers[i];
    if (trig.kind != TriggerKind::kHeater) continue;
    const bool on = t >= trig.start - 1e-9 && t < trig.start + trig.duration - 1e-9;
    if (on != bool(trigger_on_[i])) {
      trigger_on_[i] = on;
      record(trig.cell, on ? EventKind::kTriggerOn : EventKind::kTriggerOff, t);
    }
  }
}

void Simulation::record(int cell, EventKind kind, double when) {
  const double temperature = cell >= 0 ? records_[std::size_t(cell)].stats.mean_temperature : 0.0;
  events_.push_back({cell, kind, when, temperature});
}

void Simulation::report_events(SimulationObserver* observer) {
  for (; reported_events_ < events_.size(); ++reported_events_) {
    if (observer) observer->on_event(*this, events_[reported_events_]);
  }
}

int Simulation::cells_in_runaway() const {
  return int(std::count_if(records_.begin(), records_.end(), [](const CellRecord& r) {
    return kernels::has_event(r.events, kernels::kEventRunaway);
  }));
}

std::vector<double> Simulation::heat_release_field() const {
  return fields_->interior_field("heat_release_rate", 0.0);
}

std::vector<double> Simulation::arrival_time_field() const {
  return fields_->interior_field("arrival_time", kNotYet);
}

std::vector<double> Simulation::electrolyte_left_field() const {
  return fields_->interior_field("electrolyte_left", kNotYet);
}

std::vector<double> Simulation::progress_field(const std::string& name) const {
  const std::vector<double> remaining = fields_->host_values("remaining");
  const std::vector<double> slot = fields_->host_values("active_chemistry");
  const auto n = std::size_t(fields_->capacity());
  std::vector<double> progress(n, kNotYet);
  for (std::size_t m = 0; m < std::size_t(fields_->active_count()); ++m) {
    const kernels::Chemistry& chem = input_.chemistries[std::size_t(slot[m])];
    for (int i = 0; i < chem.reaction_count; ++i) {
      if (name != chem.reactions[i].name) continue;
      kernels::KineticState st;
      st.remaining[i] = remaining[std::size_t(i) * n + m];
      progress[m] = kernels::reaction_progress(chem, st, i);
    }
  }
  return fields_->interior_values(progress, kNotYet);
}

std::vector<std::string> Simulation::reaction_names() const {
  std::vector<std::string> names;
  for (const kernels::Chemistry& chem : input_.chemistries) {
    for (int i = 0; i < chem.reaction_count; ++i) {
      const std::string name = chem.reactions[i].name;
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  return names;
}

double Simulation::cell_heat_released(int cell) const {
  const CellRecord& r = records_[std::size_t(cell)];
  return r.heat_kept_in_body() + r.plume_heat_to_self + r.plume_heat_to_other_cells +
         r.plume_heat_to_enclosure;
}

double Simulation::total_heat_released() const {
  double total = 0;
  for (std::size_t c = 0; c < records_.size(); ++c) total += cell_heat_released(int(c));
  for (const Trigger& trig : input_.triggers) {
    if (trig.kind == TriggerKind::kHeater) {
      total += trig.power * overlap(0, time(), trig.start, trig.start + trig.duration);
    }
  }
  return total;
}

double Simulation::kinetics_substeps() const {
  double total = 0;
  for (const double n : fields_->host_values("kinetics_substeps")) total += n;
  return domain_.sum(total);
}

}  // namespace runaway::host
