// `runaway conduction-demo`: a heated jelly roll between two aluminium plates and a mica sheet,
// cooled by convection on one side; runs to steady state and compares the heat flow through
// the stack with the series-resistance answer. A quick check that a build computes correctly.
#include <fmt/core.h>

#include <chrono>
#include <cmath>

#include "common/clock.hpp"
#include "host/cli/cli.hpp"
#include "host/solver/conduction_solver.hpp"

namespace runaway::host {

namespace {

// Properties (SI): aluminium 237 W/(m K), 2700 kg/m^3, 897 J/(kg K) (handbook); jelly roll
// through-plane 0.52 W/(m K), 2180 kg/m^3, 1106 J/(kg K) (20 Ah LFP pouch, anisotropic
// characterisation, source in meshes/library.cpp); mica ~0.5 W/(m K) (typical muscovite sheet,
// handbook).
int run_demo(int voxels_per_layer) {
  auto backend = kernels::make_backend();
  ConductionProblem p;
  const int layers = 3;
  const double thickness = 0.004;  // m per layer
  p.shape = {voxels_per_layer * layers, 4, 4};
  const double dx = thickness / voxels_per_layer;
  p.spacing = {dx, 0.01, 0.01};
  p.materials = {{2700, 897, {237, 237, 237}, 0.1, -1},
                 {2180, 1106, {0.52, 26.6, 26.6}, 0.8, -1},
                 {2900, 880, {0.5, 0.5, 0.5}, 0.9, -1}};
  p.material_ids.resize(std::size_t(p.shape.interior_size()));
  for (int k = 0; k < p.shape.nz; ++k)
    for (int j = 0; j < p.shape.ny; ++j)
      for (int i = 0; i < p.shape.nx; ++i)
        p.material_ids[std::size_t(p.shape.interior_index(i + 1, j + 1, k + 1))] =
            std::uint8_t(i / voxels_per_layer);
  const double t_hot = 423.15;  // 150 degC face, K
  const double t_air = 298.15;  // K
  const double h = 25.0;        // W/(m^2 K), natural convection (Feng 2015 module)
  p.boundaries[int(Face::kXMinus)] = fixed_temperature(t_hot);
  p.boundaries[int(Face::kXPlus)] = convection(h, t_air);
  p.initial_temperature = t_air;

  ConductionSolver solver(*backend, p);
  const auto start = std::chrono::steady_clock::now();
  const double dt = 5.0;
  int steps = 0;
  for (; steps < 20000; ++steps) {
    const double before = solver.thermal_energy();
    solver.step(dt);
    if (std::fabs(solver.thermal_energy() - before) < 1e-9 * std::fabs(before)) break;
  }
  const double wall = seconds_since(start);

  // Series resistance per unit area: three layers plus the film.
  const double r = thickness / 237 + thickness / 0.52 + thickness / 0.5 + 1.0 / h;
  const double flux_exact = (t_hot - t_air) / r;
  const std::vector<double> t = solver.temperature();
  const double t_last = t[std::size_t(p.shape.nx - 1)];
  const double t_surface_exact = t_air + flux_exact / h;
  // Flux leaving through the film, from the computed surface temperature (ghost solve).
  const double flux = (t_last - t_air) / (0.5 * dx / 0.5 + 1.0 / h);

  fmt::print("runaway conduction demo on backend '{}' ({})\n", backend->info().name,
             backend->info().device);
  fmt::print(
      "  stack: aluminium | jelly roll | mica, 3 x {} mm, {} voxels, RKL2 dt = {} s "
      "({} stages, explicit limit {:.3g} s)\n",
      thickness * 1e3, p.shape.interior_size(), dt, solver.last_stage_count(),
      solver.explicit_time_step());
  fmt::print("  steady state after {} steps ({:.0f} s simulated, {:.2f} s wall)\n", steps,
             solver.time(), wall);
  fmt::print("  heat flux        computed {:9.3f} W/m^2   series resistance {:9.3f} W/m^2\n", flux,
             flux_exact);
  fmt::print("  outer voxel T    computed {:9.3f} K       exact surface {:9.3f} K\n", t_last,
             t_surface_exact);
  const double error = std::fabs(flux - flux_exact) / flux_exact;
  fmt::print("  relative flux error {:.2e} -> {}\n", error, error < 1e-3 ? "OK" : "FAILED");
  return error < 1e-3 ? 0 : 1;
}

}  // namespace

void add_conduction_demo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("conduction-demo",
                                 "Heat a three-layer stack to steady state and check the flux");
  static int voxels = 8;
  cmd->add_option("--voxels-per-layer", voxels, "Voxels across each layer")
      ->check(CLI::Range(1, 1000));
  cmd->callback([] {
    const int code = run_demo(voxels);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace runaway::host
