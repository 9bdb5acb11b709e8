// Verdicts from a results file: the run's [verdict] (from the config stored in results.h5) judged
// on its recorded series, the same way for `runaway run`'s summary, `compare` and `report`.
#pragma once

#include <optional>

#include "host/verdict/verdict_rules.hpp"
#include "io/model.hpp"
#include "io/results_reader.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::host {

// The probes of a config in the model, as results.h5 /probes/table holds them: name, kind,
// statistic, cell (-1: none) and voxel_count.
io::Table probe_table(const PackConfig& config, const meshes::VoxelModel& model);

// The run's verdicts, or nothing when its config has no [verdict].
std::optional<VerdictReport> judge_results(const io::ResultsReader& results);

// The verdict as a table, one row per criterion (rule, clause, criterion, finding, figures),
// and the event times as another (name, time s); written to results.h5 /verdict.
io::Table verdict_table(const VerdictReport& report);
io::Table verdict_times(const VerdictReport& report);
// Writes /verdict/criteria and /verdict/times into a finished results.h5, replacing earlier ones.
void write_verdict(const std::filesystem::path& results, const VerdictReport& report);

// The verdict as Markdown: the times that decided it, then a table per rule.
std::string verdict_text(const VerdictReport& report);

}  // namespace runaway::host
