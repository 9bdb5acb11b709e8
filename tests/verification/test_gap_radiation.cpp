// Radiation across gas gaps (docs/physics.md "Gaps between cells"): two thick, highly conducting
// plates held at T1 and T2 on their outer faces, a transparent gas gap of N voxels between them.
// At steady state the heat flux through the gap is the parallel-plate exchange
//   q = sigma (T1^4 - T2^4) / (1/e1 + 1/e2 - 1)  (+ k_gas (T1 - T2) / L when the gas conducts),
// along x, y and z, with equal and unequal emissivities. Plus: energy is conserved to round-off
// with temperature-dependent faces, and the radiative lengths of the gap lines.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "kernels/conduction.hpp"
#include "support/conduction_problems.hpp"

namespace runaway::testing {
namespace {

constexpr double kSigma = 5.670374419e-8;  // W/(m^2 K^4), CODATA 2018
constexpr double kVoxel = 1e-3;            // m
constexpr int kPlateVoxels = 4;
constexpr int kGasVoxels = 5;
constexpr double kPlateConductivity = 1000;  // W/(m K): ASSUMED, high so the plates barely drop

ThermalMaterial plate(double emissivity) {
  ThermalMaterial m = test_material(kPlateConductivity, kPlateConductivity, kPlateConductivity);
  m.emissivity = emissivity;
  return m;
}

ThermalMaterial gas(double k) {
  ThermalMaterial m;
  m.density = 1.16;  // air at 300 K (Incropera & DeWitt, Table A.4)
  m.heat_capacity = 1007;
  m.conductivity[0] = m.conductivity[1] = m.conductivity[2] = k;
  m.transparent = true;
  return m;
}

struct GapCase {
  int axis;
  double t1, t2;  // K, the outer faces of the low and the high plate
  double e1, e2;
  double k_gas;  // W/(m K)
};

// Plate 1 | gas | plate 2 along `axis`, one voxel across; outer faces fixed, the rest adiabatic.
ConductionProblem gap_problem(const GapCase& c) {
  const int n = 2 * kPlateVoxels + kGasVoxels;
  GridShape shape{1, 1, 1};
  (c.axis == 0 ? shape.nx : (c.axis == 1 ? shape.ny : shape.nz)) = n;
  ConductionProblem p;
  p.shape = shape;
  p.spacing = {kVoxel, kVoxel, kVoxel};
  p.materials = {plate(c.e1), gas(c.k_gas), plate(c.e2)};
  p.material_ids.resize(std::size_t(n));
  for (int q = 0; q < n; ++q) {
    p.material_ids[std::size_t(q)] =
        std::uint8_t(q < kPlateVoxels ? 0 : (q < kPlateVoxels + kGasVoxels ? 1 : 2));
  }
  p.initial_temperature = c.t2;
  p.boundaries[std::size_t(2 * c.axis)] = host::fixed_temperature(c.t1);
  p.boundaries[std::size_t(2 * c.axis + 1)] = host::fixed_temperature(c.t2);
  return p;
}

class GapRadiation : public ::testing::TestWithParam<GapCase> {};

TEST_P(GapRadiation, SteadyFluxIsTheParallelPlateExchange) {
  const GapCase c = GetParam();
  auto backend = kernels::make_openmp_backend();
  const ConductionProblem p = gap_problem(c);
  ConductionSolver solver(*backend, p);
  EXPECT_EQ(solver.variable_face_count(), kGasVoxels + 1);
  advance_to(solver, 3.0, 0.01);  // plate time constants ~0.02 s, gas ~1 ms: steady
  const std::vector<double> t = solver.temperature();
  // Flux inside each plate (first and last pair of voxels), W/m^2, positive along +axis.
  const double q_low = kPlateConductivity * (t[0] - t[1]) / kVoxel;
  const std::size_t last = t.size() - 1;
  const double q_high = kPlateConductivity * (t[last - 1] - t[last]) / kVoxel;
  const double length = kGasVoxels * kVoxel;
  const double expected =
      kSigma * (std::pow(c.t1, 4) - std::pow(c.t2, 4)) / (1 / c.e1 + 1 / c.e2 - 1) +
      c.k_gas * (c.t1 - c.t2) / length;
  const double error = std::fabs(q_low - expected) / std::fabs(expected);
  std::printf(
      "[ measure  ] axis %d, %g/%g K, e %g/%g, k_gas %g: q %.6g W/m^2, expected %.6g, "
      "relative error %.3g\n",
      c.axis, c.t1, c.t2, c.e1, c.e2, c.k_gas, q_low, expected, error);
  EXPECT_LT(error, 0.01);
  EXPECT_LT(std::fabs(q_high - q_low), 1e-6 * std::fabs(expected));  // steady: one flux
}

std::string case_name(const ::testing::TestParamInfo<GapCase>& info) {
  const GapCase& c = info.param;
  char text[96];
  std::snprintf(text, sizeof text, "%c_%d_%d_e%d_%d_k%s", "xyz"[c.axis], int(c.t1), int(c.t2),
                int(std::lround(100 * c.e1)), int(std::lround(100 * c.e2)),
                c.k_gas > 0 ? "Air" : "Zero");
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    Gaps, GapRadiation,
    ::testing::Values(GapCase{0, 400, 500, 0.8, 0.8, 0.0}, GapCase{0, 1200, 500, 0.8, 0.8, 0.0},
                      GapCase{1, 400, 500, 0.3, 0.9, 0.0}, GapCase{1, 1200, 500, 0.3, 0.9, 0.0},
                      GapCase{2, 400, 500, 0.8, 0.5, 0.026}, GapCase{2, 1200, 500, 0.8, 0.5, 0.026},
                      GapCase{0, 1200, 500, 0.2, 0.9, 0.026},
                      GapCase{1, 400, 500, 0.9, 0.9, 0.026}),
    case_name);

TEST(GapRadiation, RadiativeLengthsOfALine) {
  // solid(e 0.5) | gas gas | solid(e 0.8) | gas gas (touching the edge): along x.
  ConductionProblem p;
  p.shape = {6, 1, 1};
  p.spacing = {2e-3, 1e-3, 1e-3};
  ThermalMaterial a = plate(0.5);
  ThermalMaterial b = plate(0.8);
  p.materials = {a, gas(0.026), b};
  p.material_ids = {0, 1, 1, 2, 1, 1};
  const auto ell = host::radiative_lengths(p);
  const double bounded = 2 * 2e-3 / (1 / 0.5 + 1 / 0.8 - 1);
  const std::vector<double> expected_x = {0, bounded, bounded, 0, 0, 0};
  EXPECT_EQ(ell[0], expected_x);
  // Across y and z every gas voxel's line is one voxel touching both edges: no exchange.
  EXPECT_EQ(ell[1], std::vector<double>(6, 0.0));
  EXPECT_EQ(ell[2], std::vector<double>(6, 0.0));
  // No transparent material: no arrays at all.
  p.materials[1].transparent = false;
  EXPECT_TRUE(host::radiative_lengths(p)[0].empty());
}

// A closed box of two opaque materials and a transparent gas in crossing sheets, from 300 to
// 1300 K: the faces' G change every step, but both voxels of a face read the same G, so the
// energy is conserved to round-off.
TEST(GapRadiation, ClosedBoxConservesEnergy) {
  auto backend = kernels::make_openmp_backend();
  ConductionProblem p = box({14, 12, 10}, 0.014, 0.012, 0.010, test_material(5, 5, 5));
  ThermalMaterial metal = test_material(200, 200, 200);
  metal.emissivity = 0.3;
  p.materials = {test_material(5, 5, 5), metal, gas(0.026)};
  p.material_ids.resize(std::size_t(p.shape.interior_size()));
  for (int k = 1; k <= p.shape.nz; ++k)
    for (int j = 1; j <= p.shape.ny; ++j)
      for (int i = 1; i <= p.shape.nx; ++i) {
        const auto c = std::size_t(p.shape.interior_index(i, j, k));
        const bool is_gas = i % 5 == 2 || i % 5 == 3 || j % 4 == 1 || k % 6 == 3;
        p.material_ids[c] = std::uint8_t(is_gas ? 2 : (i + j + k) % 2);
      }
  p.initial_temperatures = sample(p, [](double x, double y, double z) {
    return 800 + 400 * std::sin(300 * x) * std::cos(250 * y) + 100 * std::cos(400 * z);
  });
  for (auto integrator : {host::Integrator::kRkl2, host::Integrator::kForwardEuler}) {
    ConductionSolver solver(*backend, p);
    ASSERT_GT(solver.variable_face_count(), 100);
    const double e0 = solver.thermal_energy();
    const double dt_start = solver.explicit_time_step();
    const double dt = integrator == host::Integrator::kRkl2 ? 0.05 : 0.5 * dt_start;
    const auto t0 = solver.temperature();
    for (int n = 0; n < 40; ++n) solver.step(dt, integrator);
    const double e1 = solver.thermal_energy();
    const double drift = std::fabs(e1 - e0) / e0;
    std::printf("[ measure  ] %s: relative energy change %.3g over 40 steps\n",
                integrator == host::Integrator::kRkl2 ? "RKL2" : "forward Euler", drift);
    EXPECT_LT(drift, 1e-13);
    EXPECT_GT(max_abs_difference(t0, solver.temperature()), 1.0);  // something happened
  }
}

// Radiation makes the gas faces conduct more as the box heats: the explicit limit follows.
TEST(GapRadiation, ExplicitLimitFollowsTheTemperatures) {
  auto backend = kernels::make_openmp_backend();
  GapCase c{0, 1500, 1500, 0.9, 0.9, 0.0};
  ConductionProblem p = gap_problem(c);
  p.materials[1].density = 1e-3;  // so that the gas voxels set the limit (a test value)
  p.initial_temperature = 300;
  ConductionSolver solver(*backend, p);
  const double cold = solver.explicit_time_step();
  advance_to(solver, 2.0, 0.01);
  EXPECT_LT(solver.explicit_time_step(), 0.1 * cold);
}

}  // namespace
}  // namespace runaway::testing
