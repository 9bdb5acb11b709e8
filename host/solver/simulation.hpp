// The coupled thermal-runaway simulation: conduction (RKL2) and per-voxel kinetics by Strang
// splitting, internal short circuit, venting, combustion in flame regions, heater/nail/oven
// triggers, a per-cell state machine and an adaptive step (docs/design.md §5-§6).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "host/solver/conduction_solver.hpp"
#include "host/solver/field_registry.hpp"
#include "host/solver/vent_plume.hpp"
#include "kernels/backend.hpp"
#include "kernels/cell_events.hpp"
#include "kernels/chemistry.hpp"
#include "kernels/coupling.hpp"

namespace runaway::host {

inline constexpr double kNotYet = std::numeric_limits<double>::quiet_NaN();

// A face of a cell's surface, for the heat-pathway books (kernels/heat_pathways.hpp): the cell's
// voxel (interior index, global until a run is split), the direction across it (a kernels::Face),
// what lies there (a kernels::HeatPathway) and the conductivities the split needs.
struct CellSurface {
  std::int64_t voxel = 0;
  int direction = 0;
  int cell = 0;
  int category = 0;
  double k_cell = 0;  // W/(m K) along the face's axis
  double k_gas = 0;   // W/(m K), the gas across (gas faces only)
};

struct CellSetup {
  std::string name;
  int chemistry_slot = 0;    // SimulationInput::chemistries entry whose cell-level data apply
  double stored_energy = 0;  // J, capacity x voltage x SOC
  PlumePath plume;           // where its vent plume and fire go (host/solver/vent_plume.hpp)
};

enum class TriggerKind { kHeater, kNail, kOven };

struct Trigger {
  TriggerKind kind = TriggerKind::kHeater;
  int cell = -1;                                              // heater and nail: the cell
  double start = 0;                                           // s
  double duration = std::numeric_limits<double>::infinity();  // s (heater)
  double power = 0;                                           // W (heater)
  std::vector<std::int64_t> voxels;  // heater: interior indices of the heated layer
  // Oven: every convective face's ambient ramps from the initial temperature at ramp_rate to
  // hold_temperature, then holds.
  double ramp_rate = 0;         // K/s
  double hold_temperature = 0;  // K
};

struct SimulationControl {
  double end_time = 600;              // s
  double initial_dt = 0.05;           // s
  double min_dt = 1e-3;               // s
  double max_dt = 1.0;                // s
  double max_temperature_change = 5;  // K per step, outside voxels already in runaway
  // Target of the conduction's estimated local time error per step, K, over every voxel not in
  // runaway (kernels::Rkl2TimeError; docs/design.md §5.5). Infinity: not controlled.
  double temperature_tolerance = std::numeric_limits<double>::infinity();
  double kinetics_tolerance = 1e-4;  // relative, per sub-step (pack_kinetics_tolerances)
  double frame_interval = 10;        // s between field frames
  double sample_interval = 0.5;      // s between per-cell samples
  double onset_rate = kernels::kDefaultRunawayRateThreshold;  // K/s
  // A jelly-roll voxel whose reactions cannot heat it by more than this (K/s) at its temperature
  // is quiet: its stiff integration is skipped (kernels::quiet_temperature). 1e-6 K/s is 300x
  // below an ARC's detection threshold (0.02 K/min) and heats a voxel by < 1e-3 K in 1000 s;
  // 0 integrates every voxel every step.
  double quiet_rate = 1e-6;  // K/s
  // The vent plume (docs/physics.md "The vent plume"): ASSUMED values, no measured source found.
  // It leaves the vent at 1273 K, the order of vent-flame temperatures (its heat transfer along
  // the path follows a correlation, kernels/vent_plume.hpp). Its fire radiates 0.3 of its heat
  // from a point source: hydrocarbon flames radiate 0.2-0.4 (fire-engineering handbooks' range).
  double flame_temperature = 1273.15;   // K
  double flame_radiant_fraction = 0.3;  // chi_r
};

// A monitoring point (docs/verdicts.md "Probes"): the voxels whose temperature it reports, as a
// mean or a maximum.
struct ProbeSetup {
  std::string name;
  std::vector<std::int64_t> voxels;  // interior indices, global until a run is split
  bool maximum = false;
  double global_count = 0;  // voxels on all ranks together
};

// Everything a run needs, on the host, in SI units; arrays are interior [z][y][x].
struct SimulationInput {
  ConductionProblem conduction;
  std::vector<std::int32_t> cell_ids;           // -1 outside cells
  std::vector<kernels::Chemistry> chemistries;  // effective chemistry per slot
  std::vector<int> chemistry_slot_of_material;  // -1 for inert materials
  std::vector<CellSetup> cells;
  std::vector<GasRegion> gas_regions;      // where the plumes' fires draw oxygen from
  std::vector<CellSurface> cell_surfaces;  // sorted by cell, then category
  std::vector<Trigger> triggers;
  std::vector<ProbeSetup> probes;
  SimulationControl control;
  Placement placement;
};

// The positions of the voxels of `block` that are active (reactive material inside a cell) in the
// single grid's active list of `global` (sorted by cell, then interior index), in the block's
// own active order; and the list's length. For Placement.
std::vector<std::int64_t> active_positions(const SimulationInput& global, const Block& block,
                                           std::int64_t* global_active_count);

enum class EventKind { kVent, kShortCircuit, kRunaway, kBurntOut, kTriggerOn, kTriggerOff };
const char* to_string(EventKind kind);

struct CellEvent {
  int cell = -1;
  EventKind kind = EventKind::kVent;
  double time = 0;         // s
  double temperature = 0;  // K, the cell's mean jelly-roll temperature then
};

// One cell's state: the event model's (kernels/cell_events.hpp, the same as `runaway cell`'s) and
// what only a pack has (where its vent plume's heat went, its statistics).
struct CellRecord {
  kernels::CellEventParameters parameters;
  kernels::CellEventState events;
  kernels::CellPhase phase = kernels::CellPhase::kNormal;
  double peak_temperature = 0;  // K
  // Its vent plume (ejecta enthalpy and fire), J since the start (docs/physics.md "The vent
  // plume"): what its fire released, what it could not burn for want of oxygen, and where the
  // plume's heat went: onto this cell, onto other cells, onto the rest of the pack, out of it.
  double combustion_heat = 0;
  double unburnt_fuel_heat = 0;
  double plume_heat_to_self = 0;
  double plume_heat_to_other_cells = 0;
  double plume_heat_to_enclosure = 0;
  double plume_heat_carried_out = 0;
  double plume_heat_received = 0;       // J every plume (its own included) deposited on this cell
  double plume_fire_heat_received = 0;  // J of that from fires (the rest is ejecta enthalpy)
  // Heat that entered the cell through its surface, J net, by what lies across: a
  // kernels::HeatPathway each (docs/physics.md "Heat pathways").
  double pathway_heat[kernels::kHeatPathwayCount] = {};
  double initial_releasable_heat = 0;
  double initial_electrolyte = 0;       // kg of liquid electrolyte at the start
  kernels::CellStatistics stats;        // of the last step
  double previous_check_time = -1;      // s, the check before the last (to predict crossings)
  double previous_max_temperature = 0;  // K, then

  // Event times, s; NaN: not yet.
  double vent_time() const { return when(kernels::kEventVent, events.vent_open_time); }
  double short_time() const {
    return when(kernels::kEventShortCircuit, events.short_circuit_start_time);
  }
  double onset_time() const { return when(kernels::kEventRunaway, events.runaway_onset_time); }
  double burnt_out_time() const { return when(kernels::kEventBurntOut, events.burnt_out_time); }
  double vented_mass() const { return events.vented_mass; }                           // kg
  double short_circuit_heat() const { return events.short_circuit_energy_released; }  // J
  double pressure() const { return events.pressure; }                // Pa, absolute, in the can
  double vent_mass_flow() const { return events.vent_mass_flow; }    // kg/s, last step's average
  double vented_gas_mass() const { return events.vented_gas_mass; }  // kg of gas vented so far
  // Heat released in the jelly roll (reactions, short) that stayed in it, and what the vented gas,
  // vapour, droplets and ejected solids carried out, J (docs/physics.md "Gas, pressure and
  // venting").
  double heat_kept_in_body() const { return events.body_heat; }
  double heat_carried_by_ejecta() const { return events.ejecta_heat; }

 private:
  double when(kernels::CellEvent e, double t) const {
    return kernels::has_event(events, e) ? t : kNotYet;
  }
};

class SimulationObserver {
 public:
  virtual ~SimulationObserver() = default;
  virtual void on_frame(class Simulation&) {}
  virtual void on_sample(Simulation&) {}
  virtual void on_event(Simulation&, const CellEvent&) {}
  virtual void on_step(Simulation&) {}
};

void validate(const SimulationInput& input);

// Accuracy of the per-voxel kinetics integrator in a pack (looser than the 0D runs').
kernels::KineticsTolerances pack_kinetics_tolerances(double relative = 1e-4);

class Simulation {
 public:
  // `domain`: the ranks of a decomposed run (input is then this rank's block, with its
  // placement); the serial domain by default. Every method but the field accessors is then
  // collective, and per-cell records, events and time are the same on every rank.
  Simulation(kernels::Backend& backend, SimulationInput input,
             const Domain& domain = serial_domain());

  // Runs to the end time (or until `stop` returns true after a step).
  void run(SimulationObserver* observer = nullptr);
  // One coupled step of size dt (the controller's choice when dt <= 0); returns the dt taken.
  double step(double dt = 0);

  double time() const { return conduction_.time(); }
  double next_dt() const { return dt_; }
  std::int64_t step_count() const { return steps_; }
  const SimulationInput& input() const { return input_; }
  const std::vector<CellRecord>& cells() const { return records_; }
  const std::vector<CellEvent>& events() const { return events_; }
  int cells_in_runaway() const;
  double max_temperature() const { return conduction_.max_temperature(); }
  double last_temperature_change() const { return last_change_; }
  // The conduction's largest estimated local time error of the last step, K (0 if not
  // controlled).
  double last_time_error() const { return last_time_error_; }
  // Active voxels integrated by the last kinetics half step (the rest were quiet).
  std::int64_t reacting_voxels() const { return reacting_count_; }
  // Stiff-integrator sub-steps (accepted + rejected) of every voxel since the run (or its
  // restart) began, summed over ranks: the propagation phase's cost, for benchmarks.
  double kinetics_substeps() const;
  ConductionSolver& conduction() { return conduction_; }
  kernels::Backend& backend() { return backend_; }

  // Fields for output, interior [z][y][x] of this rank's block (copied from the backend).
  std::vector<double> temperature_field() const { return conduction_.temperature(); }
  std::vector<double> heat_release_field() const;      // W/m^3, 0 outside jelly rolls
  std::vector<double> arrival_time_field() const;      // s, NaN where runaway has not arrived
  std::vector<double> electrolyte_left_field() const;  // share of the initial liquid, NaN outside
  // Converted share of the named reaction, NaN outside jelly rolls and where it does not occur.
  std::vector<double> progress_field(const std::string& reaction) const;
  std::vector<std::string> reaction_names() const;
  // Energy bookkeeping: everything released into the model so far, J.
  double total_heat_released() const;
  // Heat one cell has put into the pack so far, J: what its reactions and short circuit released
  // and kept in its jelly roll (not what the ejecta carried out) and what its vent plume
  // (ejecta and fire) deposited on the pack's solids.
  double cell_heat_released(int cell) const;
  // Each probe's temperature now (its voxels' mean or maximum), K. Collective.
  std::vector<double> probe_temperatures();
  // Oxygen left in each gas region, kg (open regions keep their initial mass).
  const std::vector<double>& oxygen_left() const { return oxygen_left_; }

  // In the single grid's layout whatever the decomposition: complete on rank 0 (other ranks of
  // a decomposed run get the per-cell and scalar parts only). Collective.
  SimulationSnapshot snapshot() const;
  // Every rank takes its part of a single-grid snapshot. Throws runaway::Error if the snapshot
  // does not fit this simulation's input.
  void restore(const SimulationSnapshot& snapshot);

 private:
  // The steps of Simulation::step, in the order they run.
  double choose_step(double dt) const;
  void update_drivers(double dt);
  void kinetics_half_step(double dt, double time_end, bool after_conduction);
  void hand_region_sources_to_conduction();
  // The plumes' heat of the last step: a source of this step's conduction
  // (kernels::SpreadHeldHeat); at the run's end, added at once.
  bool hand_plume_heat_to_conduction();
  void settle_plume_heat();
  void collect_cell_statistics();
  void close_cell_steps(double dt);
  void adapt_step(double taken);
  // Set-up.
  std::vector<kernels::Index> build_active_list();
  void allocate_fields();
  void build_regions();
  void build_cell_records();
  void build_plumes();
  void build_heat_pathways();
  void build_probes();
  // Books the step's heat through every cell's surface (after conduction, ghosts current).
  void book_heat_pathways(double dt);
  // The vent plume of a cell over the step of length dt: `ejecta` J of enthalpy and `combustion`
  // J its fire could release; books this rank's deposits (simulation.cpp says where).
  void deposit_plume(std::size_t cell, double ejecta, double combustion, double dt,
                     std::vector<kernels::CompensatedSum>* books);
  void record(int cell, EventKind kind, double when);
  void report_events(SimulationObserver* observer);

  kernels::Backend& backend_;
  const Domain& domain_;
  SimulationInput input_;
  ConductionSolver conduction_;

  // Active (jelly-roll) voxels, sorted by cell, and every per-voxel array (field_registry.hpp).
  std::vector<kernels::Index> cell_begin_host_;
  std::vector<double> cell_voxels_;  // active voxels per cell on all ranks together
  std::unique_ptr<FieldRegistry> fields_;
  kernels::DeviceArray<kernels::Chemistry> chemistries_;
  kernels::DeviceArray<int> failures_;
  kernels::DeviceArray<kernels::Index> chunk_begin_;       // per-cell statistics chunks
  kernels::DeviceArray<kernels::Index> cell_chunk_begin_;  // first chunk of each cell
  kernels::DeviceArray<kernels::CellPartial> chunk_stats_;
  kernels::Index chunk_count_ = 0;
  kernels::DeviceArray<kernels::CellPartial> cell_stats_;
  kernels::DeviceArray<double> cell_source_;
  kernels::DeviceArray<std::uint8_t> cell_vent_open_;
  kernels::DeviceArray<kernels::VentFlow> cell_vent_flow_;
  kernels::DeviceArray<double> quiet_temperature_;  // per chemistry slot
  kernels::DeviceArray<kernels::Index> reacting_list_;
  kernels::Index reacting_count_ = 0;
  kernels::KineticsView view_;

  // Each cell's plume on this rank: the distinct voxels its faces and radiation reach.
  struct Plume {
    kernels::DeviceArray<kernels::Index> voxels;  // padded indices
    kernels::DeviceArray<double> values;          // their temperatures, then their joules
    std::vector<double> host_values;
    std::vector<std::int32_t> voxel_cell;  // cell id of each voxel, -1 outside cells
    std::vector<int> face_slot;            // voxel of each of input_.cells[c].plume.faces
    std::vector<int> radiation_slot;       // voxel of each radiation target
  };
  std::vector<Plume> plumes_;
  // Every plume's voxels on this rank, each once, for the held heat ("plume_heat_held").
  kernels::DeviceArray<kernels::Index> plume_voxels_;
  kernels::Index plume_voxel_count_ = 0;
  bool plume_voxels_on_boundary_ = false;
  bool plume_heat_held_ = false;  // some plume deposited heat that no conduction spread yet
  // The cells' surface faces on this rank and their segments (cell x pathway).
  kernels::DeviceArray<kernels::CellSurfaceFace> surface_faces_;
  kernels::Index surface_face_count_ = 0;
  kernels::DeviceArray<double> surface_joules_;  // conducted, then radiated, per face
  kernels::DeviceArray<kernels::Index> surface_begin_, surface_end_;  // per cell x pathway
  kernels::DeviceArray<kernels::CompensatedSum> surface_sums_;
  std::vector<double> oxygen_left_;  // kg per gas region
  // Every probe's voxels on this rank, one after the other (padded indices), and their values.
  kernels::DeviceArray<kernels::Index> probe_voxels_;
  kernels::DeviceArray<double> probe_values_;
  std::vector<double> probe_host_values_;

  // Heat-source regions: one per heater trigger.
  struct Region {
    kernels::DeviceArray<kernels::Index> voxels;
    kernels::Index count = 0;
    double global_count = 0;   // voxels on all ranks together
    double power = 0;          // W over the current step (heaters)
    bool on_boundary = false;  // a voxel on this rank's grid's outer faces
  };
  std::vector<Region> regions_;

  std::vector<CellRecord> records_;
  std::vector<CellEvent> events_;
  std::vector<double> cell_source_host_;
  std::vector<std::uint8_t> vent_open_host_;
  std::vector<kernels::VentFlow> vent_flow_host_;
  std::vector<std::uint8_t> trigger_on_;
  double dt_ = 0;
  double last_change_ = 0;
  double last_time_error_ = 0;
  double next_frame_ = 0;
  double next_sample_ = 0;
  std::int64_t steps_ = 0;
  std::size_t reported_events_ = 0;
  double ambient0_[kernels::kFaceCount] = {};
};

}  // namespace runaway::host
