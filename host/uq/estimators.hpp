// The estimates of a study and their intervals (docs/uq.md): Wilson intervals of a probability,
// Newcombe's interval of the difference of two paired probabilities, quantiles, paired bootstrap
// intervals, and first-order (Saltelli 2010) and total (Jansen 1999) Sobol' indices with
// bootstrap intervals.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace runaway::host::uq {

// The standard normal quantile of 97.5 %: 95 % two-sided intervals.
inline constexpr double kZ95 = 1.959963984540054;

struct Interval {
  double estimate = 0, low = 0, high = 0;
};

// Wilson's score interval of a binomial proportion (Wilson 1927; Agresti & Coull 1998): k
// successes in n trials. NaN without trials.
Interval wilson_interval(int successes, int trials, double z = kZ95);

// The difference p_a - p_b of two proportions measured on the same samples (paired), with
// Newcombe's hybrid score interval (Newcombe 1998, Stat. Med. 17:2635, method 10): `both`
// samples positive in a and b, `only_a`, `only_b`, `neither`.
Interval paired_difference_interval(int both, int only_a, int only_b, int neither, double z = kZ95);

// The p-quantile (0..1) of `values` by linear interpolation between order statistics (Hyndman
// & Fan type 7, as numpy's default). NaN when empty.
double quantile(std::vector<double> values, double p);

// A statistic of resampled rows: the percentile interval of `statistic` over `resamples`
// bootstrap resamples (rows drawn with replacement, seeded) of `rows` rows. The estimate is the
// statistic of the rows as they are.
Interval bootstrap_interval(std::size_t rows,
                            const std::function<double(const std::vector<std::size_t>&)>& statistic,
                            int resamples, std::uint64_t seed);

struct SobolIndices {
  std::vector<Interval> first;   // S1 per input
  std::vector<Interval> total;   // ST per input
  std::size_t base_samples = 0;  // rows j of the design that entered (all their runs finite)
  double variance = 0;
};

// First-order indices by Saltelli et al. 2010 (Comput. Phys. Commun. 181:259, table 2 (b)):
// S1_i = mean(f(B) (f(AB_i) - f(A))) / V, and total indices by Jansen 1999 (table 2 (f)):
// ST_i = mean((f(A) - f(AB_i))^2) / (2 V), V the variance of f over A and B together. `y` holds
// the outputs in the order of saltelli_design() (per base sample: A, AB_1..AB_d, B); a base
// sample with a NaN output is left out. Intervals: bootstrap percentiles over the base samples.
SobolIndices sobol_indices(const std::vector<double>& y, std::size_t inputs, int resamples,
                           std::uint64_t seed);

}  // namespace runaway::host::uq
