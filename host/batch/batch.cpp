// Running a batch (run_batch): the sweep planned, the case directories written, then the cases
// run as child processes (process_pool.hpp) or prepared for Slurm (slurm.hpp), and summarized.
#include "host/batch/batch.hpp"

#include <fmt/core.h>
#include <sys/wait.h>

#include <algorithm>
#include <csignal>
#include <set>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/files.hpp"
#include "common/text.hpp"
#include "host/batch/case_files.hpp"
#include "host/batch/process_pool.hpp"
#include "host/batch/slurm.hpp"
#include "io/files.hpp"
#include "io/results_reader.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

bool results_complete(const fs::path& case_dir) {
  if (!fs::exists(case_dir / kResultsFile)) return false;
  try {
    return io::ResultsReader(case_dir, true).complete();
  } catch (const Error&) {
    return false;  // unreadable: run again
  }
}

// The arguments that run, or continue, the case in `case_dir`: from its checkpoint when an
// earlier run was interrupted.
std::vector<std::string> case_arguments(const fs::path& case_dir) {
  if (fs::exists(case_dir / kCheckpointFile)) {
    return {"run", "--restart", (case_dir / kCheckpointFile).string(), "-q"};
  }
  return run_arguments(case_dir);
}

// What became of a finished case, in a line; a failure is written to its error.txt.
std::string outcome(const CaseProcesses::Finished& f) {
  const bool exited_ok = WIFEXITED(f.wait_status) && WEXITSTATUS(f.wait_status) == 0;
  if (exited_ok && results_complete(f.case_dir)) {
    try {
      return "done in " + clock_text(f.wall_time) + ": " + summarize_results(f.case_dir).verdict;
    } catch (const Error& e) {
      return std::string("done, but its results do not read: ") + e.what();
    }
  }
  if (f.interrupted) return "interrupted; the next run continues it from its checkpoint";
  const std::string error = exited_ok ? "runaway run ended without completing results.h5"
                                      : failure_text(f.case_dir / kLogFile, f.wait_status);
  io::write_file_atomically(f.case_dir / kErrorFile, error + "\n");
  return "failed after " + clock_text(f.wall_time) + ": " + error;
}

// Refuses an output directory holding anything but this sweep's cases, or cases that ran with
// another config (the base file or the sweep changed since).
void check_output_dir(const fs::path& dir, const std::vector<SweepCase>& planned) {
  const ErrorContext context{"", 0, "--output", dir.string()};
  if (!fs::exists(dir)) return;
  if (!fs::is_directory(dir)) throw bad_input("exists and is not a directory", context);
  if (!fs::exists(dir / kCasesFile)) {
    if (!fs::is_empty(dir)) {
      throw bad_input(
          "exists and is not a batch directory (no cases.txt); choose a new or empty directory",
          context);
    }
    return;
  }
  std::set<std::string> names;
  for (const SweepCase& c : planned) names.insert(c.directory);
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind("case_", 0) == 0 && names.count(name) == 0 &&
        fs::exists(entry.path() / kCaseFile)) {
      throw bad_input("holds case " + name +
                          ", which this sweep does not have: it belongs to another sweep; "
                          "choose a new directory, or remove that case",
                      context);
    }
  }
  for (const SweepCase& c : planned) {
    const fs::path case_dir = dir / c.directory;
    const fs::path config = config_file(case_dir);
    const bool ran = fs::exists(case_dir / kResultsFile) || fs::exists(case_dir / kCheckpointFile);
    if (ran && (c.invalid.empty() ? !fs::exists(config) || read_text(config) != c.config_text
                                  : fs::exists(config))) {
      throw bad_input(c.directory +
                          " ran with another config (the base file or the sweep changed since); "
                          "choose a new directory, or remove that case to run it again",
                      context);
    }
  }
}

}  // namespace

BatchSummary run_batch(const BatchOptions& options) {
  const Sweep sweep = load_sweep(options.sweep_file);
  CasePlan plan;
  plan.input_file = sweep.file;
  plan.input_copy = kSweepCopy;
  plan.input_text = sweep.text;
  plan.cases = plan_cases(sweep);
  if (options.dry_run) {
    fmt::print("{}: {} cases ({}), base {}\n", sweep.file.string(), plan.cases.size(),
               sweep.mode == SweepMode::kZip ? "zip" : "cartesian", sweep.base.string());
    for (const SweepCase& c : plan.cases) {
      fmt::print("  {}\n", c.directory);
      if (!c.invalid.empty()) fmt::print("      invalid: {}\n", c.invalid);
      for (std::size_t e = sweep.fixed.size(); e < c.edits.size(); ++e) {
        fmt::print("      {} {}\n", c.edits[e].unset ? "unset" : "--set", c.edits[e].text);
      }
    }
    for (const ConfigEdit& f : sweep.fixed) {
      fmt::print("  every case first: {} {}\n", f.unset ? "unset" : "--set", f.text);
    }
    return {};
  }
  for (const SweepCase& c : plan.cases) plan.case_files.push_back(case_toml(sweep, c));
  BatchSummary summary = run_cases(plan, options);
  if (!options.slurm) check_batch_finished(summary);
  return summary;
}

BatchSummary run_cases(const CasePlan& plan, const BatchOptions& options) {
  const std::vector<SweepCase>& cases = plan.cases;
  const int invalid = int(std::count_if(cases.begin(), cases.end(),
                                        [](const SweepCase& c) { return !c.invalid.empty(); }));
  if (options.output_dir.empty()) {
    throw bad_input("say where the cases go: -o DIR", ErrorContext{"", 0, "--output", ""});
  }
  const fs::path dir = fs::absolute(options.output_dir).lexically_normal();
  const std::string cases_list = cases_text(cases, dir);
  check_output_dir(dir, cases);

  // The case directories, each with its case.toml (kept as is when unchanged).
  fs::create_directories(dir);
  const std::string input_path = fs::absolute(plan.input_file).lexically_normal().string();
  io::write_file_atomically(
      dir / plan.input_copy,
      "# A copy of " + input_path + ", run by runaway " + plan.command + "\n" + plan.input_text);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const SweepCase& c = cases[i];
    const fs::path case_dir = dir / c.directory;
    fs::create_directories(case_dir);
    const std::string& text = plan.case_files.at(i);
    if (!fs::exists(case_dir / kCaseFile) || read_text(case_dir / kCaseFile) != text) {
      io::write_file_atomically(case_dir / kCaseFile, text);
    }
    if (!c.invalid.empty()) {
      io::write_file_atomically(case_dir / kErrorFile, c.invalid + "\n");
    } else if (!fs::exists(config_file(case_dir)) ||
               read_text(config_file(case_dir)) != c.config_text) {
      io::write_file_atomically(config_file(case_dir), c.config_text);
    }
  }
  io::write_file_atomically(dir / kCasesFile, cases_list);
  const std::size_t runnable = cases.size() - std::size_t(invalid);

  if (options.slurm) {
    if (runnable == 0) throw bad_input("every case is invalid: nothing to run");
    io::write_file_atomically(dir / kSlurmFile, slurm_script(dir, options.executable, runnable,
                                                             input_path, plan.command));
    fmt::print(
        "runaway {}: {} cases in {}{}\n  submit:      sbatch {}\n  afterwards:  runaway {} "
        "--collect {}\n",
        plan.command, runnable, dir.string(),
        invalid ? fmt::format(" ({} invalid, not run)", invalid) : "", (dir / kSlurmFile).string(),
        plan.command, dir.string());
    return collect_batch(dir);
  }

  // Run: up to `jobs` cases at once, each a `runaway run` process with one GPU when there are
  // GPUs (round robin over the worker slots).
  const std::vector<std::string> gpus = visible_gpus();
  const int jobs = options.jobs > 0 ? options.jobs : std::max(1, int(gpus.size()));
  std::vector<const SweepCase*> queue;
  int done_before = 0;
  for (const SweepCase& c : cases) {
    if (!c.invalid.empty()) continue;
    if (results_complete(dir / c.directory)) {
      ++done_before;
    } else {
      queue.push_back(&c);
    }
  }
  fmt::print(
      "runaway {}: {} cases in {}: {} to run, {} already done{}; {} at once{}\n", plan.command,
      cases.size(), dir.string(), queue.size(), done_before,
      invalid ? fmt::format(", {} invalid (not run)", invalid) : "", jobs,
      gpus.empty()
          ? std::string(", CPU only")
          : fmt::format(", GPUs {} ({}one case per GPU)", join(gpus, ","),
                        std::size_t(jobs) > gpus.size() ? "more cases than GPUs: not " : ""));
  std::fflush(stdout);

  CaseProcesses processes(options.executable, jobs, gpus);
  BatchSignals signals;
  const auto stopping = [] { return batch_signal() != 0; };
  std::size_t next = 0, finished = 0;
  const auto report = [&](const fs::path& case_dir, const std::string& outcome_text) {
    fmt::print("[{:>{}}/{}] {} {}\n", ++finished, std::to_string(queue.size()).size(), queue.size(),
               case_dir.filename().string(), outcome_text);
    std::fflush(stdout);
  };
  while (processes.running() > 0 || (next < queue.size() && !stopping())) {
    while (!stopping() && next < queue.size() && processes.has_room()) {
      const fs::path case_dir = dir / queue[next++]->directory;
      std::error_code ignored;
      fs::remove(case_dir / kErrorFile, ignored);
      try {
        processes.start(case_dir, case_arguments(case_dir));
      } catch (const Error& e) {
        io::write_file_atomically(case_dir / kErrorFile, std::string(e.what()) + "\n");
        report(case_dir, std::string("failed: ") + e.what());
      }
    }
    if (processes.running() == 0) break;
    if (const auto f = processes.wait()) report(f->case_dir, outcome(*f));
  }

  BatchSummary summary = collect_batch(dir);
  write_summary(dir, summary);
  if (plan.command == "batch") {  // a study prints its answers instead (runaway uq)
    fmt::print("\n{:<60} {:<10} {}\n", "case", "status", "verdict or error");
    for (const CaseResult& c : summary.cases) {
      fmt::print("{:<60} {:<10} {}\n", c.directory, c.status,
                 c.summary ? c.summary->verdict : c.error);
    }
  }
  fmt::print(
      "\nsummary: {} and summary.h5 ({} done, {} failed{}{})\n", (dir / "summary.csv").string(),
      summary.count("done"), summary.count("failed"),
      invalid ? fmt::format(", {} invalid", invalid) : "",
      summary.count("unfinished") + summary.count("not_run")
          ? fmt::format(", {} unfinished", summary.count("unfinished") + summary.count("not_run"))
          : "");
  std::fflush(stdout);
  return summary;
}

void check_batch_finished(const BatchSummary& summary) {
  if (const int signal = batch_signal()) {
    throw runtime_error(fmt::format(
        "batch interrupted by {}; run the same command again to continue (finished cases are "
        "skipped, interrupted ones continue from their checkpoints)",
        signal == SIGINT ? "SIGINT" : "SIGTERM"));
  }
  if (summary.count("failed") > 0) {
    throw runtime_error(
        fmt::format("{} of {} cases failed (see summary.csv and each case's "
                    "error.txt); the others finished",
                    summary.count("failed"), summary.cases.size()));
  }
}

}  // namespace runaway::host
