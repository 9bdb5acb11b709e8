// Small builders shared by the conduction tests: uniform and layered problems in SI units.
#pragma once

#include <cmath>
#include <functional>
#include <vector>

#include "host/solver/conduction_solver.hpp"
#include "kernels/backend.hpp"

namespace runaway::testing {

using host::ConductionProblem;
using host::ConductionSolver;
using kernels::GridShape;
using kernels::Spacing;
using kernels::ThermalMaterial;

inline constexpr double kPi = 3.14159265358979323846;

// An isotropic or orthotropic material with rho = 1000 kg/m^3 and cp = 1000 J/(kg K), so the
// diffusivity along d is k_d * 1e-6 m^2/s.
inline ThermalMaterial test_material(double kx, double ky, double kz) {
  ThermalMaterial m;
  m.density = 1000;
  m.heat_capacity = 1000;
  m.conductivity[0] = kx;
  m.conductivity[1] = ky;
  m.conductivity[2] = kz;
  return m;
}

// Uniform box of one material with the given number of voxels and edge lengths.
inline ConductionProblem box(GridShape shape, double lx, double ly, double lz,
                             ThermalMaterial material) {
  ConductionProblem p;
  p.shape = shape;
  p.spacing = {lx / shape.nx, ly / shape.ny, lz / shape.nz};
  p.materials = {material};
  return p;
}

// Fills a per-voxel interior array from a function of the voxel centre (x, y, z).
inline std::vector<double> sample(const ConductionProblem& p,
                                  const std::function<double(double, double, double)>& f) {
  std::vector<double> values(std::size_t(p.shape.interior_size()));
  for (int k = 1; k <= p.shape.nz; ++k)
    for (int j = 1; j <= p.shape.ny; ++j)
      for (int i = 1; i <= p.shape.nx; ++i)
        values[std::size_t(p.shape.interior_index(i, j, k))] =
            f((i - 0.5) * p.spacing.dx, (j - 0.5) * p.spacing.dy, (k - 0.5) * p.spacing.dz);
  return values;
}

inline double max_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double worst = 0;
  for (std::size_t c = 0; c < a.size(); ++c) worst = std::fmax(worst, std::fabs(a[c] - b[c]));
  return worst;
}

inline double rms_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t c = 0; c < a.size(); ++c) sum += (a[c] - b[c]) * (a[c] - b[c]);
  return std::sqrt(sum / double(a.size()));
}

// Advances to end_time in equal steps no larger than max_dt.
inline void advance_to(ConductionSolver& solver, double end_time, double max_dt,
                       host::Integrator integrator = host::Integrator::kRkl2) {
  const int steps = int(std::ceil((end_time - solver.time()) / max_dt - 1e-9));
  const double dt = (end_time - solver.time()) / steps;
  for (int n = 0; n < steps; ++n) solver.step(dt, integrator);
}

}  // namespace runaway::testing
