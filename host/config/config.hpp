// Pack configuration: a TOML file (docs/config.md) parsed into PackConfig, validated, and turned
// into the voxel model the solver runs on. SI units in every key (m, kg, J, K, s, W); the one
// exception, capacity_ah, says its unit in its name.
//
// Pipeline:  load_config_table(path)        TOML + includes, merged into one table
//            apply_override(table, "a.b=v")  --set from the command line (batch sweeps)
//            parse_pack_config(table)        typed, validated PackConfig
//            build_voxel_model(config)       meshes::VoxelModel
// load_pack_config() runs the first three. Every bad input throws runaway::Error (kind bad
// input, exit code 2) naming the file, line and dotted key.
#pragma once

#include <array>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "kernels/chemistry.hpp"
#include "kernels/conduction.hpp"
#include "meshes/pack.hpp"
#include "meshes/voxel_model.hpp"

namespace runaway::host {

// Where a key was set: the file and 1-based line, or "(command line)" and 0 for --set values.
struct SourceLocation {
  std::string file;
  int line = 0;
};

// A chemistry the pack uses: a library entry, a library entry with overrides, or a custom set.
struct PackChemistry {
  std::string name;
  std::string base;  // library chemistry it starts from; empty when fully custom
  kernels::Chemistry chemistry;
};

// Power on one face of a cell for a while (an external heater, as in propagation tests).
struct HeaterTrigger {
  int cell = 0;                                         // cell id
  meshes::Direction face = meshes::Direction::kXMinus;  // face of the cell the heater is on
  double power = 0;                                     // W
  double start_time = 0;                                // s
  double duration = 0;                                  // s
};

// Internal short circuit forced at a time (nail penetration).
struct NailTrigger {
  int cell = 0;     // cell id
  double time = 0;  // s
};

// Oven test: the ambient of every outer face ramps from start_temperature at ramp_rate to
// hold_temperature, then holds; the faces exchange heat with it by convection and radiation.
struct OvenTrigger {
  double start_temperature = 298.15;     // K
  double ramp_rate = 0;                  // K/s
  double hold_temperature = 0;           // K
  double heat_transfer_coefficient = 0;  // W/(m^2 K)
  double emissivity = 0;
};
// Ambient temperature of the oven at `time`, K.
double oven_temperature(const OvenTrigger& oven, double time);

// A monitoring point of a propagation test (docs/verdicts.md "Probes"): where a test lab puts a
// thermocouple, sampled at output.series_interval into results.h5 /probes.
enum class ProbeKind { kPoint, kCellSurface, kRegion, kWall };
enum class ProbeStatistic { kMean, kMax };
const char* to_string(ProbeKind kind);
const char* to_string(ProbeStatistic statistic);

struct ProbeConfig {
  std::string name;
  ProbeKind kind = ProbeKind::kPoint;
  ProbeStatistic statistic = ProbeStatistic::kMean;    // over the probe's voxels
  meshes::Vec3 position{0, 0, 0};                      // point: m
  int cell = -1;                                       // cell surface: the cell id
  meshes::Direction face = meshes::Direction::kZPlus;  // cell surface, wall: the side
  bool bounded = false;                                // region (always), wall patch (optional)
  meshes::Vec3 min{0, 0, 0}, max{0, 0, 0};             // m, the box the voxel centres lie in
  std::string key;                                     // "probe[2]", for messages
};

// The rules a run is judged by (docs/verdicts.md), evaluated on the probes and the cells'
// series after the run. Temperatures in K, times in s.
struct VerdictConfig {
  std::vector<std::string> rules;  // gb38031-2025, gb38031-2020, gtr20, ul9540a-module
  // GB 38031-2025 C.5.3.7 b): the maker's maximum operating temperature; NaN: not given (then
  // only the voltage drop and the temperature rate confirm runaway).
  double max_operating_temperature = std::numeric_limits<double>::quiet_NaN();
  // How the model's BMS raises the thermal-event warning: "confirmation" (when a cell's runaway
  // is confirmed by the rule's criterion), "temperature" (a probe reaches alarm_temperature) or
  // "vent" (the first vent opens: a gas or pressure sensor); alarm_delay is added.
  std::string alarm = "confirmation";
  double alarm_temperature = std::numeric_limits<double>::quiet_NaN();
  double alarm_delay = 0;
  int initiating_cell = -1;             // default: the first trigger's cell
  std::vector<int> initiating_module;   // cell ids; default: the initiating cell's module
  double observation_time = 0;          // s after the trigger; 0: the rule's own
  bool extend_run = false;              // run.end_time raised to the observation window
  double cool_temperature = 333.15;     // K: every probe back under 60 degC (GB 38031-2025)
  double wall_temperature_rise = 97.0;  // K, UL 9540A unit-level limit on target walls
  // Flammable share of vent gas in air at its lower limit, volume fraction. ASSUMED: 0.075, in
  // the 6-9 % range reported for NMC/LFP vent gas (Baird, Archibald, Marr, Ezekoye, J. Power
  // Sources 446 (2020) 227257); UL 9540A itself asks for an ASTM E918 measurement.
  double lower_flammability_limit = 0.075;
};

struct RunControl {
  double end_time = 0;                  // s
  double dt_min = 1e-4;                 // s, smallest step the controller may take
  double dt_max = 1.0;                  // s, step when quiet (docs/design.md §5.5)
  double max_temperature_change = 5.0;  // K, largest temperature change per step
  // K, target of the conduction's time error (docs/design.md §5.5); infinity: not controlled.
  double temperature_tolerance = std::numeric_limits<double>::infinity();
  // dt_max when temperature_tolerance is given and dt_max is not: a hard cap, far above the
  // steps the error allows in most runs, so that the error, not dt_max, sets quiet steps.
  static constexpr double kDtMaxWithTolerance = 60.0;  // s
  double initial_temperature = 298.15;                 // K, of every voxel at t = 0
  // Relative error per sub-step of the per-voxel stiff integrator (kinetics.hpp): the
  // work-precision table of docs/performance.md measured the default.
  double kinetics_tolerance = 1e-4;
};

struct OutputConfig {
  double frame_interval = 10.0;  // s between 3D field frames
  double series_interval = 1.0;  // s between per-cell time-series samples
  std::vector<std::string> fields{"temperature", "arrival_time"};
};
// Names accepted in output.fields.
const std::vector<std::string>& output_field_names();

struct MeshConfig {
  meshes::Vec3 voxel_size{0, 0, 0};  // requested dx, dy, dz, m
  double max_memory = 8e9;           // bytes; larger models are refused
};

struct PackConfig {
  std::string file;                // the main config file
  std::vector<std::string> files;  // every file read, includes included
  std::string name;
  std::string description;
  // Geometry and materials (library entries overlaid with the file's). Cell ids follow module
  // order, then x fastest, y, z within a module.
  meshes::PackDescription pack;
  std::vector<PackChemistry> chemistries;  // every chemistry a cell type uses, by name
  std::array<kernels::BoundaryCondition, kernels::kFaceCount> boundaries{};  // -x,+x,-y,+y,-z,+z
  std::vector<HeaterTrigger> heaters;
  std::vector<NailTrigger> nails;
  std::optional<OvenTrigger> oven;
  RunControl run;
  OutputConfig output;
  MeshConfig mesh;
  std::vector<ProbeConfig> probes;
  std::optional<VerdictConfig> verdict;
  std::string resolved_toml;  // the merged input (includes and overrides applied), as TOML
  // Where keys were set, by dotted key ("module[1].position"), for later error messages.
  std::map<std::string, SourceLocation> locations;

  const PackChemistry* find_chemistry(const std::string& name) const;
  // Location of a dotted key, or of the main file when unknown.
  SourceLocation location_of(const std::string& key) const;
};

// Parses a TOML file and merges its includes (include = ["base.toml"], relative to the including
// file): included files first, in order, then the including file on top (tables merge key by
// key; values and arrays replace). An include cycle is an error.
toml::table load_config_table(const std::string& path);
// Same, from text; `origin` names it in messages and includes are relative to `base_directory`.
toml::table parse_config_text(const std::string& text, const std::string& origin = "(string)",
                              const std::string& base_directory = ".");

// Applies one "dotted.key=value" override. The value is parsed as TOML (0.003, "text", [1, 2],
// {a = 1}); a bare word that is not TOML (nmc-semisolid) is taken as a string. Keys may index
// arrays of tables (module[1].gap); a key through an array of tables without an index applies
// to every element (module.gap sets the gap of every module). Missing tables are created; the
// result is validated by parse_pack_config like any other input.
void apply_override(toml::table& root, const std::string& assignment);
// Same on TOML text; returns the text with the override applied.
std::string apply_override(const std::string& toml_text, const std::string& assignment);

// Typed, validated configuration from a merged table. `file` names the main file in messages.
PackConfig parse_pack_config(const toml::table& root, const std::string& file);

// load_config_table + apply_override for each "key=value" + parse_pack_config.
PackConfig load_pack_config(const std::string& path,
                            const std::vector<std::string>& overrides = {});

// The voxel model of the pack at the configured voxel size. A model over mesh.max_memory is
// refused (bad input, naming mesh.voxel_size and the numbers).
meshes::VoxelModel build_voxel_model(const PackConfig& config);

}  // namespace runaway::host
