// Designs on the unit cube for a study's uncertain inputs (docs/uq.md): Latin hypercube (seeded
// std::mt19937_64), Sobol' sequences (Boost.Random's boost::random::sobol, Joe-Kuo direction
// numbers) and Saltelli's design for Sobol' indices; correlations induced on normal scores.
// A design is n rows of d numbers in (0, 1); the inputs' distributions map them to values.
#pragma once

#include <cstdint>
#include <vector>

namespace runaway::host::uq {

using Points = std::vector<std::vector<double>>;  // [row][input], in (0, 1)

// n points, one in each of the n equal strata of every axis, the strata of the axes paired at
// random and each point uniform within its stratum (McKay, Beckman & Conover 1979).
Points latin_hypercube(std::size_t n, std::size_t d, std::uint64_t seed);

// n independent uniform points (plain Monte Carlo), for comparison.
Points random_points(std::size_t n, std::size_t d, std::uint64_t seed);

// Points `skip` + 1 to `skip` + n of the d-dimensional Sobol' sequence (point 0, the origin,
// is never used). The sequence is deterministic: `skip` is its "seed".
Points sobol_points(std::size_t n, std::size_t d, std::uint64_t skip);

// Saltelli's design for first-order and total indices (Saltelli et al. 2010, without the
// second-order rows): matrices A and B from a 2d-dimensional Sobol' sequence (A its first d
// columns, B its last d) and, for each input i, AB_i = A with column i from B. Rows in SALib's
// order, per base sample j: A_j, AB_1j, ..., AB_dj, B_j: n (d + 2) rows.
Points saltelli_design(std::size_t n, std::size_t d, std::uint64_t skip);

// Induces the rank correlation `target` (d x d, row-major, symmetric positive definite) between
// the columns of `points`: normal scores z = Phi^-1(u) are decorrelated by the Cholesky factor
// of their sample correlation and correlated by that of the target (Iman & Conover 1982). With
// `reorder`, each column then keeps its own values in the order of the new scores, so a Latin
// hypercube stays one (Iman-Conover); otherwise u = Phi(z') (a Sobol' set's marginals stay
// uniform, its low discrepancy does not survive). Throws std::invalid_argument when `target` is
// not positive definite.
void induce_correlation(Points& points, const std::vector<double>& target, bool reorder);

}  // namespace runaway::host::uq
