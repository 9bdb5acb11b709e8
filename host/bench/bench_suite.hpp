// `runaway bench`: a fixed suite of Google Benchmark benchmarks of the solver's hot paths, with
// Google Benchmark's runner, console table and JSON schema (context + benchmarks with counters).
//
//   conduction/rkl2_stage/NxNxN      one RKL2 stage over an N^3 box (Backend::rkl2_stage)
//   kinetics/quiet/COUNT             a 0.5 s kinetics half step, voxels at 298.15 K
//   kinetics/runaway/COUNT           the same, voxels mid-runaway near 600 K
//   module/coupled_step/NXxNYxNZ     one quiet coupled step (dt = run.dt_max) of the 12-cell
//                                    module, and its ratio to conduction alone
//   module/run_Ts/NXxNYxNZ           the module run from t = 0 to T (heater on)
//   module/propagation/NXxNYxNZ      a propagating variant of the module through the runaway
//                                    of 3 cells: simulated s and kinetics sub-steps per wall
//                                    s, onsets checked against a tight reference run
//   pack/quiet/NXxNYxNZ              the MG4-like 312-cell pack with no trigger from t = 0
//
// Every benchmark reports voxel_updates_per_second, bytes_per_voxel (by design, see
// bench_fixtures.hpp), GB_per_second and fraction_of_bandwidth: the achieved bandwidth over STREAM
// triad measured in the same run (CPU) or over the device's peak (GPU). docs/performance.md
// describes each benchmark and how to read it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace runaway::host::bench {

struct SuiteOptions {
  std::string size = "S";              // S, M or L (XS: the tests' size, not advertised)
  int repetitions = 3;                 // per benchmark; the summary reports the median
  std::string json_path;               // Google Benchmark's JSON output; empty: none
  std::string filter;                  // ECMAScript regex on benchmark names; empty: all
  std::string config_path;             // module benchmarks; empty: the 12-cell liquid example
  std::vector<std::string> overrides;  // "key=value" on that config, after the size's own
};

// What a size means on this machine.
struct SuitePlan {
  std::string size;
  int cube = 0;                      // edge of the conduction box, voxels
  std::int64_t quiet_voxels = 0;     // cube^3 / 2: about the jelly-roll share of a pack
  std::int64_t runaway_voxels = 0;   // cube^2: a runaway front is a layer one voxel thick
  double module_voxels = 0;          // voxel count the module is refined towards: cube^3
  bool module_at_most = false;       // refine to at most module_voxels (L: memory bound)
  double module_run_time = 0;        // s simulated by module/run
  double propagation_time = 140;     // s simulated by module/propagation (3 cells run away)
  double pack_quiet_time = 60;       // s simulated by pack/quiet
  bool pack_at_example_mesh = true;  // pack/quiet at the example's mesh (XS: coarsened)
  double min_time = 0.5;             // s, Google Benchmark's minimum time per repetition
  double memory_budget = 0;          // bytes: half the backend's available memory
};

// Throws runaway::Error (bad input) for an unknown size, (runtime) when L cannot be sized.
SuitePlan make_plan(const std::string& size, double available_memory_bytes);

// Integer refinement r of a config's voxel size (r >= 1, or 1/r with an integer 1/r) that takes
// its voxel count `voxels` nearest to `target` (not above it when `at_most`). Dividing the
// voxel size by an integer keeps the cells on voxel faces where the example puts them.
double module_refinement(std::int64_t voxels, double target, bool at_most);

// Runs the suite and prints Google Benchmark's table and a summary of medians; writes the JSON
// when asked. Throws runaway::Error: bad input (exit code 2) before anything runs, runtime
// failure (1) when a benchmark failed.
void run_suite(const SuiteOptions& options);

}  // namespace runaway::host::bench
