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

const char* to_string(CellState state) {
  switch (state) {
    case CellState::kNormal:
      return "normal";
    case CellState::kVenting:
      return "venting";
    case CellState::kShorted:
      return "shorted";
    case CellState::kRunaway:
      return "runaway";
    case CellState::kBurntOut:
      return "burnt_out";
  }
  return "unknown";
}

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

void require(bool ok, const std::string& key, const std::string& value, const std::string& what) {
  if (!ok) throw bad_input(what, {"", 0, key, value});
}

std::string text(double v) {
  return std::to_string(v);
}

// Energy a decaying short circuit E/tau exp(-(t - t0)/tau) releases between a and b (a >= t0).
double short_circuit_energy(double energy, double tau, double t0, double a, double b) {
  if (tau <= 0) return (a <= t0 && t0 < b) ? energy : 0.0;  // instantaneous dump
  return energy * (std::exp(-(a - t0) / tau) - std::exp(-(b - t0) / tau));
}

double overlap(double a0, double a1, double b0, double b1) {
  return std::max(0.0, std::min(a1, b1) - std::max(a0, b0));
}

// The furthest state a cell has reached, from its event times.
CellState state_of(const CellRecord& rec) {
  if (!std::isnan(rec.burnt_out_time)) return CellState::kBurntOut;
  if (!std::isnan(rec.onset_time)) return CellState::kRunaway;
  if (!std::isnan(rec.short_time)) return CellState::kShorted;
  if (!std::isnan(rec.vent_time)) return CellState::kVenting;
  return CellState::kNormal;
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
  records_.resize(cells);
  cell_source_host_.assign(cells, 0.0);
  vent_open_host_.assign(cells, 0);
  trigger_on_.assign(input_.triggers.size(), 0);
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    ambient0_[f] = input_.conduction.boundaries[std::size_t(f)].temperature;
  }
  build_active_list();

  const std::size_t padded = std::size_t(conduction_.shape().padded_size());
  const kernels::GridShape& s = conduction_.shape();
  auto padded_of = [&](std::int64_t interior) {
    const int i = int(interior % s.nx) + 1;
    const int j = int((interior / s.nx) % s.ny) + 1;
    const int k = int(interior / (std::int64_t(s.nx) * s.ny)) + 1;
    return s.index(i, j, k);
  };
  auto make_region = [&](const std::vector<std::int64_t>& interior) {
    Region r;
    std::vector<Index> idx;
    idx.reserve(interior.size());
    for (std::int64_t v : interior) idx.push_back(padded_of(v));
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

  t_old_ = kernels::DeviceArray<double>(backend_, std::size_t(view_.count));
  reacting_ = kernels::DeviceArray<std::uint8_t>(backend_, std::size_t(view_.count));
  reacting_list_ = kernels::DeviceArray<Index>(backend_, std::size_t(view_.count));
  std::vector<double> quiet(std::max<std::size_t>(input_.chemistries.size(), 1), 0.0);
  for (std::size_t i = 0; i < input_.chemistries.size(); ++i) {
    quiet[i] = kernels::quiet_temperature(input_.chemistries[i], input_.control.quiet_rate);
  }
  quiet_temperature_ = kernels::DeviceArray<double>(backend_, quiet.size());
  quiet_temperature_.upload(quiet.data());
  in_runaway_ = kernels::DeviceArray<std::uint8_t>(backend_, padded);  // zeroed by allocate
  failures_ = kernels::DeviceArray<int>(backend_, 1);
  const int zero = 0;
  failures_.upload(&zero);
  cell_source_ = kernels::DeviceArray<double>(backend_, std::max<std::size_t>(cells, 1));
  cell_vent_open_ = kernels::DeviceArray<std::uint8_t>(backend_, std::max<std::size_t>(cells, 1));
  cell_stats_ =
      kernels::DeviceArray<kernels::CellPartial>(backend_, std::max<std::size_t>(cells, 1));
  view_.in_runaway = in_runaway_.data();
  view_.failures = failures_.data();

  collect_cell_statistics();
  for (std::size_t c = 0; c < cells; ++c) {
    records_[c].initial_releasable_heat = records_[c].stats.releasable_heat;
  }
  dt_ = std::min(input_.control.initial_dt, input_.control.max_dt);
}

// Active voxels: every voxel of a reactive material inside a cell, grouped by cell.
void Simulation::build_active_list() {
  const kernels::GridShape& s = conduction_.shape();
  const auto& ids = input_.conduction.material_ids;
  const std::size_t cells = input_.cells.size();
  std::vector<std::vector<Index>> by_cell(cells);
  std::vector<std::vector<std::uint8_t>> slot_by_cell(cells);
  for (int k = 1; k <= s.nz; ++k) {
    for (int j = 1; j <= s.ny; ++j) {
      for (int i = 1; i <= s.nx; ++i) {
        const auto interior = std::size_t(s.interior_index(i, j, k));
        const int material = ids.empty() ? 0 : ids[interior];
        const int slot = input_.chemistry_slot_of_material[std::size_t(material)];
        const std::int32_t cell = input_.cell_ids[interior];
        if (slot < 0 || cell < 0) continue;
        by_cell[std::size_t(cell)].push_back(s.index(i, j, k));
        slot_by_cell[std::size_t(cell)].push_back(std::uint8_t(slot));
      }
    }
  }
  std::vector<std::int32_t> cell_of;
  std::vector<std::uint8_t> slot_of;
  cell_begin_host_.assign(1, 0);
  for (std::size_t c = 0; c < cells; ++c) {
    active_voxel_host_.insert(active_voxel_host_.end(), by_cell[c].begin(), by_cell[c].end());
    slot_of.insert(slot_of.end(), slot_by_cell[c].begin(), slot_by_cell[c].end());
    cell_of.insert(cell_of.end(), by_cell[c].size(), std::int32_t(c));
    cell_begin_host_.push_back(Index(active_voxel_host_.size()));
  }
  active_count_ = Index(active_voxel_host_.size());
  const std::size_t n = std::max<std::size_t>(std::size_t(active_count_), 1);
  cell_voxels_.assign(cells, 0.0);
  for (std::size_t c = 0; c < cells; ++c) {
    cell_voxels_[c] = double(cell_begin_host_[c + 1] - cell_begin_host_[c]);
  }
  if (!cell_voxels_.empty()) domain_.sum(cell_voxels_.data(), cell_voxels_.size());
  if (input_.placement.decomposed() &&
      input_.placement.active_position.size() != std::size_t(active_count_)) {
    throw bad_input("the placement does not list every active voxel of the block",
                    {"", 0, "placement.active_position",
                     std::to_string(input_.placement.active_position.size())});
  }

  active_voxel_ = kernels::DeviceArray<Index>(backend_, n);
  active_cell_ = kernels::DeviceArray<std::int32_t>(backend_, n);
  active_chemistry_ = kernels::DeviceArray<std::uint8_t>(backend_, n);
  if (active_count_ > 0) {
    active_voxel_.upload(active_voxel_host_.data());
    active_cell_.upload(cell_of.data());
    active_chemistry_.upload(slot_of.data());
  }
  chemistries_ = kernels::DeviceArray<kernels::Chemistry>(
      backend_, std::max<std::size_t>(input_.chemistries.size(), 1));
  if (!input_.chemistries.empty()) chemistries_.upload(input_.chemistries.data());
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

  // Initial reaction state of every active voxel from its chemistry.
  std::vector<double> remaining(std::size_t(kernels::kMaxReactions) * n, 0.0);
  std::vector<double> electrolyte(n, 0.0);
  for (Index m = 0; m < active_count_; ++m) {
    const kernels::Chemistry& chem = input_.chemistries[slot_of[std::size_t(m)]];
    const kernels::KineticState st = kernels::initial_kinetic_state(chem);
    for (int i = 0; i < kernels::kMaxReactions; ++i) {
      remaining[std::size_t(i) * n + std::size_t(m)] = st.remaining[i];
    }
    electrolyte[std::size_t(m)] = st.electrolyte_left;
  }
  remaining_ = kernels::DeviceArray<double>(backend_, remaining.size());
  remaining_.upload(remaining.data());
  electrolyte_left_ = kernels::DeviceArray<double>(backend_, n);
  electrolyte_left_.upload(electrolyte.data());
  substep_hint_ = kernels::DeviceArray<float>(backend_, n);  // 0: the integrator chooses
  heat_release_rate_ = kernels::DeviceArray<double>(backend_, n);
  self_heating_rate_ = kernels::DeviceArray<double>(backend_, n);
  arrival_time_ = kernels::DeviceArray<double>(backend_, n);
  backend_.fill(arrival_time_.data(), Index(n), kNotYet);
  heat_released_ = kernels::DeviceArray<double>(backend_, n);
  vented_mass_ = kernels::DeviceArray<double>(backend_, n);

  view_.count = Index(n);
  view_.voxel = active_voxel_.data();
  view_.cell = active_cell_.data();
  view_.chemistry = active_chemistry_.data();
  view_.chemistries = chemistries_.data();
  view_.remaining = remaining_.data();
  view_.electrolyte_left = electrolyte_left_.data();
  view_.substep_hint = substep_hint_.data();
  view_.heat_release_rate = heat_release_rate_.data();
  view_.self_heating_rate = self_heating_rate_.data();
  view_.arrival_time = arrival_time_.data();
  view_.heat_released = heat_released_.data();
  view_.vented_mass = vented_mass_.data();
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
    update_cell_states(observer, 0);
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

double Simulation::step(double dt) {
  const SimulationControl& c = input_.control;
  const double t = time();
  if (dt <= 0) {
    dt = dt_;
    // Land exactly on frame times, trigger starts and the end time.
    double limit = c.end_time - t;
    if (next_frame_ > t + 1e-9) limit = std::min(limit, next_frame_ - t);
    for (const Trigger& trig : input_.triggers) {
      if (trig.start > t + 1e-9) limit = std::min(limit, trig.start - t);
      const double off = trig.start + trig.duration;
      if (trig.kind == TriggerKind::kHeater && off > t + 1e-9) limit = std::min(limit, off - t);
    }
    dt = std::min(dt, limit);
  }
  const double half = 0.5 * dt;
  update_drivers(dt);
  backend_.gather_active({active_voxel_.data(), conduction_.temperature_data(), t_old_.data()},
                         active_count_);
  backend_.fill(vented_mass_.data(), view_.count, 0.0);

  kinetics_half_step(half, t + half);  // Strang: K(dt/2) S(dt/2) C(dt) S(dt/2) K(dt/2)
  apply_region_sources(half);
  conduction_.conduct(dt);
  apply_region_sources(half);
  kinetics_half_step(half, t + dt);

  collect_cell_statistics();
  update_cell_states(nullptr, dt);
  last_change_ = std::max(
      0.0,
      domain_.max(backend_.max_temperature_change(
          {active_voxel_.data(), conduction_.temperature_data(), t_old_.data(), in_runaway_.data()},
          active_count_)));
  // Next step: bound the temperature change of voxels not yet in runaway.
  const double factor = last_change_ > 0 ? 0.9 * c.temperature_tolerance / last_change_ : 1.5;
  dt_ = std::clamp(dt_ * std::clamp(factor, 0.2, 1.5), c.min_dt, c.max_dt);
  ++steps_;
  return dt;
}

// Per-cell short-circuit power, heater and flame powers, oven ambient: scalars for this step.
void Simulation::update_drivers(double dt) {
  const double t = time();
  const double volume = conduction_.spacing().volume();
  const std::size_t cells = input_.cells.size();
  for (std::size_t c = 0; c < cells; ++c) {
    CellRecord& rec = records_[c];
    const kernels::Chemistry& chem =
        input_.chemistries[std::size_t(input_.cells[c].chemistry_slot)];
    double isc = 0;
    if (!std::isnan(rec.short_time)) {
      const double energy = chem.short_circuit_energy_fraction * input_.cells[c].stored_energy;
      isc = short_circuit_energy(energy, chem.short_circuit_time_constant, rec.short_time,
                                 std::max(t, rec.short_time), t + dt);
    }
    rec.short_circuit_heat += isc;
    const double jelly_volume = cell_voxels_[c] * volume;
    cell_source_host_[c] = jelly_volume > 0 ? isc / dt / jelly_volume : 0.0;
    // Vent fire: the fuel pool burns first-order over the burn time.
    Region& flame = regions_[c];
    const double burned =
        chem.burn_time > 0 ? rec.fuel * (1 - std::exp(-dt / chem.burn_time)) : rec.fuel;
    rec.fuel -= burned;
    flame.power = burned * chem.heat_of_combustion / dt;  // what the fire releases; see apply_flame
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
  // The vent ejects only for its ejection time (a share of the liquid leaves, cell_events.hpp).
  for (std::size_t c = 0; c < cells; ++c) {
    const CellRecord& rec = records_[c];
    const kernels::Chemistry& chem =
        input_.chemistries[std::size_t(input_.cells[c].chemistry_slot)];
    vent_open_host_[c] =
        !std::isnan(rec.vent_time) && (t - rec.vent_time) < kernels::vent_ejection_time(chem);
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
  if (active_count_ == 0) return;
  const kernels::CellDrive drive{cell_source_.data(), cell_vent_open_.data()};
  reacting_count_ = backend_.select_reacting(
      {view_, drive, conduction_.temperature_data(), quiet_temperature_.data(), reacting_.data()},
      active_count_, reacting_list_.data());
  if (reacting_count_ == 0) return;
  kernels::KineticsUpdate update{view_,
                                 drive,
                                 conduction_.temperature_data(),
                                 dt,
                                 time_end,
                                 input_.control.onset_rate,
                                 pack_kinetics_tolerances(),
                                 reacting_list_.data()};
  backend_.kinetics(update, reacting_count_);
}

void Simulation::apply_region_sources(double dt) {
  const double volume = conduction_.spacing().volume();
  const std::size_t cells = input_.cells.size();
  for (std::size_t i = 0; i < regions_.size(); ++i) {
    Region& r = regions_[i];
    if (r.power == 0) continue;
    if (i < cells) {
      apply_flame(i, dt);
      continue;
    }
    if (r.count == 0) continue;
    const double density = r.power / (r.global_count * volume);
    backend_.region_source({r.voxels.data(), conduction_.view().inv_heat_capacity, density, dt,
                            conduction_.temperature_data()},
                           r.count);
  }
}

// The vent fire of a cell over dt: its surfaces take h_f (T_flame - T) per exposed face, capped
// at what the fire releases; the rest leaves with the plume.
void Simulation::apply_flame(std::size_t cell, double dt) {
  Region& r = regions_[cell];
  CellRecord& rec = records_[cell];
  const double released = r.power * dt;
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
  kernels::KineticsView view = view_;
  view.count = std::max<Index>(active_count_, 1);
  backend_.cell_statistics(
      {view, chunk_begin_.data(), conduction_.temperature_data(), chunk_stats_.data()},
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
    records_[c].vented_mass += stats.vented_mass;
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
    const Index c = active_voxel_host_[m];
    double t = 0;
    backend_.copy_to_host(&t, conduction_.temperature_data() + c, sizeof t);
    std::int32_t cell = 0;
    active_cell_.download_element(m, &cell);
    throw runtime_error(
        "the kinetics integrator did not converge at t = " + std::to_string(time()) +
        " s in a voxel of cell " + std::to_string(cell) + " at " + std::to_string(t) +
        " K; reduce run.max_dt or check the chemistry");
  }
}

// The per-cell state machine. Called with dt > 0 inside step() (updates fuel and flags), and
// with an observer after the step to report the events it recorded.
void Simulation::update_cell_states(SimulationObserver* observer, double dt) {
  if (dt <= 0) {
    for (; reported_events_ < events_.size(); ++reported_events_) {
      if (observer) observer->on_event(*this, events_[reported_events_]);
    }
    return;
  }
  const double t = time();
  for (std::size_t c = 0; c < input_.cells.size(); ++c) {
    CellRecord& rec = records_[c];
    const kernels::Chemistry& chem =
        input_.chemistries[std::size_t(input_.cells[c].chemistry_slot)];
    const kernels::CellStatistics& s = rec.stats;
    rec.fuel += chem.burned_fraction * s.vented_mass;
    if (std::isnan(rec.vent_time) && chem.vent_temperature > 0 &&
        s.max_temperature >= chem.vent_temperature) {
      rec.vent_time = t;
      record(observer, int(c), EventKind::kVent);
    }
    if (std::isnan(rec.short_time) && chem.separator_temperature > 0 &&
        chem.short_circuit_energy_fraction > 0 && s.max_temperature >= chem.separator_temperature) {
      rec.short_time = t;
      record(observer, int(c), EventKind::kShortCircuit);
    }
    if (std::isnan(rec.onset_time) && !std::isnan(s.earliest_arrival)) {
      rec.onset_time = s.earliest_arrival;
      record(observer, int(c), EventKind::kRunaway);
    }
    if (!std::isnan(rec.onset_time) && std::isnan(rec.burnt_out_time) &&
        s.releasable_heat < 0.01 * rec.initial_releasable_heat) {
      rec.burnt_out_time = t;
      record(observer, int(c), EventKind::kBurntOut);
    }
  }
  for (std::size_t i = 0; i < input_.triggers.size(); ++i) {
    const Trigger& trig = input_.triggers[i];
    if (trig.kind == TriggerKind::kNail && !trigger_on_[i] && t >= trig.start - 1e-9) {
      trigger_on_[i] = 1;
      CellRecord& rec = records_[std::size_t(trig.cell)];
      if (std::isnan(rec.short_time)) {
        rec.short_time = trig.start;
        record(observer, trig.cell, EventKind::kShortCircuit);
      }
    }
    if (trig.kind == TriggerKind::kHeater) {
      const bool on = t >= trig.start - 1e-9 && t < trig.start + trig.duration - 1e-9;
      if (on != bool(trigger_on_[i])) {
        trigger_on_[i] = on;
        record(observer, trig.cell, on ? EventKind::kTriggerOn : EventKind::kTriggerOff);
      }
    }
  }
  for (CellRecord& rec : records_) rec.state = state_of(rec);
}

void Simulation::record(SimulationObserver*, int cell, EventKind kind) {
  const double temperature = cell >= 0 ? records_[std::size_t(cell)].stats.mean_temperature : 0.0;
  double when = time();
  if (kind == EventKind::kRunaway) when = records_[std::size_t(cell)].onset_time;
  events_.push_back({cell, kind, when, temperature});
}

int Simulation::cells_in_runaway() const {
  return int(std::count_if(records_.begin(), records_.end(),
                           [](const CellRecord& r) { return !std::isnan(r.onset_time); }));
}

std::vector<double> Simulation::scatter(const std::vector<double>& compact, double outside) const {
  const kernels::GridShape& s = conduction_.shape();
  std::vector<double> field(std::size_t(s.interior_size()), outside);
  for (Index m = 0; m < active_count_; ++m) {
    const Index c = active_voxel_host_[std::size_t(m)];
    const int i = int(c % s.stride_y());
    const int j = int((c / s.stride_y()) % (s.ny + 2));
    const int k = int(c / s.stride_z());
    field[std::size_t(s.interior_index(i, j, k))] = compact[std::size_t(m)];
  }
  return field;
}

std::vector<double> Simulation::heat_release_field() const {
  std::vector<double> compact(std::size_t(view_.count));
  heat_release_rate_.download(compact.data());
  return scatter(compact, 0.0);
}

std::vector<double> Simulation::arrival_time_field() const {
  std::vector<double> compact(std::size_t(view_.count));
  arrival_time_.download(compact.data());
  return scatter(compact, kNotYet);
}

std::vector<double> Simulation::electrolyte_left_field() const {
  std::vector<double> compact(std::size_t(view_.count));
  electrolyte_left_.download(compact.data());
  return scatter(compact, kNotYet);
}

std::vector<double> Simulation::progress_field(const std::string& name) const {
  std::vector<double> all(remaining_.size());
  remaining_.download(all.data());
  std::vector<double> progress(std::size_t(active_count_), 0.0);
  std::vector<std::uint8_t> slot(std::size_t(view_.count));
  active_chemistry_.download(slot.data());
  for (Index m = 0; m < active_count_; ++m) {
    const kernels::Chemistry& chem = input_.chemistries[slot[std::size_t(m)]];
    int reaction = -1;
    for (int i = 0; i < chem.reaction_count; ++i) {
      if (name == chem.reactions[i].name) reaction = i;
    }
    if (reaction < 0) {
      progress[std::size_t(m)] = kNotYet;
      continue;
    }
    kernels::KineticState st;
    st.remaining[reaction] = all[std::size_t(reaction) * std::size_t(view_.count) + std::size_t(m)];
    progress[std::size_t(m)] = kernels::reaction_progress(chem, st, reaction);
  }
  return scatter(progress, kNotYet);
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
  return r.stats.heat_released + r.short_circuit_heat + r.combustion_heat;
}

namespace {
template <class T>
std::vector<T> download_all(const kernels::DeviceArray<T>& a) {
  std::vector<T> host(a.size());
  a.download(host.data());
  return host;
}
template <class T>
void upload_checked(kernels::DeviceArray<T>& a, const std::map<std::string, std::vector<T>>& from,
                    const std::string& name) {
  const auto it = from.find(name);
  if (it == from.end() || it->second.size() != a.size()) {
    throw bad_input("the checkpoint does not fit this model: array '" + name + "' is missing or " +
                        "has the wrong size",
                    {"", 0, "checkpoint", name});
  }
  a.upload(it->second.data());
}
constexpr const char* kRecordFields[] = {"vent_time",
                                         "short_time",
                                         "onset_time",
                                         "burnt_out_time",
                                         "peak_temperature",
                                         "fuel",
                                         "vented_mass",
                                         "combustion_heat",
                                         "plume_heat",
                                         "short_circuit_heat",
                                         "initial_releasable_heat"};
// Pointers to a record's checkpointed numbers, in kRecordFields order (const or not).
template <class Record>
auto record_fields(Record& r) {
  return std::array{&r.vent_time,
                    &r.short_time,
                    &r.onset_time,
                    &r.burnt_out_time,
                    &r.peak_temperature,
                    &r.fuel,
                    &r.vented_mass,
                    &r.combustion_heat,
                    &r.plume_heat,
                    &r.short_circuit_heat,
                    &r.initial_releasable_heat};
}
constexpr int kStatFields = 8;
template <class Stats>
auto stat_fields(Stats& s) {
  return std::array{&s.mean_temperature,  &s.max_temperature, &s.max_self_heating_rate,
                    &s.heat_release_rate, &s.heat_released,   &s.vented_mass,
                    &s.earliest_arrival,  &s.releasable_heat};
}
static_assert(std::size(kRecordFields) == 11);

}  // namespace

namespace {
template <class To, class From>
std::vector<To> convert(const std::vector<From>& from) {
  return std::vector<To>(from.begin(), from.end());
}
}  // namespace

std::vector<double> Simulation::gather_active_rows(const std::vector<double>& local,
                                                   int rows) const {
  const Placement& p = input_.placement;
  const auto global_n = std::size_t(std::max<std::int64_t>(p.global_active_count, 1));
  const auto n = std::size_t(view_.count);
  std::vector<std::int64_t> index;
  std::vector<double> values;
  for (int r = 0; r < rows; ++r) {
    for (std::size_t m = 0; m < std::size_t(active_count_); ++m) {
      index.push_back(std::int64_t(std::size_t(r) * global_n) + p.active_position[m]);
      values.push_back(local[std::size_t(r) * n + m]);
    }
  }
  return domain_.gather(index, values, std::size_t(rows) * global_n);
}

std::vector<double> Simulation::pick_active_rows(const std::vector<double>& global,
                                                 int rows) const {
  const Placement& p = input_.placement;
  const auto global_n = std::size_t(std::max<std::int64_t>(p.global_active_count, 1));
  const auto n = std::size_t(view_.count);
  std::vector<double> local(std::size_t(rows) * n, 0.0);
  for (int r = 0; r < rows; ++r) {
    for (std::size_t m = 0; m < std::size_t(active_count_); ++m) {
      local[std::size_t(r) * n + m] =
          global[std::size_t(r) * global_n + std::size_t(p.active_position[m])];
    }
  }
  return local;
}

std::vector<double> Simulation::gather_padded(const std::vector<double>& local) const {
  const Placement& p = input_.placement;
  const kernels::GridShape& s = conduction_.shape();
  std::vector<std::int64_t> index;
  std::vector<double> values;
  for (int k = 1; k <= s.nz; ++k) {
    for (int j = 1; j <= s.ny; ++j) {
      for (int i = 1; i <= s.nx; ++i) {
        index.push_back(p.global_shape.index(i + p.block.offset[0], j + p.block.offset[1],
                                             k + p.block.offset[2]));
        values.push_back(local[std::size_t(s.index(i, j, k))]);
      }
    }
  }
  return domain_.gather(index, values, std::size_t(p.global_shape.padded_size()));
}

std::vector<double> Simulation::pick_padded(const std::vector<double>& global) const {
  const Placement& p = input_.placement;
  const kernels::GridShape& s = conduction_.shape();
  std::vector<double> local(std::size_t(s.padded_size()));
  for (int k = 0; k <= s.nz + 1; ++k) {
    for (int j = 0; j <= s.ny + 1; ++j) {
      for (int i = 0; i <= s.nx + 1; ++i) {
        local[std::size_t(s.index(i, j, k))] = global[std::size_t(p.global_shape.index(
            i + p.block.offset[0], j + p.block.offset[1], k + p.block.offset[2]))];
      }
    }
  }
  return local;
}

SimulationSnapshot Simulation::snapshot() const {
  SimulationSnapshot s;
  std::vector<double> t(std::size_t(conduction_.shape().padded_size()));
  backend_.copy_to_host(t.data(), conduction_.temperature_data(), t.size() * sizeof(double));
  if (input_.placement.decomposed()) {
    // The single grid's layout on rank 0 (io::write_checkpoint runs there).
    s.doubles["temperature"] = gather_padded(t);
    s.doubles["remaining"] = gather_active_rows(download_all(remaining_), kernels::kMaxReactions);
    for (const char* name : {"electrolyte_left", "heat_release_rate", "self_heating_rate",
                             "arrival_time", "heat_released"}) {
      const std::string key = name;
      const kernels::DeviceArray<double>& a = key == "electrolyte_left"    ? electrolyte_left_
                                              : key == "heat_release_rate" ? heat_release_rate_
                                              : key == "self_heating_rate" ? self_heating_rate_
                                              : key == "arrival_time"      ? arrival_time_
                                                                           : heat_released_;
      s.doubles[key] = gather_active_rows(download_all(a), 1);
    }
    s.floats["substep_hint"] =
        convert<float>(gather_active_rows(convert<double>(download_all(substep_hint_)), 1));
    s.bytes["in_runaway"] =
        convert<std::uint8_t>(gather_padded(convert<double>(download_all(in_runaway_))));
    s.bytes["reacting"] =
        convert<std::uint8_t>(gather_active_rows(convert<double>(download_all(reacting_)), 1));
  } else {
    s.doubles["temperature"] = std::move(t);
    s.doubles["remaining"] = download_all(remaining_);
    s.doubles["electrolyte_left"] = download_all(electrolyte_left_);
    s.doubles["heat_release_rate"] = download_all(heat_release_rate_);
    s.doubles["self_heating_rate"] = download_all(self_heating_rate_);
    s.doubles["arrival_time"] = download_all(arrival_time_);
    s.doubles["heat_released"] = download_all(heat_released_);
    s.floats["substep_hint"] = download_all(substep_hint_);
    s.bytes["in_runaway"] = download_all(in_runaway_);
    s.bytes["reacting"] = download_all(reacting_);
  }
  s.bytes["trigger_on"] = trigger_on_;
  s.bytes["vent_open"] = vent_open_host_;
  const std::size_t cells = records_.size();
  for (int f = 0; f < int(std::size(kRecordFields)); ++f) {
    std::vector<double> column(cells);
    for (std::size_t c = 0; c < cells; ++c) column[c] = *record_fields(records_[c])[std::size_t(f)];
    s.doubles[std::string("cell_") + kRecordFields[f]] = std::move(column);
  }
  std::vector<double> stats(cells * kStatFields);
  for (std::size_t c = 0; c < cells; ++c) {
    for (int f = 0; f < kStatFields; ++f) {
      stats[c * kStatFields + std::size_t(f)] = *stat_fields(records_[c].stats)[std::size_t(f)];
    }
  }
  s.doubles["cell_statistics"] = std::move(stats);
  std::vector<std::int32_t> event_cell, event_kind;
  std::vector<double> event_time, event_temperature;
  for (const CellEvent& e : events_) {
    event_cell.push_back(e.cell);
    event_kind.push_back(std::int32_t(e.kind));
    event_time.push_back(e.time);
    event_temperature.push_back(e.temperature);
  }
  s.ints["event_cell"] = event_cell;
  s.ints["event_kind"] = event_kind;
  s.doubles["event_time"] = event_time;
  s.doubles["event_temperature"] = event_temperature;
  s.scalars = {{"time", time()},
               {"dt", dt_},
               {"last_change", last_change_},
               {"next_frame", next_frame_},
               {"next_sample", next_sample_},
               {"steps", double(steps_)},
               {"reported_events", double(reported_events_)}};
  return s;
}

void Simulation::restore(const SimulationSnapshot& s) {
  const Placement& p = input_.placement;
  const auto global_padded =
      std::size_t((p.decomposed() ? p.global_shape : conduction_.shape()).padded_size());
  const auto& t = s.doubles.find("temperature");
  if (t == s.doubles.end() || t->second.size() != global_padded) {
    throw bad_input("the checkpoint does not fit this model (temperature field size)",
                    {"", 0, "checkpoint", "temperature"});
  }
  if (p.decomposed()) {
    // Every rank takes its part of the single grid's arrays.
    const auto global_n = std::size_t(std::max<std::int64_t>(p.global_active_count, 1));
    auto sized = [&](const auto& map, const std::string& name, std::size_t size) -> const auto& {
      const auto it = map.find(name);
      if (it == map.end() || it->second.size() != size) {
        throw bad_input("the checkpoint does not fit this model: array '" + name +
                            "' is missing or has the wrong size",
                        {"", 0, "checkpoint", name});
      }
      return it->second;
    };
    const std::vector<double> temperature = pick_padded(t->second);
    backend_.copy_to_device(conduction_.temperature_data(), temperature.data(),
                            temperature.size() * sizeof(double));
    remaining_.upload(
        pick_active_rows(sized(s.doubles, "remaining", kernels::kMaxReactions * global_n),
                         kernels::kMaxReactions)
            .data());
    electrolyte_left_.upload(
        pick_active_rows(sized(s.doubles, "electrolyte_left", global_n), 1).data());
    heat_release_rate_.upload(
        pick_active_rows(sized(s.doubles, "heat_release_rate", global_n), 1).data());
    self_heating_rate_.upload(
        pick_active_rows(sized(s.doubles, "self_heating_rate", global_n), 1).data());
    arrival_time_.upload(pick_active_rows(sized(s.doubles, "arrival_time", global_n), 1).data());
    heat_released_.upload(pick_active_rows(sized(s.doubles, "heat_released", global_n), 1).data());
    substep_hint_.upload(
        convert<float>(
            pick_active_rows(convert<double>(sized(s.floats, "substep_hint", global_n)), 1))
            .data());
    in_runaway_.upload(convert<std::uint8_t>(pick_padded(convert<double>(
                                                 sized(s.bytes, "in_runaway", global_padded))))
                           .data());
    reacting_.upload(convert<std::uint8_t>(
                         pick_active_rows(convert<double>(sized(s.bytes, "reacting", global_n)), 1))
                         .data());
  } else {
    backend_.copy_to_device(conduction_.temperature_data(), t->second.data(),
                            t->second.size() * sizeof(double));
    upload_checked(remaining_, s.doubles, "remaining");
    upload_checked(electrolyte_left_, s.doubles, "electrolyte_left");
    upload_checked(heat_release_rate_, s.doubles, "heat_release_rate");
    upload_checked(self_heating_rate_, s.doubles, "self_heating_rate");
    upload_checked(arrival_time_, s.doubles, "arrival_time");
    upload_checked(heat_released_, s.doubles, "heat_released");
    upload_checked(substep_hint_, s.floats, "substep_hint");
    upload_checked(in_runaway_, s.bytes, "in_runaway");
    upload_checked(reacting_, s.bytes, "reacting");
  }
  auto need = [&](const auto& map, const std::string& name, std::size_t size) -> const auto& {
    const auto it = map.find(name);
    if (it == map.end() || it->second.size() != size) {
      throw bad_input("the checkpoint does not fit this model: '" + name + "'",
                      {"", 0, "checkpoint", name});
    }
    return it->second;
  };
  const std::size_t cells = records_.size();
  trigger_on_ = need(s.bytes, "trigger_on", trigger_on_.size());
  vent_open_host_ = need(s.bytes, "vent_open", vent_open_host_.size());
  for (int f = 0; f < int(std::size(kRecordFields)); ++f) {
    const auto& column = need(s.doubles, std::string("cell_") + kRecordFields[f], cells);
    for (std::size_t c = 0; c < cells; ++c) *record_fields(records_[c])[std::size_t(f)] = column[c];
  }
  const auto& stats = need(s.doubles, "cell_statistics", cells * kStatFields);
  for (std::size_t c = 0; c < cells; ++c) {
    for (int f = 0; f < kStatFields; ++f) {
      *stat_fields(records_[c].stats)[std::size_t(f)] = stats[c * kStatFields + std::size_t(f)];
    }
  }
  const auto& event_cell = s.ints.at("event_cell");
  const auto& event_kind = need(s.ints, "event_kind", event_cell.size());
  const auto& event_time = need(s.doubles, "event_time", event_cell.size());
  const auto& event_temperature = need(s.doubles, "event_temperature", event_cell.size());
  events_.clear();
  for (std::size_t e = 0; e < event_cell.size(); ++e) {
    events_.push_back(
        {event_cell[e], EventKind(event_kind[e]), event_time[e], event_temperature[e]});
  }
  const auto scalar = [&](const char* name) {
    const auto it = s.scalars.find(name);
    if (it == s.scalars.end()) {
      throw bad_input("the checkpoint lacks the scalar '" + std::string(name) + "'",
                      {"", 0, "checkpoint", name});
    }
    return it->second;
  };
  conduction_.set_time(scalar("time"));
  dt_ = scalar("dt");
  last_change_ = scalar("last_change");
  next_frame_ = scalar("next_frame");
  next_sample_ = scalar("next_sample");
  steps_ = std::int64_t(scalar("steps"));
  reported_events_ = std::size_t(scalar("reported_events"));
  for (CellRecord& rec : records_) rec.state = state_of(rec);
}

double Simulation::total_heat_released() const {
  double total = 0;
  for (const CellRecord& r : records_) {
    total += r.stats.heat_released + r.short_circuit_heat + r.combustion_heat;
  }
  for (std::size_t i = 0; i < input_.triggers.size(); ++i) {
    const Trigger& trig = input_.triggers[i];
    if (trig.kind == TriggerKind::kHeater) {
      total += trig.power * overlap(0, time(), trig.start, trig.start + trig.duration);
    }
  }
  return total;
}

}  // namespace runaway::host
