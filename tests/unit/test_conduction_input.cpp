// Bad input to the conduction solver: an exception whose message names the bad value.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error.hpp"
#include "support/conduction_problems.hpp"

namespace runaway::testing {
namespace {

ConductionProblem valid() {
  return box({4, 3, 2}, 0.004, 0.003, 0.002, test_material(1, 2, 3));
}

// Expects construction to throw a bad-input Error whose message contains every fragment.
void expect_rejected(const ConductionProblem& p, std::initializer_list<const char*> fragments) {
  auto backend = kernels::make_openmp_backend();
  try {
    ConductionSolver solver(*backend, p);
    FAIL() << "accepted";
  } catch (const runaway::Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    for (const char* f : fragments) {
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos)
          << "message '" << e.what() << "' lacks '" << f << "'";
    }
  }
}

const double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(ConductionInput, ZeroSizedGrid) {
  auto p = valid();
  p.shape.ny = 0;
  expect_rejected(p, {"grid.shape", "4 x 0 x 2"});
}

TEST(ConductionInput, NonPositiveMaterialProperties) {
  auto p = valid();
  p.materials[0].density = 0;
  expect_rejected(p, {"materials[0].density", "= 0"});
  p = valid();
  p.materials[0].heat_capacity = -5;
  expect_rejected(p, {"materials[0].heat_capacity", "-5"});
  p = valid();
  p.materials[0].conductivity[1] = 0;
  expect_rejected(p, {"materials[0].conductivity[1]"});
}

TEST(ConductionInput, NaNAnywhere) {
  auto p = valid();
  p.materials[0].conductivity[2] = kNaN;
  expect_rejected(p, {"conductivity[2]", "nan"});
  p = valid();
  p.spacing.dy = kNaN;
  expect_rejected(p, {"grid.dy", "nan"});
  p = valid();
  p.initial_temperatures.assign(24, 300.0);
  p.initial_temperatures[7] = kNaN;
  expect_rejected(p, {"initial_temperatures[7]", "nan"});
  p = valid();
  p.heat_source.assign(24, 0.0);
  p.heat_source[3] = std::numeric_limits<double>::infinity();
  expect_rejected(p, {"heat_source[3]", "inf"});
  p = valid();
  p.boundaries[3] = host::convection(kNaN, 300);
  expect_rejected(p, {"boundary.y+.heat_transfer_coefficient", "nan"});
}

TEST(ConductionInput, WrongSizesAndIds) {
  auto p = valid();
  p.material_ids.assign(24, 0);
  p.material_ids[5] = 1;
  expect_rejected(p, {"material_ids[5]", "1"});
  p = valid();
  p.heat_source.assign(5, 0.0);
  expect_rejected(p, {"heat_source", "24"});
}

TEST(ConductionInput, NonPositiveTimeStep) {
  auto backend = kernels::make_openmp_backend();
  ConductionSolver solver(*backend, valid());
  for (double dt : {0.0, -1.0, kNaN}) {
    try {
      solver.step(dt);
      FAIL() << "accepted dt = " << dt;
    } catch (const runaway::Error& e) {
      EXPECT_NE(std::string(e.what()).find("dt"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(solver.time(), 0.0);  // nothing was advanced
  // Forward Euler refuses a step above its stability limit instead of blowing up.
  EXPECT_THROW(solver.step(2 * solver.explicit_time_step(), host::Integrator::kForwardEuler),
               runaway::Error);
}

TEST(Rkl2Coefficients, StageCountCoversTheStep) {
  for (double ratio : {0.5, 1.0, 1.01, 10.0, 100.0, 5000.0}) {
    const int s = host::rkl2_stage_count(ratio, 1.0);
    EXPECT_GE((double(s) * s + s - 2) / 4, ratio);
    if (s > 2) {
      EXPECT_LT((double(s - 1) * (s - 1) + (s - 1) - 2) / 4, ratio);  // the smallest such s
    }
  }
}

// On dy/dt = lambda y an s-stage RKL2 step must reproduce exp(lambda dt) to second order and
// stay bounded by 1 across its whole stability interval [-4 (s^2+s-2)/... , 0].
TEST(Rkl2Coefficients, ScalarAmplificationIsSecondOrderAndStable) {
  for (int s : {2, 3, 7, 20, 61}) {
    auto amplification = [s](double z) {  // z = lambda dt
      const double y0 = 1.0, rate0 = z;
      double y_prev2 = y0, y_prev = y0 + host::rkl2_first_coefficient(s) * rate0;
      for (int j = 2; j <= s; ++j) {
        const auto c = host::rkl2_coefficients(s, j, 1.0);
        const double y = c.mu * y_prev + c.nu * y_prev2 + (1 - c.mu - c.nu) * y0 +
                         c.mu_tilde_dt * z * y_prev + c.gamma_tilde_dt * rate0;
        y_prev2 = y_prev;
        y_prev = y;
      }
      return y_prev;
    };
    for (double z : {1e-3, 1e-2}) {
      const double error = std::fabs(amplification(-z) - std::exp(-z));
      EXPECT_LT(error, 0.3 * z * z * z) << "s = " << s << ", z = " << z;  // local error O(z^3)
    }
    const double z_max = (double(s) * s + s - 2) / 2;  // |lambda| dt at the stability edge
    for (int m = 1; m <= 200; ++m) {
      EXPECT_LE(std::fabs(amplification(-z_max * m / 200.0)), 1.0 + 1e-12) << "s = " << s;
    }
  }
}

}  // namespace
}  // namespace runaway::testing
