// Decomposed conduction equals the single grid: the same problem run by one ConductionSolver on
// the whole grid (rank 0) and by one per rank on its block (local_input + MpiDomain) must give
// the same temperatures after ~20 RKL2 steps.
//
// Tolerance: every voxel's update reads the same inputs in both runs (the halo holds the
// neighbour's value, the shared face's conductance is the same harmonic mean in fp32, the stage
// count follows from the same global minimum of the explicit step), so the arithmetic is
// identical and the fields agree exactly (measured: 0 on 2 and 4 ranks, OpenMP backend, g++ 12
// -O3); 1e-12 relative is the allowance the plan set, room for a compiler that contracts
// differently in the vectorised and the remainder loop. thermal_energy() sums in a different
// order per rank count, so it agrees to round-off only (measured: up to 3e-15).
#include <gtest/gtest.h>
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "host/solver/conduction_solver.hpp"
#include "kernels/backend.hpp"
#include "parallel/mpi_domain.hpp"
#include "parallel/partition.hpp"

namespace runaway::parallel {
namespace {

using host::ConductionProblem;
using host::ConductionSolver;
using kernels::GridShape;

constexpr double kRelativeTolerance = 1e-12;
constexpr int kSteps = 20;

// Three anisotropic materials in layers along every axis (the harmonic means across rank
// boundaries differ from either side's k), a fixed-temperature face, a convective + radiative
// face, a convective face, non-uniform initial temperatures and a heat source in one corner.
host::SimulationInput layered_problem(const GridShape& shape) {
  ConductionProblem p;
  p.shape = shape;
  p.spacing = {1.0e-3, 1.5e-3, 0.8e-3};
  p.materials = {{2180, 1106, {0.52, 26.6, 18.0}, 0.8, -1},  // jelly roll, orthotropic
                 {2700, 897, {237, 237, 237}, 0.1, -1},      // aluminium
                 {1200, 1500, {0.2, 0.3, 0.25}, 0.9, -1}};   // a polymer spacer
  const auto n = std::size_t(shape.interior_size());
  p.material_ids.resize(n);
  p.initial_temperatures.resize(n);
  p.heat_source.assign(n, 0.0);
  for (int k = 1; k <= shape.nz; ++k) {
    for (int j = 1; j <= shape.ny; ++j) {
      for (int i = 1; i <= shape.nx; ++i) {
        const auto c = std::size_t(shape.interior_index(i, j, k));
        p.material_ids[c] = std::uint8_t((i / 3 + j / 4 + k / 5) % 3);
        p.initial_temperatures[c] = 300.0 + 40.0 * std::sin(0.7 * i) * std::cos(0.45 * j) +
                                    25.0 * std::sin(0.3 * k + 0.1 * i);
        if (i <= 4 && j <= 4 && k <= 4) p.heat_source[c] = 5e7;  // W/m^3
      }
    }
  }
  p.boundaries[0] = host::fixed_temperature(420.0);
  p.boundaries[1] = host::convection(15.0, 290.0);
  p.boundaries[5] = host::convection(40.0, 310.0, 0.85);
  host::SimulationInput in;
  in.conduction = p;
  return in;
}

double max_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t c = 0; c < a.size(); ++c) {
    worst = std::fmax(worst, std::fabs(a[c] - b[c]) / std::fabs(b[c]));
  }
  return worst;
}

class DecomposedConduction : public ::testing::TestWithParam<GridShape> {};

TEST_P(DecomposedConduction, Rkl2EqualsTheSingleGrid) {
  const GridShape global = GetParam();
  const host::SimulationInput in = layered_problem(global);
  std::unique_ptr<kernels::Backend> backend = kernels::make_openmp_backend();
  MpiDomain domain(global);

  const host::SimulationInput local = local_input(in, domain.block(), domain.neighbours());
  ConductionSolver decomposed(*backend, local.conduction, domain);
  std::unique_ptr<ConductionSolver> single;
  if (domain.is_root()) single = std::make_unique<ConductionSolver>(*backend, in.conduction);

  // The explicit limit is a global minimum: the same on every rank and in the single grid.
  double dt_single = domain.is_root() ? single->explicit_time_step() : 0.0;
  MPI_Bcast(&dt_single, 1, MPI_DOUBLE, 0, domain.communicator());
  EXPECT_EQ(decomposed.explicit_time_step(), dt_single);

  const double dt = 40.0 * dt_single;  // ~12 RKL2 stages per step
  for (int n = 0; n < kSteps; ++n) {
    decomposed.step(dt);
    if (single) single->step(dt);
  }
  EXPECT_GE(decomposed.last_stage_count(), 10);

  const std::vector<double> gathered =
      domain.gather(global_indices(global, domain.block()), decomposed.temperature(),
                    std::size_t(global.interior_size()));
  const double energy = decomposed.thermal_energy();
  if (domain.is_root()) {
    EXPECT_EQ(decomposed.last_stage_count(), single->last_stage_count());
    const std::vector<double> reference = single->temperature();
    const double worst = max_relative_difference(gathered, reference);
    const double energy_difference =
        std::fabs(energy - single->thermal_energy()) / std::fabs(single->thermal_energy());
    std::printf(
        "[ measure  ] %d ranks, grid %dx%dx%d, %d steps of %d stages: max relative "
        "temperature difference %.3g, thermal energy %.3g\n",
        domain.size(), global.nx, global.ny, global.nz, kSteps, decomposed.last_stage_count(),
        worst, energy_difference);
    EXPECT_LE(worst, kRelativeTolerance);
    EXPECT_LE(energy_difference, kRelativeTolerance);
    // Something happened: the field moved away from its start by more than round-off.
    EXPECT_GT(max_relative_difference(reference, in.conduction.initial_temperatures), 1e-3);
  }
  // Every rank sees the same global extremes.
  const double highest = decomposed.max_temperature();
  double root_highest = domain.is_root() ? single->max_temperature() : 0.0;
  MPI_Bcast(&root_highest, 1, MPI_DOUBLE, 0, domain.communicator());
  EXPECT_EQ(highest, root_highest);
}

TEST_P(DecomposedConduction, ForwardEulerEqualsTheSingleGrid) {
  const GridShape global = GetParam();
  const host::SimulationInput in = layered_problem(global);
  std::unique_ptr<kernels::Backend> backend = kernels::make_openmp_backend();
  MpiDomain domain(global);
  const host::SimulationInput local = local_input(in, domain.block(), domain.neighbours());
  ConductionSolver decomposed(*backend, local.conduction, domain);
  std::unique_ptr<ConductionSolver> single;
  if (domain.is_root()) single = std::make_unique<ConductionSolver>(*backend, in.conduction);
  const double dt = 0.9 * decomposed.explicit_time_step();
  for (int n = 0; n < kSteps; ++n) {
    decomposed.step(dt, host::Integrator::kForwardEuler);
    if (single) single->step(dt, host::Integrator::kForwardEuler);
  }
  const std::vector<double> gathered =
      domain.gather(global_indices(global, domain.block()), decomposed.temperature(),
                    std::size_t(global.interior_size()));
  if (domain.is_root()) {
    EXPECT_LE(max_relative_difference(gathered, single->temperature()), kRelativeTolerance);
  }
}

// Gas gaps radiating and aluminium melting across rank boundaries: the layered problem with its
// spacer made a transparent gas, hotter so radiation matters. The radiative lengths come from the
// global model (local_input slices them), the halo holds the neighbour's temperature, so every
// shared face gets the same G on both ranks and in the single grid: the fields agree exactly.
TEST_P(DecomposedConduction, GasGapsEqualTheSingleGrid) {
  const GridShape global = GetParam();
  host::SimulationInput in = layered_problem(global);
  kernels::ThermalMaterial& spacer = in.conduction.materials[2];
  spacer = {1.16, 1007, {0.026, 0.026, 0.026}, 0.0, -1};  // air (Incropera & DeWitt, Table A.4)
  spacer.transparent = true;
  for (double& t : in.conduction.initial_temperatures) t = 2.0 * t + 200.0;  // 650 .. 1000 K
  // The aluminium melts (at a test value of 800 K, so that some of it does): the molten
  // conductivity of a shared face's far side comes from the exchanged melt fraction.
  kernels::ThermalMaterial& aluminium = in.conduction.materials[1];
  aluminium.melting_point = 800;
  aluminium.latent_heat = 20e3;  // J/kg, test value (aluminium: 397e3), so that voxels melt fully
  aluminium.molten_conductivity = 0.026;
  std::unique_ptr<kernels::Backend> backend = kernels::make_openmp_backend();
  MpiDomain domain(global);
  const host::SimulationInput local = local_input(in, domain.block(), domain.neighbours());
  ConductionSolver decomposed(*backend, local.conduction, domain);
  std::unique_ptr<ConductionSolver> single;
  if (domain.is_root()) single = std::make_unique<ConductionSolver>(*backend, in.conduction);
  double dt_single = domain.is_root() ? single->explicit_time_step() : 0.0;
  MPI_Bcast(&dt_single, 1, MPI_DOUBLE, 0, domain.communicator());
  EXPECT_EQ(decomposed.explicit_time_step(), dt_single);
  const double dt = 40.0 * dt_single;
  for (int n = 0; n < kSteps; ++n) {
    decomposed.step(dt);
    if (single) single->step(dt);
  }
  const std::vector<double> gathered =
      domain.gather(global_indices(global, domain.block()), decomposed.temperature(),
                    std::size_t(global.interior_size()));
  const std::vector<double> melt =
      domain.gather(global_indices(global, domain.block()), decomposed.melt_fraction(),
                    std::size_t(global.interior_size()));
  if (domain.is_root()) {
    EXPECT_GT(single->variable_face_count(), 100);
    EXPECT_EQ(melt, single->melt_fraction());
    int molten = 0;
    for (double f : melt) molten += f >= 1.0;
    EXPECT_GT(molten, 10);
    EXPECT_EQ(decomposed.last_stage_count(), single->last_stage_count());
    const double worst = max_relative_difference(gathered, single->temperature());
    std::printf(
        "[ measure  ] gas gaps and melting (%d molten voxels), %d ranks, grid %dx%dx%d: max "
        "relative temperature difference %.3g\n",
        molten, domain.size(), global.nx, global.ny, global.nz, worst);
    EXPECT_LE(worst, kRelativeTolerance);
  }
}

// On 4 ranks the first two shapes split x and y, the third y and z; on 2 ranks x, x, z.
INSTANTIATE_TEST_SUITE_P(Grids, DecomposedConduction,
                         ::testing::Values(GridShape{24, 20, 16}, GridShape{17, 13, 11},
                                           GridShape{10, 18, 23}));

}  // namespace
}  // namespace runaway::parallel
