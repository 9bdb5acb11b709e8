// Batch sweeps (docs/design.md §9.1, docs/batch.md): a sweep file varies config keys of a base pack
// config over lists and ranges (cartesian product or zipped), every combination is a case, and
// each case runs as its own `runaway run` process in DIR/case_NNN_<params>/ on the config
// written there as case_NNN_<params>.toml (the base config with the case's edits). DIR/summary.csv
// and DIR/summary.h5 hold one row per case: its parameters, its status and the propagation metrics
// summarize_results() reads back from the case's results.h5.
//
//   Sweep sweep = load_sweep("sweep.toml");        // the file, checked: throws bad input
//   std::vector<SweepCase> cases = plan_cases(sweep); // every case validated as a config
//   run_batch(options);                             // runs the cases, writes the summary
//   collect_batch(dir);                             // the summary from the case directories
//
// Everything a user can get wrong in the sweep file is reported before any case runs or any
// directory is created (runaway::Error, bad input, naming the sweep file, line and key).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "host/run/run_case.hpp"
#include "io/model.hpp"

namespace runaway::host {

// One change to the base config: "dotted.key=value" as `runaway run --set` takes it, or, when
// `unset`, the removal of a key (e.g. a barrier the base config has).
struct ConfigEdit {
  std::string text;  // "module.gap=0.002", or the key to remove
  bool unset = false;
  int line = 0;  // where it is written in the sweep file
};

// One value an axis takes: a config value, or one named set of edits (a variant).
struct SweepPoint {
  std::string text;              // as shown: 0.002, aerogel, [0.002, 0.004, 0.004]
  std::optional<double> number;  // the value when it is a number
  std::vector<ConfigEdit> edits;
  int line = 0;
};

// One dimension of a sweep: a config key ([parameters]) or a named choice ([variants.NAME]).
struct SweepAxis {
  std::string name;  // dotted config key, or the variant's name; a summary column
  bool is_variant = false;
  int line = 0;
  std::vector<SweepPoint> points;
};

enum class SweepMode { kCartesian, kZip };

struct Sweep {
  std::filesystem::path file;  // the sweep file
  std::filesystem::path base;  // the pack config every case starts from
  SweepMode mode = SweepMode::kCartesian;
  std::vector<SweepAxis> axes;    // in file order; in a product the last varies fastest
  std::vector<ConfigEdit> fixed;  // [fixed]: applied to every case first
  bool skip_invalid = false;      // combinations the config rejects become `invalid` rows
  std::string text;               // the file as read
};

struct SweepCase {
  int index = 0;
  std::string directory;           // "case_003_fraction=0.08_gap=0.002_barrier=aerogel"
  std::vector<std::size_t> point;  // the point of each axis
  std::vector<ConfigEdit> edits;   // [fixed], then each axis's, in order
  std::string config_text;         // the base with the edits applied: the case's config file
  std::string invalid;             // why the config rejects this case (skip_invalid), else ""
};

// Reads and checks a sweep file: keys, modes, lists and ranges, base path. Throws bad input.
Sweep load_sweep(const std::filesystem::path& file);

// Every case of the sweep, numbered from 0: the base config with the case's edits applied and
// parsed with parse_pack_config. An unknown or invalid key is an error naming the sweep file,
// line and key (with the config's "did you mean"); so is a combination the config rejects,
// unless skip_invalid makes it an `invalid` case.
std::vector<SweepCase> plan_cases(const Sweep& sweep);

// The `runaway run` arguments (without the program) that run the case in `case_dir`: its
// config file (case_dir/<case_dir's name>.toml) into that directory.
std::vector<std::string> run_arguments(const std::filesystem::path& case_dir);

struct BatchOptions {
  std::filesystem::path sweep_file;
  std::filesystem::path output_dir;
  int jobs = 0;  // cases at once; 0: one per GPU, at least 1
  // The runaway binary the cases run with; /proc/self/exe is the running one.
  std::filesystem::path executable = "/proc/self/exe";
  bool slurm = false;    // write DIR/batch.slurm + DIR/cases.txt instead of running
  bool dry_run = false;  // check the sweep and list the cases; write nothing
};

// One row of the summary: a case, its parameters, how it went and, when done, its metrics.
struct CaseResult {
  int index = 0;
  std::string directory;
  std::vector<std::string> parameter_text;              // per parameter column
  std::vector<std::optional<double>> parameter_number;  // per parameter column
  std::string status;  // done, failed, invalid, unfinished, not_run
  std::string error;
  std::optional<RunSummary> summary;  // summarize_results() of the case's results.h5, if done
};

struct BatchSummary {
  std::vector<std::string> parameters;  // column names: config keys and variant names
  std::vector<CaseResult> cases;        // by case index
  int count(const std::string& status) const;
};

// Cases planned by a sweep or an uncertainty study (`runaway uq`, docs/uq.md), ready to run.
struct CasePlan {
  std::string command = "batch";     // the runaway subcommand, in messages and the Slurm script
  std::filesystem::path input_file;  // the sweep or study file
  std::string input_copy;            // its copy in the output directory: "sweep.toml"
  std::string input_text;
  std::vector<SweepCase> cases;
  std::vector<std::string> case_files;  // case.toml of each case (read_case_toml reads them)
};

// Runs (or with options.slurm, prepares) planned cases into options.output_dir as run_batch
// does, and returns their summary (also written as summary.csv and summary.h5) without
// throwing for failed or interrupted cases: check_batch_finished() says so afterwards.
BatchSummary run_cases(const CasePlan& plan, const BatchOptions& options);

// Throws runtime_error when the batch was interrupted (SIGINT/SIGTERM) or cases failed.
void check_batch_finished(const BatchSummary& summary);

// The config file a case runs: a header naming the base and the edits, then `text` (the base
// with the edits, as TOML).
std::string case_config_text(const std::string& base_name, const std::vector<ConfigEdit>& edits,
                             const std::string& text, const std::string& command = "batch");

// Runs (or with options.slurm, prepares) a sweep into options.output_dir, then writes
// summary.csv and summary.h5. Cases whose results.h5 is complete are skipped; a case that
// fails is recorded (error.txt, a `failed` row) while the others go on. Throws bad input for a
// bad sweep or an output directory holding something else, runtime_error when cases failed.
BatchSummary run_batch(const BatchOptions& options);

// The summary of a batch directory from its case directories (what `runaway batch --collect`
// writes after a Slurm job array). Throws bad input when `dir` is not a batch directory.
BatchSummary collect_batch(const std::filesystem::path& dir);

// The summary as a table (the columns of summary.csv and summary.h5) and as CSV text.
io::Table summary_table(const BatchSummary& summary);
std::string summary_csv(const io::Table& table);
// Writes dir/summary.csv and dir/summary.h5.
void write_summary(const std::filesystem::path& dir, const BatchSummary& summary);

// GPUs a batch can give its cases: the entries of CUDA_VISIBLE_DEVICES when it is set, else
// the GPUs `nvidia-smi -L` lists (none without nvidia-smi).
std::vector<std::string> visible_gpus();

}  // namespace runaway::host
