// End to end: a small module of liquid cells propagates, and its semi-solid twin propagates
// more slowly (or not at all) with the shipped parameters; `compare` reports both.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "host/run/run_case.hpp"
#include "support/process.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;

int run_module(const std::string& example, const fs::path& out) {
  return run({RUNAWAY_CLI, "run", std::string(RUNAWAY_SOURCE_DIR) + "/examples/" + example, "-o",
              out.string(), "-q", "--set", "module.cells=[4,1,1]", "--set",
              "enclosure.size=[0.171,0.180,0.132]", "--set", "run.end_time=220"},
             out.string() + ".log");
}

TEST(RunPropagation, LiquidModulePropagatesFasterThanSemiSolidTwin) {
  const ScratchDir scratch("runaway_e2e_prop");
  const fs::path& dir = scratch.path();
  ASSERT_EQ(run_module("module_12_prismatic_liquid.toml", dir / "liquid"), 0)
      << read_text((dir / "liquid.log").string());
  ASSERT_EQ(run_module("module_12_prismatic_semisolid.toml", dir / "semisolid"), 0)
      << read_text((dir / "semisolid.log").string());
  const host::RunSummary liquid = host::summarize_results(dir / "liquid");
  const host::RunSummary semi = host::summarize_results(dir / "semisolid");

  EXPECT_EQ(liquid.cells_in_runaway, 4) << liquid.verdict;
  EXPECT_EQ(liquid.cells.front().electrolyte_class, "liquid");
  EXPECT_EQ(semi.cells.front().electrolyte_class, "semi-solid");
  EXPECT_GT(liquid.cells_per_minute, 0.0);
  EXPECT_GT(liquid.front_speed, 0.0);
  // Onsets in order along the module: the front moves away from the heated cell.
  for (std::size_t c = 1; c < liquid.cells.size(); ++c) {
    EXPECT_GT(liquid.cells[c].onset_time, liquid.cells[c - 1].onset_time);
  }
  const bool slower = semi.cells_in_runaway < liquid.cells_in_runaway ||
                      semi.last_onset - semi.first_onset > liquid.last_onset - liquid.first_onset;
  EXPECT_TRUE(slower) << "liquid: " << liquid.verdict << "; semi-solid: " << semi.verdict;

  // The comparison report names both runs and gives a verdict line for each.
  ASSERT_EQ(run({RUNAWAY_CLI, "compare", (dir / "liquid").string(), (dir / "semisolid").string(),
                 "-o", (dir / "cmp").string()},
                (dir / "compare.log").string()),
            0);
  const std::string report = read_text((dir / "cmp.md").string());
  EXPECT_NE(report.find(liquid.verdict), std::string::npos) << report;
  EXPECT_NE(report.find(semi.verdict), std::string::npos) << report;
  EXPECT_NE(read_text((dir / "cmp.csv").string()).find("cells_per_minute"), std::string::npos);
  // A directory that is not a result is a clear error.
  EXPECT_EQ(run({RUNAWAY_CLI, "compare", dir.string()}, (dir / "bad.log").string()), 2)
      << read_text((dir / "bad.log").string());
}

}  // namespace
}  // namespace runaway::testing
