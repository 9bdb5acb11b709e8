// `runaway demo` through the built CLI, its examples folder pointed (RUNAWAY_EXAMPLES_DIR) at
// cheap stand-ins for the two twins: the 12-cell example cut to three cells on a coarse grid,
// heated too weakly to run away, so that the runs stay small. The twins run side by side
// as two `runaway run` processes; each result is the one `runaway run` gives for the same config
// and end time; with one usable core they run in turn; a folder that holds results is refused
// before either twin starts; a twin that fails is named with its error's file, line and key, and
// the other twin's results are kept.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "common/files.hpp"
#include "host/batch/batch.hpp"
#include "host/batch/process_pool.hpp"
#include "host/run/run_case.hpp"
#include "io/files.hpp"
#include "support/cli.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTwins[] = {"module_12_prismatic_liquid", "module_12_prismatic_semisolid"};

// A twin's stand-in: the shipped example, cut down; `extra` is appended (TOML).
void write_stand_in(const fs::path& examples, const std::string& twin,
                    const std::string& extra = "") {
  io::write_file_atomically(examples / (twin + ".toml"), "include = [\"" +
                                                             std::string(RUNAWAY_SOURCE_DIR) +
                                                             "/examples/" + twin + ".toml\"]\n" +
                                                             R"([mesh]
voxel_size = [0.00407142857142857, 0.008, 0.008]
[enclosure]
size = [0.1425, 0.180, 0.132]
[module]
cells = [3, 1, 1]
[[trigger]]
type = "heater"
cell = 0
face = "-y"
power = 20.0
start_time = 0.0
duration = 600.0
)" + extra);
}

// `runaway demo` into `output`, its command line after `prefix` (e.g. "taskset -c 0 ").
CommandResult run_demo(const fs::path& examples, const fs::path& output,
                       const std::string& prefix = "") {
  return run_shell("RUNAWAY_EXAMPLES_DIR='" + examples.string() + "' " + prefix + "'" +
                   RUNAWAY_CLI + "' demo -q -o '" + output.string() + "'");
}

TEST(DemoCommand, RunsBothTwinsSideBySideAndEachEqualsItsOwnRun) {
  if (host::usable_cores() < 2 || !host::visible_gpus().empty()) {
    GTEST_SKIP() << "side by side needs two usable cores and no GPU; with one core the twins run "
                    "in turn (OneUsableCoreRunsTheTwinsInTurn)";
  }
  const ScratchDir scratch("runaway_e2e_demo");
  const fs::path examples = scratch / "examples";
  fs::create_directories(examples);
  for (const char* twin : kTwins) write_stand_in(examples, twin);

  const CommandResult demo = run_demo(examples, scratch / "demo");
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  for (const char* twin : kTwins) {
    // Started as a child process, its progress going to its own log.
    const std::string started = "(its progress: " + (scratch / "demo" / twin / "run.log").string();
    EXPECT_NE(demo.output.find(started), std::string::npos) << demo.output;
    // Its own log: the child process's summary, at the demo's end time.
    const std::string log = read_text(scratch / "demo" / twin / "run.log");
    EXPECT_NE(log.find("simulated 420 s"), std::string::npos) << log;
  }
  EXPECT_TRUE(fs::exists(scratch / "demo" / "report.html"));
  const std::string compared = read_text(scratch / "demo" / "compare.md");
  EXPECT_NE(compared.find("| liquid | semi-solid |"), std::string::npos) << compared;

  // The same config run on its own, in this process's way: the same heat and temperatures
  // (checked to 1e-9, though sums do not depend on the number of threads).
  for (const char* twin : kTwins) {
    const fs::path own = scratch / (std::string(twin) + "_own");
    const CommandResult run = run_cli("run -q '" + (examples / twin).string() +
                                      ".toml' --set run.end_time=420 -o '" + own.string() + "'");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const host::RunSummary side = host::summarize_results(scratch / "demo" / twin);
    const host::RunSummary alone = host::summarize_results(own);
    EXPECT_EQ(side.end_time, 420);
    EXPECT_GT(side.peak_temperature, 300);  // the heater warmed cell 0
    EXPECT_NEAR(side.peak_temperature, alone.peak_temperature, 1e-9 * alone.peak_temperature);
    ASSERT_EQ(side.cells.size(), alone.cells.size());
    EXPECT_EQ(side.cells_in_runaway, alone.cells_in_runaway);
  }
}

// Given one core (its affinity mask, as Slurm or taskset grant it, not the machine's cores), the
// demo runs the twins one after the other in its own process, with the same results.
TEST(DemoCommand, OneUsableCoreRunsTheTwinsInTurn) {
  if (find_program("taskset").empty()) GTEST_SKIP() << "no taskset to narrow the affinity mask";
  const ScratchDir scratch("runaway_e2e_demo_one_core");
  const fs::path examples = scratch / "examples";
  fs::create_directories(examples);
  for (const char* twin : kTwins) write_stand_in(examples, twin);

  const CommandResult demo = run_demo(examples, scratch / "demo", "taskset -c 0 ");
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  for (const char* twin : kTwins) {
    EXPECT_EQ(demo.output.find("(its progress: "), std::string::npos) << demo.output;
    EXPECT_FALSE(fs::exists(scratch / "demo" / twin / "run.log"));
    EXPECT_EQ(host::summarize_results(scratch / "demo" / twin).end_time, 420);
  }
  EXPECT_TRUE(fs::exists(scratch / "demo" / "compare.md"));
}

TEST(DemoCommand, RefusesAFolderHoldingResultsBeforeEitherTwinStarts) {
  const ScratchDir scratch("runaway_e2e_demo_refused");
  const fs::path examples = scratch / "examples";
  fs::create_directories(examples);
  for (const char* twin : kTwins) write_stand_in(examples, twin);
  const fs::path taken = scratch / "demo" / kTwins[1];
  fs::create_directories(taken);
  io::write_file_atomically(taken / "notes.txt", "an earlier study\n");

  const CommandResult demo = run_demo(examples, scratch / "demo");
  EXPECT_NE(demo.exit_code, 0);
  EXPECT_NE(demo.output.find(taken.string()), std::string::npos) << demo.output;
  EXPECT_NE(demo.output.find("--overwrite"), std::string::npos) << demo.output;
  EXPECT_FALSE(fs::exists(scratch / "demo" / kTwins[0] / "results.h5"));
  EXPECT_EQ(read_text(taken / "notes.txt"), "an earlier study\n");
}

TEST(DemoCommand, AFailedTwinIsNamedWithItsErrorAndTheOtherKeepsItsResults) {
  const ScratchDir scratch("runaway_e2e_demo_failed");
  const fs::path examples = scratch / "examples";
  fs::create_directories(examples);
  write_stand_in(examples, kTwins[0]);
  write_stand_in(examples, kTwins[1], "[run]\ndt_max = -1.0\n");  // line 16 of the stand-in

  const CommandResult demo = run_demo(examples, scratch / "demo");
  EXPECT_NE(demo.exit_code, 0);
  EXPECT_NE(demo.output.find(std::string(kTwins[1]) + ": "), std::string::npos) << demo.output;
  EXPECT_NE(demo.output.find(std::string(kTwins[1]) + ".toml:16"), std::string::npos)
      << demo.output;
  EXPECT_NE(demo.output.find("dt_max"), std::string::npos) << demo.output;
  // Nothing of the comparison claims to be complete ...
  EXPECT_FALSE(fs::exists(scratch / "demo" / "compare.md"));
  EXPECT_FALSE(fs::exists(scratch / "demo" / "report.html"));
  // ... and the twin that ran keeps its finished results.
  const host::RunSummary liquid = host::summarize_results(scratch / "demo" / kTwins[0]);
  EXPECT_EQ(liquid.end_time, 420);
}

}  // namespace
}  // namespace runaway::testing
