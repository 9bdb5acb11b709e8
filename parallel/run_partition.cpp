#include "parallel/run_partition.hpp"

#include <memory>
#include <utility>

#include "parallel/mpi_domain.hpp"
#include "parallel/partition.hpp"

namespace runaway::parallel {

host::RunPartition partition_run(const host::SimulationInput& global) {
  return partition_run(global, MPI_COMM_WORLD);
}

host::RunPartition partition_run(const host::SimulationInput& global, MPI_Comm comm) {
  host::validate(global);  // blocks are checked only for what a block can hold
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  host::RunPartition part;
  if (ranks == 1) {
    part.input = global;
    return part;
  }
  auto domain = std::make_unique<MpiDomain>(global.conduction.shape, comm);
  part.input = local_input(global, domain->block(), domain->neighbours());
  host::Placement& p = part.input.placement;
  p.global_shape = global.conduction.shape;
  p.block = domain->block();
  p.active_position = host::active_positions(global, p.block, &p.global_active_count);
  part.domain = std::move(domain);
  return part;
}

}  // namespace runaway::parallel
