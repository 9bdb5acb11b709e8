// Compensated sums (kernels/exact_sum.hpp) give the correctly rounded exact sum whatever the order
// of the terms, which is what makes a run split over ranks or threads reproduce the single grid.
// The terms are multiples of 2^-40, so their exact sum is an integer sum (__int128).
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/exact_sum.hpp"

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

// The OpenMP backend's sums (a vent fire's demand) do not depend on the thread count.
TEST(CompensatedSum, BackendSumIsTheSameOnOneTwoAndThreeThreads) {
  auto backend = kernels::make_openmp_backend();
  const std::size_t n = 100001;
  std::vector<kernels::Index> voxel(n);
  std::vector<double> temperature(n);
  std::vector<double> inv_heat_capacity(n, 1.0);
  std::mt19937_64 random(3);
  std::uniform_real_distribution<double> uniform(300.0, 1200.0);
  for (std::size_t m = 0; m < n; ++m) {
    voxel[m] = kernels::Index(m);
    temperature[m] = uniform(random);
  }
  kernels::DeviceArray<kernels::Index> voxel_d(*backend, n);
  kernels::DeviceArray<double> t_d(*backend, n);
  kernels::DeviceArray<double> c_d(*backend, n);
  voxel_d.upload(voxel.data());
  t_d.upload(temperature.data());
  c_d.upload(inv_heat_capacity.data());
  const kernels::FlameHeating flame{voxel_d.data(), c_d.data(), t_d.data(), 37.3,
                                    1400.0,         0.013,      1.0};
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const double one = backend->flame_demand(flame, kernels::Index(n)).value();
  omp_set_num_threads(2);
  const double two = backend->flame_demand(flame, kernels::Index(n)).value();
  omp_set_num_threads(3);
  const double three = backend->flame_demand(flame, kernels::Index(n)).value();
  omp_set_num_threads(threads);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, three);
  std::vector<double> terms(n);
  for (std::size_t m = 0; m < n; ++m)
    terms[m] = 0.013 * (37.3 * std::max(0.0, 1400.0 - temperature[m]));
  const double expected = plain(terms);
  EXPECT_NEAR(one, expected, 1e-12 * expected);

  // The test can tell: plain sums of these terms in the blocks that 1, 2 and 3 threads take
  // (schedule(static): contiguous, near-equal) are not all the same.
  auto plain_in_blocks = [&](std::size_t blocks) {
    double total = 0;
    for (std::size_t b = 0; b < blocks; ++b) {
      double part = 0;
      for (std::size_t m = b * n / blocks; m < (b + 1) * n / blocks; ++m) part += terms[m];
      total += part;
    }
    return total;
  };
  EXPECT_TRUE(plain_in_blocks(1) != plain_in_blocks(2) || plain_in_blocks(1) != plain_in_blocks(3));
}

}  // namespace
}  // namespace runaway::testing
