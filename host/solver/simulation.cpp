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

void require(bool ok, const std::string& key, const std::string& value, const std::string& what) {
  if (!ok) throw bad_input(what, {"", 0, key, value});
}

std::string text(double v) {
  return std::to_string(v);
}

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

}  // namespace

void validate(const SimulationInput& in) {
  validate(in.conduction);
  const auto n = std::size_t(in.conduction.shape.interior_size());
  require(in.cell_ids.size() == n, "cell_ids", std::to_string(in.cell_ids.size()),
          "one cell id per voxel is needed (" + std::to_string(n) + ")");
  require(in.chemistry_slot_of_material.size() == in.conduction.materials.size(),
          "chemistry_slot_of_material", std::to_string(in.chemistry_slot_of_material.size()),
          "one entry per material is needed");
  require(in.chemistries.size() <= 255, "chemistries", std::to_string(in.chemistries.size()),
          "at most 255 chemistries");
  for (int slot : in.chemistry_slot_of_material) {
    require(slot < int(in.chemistries.size()), "chemistry_slot_of_material", std::to_string(slot),
            "names a chemistry that does not exist");
  }
  for (std::int32_t id : in.cell_ids) {
    require(id >= -1 && id < std::int32_t(in.cells.size()), "cell_ids", std::to_string(id),
            "names a cell that does not exist");
  }
  const SimulationControl& c = in.control;
  require(c.end_time > 0 && std::isfinite(c.end_time), "run.end_time", text(c.end_time),
          "must be a finite time greater than zero");
  require(c.min_dt > 0 && std::isfinite(c.min_dt), "run.min_dt", text(c.min_dt), "must be > 0");
  require(c.max_dt >= c.min_dt && std::isfinite(c.max_dt), "run.max_dt", text(c.max_dt),
          "must be finite and at least run.min_dt");
  require(c.initial_dt > 0 && std::isfinite(c.initial_dt), "run.initial_dt", text(c.initial_dt),
          "must be > 0");
  require(c.temperature_tolerance > 0 && std::isfinite(c.temperature_tolerance),
          "run.temperature_tolerance", text(c.temperature_tolerance), "must be > 0");
  require(c.frame_interval > 0 && std::isfinite(c.frame_interval), "output.frame_interval",
          text(c.frame_interval), "must be > 0");
  require(c.sample_interval > 0 && std::isfinite(c.sample_interval), "output.sample_interval",
          text(c.sample_interval), "must be > 0");
  require(c.onset_rate > 0 && std::isfinite(c.onset_rate), "run.onset_rate", text(c.onset_rate),
          "must be > 0");
  require(c.quiet_rate >= 0 && std::isfinite(c.quiet_rate), "run.quiet_rate", text(c.quiet_rate),
          "must be a finite rate >= 0");
  for (std::size_t t = 0; t < in.triggers.size(); ++t) {
    const Trigger& trig = in.triggers[t];
    const std::string key = "triggers[" + std::to_string(t) + "]";
    if (trig.kind != TriggerKind::kOven) {
      require(trig.cell >= 0 && trig.cell < int(in.cells.size()), key + ".cell",
              std::to_string(trig.cell), "names a cell that does not exist");
    }
    require(trig.start >= 0 && std::isfinite(trig.start), key + ".start", text(trig.start),
            "must be a finite time >= 0");
    if (trig.kind == TriggerKind::kHeater) {
      require(trig.power > 0 && std::isfinite(trig.power), key + ".power", text(trig.power),
              "must be > 0");
      require(trig.duration > 0, key + ".duration", text(trig.duration), "must be > 0");
      // A block of a split run may hold none of the heater (the whole run was checked).
      require(!trig.voxels.empty() || in.placement.decomposed(), key + ".face", "",
              "the heater covers no voxel");
    }
    if (trig.kind == TriggerKind::kOven) {
      require(trig.ramp_rate > 0 && std::isfinite(trig.ramp_rate), key + ".ramp_rate",
              text(trig.ramp_rate), "must be > 0");
      require(trig.hold_temperature > 0 && std::isfinite(trig.hold_temperature),
              key + ".hold_temperature", text(trig.hold_temperature), "must be > 0");
    }
  }
}

std::vector<std::int64_t> active_positions(const SimulationInput& global, const Block& block,
                                           std::int64_t* global_active_count) {
  const kernels::GridShape& s = global.conduction.shape;
  const auto& ids = global.conduction.material_ids;
  const std::size_t cells = global.cells.size();
  auto cell_of = [&](std::size_t interior) -> std::int32_t {
    const int material = ids.empty() ? 0 : ids[interior];
    if (global.chemistry_slot_of_material[std::size_t(material)] < 0) return -1;
    return global.cell_ids[interior];
  };
  std::vector<std::int64_t> start(cells + 1, 0);
  for (std::size_t v = 0; v < std::size_t(s.interior_size()); ++v) {
    const std::int32_t c = cell_of(v);
    if (c >= 0) ++start[std::size_t(c) + 1];
  }
  for (std::size_t c = 0; c < cells; ++c) start[c + 1] += start[c];
  if (global_active_count != nullptr) *global_active_count = start[cells];
  std::vector<std::vector<std::int64_t>> by_cell(cells);
  std::vector<std::int64_t> next(start.begin(), start.end() - 1);
  for (int k = 0; k < s.nz; ++k) {
    for (int j = 0; j < s.ny; ++j) {
      for (int i = 0; i < s.nx; ++i) {
        const std::size_t v =
            (std::size_t(k) * std::size_t(s.ny) + std::size_t(j)) * std::size_t(s.nx) +
            std::size_t(i);
        const std::int32_t c = cell_of(v);
        if (c < 0) continue;
        const std::int64_t position = next[std::size_t(c)]++;
        const bool inside = i >= block.offset[0] && i < block.offset[0] + block.extent[0] &&
                            j >= block.offset[1] && j < block.offset[1] + block.extent[1] &&
                            k >= block.offset[2] && k < block.offset[2] + block.extent[2];
        if (inside) by_cell[std::size_t(c)].push_back(position);
      }
    }
  }
  std::vector<std::int64_t> positions;
  for (const auto& list : by_cell) positions.insert(positions.end(), list.begin(), list.end());
  return positions;
}

Simulation::Simulation(kernels::Backend& backend, SimulationInput input, const Domain& domain)
    : backend_(backend),
      domain_(domain),
      input_((validate(input), std::move(input))),
      conduction_(backend, input_.conduction, domain) {
  const auto cells = input_.cells.size();
  cell_source_host_.assign(cells, 0.0);
  vent_open_host_.assign(cells, 0);
  trigger_on_.assign(input_.triggers.size(), 0);
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    ambient0_[f] = input_.conduction.boundaries[std::size_t(f)].temperature;
  }
  fields_ = std::make_unique<FieldRegistry>(backend_, domain_, input_.placement,
                                            conduction_.shape(), build_active_list());
  allocate_fields();
  build_regions();
  build_cell_records();
  dt_ = std::min(input_.control.initial_dt, input_.control.max_dt);
}

// Active voxels: every voxel of a reactive material inside a cell, grouped by cell; returns
// their padded indices and sets the per-cell ranges.
std::vector<Index> Simulation::build_active_list() {
  const kernels::GridShape& s = conduction_.shape();
  const auto& ids = input_.conduction.material_ids;
  const std::size_t cells = input_.cells.size();
  std::vector<std::vector<Index>> by_cell(cells);
  for (int k = 1; k <= s.nz; ++k) {
    for (int j = 1; j <= s.ny; ++j) {
      for (int i = 1; i <= s.nx; ++i) {
        const auto interior = std::size_t(s.interior_index(i, j, k));
        const int material = ids.empty() ? 0 : ids[interior];
        const int slot = input_.chemistry_slot_of_material[std::size_t(material)];
        const std::int32_t cell = input_.cell_ids[interior];
        if (slot >= 0 && cell >= 0) by_cell[std::size_t(cell)].push_back(s.index(i, j, k));
      }
    }
  }
  std::vector<Index> active;
  cell_begin_host_.assign(1, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    active.insert(active.end(), by_cell[c].begin(), by_cell[c].end());
    cell_begin_host_.push_back(Index(active.size()));
  }
  cell_voxels_.assign(cells, 0.0);
  for (std::size_t c = 0; c < cells; ++c) {
    cell_voxels_[c] = double(cell_begin_host_[c + 1] - cell_begin_host_[c]);
  }
  if (!cell_voxels_.empty()) domain_.sum(cell_voxels_.data(), cell_voxels_.size());
  if (input_.placement.decomposed() && input_.placement.active_position.size() != active.size()) {
    throw bad_input("the placement does not list every active voxel of the block",
                    {"", 0, "placement.active_position",
                     std::to_string(input_.placement.active_position.size())});
  }
  return active;
}

// The per-voxel fields (one table: name, type, layout, checkpointed) and the per-cell arrays.
void Simulation::allocate_fields() {
  FieldRegistry& f = *fields_;
  const std::vector<Index>& active = f.active_voxels();
  const auto n = std::size_t(f.capacity());
  const std::size_t cells = input_.cells.size();
  std::vector<std::int32_t> cell_of(n, 0);
  std::vector<std::uint8_t> slot_of(n, 0);
  std::vector<double> remaining(std::size_t(kernels::kMaxReactions) * n, 0.0);
  std::vector<double> electrolyte(n, 0.0);
  const kernels::GridShape& s = conduction_.shape();
  for (std::size_t c = 0; c < cells; ++c) {
    for (Index m = cell_begin_host_[c]; m < cell_begin_host_[c + 1]; ++m) {
      const Index v = active[std::size_t(m)];
      const int i = int(v % s.stride_y());
      const int j = int((v / s.stride_y()) % (s.ny + 2));
      const int k = int(v / s.stride_z());
      const auto interior = std::size_t(s.interior_index(i, j, k));
      const auto& ids = input_.conduction.material_ids;
      const int material = ids.empty() ? 0 : ids[interior];
      const int slot = input_.chemistry_slot_of_material[std::size_t(material)];
      cell_of[std::size_t(m)] = std::int32_t(c);
      slot_of[std::size_t(m)] = std::uint8_t(slot);
      const kernels::KineticState st = kernels::initial_kinetic_state(input_.chemistries[slot]);
      for (int r = 0; r < kernels::kMaxReactions; ++r) {
        remaining[std::size_t(r) * n + std::size_t(m)] = st.remaining[r];
      }
      electrolyte[std::size_t(m)] = st.electrolyte_left;
    }
  }
  std::vector<Index> voxel(n, 0);
  std::copy(active.begin(), active.end(), voxel.begin());
  using L = FieldLayout;
  // name                                    layout     checkpointed
  f.add<Index>("active_voxel", L::kActive, false);
  f.add<std::int32_t>("active_cell", L::kActive, false);
  f.add<std::uint8_t>("active_chemistry", L::kActive, false);
  f.add<double>("remaining", L::kActive, true, kernels::kMaxReactions);
  f.add<double>("electrolyte_left", L::kActive, true);
  f.add<float>("substep_hint", L::kActive, true);  // 0: the integrator chooses
  f.add<double>("heat_release_rate", L::kActive, true);
  f.add<double>("self_heating_rate", L::kActive, true);
  f.add<double>("arrival_time", L::kActive, true, 1, kNotYet);
  f.add<double>("heat_released", L::kActive, true);
  f.add<double>("vented_mass", L::kActive, false);  // reset every step
  f.add<std::uint8_t>("reacting", L::kActive, true);
  f.add<double>("start_temperature", L::kActive, false);  // for the step controller
  f.add<Index>("reacting_list", L::kActive, false);
  f.add<std::uint8_t>("in_runaway", L::kGrid, true);
  f.add_external(
      "temperature", [this] { return conduction_.temperature_data(); }, L::kGrid);
  backend_.copy_to_device(f.data<Index>("active_voxel"), voxel.data(), n * sizeof(Index));
  backend_.copy_to_device(f.data<std::int32_t>("active_cell"), cell_of.data(),
                          n * sizeof(std::int32_t));
  backend_.copy_to_device(f.data<std::uint8_t>("active_chemistry"), slot_of.data(), n);
  backend_.copy_to_device(f.data<double>("remaining"), remaining.data(),
                          remaining.size() * sizeof(double));
  backend_.copy_to_device(f.data<double>("electrolyte_left"), electrolyte.data(),
                          n * sizeof(double));

  chemistries_ = kernels::DeviceArray<kernels::Chemistry>(
      backend_, std::max<std::size_t>(input_.chemistries.size(), 1));
  if (!input_.chemistries.empty()) chemistries_.upload(input_.chemistries.data());
  failures_ = kernels::DeviceArray<int>(backend_, 1);  // zeroed by allocate
  view_ = f.kinetics_view(chemistries_.data());
  view_.failures = failures_.data();

  // Chunks of each cell's range for the two-level per-cell statistics (coupling.hpp).
  std::vector<Index> chunk_begin{0};
  std::vector<Index> cell_chunk_begin{0};
  for (std::size_t c = 0; c < cells; ++c) {
    for (Index m = cell_begin_host_[c]; m < cell_begin_host_[c + 1];
         m += kernels::kStatisticsChunk) {
      chunk_begin.push_back(std::min(m + kernels::kStatisticsChunk, cell_begin_host_[c + 1]));
    }
    cell_chunk_begin.push_back(Index(chunk_begin.size()) - 1);
  }
  chunk_count_ = Index(chunk_begin.size()) - 1;
  chunk_begin_ = kernels::DeviceArray<Index>(backend_, chunk_begin.size());
  chunk_begin_.upload(chunk_begin.data());
  cell_chunk_begin_ = kernels::DeviceArray<Index>(backend_, cell_chunk_begin.size());
  cell_chunk_begin_.upload(cell_chunk_begin.data());
  chunk_stats_ = kernels::DeviceArray<kernels::CellPartial>(
      backend_, std::max<std::size_t>(std::size_t(chunk_count_), 1));
  cell_stats_ =
      kernels::DeviceArray<kernels::CellPartial>(backend_, std::max<std::size_t>(cells, 1));
  cell_source_ = kernels::DeviceArray<double>(backend_, std::max<std::size_t>(cells, 1));
  cell_vent_open_ = kernels::DeviceArray<std::uint8_t>(backend_, std::max<std::size_t>(cells, 1));

  std::vector<double> quiet(std::max<std::size_t>(input_.chemistries.size(), 1), 0.0);
  for (std::size_t i = 0; i < input_.chemistries.size(); ++i) {
    quiet[i] = kernels::quiet_temperature(input_.chemistries[i], input_.control.quiet_rate);
  }
  quiet_temperature_ = kernels::DeviceArray<double>(backend_, quiet.size());
  quiet_temperature_.upload(quiet.data());
}

// Heat-source regions: each cell's flame, then each heater.
void Simulation::build_regions() {
  const kernels::GridShape& s = conduction_.shape();
  auto make_region = [&](const std::vector<std::int64_t>& interior) {
    Region r;
    std::vector<Index> idx;
    idx.reserve(interior.size());
    for (std::int64_t v : interior) {
      const int i = int(v % s.nx) + 1;
      const int j = int((v / s.nx) % s.ny) + 1;
      const int k = int(v / (std::int64_t(s.nx) * s.ny)) + 1;
      idx.push_back(s.index(i, j, k));
    }
    r.count = Index(idx.size());
    r.global_count = domain_.sum(double(r.count));
    if (!idx.empty()) {
      r.voxels = kernels::DeviceArray<Index>(backend_, idx.size());
      r.voxels.upload(idx.data());
    }
    return r;
  };
  for (const CellSetup& c : input_.cells) regions_.push_back(make_region(c.flame_voxels));
  for (const Trigger& t : input_.triggers) regions_.push_back(make_region(t.voxels));
}

// Each cell's event-model parameters (the same function `runaway cell` uses) and its record.
void Simulation::build_cell_records() {
  const std::size_t cells = input_.cells.size();
  records_.resize(cells);
  const double voxel_volume = conduction_.spacing().volume();
  for (std::size_t c = 0; c < cells; ++c) {
    double nail_time = -1;
    for (const Trigger& t : input_.triggers) {
      if (t.kind == TriggerKind::kNail && t.cell == int(c) &&
          (nail_time < 0 || t.start < nail_time)) {
        nail_time = t.start;
      }
    }
    const CellSetup& setup = input_.cells[c];
    records_[c].parameters = kernels::make_cell_event_parameters(
        input_.chemistries[std::size_t(setup.chemistry_slot)], cell_voxels_[c] * voxel_volume,
        setup.stored_energy, nail_time);
  }
  collect_cell_statistics();
  for (CellRecord& rec : records_) rec.initial_releasable_heat = rec.stats.releasable_heat;
  close_cell_steps(0.0);  // the check at the start: a cell above a threshold fires at once
}

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

// One coupled step, Strang splitting: K(dt/2) S(dt/2) C(dt) S(dt/2) K(dt/2), then the cells.
double Simulation::step(double dt) {
  dt = choose_step(dt);
  const double t = time();
  const double half = 0.5 * dt;
  update_drivers(dt);  // short-circuit and heater powers, open vents, oven: fixed over the step
  backend_.gather_active(
      {view_.voxel, conduction_.temperature_data(), fields_->data<double>("start_temperature")},
      fields_->active_count());
  backend_.fill(view_.vented_mass, view_.count, 0.0);

  kinetics_half_step(half, t + half);
  apply_region_sources(half);
  conduction_.conduct(dt);
  apply_region_sources(half);
  kinetics_half_step(half, t + dt);

  collect_cell_statistics();
  close_cell_steps(dt);  // short-circuit energy, vent fire, events: kernels/cell_events.hpp
  adapt_step();
  ++steps_;
  return dt;
}

// The controller's step (or the caller's), landing exactly on frame times, trigger starts and
// ends, the end of each vent's ejection, and the end time.
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
    land_on(kernels::vent_ejection_end(rec.parameters, rec.events));
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

// Next step: bound the temperature change of active voxels not yet in runaway.
void Simulation::adapt_step() {
  const SimulationControl& c = input_.control;
  last_change_ = std::max(0.0, domain_.max(backend_.max_temperature_change(
                                   {view_.voxel, conduction_.temperature_data(),
                                    fields_->data<double>("start_temperature"), view_.in_runaway},
                                   fields_->active_count())));
  const double factor = last_change_ > 0 ? 0.9 * c.temperature_tolerance / last_change_ : 1.5;
  dt_ = std::clamp(dt_ * std::clamp(factor, 0.2, 1.5), c.min_dt, c.max_dt);
}

// Per-cell short-circuit power and open vents, heater powers, oven ambient: fixed over the step.
void Simulation::update_drivers(double dt) {
  const double t = time();
  const std::size_t cells = input_.cells.size();
  for (std::size_t c = 0; c < cells; ++c) {
    const CellRecord& rec = records_[c];
    cell_source_host_[c] = kernels::short_circuit_heat_rate(rec.parameters, rec.events, t, dt);
    vent_open_host_[c] = kernels::vent_ejecting(rec.parameters, rec.events, t) ? 1 : 0;
  }
  for (std::size_t i = 0; i < input_.triggers.size(); ++i) {
    const Trigger& trig = input_.triggers[i];
    if (trig.kind == TriggerKind::kHeater) {
      const double on = overlap(t, t + dt, trig.start, trig.start + trig.duration);
      regions_[cells + i].power = trig.power * on / dt;
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
  }
}

// Per-voxel integrator accuracy in the pack: looser than the 0D reference runs (1e-6) because
// the splitting step already bounds temperature changes to a few kelvin; the 3D-vs-0D test
// (tests/verification/test_simulation_coupled.cpp) holds the deviation below 0.5 K.
kernels::KineticsTolerances pack_kinetics_tolerances() {
  kernels::KineticsTolerances t;
  t.relative = 1e-4;
  t.absolute_temperature = 1e-2;
  return t;
}

// Kinetics on the reacting voxels only: a check of every active voxel's temperature, a
// compaction, then the stiff integrator over the compact list.
void Simulation::kinetics_half_step(double dt, double time_end) {
  const Index active = fields_->active_count();
  if (active == 0) return;
  const kernels::CellDrive drive{cell_source_.data(), cell_vent_open_.data()};
  Index* list = fields_->data<Index>("reacting_list");
  reacting_count_ =
      backend_.select_reacting({view_, drive, conduction_.temperature_data(),
                                quiet_temperature_.data(), fields_->data<std::uint8_t>("reacting")},
                               active, list);
  if (reacting_count_ == 0) return;
  kernels::KineticsUpdate update{view_,
                                 drive,
                                 conduction_.temperature_data(),
                                 dt,
                                 time_end,
                                 input_.control.onset_rate,
                                 pack_kinetics_tolerances(),
                                 list};
  backend_.kinetics(update, reacting_count_);
}

// Heaters: their power spread over their voxels.
void Simulation::apply_region_sources(double dt) {
  const double volume = conduction_.spacing().volume();
  for (std::size_t i = input_.cells.size(); i < regions_.size(); ++i) {
    Region& r = regions_[i];
    if (r.power == 0 || r.count == 0) continue;
    const double density = r.power / (r.global_count * volume);
    backend_.region_source({r.voxels.data(), conduction_.view().inv_heat_capacity, density, dt,
                            conduction_.temperature_data()},
                           r.count);
  }
}

// The vent fire of a cell over the step: its surfaces take h_f (T_flame - T) per exposed face,
// capped at the `released` J the burning fuel gave; the rest leaves with the plume.
void Simulation::deposit_flame(std::size_t cell, double released, double dt) {
  Region& r = regions_[cell];
  CellRecord& rec = records_[cell];
  if (r.global_count == 0) {
    rec.plume_heat += released;
    return;
  }
  const kernels::Spacing& h = conduction_.spacing();
  // One exposed face per voxel, across the smallest edge: area / volume = 1 / min edge.
  const double exposed = 1.0 / std::min({h.dx, h.dy, h.dz});
  kernels::FlameHeating flame{r.voxels.data(),
                              conduction_.view().inv_heat_capacity,
                              conduction_.temperature_data(),
                              input_.control.flame_heat_transfer_coefficient * exposed,
                              input_.control.flame_temperature,
                              dt,
                              1.0};
  const double demand =
      domain_.sum(backend_.flame_demand(flame, r.count)).value() * h.volume();  // J
  flame.scale = demand > released ? released / demand : 1.0;
  const double deposited = flame.scale * demand;
  if (deposited > 0 && r.count > 0) backend_.flame_heating(flame, r.count);
  rec.combustion_heat += deposited;
  rec.plume_heat += released - deposited;
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
    std::vector<kernels::CompensatedSum> sums(cells * 5);
    std::vector<double> highs(cells * 2), earliest(cells);
    for (std::size_t c = 0; c < cells; ++c) {
      const kernels::CellPartial& p = partial[c];
      const kernels::CompensatedSum parts[5] = {p.temperature, p.heat_release_rate, p.heat_released,
                                                p.vented_mass, p.releasable_heat};
      std::copy(std::begin(parts), std::end(parts), sums.begin() + std::ptrdiff_t(5 * c));
      highs[2 * c] = p.max_temperature;
      highs[2 * c + 1] = p.max_self_heating_rate;
      earliest[c] = std::isnan(p.earliest_arrival) ? HUGE_VAL : p.earliest_arrival;
    }
    domain_.sum(sums.data(), sums.size());
    domain_.max(highs.data(), highs.size());
    domain_.min(earliest.data(), earliest.size());
    for (std::size_t c = 0; c < cells; ++c) {
      kernels::CellPartial& p = partial[c];
      p.temperature = sums[5 * c];
      p.heat_release_rate = sums[5 * c + 1];
      p.heat_released = sums[5 * c + 2];
      p.vented_mass = sums[5 * c + 3];
      p.releasable_heat = sums[5 * c + 4];
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
  for (std::size_t c = 0; c < input_.cells.size(); ++c) {
    CellRecord& rec = records_[c];
    const kernels::CellStatistics& s = rec.stats;
    const kernels::CellObservation seen{t, s.max_temperature, s.max_self_heating_rate,
                                        s.earliest_arrival, s.vented_mass};
    rec.previous_check_time = rec.events.checked_time;
    rec.previous_max_temperature = rec.events.checked_max_temperature;
    double short_energy = 0;
    double combustion = 0;
    const unsigned fired =
        kernels::close_cell_step(rec.parameters, rec.events, seen, dt, &short_energy, &combustion);
    if (combustion > 0 && dt > 0) deposit_flame(c, combustion, dt);
    const kernels::CellEventState& e = rec.events;
    if (fired & kernels::kEventVent) record(int(c), EventKind::kVent, e.vent_open_time);
    if (fired & kernels::kEventShortCircuit) {
      record(int(c), EventKind::kShortCircuit, e.short_circuit_start_time);
    }
    if (fired & kernels::kEventRunaway) record(int(c), EventKind::kRunaway, e.runaway_onset_time);
    if (fired & kernels::kEventBurntOut) record(int(c), EventKind::kBurntOut, e.burnt_out_time);
    rec.phase = kernels::cell_phase(rec.events);
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
  return r.stats.heat_released + r.short_circuit_heat() + r.combustion_heat;
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

}  // namespace runaway::host
