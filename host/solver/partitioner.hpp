// How a run is split over processes (docs/design.md §9.2): the seam host/ owns and parallel/ fills.
// run_case asks the Partitioner it is given (RunOptions::partitioner) for this process's Domain
// and block of the input; parallel::MpiPartitioner splits a run started by mpirun over its ranks.
// Without a partitioner, or with one rank, the run is not split: the serial Domain, whole grid.
#pragma once

#include <memory>

#include "host/solver/domain.hpp"
#include "host/solver/simulation.hpp"

namespace runaway::host {

// This process's part of a run: its Domain (null when the run is not split) and its block of
// the run's input, with its Placement in the single grid.
struct RunPartition {
  std::unique_ptr<Domain> domain;
  SimulationInput input;
};

class Partitioner {
 public:
  virtual ~Partitioner() = default;
  // This process's part of the run whose whole input is `global`. Collective over the processes
  // the partitioner splits over.
  virtual RunPartition partition(const SimulationInput& global) const = 0;
  // How many processes a run is split over.
  virtual int processes() const { return 1; }
};

}  // namespace runaway::host
