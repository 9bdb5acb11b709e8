// `runaway check CONFIG [--set key=value ...]`: validate a pack file and summarise it (cells,
// stored energy, liquid class of each chemistry, grid, memory, a rough run time). The summary is
// a plain struct so tests can check its numbers; the CLI only prints it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "host/config/config.hpp"
#include "kernels/chemistry.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::host {

// Rough run-time model of check's estimate (not a benchmark): an RKL2 stage moves ~33 B per
// voxel (the first design's estimate; docs/design.md §10 counts 60 B for the fused stage) at an
// effective 10 GB/s, ~15 % of the 69 GB/s triad measured on the project's 2-core CPU, where the
// first stencil prototypes ran at 14-42 % of triad.
inline constexpr double kStageBytesPerVoxel = 33.0;
inline constexpr double kAssumedEffectiveBandwidth = 10e9;  // bytes/s
// Kinetics per jelly-roll voxel per half step: ~1 us on one core of the project's CPU, seen in
// a first run of examples/module_12_prismatic_liquid.toml (0.28 s per step for 133k jelly-roll
// voxels with two runs sharing the 2 cores), so 0.5 us on 2 cores. Reaction-free voxels may be
// cheaper; an order of magnitude, not a benchmark.
inline constexpr double kAssumedKineticsSecondsPerVoxel = 0.5e-6;

struct ChemistrySummary {
  std::string name;
  double liquid_electrolyte_fraction = 0;  // kg liquid / kg cell
  kernels::ElectrolyteClass electrolyte_class = kernels::ElectrolyteClass::kLiquid;
  int cell_count = 0;
};

struct ModuleSummary {
  std::string name;
  std::string cell_type;
  int first_cell = 0;
  int cell_count = 0;
};

struct CheckSummary {
  std::string name;
  std::string file;
  int cell_count = 0;
  double stored_energy = 0;  // J, sum over cells of capacity x voltage x SOC
  std::vector<ModuleSummary> modules;
  std::vector<ChemistrySummary> chemistries;
  meshes::GridSize grid;
  meshes::VoxelSpacing spacing;
  std::int64_t voxel_count = 0;
  std::int64_t jelly_roll_voxel_count = 0;
  int material_count = 0;
  double model_bytes = 0;             // material + cell maps
  double run_bytes = 0;               // estimate for a run (voxelizer.hpp)
  double memory_limit = 0;            // mesh.max_memory, bytes
  double explicit_time_step = 0;      // s, forward-Euler limit of the grid
  int rkl2_stages = 0;                // per step at run.dt_max
  std::int64_t quiet_steps = 0;       // end_time / dt_max
  double run_time_estimate = 0;       // s, rough (see the constants above)
  std::vector<std::string> triggers;  // one line each
  std::vector<std::string> probes;    // one line each: kind, where, voxels read
  std::string verdict;                // the rule sets, or "" without [verdict]
  std::vector<std::string> warnings;
};

CheckSummary summarize(const PackConfig& config, const meshes::VoxelModel& model);
std::string format_summary(const CheckSummary& summary);

// Loads, validates, voxelizes and prints the summary to `out`; on bad input prints the error to
// `err`. Returns the exit code: 0 valid, 2 bad input, 1 any other failure.
int run_check(const std::string& config_path, const std::vector<std::string>& overrides,
              std::ostream& out, std::ostream& err);

// Registers `runaway check` on the app.
void add_check_command(CLI::App& app);

}  // namespace runaway::host
