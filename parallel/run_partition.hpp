// Splitting `runaway run` over the ranks mpirun started (docs/design.md §9.2): MpiPartitioner
// fills the seam host/ owns (host::Partitioner, host/solver/partitioner.hpp); the MPI build's main
// hands one to the commands that run cases (host::RunOptions::partitioner).
#pragma once

#include <mpi.h>

#include "host/solver/partitioner.hpp"

namespace runaway::parallel {

// One rank: the run unsplit (null domain). Several: an MpiDomain over MPI_COMM_WORLD, this rank's
// block of the input (local_input) and its placement in the single grid, so checkpoints keep the
// single grid's layout and restart on any rank count. Throws runaway::bad_input on every rank
// when the rank count does not fit the grid. Collective.
host::RunPartition partition_run(const host::SimulationInput& global);
// The same over the ranks of `comm` (tests restart a run on part of MPI_COMM_WORLD).
host::RunPartition partition_run(const host::SimulationInput& global, MPI_Comm comm);

// partition_run over MPI_COMM_WORLD, as a host::Partitioner.
class MpiPartitioner final : public host::Partitioner {
 public:
  host::RunPartition partition(const host::SimulationInput& global) const override {
    return partition_run(global);
  }
  int processes() const override {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
  }
};

}  // namespace runaway::parallel
