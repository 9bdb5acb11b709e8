// `runaway run` split over the ranks, as `mpirun -np N runaway run` does it: run_case with the
// MPI build's partitioner, progress line and run summary on. Rank 0's progress line carries the
// pack's highest temperature, a reduction over the ranks, so every rank has to take part whenever
// rank 0 prints. When only rank 0 did, the ranks' collectives paired up wrongly from the first
// step on (seen: MPI_ERR_TRUNCATE in the 12-cell example on 2 ranks). The split run must also
// give what the same run gives in one process, also when it checkpoints at every step.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "common/error.hpp"
#include "host/run/run_case.hpp"
#include "mpi/support/shared_temp_dir.hpp"
#include "parallel/run_partition.hpp"

namespace runaway::testing {
namespace {

constexpr double kRelativeTolerance = 1e-12;  // as tests/mpi/test_mpi_simulation.cpp

// The 12-cell liquid module for its first 60 s: the heater warms cell 0 by about 35 K.
host::RunOptions module_run(const std::filesystem::path& output) {
  host::RunOptions options;
  options.config_path =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml";
  options.overrides = {"run.end_time=60", "output.frame_interval=20"};
  options.output_dir = output;
  options.overwrite = true;
  options.show_progress = true;  // what went wrong: rank 0's line takes a reduction
  options.print_summary = true;
  options.share_busy_cores = false;
  return options;
}

bool agree(double a, double b) {
  return std::abs(a - b) <= kRelativeTolerance * std::max(std::abs(a), std::abs(b));
}

TEST(MpiRun, SplitRunWithProgressLineAndCheckpointsGivesTheSingleProcessResult) {
  const SharedTempDir dir("runaway-mpi-run");
  host::RunSummary single;
  if (world_rank() == 0) single = host::run_case(module_run(dir.path() / "single"));
  MPI_Barrier(MPI_COMM_WORLD);

  host::RunOptions options = module_run(dir.path() / "split");
  const parallel::MpiPartitioner partitioner;
  options.partitioner = &partitioner;
  // A checkpoint after every step (the interval is always past): the reduction's other decision,
  // and a snapshot gathered from every rank, must not change the run either.
  options.checkpoint_interval = 1e-9;
  const host::RunSummary split = host::run_case(options);
  if (world_rank() != 0) return;

  EXPECT_DOUBLE_EQ(split.end_time, 60.0);
  ASSERT_EQ(split.cells.size(), single.cells.size());
  EXPECT_GT(single.peak_temperature, 320.0) << "the heater should have warmed cell 0";
  EXPECT_TRUE(agree(split.peak_temperature, single.peak_temperature))
      << split.peak_temperature << " vs " << single.peak_temperature;
  EXPECT_TRUE(agree(split.total_heat_released, single.total_heat_released))
      << split.total_heat_released << " vs " << single.total_heat_released;
  for (std::size_t c = 0; c < single.cells.size(); ++c) {
    EXPECT_TRUE(agree(split.cells[c].peak_temperature, single.cells[c].peak_temperature))
        << single.cells[c].name << ": " << split.cells[c].peak_temperature << " vs "
        << single.cells[c].peak_temperature;
  }
}

// Rank 0 writes the checkpoint. When it cannot, every rank must stop with its error; before, rank 0
// alone threw and the others waited for it in the next step's reduction, for ever. (On one rank
// the run is not split: the output thread's failure comes back at the next output call.)
TEST(MpiRun, ACheckpointRankZeroCannotWriteStopsEveryRankWithItsError) {
  const SharedTempDir dir("runaway-mpi-run-checkpoint");
  const std::filesystem::path output = dir.path() / "split";
  // The checkpoint's temporary file is taken by a directory: HDF5 cannot create it.
  if (world_rank() == 0) std::filesystem::create_directories(output / "checkpoint.h5.tmp" / "in");
  MPI_Barrier(MPI_COMM_WORLD);

  host::RunOptions options = module_run(output);
  const parallel::MpiPartitioner partitioner;
  options.partitioner = &partitioner;
  options.checkpoint_interval = 1e-9;
  options.show_progress = false;
  options.print_summary = false;
  std::string message;
  try {
    host::run_case(options);
  } catch (const runaway::Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("cannot write checkpoint"), std::string::npos) << message;
  if (world_rank() != 0) {
    EXPECT_NE(message.find("on MPI rank 0"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace runaway::testing
