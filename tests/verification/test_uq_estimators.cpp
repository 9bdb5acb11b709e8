// The estimators and designs of `runaway uq` (docs/uq.md) against known answers: Sobol' indices
// of the Ishigami function (analytic), Latin hypercube marginals (Kolmogorov-Smirnov), Wilson
// and Newcombe intervals (coverage over synthetic Bernoulli draws), quantiles, the Sobol'
// sequence's first points and the correlation the designs induce.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "host/uq/distribution.hpp"
#include "host/uq/estimators.hpp"
#include "host/uq/sampling.hpp"

namespace {

using namespace runaway::host::uq;

constexpr double kPi = 3.14159265358979323846;

// Ishigami & Homma 1990: f = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i uniform on [-pi, pi].
double ishigami(double x1, double x2, double x3, double a, double b) {
  return std::sin(x1) + a * std::sin(x2) * std::sin(x2) + b * std::pow(x3, 4) * std::sin(x1);
}

// Analytic indices for a = 7, b = 0.1 (Saltelli et al. 2008, Global Sensitivity Analysis, §4.3;
// the values SALib's tests use): V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2.
TEST(UqSobolIndices, IshigamiWithinTwoHundredthsOfTheAnalyticValues) {
  const double a = 7, b = 0.1;
  const double v1 = 0.5 * std::pow(1 + b * std::pow(kPi, 4) / 5, 2);
  const double v2 = a * a / 8;
  const double v13 = b * b * std::pow(kPi, 8) * (1.0 / 18 - 1.0 / 50);
  const double v = v1 + v2 + v13;
  const double s1[] = {v1 / v, v2 / v, 0.0};
  const double st[] = {(v1 + v13) / v, v2 / v, v13 / v};
  EXPECT_NEAR(s1[0], 0.3139, 1e-4);  // the published values, to check the formulas above
  EXPECT_NEAR(s1[1], 0.4424, 1e-4);
  EXPECT_NEAR(st[0], 0.5576, 1e-4);
  EXPECT_NEAR(st[2], 0.2437, 1e-4);

  const std::size_t n = 8192;  // base samples: 8192 (3 + 2) = 40960 evaluations
  const Points design = saltelli_design(n, 3, 0);
  ASSERT_EQ(design.size(), n * 5);
  std::vector<double> y;
  for (const auto& u : design) {
    y.push_back(
        ishigami(-kPi + 2 * kPi * u[0], -kPi + 2 * kPi * u[1], -kPi + 2 * kPi * u[2], a, b));
  }
  const SobolIndices s = sobol_indices(y, 3, 200, 7);
  ASSERT_EQ(s.base_samples, n);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(s.first[i].estimate, s1[i], 0.02) << "S1 of x" << i + 1;
    EXPECT_NEAR(s.total[i].estimate, st[i], 0.02) << "ST of x" << i + 1;
    // The bootstrap intervals hold their estimate and are narrower than 0.1 at this size.
    EXPECT_LE(s.first[i].low, s.first[i].estimate);
    EXPECT_GE(s.first[i].high, s.first[i].estimate);
    EXPECT_LT(s.total[i].high - s.total[i].low, 0.1);
    std::printf("x%d: S1 %.4f [%.4f, %.4f] (analytic %.4f), ST %.4f [%.4f, %.4f] (analytic %.4f)\n",
                i + 1, s.first[i].estimate, s.first[i].low, s.first[i].high, s1[i],
                s.total[i].estimate, s.total[i].low, s.total[i].high, st[i]);
  }

  // A base sample with a failed run (NaN) is left out, not counted as a value.
  y[3] = NAN;
  EXPECT_EQ(sobol_indices(y, 3, 0, 7).base_samples, n - 1);
}

// The largest distance between the empirical CDF of `x` and `cdf` (Kolmogorov-Smirnov D).
template <class Cdf>
double ks_statistic(std::vector<double> x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  double d = 0;
  const double n = double(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, double(i + 1) / n - f, f - double(i) / n});
  }
  return d;
}

TEST(UqLatinHypercube, MarginalsPassKolmogorovSmirnovAndFillEveryStratum) {
  const std::size_t n = 200, d = 4;
  const Points p = latin_hypercube(n, d, 42);
  // The 5 % critical value of D for n = 200 is 1.358 / sqrt(n) = 0.096 (asymptotic).
  const double critical = 1.358 / std::sqrt(double(n));
  Distribution normal;
  normal.kind = DistributionKind::kNormal;
  normal.mean = 10;
  normal.std = 2;
  Distribution triangular;
  triangular.kind = DistributionKind::kTriangular;
  triangular.min = 0.3;
  triangular.mode = 1.0;
  triangular.max = 3.0;
  for (std::size_t j = 0; j < d; ++j) {
    std::vector<double> u, x, t;
    std::vector<int> strata(n, 0);
    for (const auto& row : p) {
      u.push_back(row[j]);
      x.push_back(normal.quantile(row[j]));
      t.push_back(triangular.quantile(row[j]));
      ++strata[std::size_t(row[j] * double(n))];
    }
    const double du = ks_statistic(u, [](double v) { return v; });
    const double dx = ks_statistic(x, [&](double v) { return normal.cdf(v); });
    const double dt = ks_statistic(t, [&](double v) { return triangular.cdf(v); });
    std::printf(
        "column %zu: KS D uniform %.4f, normal %.4f, triangular %.4f (5 %% critical %.4f)\n", j, du,
        dx, dt, critical);
    EXPECT_LT(du, critical);
    EXPECT_LT(dx, critical);
    EXPECT_LT(dt, critical);
    // A Latin hypercube has one point in each of the n strata of every axis.
    EXPECT_TRUE(std::all_of(strata.begin(), strata.end(), [](int c) { return c == 1; })) << j;
  }
  // Seeded: the same seed gives the same design, another seed another.
  EXPECT_EQ(latin_hypercube(n, d, 42), p);
  EXPECT_NE(latin_hypercube(n, d, 43), p);
}

TEST(UqWilsonInterval, CoversAKnownProbabilityAtTheNominalRate) {
  std::mt19937_64 engine(2026);
  const int trials = 2000;
  for (const auto& [p, n] : {std::pair<double, int>{0.3, 40}, {0.1, 60}, {0.5, 20}}) {
    std::bernoulli_distribution draw(p);
    int covered = 0;
    for (int t = 0; t < trials; ++t) {
      int k = 0;
      for (int i = 0; i < n; ++i) k += draw(engine) ? 1 : 0;
      const Interval w = wilson_interval(k, n);
      covered += w.low <= p && p <= w.high ? 1 : 0;
    }
    const double coverage = double(covered) / trials;
    std::printf("p = %.2f, n = %d: Wilson 95 %% interval covered p in %.1f %% of %d trials\n", p, n,
                100 * coverage, trials);
    EXPECT_GE(coverage, 0.93) << "p " << p << " n " << n;
    EXPECT_LE(coverage, 0.97) << "p " << p << " n " << n;
  }
  // Wilson 1927's interval for 0 of 10: [0, z^2 / (n + z^2)] = [0, 0.2775].
  const Interval zero = wilson_interval(0, 10);
  EXPECT_EQ(zero.low, 0.0);
  EXPECT_NEAR(zero.high, 0.2775, 1e-4);
}

TEST(UqPairedDifference, NewcombeIntervalCoversAKnownDifferenceAtTheNominalRate) {
  // Pairs: a ~ Bernoulli(0.4); b equals a with probability 0.7, else a fresh Bernoulli(0.2).
  // P(a) = 0.4, P(b) = 0.7 * 0.4 + 0.3 * 0.2 = 0.34: difference 0.06.
  std::mt19937_64 engine(19);
  std::bernoulli_distribution pa(0.4), same(0.7), pb(0.2);
  const int trials = 2000, n = 50;
  int covered = 0;
  for (int t = 0; t < trials; ++t) {
    int both = 0, only_a = 0, only_b = 0, neither = 0;
    for (int i = 0; i < n; ++i) {
      const bool a = pa(engine);
      const bool b = same(engine) ? a : pb(engine);
      both += a && b;
      only_a += a && !b;
      only_b += !a && b;
      neither += !a && !b;
    }
    const Interval d = paired_difference_interval(both, only_a, only_b, neither);
    covered += d.low <= 0.06 && 0.06 <= d.high ? 1 : 0;
  }
  const double coverage = double(covered) / trials;
  std::printf("Newcombe paired 95 %% interval covered the difference in %.1f %% of %d trials\n",
              100 * coverage, trials);
  EXPECT_GE(coverage, 0.93);
  EXPECT_LE(coverage, 0.97);
  // Identical outcomes in both: difference 0, an interval around it that does not collapse.
  const Interval none = paired_difference_interval(0, 0, 0, 20);
  EXPECT_EQ(none.estimate, 0.0);
  EXPECT_LT(none.low, 0.0);
  EXPECT_GT(none.high, 0.0);
}

TEST(UqQuantile, InterpolatesBetweenOrderStatisticsAndKeepsCensoredValues) {
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.5), 2.5);  // numpy.quantile([1,2,3,4], 0.5)
  EXPECT_DOUBLE_EQ(quantile({1, 2, 3, 4}, 0.9), 3.7);
  EXPECT_TRUE(std::isinf(quantile({1, 2, INFINITY, INFINITY}, 0.9)));
  EXPECT_DOUBLE_EQ(quantile({1, 2, INFINITY, INFINITY}, 0.2), 1.6);
  EXPECT_TRUE(std::isnan(quantile({}, 0.5)));
}

TEST(UqDistributions, QuantileInvertsTheCdf) {
  std::vector<Distribution> all(6);
  all[0].kind = DistributionKind::kNormal;
  all[0].mean = 1;
  all[0].std = 0.2;
  all[1].kind = DistributionKind::kLognormal;
  all[1].mean = 0;
  all[1].std = 0.5;
  all[2].kind = DistributionKind::kUniform;
  all[2].min = 100;
  all[2].max = 500;
  all[3].kind = DistributionKind::kTruncatedNormal;
  all[3].mean = 0.724;
  all[3].std = 0.122;
  all[3].min = 0.38;
  all[3].max = 0.98;
  all[4].kind = DistributionKind::kTriangular;
  all[4].min = 0.3;
  all[4].mode = 1;
  all[4].max = 3;
  all[5].kind = DistributionKind::kEmpirical;
  all[5].values = {1, 2, 3, 4};
  for (const Distribution& d : all) {
    for (const double u : {0.01, 0.2, 0.5, 0.77, 0.99}) {
      const double x = d.quantile(u);
      if (d.kind == DistributionKind::kEmpirical) {
        EXPECT_EQ(x, d.values[std::size_t(std::ceil(u * 4)) - 1]) << d.text();
      } else {
        EXPECT_NEAR(d.cdf(x), u, 1e-9) << d.text() << " u " << u;
      }
    }
  }
  EXPECT_GE(all[3].quantile(1e-9), 0.38);  // truncated: never outside [min, max]
  EXPECT_LE(all[3].quantile(1 - 1e-9), 0.98);
}

TEST(UqSobolSequence, FirstPointsAreTheKnownOnesAndSkipActsAsTheSeed) {
  // Sobol' (1967) in 2 dimensions after the origin: (1/2, 1/2), (3/4, 1/4), (1/4, 3/4), ...
  const Points p = sobol_points(3, 2, 0);
  EXPECT_EQ(p[0], (std::vector<double>{0.5, 0.5}));
  EXPECT_EQ(p[1], (std::vector<double>{0.75, 0.25}));
  EXPECT_EQ(p[2], (std::vector<double>{0.25, 0.75}));
  EXPECT_EQ(sobol_points(2, 2, 1)[0], p[1]);
}

// Spearman's rank correlation of two columns.
double rank_correlation(const Points& p, std::size_t a, std::size_t b) {
  const auto ranks = [&](std::size_t j) {
    std::vector<std::size_t> order(p.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](auto x, auto y) { return p[x][j] < p[y][j]; });
    std::vector<double> r(p.size());
    for (std::size_t i = 0; i < order.size(); ++i) r[order[i]] = double(i);
    return r;
  };
  const std::vector<double> ra = ranks(a), rb = ranks(b);
  const double mean = (double(p.size()) - 1) / 2;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) * (ra[i] - mean);
    sbb += (rb[i] - mean) * (rb[i] - mean);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(UqCorrelation, ImanConoverInducesTheRankCorrelationAndKeepsTheHypercube) {
  Points p = latin_hypercube(500, 3, 5);
  const Points before = p;
  induce_correlation(p, {1, 0.6, 0, 0.6, 1, -0.3, 0, -0.3, 1}, true);
  EXPECT_NEAR(rank_correlation(p, 0, 1), 0.6, 0.05);
  EXPECT_NEAR(rank_correlation(p, 1, 2), -0.3, 0.05);
  EXPECT_NEAR(rank_correlation(p, 0, 2), 0.0, 0.05);
  for (std::size_t j = 0; j < 3; ++j) {  // each column keeps its values: still a hypercube
    std::vector<double> a, b;
    for (std::size_t i = 0; i < p.size(); ++i) {
      a.push_back(before[i][j]);
      b.push_back(p[i][j]);
    }
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << j;
  }
}

}  // namespace
