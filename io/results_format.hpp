// What results.h5 holds, shared by ResultsWriter and ResultsReader. The layout on disk is
// documented in docs/output-format.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/model.hpp"

namespace runaway::io {

inline constexpr const char* kResultsFileName = "results.h5";
inline constexpr const char* kResultsXdmfFileName = "results.xdmf";
inline constexpr const char* kResultsFormat = "runaway-results";
inline constexpr std::int64_t kResultsFormatVersion = 1;

// One field stored per frame as /fields/<name>, [frame][nz][ny][nx].
struct FieldSpec {
  std::string name;                             // letters, digits, '_'; not "time" or "step"
  std::string units;                            // e.g. "K", "W/m^3", "s", "1" for dimensionless
  std::string description;                      // one line for humans
  ElementType storage = ElementType::kFloat64;  // kFloat64 or kFloat32 on disk
};

// The fields every run writes: temperature (K), heat_release_rate (W/m^3), arrival_time (s,
// NaN where runaway has not arrived), then progress_<reaction> (1) for each reaction, stored as
// float32 (progress is a fraction in [0, 1]; float32's 6e-8 relative step is far below the
// kinetics tolerance and halves the largest part of the file).
std::vector<FieldSpec> standard_fields(const std::vector<std::string>& reaction_names);

// One per-cell sample, one entry per battery cell (index = cell id).
struct CellSample {
  double time = 0;                       // s
  std::vector<double> mean_temperature;  // K, volume mean over the cell's voxels
  std::vector<double> max_temperature;   // K
  std::vector<double> heat_released;     // J, cumulative reaction heat since the start
  std::vector<std::int8_t> state;        // index into ResultsOptions::cell_state_names
};

// One row of the event table.
struct Event {
  std::int32_t cell = -1;  // cell id, -1 for an event of the whole pack
  std::string kind;        // e.g. "onset", "vent", "short_circuit"; letters, digits, '_'
  double time = 0;         // s
  double temperature = 0;  // K, the cell's temperature at the event
};

// Who made the file, written as attributes of /provenance.
struct Provenance {
  std::string version;     // runaway version
  std::string git_commit;  // commit the binary was built from
  std::string backend;     // "cuda" or "openmp"
  std::string device;      // GPU name, or the CPU and thread count
  std::string command_line;
};

// How much of each time series is on disk. Store these in a checkpoint (after
// ResultsWriter::flush()) so that a restart can cut results.h5 back to that moment.
struct ResultsCounts {
  std::size_t frames = 0;
  std::size_t cell_samples = 0;
  std::size_t events = 0;
};

}  // namespace runaway::io
