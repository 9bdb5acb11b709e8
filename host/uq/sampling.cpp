#include "host/uq/sampling.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

#include "host/uq/distribution.hpp"

namespace runaway::host::uq {

Points latin_hypercube(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Points points(n, std::vector<double>(d));
  std::vector<std::size_t> strata(n);
  for (std::size_t j = 0; j < d; ++j) {
    std::iota(strata.begin(), strata.end(), std::size_t(0));
    std::shuffle(strata.begin(), strata.end(), engine);
    for (std::size_t i = 0; i < n; ++i) {
      points[i][j] = (double(strata[i]) + uniform(engine)) / double(n);
    }
  }
  return points;
}

Points random_points(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Points points(n, std::vector<double>(d));
  for (auto& row : points) {
    for (double& u : row) u = uniform(engine);
  }
  return points;
}

Points sobol_points(std::size_t n, std::size_t d, std::uint64_t skip) {
  boost::random::sobol engine(d);
  engine.discard(skip * d);  // each call gives one coordinate; Boost starts after the origin
  const double scale = std::ldexp(1.0, -64);  // the engine gives 64-bit integers
  Points points(n, std::vector<double>(d));
  for (auto& row : points) {
    for (double& u : row) u = double(engine()) * scale;
  }
  return points;
}

Points saltelli_design(std::size_t n, std::size_t d, std::uint64_t skip) {
  const Points base = sobol_points(n, 2 * d, skip);
  Points rows;
  rows.reserve(n * (d + 2));
  for (const auto& p : base) {
    const std::vector<double> a(p.begin(), p.begin() + std::ptrdiff_t(d));
    const std::vector<double> b(p.begin() + std::ptrdiff_t(d), p.end());
    rows.push_back(a);
    for (std::size_t i = 0; i < d; ++i) {
      std::vector<double> ab = a;
      ab[i] = b[i];
      rows.push_back(ab);
    }
    rows.push_back(b);
  }
  return rows;
}

void induce_correlation(Points& points, const std::vector<double>& target, bool reorder) {
  const auto n = Eigen::Index(points.size());
  if (n < 2) return;
  const auto d = Eigen::Index(points.front().size());
  Eigen::MatrixXd z(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < d; ++j) z(i, j) = normal_quantile(points[i][j]);
  }
  const Eigen::Map<const Eigen::MatrixXd> c(target.data(), d, d);
  const Eigen::LLT<Eigen::MatrixXd> wanted(c);
  if (wanted.info() != Eigen::Success) {
    throw std::invalid_argument("the correlation matrix is not positive definite");
  }
  // The scores' own correlation, removed, then the target's put in.
  const Eigen::MatrixXd centred = z.rowwise() - z.colwise().mean();
  Eigen::MatrixXd sample = (centred.transpose() * centred) / double(n - 1);
  const Eigen::VectorXd sd = sample.diagonal().cwiseSqrt();
  sample = sd.cwiseInverse().asDiagonal() * sample * sd.cwiseInverse().asDiagonal();
  const Eigen::LLT<Eigen::MatrixXd> own(sample);
  Eigen::MatrixXd correlated = centred * sd.cwiseInverse().asDiagonal();
  if (own.info() == Eigen::Success) {
    const Eigen::MatrixXd p = own.matrixL();
    correlated = correlated * p.transpose().inverse();
  }
  const Eigen::MatrixXd l = wanted.matrixL();
  correlated = correlated * l.transpose();
  for (Eigen::Index j = 0; j < d; ++j) {
    if (!reorder) {
      for (Eigen::Index i = 0; i < n; ++i) points[i][j] = normal_cdf(correlated(i, j));
      continue;
    }
    std::vector<double> column(static_cast<std::size_t>(n));
    for (Eigen::Index i = 0; i < n; ++i) column[std::size_t(i)] = points[i][j];
    std::sort(column.begin(), column.end());
    std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), Eigen::Index(0));
    std::sort(order.begin(), order.end(),
              [&](Eigen::Index a, Eigen::Index b) { return correlated(a, j) < correlated(b, j); });
    for (Eigen::Index r = 0; r < n; ++r) points[order[std::size_t(r)]][j] = column[std::size_t(r)];
  }
}

}  // namespace runaway::host::uq
