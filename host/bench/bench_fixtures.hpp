// What `runaway bench` measures, built outside the timed loops: a conduction cube, a set of
// active voxels for the kinetics, and the 12-cell module as a Simulation. No Google Benchmark
// here; bench_suite.cpp times these.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host/solver/conduction_solver.hpp"
#include "host/solver/simulation.hpp"
#include "kernels/backend.hpp"
#include "kernels/chemistry.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::host::bench {

// ---- bytes per voxel by design (docs/performance.md, "runaway bench") ----------------------
// One RKL2 stage j >= 2 (kernels/conduction.hpp, Rkl2Stage): reads Y(j-1), Y(j-2), Y0, L(Y0) and
// 1/(rho cp) (5 x 8 B) and the three fp32 face conductances of the voxel's low faces (12 B),
// writes Y(j) (8 B). The +1 neighbours' conductances and the stencil's neighbour reads of Y(j-1)
// come from cache (rows of x are contiguous), and write-allocate traffic is not counted, as
// STREAM does not count it.
inline constexpr double kRkl2StageBytesPerVoxel = 5 * 8 + 3 * 4 + 8;  // 60

// One kinetics half step of one active voxel (kernels/coupling.hpp, KineticsUpdate), with R the
// chemistry's reaction count. Reads: voxel index (8), cell id (4), chemistry slot (1), R
// remaining fractions (8 R), electrolyte left (8), previous self-heating rate (8), sub-step hint
// (4), temperature (8), heat released and vented mass (16, accumulated): 57 + 8 R. Writes:
// temperature (8), R remaining fractions (8 R), electrolyte left (8), sub-step hint (4), heat
// release rate, self-heating rate, heat released, vented mass (32): 52 + 8 R. Per-cell drives
// and the chemistry table come from cache. nrel-lco (R = 4): 173 B.
inline constexpr double kinetics_bytes_per_voxel(int reaction_count) {
  return 109.0 + 16.0 * reaction_count;
}

// Bytes per voxel of a quiet voxel, which the step only checks (kernels::MarkReacting and the
// compaction): voxel index (8), cell id (4), chemistry slot (1), temperature (8), reacting flag
// read and written (2), flag read again by the compaction (1): 24 B.
inline constexpr double kQuietCheckBytesPerVoxel = 24.0;

// Memory a benchmark holds per voxel of its cube, an estimate used to size L. The module is the
// largest: meshes::kSolverBytesPerVoxel (96) plus kSolverBytesPerJellyRollVoxel (96) on the
// ~46 % of its voxels that are jelly roll, plus the host's voxel model, simulation input and
// the solver's set-up arrays (~45 B), rounded up.
inline constexpr double kLargestBenchBytesPerVoxel = 200;

// ---- conduction ----------------------------------------------------------------------------
// An n^3 box of two materials in alternating 16-voxel slabs along x (jelly roll and aluminium,
// so the face conductances vary), one fixed-temperature face and one convective face, with the
// three stage arrays of an RKL2 step ready for Backend::rkl2_stage.
class ConductionCube {
 public:
  ConductionCube(kernels::Backend& backend, int n);
  // Y(j) from Y(j-1), Y(j-2), Y0 and L(Y0) over the whole cube: one RKL2 stage.
  void rkl2_stage();
  std::int64_t voxel_count() const { return solver_.shape().interior_size(); }

 private:
  ConductionSolver solver_;
  kernels::DeviceArray<double> rate0_, y1_, y2_;
  kernels::Rkl2StageCoefficients coefficients_;
};

// ---- kinetics ------------------------------------------------------------------------------
enum class KineticsRegime {
  kQuiet,    // every voxel at 298.15 K in its initial state: one sub-step per half step
  kRunaway,  // states from the middle of an adiabatic runaway, near 600 K
};

// `count` active voxels of one chemistry, each its own cell-less voxel, in structure-of-arrays
// device storage as the coupled step keeps them.
class KineticsVoxels {
 public:
  KineticsVoxels(kernels::Backend& backend, const kernels::Chemistry& chemistry,
                 kernels::Index count, KineticsRegime regime);
  // Restores the initial states (and no sub-step hint), so that every timed half step integrates
  // the same physics.
  void reset();
  // One kinetics half step (0.5 s, the half of a 1 s quiet step) of every voxel.
  void half_step();
  // Voxels whose integrator failed in the last half step (0 or 1: the backend keeps one).
  int failures() const;
  kernels::Index count() const { return count_; }
  int reaction_count() const { return chemistry_.reaction_count; }
  // Accepted sub-steps per voxel over a half step, from a host probe of up to 97 voxels.
  double mean_substeps() const { return mean_substeps_; }
  // Temperature of the runaway state before the spread over voxels, K (298.15 when quiet).
  double state_temperature() const { return state_temperature_; }

 private:
  kernels::KineticsUpdate update();

  kernels::Backend& backend_;
  kernels::Chemistry chemistry_;
  kernels::Index count_;
  kernels::DeviceArray<kernels::Index> voxel_;
  kernels::DeviceArray<std::int32_t> cell_;
  kernels::DeviceArray<std::uint8_t> slot_;
  kernels::DeviceArray<kernels::Chemistry> chemistries_;
  kernels::DeviceArray<double> remaining_, remaining0_, electrolyte_, electrolyte0_, t_, t0_;
  kernels::DeviceArray<float> hint_, hint0_;
  static constexpr std::size_t kStepBudgets = 6;  // KineticsView's per-step arrays
  kernels::DeviceArray<double> heat_rate_, self_heating_, arrival_, released_, step_budget_;
  kernels::DeviceArray<std::uint8_t> in_runaway_;
  kernels::DeviceArray<int> failures_;
  kernels::DeviceArray<double> source_;
  kernels::DeviceArray<std::uint8_t> vent_open_;
  kernels::DeviceArray<kernels::VentFlow> vent_flow_;
  // As Simulation: a temperature check against the quiet temperature, compaction, integration.
  kernels::DeviceArray<double> quiet_temperature_;
  kernels::DeviceArray<std::uint8_t> reacting_;
  kernels::DeviceArray<kernels::Index> reacting_list_;
  double mean_substeps_ = 0;
  double state_temperature_ = 0;
};

// ---- the module ----------------------------------------------------------------------------
// A pack config with "key=value" overrides applied in order, voxelized, as simulation input.
struct ModuleCase {
  std::string name;                    // the config's name
  meshes::GridSize grid;               // voxels along x, y, z
  std::int64_t jelly_roll_voxels = 0;  // active voxels of the kinetics
  SimulationInput input;
};

// The pack config after the overrides, parsed and validated but not voxelized (cheap). Throws
// runaway::Error (bad input) like `runaway check`.
struct ModuleOutline {
  std::string name;
  meshes::GridSize grid;             // voxels along x, y, z
  meshes::Vec3 voxel_size{0, 0, 0};  // m, as asked for
  double end_time = 0;               // s
};
ModuleOutline module_outline(const std::string& config_path,
                             const std::vector<std::string>& overrides);

ModuleCase make_module_case(const std::string& config_path,
                            const std::vector<std::string>& overrides);

}  // namespace runaway::host::bench
