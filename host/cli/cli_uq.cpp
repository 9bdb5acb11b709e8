// `runaway uq`: uncertainty studies through the batch engine, and `runaway uq-dakota`, the
// adapter of Dakota's fork interface (docs/uq.md).
#include <CLI/CLI.hpp>
#include <string>

#include "common/error.hpp"
#include "host/cli/cli.hpp"
#include "host/uq/dakota.hpp"
#include "host/uq/uq.hpp"

namespace runaway::host {

void add_uq_commands(CLI::App& app) {
  struct UqArgs {
    std::string study, output;
    int jobs = 0;
    bool slurm = false, collect = false, dry_run = false;
  };
  static UqArgs args;
  auto* uq = app.add_subcommand(
      "uq",
      "Uncertainty study: sampled inputs, every pack on the same samples, probability of "
      "propagation with intervals, Sobol' indices (docs/uq.md)");
  uq->add_option("study", args.study, "Study file (TOML, docs/uq.md)");
  uq->add_option("-o,--output", args.output, "Study directory: one case folder per run");
  uq->add_option("-j,--jobs", args.jobs,
                 "Cases at once, each its own process (default: one per GPU, else 1)")
      ->check(CLI::NonNegativeNumber);
  uq->add_flag("--slurm", args.slurm,
               "Write DIR/batch.slurm (a Slurm job array) and DIR/cases.txt instead of running; "
               "then `runaway uq --collect DIR`");
  uq->add_flag("--collect", args.collect,
               "Analyse the case folders as they are (after a Slurm array): summary and report");
  uq->add_flag("--dry-run", args.dry_run, "Check the study and list its cases; run nothing");
  uq->callback([] {
    uq::UqOptions o;
    o.study_file = args.study;
    o.output_dir = args.output;
    if (args.collect && o.output_dir.empty()) {  // runaway uq --collect DIR
      o.output_dir = args.study;
      o.study_file.clear();
    }
    if (args.collect && o.output_dir.empty()) {
      throw bad_input("say which study directory to collect: runaway uq --collect DIR",
                      {"", 0, "--collect", ""});
    }
    o.jobs = args.jobs;
    o.slurm = args.slurm;
    o.collect = args.collect;
    o.dry_run = args.dry_run;
    uq::run_uq(o);
  });

  struct DakotaArgs {
    std::string parameters, results, study, pack, work;
  };
  static DakotaArgs dakota;
  auto* d = app.add_subcommand(
      "uq-dakota",
      "Dakota fork-interface driver: params.in -> one run -> results.out (FAIL when it fails)");
  d->add_option("parameters", dakota.parameters, "Dakota's parameters file (standard format)")
      ->required();
  d->add_option("results", dakota.results, "The results file Dakota reads")->required();
  d->add_option("--study", dakota.study, "Study file: its inputs are Dakota's variables")
      ->required();
  d->add_option("--pack", dakota.pack, "The study's pack to run (default: the first)");
  d->add_option("--work", dakota.work,
                "Directory of the run (default: runaway_eval_<eval_id> beside the parameters)");
  d->callback([] {
    uq::DakotaOptions o;
    o.parameters = dakota.parameters;
    o.results = dakota.results;
    o.study = dakota.study;
    o.pack = dakota.pack;
    o.work_dir = dakota.work;
    uq::run_dakota_evaluation(o);  // a failed run says FAIL in the results: exit 0 for Dakota
  });
}

}  // namespace runaway::host
