// The distributions of a study's uncertain inputs (docs/uq.md): each maps a point u of the unit
// interval to a value by its inverse CDF, so that every design (Latin hypercube, Sobol', Saltelli)
// samples the unit cube and the marginals come last.
#pragma once

#include <string>
#include <vector>

namespace runaway::host::uq {

enum class DistributionKind {
  kNormal,
  kLognormal,
  kUniform,
  kTruncatedNormal,
  kTriangular,
  kEmpirical
};

struct Distribution {
  DistributionKind kind = DistributionKind::kUniform;
  // normal, truncated normal: mean, std; lognormal: mu, sigma of ln x; uniform: min, max;
  // triangular: min, mode, max; truncated normal: min, max as well.
  double mean = 0, std = 1, min = 0, max = 1, mode = 0.5;
  std::vector<double> values;  // empirical: the data, sorted

  // The value at u in (0, 1): the inverse CDF (for empirical data, the ceil(u n)-th smallest
  // value, so every datum is drawn with probability 1/n).
  double quantile(double u) const;
  // The CDF at x (for tests and the Kolmogorov-Smirnov check).
  double cdf(double x) const;
  // One line for reports: "normal(mean 1, std 0.19)".
  std::string text() const;
};

const char* distribution_name(DistributionKind kind);

// The standard normal CDF and its inverse.
double normal_cdf(double z);
double normal_quantile(double p);

}  // namespace runaway::host::uq
