// `runaway batch`: parameter sweeps, one `runaway run` process per case (docs/batch.md).
#include <fmt/core.h>

#include <filesystem>
#include <string>

#include "common/error.hpp"
#include "host/batch/batch.hpp"
#include "host/cli/cli.hpp"

namespace runaway::host {

void add_batch_command(CLI::App& app) {
  struct BatchArgs {
    std::string sweep, output;
    int jobs = 0;
    bool slurm = false, collect = false, dry_run = false;
  };
  static BatchArgs args;
  auto* batch = app.add_subcommand(
      "batch",
      "Run a parameter sweep: one case per process (and per GPU), summary.csv + summary.h5");
  batch->add_option("sweep", args.sweep,
                    "Sweep file (TOML, docs/batch.md); with --collect: the batch directory");
  batch->add_option("-o,--output", args.output, "Batch directory: one case_NNN_* folder per case");
  batch
      ->add_option("-j,--jobs", args.jobs,
                   "Cases at once, each its own process (default: one per GPU, else 1)")
      ->check(CLI::NonNegativeNumber);
  batch->add_flag("--slurm", args.slurm,
                  "Write DIR/batch.slurm (a Slurm job array, one GPU per task) and DIR/cases.txt "
                  "instead of running");
  batch->add_flag("--collect", args.collect,
                  "Build DIR/summary.csv and summary.h5 from the case directories (after Slurm)");
  batch->add_flag("--dry-run", args.dry_run, "Check the sweep and list its cases; run nothing");
  batch->callback([] {
    if (args.collect) {
      const std::string dir = !args.output.empty() ? args.output : args.sweep;
      if (dir.empty()) {
        throw bad_input("say which batch directory to collect: runaway batch --collect DIR",
                        {"", 0, "--collect", ""});
      }
      const BatchSummary summary = collect_batch(dir);
      write_summary(dir, summary);
      fmt::print(
          "{}: {} cases: {} done, {} failed, {} invalid, {} not finished\nsummary: {} and "
          "summary.h5\n",
          dir, summary.cases.size(), summary.count("done"), summary.count("failed"),
          summary.count("invalid"), summary.count("unfinished") + summary.count("not_run"),
          (std::filesystem::path(dir) / "summary.csv").string());
      return;
    }
    if (args.sweep.empty()) {
      throw bad_input("give a sweep file: runaway batch SWEEP -o DIR", {"", 0, "SWEEP", ""});
    }
    BatchOptions o;
    o.sweep_file = args.sweep;
    o.output_dir = args.output;
    o.jobs = args.jobs;
    o.slurm = args.slurm;
    o.dry_run = args.dry_run;
    run_batch(o);
  });
}

}  // namespace runaway::host
