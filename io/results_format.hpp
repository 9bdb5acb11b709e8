// What results.h5 holds, shared by ResultsWriter and ResultsReader. The layout on disk is
// documented in docs/output-format.md.
#pragma once

#include <array>
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
  double time = 0;                             // s
  std::vector<double> mean_temperature;        // K, volume mean over the cell's voxels
  std::vector<double> max_temperature;         // K
  std::vector<double> heat_released;           // J, cumulative, put into the pack (see below)
  std::vector<double> pressure;                // Pa, absolute, in the cell's can
  std::vector<double> vent_mass_flow;          // kg/s through the vent, averaged over the last step
  std::vector<double> vented_mass;             // kg, cumulative liquid electrolyte vented
  std::vector<double> vented_gas_mass;         // kg, cumulative non-condensable gas vented
  std::vector<double> heat_kept_in_body;       // J, cumulative, released in the roll and kept
  std::vector<double> heat_carried_by_ejecta;  // J, cumulative, carried out by the vent
  // The vent plume (ejecta and fire), J, cumulative: what every plume put on this cell, and where
  // this cell's plume went (itself, other cells, the rest of the pack, out of the pack), and its
  // fire's heat and the fuel heat it could not burn for want of oxygen.
  std::vector<double> plume_heat_received;
  std::vector<double> plume_heat_to_self;
  std::vector<double> plume_heat_to_other_cells;
  std::vector<double> plume_heat_to_enclosure;
  std::vector<double> plume_heat_carried_out;
  std::vector<double> combustion_heat;
  std::vector<double> unburnt_fuel_heat;
  // Heat pathways into the cell, J, cumulative (docs/physics.md "Heat pathways").
  std::vector<double> heat_in_gas_conduction;
  std::vector<double> heat_in_gap_radiation;
  std::vector<double> heat_in_solid_contact;
  std::vector<double> heat_in_cell_contact;
  std::vector<double> heat_in_boundary;
  std::vector<double> plume_fire_heat_received;
  std::vector<std::int8_t> state;  // index into ResultsOptions::cell_state_names
  // K, one per probe of ResultsOptions::probes (/probes/temperature), sampled with the cells.
  std::vector<double> probe_temperature;
};

// A float64 per-cell series /cells/<name>, [sample][cell]: its description on disk and where a
// CellSample holds it. One list, so that writing, resuming and cutting back cannot miss one.
struct CellQuantity {
  const char* name;
  const char* units;
  const char* description;
  std::vector<double> CellSample::*values;
  // Files written before the series existed lack it: a reader then leaves it empty, and a run
  // resumed into such a file goes on without it (its earlier rows could not be filled).
  bool optional;
};

// In the order they are written, before /cells/state and /cells/time.
inline constexpr std::array<CellQuantity, 22> kCellQuantities = {{
    {"mean_temperature", "K", "volume mean over the cell's voxels", &CellSample::mean_temperature,
     false},
    {"max_temperature", "K", "hottest voxel of the cell", &CellSample::max_temperature, false},
    {"heat_released", "J",
     "heat the cell has put into the pack since the start: released in its jelly roll and kept "
     "there, plus what its vent fire deposited",
     &CellSample::heat_released, false},
    {"pressure", "Pa", "absolute pressure in the cell's can", &CellSample::pressure, true},
    {"vent_mass_flow", "kg/s", "mass flow through the vent, averaged over the last step",
     &CellSample::vent_mass_flow, true},
    {"vented_mass", "kg", "liquid electrolyte vented since the start", &CellSample::vented_mass,
     true},
    {"vented_gas_mass", "kg", "non-condensable gas vented since the start",
     &CellSample::vented_gas_mass, true},
    {"heat_kept_in_body", "J", "heat released in the jelly roll that stayed in it, since the start",
     &CellSample::heat_kept_in_body, true},
    {"heat_carried_by_ejecta", "J",
     "heat carried out by vented gas, vapour, droplets and ejected solids, since the start",
     &CellSample::heat_carried_by_ejecta, true},
    {"plume_heat_received", "J", "heat every vent plume (its own included) put on this cell",
     &CellSample::plume_heat_received, true},
    {"plume_heat_to_self", "J", "heat this cell's plume (ejecta and fire) put back on itself",
     &CellSample::plume_heat_to_self, true},
    {"plume_heat_to_other_cells", "J", "heat this cell's plume put on other cells",
     &CellSample::plume_heat_to_other_cells, true},
    {"plume_heat_to_enclosure", "J",
     "heat this cell's plume put on solids outside cells (lid, walls, busbars, barriers)",
     &CellSample::plume_heat_to_enclosure, true},
    {"plume_heat_carried_out", "J", "heat of this cell's plume that left the pack",
     &CellSample::plume_heat_carried_out, true},
    {"combustion_heat", "J", "heat this cell's vent fire released", &CellSample::combustion_heat,
     true},
    {"unburnt_fuel_heat", "J", "heat of the vented fuel that found no oxygen and left unburnt",
     &CellSample::unburnt_fuel_heat, true},
    {"heat_in_gas_conduction", "J",
     "heat that entered this cell by conduction through gas (gaps, air), net",
     &CellSample::heat_in_gas_conduction, true},
    {"heat_in_gap_radiation", "J", "heat that entered this cell by radiation across gas gaps, net",
     &CellSample::heat_in_gap_radiation, true},
    {"heat_in_solid_contact", "J",
     "heat that entered this cell from solids outside cells (barriers, plates, busbars), net",
     &CellSample::heat_in_solid_contact, true},
    {"heat_in_cell_contact", "J", "heat that entered this cell from cells touching it, net",
     &CellSample::heat_in_cell_contact, true},
    {"heat_in_boundary", "J", "heat that entered this cell through the model's boundary, net",
     &CellSample::heat_in_boundary, true},
    {"plume_fire_heat_received", "J",
     "part of plume_heat_received that came from vent fires (the rest is ejecta enthalpy)",
     &CellSample::plume_fire_heat_received, true},
}};

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
