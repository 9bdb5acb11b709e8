// `runaway-viz fronts`: surfaces of the runaway front as .vtp files with .pvd collections that
// ParaView opens as time series, and a CSV summary of every surface (area, centroid, radius).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace runaway::viz {

struct FrontsOptions {
  std::filesystem::path results;          // results.h5 or its run directory
  std::filesystem::path output_dir;       // empty: <run directory>/viz
  double temperature_threshold = 473.15;  // K, the temperature front's iso-value
  bool allow_incomplete = false;
};

// One surface: the front at one frame.
struct FrontSummary {
  std::string surface;  // "arrival" or "temperature"
  std::size_t frame = 0;
  double time = 0;       // s, the frame time
  double iso_value = 0;  // s (arrival) or K (temperature)
  std::size_t triangles = 0;
  double area = 0;                 // m^2
  double centroid[3] = {0, 0, 0};  // m, area-weighted
  double mean_radius = 0;          // m, area-weighted mean distance from the centroid
  double min_radius = 0;           // m, over the surface's points
  double max_radius = 0;           // m
  double region_volume = 0;        // m^3 of the voxels behind the front
  std::string file;                // the .vtp, relative to the output directory
};

// Writes <out>/fronts_arrival.pvd (+ fronts_arrival/frame_NNNN.vtp), the iso-surface
// arrival_time = t of each frame time t on the last frame's arrival-time field (NaN, not arrived,
// stands for a time after the run), <out>/fronts_temperature.pvd (+ .vtp), the iso-surface
// T = threshold of each frame's temperature, and <out>/fronts_summary.csv. Returns the rows of
// the summary.
std::vector<FrontSummary> write_fronts(const FrontsOptions& options);

}  // namespace runaway::viz
