// Sums whose value does not depend on the order of their terms, so that a run split over ranks,
// threads or chunks in another way adds up to the same doubles (docs/design.md §9.3: a decomposed
// run must reproduce the single grid; per-cell sums feed the vent fire and the events, and runaway
// amplifies any round-off in them by orders of magnitude).
//
// A CompensatedSum carries its value as an unevaluated pair hi + lo: every addition keeps its
// exact rounding error (Knuth's TwoSum, Knuth TAOCP vol. 2 §4.2.2; Ogita, Rump & Oishi 2005,
// "Accurate sum and dot product", SIAM J. Sci. Comput. 26(6) 1955, Algorithm 4.4 "Sum2") in lo.
// The pair is within about n eps^2 sum|x| of the exact sum, so value() is the correctly rounded
// exact sum, whatever the order, unless the exact sum lies within that distance of a rounding
// boundary (relative chance about n eps, 1e-13 for a thousand terms).
//
// TwoSum must not be contracted into a fused multiply-add with the product that made a term:
// device code adds with __dadd_rn/__dsub_rn, which nvcc never contracts; host code is compiled
// with -ffp-contract=off (CMakeLists.txt, runaway_warnings).
#pragma once

#include "kernels/hd.hpp"

namespace runaway::kernels {

RUNAWAY_HD inline double add_rounded(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}
RUNAWAY_HD inline double subtract_rounded(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dsub_rn(a, b);
#else
  return a - b;
#endif
}

struct CompensatedSum {
  double hi = 0;  // the running sum, rounded
  double lo = 0;  // the rounding errors of every addition so far

  RUNAWAY_HD void add(double x) {
    const double s = add_rounded(hi, x);
    const double x_part = subtract_rounded(s, hi);
    const double error =
        add_rounded(subtract_rounded(hi, subtract_rounded(s, x_part)), subtract_rounded(x, x_part));
    hi = s;
    lo = add_rounded(lo, error);
  }
  RUNAWAY_HD void add(const CompensatedSum& other) {
    add(other.hi);
    lo = add_rounded(lo, other.lo);
  }
  RUNAWAY_HD double value() const { return add_rounded(hi, lo); }
};

// For reductions (thrust::reduce, MPI_Allreduce): a + b.
struct CompensatedPlus {
  RUNAWAY_HD CompensatedSum operator()(CompensatedSum a, const CompensatedSum& b) const {
    a.add(b);
    return a;
  }
};

}  // namespace runaway::kernels
