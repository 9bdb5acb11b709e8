// A small coupled problem shared by the simulation tests.
#pragma once

#include <cmath>
#include "host/solver/simulation.hpp"

#include "kernels/chemistry.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::testing {

using host::SimulationInput;

// A block of jelly roll (one cell) inside an aluminium frame, adiabatic outside. The jelly-roll
// material takes its density and heat capacity from the chemistry, as the pack builder does.
inline SimulationInput jelly_block(const kernels::Chemistry& chem, int n, bool with_frame) {
  SimulationInput in;
  auto& p = in.conduction;
  const int frame = with_frame ? 2 : 0;
  p.shape = {n + 2 * frame, n + 2 * frame, n + 2 * frame};
  p.spacing = {2e-3, 2e-3, 2e-3};
  kernels::ThermalMaterial jelly;
  jelly.density = chem.density;
  jelly.heat_capacity = chem.heat_capacity;
  jelly.conductivity[0] = 0.5;  // through-plane jelly roll, W/(m K) (LFP pouch, meshes/library.cpp)
  jelly.conductivity[1] = jelly.conductivity[2] = 25;                       // in-plane
  kernels::ThermalMaterial aluminium{2700, 897, {237, 237, 237}, 0.1, -1};  // handbook
  p.materials = {jelly, aluminium};
  in.chemistry_slot_of_material = {0, -1};
  in.chemistries = {chem};
  const auto count = std::size_t(p.shape.interior_size());
  p.material_ids.assign(count, 0);
  in.cell_ids.assign(count, 0);
  for (int k = 0; k < p.shape.nz; ++k)
    for (int j = 0; j < p.shape.ny; ++j)
      for (int i = 0; i < p.shape.nx; ++i) {
        const bool inside = i >= frame && j >= frame && k >= frame && i < n + frame &&
                            j < n + frame && k < n + frame;
        const auto c = std::size_t((k * p.shape.ny + j) * p.shape.nx + i);
        p.material_ids[c] = inside ? 0 : 1;
        in.cell_ids[c] = inside ? 0 : -1;
      }
  host::CellSetup cell;
  cell.name = "block";
  cell.stored_energy = 50 * 3600 * 3.7;  // a 50 Ah, 3.7 V cell at full charge
  in.cells = {cell};
  in.control.max_dt = 1.0;
  return in;
}

// The reaction heat released so far, J, recounted from the converted reactants left in the
// fields (the books' independent check); voxels outside jelly rolls (NaN progress) count nothing.
inline double reaction_heat_in_fields(host::Simulation& sim, const kernels::Chemistry& chem) {
  const double voxel = sim.conduction().spacing().volume();
  double reactions = 0;
  for (int i = 0; i < chem.reaction_count; ++i) {
    const kernels::Reaction& r = chem.reactions[i];
    const double per_voxel =
        r.heat_of_reaction * kernels::reactant_content(chem, i) * r.initial_remaining * voxel;
    for (double progress : sim.progress_field(r.name)) {
      if (!std::isnan(progress)) reactions += per_voxel * progress;
    }
  }
  return reactions;
}

}  // namespace runaway::testing
