// `runaway compare`: side-by-side propagation metrics of several runs, in Markdown and CSV.
#pragma once

#include <string>
#include <vector>

#include "host/run/run_case.hpp"

namespace runaway::host {

// A Markdown report: one column per run with the metrics of RunSummary, each cell's onset time
// (and its can pressure, vented mass and heat split when any run records them), and a verdict
// line per run.
std::string compare_markdown(const std::vector<RunSummary>& runs);
// The same as CSV in SI units: one row per run (metrics), then one row per run and cell (onset,
// peak, heat, pressure, vented mass, heat split).
std::string compare_csv(const std::vector<RunSummary>& runs);

}  // namespace runaway::host
