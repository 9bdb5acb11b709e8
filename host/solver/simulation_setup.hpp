// From a parsed pack config and its voxel model to the input of a Simulation.
#pragma once

#include "host/config/config.hpp"
#include "host/solver/simulation.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::host {

// Every face of a cell's surface, by what lies across it (for the heat-pathway books).
std::vector<CellSurface> cell_surfaces(const meshes::VoxelModel& model);

// Builds the simulation input: thermal materials, one effective chemistry per jelly-roll
// material (reaction contents scaled by the voxel's jelly-roll share; density and heat capacity
// of the voxel, so the kinetics and conduction agree on rho cp), cells with their stored energy
// and vent-plume paths, triggers, boundary conditions and step control.
SimulationInput make_simulation_input(const PackConfig& config, const meshes::VoxelModel& model);

// A chemistry as it acts in a voxel that is only `jelly_roll_fraction` jelly roll and has the
// given blended density and heat capacity: same kinetics per kg of jelly roll, same liquid
// electrolyte per m^3 of jelly roll.
kernels::Chemistry effective_chemistry(const kernels::Chemistry& chemistry,
                                       double jelly_roll_fraction, double density,
                                       double heat_capacity);

}  // namespace runaway::host
