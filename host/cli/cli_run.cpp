// `runaway run` and `runaway demo`.
#include <fmt/core.h>

#include <chrono>
#include <ctime>
#include <filesystem>

#include "common/error.hpp"
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

// The main job for a new user: the 12-cell module with liquid cells, then its semi-solid twin,
// and the comparison of the two.
void run_demo(const fs::path& output, const RunOptions& base) {
  const fs::path examples = examples_dir();
  const char* cases[] = {"module_12_prismatic_liquid", "module_12_prismatic_semisolid"};
  std::vector<RunSummary> summaries;
  fmt::print(
      "runaway demo: a 12-cell prismatic module, liquid (>10 % electrolyte) vs semi-solid "
      "(<=10 %), heater on cell 0\n");
  for (const char* name : cases) {
    RunOptions o = base;
    o.config_path = (examples / (std::string(name) + ".toml")).string();
    if (!fs::exists(o.config_path)) {
      throw bad_input(
          "the demo's example is missing; set RUNAWAY_EXAMPLES_DIR to the examples/ "
          "folder of the source tree",
          {o.config_path, 0, "", ""});
    }
    o.output_dir = output / name;
    // Long enough for a front to cross the module (before the ejecta split of docs/physics.md,
    // when both twins propagated, their last onsets came near 290 s and 350 s; now the heated
    // cell stops it in both); the examples themselves run 1800 s.
    o.overrides = {"run.end_time=420"};
    fmt::print("\n== {} -> {}\n", name, o.output_dir.string());
    std::fflush(stdout);
    summaries.push_back(run_case(o));
  }
  const std::string report = compare_markdown(summaries);
  io::write_file_atomically(output / "compare.md", report);
  io::write_file_atomically(output / "compare.csv", compare_csv(summaries));
  fmt::print("\n{}\n(written to {} and compare.csv)\n", report, (output / "compare.md").string());
  // The report an engineer would hand in: verdicts, probes, front, both twins compared.
  ReportOptions r;
  for (const char* name : cases) r.runs.push_back(output / name);
  r.output = output / "report.html";
  r.command_line = "runaway demo";
  for (const std::string& note : write_report(r)) fmt::print(stderr, "note: {}\n", note);
  fmt::print("report: {}\n", r.output.string());
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
    bool overwrite = false, quiet = false;
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
    o.command_line = joined_command_line(run->remaining());
    if (args.config.empty() && args.restart.empty()) {
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
    run_demo(demo_output.empty() ? fresh_demo_dir() : fs::path(demo_output), o);
  });
}

}  // namespace runaway::host
