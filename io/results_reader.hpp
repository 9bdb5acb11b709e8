// ResultsReader: reads results.h5 (layout in docs/output-format.md). An incomplete file (a run
// still going on, stopped or killed) is refused unless the caller allows it, and then flagged by
// complete() == false. A foreign or corrupt file gives a runaway::Error (bad input) naming it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "io/model.hpp"
#include "io/results_format.hpp"

namespace runaway::io {

// The per-cell time series; row-major [sample][cell].
struct CellSeries {
  std::size_t cell_count = 0;
  std::vector<double> time;              // s, one per sample
  std::vector<double> mean_temperature;  // K
  std::vector<double> max_temperature;   // K
  std::vector<double> heat_released;     // J
  // Empty when the file was written before these series existed (docs/output-format.md).
  std::vector<double> pressure;                   // Pa
  std::vector<double> vent_mass_flow;             // kg/s
  std::vector<double> vented_mass;                // kg
  std::vector<double> vented_gas_mass;            // kg
  std::vector<double> heat_kept_in_body;          // J
  std::vector<double> heat_carried_by_ejecta;     // J
  std::vector<double> plume_heat_received;        // J
  std::vector<double> plume_heat_to_self;         // J
  std::vector<double> plume_heat_to_other_cells;  // J
  std::vector<double> plume_heat_to_enclosure;    // J
  std::vector<double> plume_heat_carried_out;     // J
  std::vector<double> combustion_heat;            // J
  std::vector<double> unburnt_fuel_heat;          // J
  std::vector<double> heat_in_gas_conduction;     // J
  std::vector<double> heat_in_gap_radiation;      // J
  std::vector<double> heat_in_solid_contact;      // J
  std::vector<double> heat_in_cell_contact;       // J
  std::vector<double> heat_in_boundary;           // J
  std::vector<double> plume_fire_heat_received;   // J
  std::vector<std::int8_t> state;
  std::vector<std::string> state_names;  // state value i means state_names[i]

  std::size_t sample_count() const { return time.size(); }
  double mean_temperature_at(std::size_t sample, std::size_t cell) const {
    return mean_temperature[sample * cell_count + cell];
  }
};

// The monitoring points (docs/verdicts.md) and their temperatures; empty without probes.
struct ProbeSeries {
  Table table;                      // name, kind, statistic, cell, voxel_count; a row per probe
  std::vector<double> time;         // s, /cells/time
  std::vector<double> temperature;  // K, [sample][probe]

  std::size_t probe_count() const { return table.row_count(); }
};

struct ProvenanceRecord {
  Provenance provenance;
  std::string start_date;  // UTC, ISO 8601
  std::string end_date;    // UTC, ISO 8601; empty until finish()
  double wall_time = 0;    // s, written at every flush
  std::int64_t restart_count = 0;
};

class ResultsReader {
 public:
  // `path` is results.h5 or the run directory holding it.
  explicit ResultsReader(const std::filesystem::path& path, bool allow_incomplete = false);
  ResultsReader(ResultsReader&&) noexcept;
  ResultsReader& operator=(ResultsReader&&) noexcept;
  ~ResultsReader();

  const std::filesystem::path& path() const;
  bool complete() const;

  const GridInfo& grid() const;
  ModelData model() const;  // grid, material and cell maps, material and cell tables
  const std::vector<FieldSpec>& fields() const;
  bool has_field(const std::string& name) const;

  std::size_t frame_count() const;
  const std::vector<double>& frame_times() const;  // s
  std::vector<std::int64_t> frame_steps() const;
  // One frame of a field, [nz][ny][nx] with x fastest, converted to double.
  std::vector<double> read_field(const std::string& name, std::size_t frame) const;

  CellSeries cell_series() const;
  ProbeSeries probe_series() const;
  std::vector<Event> events() const;
  std::string config_text() const;
  std::string config_path() const;
  ProvenanceRecord provenance() const;
  ResultsCounts counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runaway::io
