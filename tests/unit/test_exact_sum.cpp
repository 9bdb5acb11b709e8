// Compensated sums (kernels/exact_sum.hpp) give the correctly rounded exact sum whatever the order
// of the terms, which is what makes a run split over ranks or threads reproduce the single grid.
// The terms are multiples of 2^-40, so their exact sum is an integer sum (__int128).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/exact_sum.hpp"
#include "kernels/exec_omp.hpp"

namespace runaway::testing {
namespace {

constexpr double kUnit = 0x1p-40;
__extension__ typedef __int128 Int128;  // exact sums of the test terms (GCC, Clang)

struct Terms {
  std::vector<double> values;
  double exact = 0;  // the exact sum, correctly rounded
};

// Magnitudes over 2^0 .. 2^50 units and both signs, so plain summation loses bits.
Terms make_terms(std::size_t n) {
  std::mt19937_64 random(20261125);
  Terms t;
  Int128 exact = 0;
  for (std::size_t m = 0; m < n; ++m) {
    const int bits = int(random() % 51);
    auto units = std::int64_t(random() >> (64 - 1 - bits));  // < 2^(bits+1)
    if (random() % 2 == 0) units = -units;
    exact += units;
    t.values.push_back(double(units) * kUnit);  // exact: |units| < 2^52
  }
  t.exact = double(exact) * kUnit;  // __int128 -> double rounds once, correctly
  return t;
}

double compensated(const std::vector<double>& v) {
  kernels::CompensatedSum s;
  for (const double x : v) s.add(x);
  return s.value();
}

double plain(const std::vector<double>& v) {
  double s = 0;
  for (const double x : v) s += x;
  return s;
}

TEST(CompensatedSum, AnyOrderGivesTheCorrectlyRoundedSum) {
  Terms t = make_terms(100000);
  std::vector<double> v = t.values;
  EXPECT_EQ(compensated(v), t.exact);
  std::reverse(v.begin(), v.end());
  EXPECT_EQ(compensated(v), t.exact);
  std::shuffle(v.begin(), v.end(), std::mt19937_64(7));
  EXPECT_EQ(compensated(v), t.exact);
  std::sort(v.begin(), v.end());
  EXPECT_EQ(compensated(v), t.exact);

  // Chunks added up separately, then combined (threads, ranks) in another order.
  for (const std::size_t chunk : {std::size_t(1), std::size_t(7), std::size_t(1024)}) {
    std::vector<kernels::CompensatedSum> parts;
    for (std::size_t begin = 0; begin < v.size(); begin += chunk) {
      kernels::CompensatedSum s;
      for (std::size_t m = begin; m < std::min(v.size(), begin + chunk); ++m) s.add(v[m]);
      parts.push_back(s);
    }
    kernels::CompensatedSum total;
    for (auto p = parts.rbegin(); p != parts.rend(); ++p)
      total = kernels::CompensatedPlus{}(total, *p);
    EXPECT_EQ(total.value(), t.exact) << "chunks of " << chunk;
  }

  // The test can tell: plain sums of the same terms differ with the order.
  std::vector<double> w = t.values;
  const double forward = plain(w);
  std::sort(w.begin(), w.end());
  EXPECT_NE(forward, plain(w));
}

// The OpenMP backend's sums over the interior and over a list give the correctly rounded sum
// with any team of threads: a run may change its team between steps (host/run/thread_team.hpp).
TEST(CompensatedSum, OpenMPSumsDoNotDependOnTheTeam) {
  const kernels::GridShape shape{40, 50, 50};  // 100000 interior voxels, one term each
  Terms t = make_terms(std::size_t(shape.interior_size()));
  std::vector<double> field(std::size_t(shape.padded_size()), 0.0);
  std::size_t next = 0;
  for (int k = 1; k <= shape.nz; ++k)
    for (int j = 1; j <= shape.ny; ++j)
      for (int i = 1; i <= shape.nx; ++i)
        field[std::size_t(shape.index(i, j, k))] = t.values[next++];
  const kernels::OmpExec exec;
  const int team = omp_get_max_threads();
  for (int threads = 1; threads <= 4; ++threads) {
    omp_set_num_threads(threads);
    EXPECT_EQ(exec.sum_interior(shape, [&](kernels::Index m) { return field[std::size_t(m)]; }),
              t.exact)
        << threads << " threads";
    EXPECT_EQ(exec.sum_each(kernels::Index(t.values.size()),
                            [&](kernels::Index m) { return t.values[std::size_t(m)]; })
                  .value(),
              t.exact)
        << threads << " threads";
  }
  omp_set_num_threads(team);
}

}  // namespace
}  // namespace runaway::testing
