// Checkpoint and restart through the CLI: a run stopped by SIGINT and continued with --restart
// ends with the same fields, bit for bit, as an uninterrupted run (OpenMP backend); a run killed
// outright leaves a results file that readers report as incomplete.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "common/error.hpp"
#include "io/results_reader.hpp"
#include "support/process.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;

// The 12-cell example cut to 4 cells: about a hundred thousand voxels.
std::vector<std::string> small_module(const std::string& out, double end_time) {
  return {RUNAWAY_CLI,
          "run",
          std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml",
          "-o",
          out,
          "-q",
          "--checkpoint-interval",
          "0",
          "--set",
          "module.cells=[4,1,1]",
          "--set",
          "enclosure.size=[0.171,0.180,0.132]",
          "--set",
          "run.end_time=" + std::to_string(end_time),
          "--set",
          "output.frame_interval=5"};
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(RunRestart, InterruptedAndRestartedRunEqualsUninterruptedBitForBit) {
  const ScratchDir scratch("runaway_e2e_restart");
  const fs::path& dir = scratch.path();
  const double end = 100;  // heater-driven onset of cell 0 near 77 s lies inside
  ASSERT_EQ(run(small_module((dir / "whole").string(), end), (dir / "whole.log").string()), 0)
      << read_text((dir / "whole.log").string());

  const pid_t pid =
      spawn(small_module((dir / "split").string(), end), (dir / "split.log").string());
  ASSERT_GT(pid, 0);
  // Interrupt it once its fifth frame (20 s of 100) is listed, whatever the machine's speed: a
  // fixed sleep let a fast run finish first (3.0 s here for the whole run) and skip the test.
  int ended = 0;
  ASSERT_TRUE(wait_while_running(
      pid,
      [&] {
        return read_text(dir / "split" / "results.xdmf").find("frame_4") != std::string::npos;
      },
      &ended))
      << "the run ended (" << ended
      << ") before its fifth frame: " << read_text((dir / "split.log").string());
  kill(pid, SIGINT);
  const int stopped = wait_for(pid);
  const std::string log = read_text((dir / "split.log").string());
  ASSERT_EQ(stopped, 1) << "1: stopped by the signal, 0: finished before it\n" << log;
  EXPECT_NE(log.find("--restart"), std::string::npos) << log;  // says how to continue
  const fs::path checkpoint = dir / "split" / "checkpoint.h5";
  ASSERT_TRUE(fs::exists(checkpoint)) << log;
  EXPECT_THROW(io::ResultsReader{dir / "split"}, runaway::Error);  // incomplete until finished

  ASSERT_EQ(run({RUNAWAY_CLI, "run", "--restart", checkpoint.string(), "-q"},
                (dir / "restart.log").string()),
            0)
      << read_text((dir / "restart.log").string());

  const io::ResultsReader whole(dir / "whole");
  const io::ResultsReader split(dir / "split");
  ASSERT_EQ(whole.frame_times(), split.frame_times());
  const std::size_t last = whole.frame_count() - 1;
  for (const char* field : {"temperature", "arrival_time", "heat_release_rate"}) {
    EXPECT_TRUE(same_bits(whole.read_field(field, last), split.read_field(field, last))) << field;
  }
  EXPECT_EQ(whole.events().size(), split.events().size());
  EXPECT_EQ(whole.cell_series().time, split.cell_series().time);
  EXPECT_EQ(whole.cell_series().max_temperature, split.cell_series().max_temperature);
}

TEST(RunRestart, KilledRunLeavesAnIncompleteFile) {
  const ScratchDir scratch("runaway_e2e_killed");
  const fs::path& dir = scratch.path();
  const pid_t pid = spawn(small_module((dir / "run").string(), 200), (dir / "run.log").string());
  ASSERT_GT(pid, 0);
  // Killed once its second frame is listed (5 s of 200): a fixed sleep failed whenever the run
  // finished first (5.8 s here for the whole run).
  int ended = 0;
  ASSERT_TRUE(wait_while_running(
      pid,
      [&] { return read_text(dir / "run" / "results.xdmf").find("frame_1") != std::string::npos; },
      &ended))
      << "the run ended (" << ended
      << ") before its second frame: " << read_text((dir / "run.log").string());
  kill(pid, SIGKILL);
  EXPECT_EQ(wait_for(pid), 128 + SIGKILL);
  // Either the reader refuses it as incomplete, or (allowed) it opens flagged incomplete.
  EXPECT_THROW(io::ResultsReader{dir / "run"}, runaway::Error);
  try {
    const io::ResultsReader partial(dir / "run", true);
    EXPECT_FALSE(partial.complete());
  } catch (const runaway::Error&) {
    // killed before the file had a readable layout: still never reported complete
  }
}

TEST(RunRestart, ExistingResultsAreNotOverwritten) {
  const ScratchDir scratch("runaway_e2e_overwrite");
  const fs::path& dir = scratch.path();
  auto args = small_module((dir / "run").string(), 2);
  ASSERT_EQ(run(args, (dir / "a.log").string()), 0) << read_text((dir / "a.log").string());
  const auto before = fs::last_write_time(dir / "run" / "results.h5");
  EXPECT_EQ(run(args, (dir / "b.log").string()), 2);  // bad input: the directory holds results
  EXPECT_EQ(fs::last_write_time(dir / "run" / "results.h5"), before);
  args.push_back("--overwrite");
  EXPECT_EQ(run(args, (dir / "c.log").string()), 0) << read_text((dir / "c.log").string());
  EXPECT_TRUE(io::ResultsReader(dir / "run").complete());
}

}  // namespace
}  // namespace runaway::testing
