// `runaway uq` through the built CLI on a cheap study (the 4-cell module on a coarse grid, 200 s
// simulated, about a second per case): a study killed (SIGTERM) after its first case resumes
// without running that case again and then writes its report, SALib CSV and plot; --collect
// gives the same report; --slurm writes a job array of every case; a bad study exits 2 naming
// file:line; the Dakota adapter writes the responses, or FAIL when the run fails.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/files.hpp"
#include "io/results_reader.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/scratch.hpp"

namespace {

namespace fs = std::filesystem;
using runaway::read_text;
using runaway::testing::run_cli;

// [packs] (the liquid example, and its semi-solid twin when `twins`) and [fixed]: the 4-cell
// module on a coarse grid for `end_time` seconds (8 lines with both packs), then `fixed`.
std::string packs_and_fixed(bool twins, double end_time, const std::string& fixed = "") {
  const std::string examples = std::string(RUNAWAY_SOURCE_DIR) + "/examples/";
  std::string out = "[packs]\nliquid = \"" + examples + "module_12_prismatic_liquid.toml\"\n";
  if (twins) out += "semi_solid = \"" + examples + "module_12_prismatic_semisolid.toml\"\n";
  return out + R"([fixed]
"module.cells" = [4, 1, 1]
"enclosure.size" = [0.171, 0.180, 0.132]
"mesh.voxel_size" = [0.00407142857142857, 0.008, 0.008]
"run.end_time" = )" +
         std::to_string(end_time) + "\n\"output.frame_interval\" = 100.0\n" + fixed;
}

// liquid and semi-solid twins, 3 samples each: 6 cases. `fixed`: more lines of [fixed] (from
// line 14).
std::string study(const std::string& fixed = "") {
  return "description = \"e2e\"\nsamples = 3\nseed = 5\npropagation_beyond = [0, 1]\n" +
         packs_and_fixed(true, 200.0, fixed) + R"(
[inputs.ejecta_share]
key = "chemistries.*.ejecta_heat_share"
distribution = "truncated_normal"
mean = 0.724
std = 0.122
min = 0.38
max = 0.98
source = "Battery Failure Databank"
[inputs.power]
key = "trigger.power"
distribution = "uniform"
min = 400.0
max = 800.0
source = "ASSUMED"
)";
}

bool complete(const fs::path& case_dir) {
  if (!fs::exists(case_dir / "results.h5")) return false;
  try {
    return runaway::io::ResultsReader(case_dir, true).complete();
  } catch (...) {
    return false;
  }
}

std::map<std::string, fs::file_time_type> complete_cases(const fs::path& out) {
  std::map<std::string, fs::file_time_type> done;
  if (!fs::exists(out)) return done;
  for (const auto& entry : fs::directory_iterator(out)) {
    if (entry.is_directory() && complete(entry.path())) {
      done[entry.path().filename().string()] = fs::last_write_time(entry.path() / "results.h5");
    }
  }
  return done;
}

class Uq : public ::testing::Test {
 protected:
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  const runaway::testing::ScratchDir scratch_{"runaway_test_uq", /*keep_on_failure=*/true};
  const fs::path dir_ = scratch_.path();
};

TEST_F(Uq, KilledStudyResumesWithoutRerunningFinishedCasesThenReports) {
  const fs::path file = write("study.toml", study());
  const fs::path out = dir_ / "out";
  setenv("OMP_NUM_THREADS", "1", 1);
  const pid_t pid =
      runaway::testing::spawn({RUNAWAY_CLI, "uq", file.string(), "-o", out.string(), "-j", "1"},
                              (dir_ / "first.log").string());
  ASSERT_GT(pid, 0);
  // Kill it (SIGTERM, as Slurm's time limit or Ctrl-C would) once its first case is complete.
  // The wait is a bound for a stuck study, not a speed check: a case takes seconds.
  const auto start = std::chrono::steady_clock::now();
  while (complete_cases(out).empty() &&
         std::chrono::steady_clock::now() - start < std::chrono::seconds(600)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGTERM);
  const int killed = runaway::testing::wait_for(pid);
  const std::string first = read_text(dir_ / "first.log");
  EXPECT_EQ(killed, 1) << first;
  EXPECT_NE(first.find("interrupted"), std::string::npos) << first;
  EXPECT_FALSE(fs::exists(out / "uq_summary.md")) << "no answers from an interrupted study";
  const auto finished = complete_cases(out);
  ASSERT_GE(finished.size(), 1u);
  ASSERT_LT(finished.size(), 6u) << "every case finished before the kill: make them longer";

  // The same command continues: finished cases are not run again (results.h5 untouched).
  const auto again = run_cli("uq '" + file.string() + "' -o '" + out.string() + "' -j 2");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  const std::string expected = std::to_string(6 - finished.size()) + " to run, " +
                               std::to_string(finished.size()) + " already done";
  EXPECT_NE(again.output.find(expected), std::string::npos) << again.output;
  for (const auto& [name, time] : finished) {
    EXPECT_EQ(fs::last_write_time(out / name / "results.h5"), time) << name;
  }
  EXPECT_EQ(complete_cases(out).size(), 6u);

  // The answers: report, CSV, plot, SALib files (3 samples, one row each).
  const std::string md = read_text(out / "uq_summary.md");
  EXPECT_NE(md.find("## Probability of propagation"), std::string::npos) << md;
  EXPECT_NE(md.find("| liquid | 3 | 0 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("liquid − semi_solid"), std::string::npos) << md;
  EXPECT_NE(read_text(out / "uq_summary.csv").find("Wilson 95 %"), std::string::npos);
  EXPECT_EQ(read_text(out / "convergence.svg").rfind("<svg", 0), 0u);
  EXPECT_EQ(read_text(out / "salib" / "samples.csv").rfind("ejecta_share,power\n", 0), 0u);
  const std::string outputs = read_text(out / "salib" / "outputs_semi_solid.csv");
  EXPECT_EQ(std::count(outputs.begin(), outputs.end(), '\n'), 4) << outputs;

  // --collect (after a Slurm array) gives the same report from the case folders.
  const std::string report = md;
  const auto collected = run_cli("uq --collect '" + out.string() + "'");
  ASSERT_EQ(collected.exit_code, 0) << collected.output;
  EXPECT_EQ(read_text(out / "uq_summary.md"), report);
}

TEST_F(Uq, SlurmWritesAnArrayOfEveryCaseAndBadStudiesExitTwo) {
  const fs::path file = write("study.toml", study());
  const auto slurm =
      run_cli("uq '" + file.string() + "' -o '" + (dir_ / "s").string() + "' --slurm");
  ASSERT_EQ(slurm.exit_code, 0) << slurm.output;
  const std::string script = read_text(dir_ / "s" / "batch.slurm");
  EXPECT_NE(script.find("#SBATCH --array=0-5\n"), std::string::npos) << script;
  EXPECT_NE(script.find("runaway uq --collect"), std::string::npos) << script;

  const fs::path bad = write("bad.toml", study("\"run.end_tim\" = 5.0\n"));
  const auto r = run_cli("uq '" + bad.string() + "' -o '" + (dir_ / "never").string() + "'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("bad.toml:14: run.end_tim"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "never"));
}

TEST_F(Uq, DakotaAdapterWritesResponsesOrFail) {
  const fs::path file = write("study.toml", study());
  // Dakota's standard parameters format (Dakota User's Manual, "Parameters file format").
  const std::string params = R"(                                          2 variables
                      7.000000000000000e-01 ejecta_share
                      6.000000000000000e+02 power
                                          3 functions
                                          1 ASV_1:cells_in_runaway
                                          1 ASV_2:peak_temperature_K
                                          1 ASV_3:verdict_failed:ul9540a-module
                                          2 derivative_variables
                                          1 DVV_1:ejecta_share
                                          2 DVV_2:power
                                          0 analysis_components
                                        1:1 eval_id
)";
  const fs::path in = write("params.in", params);
  const auto ok = run_cli("uq-dakota '" + in.string() + "' '" + (dir_ / "results.out").string() +
                          "' --study '" + file.string() + "' --pack semi_solid");
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  const std::string results = read_text(dir_ / "results.out");
  EXPECT_NE(results.find(" cells_in_runaway\n"), std::string::npos) << results;
  EXPECT_NE(results.find(" peak_temperature_K\n"), std::string::npos) << results;
  // The pack's [verdict]: one module, so UL 9540A's "contained by the module" passes (0).
  EXPECT_NE(results.find("\n0 verdict_failed:ul9540a-module\n"), std::string::npos) << results;
  EXPECT_TRUE(fs::exists(dir_ / "runaway_eval_1.1" / "results.h5"));

  // A run that fails (a model over its memory limit: only the run finds out) says FAIL.
  const fs::path failing = write("failing.toml", study("\"mesh.max_memory\" = 1000.0\n"));
  const auto failed =
      run_cli("uq-dakota '" + in.string() + "' '" + (dir_ / "fail.out").string() + "' --study '" +
              failing.string() + "' --work '" + (dir_ / "failed_eval").string() + "'");
  EXPECT_EQ(failed.exit_code, 0) << failed.output;
  EXPECT_EQ(read_text(dir_ / "fail.out"), "FAIL\n");
  EXPECT_NE(read_text(dir_ / "failed_eval" / "error.txt").find("max_memory"), std::string::npos);
}

TEST_F(Uq, FailedCasesAreCountedAndBoundedNotDropped) {
  // An empirical input from a CSV of two memory limits: 1 kB (only the run finds the model too
  // big, so those cases fail at run time) and 8 GB. A Latin hypercube of 4 draws each twice.
  write("limits.csv", "max_memory\n1000\n8e9\n");
  const fs::path file = write("failing.toml", "samples = 4\n" + packs_and_fixed(false, 10.0) + R"(
[inputs.max_memory]
key = "mesh.max_memory"
distribution = "empirical"
file = "limits.csv"
column = "max_memory"
source = "ASSUMED: a test of failures"
)");
  const fs::path out = dir_ / "failing";
  const auto r = run_cli("uq '" + file.string() + "' -o '" + out.string() + "' -j 2");
  EXPECT_EQ(r.exit_code, 1) << r.output;  // as runaway batch: failures make it exit 1
  EXPECT_NE(r.output.find("2 of 4 cases failed"), std::string::npos) << r.output;
  const std::string md = read_text(out / "uq_summary.md");  // written all the same
  EXPECT_NE(md.find("| liquid | 2 | 2 | 0 |"), std::string::npos) << md;
  // P(> 1 cell) over the 2 done, and the bounds the 2 failed could move it to: 0 % to 50 %.
  EXPECT_NE(md.find("| liquid | 1 | 0.0 % | [0.0 %, 65.8 %] | 2 | 0.0 % to 50.0 % |"),
            std::string::npos)
      << md;
  EXPECT_NE(read_text(out / "salib" / "outputs_liquid.csv").find("nan"), std::string::npos);
}

TEST_F(Uq, SaltelliDesignRunsNTimesDPlusTwoCasesAndReportsSobolIndices) {
  const fs::path file = write(
      "saltelli.toml", "sampling = \"saltelli\"\nsamples = 4\n" + packs_and_fixed(false, 10.0) + R"(
[inputs.power]
key = "trigger.power"
distribution = "uniform"
min = 300.0
max = 900.0
source = "ASSUMED"
[inputs.h]
key = "boundary.default.heat_transfer_coefficient"
distribution = "uniform"
min = 5.0
max = 25.0
source = "ASSUMED"
)");
  const fs::path out = dir_ / "saltelli";
  const auto r = run_cli("uq '" + file.string() + "' -o '" + out.string() + "' -j 2");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("16 cases"), std::string::npos) << r.output;  // N (d + 2) = 4 x 4
  const std::string md = read_text(out / "uq_summary.md");
  EXPECT_NE(md.find("## Sobol' indices"), std::string::npos) << md;
  EXPECT_NE(md.find("| liquid | peak_temperature_K | power |"), std::string::npos) << md;
  // SALib's row order per base sample: A, AB_1 (A with B's column 1), AB_2, B.
  std::istringstream rows(read_text(out / "salib" / "unit_samples.csv"));
  std::vector<std::vector<double>> u;
  std::string line;
  std::getline(rows, line);
  EXPECT_EQ(line, "power,h");
  while (std::getline(rows, line)) {
    const auto comma = line.find(',');
    u.push_back({std::stod(line.substr(0, comma)), std::stod(line.substr(comma + 1))});
  }
  ASSERT_EQ(u.size(), 16u);
  for (std::size_t j = 0; j < 16; j += 4) {
    EXPECT_EQ(u[j + 1][0], u[j + 3][0]);  // AB_1: B's power
    EXPECT_EQ(u[j + 1][1], u[j][1]);      //       A's h
    EXPECT_EQ(u[j + 2][0], u[j][0]);      // AB_2: A's power
    EXPECT_EQ(u[j + 2][1], u[j + 3][1]);  //       B's h
  }
}

// Every examples/uq_*.toml checks against the current examples (they break when a pack they
// edit changes), and the liquid vs semi-solid study has the documented size.
TEST(UqExamples, EveryStudyIsValid) {
  int studies = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(RUNAWAY_SOURCE_DIR) / "examples")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("uq_", 0) != 0 || entry.path().extension() != ".toml") continue;
    ++studies;
    const auto r = run_cli("uq '" + entry.path().string() + "' --dry-run");
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.output;
    if (name == "uq_liquid_vs_semisolid.toml") {
      EXPECT_NE(r.output.find("20 runs per pack x 2 packs = 40 cases"), std::string::npos)
          << r.output;
    }
  }
  EXPECT_GE(studies, 1);
}

}  // namespace
