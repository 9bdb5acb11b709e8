// `runaway check` through the built CLI: every file in examples/ must pass (exit 0), bad input
// must exit 2 with a message naming file, line and key, and --set must reach the config.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.hpp"
#include "support/scratch.hpp"

namespace {

namespace fs = std::filesystem;

using Result = runaway::testing::CommandResult;  // stdout and stderr together in output
using runaway::testing::run_cli;

std::vector<fs::path> example_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(fs::path(RUNAWAY_SOURCE_DIR) / "examples")) {
    // Sweep and study files are not pack configs; test_batch and test_uq check them with
    // `batch --dry-run` and `uq --dry-run`.
    const std::string name = entry.path().filename().string();
    const bool sweep = name.rfind("sweep_", 0) == 0 || name.rfind("uq_", 0) == 0;
    if (entry.path().extension() == ".toml" && !sweep) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ExamplesCheck, EveryExamplePasses) {
  const std::vector<fs::path> files = example_files();
  ASSERT_GE(files.size(), 7u);
  for (const fs::path& file : files) {
    const Result r = run_cli("check '" + file.string() + "'");
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.output;
    EXPECT_NE(r.output.find("valid"), std::string::npos) << file << "\n" << r.output;
  }
}

TEST(ExamplesCheck, SetOverridesAKey) {
  const std::string file =
      (fs::path(RUNAWAY_SOURCE_DIR) / "examples" / "module_12_prismatic_liquid.toml").string();
  const Result r = run_cli("check '" + file + "' --set module.soc=0.5 --set run.end_time=60");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1.095 kWh"), std::string::npos) << r.output;  // half of 2.19 kWh
}

TEST(ExamplesCheck, BadInputExitsTwoNamingFileLineAndKey) {
  const runaway::testing::ScratchDir scratch("runaway_test_examples_check");
  const fs::path& dir = scratch.path();
  const fs::path file = dir / "bad.toml";
  std::ofstream(file) << "include = \"" << RUNAWAY_SOURCE_DIR
                      << "/examples/module_12_prismatic_liquid.toml\"\n[module]\ngapp = 0.003\n";
  const Result r = run_cli("check '" + file.string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.toml:3: module.gapp"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("did you mean 'gap'?"), std::string::npos) << r.output;

  const std::string example =
      (fs::path(RUNAWAY_SOURCE_DIR) / "examples" / "module_12_prismatic_liquid.toml").string();
  const Result negative = run_cli("check '" + example + "' --set module.gap=-0.001");
  EXPECT_EQ(negative.exit_code, 2) << negative.output;
  EXPECT_NE(negative.output.find("module.gap"), std::string::npos) << negative.output;
}

}  // namespace
