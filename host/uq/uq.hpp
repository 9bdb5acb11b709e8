// `runaway uq` (docs/uq.md): a study's cases run through the batch engine, then its answers with
// intervals: per pack the probability of propagation beyond k cells (Wilson), the distribution of
// the time to the second cell, the paired differences between packs (Newcombe, bootstrap), the
// convergence of each estimate with the sample count (convergence.svg) and, for a Saltelli
// design, first-order and total Sobol' indices (bootstrap intervals). DIR/uq_summary.md and
// DIR/uq_summary.csv hold them; DIR/salib/ the design and outputs as SALib-style CSV.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "host/batch/batch.hpp"
#include "host/uq/estimators.hpp"
#include "host/uq/study.hpp"
#include "io/model.hpp"

namespace runaway::host::uq {

struct UqOptions {
  std::filesystem::path study_file;  // may be empty with collect: DIR/study.toml names it
  std::filesystem::path output_dir;
  int jobs = 0;
  bool slurm = false;
  bool dry_run = false;
  bool collect = false;  // analyse the case folders as they are (after a Slurm array)
  std::filesystem::path executable = "/proc/self/exe";
};

// One case's quantities (NaN: not done; +inf: censored, e.g. no second cell by the end time).
struct StudyOutcomes {
  std::vector<std::string> quantities;
  // [pack][row]: status ("done", "failed", ...) and the value of each quantity.
  std::vector<std::vector<std::string>> status;
  std::vector<std::vector<std::vector<double>>> values;  // [pack][row][quantity]
  std::vector<std::vector<int>> cells_in_runaway;        // [pack][row], -1 when not done
};

// The quantity of a run's [verdict] rules: "verdict_failed" (any rule), "verdict_failed:RULE".
inline constexpr const char* kVerdictFailed = "verdict_failed";

// The named quantities of the done case in row `row` of `summary` (its summary_table is
// `table`): +inf for a censored time (fewer than two cells ran away), NaN for an unknown name.
std::vector<double> case_quantities(const std::vector<std::string>& names,
                                    const BatchSummary& summary, const io::Table& table,
                                    std::size_t row);

// The quantities of every case of a collected study.
StudyOutcomes study_outcomes(const Study& study, const StudyPlan& plan,
                             const BatchSummary& summary);

// Writes DIR/uq_summary.md, uq_summary.csv, convergence.svg and salib/; returns the Markdown.
std::string write_uq_report(const Study& study, const StudyPlan& plan, const StudyOutcomes& out,
                            const std::filesystem::path& dir);

// Plans, runs (or prepares for Slurm, or collects) and reports a study. Throws bad input for a
// bad study, runtime_error when cases failed (after the report) or the run was interrupted.
void run_uq(const UqOptions& options);

}  // namespace runaway::host::uq
