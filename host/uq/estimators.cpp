#include "host/uq/estimators.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace runaway::host::uq {

Interval wilson_interval(int successes, int trials, double z) {
  if (trials <= 0) return {NAN, NAN, NAN};
  const double n = trials;
  const double p = successes / n;
  const double z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  return {p, std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

Interval paired_difference_interval(int both, int only_a, int only_b, int neither, double z) {
  const int n = both + only_a + only_b + neither;
  if (n <= 0) return {NAN, NAN, NAN};
  const Interval a = wilson_interval(both + only_a, n, z);
  const Interval b = wilson_interval(both + only_b, n, z);
  // phi: the correlation of the pair, 0 when a margin is empty (Newcombe 1998, method 10).
  const double margins = double(both + only_a) * double(only_b + neither) * double(both + only_b) *
                         double(only_a + neither);
  const double phi =
      margins > 0
          ? (double(both) * double(neither) - double(only_a) * double(only_b)) / std::sqrt(margins)
          : 0.0;
  const double d = a.estimate - b.estimate;
  const double down =
      std::sqrt(std::max(0.0, std::pow(a.estimate - a.low, 2) -
                                  2 * phi * (a.estimate - a.low) * (b.high - b.estimate) +
                                  std::pow(b.high - b.estimate, 2)));
  const double up =
      std::sqrt(std::max(0.0, std::pow(a.high - a.estimate, 2) -
                                  2 * phi * (a.high - a.estimate) * (b.estimate - b.low) +
                                  std::pow(b.estimate - b.low, 2)));
  return {d, std::max(-1.0, d - down), std::min(1.0, d + up)};
}

double quantile(std::vector<double> values, double p) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const double h = (double(values.size()) - 1) * p;
  const auto lo = std::size_t(std::floor(h));
  const std::size_t hi = std::min(values.size() - 1, lo + 1);
  const double lower = values[lo];
  const double upper = values[hi];
  if (std::isinf(lower) || std::isinf(upper)) return h - double(lo) > 0 ? upper : lower;
  return lower + (h - double(lo)) * (upper - lower);
}

Interval bootstrap_interval(std::size_t rows,
                            const std::function<double(const std::vector<std::size_t>&)>& statistic,
                            int resamples, std::uint64_t seed) {
  std::vector<std::size_t> all(rows);
  for (std::size_t i = 0; i < rows; ++i) all[i] = i;
  Interval out;
  out.estimate = statistic(all);
  if (rows == 0 || resamples <= 0) return {out.estimate, NAN, NAN};
  std::mt19937_64 engine(seed);
  std::uniform_int_distribution<std::size_t> pick(0, rows - 1);
  std::vector<double> stats;
  std::vector<std::size_t> sample(rows);
  for (int r = 0; r < resamples; ++r) {
    for (std::size_t& s : sample) s = pick(engine);
    const double v = statistic(sample);
    if (std::isfinite(v)) stats.push_back(v);
  }
  out.low = quantile(stats, 0.025);
  out.high = quantile(stats, 0.975);
  return out;
}

SobolIndices sobol_indices(const std::vector<double>& y, std::size_t inputs, int resamples,
                           std::uint64_t seed) {
  const std::size_t stride = inputs + 2;
  std::vector<std::size_t> blocks;  // base samples whose runs are all finite
  for (std::size_t j = 0; j + stride <= y.size(); j += stride) {
    if (std::all_of(y.begin() + std::ptrdiff_t(j), y.begin() + std::ptrdiff_t(j + stride),
                    [](double v) { return std::isfinite(v); })) {
      blocks.push_back(j);
    }
  }
  SobolIndices out;
  out.base_samples = blocks.size();
  const auto f_a = [&](std::size_t j) { return y[j]; };
  const auto f_ab = [&](std::size_t j, std::size_t i) { return y[j + 1 + i]; };
  const auto f_b = [&](std::size_t j) { return y[j + stride - 1]; };
  const auto variance = [&](const std::vector<std::size_t>& rows) {
    double sum = 0, sum2 = 0;
    for (std::size_t r : rows) {
      for (const double v : {f_a(blocks[r]), f_b(blocks[r])}) {
        sum += v;
        sum2 += v * v;
      }
    }
    const double m = 2.0 * double(rows.size());
    return m > 1 ? (sum2 - sum * sum / m) / (m - 1) : NAN;
  };
  const auto first = [&](std::size_t i) {
    return [&, i](const std::vector<std::size_t>& rows) {
      double s = 0;
      for (std::size_t r : rows) {
        const std::size_t j = blocks[r];
        s += f_b(j) * (f_ab(j, i) - f_a(j));
      }
      const double v = variance(rows);
      return v > 0 ? s / double(rows.size()) / v : NAN;
    };
  };
  const auto total = [&](std::size_t i) {
    return [&, i](const std::vector<std::size_t>& rows) {
      double s = 0;
      for (std::size_t r : rows) {
        const std::size_t j = blocks[r];
        s += std::pow(f_a(j) - f_ab(j, i), 2);
      }
      const double v = variance(rows);
      return v > 0 ? s / (2.0 * double(rows.size())) / v : NAN;
    };
  };
  std::vector<std::size_t> all(blocks.size());
  for (std::size_t r = 0; r < all.size(); ++r) all[r] = r;
  out.variance = variance(all);
  for (std::size_t i = 0; i < inputs; ++i) {
    out.first.push_back(bootstrap_interval(blocks.size(), first(i), resamples, seed + 2 * i));
    out.total.push_back(bootstrap_interval(blocks.size(), total(i), resamples, seed + 2 * i + 1));
  }
  return out;
}

}  // namespace runaway::host::uq
