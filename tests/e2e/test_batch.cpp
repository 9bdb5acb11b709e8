// `runaway batch` through the built CLI on the 12-cell example made cheap (10 s simulated on a
// coarse grid, about a second per case): every case gets a row; a re-run skips finished cases;
// a case failing at run time is recorded while the others finish; each summary row (CSV and
// HDF5) equals summarize_results() of that case's results.h5; bad sweeps exit 2 before any case
// directory exists; --slurm writes a job array of the right size whose tasks, run here by hand,
// give the same summary through --collect.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/files.hpp"
#include "common/text.hpp"
#include "host/batch/case_files.hpp"
#include "host/run/run_case.hpp"
#include "io/model.hpp"
#include "io/summary_table.hpp"
#include "support/cli.hpp"
#include "support/scratch.hpp"

namespace {

namespace fs = std::filesystem;

using Result = runaway::testing::CommandResult;  // stdout and stderr together in output
using runaway::read_text;
using runaway::shell_quoted;
using runaway::testing::libgomp_reports;
using runaway::testing::place_count;
using runaway::testing::run_cli;
using runaway::testing::run_shell;  // a shell command line, stdout and stderr together

// A CSV file as rows of named fields (RFC 4180 quoting).
std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  const std::string text = read_text(path);
  std::vector<std::vector<std::string>> lines(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      lines.back().push_back(field);
      field.clear();
    } else if (c == '\n') {
      lines.back().push_back(field);
      field.clear();
      lines.emplace_back();
    } else {
      field += c;
    }
  }
  if (lines.back().empty()) lines.pop_back();
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t r = 1; r < lines.size(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < lines[0].size() && c < lines[r].size(); ++c) {
      row[lines[0][c]] = lines[r][c];
    }
    rows.push_back(row);
  }
  return rows;
}

// A CSV number: empty means NaN.
double number(const std::string& field) {
  return field.empty() ? NAN : std::stod(field);
}

void expect_same(double csv, double hdf5, const std::string& what) {
  if (std::isnan(hdf5)) {
    EXPECT_TRUE(std::isnan(csv)) << what;
  } else {
    EXPECT_EQ(csv, hdf5) << what;  // the CSV holds the shortest exact text of each double
  }
}

// A fresh directory for one test, with a sweep file over the cheap 12-cell module.
class Batch : public ::testing::Test {
 protected:
  // Writes a sweep on the 12-cell liquid example, 10 s on a 4 x 8 x 8 mm grid, plus `body`
  // (and `fixed`, more lines of [fixed]).
  fs::path sweep(const std::string& name, const std::string& body,
                 const std::string& fixed = "") const {
    fs::path file = dir_ / name;
    std::ofstream(file) << "base = \"" << RUNAWAY_SOURCE_DIR
                        << "/examples/module_12_prismatic_liquid.toml\"\n"
                        << body << R"(
[fixed]
"run.end_time" = 10.0
"mesh.voxel_size" = [0.00407142857142857, 0.008, 0.008]
"output.frame_interval" = 5.0
)" << fixed;
    return file;
  }

  // Three cases, zipped; the third asks for a 1 kB model, which only the run finds too small.
  fs::path sweep_with_failure() const {
    return sweep("sweep.toml", R"(
mode = "zip"
[parameters]
"trigger.power" = [500.0, 800.0, 500.0]
"mesh.max_memory" = [8e9, 8e9, 1000.0]
)");
  }

  // Kept when the test fails, to look at.
  const runaway::testing::ScratchDir scratch_{"runaway_test_batch", /*keep_on_failure=*/true};
  const fs::path dir_ = scratch_.path();
};

fs::path case_dir(const fs::path& batch, const std::string& directory) {
  return batch / directory;
}

// Every row of DIR/summary.csv and DIR/summary.h5 against summarize_results() of its case.
void expect_rows_equal_their_results(const fs::path& out) {
  const auto rows = read_csv(out / "summary.csv");
  const runaway::io::Table h5 = runaway::io::read_summary_table(out / "summary.h5");
  ASSERT_EQ(h5.row_count(), rows.size());
  auto h5_number = [&](const std::string& column, std::size_t row) {
    const runaway::io::Column* c = h5.find(column);
    EXPECT_NE(c, nullptr) << column;
    return c ? std::get<std::vector<double>>(c->values)[row] : NAN;
  };
  auto h5_text = [&](const std::string& column, std::size_t row) {
    const runaway::io::Column* c = h5.find(column);
    EXPECT_NE(c, nullptr) << column;
    return c ? std::get<std::vector<std::string>>(c->values)[row] : std::string();
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    EXPECT_EQ(h5_text("directory", i), row.at("directory"));
    EXPECT_EQ(h5_text("status", i), row.at("status"));
    EXPECT_EQ(h5_text("error", i), row.at("error"));
    if (row.at("status") != "done") continue;
    const runaway::host::RunSummary s =
        runaway::host::summarize_results(case_dir(out, row.at("directory")));
    const std::string what = row.at("directory");
    EXPECT_EQ(row.at("verdict"), s.verdict) << what;
    EXPECT_EQ(h5_text("verdict", i), s.verdict) << what;
    const std::map<std::string, double> expected{{"cells", double(s.cells.size())},
                                                 {"cells_in_runaway", double(s.cells_in_runaway)},
                                                 {"first_onset_s", s.first_onset},
                                                 {"last_onset_s", s.last_onset},
                                                 {"cells_per_minute", s.cells_per_minute},
                                                 {"front_speed_m_per_s", s.front_speed},
                                                 {"peak_temperature_K", s.peak_temperature},
                                                 {"heat_released_J", s.total_heat_released},
                                                 {"end_time_s", s.end_time},
                                                 {"wall_time_s", s.wall_time}};
    for (const auto& [column, value] : expected) {
      std::string label = what;
      label += " " + column;
      expect_same(number(row.at(column)), value, label + " (csv)");
      expect_same(h5_number(column, i), value, label + " (h5)");
    }
    EXPECT_EQ(row.at("propagation_stopped"), s.propagation_stopped ? "true" : "false") << what;
    EXPECT_EQ(row.at("stopped_before"), s.stopped_before) << what;
  }
}

TEST_F(Batch, RunsEveryCaseRecordsTheFailureAndSkipsFinishedCasesOnRerun) {
  const fs::path file = sweep_with_failure();
  const fs::path out = dir_ / "out";
  const Result first = run_cli("batch '" + file.string() + "' -o '" + out.string() + "' -j 2");
  // A failed case makes the batch exit 1, after the others finished and the summary is written.
  EXPECT_EQ(first.exit_code, 1) << first.output;
  EXPECT_NE(first.output.find("1 of 3 cases failed"), std::string::npos) << first.output;

  const auto rows = read_csv(out / "summary.csv");
  ASSERT_EQ(rows.size(), 3u) << read_text(out / "summary.csv");
  EXPECT_EQ(rows[0].at("status"), "done");
  EXPECT_EQ(rows[1].at("status"), "done");
  EXPECT_EQ(rows[2].at("status"), "failed");
  EXPECT_EQ(rows[0].at("trigger.power"), "500");
  EXPECT_EQ(rows[1].at("trigger.power"), "800");
  EXPECT_EQ(rows[2].at("mesh.max_memory"), "1000");
  EXPECT_EQ(rows[0].at("cells"), "12");
  EXPECT_EQ(rows[0].at("end_time_s"), "10");
  // The failure names the key and the fix, in the row and in the case's error.txt.
  EXPECT_NE(rows[2].at("error").find("mesh.max_memory"), std::string::npos) << rows[2].at("error");
  const fs::path failed = case_dir(out, rows[2].at("directory"));
  EXPECT_NE(read_text(failed / "error.txt").find("mesh.max_memory"), std::string::npos);
  for (const auto& row : rows) {
    EXPECT_TRUE(fs::exists(case_dir(out, row.at("directory")) / "case.toml"))
        << row.at("directory");
    EXPECT_TRUE(fs::exists(case_dir(out, row.at("directory")) / (row.at("directory") + ".toml")));
  }
  expect_rows_equal_their_results(out);

  // Re-run: the finished cases are not run again (their results files stay as they were), the
  // failed one is tried again and fails again.
  std::map<std::string, fs::file_time_type> written;
  for (std::size_t i = 0; i < 2; ++i) {
    written[rows[i].at("directory")] =
        fs::last_write_time(case_dir(out, rows[i].at("directory")) / "results.h5");
  }
  const std::string first_csv = read_text(out / "summary.csv");
  const Result again = run_cli("batch '" + file.string() + "' -o '" + out.string() + "'");
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("1 to run, 2 already done"), std::string::npos) << again.output;
  for (const auto& [directory, time] : written) {
    EXPECT_EQ(fs::last_write_time(case_dir(out, directory) / "results.h5"), time) << directory;
  }
  EXPECT_EQ(read_text(out / "summary.csv"), first_csv);
}

TEST_F(Batch, SlurmArrayAndCollectGiveTheSameSummary) {
  const fs::path file = sweep("sweep.toml", R"(
[parameters]
"trigger.power" = { start = 500, stop = 700, count = 2 }
"module.soc" = [1.0]
)");
  const fs::path out = dir_ / "slurm";
  const Result prepared =
      run_cli("batch '" + file.string() + "' -o '" + out.string() + "' --slurm");
  ASSERT_EQ(prepared.exit_code, 0) << prepared.output;
  const std::string script = read_text(out / "batch.slurm");
  EXPECT_NE(script.find("#SBATCH --array=0-1\n"), std::string::npos) << script;
  EXPECT_NE(script.find("#SBATCH --gres=gpu:1\n"), std::string::npos) << script;
  // A CPU task's OpenMP team is the cores Slurm gave it, unless the user chose.
  EXPECT_NE(script.find("export OMP_NUM_THREADS=\"$SLURM_CPUS_PER_TASK\""), std::string::npos)
      << script;
  std::istringstream cases(read_text(out / "cases.txt"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(cases, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find("'run'"), std::string::npos) << lines[0];
  EXPECT_FALSE(fs::exists(out / "summary.csv"));  // nothing ran yet

  // What Slurm would do: each array task runs the script with its SLURM_ARRAY_TASK_ID (one
  // thread each: the test machine may be busy).
  for (int task = 0; task < 2; ++task) {
    const Result r =
        run_shell("OMP_NUM_THREADS=1 SLURM_ARRAY_TASK_ID=" + std::to_string(task) + " RUNAWAY='" +
                  RUNAWAY_CLI + "' bash '" + (out / "batch.slurm").string() + "'");
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
  // A task whose case is complete skips it.
  const Result repeat = run_shell("SLURM_ARRAY_TASK_ID=0 RUNAWAY='" + std::string(RUNAWAY_CLI) +
                                  "' bash '" + (out / "batch.slurm").string() + "'");
  EXPECT_EQ(repeat.exit_code, 0) << repeat.output;
  EXPECT_NE(repeat.output.find("skipped"), std::string::npos) << repeat.output;

  const Result collected = run_cli("batch --collect '" + out.string() + "'");
  ASSERT_EQ(collected.exit_code, 0) << collected.output;
  const auto rows = read_csv(out / "summary.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("trigger.power"), "500");
  EXPECT_EQ(rows[1].at("trigger.power"), "700");
  for (const auto& row : rows) EXPECT_EQ(row.at("status"), "done") << row.at("error");
  expect_rows_equal_their_results(out);

  // The local batch over the same directory finds everything done and writes the same summary.
  const std::string collected_csv = read_text(out / "summary.csv");
  const Result local = run_cli("batch '" + file.string() + "' -o '" + out.string() + "'");
  EXPECT_EQ(local.exit_code, 0) << local.output;
  EXPECT_NE(local.output.find("0 to run, 2 already done"), std::string::npos) << local.output;
  EXPECT_EQ(read_text(out / "summary.csv"), collected_csv);
}

// The OpenMP places each case of `sweep` reported (OMP_DISPLAY_ENV) in the process that ran it,
// the batch run with binding and `jobs` jobs; and the batch's own first report, in `batch_places`.
std::vector<std::string> places_of_bound_cases(const fs::path& sweep, const fs::path& out, int jobs,
                                               std::string& batch_places) {
  const Result r = run_shell(
      "env -u OMP_NUM_THREADS OMP_PROC_BIND=close OMP_PLACES=cores "
      "OMP_DISPLAY_ENV=true " +
      shell_quoted(RUNAWAY_CLI) + " batch " + shell_quoted(sweep.string()) + " -o " +
      shell_quoted(out.string()) + " -j " + std::to_string(jobs));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> reports = libgomp_reports(r.output, "OMP_PLACES");
  batch_places = reports.empty() ? "" : reports.front();
  std::vector<std::string> places;
  for (const auto& row : read_csv(out / "summary.csv")) {
    const std::vector<std::string> mine = libgomp_reports(
        read_text(case_dir(out, row.at("directory")) / runaway::host::kLogFile), "OMP_PLACES");
    places.push_back(mine.empty() ? "" : mine.back());
  }
  return places;
}

// With OMP_PROC_BIND set, libgomp binds the batch's own thread to the first place, and a child
// inherits the mask of the thread that starts it: each case would have run its team on that one
// place. With -j 1 a case gets every place; side by side, each its share (else all would bind to
// the first).
TEST_F(Batch, BoundCasesGetEveryPlaceAloneAndTheirShareSideBySide) {
  std::string batch_places;
  const std::vector<std::string> alone =
      places_of_bound_cases(sweep("one.toml", "[parameters]\n\"trigger.power\" = [500.0]\n"),
                            dir_ / "alone", 1, batch_places);
  if (batch_places.empty()) GTEST_SKIP() << "the OpenMP runtime is not libgomp";
  if (place_count(batch_places) < 2) GTEST_SKIP() << "one core: one place";
  EXPECT_EQ(alone, std::vector<std::string>{batch_places});

  const std::vector<std::string> shared =
      places_of_bound_cases(sweep("two.toml", "[parameters]\n\"trigger.power\" = [500.0, 600.0]\n"),
                            dir_ / "side_by_side", 2, batch_places);
  ASSERT_EQ(shared.size(), 2u);
  for (const std::string& places : shared) {
    EXPECT_EQ(place_count(places), place_count(batch_places) / 2) << places;
  }
}

TEST_F(Batch, BadSweepsFailBeforeAnyCaseRuns) {
  struct Bad {
    const char* body;
    const char* message;
    const char* where;  // file:line of the message
    const char* fixed = "";
  };
  const Bad bad[] = {
      {"[parameters]\n\"module.gapp\" = [0.0, 0.002]\n", "did you mean 'gap'?", "bad.toml:3"},
      {"[parameters]\n\"module.gap\" = { start = 0.002, stop = 0.006, count = 0 }\n", "empty range",
       "bad.toml:3"},
      {"[parameters]\n\"module.gap\" = { start = 0.006, stop = 0.002, step = 0.001 }\n",
       "empty range", "bad.toml:3"},
      {"[parameters]\n\"module.gap\" = []\n", "empty list", "bad.toml:3"},
      {"mode = \"zip\"\n[parameters]\n\"module.gap\" = [0.002, 0.003]\n\"module.soc\" = [1.0]\n",
       "same length", "bad.toml:5"},
      {"[parameters]\n\"module.soc\" = [0.5, 1.5]\n", "must be between 0 and 1", "bad.toml:3"},
      {"[parameters]\n\"module.soc\" = [1.0]\n", "did you mean 'end_time'?", "bad.toml:9",
       "\"run.end_tim\" = 5.0\n"},
  };
  for (const Bad& b : bad) {
    const fs::path file = sweep("bad.toml", b.body, b.fixed);
    const fs::path out = dir_ / "never";
    const Result r = run_cli("batch '" + file.string() + "' -o '" + out.string() + "'");
    EXPECT_EQ(r.exit_code, 2) << b.body << r.output;
    EXPECT_NE(r.output.find(b.message), std::string::npos) << b.body << r.output;
    EXPECT_NE(r.output.find(b.where), std::string::npos) << b.body << r.output;
    EXPECT_FALSE(fs::exists(out)) << b.body;
  }
  // A combination the config rejects (each value fits alone, together the module overflows
  // the enclosure): an error naming the case, unless skip_invalid records it as invalid.
  const std::string invalid_pair = R"(
[parameters]
"module.gap" = [0.002, 0.003]
"module.position" = [[0.035, 0.016, 0.008]]
)";
  const Result rejected = run_cli("batch '" + sweep("pair.toml", invalid_pair).string() + "' -o '" +
                                  (dir_ / "never").string() + "'");
  EXPECT_EQ(rejected.exit_code, 2) << rejected.output;
  EXPECT_NE(rejected.output.find("case 1"), std::string::npos) << rejected.output;
  EXPECT_NE(rejected.output.find("skip_invalid"), std::string::npos) << rejected.output;
  EXPECT_FALSE(fs::exists(dir_ / "never"));
  const Result listed =
      run_cli("batch '" + sweep("pair.toml", "skip_invalid = true\n" + invalid_pair).string() +
              "' --dry-run");
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find("invalid: the config rejects"), std::string::npos) << listed.output;
}

TEST_F(Batch, CollectRefusesADirectoryThatIsNotABatch) {
  const Result missing = run_cli("batch --collect '" + (dir_ / "nothing").string() + "'");
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  fs::create_directories(dir_ / "empty");
  const Result empty = run_cli("batch --collect '" + (dir_ / "empty").string() + "'");
  EXPECT_EQ(empty.exit_code, 2) << empty.output;
  EXPECT_NE(empty.output.find("not a batch directory"), std::string::npos) << empty.output;
  // An output directory holding something else is refused before any case runs.
  std::ofstream(dir_ / "empty" / "notes.txt") << "mine\n";
  const Result taken = run_cli("batch '" + sweep_with_failure().string() + "' -o '" +
                               (dir_ / "empty").string() + "'");
  EXPECT_EQ(taken.exit_code, 2) << taken.output;
  EXPECT_NE(taken.output.find("not a batch directory"), std::string::npos) << taken.output;
}

// Every examples/sweep_*.toml checks against the current examples (they break when a base they
// edit changes), and the liquid-fraction sweeps have the documented sizes.
TEST(BatchExamples, EverySweepIsValid) {
  int sweeps = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(RUNAWAY_SOURCE_DIR) / "examples")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("sweep_", 0) != 0 || entry.path().extension() != ".toml") continue;
    ++sweeps;
    const Result r = run_cli("batch '" + entry.path().string() + "' --dry-run");
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.output;
    if (name == "sweep_liquid_fraction.toml") {
      EXPECT_NE(r.output.find("56 cases"), std::string::npos) << r.output;
    }
    if (name == "sweep_liquid_fraction_reduced.toml") {
      EXPECT_NE(r.output.find("12 cases"), std::string::npos) << r.output;
    }
  }
  EXPECT_GE(sweeps, 2);
}

}  // namespace
