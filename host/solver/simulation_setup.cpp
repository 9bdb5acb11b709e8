#include "host/solver/simulation_setup.hpp"

#include <algorithm>
#include <string>

#include "common/error.hpp"
#include "host/verdict/probes.hpp"

namespace runaway::host {

kernels::Chemistry effective_chemistry(const kernels::Chemistry& chemistry,
                                       double jelly_roll_fraction, double density,
                                       double heat_capacity) {
  kernels::Chemistry c = chemistry;
  for (int i = 0; i < c.reaction_count; ++i) c.reactions[i].reactant_content *= jelly_roll_fraction;
  // W_e = f rho: keep the liquid per m^3 of voxel at f_jelly * rho_jelly * share.
  c.liquid_electrolyte_fraction =
      chemistry.liquid_electrolyte_fraction * chemistry.density * jelly_roll_fraction / density;
  c.density = density;
  c.heat_capacity = heat_capacity;
  return c;
}

// Every face between a cell's voxel and what is not that cell, by what lies across it (heat
// pathways, kernels/heat_pathways.hpp), sorted by cell and then pathway.
std::vector<CellSurface> cell_surfaces(const meshes::VoxelModel& model) {
  std::vector<CellSurface> faces;
  const int n[3] = {model.shape.nx, model.shape.ny, model.shape.nz};
  for (int k = 0; k < n[2]; ++k) {
    for (int j = 0; j < n[1]; ++j) {
      for (int i = 0; i < n[0]; ++i) {
        const std::int64_t v = model.index(i, j, k);
        const std::int32_t cell = model.cell[std::size_t(v)];
        if (cell < 0) continue;
        const meshes::Material& mine = model.materials[model.material[std::size_t(v)]];
        for (int face = 0; face < kernels::kFaceCount; ++face) {
          const int axis = face / 2;
          int p[3] = {i, j, k};
          p[axis] += face % 2 == 0 ? -1 : 1;
          CellSurface s;
          s.voxel = v;
          s.direction = face;
          s.cell = cell;
          s.k_cell = mine.conductivity[std::size_t(axis)];
          if (p[axis] < 0 || p[axis] >= n[axis]) {
            s.category = int(kernels::HeatPathway::kBoundary);
          } else {
            const std::int64_t w = model.index(p[0], p[1], p[2]);
            const std::int32_t across = model.cell[std::size_t(w)];
            if (across == cell) continue;
            if (is_gas_voxel(model, w)) {
              s.category = int(kernels::HeatPathway::kGasConduction);
              s.k_gas =
                  model.materials[model.material[std::size_t(w)]].conductivity[std::size_t(axis)];
            } else {
              s.category = int(across >= 0 ? kernels::HeatPathway::kCellContact
                                           : kernels::HeatPathway::kSolidContact);
            }
          }
          faces.push_back(s);
        }
      }
    }
  }
  std::stable_sort(faces.begin(), faces.end(), [](const CellSurface& a, const CellSurface& b) {
    return a.cell != b.cell ? a.cell < b.cell : a.category < b.category;
  });
  return faces;
}

SimulationInput make_simulation_input(const PackConfig& config, const meshes::VoxelModel& model) {
  SimulationInput in;
  ConductionProblem& p = in.conduction;
  p.shape = {model.shape.nx, model.shape.ny, model.shape.nz};
  p.spacing = {model.spacing.dx, model.spacing.dy, model.spacing.dz};
  p.material_ids = model.material;
  p.initial_temperature = config.run.initial_temperature;
  for (int f = 0; f < kernels::kFaceCount; ++f)
    p.boundaries[std::size_t(f)] = config.boundaries[std::size_t(f)];

  // Materials, and a chemistry slot for every jelly-roll material.
  for (const meshes::Material& m : model.materials) {
    kernels::ThermalMaterial t;
    t.density = m.density;
    t.heat_capacity = m.heat_capacity;
    for (int d = 0; d < 3; ++d) t.conductivity[d] = m.conductivity[std::size_t(d)];
    t.emissivity = m.emissivity;
    t.transparent = m.transparent;
    t.melting_point = m.melting_point;
    t.latent_heat = m.latent_heat_of_fusion;
    t.molten_conductivity = m.molten_conductivity;
    int slot = -1;
    if (m.is_jelly_roll && !m.chemistry.empty()) {
      const PackChemistry* chem = config.find_chemistry(m.chemistry);
      if (chem == nullptr) {
        throw bad_input("the material uses a chemistry the config does not define",
                        {config.file, 0, "materials." + m.name + ".chemistry", m.chemistry});
      }
      slot = int(in.chemistries.size());
      in.chemistries.push_back(
          effective_chemistry(chem->chemistry, m.jelly_roll_fraction, m.density, m.heat_capacity));
      t.chemistry = slot;
    }
    p.materials.push_back(t);
    in.chemistry_slot_of_material.push_back(slot);
  }
  in.cell_ids = model.cell;
  // Gas gaps: radiative lengths on the whole model (a split run slices them).
  p.radiative_length = radiative_lengths(p);

  in.cell_surfaces = cell_surfaces(model);

  // The gas the plumes cross and the oxygen their fires draw on (host/solver/vent_plume.hpp).
  std::vector<std::int32_t> region_of_voxel;
  in.gas_regions = find_gas_regions(model, &region_of_voxel);
  std::vector<PlumePath> plumes = trace_plume_paths(model, region_of_voxel);
  for (const meshes::CellInfo& cell : model.cells) {
    CellSetup setup;
    setup.name = cell.type_name + "#" + std::to_string(cell.id);
    setup.stored_energy = cell.stored_energy();
    setup.plume = std::move(plumes[std::size_t(&cell - model.cells.data())]);
    // Cell-level data (separator, vent, combustion) from the first slot of its chemistry.
    setup.chemistry_slot = -1;
    for (std::size_t m = 0; m < model.materials.size(); ++m) {
      if (model.materials[m].chemistry == cell.chemistry && in.chemistry_slot_of_material[m] >= 0) {
        setup.chemistry_slot = in.chemistry_slot_of_material[m];
        break;
      }
    }
    if (setup.chemistry_slot < 0) {
      throw bad_input(
          "the cell has no jelly-roll voxel at this voxel size; use a smaller "
          "mesh.voxel_size",
          {config.file, 0, "cells[" + std::to_string(cell.id) + "]", cell.type_name});
    }
    in.cells.push_back(std::move(setup));
  }

  for (const HeaterTrigger& h : config.heaters) {
    Trigger t;
    t.kind = TriggerKind::kHeater;
    t.cell = h.cell;
    t.power = h.power;
    t.start = h.start_time;
    t.duration = h.duration;
    t.voxels = meshes::cell_face_voxels(model, h.cell, h.face);
    in.triggers.push_back(std::move(t));
  }
  for (const NailTrigger& n : config.nails) {
    Trigger t;
    t.kind = TriggerKind::kNail;
    t.cell = n.cell;
    t.start = n.time;
    in.triggers.push_back(std::move(t));
  }
  if (config.oven) {
    const OvenTrigger& o = *config.oven;
    for (auto& bc : p.boundaries) {
      bc = {BoundaryKind::kConvectionRadiation, o.start_temperature, o.heat_transfer_coefficient,
            o.emissivity};
    }
    Trigger t;
    t.kind = TriggerKind::kOven;
    t.ramp_rate = o.ramp_rate;
    t.hold_temperature = o.hold_temperature;
    in.triggers.push_back(std::move(t));
  }

  for (const ProbeConfig& probe : config.probes) {
    ProbeSetup setup;
    setup.name = probe.name;
    setup.voxels = probe_voxels(config, probe, model).voxels;
    setup.maximum = probe.statistic == ProbeStatistic::kMax;
    setup.global_count = double(setup.voxels.size());
    in.probes.push_back(std::move(setup));
  }

  SimulationControl& c = in.control;
  c.end_time = config.run.end_time;
  c.min_dt = config.run.dt_min;
  c.max_dt = config.run.dt_max;
  c.initial_dt = std::min(0.05, c.max_dt);
  c.max_temperature_change = config.run.max_temperature_change;
  c.temperature_tolerance = config.run.temperature_tolerance;
  c.kinetics_tolerance = config.run.kinetics_tolerance;
  c.frame_interval = config.output.frame_interval;
  c.sample_interval = config.output.series_interval;
  c.onset_rate = kernels::kDefaultRunawayRateThreshold;
  for (const kernels::Chemistry& chem : in.chemistries) {
    if (chem.runaway_rate_threshold > 0)
      c.onset_rate = std::min(c.onset_rate, chem.runaway_rate_threshold);
  }
  return in;
}

}  // namespace runaway::host
