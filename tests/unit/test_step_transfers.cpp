// The step loop moves no field between host and device: only per-cell scalars (docs/design.md §6,
// issue 8). The OpenMP backend counts the bytes its copies would move on a GPU.
#include <gtest/gtest.h>

#include "host/chemistry/chemistry_library.hpp"
#include "support/simulation_problems.hpp"

namespace runaway::testing {
namespace {

TEST(StepTransfers, AStepMovesOnlyPerCellScalars) {
  auto backend = kernels::make_openmp_backend();
  SimulationInput in = jelly_block(host::find_chemistry("nrel-lco"), 8, true);
  in.conduction.initial_temperature = 430;
  in.control.end_time = 100;
  host::Simulation sim(*backend, in);
  const kernels::TransferCounters before = backend->transfers();
  const int steps = 20;
  for (int n = 0; n < steps; ++n) sim.step();
  const kernels::TransferCounters after = backend->transfers();
  const double field_bytes = double(sim.conduction().shape().padded_size()) * sizeof(double);
  const double per_step = double(after.host_to_device - before.host_to_device +
                                 after.device_to_host - before.device_to_host) /
                          steps;
  // One cell: its source, vent flag and vent flow up, its statistics (eleven compensated sums,
  // three extremes), its five heat pathways (compensated sums) and the failure flag down.
  EXPECT_LE(per_step, 320.0) << "bytes per step";
  EXPECT_LT(per_step, 0.02 * field_bytes);  // an 8^3 grid: a field is 22 kB
  EXPECT_GT(per_step, 0.0);                 // the counters do count
  // Reading a field for output is what moves a field, and it is counted too.
  const auto t = sim.temperature_field();
  EXPECT_GE(double(backend->transfers().device_to_host - after.device_to_host), field_bytes);
}

}  // namespace
}  // namespace runaway::testing
