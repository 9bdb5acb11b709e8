// One propagation run from a pack config to a results directory, and the propagation summary
// read back from that directory (the same numbers `runaway run`, `compare` and `batch` print).
#pragma once

#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/solver/partitioner.hpp"
#include "host/solver/simulation.hpp"
#include "host/verdict/verdict_rules.hpp"
#include "io/model.hpp"
#include "kernels/backend.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::host {

struct RunOptions {
  std::string config_path;             // may be empty with a restart: the checkpoint has it
  std::vector<std::string> overrides;  // "key=value", applied to the config
  std::filesystem::path output_dir;    // may be empty with a restart: the checkpoint's folder
  bool overwrite = false;              // replace an existing result in output_dir
  std::filesystem::path restart;       // a checkpoint to continue from
  kernels::BackendChoice backend = kernels::BackendChoice::kAuto;
  double checkpoint_interval = 600;  // wall-clock seconds between checkpoints; 0: never
  bool show_progress = true;         // progress bar on a terminal, periodic lines otherwise
  bool print_summary = true;
  // Write results on an output thread while the solver goes on (docs/output-format.md);
  // false: write them in the time loop, as before (to compare, or to rule the thread out).
  bool async_output = true;
  // Give up OpenMP threads while another process keeps this machine's cores busy, and try them
  // back now and then (host/run/thread_team.hpp); false: the team stays as OpenMP set it. Not
  // in a run split over MPI ranks.
  bool share_busy_cores = true;
  std::string command_line;           // for provenance
  std::string config_text;            // used instead of reading config_path when not empty
  std::string config_base_directory;  // for includes of config_text
  // Splits the run over processes (the MPI build's parallel::MpiPartitioner); null: this
  // process runs the whole grid. Not owned.
  const Partitioner* partitioner = nullptr;
};

struct CellOutcome {
  std::string name;
  std::string electrolyte_class;  // liquid, semi-solid, all-solid
  double liquid_electrolyte_fraction = 0;
  double onset_time = 0;         // s, NaN if the cell never ran away
  double peak_temperature = 0;   // K
  double heat_released = 0;      // J the cell put into the pack, last sample
  double centre[3] = {0, 0, 0};  // m

  // From /cells series that results written before them lack: NaN there ("not recorded").
  double peak_pressure = NAN;           // Pa, the highest sample of the can's pressure
  double vented_mass = NAN;             // kg of liquid electrolyte vented, last sample
  double vented_gas_mass = NAN;         // kg of non-condensable gas vented, last sample
  double heat_kept_in_body = NAN;       // J, last sample
  double heat_carried_by_ejecta = NAN;  // J, last sample
  // The vent plumes (docs/physics.md "The vent plume"), J, last sample: what all plumes put on
  // this cell; where its own plume's heat went; its fire's heat and the fuel it could not burn.
  double plume_heat_received = NAN;
  double plume_heat_to_self = NAN;
  double plume_heat_to_other_cells = NAN;
  double plume_heat_to_enclosure = NAN;
  double plume_heat_carried_out = NAN;
  double combustion_heat = NAN;
  double unburnt_fuel_heat = NAN;
  // Which way heat entered the cell, J net, last sample (docs/physics.md "Heat pathways").
  double heat_in_gas_conduction = NAN;
  double heat_in_gap_radiation = NAN;
  double heat_in_solid_contact = NAN;
  double heat_in_cell_contact = NAN;
  double heat_in_boundary = NAN;
  double plume_fire_heat_received = NAN;

  // The share of the cell's heat kept in its body, body / (body + ejecta); NaN without heat, and
  // only for a cell that ran away: the split of a cell that did not is not a runaway's (its vent
  // may have taken more heat than its reactions released, the rest came from its neighbours).
  double body_share() const {
    if (std::isnan(onset_time)) return NAN;
    return heat_kept_in_body / (heat_kept_in_body + heat_carried_by_ejecta);
  }
};

struct RunSummary {
  std::string name;               // the config's name
  std::filesystem::path results;  // results.h5
  std::vector<CellOutcome> cells;
  int cells_in_runaway = 0;
  double first_onset = 0;            // s, NaN if none
  double last_onset = 0;             // s, NaN if none
  double cells_per_minute = 0;       // (n - 1) / (last - first onset), NaN with < 2 cells
  double front_speed = 0;            // m/s, least-squares distance over time from the first cell
  double peak_temperature = 0;       // K
  double total_heat_released = 0;    // J
  bool propagation_stopped = false;  // some cell never ran away
  std::string stopped_before;        // the first cell next to the front that did not run away
  double end_time = 0;               // s simulated
  double wall_time = 0;              // s
  // Of this invocation only (NaN when read back from results.h5): stiff-integrator sub-steps,
  // and simulated seconds (since the restart, if any) per wall second.
  double kinetics_substeps = NAN;
  double simulated_per_wall_second = NAN;
  std::string backend;
  std::string verdict;  // one line, e.g. "propagated to 12 of 12 cells in 312 s"
  // The [verdict] rules judged on the run (docs/verdicts.md); none without [verdict].
  std::optional<VerdictReport> verdicts;

  // NaN when the results do not record them (written before the series existed).
  double peak_pressure = NAN;                 // Pa, highest over cells and samples
  double total_vented_mass = NAN;             // kg, summed over cells
  double total_vented_gas_mass = NAN;         // kg, summed over cells
  double total_heat_kept_in_body = NAN;       // J, summed over cells
  double total_heat_carried_by_ejecta = NAN;  // J, summed over cells
  // The plumes' heat, J, summed over cells: onto cells (their own and others), onto the rest of
  // the pack, out of it; their fires' heat and the fuel heat that found no oxygen.
  double total_plume_heat_to_cells = NAN;
  double total_plume_heat_to_enclosure = NAN;
  double total_plume_heat_carried_out = NAN;
  double total_combustion_heat = NAN;
  double total_unburnt_fuel_heat = NAN;

  // The share of the pack's cell heat kept in the cells' bodies; NaN without heat.
  double body_share() const {
    return total_heat_kept_in_body / (total_heat_kept_in_body + total_heat_carried_by_ejecta);
  }
};

// Where the built-in examples live: $RUNAWAY_EXAMPLES_DIR, else the source tree's examples/.
std::filesystem::path examples_dir();

// Runs a case: config -> voxel model -> simulation -> results.h5 + results.xdmf. Writes a
// checkpoint at the wall-clock interval and on SIGINT/SIGTERM (then throws runaway::Error with
// the command that continues the run). Throws runaway::Error for bad input or a failed run.
RunSummary run_case(const RunOptions& options);

// The model as results and model files describe it: grid, maps, material and cell tables (cell
// names, chemistry, electrolyte class, centres).
io::ModelData model_data(const PackConfig& config, const meshes::VoxelModel& model);

// Reads a finished results directory (or results.h5) and computes the propagation summary.
RunSummary summarize_results(const std::filesystem::path& results);

// The end-of-run report: which cells ran away and when, speeds, peak, heat, verdict.
std::string summary_text(const RunSummary& summary);

}  // namespace runaway::host
