// Cans that melt (docs/physics.md "Cans that melt"): the enthalpy split after each conduction
// step holds a voxel at its melting point until rho L V is paid, energy (sensible + latent)
// closes to round-off, and a fully molten voxel conducts only its molten conductivity.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "support/conduction_problems.hpp"

namespace runaway::testing {
namespace {

// The library's aluminium-can (meshes/library.cpp): 2700 kg/m^3, 897 J/(kg K), 237 W/(m K)
// (Incropera & DeWitt, Table A.1), melting at 933.47 K with 397 kJ/kg (CRC, UNVERIFIED); molten
// it conducts like air, 0.026 W/(m K) (ASSUMED).
ThermalMaterial aluminium_can() {
  ThermalMaterial m;
  m.density = 2700;
  m.heat_capacity = 897;
  m.conductivity[0] = m.conductivity[1] = m.conductivity[2] = 237;
  m.melting_point = 933.47;
  m.latent_heat = 397e3;
  m.molten_conductivity = 0.026;
  return m;
}

ConductionProblem bar(int n, ThermalMaterial m) {
  ConductionProblem p;
  p.shape = {n, 1, 1};
  p.spacing = {1e-3, 1e-3, 1e-3};
  p.materials = {m};
  return p;
}

// Uniform heating of an adiabatic bar: no conduction, so each voxel follows the analytic
// enthalpy path: T rises at q/(rho cp) to T_m, holds for rho L / q, then rises again.
TEST(CanMelting, UniformHeatingFollowsTheEnthalpyPath) {
  auto backend = kernels::make_openmp_backend();
  const ThermalMaterial m = aluminium_can();
  ConductionProblem p = bar(4, m);
  const double t0 = 900;
  const double q = 1e9;  // W/m^3
  p.initial_temperature = t0;
  p.heat_source.assign(4, q);
  ConductionSolver solver(*backend, p);
  const double rho_cp = m.density * m.heat_capacity;
  const double rho_l = m.density * m.latent_heat;
  const double volume = p.spacing.volume();
  const double e0 = solver.thermal_energy();
  const double dt = 0.01;
  double worst_t = 0, worst_f = 0;
  int held = 0;
  for (int n = 1; n <= 150; ++n) {
    solver.apply_heat_source(dt);
    solver.conduct(dt);
    const double e = rho_cp * t0 + q * n * dt;  // J/m^3
    double t_expected = 0, f_expected = 0;
    if (e < rho_cp * m.melting_point) {
      t_expected = e / rho_cp;
    } else if (e < rho_cp * m.melting_point + rho_l) {
      t_expected = m.melting_point;
      f_expected = (e - rho_cp * m.melting_point) / rho_l;
    } else {
      t_expected = m.melting_point + (e - rho_cp * m.melting_point - rho_l) / rho_cp;
      f_expected = 1;
    }
    const auto t = solver.temperature();
    const auto f = solver.melt_fraction();
    for (int c = 0; c < 4; ++c) {
      worst_t = std::fmax(worst_t, std::fabs(t[std::size_t(c)] - t_expected) / t_expected);
      worst_f = std::fmax(worst_f, std::fabs(f[std::size_t(c)] - f_expected));
    }
    if (f_expected > 0 && f_expected < 1) {
      ++held;
      EXPECT_EQ(t[0], m.melting_point);  // held exactly while melting
    }
    const double closure = std::fabs(solver.thermal_energy() - e0 - q * 4 * volume * n * dt) / e0;
    EXPECT_LT(closure, 1e-12) << "step " << n;
  }
  // Held for rho L / q = 1.07 s: 107 steps of 0.01 s (within a step at each end).
  EXPECT_NEAR(held, rho_l / q / dt, 2.0);
  EXPECT_DOUBLE_EQ(solver.melt_fraction()[0], 1.0);
  EXPECT_NEAR(solver.latent_energy(), 4 * rho_l * volume, 1e-12 * 4 * rho_l * volume);
  std::printf(
      "[ measure  ] held %d steps (rho L / q / dt = %.2f); worst relative T error %.3g, "
      "worst melt fraction error %.3g\n",
      held, rho_l / q / dt, worst_t, worst_f);
  EXPECT_LT(worst_t, 1e-12);
  EXPECT_LT(worst_f, 1e-9);
}

// A bar heated at one end: the end voxel reaches T_m and holds there while it melts, no partly
// molten voxel is above T_m, energy closes, and once molten the end voxel no longer
// passes its heat on (it runs away from its neighbour).
TEST(CanMelting, BarHeatedFromOneEndHoldsThenOpens) {
  auto backend = kernels::make_openmp_backend();
  const ThermalMaterial m = aluminium_can();
  const int n = 8;
  ConductionProblem p = bar(n, m);
  p.initial_temperature = 900;
  p.heat_source.assign(std::size_t(n), 0.0);
  const double q = 2e9;  // W/m^3 on the first voxel
  p.heat_source[0] = q;
  ConductionSolver solver(*backend, p);
  const double volume = p.spacing.volume();
  const double rho_l = m.density * m.latent_heat;
  const double e0 = solver.thermal_energy();
  const double dt = 0.005;
  double worst_closure = 0;
  int steps = 0;
  int after_molten = -1;
  while (after_molten < 40 && steps < 4000) {
    solver.apply_heat_source(dt);
    solver.conduct(dt);
    ++steps;
    const auto t = solver.temperature();
    const auto f = solver.melt_fraction();
    for (int c = 0; c < n; ++c) {
      if (f[std::size_t(c)] > 0 && f[std::size_t(c)] < 1) {
        // Never above T_m while melting. A partly molten voxel that loses heat to a cooler
        // neighbour may cool below T_m (no refreezing); the heated end only gains: it sits there.
        EXPECT_LE(t[std::size_t(c)], m.melting_point) << "voxel " << c << " step " << steps;
        if (c == 0) {
          EXPECT_EQ(t[0], m.melting_point) << "step " << steps;
        }
      }
    }
    worst_closure = std::fmax(
        worst_closure, std::fabs(solver.thermal_energy() - e0 - q * volume * steps * dt) / e0);
    if (after_molten >= 0 || f[0] >= 1) ++after_molten;
  }
  const auto t = solver.temperature();
  const auto f = solver.melt_fraction();
  ASSERT_EQ(f[0], 1.0) << "the heated end never melted";
  // It absorbed exactly rho L V; the others hold what their own fractions say.
  double latent = 0;
  for (double fraction : f) latent += rho_l * fraction * volume;
  EXPECT_NEAR(solver.latent_energy(), latent, 1e-12 * latent);
  EXPECT_GE(solver.latent_energy(), rho_l * volume * (1 - 1e-12));
  // Opened: the molten end heats at nearly q / (rho cp) (826 K/s), its neighbour stays put.
  EXPECT_GT(t[0], m.melting_point + 100);
  EXPECT_LE(t[1], m.melting_point);
  std::printf(
      "[ measure  ] end molten after %d steps; energy closure %.3g; T end %.1f K, "
      "neighbour %.2f K (f %.3f)\n",
      steps - 40, worst_closure, t[0], t[1], f[1]);
  EXPECT_LT(worst_closure, 1e-9);
}

// Steady conduction through a bar whose hot end melted: the flux is the series resistance of
// molten and solid voxels, far below the solid bar's.
TEST(CanMelting, MoltenVoxelsConductTheirMoltenConductivity) {
  auto backend = kernels::make_openmp_backend();
  const ThermalMaterial m = aluminium_can();
  const int n = 5;
  const double h = 1e-3;
  ConductionProblem p = bar(n, m);
  p.initial_temperature = 300;
  p.boundaries[0] = host::fixed_temperature(1400);
  p.boundaries[1] = host::fixed_temperature(300);
  ConductionSolver solver(*backend, p);
  advance_to(solver, 4000, 2.0);
  const auto t = solver.temperature();
  const auto f = solver.melt_fraction();
  double resistance = 0;  // m^2 K / W
  int molten = 0;
  for (int c = 0; c < n; ++c) {
    const bool is_molten = f[std::size_t(c)] >= 1;
    molten += is_molten;
    resistance += h / (is_molten ? m.molten_conductivity : m.conductivity[0]);
  }
  ASSERT_GE(molten, 1);
  EXPECT_EQ(f[0], 1.0);  // the hot end
  const double expected = (1400 - 300) / resistance;
  // Through the cold boundary's half voxel (solid or molten as it is).
  const double k_last = f[std::size_t(n - 1)] >= 1 ? m.molten_conductivity : m.conductivity[0];
  const double flux = k_last * (t[std::size_t(n - 1)] - 300) / (0.5 * h);
  const double solid_flux = (1400 - 300) * m.conductivity[0] / (n * h);
  std::printf(
      "[ measure  ] %d molten voxels: flux %.6g W/m^2, series expectation %.6g, solid "
      "bar %.4g\n",
      molten, flux, expected, solid_flux);
  EXPECT_NEAR(flux, expected, 1e-4 * expected);
  EXPECT_LT(flux, 1e-2 * solid_flux);
}

}  // namespace
}  // namespace runaway::testing
