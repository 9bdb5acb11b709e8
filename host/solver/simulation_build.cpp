// Setting a Simulation up: input checks, the active-voxel list, the field registry's table, the
// heat-source regions and each cell's event-model parameters.
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "common/error.hpp"
#include "host/solver/simulation.hpp"
#include "kernels/cell_events.hpp"

namespace runaway::host {

using kernels::Index;

namespace {

void require(bool ok, const std::string& key, const std::string& value, const std::string& what) {
  if (!ok) throw bad_input(what, {"", 0, key, value});
}

std::string text(double v) {
  return std::to_string(v);
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
  require(c.max_temperature_change > 0 && std::isfinite(c.max_temperature_change),
          "run.max_temperature_change", text(c.max_temperature_change), "must be > 0");
  require(c.temperature_tolerance > 0, "run.temperature_tolerance", text(c.temperature_tolerance),
          "must be > 0 (infinity: not controlled)");
  require(c.kinetics_tolerance > 0 && c.kinetics_tolerance <= 1e-2, "run.kinetics_tolerance",
          text(c.kinetics_tolerance), "must be in (0, 0.01]");
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
  vent_flow_host_.assign(cells, kernels::VentFlow{});
  trigger_on_.assign(input_.triggers.size(), 0);
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    ambient0_[f] = input_.conduction.boundaries[std::size_t(f)].temperature;
  }
  fields_ = std::make_unique<FieldRegistry>(backend_, domain_, input_.placement,
                                            conduction_.shape(), build_active_list());
  allocate_fields();
  build_regions();
  build_plumes();
  build_heat_pathways();
  build_probes();
  build_cell_records();
  if (std::isfinite(input_.control.temperature_tolerance)) {
    conduction_.estimate_time_error(view_.in_runaway);  // runaway voxels: see adapt_step
  }
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
  f.add<float>("substep_hint", L::kActive, true);               // 0: the integrator chooses
  f.add<std::int32_t>("kinetics_substeps", L::kActive, false);  // a cost counter, not state
  f.add<double>("heat_release_rate", L::kActive, true);
  f.add<double>("self_heating_rate", L::kActive, true);
  f.add<double>("arrival_time", L::kActive, true, 1, kNotYet);
  f.add<double>("heat_released", L::kActive, true);
  // The step's budget of each voxel, reset every step (coupling.hpp KineticsView).
  for (const char* name : {"vented_mass", "gas_generated", "step_heat_kept", "ejected_heat",
                           "vent_heat", "electrolyte_decomposed"}) {
    f.add<double>(name, L::kActive, false);
  }
  f.add<std::uint8_t>("reacting", L::kActive, true);
  f.add<double>("start_temperature", L::kActive, false);  // for the step controller
  f.add<Index>("reacting_list", L::kActive, false);
  f.add<std::uint8_t>("in_runaway", L::kGrid, true);
  // Plumes: their heat of a step, held for the next conduction (kernels::SpreadHeldHeat).
  const bool plumes = std::any_of(input_.cells.begin(), input_.cells.end(), [](const auto& cell) {
    const PlumePath& p = cell.plume;
    return !p.node_area.empty() || p.radiation_share > 0.0 || !p.faces.empty() ||
           !p.radiation.empty();
  });
  if (plumes) f.add<double>("plume_heat_held", L::kGrid, true);
  f.add_external(
      "temperature", [this] { return conduction_.temperature_data(); }, L::kGrid);
  // Melting cans: the melt fraction (the conduction solver's, halo exchanged) is run state.
  if (conduction_.has_melting()) {
    f.add_external(
        "melt_fraction", [this] { return conduction_.melt_data(); }, L::kGrid);
  }
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
  cell_vent_flow_ =
      kernels::DeviceArray<kernels::VentFlow>(backend_, std::max<std::size_t>(cells, 1));

  std::vector<double> quiet(std::max<std::size_t>(input_.chemistries.size(), 1), 0.0);
  for (std::size_t i = 0; i < input_.chemistries.size(); ++i) {
    quiet[i] = kernels::quiet_temperature(input_.chemistries[i], input_.control.quiet_rate);
  }
  quiet_temperature_ = kernels::DeviceArray<double>(backend_, quiet.size());
  quiet_temperature_.upload(quiet.data());
}

// Heat-source regions: one per heater.
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
      r.on_boundary =
          r.on_boundary || i == 1 || i == s.nx || j == 1 || j == s.ny || k == 1 || k == s.nz;
    }
    r.count = Index(idx.size());
    r.global_count = domain_.sum(double(r.count));
    if (!idx.empty()) {
      r.voxels = kernels::DeviceArray<Index>(backend_, idx.size());
      r.voxels.upload(idx.data());
    }
    return r;
  };
  for (const Trigger& t : input_.triggers) regions_.push_back(make_region(t.voxels));
}

// Each cell's plume on this rank: its faces' and radiation targets' distinct voxels, and the
// cell each belongs to; every gas region's oxygen.
void Simulation::build_plumes() {
  const kernels::GridShape& s = conduction_.shape();
  plumes_.resize(input_.cells.size());
  std::vector<kernels::Index> every;  // all plumes' voxels, for the held heat
  for (std::size_t c = 0; c < input_.cells.size(); ++c) {
    const PlumePath& path = input_.cells[c].plume;
    Plume& plume = plumes_[c];
    std::map<std::int64_t, int> slot_of;
    std::vector<kernels::Index> padded;
    auto slot = [&](std::int64_t v) {
      const auto [it, added] = slot_of.emplace(v, int(padded.size()));
      if (added) {
        padded.push_back(s.index(int(v % s.nx) + 1, int((v / s.nx) % s.ny) + 1,
                                 int(v / (std::int64_t(s.nx) * s.ny)) + 1));
        plume.voxel_cell.push_back(input_.cell_ids[std::size_t(v)]);
      }
      return it->second;
    };
    for (const PlumeFace& f : path.faces) plume.face_slot.push_back(slot(f.voxel));
    for (const PlumeView& r : path.radiation) plume.radiation_slot.push_back(slot(r.voxel));
    plume.host_values.assign(padded.size(), 0.0);
    if (!padded.empty()) {
      plume.voxels = kernels::DeviceArray<kernels::Index>(backend_, padded.size());
      plume.voxels.upload(padded.data());
      plume.values = kernels::DeviceArray<double>(backend_, padded.size());
    }
    every.insert(every.end(), padded.begin(), padded.end());
  }
  std::sort(every.begin(), every.end());
  every.erase(std::unique(every.begin(), every.end()), every.end());
  plume_voxel_count_ = kernels::Index(every.size());
  for (const kernels::Index p : every) {
    const std::int64_t row = s.nx + 2;
    const std::int64_t plane = row * (s.ny + 2);
    const auto i = int(p % row), j = int((p / row) % (s.ny + 2)), k = int(p / plane);
    plume_voxels_on_boundary_ = plume_voxels_on_boundary_ || i == 1 || i == s.nx || j == 1 ||
                                j == s.ny || k == 1 || k == s.nz;
  }
  if (!every.empty()) {
    plume_voxels_ = kernels::DeviceArray<kernels::Index>(backend_, every.size());
    plume_voxels_.upload(every.data());
  }
  oxygen_left_.clear();
  for (const GasRegion& r : input_.gas_regions) oxygen_left_.push_back(r.oxygen_mass);
}

// The probes' voxels on this rank, in probe order, as padded indices.
void Simulation::build_probes() {
  const kernels::GridShape& s = conduction_.shape();
  std::vector<kernels::Index> padded;
  for (const ProbeSetup& probe : input_.probes) {
    for (const std::int64_t v : probe.voxels) {
      padded.push_back(s.index(int(v % s.nx) + 1, int((v / s.nx) % s.ny) + 1,
                               int(v / (std::int64_t(s.nx) * s.ny)) + 1));
    }
  }
  probe_host_values_.assign(padded.size(), 0.0);
  if (padded.empty()) return;
  probe_voxels_ = kernels::DeviceArray<kernels::Index>(backend_, padded.size());
  probe_voxels_.upload(padded.data());
  probe_values_ = kernels::DeviceArray<double>(backend_, padded.size());
}

// The cells' surface faces on this rank (padded indices, the face's conductance slot) and the
// segments of the list that each cell's pathways take.
void Simulation::build_heat_pathways() {
  const kernels::GridShape& s = conduction_.shape();
  const kernels::Spacing& h = conduction_.spacing();
  const double edge[3] = {h.dx, h.dy, h.dz};
  const Index stride[3] = {1, s.stride_y(), s.stride_z()};
  const std::size_t cells = input_.cells.size();
  std::vector<kernels::CellSurfaceFace> faces;
  std::vector<Index> segments(cells * kernels::kHeatPathwayCount + 1, 0);
  for (const CellSurface& f : input_.cell_surfaces) {
    kernels::CellSurfaceFace k;
    const std::int64_t v = f.voxel;
    k.voxel = s.index(int(v % s.nx) + 1, int((v / s.nx) % s.ny) + 1,
                      int(v / (std::int64_t(s.nx) * s.ny)) + 1);
    k.axis = f.direction / 2;
    const bool plus = f.direction % 2 == 1;
    k.other = plus ? k.voxel + stride[k.axis] : k.voxel - stride[k.axis];
    k.conductance_index = plus ? k.other : k.voxel;
    k.category = f.category;
    k.k_cell = f.k_cell;
    k.k_gas = f.k_gas;
    k.h2 = edge[k.axis] * edge[k.axis];
    faces.push_back(k);
    ++segments[std::size_t(f.cell) * kernels::kHeatPathwayCount + std::size_t(f.category) + 1];
  }
  for (std::size_t i = 1; i < segments.size(); ++i) segments[i] += segments[i - 1];
  // One pass sums every pathway of every cell: the faces' conducted joules are values [0, F), their
  // radiated joules [F, 2F); the gap-radiation segment of a cell is its gas faces' radiated range.
  const auto count = Index(faces.size());
  const std::size_t pathways = cells * kernels::kHeatPathwayCount;
  std::vector<Index> begin(pathways), end(pathways);
  for (std::size_t c = 0; c < cells; ++c) {
    for (std::size_t p = 0; p < std::size_t(kernels::kHeatPathwayCount); ++p) {
      const std::size_t at = c * kernels::kHeatPathwayCount + p;
      begin[at] = segments[at];
      end[at] = segments[at + 1];
    }
    const std::size_t gas =
        c * kernels::kHeatPathwayCount + std::size_t(kernels::HeatPathway::kGasConduction);
    const std::size_t radiation =
        c * kernels::kHeatPathwayCount + std::size_t(kernels::HeatPathway::kGapRadiation);
    begin[radiation] = count + segments[gas];
    end[radiation] = count + segments[gas + 1];
  }
  surface_face_count_ = count;
  surface_faces_ = kernels::DeviceArray<kernels::CellSurfaceFace>(
      backend_, std::max<std::size_t>(faces.size(), 1));
  if (!faces.empty()) surface_faces_.upload(faces.data());
  surface_joules_ =
      kernels::DeviceArray<double>(backend_, std::max<std::size_t>(2 * faces.size(), 1));
  surface_begin_ = kernels::DeviceArray<Index>(backend_, std::max<std::size_t>(pathways, 1));
  surface_end_ = kernels::DeviceArray<Index>(backend_, std::max<std::size_t>(pathways, 1));
  if (pathways > 0) {
    surface_begin_.upload(begin.data());
    surface_end_.upload(end.data());
  }
  surface_sums_ =
      kernels::DeviceArray<kernels::CompensatedSum>(backend_, std::max<std::size_t>(pathways, 1));
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
        setup.stored_energy, 0.0, nail_time);
  }
  collect_cell_statistics();
  for (CellRecord& rec : records_) {
    rec.initial_releasable_heat = rec.stats.releasable_heat;
    // Sensible heat counts from the cell's start temperature; the can starts with fill gas.
    rec.parameters.vent.reference_temperature = rec.stats.mean_temperature;
    rec.events = kernels::start_cell_events(rec.parameters, rec.stats.liquid_mass);
    rec.initial_electrolyte = rec.stats.liquid_mass;
  }
  close_cell_steps(0.0);  // the check at the start: a cell above a threshold fires at once
}

}  // namespace runaway::host
