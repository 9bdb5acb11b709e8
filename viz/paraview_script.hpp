// `runaway-viz paraview`: a pvpython script that rebuilds a good ParaView view of a run: the
// battery cells coloured by temperature, the runaway front as isosurfaces of arrival_time, and
// the voxels above the onset temperature. It opens results.xdmf with ParaView's "XDMF Reader"
// (docs/design.md §8.1), never the Xdmf3 readers.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace runaway::viz {

struct ParaviewOptions {
  std::filesystem::path results;  // results.h5 or its run directory
  std::filesystem::path script;   // empty: <run directory>/viz/paraview_view.py
  // K; the voxels above it are shown. Default: the median cell temperature at runaway onset in
  // the run's events, else 473.15 K.
  std::optional<double> onset_temperature;
  bool allow_incomplete = false;
};

// Writes the script and returns its path.
std::filesystem::path write_paraview_script(const ParaviewOptions& options);

}  // namespace runaway::viz
