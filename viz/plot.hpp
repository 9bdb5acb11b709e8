// `runaway-viz plot`: PNG charts of one or more runs, rendered off-screen with VTK's charts:
// each cell's temperature history, the event timeline (runaway onset, venting, short circuit per
// cell) and, for several runs, comparisons of onset time per cell and of the number of cells in
// runaway over time. A `runaway fit` data-vs-fit CSV given instead of a run is drawn as the
// self-heating rate against temperature, data as markers and the fit as a line.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace runaway::viz {

struct PlotOptions {
  // results.h5 files or run directories, and `runaway fit` data-vs-fit CSVs (*.csv)
  std::vector<std::filesystem::path> results;
  std::filesystem::path output_dir;  // empty: <run directory>/viz for one run, ./viz-plots else
  std::string series = "mean";       // cell temperature: mean (volume mean) or max (hottest voxel)
  int width = 1200;
  int height = 700;
  bool allow_incomplete = false;
};

// Returns the charts written.
std::vector<std::filesystem::path> write_plots(const PlotOptions& options);

// Event kinds that mark a cell's runaway onset: "runaway" (what the solver writes) and "onset"
// (the name docs/output-format.md uses).
bool is_onset_kind(const std::string& kind);

}  // namespace runaway::viz
