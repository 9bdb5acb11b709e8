// `runaway run` and `runaway demo`.
#include <fmt/core.h>
#include <sys/wait.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "common/error.hpp"
#include "host/batch/batch.hpp"
#include "host/batch/case_files.hpp"
#include "host/batch/process_pool.hpp"
#include "host/cli/cli.hpp"
#include "host/report/report.hpp"
#include "host/run/compare.hpp"
#include "host/run/run_case.hpp"
#include "io/files.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

kernels::BackendChoice parse_backend(const std::string& name) {
  if (name == "auto") return kernels::BackendChoice::kAuto;
  if (name == "openmp") return kernels::BackendChoice::kOpenMP;
  if (name == "cuda") return kernels::BackendChoice::kCuda;
  throw bad_input("expected auto, openmp or cuda", {"", 0, "--backend", name});
}

std::string joined_command_line(const std::vector<std::string>& args) {
  std::string out = "runaway";
  for (const std::string& a : args) out += " " + a;
  return out;
}

constexpr const char* kDemoCases[] = {"module_12_prismatic_liquid",
                                      "module_12_prismatic_semisolid"};
// Long enough for a front to cross the module (before the ejecta split of docs/physics.md, when
// both twins propagated, their last onsets came near 290 s and 350 s; now the heated cell stops
// it in both); the examples themselves run 1800 s.
constexpr const char* kDemoEndTime = "run.end_time=420";

fs::path demo_config(const char* name) {
  fs::path config = examples_dir() / (std::string(name) + ".toml");
  if (!fs::exists(config)) {
    throw bad_input(
        "the demo's example is missing; set RUNAWAY_EXAMPLES_DIR to the examples/ folder of "
        "the source tree",
        {config.string(), 0, "", ""});
  }
  return config;
}

// Side by side only where each twin gets cores of its own: not across MPI ranks (they share
// the grid), not on a GPU (one device would take the runs in turn anyway).
bool demo_runs_side_by_side(const RunOptions& base) {
  if (base.partitioner != nullptr || base.backend == kernels::BackendChoice::kCuda) return false;
  if (base.backend == kernels::BackendChoice::kAuto && !visible_gpus().empty()) return false;
  return usable_cores() >= 2;
}

// The twins as two `runaway run` processes, one OpenMP team on half the cores each: the
// propagation phase scales less than perfectly over cores, so both finish sooner than one after
// the other on all of them (docs/performance.md, "runaway demo"). Each writes its run.log; a
// failed twin's error is raised once the other has finished, so its results are kept.
std::vector<RunSummary> run_demo_side_by_side(const fs::path& output, const RunOptions& base) {
  // Both folders are checked before either run starts, as one run would check its own; the runs
  // then find their run.log there and are told to accept it.
  for (const char* name : kDemoCases) {
    demo_config(name);
    io::prepare_run_directory(output / name, base.overwrite);
  }
  CaseProcesses processes("/proc/self/exe", 2, {});
  BatchSignals signals;
  for (const char* name : kDemoCases) {
    const fs::path dir = output / name;
    std::vector<std::string> args = {"run", demo_config(name).string(), "-o", dir.string()};
    args.insert(args.end(), {"--overwrite", "--set", kDemoEndTime, "--backend", "openmp"});
    args.insert(args.end(), {"--checkpoint-interval", fmt::format("{}", base.checkpoint_interval)});
    if (!base.show_progress) args.emplace_back("-q");
    processes.start(dir, args);
    fmt::print("== {} -> {} (its progress: {})\n", name, dir.string(), (dir / kLogFile).string());
  }
  std::fflush(stdout);
  std::vector<std::string> failures;
  bool interrupted = false;
  while (processes.running() > 0) {
    const auto finished = processes.wait();
    if (!finished) continue;
    const fs::path log = finished->case_dir / kLogFile;
    const std::string name = finished->case_dir.filename().string();
    interrupted = interrupted || finished->interrupted;
    if (WIFEXITED(finished->wait_status) && WEXITSTATUS(finished->wait_status) == 0) {
      fmt::print("{} finished in {:.1f} s wall\n", name, finished->wall_time);
    } else {
      failures.push_back(fmt::format("{}: {} (see {})", name,
                                     failure_text(log, finished->wait_status), log.string()));
      fmt::print("{} failed after {:.1f} s wall\n", name, finished->wall_time);
    }
    std::fflush(stdout);
  }
  if (interrupted || batch_signal() != 0) {
    throw runtime_error(
        "demo interrupted; a twin still running wrote a checkpoint in its folder (continue it "
        "with `runaway run --restart DIR/checkpoint.h5`)");
  }
  if (!failures.empty()) {
    std::string text = "the demo's runs failed:";
    for (const std::string& f : failures) text += "\n  " + f;
    throw runtime_error(text);
  }
  std::vector<RunSummary> summaries;
  for (const char* name : kDemoCases) summaries.push_back(summarize_results(output / name));
  return summaries;
}

std::vector<RunSummary> run_demo_in_turn(const fs::path& output, const RunOptions& base) {
  std::vector<RunSummary> summaries;
  for (const char* name : kDemoCases) {
    RunOptions o = base;
    o.config_path = demo_config(name).string();
    o.output_dir = output / name;
    o.overrides = {kDemoEndTime};
    fmt::print("\n== {} -> {}\n", name, o.output_dir.string());
    std::fflush(stdout);
    summaries.push_back(run_case(o));
  }
  return summaries;
}

// The main job for a new user: the 12-cell module with liquid cells and its semi-solid twin,
// and the comparison of the two.
void run_demo(const fs::path& output, const RunOptions& base) {
  fmt::print(
      "runaway demo: a 12-cell prismatic module, liquid (>10 % electrolyte) vs semi-solid "
      "(<=10 %), heater on cell 0\n");
  std::fflush(stdout);
  const std::vector<RunSummary> summaries = demo_runs_side_by_side(base)
                                                ? run_demo_side_by_side(output, base)
                                                : run_demo_in_turn(output, base);
  const std::string report = compare_markdown(summaries);
  io::write_file_atomically(output / "compare.md", report);
  io::write_file_atomically(output / "compare.csv", compare_csv(summaries));
  fmt::print("\n{}\n(written to {} and compare.csv)\n", report, (output / "compare.md").string());
  // The report an engineer would hand in: verdicts, probes, front, both twins compared.
  ReportOptions r;
  for (const char* name : kDemoCases) r.runs.push_back(output / name);
  r.output = output / "report.html";
  r.command_line = "runaway demo";
  for (const std::string& note : write_report(r)) fmt::print(stderr, "note: {}\n", note);
  fmt::print("report: {}\n", r.output.string());
}

// The demo is one process's job: it names its folder from this process's clock, runs its twins
// side by side as child processes and writes the comparison, none of which ranks would agree on.
void refuse_demo_over_ranks(const Partitioner* partitioner, const std::string& command) {
  if (partitioner == nullptr || partitioner->processes() <= 1) return;
  throw bad_input(fmt::format("the demo runs in one process, not as {} MPI ranks: start it "
                              "without mpirun (a twin alone can be split: mpirun -np {} runaway "
                              "run examples/module_12_prismatic_liquid.toml -o DIR)",
                              partitioner->processes(), partitioner->processes()),
                  {"", 0, command, ""});
}

fs::path fresh_demo_dir() {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return fs::path("runaway-demo-" + std::string(stamp));
}

}  // namespace

void add_run_commands(CLI::App& app, const Partitioner* partitioner) {
  struct RunArgs {
    std::string config, output, restart, backend = "auto";
    std::vector<std::string> overrides;
    bool overwrite = false, quiet = false, fixed_threads = false;
    double checkpoint_interval = 600;
  };
  static RunArgs args;
  auto* run = app.add_subcommand(
      "run", "Run a pack config and write results.h5 + results.xdmf (no config: the demo)");
  run->add_option("config", args.config, "Pack config (TOML)");
  run->add_option("-o,--output", args.output, "Result directory (refused if it holds results)");
  run->add_option("--set", args.overrides, "Override a config key, e.g. --set module.gap=0.003");
  run->add_flag("--overwrite", args.overwrite, "Replace the results in an existing directory");
  run->add_option("--restart", args.restart, "Continue from a checkpoint (e.g. DIR/checkpoint.h5)");
  run->add_option("--backend", args.backend, "auto, openmp or cuda");
  run->add_option("--checkpoint-interval", args.checkpoint_interval,
                  "Wall-clock seconds between checkpoints (0: only on SIGINT/SIGTERM)");
  run->add_flag("-q,--quiet", args.quiet, "No progress output");
  run->add_flag("--fixed-threads", args.fixed_threads,
                "Keep every OpenMP thread even while other processes keep the cores busy");
  run->callback([run, partitioner] {
    RunOptions o;
    o.partitioner = partitioner;
    o.config_path = args.config;
    o.overrides = args.overrides;
    o.output_dir = args.output;
    o.overwrite = args.overwrite;
    o.restart = args.restart;
    o.backend = parse_backend(args.backend);
    o.checkpoint_interval = args.checkpoint_interval;
    o.show_progress = !args.quiet;
    o.share_busy_cores = !args.fixed_threads;
    o.command_line = joined_command_line(run->remaining());
    if (args.config.empty() && args.restart.empty()) {
      refuse_demo_over_ranks(partitioner, "run");
      run_demo(args.output.empty() ? fresh_demo_dir() : fs::path(args.output), o);
      return;
    }
    if (args.output.empty() && args.restart.empty()) {
      throw bad_input("say where the results go: -o DIR", {"", 0, "--output", ""});
    }
    run_case(o);
  });

  static std::string demo_output;
  static bool demo_quiet = false;
  auto* demo = app.add_subcommand(
      "demo", "Run the built-in 12-cell module, liquid vs semi-solid, and compare them");
  demo->add_option("-o,--output", demo_output, "Directory for both runs (default: a new one)");
  demo->add_flag("-q,--quiet", demo_quiet, "No progress output");
  demo->callback([partitioner] {
    RunOptions o;
    o.partitioner = partitioner;
    o.show_progress = !demo_quiet;
    o.command_line = "runaway demo";
    refuse_demo_over_ranks(partitioner, "demo");
    run_demo(demo_output.empty() ? fresh_demo_dir() : fs::path(demo_output), o);
  });
}

}  // namespace runaway::host
