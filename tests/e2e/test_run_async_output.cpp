// Output on its own thread, end to end: a run writing through the output thread produces the
// same results.h5 content, bit for bit, as the same run writing in the time loop; and a disk
// that fills during a run (a file-size limit stands in for it) still ends the CLI run with exit
// code 1, the writer's message and a readable file that is not complete.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "host/run/run_case.hpp"
#include "io/results_reader.hpp"
#include "support/process.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;

const std::string kModule =
    std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml";

// The 12-cell example cut to 4 cells (about 125 000 voxels), a frame every 5 s.
std::vector<std::string> small_module(double end_time) {
  return {"module.cells=[4,1,1]", "enclosure.size=[0.171,0.180,0.132]",
          "run.end_time=" + std::to_string(end_time), "output.frame_interval=5"};
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {  // NaN-safe
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

TEST(RunAsyncOutput, ResultsEqualThoseWrittenInTheTimeLoopBitForBit) {
  const ScratchDir scratch("runaway_e2e_async_output");
  const fs::path& dir = scratch.path();
  host::RunOptions options;
  options.config_path = kModule;
  options.overrides = small_module(85);  // cell 0 runs away near 77 s: events and their frames
  options.checkpoint_interval = 0;
  options.show_progress = false;
  options.print_summary = false;
  options.output_dir = dir / "thread";
  options.async_output = true;
  host::run_case(options);
  options.output_dir = dir / "inline";
  options.async_output = false;
  host::run_case(options);

  const io::ResultsReader a(dir / "thread");
  const io::ResultsReader b(dir / "inline");
  EXPECT_TRUE(a.complete());
  ASSERT_EQ(a.frame_times(), b.frame_times());
  ASSERT_GE(a.frame_count(), 17u);
  for (std::size_t f = 0; f < a.frame_count(); ++f) {
    for (const char* field : {"temperature", "heat_release_rate", "arrival_time"}) {
      EXPECT_TRUE(same_bits(a.read_field(field, f), b.read_field(field, f)))
          << field << " frame " << f;
    }
  }
  const io::CellSeries sa = a.cell_series(), sb = b.cell_series();
  EXPECT_EQ(sa.time, sb.time);
  EXPECT_TRUE(same_bits(sa.mean_temperature, sb.mean_temperature));
  EXPECT_TRUE(same_bits(sa.max_temperature, sb.max_temperature));
  EXPECT_TRUE(same_bits(sa.heat_released, sb.heat_released));
  EXPECT_EQ(sa.state, sb.state);
  const std::vector<io::Event> ea = a.events(), eb = b.events();
  ASSERT_EQ(ea.size(), eb.size());
  EXPECT_FALSE(ea.empty());
  for (std::size_t e = 0; e < ea.size(); ++e) {
    EXPECT_EQ(ea[e].cell, eb[e].cell);
    EXPECT_EQ(ea[e].kind, eb[e].kind);
    EXPECT_EQ(ea[e].time, eb[e].time);
    EXPECT_EQ(ea[e].temperature, eb[e].temperature);
  }
}

// Runs the CLI under a file-size limit of `bytes`, output to `log`; returns its exit code.
int run_with_file_size_limit(const std::vector<std::string>& args, const std::string& log,
                             rlim_t bytes) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // stays ignored across exec: writes fail with EFBIG instead
    const rlimit limit{bytes, bytes};
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(100);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(101);
  }
  return wait_for(pid);
}

TEST(RunAsyncOutput, FullDiskEndsTheRunWithExitCode1AndAnIncompleteFile) {
  const ScratchDir scratch("runaway_e2e_async_full_disk");
  const fs::path& dir = scratch.path();
  std::vector<std::string> args = {
      RUNAWAY_CLI, "run", kModule, "-o", (dir / "run").string(), "-q", "--checkpoint-interval",
      "0"};
  for (const std::string& o : small_module(60)) {
    args.push_back("--set");
    args.push_back(o);
  }
  // A frame is about 3 MB before compression; 6 MiB lets the first few frames through.
  const std::string log = (dir / "run.log").string();
  EXPECT_EQ(run_with_file_size_limit(args, log, rlim_t(6) << 20), 1) << read_text(log);
  const std::string message = read_text(log);
  EXPECT_NE(message.find("not enough disk space to write frame"), std::string::npos) << message;
  EXPECT_THROW(io::ResultsReader{dir / "run"}, runaway::Error);  // never reported complete
  const io::ResultsReader partial(dir / "run", /*allow_incomplete=*/true);
  EXPECT_FALSE(partial.complete());
  EXPECT_GE(partial.frame_count(), 1u);
}

}  // namespace
}  // namespace runaway::testing
