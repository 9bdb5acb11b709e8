#include "host/bench/bench_verify.hpp"

#include <fmt/core.h>

#include <chrono>
#include <cmath>

#include "host/bench/bench_fixtures.hpp"
#include "host/bench/stream_triad.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/solver/conduction_solver.hpp"
#include "kernels/backend.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::host::bench {

namespace {

constexpr double kPi = 3.14159265358979323846;

// The cosine mode on a 64^3 cell-centred grid: the discrete Laplacian's eigenvalue differs from
// the continuous one by (pi h / L)^2 / 12 = 2e-4 relative, which at half an e-fold is a 1e-3 K
// error on 10 K; RKL2 at dt = 4 s adds less (second order). The limit leaves a factor 5.
VerifyCase conduction_case(kernels::Backend& backend, double* updates_per_second) {
  const int n = 64;
  const double length = 0.064;      // m
  const double conductivity = 1.0;  // W/(m K)
  const double rho_cp = 1e6;        // J/(m^3 K): alpha = 1e-6 m^2/s
  const double alpha = conductivity / rho_cp;
  const double amplitude = 10.0;  // K
  ConductionProblem p;
  p.shape = {n, n, n};
  const double h = length / n;
  p.spacing = {h, h, h};
  kernels::ThermalMaterial m;
  m.density = 1000;
  m.heat_capacity = rho_cp / 1000;
  m.conductivity[0] = m.conductivity[1] = m.conductivity[2] = conductivity;
  p.materials = {m};
  auto mode = [&](int i, int j, int k) {
    return std::cos(kPi * (i + 0.5) * h / length) * std::cos(kPi * (j + 0.5) * h / length) *
           std::cos(kPi * (k + 0.5) * h / length);
  };
  p.initial_temperatures.resize(std::size_t(n) * n * n);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        p.initial_temperatures[(std::size_t(k) * n + j) * n + i] =
            300.0 + amplitude * mode(i, j, k);
  ConductionSolver solver(backend, p);
  const double end = length * length / (6 * alpha * kPi * kPi);  // half an e-fold, 69.2 s
  const int steps = int(std::ceil(end / 4.0));
  const double dt = end / steps;
  double stages = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < steps; ++s) {
    solver.step(dt);
    stages += solver.last_stage_count();
  }
  const std::vector<double> t = solver.temperature();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  *updates_per_second = stages * double(n) * n * n / seconds;
  const double decay = std::exp(-3 * alpha * kPi * kPi * end / (length * length));
  double worst = 0;
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const double exact = 300.0 + amplitude * decay * mode(i, j, k);
        worst = std::max(worst, std::fabs(t[(std::size_t(k) * n + j) * n + i] - exact));
      }
  return {"conduction", worst, 5e-3, "K",
          fmt::format("{}^3 cosine mode, adiabatic walls, {} RKL2 steps to t = {:.1f} s "
                      "(amplitude {:.4f} K exact)",
                      n, steps, end, amplitude * decay)};
}

// feng2015-ncm runs to completion: the heat is sum H W c0 to round-off plus the < 1e-7 of
// reactant left unconverted (test_kinetics_energy.cpp); the limit is 1e-6 relative.
VerifyCase kinetics_case() {
  const kernels::Chemistry chem = find_chemistry("feng2015-ncm");
  double expected = 0;
  for (int i = 0; i < chem.reaction_count; ++i) {
    expected += chem.reactions[i].heat_of_reaction * kernels::reactant_content(chem, i) *
                chem.reactions[i].initial_remaining;
  }
  kernels::KineticState state = kernels::initial_kinetic_state(chem);
  double temperature = 480.0, released = 0, hint = 0;
  for (double time = 0; time < 4000.0; time += 1.0) {
    const kernels::KineticsStepResult r =
        kernels::advance_kinetics(chem, temperature, state, 1.0, 0.0, {}, {}, hint);
    hint = r.next_substep;
    temperature = r.temperature;
    released += r.heat_released;
  }
  return {"kinetics", std::fabs(released / expected - 1.0), 1e-6, "(relative)",
          fmt::format("feng2015-ncm adiabatic from 480 K for 4000 s: {:.6g} J/m^3 released, "
                      "sum H W c0 = {:.6g} J/m^3, T_end {:.2f} K",
                      released, expected, temperature)};
}

}  // namespace

bool VerifyResult::pass() const {
  for (const VerifyCase& c : cases) {
    if (!c.pass()) return false;
  }
  return !cases.empty();
}

VerifyResult verify(double tolerance_scale) {
  auto backend = kernels::make_backend(kernels::BackendChoice::kAuto);
  VerifyResult r;
  r.cases.push_back(conduction_case(*backend, &r.voxel_stage_updates_per_second));
  r.cases.push_back(kinetics_case());
  for (VerifyCase& c : r.cases) c.limit *= tolerance_scale;
  const double bandwidth = backend->info().kind == kernels::BackendKind::kCuda
                               ? backend->info().peak_bandwidth_bytes_per_second
                               : stream_triad_bytes_per_second();
  r.bandwidth_fraction =
      bandwidth > 0 ? r.voxel_stage_updates_per_second * kRkl2StageBytesPerVoxel / bandwidth : 0;
  return r;
}

std::string verify_text(const VerifyResult& r) {
  std::string out;
  for (const VerifyCase& c : r.cases) {
    out += fmt::format("verify {}: {}: error {:.3g} {} (limit {:.3g}) {}\n", c.name, c.what,
                       c.error, c.unit, c.limit, c.pass() ? "PASS" : "FAIL");
  }
  // 64^3 doubles (2 MiB per array) stay in cache on most CPUs: the fraction can pass 1.
  out += fmt::format(
      "FOM: {:.4g} Mvoxel-stage/s (conduction RKL2 stage at 64^3, {:.2f} x the "
      "measured memory bandwidth at 60 B per voxel-stage)\n",
      r.voxel_stage_updates_per_second * 1e-6, r.bandwidth_fraction);
  out += r.pass() ? "PASS\n" : "FAIL\n";
  return out;
}

}  // namespace runaway::host::bench
