#include "host/uq/distribution.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

namespace runaway::host::uq {

namespace {

// Keeps u off 0 and 1, where the normal quantile is infinite (a Sobol' point can be 0).
double open_unit(double u) {
  constexpr double kEdge = 1e-12;
  return std::clamp(u, kEdge, 1.0 - kEdge);
}

}  // namespace

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), open_unit(p));
}

const char* distribution_name(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::kNormal:
      return "normal";
    case DistributionKind::kLognormal:
      return "lognormal";
    case DistributionKind::kUniform:
      return "uniform";
    case DistributionKind::kTruncatedNormal:
      return "truncated_normal";
    case DistributionKind::kTriangular:
      return "triangular";
    case DistributionKind::kEmpirical:
      return "empirical";
  }
  return "?";
}

double Distribution::quantile(double u) const {
  u = open_unit(u);
  switch (kind) {
    case DistributionKind::kNormal:
      return mean + std * normal_quantile(u);
    case DistributionKind::kLognormal:
      return std::exp(mean + std * normal_quantile(u));
    case DistributionKind::kUniform:
      return min + (max - min) * u;
    case DistributionKind::kTruncatedNormal: {
      const double a = normal_cdf((min - mean) / std);
      const double b = normal_cdf((max - mean) / std);
      return std::clamp(mean + std * normal_quantile(a + u * (b - a)), min, max);
    }
    case DistributionKind::kTriangular: {
      const double f = (mode - min) / (max - min);
      return u < f ? min + std::sqrt(u * (max - min) * (mode - min))
                   : max - std::sqrt((1 - u) * (max - min) * (max - mode));
    }
    case DistributionKind::kEmpirical: {
      const auto n = values.size();
      const auto i = std::min(n - 1, std::size_t(std::ceil(u * double(n))) - 1);
      return values[i];
    }
  }
  return NAN;
}

double Distribution::cdf(double x) const {
  switch (kind) {
    case DistributionKind::kNormal:
      return normal_cdf((x - mean) / std);
    case DistributionKind::kLognormal:
      return x <= 0 ? 0.0 : normal_cdf((std::log(x) - mean) / std);
    case DistributionKind::kUniform:
      return std::clamp((x - min) / (max - min), 0.0, 1.0);
    case DistributionKind::kTruncatedNormal: {
      if (x <= min) return 0;
      if (x >= max) return 1;
      const double a = normal_cdf((min - mean) / std);
      const double b = normal_cdf((max - mean) / std);
      return (normal_cdf((x - mean) / std) - a) / (b - a);
    }
    case DistributionKind::kTriangular:
      if (x <= min) return 0;
      if (x >= max) return 1;
      return x < mode ? (x - min) * (x - min) / ((max - min) * (mode - min))
                      : 1 - (max - x) * (max - x) / ((max - min) * (max - mode));
    case DistributionKind::kEmpirical:
      return double(std::upper_bound(values.begin(), values.end(), x) - values.begin()) /
             double(values.size());
  }
  return NAN;
}

std::string Distribution::text() const {
  switch (kind) {
    case DistributionKind::kNormal:
      return fmt::format("normal(mean {:g}, std {:g})", mean, std);
    case DistributionKind::kLognormal:
      return fmt::format("lognormal(mu {:g}, sigma {:g} of ln x)", mean, std);
    case DistributionKind::kUniform:
      return fmt::format("uniform({:g}, {:g})", min, max);
    case DistributionKind::kTruncatedNormal:
      return fmt::format("truncated_normal(mean {:g}, std {:g}, on [{:g}, {:g}])", mean, std, min,
                         max);
    case DistributionKind::kTriangular:
      return fmt::format("triangular({:g}, mode {:g}, {:g})", min, mode, max);
    case DistributionKind::kEmpirical:
      return fmt::format("empirical({} values, {:g} to {:g})", values.size(), values.front(),
                         values.back());
  }
  return "?";
}

}  // namespace runaway::host::uq
