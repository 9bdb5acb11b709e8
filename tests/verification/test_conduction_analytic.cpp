// Conduction against analytic answers, through the public solver API on the OpenMP backend.
#include <gtest/gtest.h>

#include <cmath>

#include "support/conduction_problems.hpp"

namespace runaway::testing {
namespace {

using host::convection;
using host::Face;
using host::fixed_temperature;
using host::radiation;

class ConductionAnalytic : public ::testing::Test {
 protected:
  std::unique_ptr<kernels::Backend> backend = kernels::make_openmp_backend();
};

// 1D slab, both ends held at T0, initially at T1 (Carslaw & Jaeger 1959, §3.3, eq. 3.3(5)):
//   T = T0 + (T1 - T0) sum_{n odd} 4/(n pi) sin(n pi x / L) exp(-alpha n^2 pi^2 t / L^2).
TEST_F(ConductionAnalytic, SlabWithFixedEndsFollowsFourierSeries) {
  const double length = 0.1, t0 = 300, t1 = 400, k = 1.0;  // alpha = 1e-6 m^2/s
  ConductionProblem p = box({200, 1, 1}, length, 0.01, 0.01, test_material(k, k, k));
  p.boundaries[int(Face::kXMinus)] = fixed_temperature(t0);
  p.boundaries[int(Face::kXPlus)] = fixed_temperature(t0);
  p.initial_temperature = t1;
  ConductionSolver solver(*backend, p);
  const double alpha = 1e-6;
  for (double end : {100.0, 500.0, 2000.0}) {
    advance_to(solver, end, 2.0);
    const auto exact = sample(p, [&](double x, double, double) {
      double sum = 0;
      for (int n = 1; n < 4000; n += 2) {
        sum += 4.0 / (n * kPi) * std::sin(n * kPi * x / length) *
               std::exp(-alpha * n * n * kPi * kPi * end / (length * length));
      }
      return t0 + (t1 - t0) * sum;
    });
    // Second-order scheme, h = 0.5 mm: the error of the initial corner singularity has decayed
    // to a few mK by t = 100 s; 0.02 K is 0.02 % of the 100 K swing.
    EXPECT_LT(max_abs_difference(solver.temperature(), exact), 0.02) << "t = " << end;
  }
}

// Instantaneous anisotropic Gaussian in an effectively infinite medium:
//   T = Tb + A prod_d sqrt(s0^2 / (s0^2 + 2 alpha_d t)) exp(-x_d^2 / (2 (s0^2 + 2 alpha_d t))).
TEST_F(ConductionAnalytic, AnisotropicGaussianPulseSpreadsPerAxis) {
  const double side = 0.06, tb = 300, amplitude = 100, s0 = 0.003;
  const double k[3] = {1.0, 2.5, 4.0};  // alpha_d = k_d * 1e-6 m^2/s
  ConductionProblem p = box({64, 64, 64}, side, side, side, test_material(k[0], k[1], k[2]));
  for (auto& bc : p.boundaries) bc = fixed_temperature(tb);  // tails there are below 1e-7 K
  const double centre = side / 2;
  auto gaussian = [&](double t) {
    return [=](double x, double y, double z) {
      const double r[3] = {x - centre, y - centre, z - centre};
      double value = amplitude;
      for (int d = 0; d < 3; ++d) {
        const double var = s0 * s0 + 2 * k[d] * 1e-6 * t;
        value *= std::sqrt(s0 * s0 / var) * std::exp(-r[d] * r[d] / (2 * var));
      }
      return tb + value;
    };
  };
  p.initial_temperatures = sample(p, gaussian(0));
  ConductionSolver solver(*backend, p);
  const double end = 2.0;
  advance_to(solver, end, 0.1);
  const auto exact = sample(p, gaussian(end));
  const auto t = solver.temperature();
  // h = 0.94 mm against s0 = 3 mm: the second-order error is about 1 % of the peak.
  EXPECT_LT(max_abs_difference(t, exact), 0.01 * amplitude);
  // The pulse must have spread more along z than along x: compare the half-widths directly.
  auto at = [&](int i, int j, int kk) { return t[std::size_t(p.shape.interior_index(i, j, kk))]; };
  EXPECT_GT(at(32, 32, 40), at(40, 32, 32));
  EXPECT_GT(at(32, 40, 32), at(40, 32, 32));
}

// Runs a solver until no voxel changes by more than `tolerance` kelvin in one step.
void run_to_steady_state(ConductionSolver& solver, double dt, double tolerance) {
  auto previous = solver.temperature();
  for (int n = 0; n < 100000; ++n) {
    solver.step(dt);
    auto current = solver.temperature();
    if (max_abs_difference(current, previous) < tolerance) return;
    previous = std::move(current);
  }
  FAIL() << "no steady state";
}

// Three layers in series between two fixed temperatures: the flux is dT / sum(L_i / k_i) and
// the profile is linear in each layer. Harmonic-mean faces make this exact on the grid.
TEST_F(ConductionAnalytic, LayeredSlabMatchesSeriesResistance) {
  const int per_layer = 10;
  const double layer = 0.01, k[3] = {1.0, 10.0, 0.1}, hot = 400, cold = 300;
  ConductionProblem p = box({3 * per_layer, 1, 1}, 3 * layer, 0.01, 0.01, test_material(1, 1, 1));
  p.materials = {test_material(k[0], k[0], k[0]), test_material(k[1], k[1], k[1]),
                 test_material(k[2], k[2], k[2])};
  p.material_ids.resize(std::size_t(3 * per_layer));
  for (int i = 0; i < 3 * per_layer; ++i)
    p.material_ids[std::size_t(i)] = std::uint8_t(i / per_layer);
  p.boundaries[int(Face::kXMinus)] = fixed_temperature(hot);
  p.boundaries[int(Face::kXPlus)] = fixed_temperature(cold);
  p.initial_temperature = cold;
  ConductionSolver solver(*backend, p);
  run_to_steady_state(solver, 200.0, 1e-11);

  const double flux = (hot - cold) / (layer / k[0] + layer / k[1] + layer / k[2]);
  const auto exact = sample(p, [&](double x, double, double) {
    double t = hot;
    for (int m = 0; m < 3; ++m) {
      const double inside = std::fmin(std::fmax(x - m * layer, 0.0), layer);
      t -= flux * inside / k[m];
    }
    return t;
  });
  EXPECT_LT(max_abs_difference(solver.temperature(), exact), 1e-6);
}

// A slab along `axis` with a fixed temperature on one face and a convection and/or radiation
// condition on the opposite one, for every axis and both orientations.
struct RobinCase {
  int axis;
  bool robin_on_plus;
  double h;
  double emissivity;
};

class RobinBoundary : public ConductionAnalytic, public ::testing::WithParamInterface<RobinCase> {};

TEST_P(RobinBoundary, SteadySlabMatchesSurfaceBalance) {
  const RobinCase c = GetParam();
  const double length = 0.02, k = 2.0, t_fixed = 600, t_ambient = 300;
  const int n = 20;
  const GridShape shape{c.axis == 0 ? n : 1, c.axis == 1 ? n : 1, c.axis == 2 ? n : 1};
  double extent[3] = {0.01, 0.01, 0.01};
  extent[c.axis] = length;
  ConductionProblem p = box(shape, extent[0], extent[1], extent[2], test_material(k, k, k));
  const int fixed_face = 2 * c.axis + (c.robin_on_plus ? 0 : 1);
  const int robin_face = 2 * c.axis + (c.robin_on_plus ? 1 : 0);
  p.boundaries[fixed_face] = fixed_temperature(t_fixed);
  p.boundaries[robin_face] = convection(c.h, t_ambient, c.emissivity);
  p.initial_temperature = t_ambient;
  ConductionSolver solver(*backend, p);
  run_to_steady_state(solver, 20.0, 1e-11);

  // Surface temperature Ts from k (Tf - Ts) / L = h (Ts - Ta) + eps sigma (Ts^4 - Ta^4).
  const double sigma = 5.670374419e-8;
  double ts = t_ambient;
  for (int it = 0; it < 100; ++it) {
    const double f = k * (t_fixed - ts) / length - c.h * (ts - t_ambient) -
                     c.emissivity * sigma * (std::pow(ts, 4) - std::pow(t_ambient, 4));
    const double df = -k / length - c.h - 4 * c.emissivity * sigma * std::pow(ts, 3);
    ts -= f / df;
  }
  const auto exact = sample(p, [&](double x, double y, double z) {
    const double s = c.axis == 0 ? x : (c.axis == 1 ? y : z);
    const double from_fixed = c.robin_on_plus ? s : length - s;
    return t_fixed + (ts - t_fixed) * from_fixed / length;
  });
  EXPECT_LT(max_abs_difference(solver.temperature(), exact), 1e-6)
      << "surface temperature " << ts << " K";
}

INSTANTIATE_TEST_SUITE_P(EveryFace, RobinBoundary,
                         ::testing::Values(RobinCase{0, true, 50, 0}, RobinCase{0, false, 50, 0},
                                           RobinCase{1, true, 0, 0.8}, RobinCase{1, false, 0, 0.8},
                                           RobinCase{2, true, 10, 0.9},
                                           RobinCase{2, false, 10, 0.9}),
                         [](const ::testing::TestParamInfo<RobinCase>& param_info) {
                           const char* axes = "xyz";
                           std::string name = std::string(1, axes[param_info.param.axis]) +
                                              (param_info.param.robin_on_plus ? "Plus" : "Minus");
                           name += param_info.param.h > 0 ? "Convection" : "";
                           name += param_info.param.emissivity > 0 ? "Radiation" : "";
                           return name;
                         });

}  // namespace
}  // namespace runaway::testing
