// This process's part of the voxel grid and how it talks to the processes that own the rest
// (docs/design.md §9.2). The serial Domain owns the whole grid and every exchange is a no-op, so a
// run without MPI takes the same code path it always did; parallel::MpiDomain (parallel/, built
// with -DRUNAWAY_MPI=ON) splits the grid into Cartesian blocks, one per rank.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/exact_sum.hpp"
#include "kernels/grid.hpp"

namespace runaway::host {

// A rank's block of the global interior grid: voxels offset[d] .. offset[d] + extent[d] - 1
// (0-based) along x, y, z.
struct Block {
  int offset[3] = {0, 0, 0};
  int extent[3] = {0, 0, 0};
  kernels::GridShape shape() const { return {extent[0], extent[1], extent[2]}; }
  std::int64_t voxels() const { return std::int64_t(extent[0]) * extent[1] * extent[2]; }
};

class Domain {
 public:
  virtual ~Domain() = default;
  virtual int rank() const { return 0; }
  virtual int size() const { return 1; }
  bool is_root() const { return rank() == 0; }

  // Element-wise reductions across ranks, in place (every rank gets the result).
  virtual void sum(double* /*values*/, std::size_t /*count*/) const {}
  virtual void max(double* /*values*/, std::size_t /*count*/) const {}
  virtual void min(double* /*values*/, std::size_t /*count*/) const {}
  // Element-wise compensated sums (kernels/exact_sum.hpp): the same result on any rank count.
  virtual void sum(kernels::CompensatedSum* /*values*/, std::size_t /*count*/) const {}
  kernels::CompensatedSum sum(kernels::CompensatedSum value) const {
    sum(&value, 1);
    return value;
  }
  double sum(double value) const {
    sum(&value, 1);
    return value;
  }
  double max(double value) const {
    max(&value, 1);
    return value;
  }
  double min(double value) const {
    min(&value, 1);
    return value;
  }

  // Fills the ghosts of `field` (padded, this rank's block shape) that lie on faces shared with
  // another rank from that rank's boundary voxels. Collective.
  virtual void exchange_halo(kernels::Backend& /*backend*/, const kernels::GridShape& /*local*/,
                             double* /*field*/) const {}
  // Frees whatever exchange_halo allocated with `backend` (buffers reused from call to call), so
  // that nothing outlives the backend that made it. The ConductionSolver calls it when destroyed.
  virtual void release_halo_buffers(kernels::Backend& /*backend*/) const {}

  // Gathers values scattered over the ranks into one array on rank 0: this rank holds
  // values[m] for global position index[m] of an array of `global_count` entries (the positions
  // of all ranks together cover it exactly). Returns the array on rank 0, an empty one elsewhere.
  // Collective. The serial Domain places the values.
  virtual std::vector<double> gather(const std::vector<std::int64_t>& index,
                                     const std::vector<double>& values,
                                     std::size_t global_count) const {
    std::vector<double> out(global_count, 0.0);
    for (std::size_t m = 0; m < index.size(); ++m) out[std::size_t(index[m])] = values[m];
    return out;
  }

  // Makes every rank throw when any rank failed: call with ok = false on a rank that caught an
  // error, true elsewhere; returns true when all ranks were ok. Collective.
  virtual bool all_ok(bool ok) const { return ok; }
};

// The single-process domain.
inline const Domain& serial_domain() {
  static const Domain domain;
  return domain;
}

}  // namespace runaway::host
