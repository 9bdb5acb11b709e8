#include "parallel/run_partition.hpp"

#include <mpi.h>

#include <memory>
#include <utility>

#include "parallel/mpi_domain.hpp"
#include "parallel/partition.hpp"

namespace runaway::parallel {

host::RunPartition partition_run(const host::SimulationInput& global) {
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  host::RunPartition part;
  if (ranks == 1) {
    part.input = global;
    return part;
  }
  auto domain = std::make_unique<MpiDomain>(global.conduction.shape, MPI_COMM_WORLD);
  part.input = local_input(global, domain->block(), domain->neighbours());
  host::Placement& p = part.input.placement;
  p.global_shape = global.conduction.shape;
  p.block = domain->block();
  p.active_position = host::active_positions(global, p.block, &p.global_active_count);
  part.domain = std::move(domain);
  return part;
}

}  // namespace runaway::parallel
