// Kernels of the coupled thermal-runaway step (docs/design.md §5-§6): per-active-voxel kinetics on
// a compact list, heat sources over voxel regions, per-cell segmented reductions, and the
// temperature change that drives the step controller. Both backends compile these functors.
//
// Active voxels are the jelly-roll voxels, stored as a compact list sorted by cell so that every
// cell owns one contiguous range [cell_begin[c], cell_begin[c+1]) of it: the per-cell reductions
// are then segmented reductions over those ranges.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/cell_events.hpp"
#include "kernels/chemistry.hpp"
#include "kernels/conduction.hpp"
#include "kernels/exact_sum.hpp"
#include "kernels/grid.hpp"
#include "kernels/hd.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::kernels {

// Device arrays of the reaction state, structure of arrays over the n active voxels.
struct KineticsView {
  Index count = 0;                          // active voxels
  const Index* voxel = nullptr;             // padded grid index of each active voxel
  const std::int32_t* cell = nullptr;       // cell id of each active voxel
  const std::uint8_t* chemistry = nullptr;  // slot in `chemistries` of each active voxel
  const Chemistry* chemistries = nullptr;   // effective chemistry per slot (scaled to the voxel)
  double* remaining = nullptr;              // c_i, [reaction][active]: remaining[i * count + m]
  double* electrolyte_left = nullptr;       // s per active voxel
  float* substep_hint = nullptr;            // the integrator's last sub-step, s
  // Sub-steps (accepted + rejected) each voxel's integrator has taken so far: what the
  // propagation phase costs (runaway bench module/propagation). nullptr: not counted.
  std::int32_t* substeps = nullptr;
  double* heat_release_rate =
      nullptr;  // net reaction heat of the last half step / its length, W/m^3
  double* self_heating_rate = nullptr;  // K/s at the end of the last half step
  double* arrival_time =
      nullptr;  // s, first time the self-heating rate passed the threshold; NaN before
  double* heat_released = nullptr;  // J/m^3 kept so far (reactions - ejected - vent heat)
  // The current step's budget of each voxel (reset by the driver every step):
  double* vented_mass = nullptr;             // kg/m^3 of liquid vented
  double* gas_generated = nullptr;           // mol/m^3 of gas made
  double* step_heat_kept = nullptr;          // J/m^3 of reaction heat kept (less the vent heat)
  double* ejected_heat = nullptr;            // J/m^3 of reaction heat ejected solids took
  double* vent_heat = nullptr;               // J/m^3 the vented liquid took
  double* electrolyte_decomposed = nullptr;  // kg/m^3 of liquid the reactions used up
  std::uint8_t* in_runaway = nullptr;  // padded grid flag: 1 once the voxel's arrival time is set
  int* failures = nullptr;             // 1 + an active index whose integrator failed; 0 if none
};

// Per-cell inputs of a kinetics half step.
struct CellDrive {
  const double* source = nullptr;  // W/m^3 in the jelly roll (cell_events.hpp cell_heat_source)
  const std::uint8_t* vent_open = nullptr;  // 1 while the cell's vent is open
  const VentFlow* vent = nullptr;           // what the open vent does (cell_vent_flow)
};

// The cost class of a reacting voxel over a half step of dt from its sub-step hint: 1 for about
// one sub-step, then one class per factor 4 of expected sub-steps, kCostClasses for thousands.
// The reacting list is ordered by class, heaviest first (Backend::select_reacting), so that a
// GPU warp's lanes take similar numbers of sub-steps and CPU threads start with the long jobs.
inline constexpr int kCostClasses = 7;
RUNAWAY_HD inline std::uint8_t cost_class(float substep_hint, double dt) {
  if (!(substep_hint > 0.0f) || !(dt > 0.0)) return 1;  // no hint yet: the integrator chooses
  const double substeps = dt / double(substep_hint);
  int c = 1;
  for (double bound = 4.0; c < kCostClasses && substeps >= bound; bound *= 4.0) ++c;
  return std::uint8_t(c);
}

// Which active voxels need the stiff integrator this half step: those at or above their
// chemistry's quiet temperature (kinetics.hpp), and every voxel of a cell with a short-circuit
// source or an open vent. The rest cost this check only. A voxel turning quiet gets its rates
// zeroed, so per-cell sums do not keep a stale value.
struct MarkReacting {
  KineticsView k;
  CellDrive drive;
  const double* t;                  // padded grid
  const double* quiet_temperature;  // K per chemistry slot
  std::uint8_t* reacting;  // per active voxel: 0 if quiet, else its cost class this half step
  double dt;               // s, the half step (for the cost class)
  RUNAWAY_HD void operator()(Index m) const {
    const std::int32_t cell = k.cell[m];
    const bool now = t[k.voxel[m]] >= quiet_temperature[k.chemistry[m]] ||
                     drive.source[cell] != 0.0 || drive.vent_open[cell] != 0;
    if (!now && reacting[m]) {
      k.heat_release_rate[m] = 0.0;
      k.self_heating_rate[m] = 0.0;
    }
    reacting[m] = now ? cost_class(k.substep_hint[m], dt) : 0;
  }
};

// One half step of the kinetics for active voxel m (subset[q] when the update runs over a
// compacted list of reacting voxels, q otherwise): stiff integration of (T, c, s) with the
// cell's short-circuit power as a constant source, then onset detection.
struct KineticsUpdate {
  KineticsView k;
  CellDrive drive;
  double* t;          // temperature, padded grid
  double dt;          // length of the half step, s
  double time_end;    // simulated time at its end, s
  double onset_rate;  // runaway onset threshold on the self-heating rate, K/s
  KineticsTolerances tolerances;
  const Index* subset = nullptr;  // active indices to integrate; nullptr: all k.count of them
  // The second half step of a split step: the conduction C(dt) ran since the last half step.
  bool after_conduction = false;

  RUNAWAY_HD void operator()(Index q) const {
    const Index m = subset != nullptr ? subset[q] : q;
    const Chemistry& chem = k.chemistries[k.chemistry[m]];
    const Index c = k.voxel[m];
    const std::int32_t cell = k.cell[m];
    KineticState state;
    for (int i = 0; i < chem.reaction_count; ++i) state.remaining[i] = k.remaining[i * k.count + m];
    state.electrolyte_left = k.electrolyte_left[m];
    // Until the voxel's onset, the integrator watches its self-heating rate sub-step by sub-step.
    const bool before_onset = std::isnan(k.arrival_time[m]);
    const double rate_before = k.self_heating_rate[m];  // at the last half step's end
    const KineticsStepResult r =
        advance_kinetics(chem, t[c], state, dt, drive.source[cell], drive.vent[cell], tolerances,
                         double(k.substep_hint[m]), before_onset ? onset_rate : 0.0);
    if (!r.converged) *k.failures = int(m) + 1;  // any one failing voxel, for the message
    t[c] = r.temperature;
    for (int i = 0; i < chem.reaction_count; ++i) k.remaining[i * k.count + m] = state.remaining[i];
    k.electrolyte_left[m] = state.electrolyte_left;
    k.substep_hint[m] = float(r.next_substep);
    if (k.substeps != nullptr) {
      k.substeps[m] += r.accepted_substeps + r.rejected_substeps;
    }
    k.heat_release_rate[m] = r.heat_released / dt;
    k.self_heating_rate[m] = r.self_heating_rate;
    k.heat_released[m] += r.heat_released;
    k.vented_mass[m] += r.vented_mass;
    k.gas_generated[m] += r.gas_generated;
    k.step_heat_kept[m] += r.heat_released;
    k.ejected_heat[m] += r.ejected_heat;
    k.vent_heat[m] += r.vent_heat;
    k.electrolyte_decomposed[m] += r.electrolyte_decomposed;
    // The onset: where the self-heating rate passed the threshold. A rate above it at the half
    // step's end is interpolated in log(rate) from the last half step's end rate, over the whole
    // half step: Strang splitting puts a step's conduction at one instant between the half
    // steps, so the integrator's own sub-steps would see the conduction's part of the rise as a
    // jump at the half step's start and place the crossing up to dt/2 early. A rate that passed
    // it and fell back inside the half step (a voxel that flares and burns out, as a hot short
    // can make it) has no end rate to show: the integrator's sub-steps place it. Past it only
    // at the half step's start, then below, is the split conduction's jump alone (a jelly roll
    // whose endothermic reactions answer a conduction rise never self-heats at the threshold
    // when the two act together): no onset. Past it at the first half step's start (a run
    // started hot, or a driver that changed between steps) is seen there.
    const bool ends_above = r.self_heating_rate > onset_rate;
    const bool seen_inside =
        r.watched_rate_crossing > 0.0 || (r.watched_rate_crossing == 0.0 && !after_conduction);
    if (before_onset && (ends_above || seen_inside)) {
      k.arrival_time[m] = ends_above ? rate_crossing_time(rate_before, r.self_heating_rate,
                                                          onset_rate, time_end, dt)
                                     : time_end - dt + r.watched_rate_crossing;
      k.in_runaway[c] = 1;
    }
  }
};

// T += dt q / (rho cp) over one region's voxels (a heater pad).
struct RegionSourceUpdate {
  const Index* voxel;  // padded indices of the region's voxels
  const double* inv_heat_capacity;
  double power_density;  // W/m^3
  double dt;
  double* t;
  RUNAWAY_HD void operator()(Index m) const {
    const Index c = voxel[m];
    t[c] += dt * inv_heat_capacity[c] * power_density;
  }
};

// What the host needs of each cell after a step: a handful of scalars, never a field.
struct CellStatistics {
  double mean_temperature = 0;       // K, over the jelly roll
  double max_temperature = 0;        // K
  double max_self_heating_rate = 0;  // K/s
  double heat_release_rate = 0;      // W, reactions - latent, over the last half step
  double heat_released = 0;          // J kept since the start (reactions - ejected - vent heat)
  double earliest_arrival = 0;       // s, NaN if no voxel has run away
  double releasable_heat = 0;        // J still held by the exothermic reactants
  double liquid_mass = 0;            // kg of liquid electrolyte left (with its vapour)
  // This step's budget (see KineticsView).
  double vented_mass = 0;             // kg
  double gas_generated = 0;           // mol
  double heat_kept = 0;               // J
  double ejected_heat = 0;            // J
  double vent_heat = 0;               // J
  double electrolyte_decomposed = 0;  // kg
};

// A chunk's or a cell's statistics before they are final: sums per unit volume as compensated
// pairs (kernels/exact_sum.hpp), so chunks, threads and ranks may add them in any order and give
// the same statistics, and extremes. finish_cell_statistics makes the CellStatistics.
struct CellPartial {
  // Summed over voxels, per unit volume (kg/m^3, J/m^3 ...), or K for the temperature.
  CompensatedSum temperature;
  CompensatedSum heat_release_rate;
  CompensatedSum heat_released;
  CompensatedSum releasable_heat;
  CompensatedSum liquid_mass;
  CompensatedSum vented_mass;
  CompensatedSum gas_generated;
  CompensatedSum heat_kept;
  CompensatedSum ejected_heat;
  CompensatedSum vent_heat;
  CompensatedSum electrolyte_decomposed;
  double max_temperature = -1e300;   // K
  double max_self_heating_rate = 0;  // K/s
  double earliest_arrival = NAN;     // s, NaN if no voxel has run away

  // Every sum, in one order: add() and the reductions across ranks walk this list.
  static constexpr int kSumCount = 11;
  RUNAWAY_HD CompensatedSum* sum(int i) {
    CompensatedSum* all[kSumCount] = {
        &temperature,  &heat_release_rate, &heat_released,         &releasable_heat,
        &liquid_mass,  &vented_mass,       &gas_generated,         &heat_kept,
        &ejected_heat, &vent_heat,         &electrolyte_decomposed};
    return all[i];
  }

  RUNAWAY_HD void add(CellPartial p) {
    for (int i = 0; i < kSumCount; ++i) sum(i)->add(*p.sum(i));
    max_temperature = p.max_temperature > max_temperature ? p.max_temperature : max_temperature;
    max_self_heating_rate = p.max_self_heating_rate > max_self_heating_rate
                                ? p.max_self_heating_rate
                                : max_self_heating_rate;
    if (!std::isnan(p.earliest_arrival) && !(p.earliest_arrival >= earliest_arrival)) {
      earliest_arrival = p.earliest_arrival;
    }
  }
};

// The statistics of a cell of `voxels` jelly-roll voxels of `voxel_volume` from its partial.
RUNAWAY_HD inline CellStatistics finish_cell_statistics(const CellPartial& p, double voxels,
                                                        double voxel_volume) {
  CellStatistics s;
  s.mean_temperature = voxels > 0 ? p.temperature.value() / voxels : 0.0;
  s.max_temperature = p.max_temperature;
  s.max_self_heating_rate = p.max_self_heating_rate;
  s.heat_release_rate = p.heat_release_rate.value() * voxel_volume;
  s.heat_released = p.heat_released.value() * voxel_volume;
  s.earliest_arrival = p.earliest_arrival;
  s.releasable_heat = p.releasable_heat.value() * voxel_volume;
  s.liquid_mass = p.liquid_mass.value() * voxel_volume;
  s.vented_mass = p.vented_mass.value() * voxel_volume;
  s.gas_generated = p.gas_generated.value() * voxel_volume;
  s.heat_kept = p.heat_kept.value() * voxel_volume;
  s.ejected_heat = p.ejected_heat.value() * voxel_volume;
  s.vent_heat = p.vent_heat.value() * voxel_volume;
  s.electrolyte_decomposed = p.electrolyte_decomposed.value() * voxel_volume;
  return s;
}

// Per-cell statistics in two levels, so that a GPU has thousands of threads at work rather than
// one per cell: each cell's range of the active list is cut into chunks (kStatisticsChunk voxels
// at most, never straddling two cells), CellStatisticsReduce reduces one chunk per thread, and
// CellStatisticsCombine one cell's chunks per thread.
inline constexpr Index kStatisticsChunk = 1024;

// Reduction over one chunk [segment_begin[q], segment_begin[q + 1]) of the active list.
struct CellStatisticsReduce {
  KineticsView k;
  const Index* segment_begin;  // n_chunks + 1 offsets into the active list
  const double* t;
  CellPartial* out;  // one per chunk
  RUNAWAY_HD void operator()(Index segment) const {
    CellPartial s;
    for (Index m = segment_begin[segment]; m < segment_begin[segment + 1]; ++m) {
      const double tm = t[k.voxel[m]];
      s.temperature.add(tm);
      s.max_temperature = tm > s.max_temperature ? tm : s.max_temperature;
      const double rate = k.self_heating_rate[m];
      s.max_self_heating_rate = rate > s.max_self_heating_rate ? rate : s.max_self_heating_rate;
      s.heat_release_rate.add(k.heat_release_rate[m]);
      s.heat_released.add(k.heat_released[m]);
      s.vented_mass.add(k.vented_mass[m]);
      s.gas_generated.add(k.gas_generated[m]);
      s.heat_kept.add(k.step_heat_kept[m]);
      s.ejected_heat.add(k.ejected_heat[m]);
      s.vent_heat.add(k.vent_heat[m]);
      s.electrolyte_decomposed.add(k.electrolyte_decomposed[m]);
      const double arrival = k.arrival_time[m];
      if (!std::isnan(arrival) && !(arrival >= s.earliest_arrival)) s.earliest_arrival = arrival;
      // The voxel's own terms in a fixed order, then one compensated addition.
      const Chemistry& chem = k.chemistries[k.chemistry[m]];
      s.liquid_mass.add(k.electrolyte_left[m] * electrolyte_content(chem));
      double releasable = 0;
      for (int i = 0; i < chem.reaction_count; ++i) {
        const double h = chem.reactions[i].heat_of_reaction;
        if (h > 0.0) releasable += h * reactant_content(chem, i) * k.remaining[i * k.count + m];
      }
      s.releasable_heat.add(releasable);
    }
    out[segment] = s;
  }
};

// One cell's partial from its chunks [cell_chunk_begin[c], cell_chunk_begin[c + 1]).
struct CellStatisticsCombine {
  const CellPartial* chunk;
  const Index* cell_chunk_begin;  // n_cells + 1 offsets into the chunks
  CellPartial* out;
  RUNAWAY_HD void operator()(Index cell) const {
    CellPartial s;
    for (Index q = cell_chunk_begin[cell]; q < cell_chunk_begin[cell + 1]; ++q) s.add(chunk[q]);
    out[cell] = s;
  }
};

// |T_new - T_old| of active voxel m if it has not run away yet (0 once it has): the step
// controller bounds it, so the splitting error stays small in the jelly rolls where onset times
// are decided, while a cell already in runaway (resolved by the stiff integrator) or a hot flame
// region (not where onset is decided) does not force tiny steps on the whole pack. With
// `reacting` (per active voxel, MarkReacting's flags) a voxel the kinetics skipped counts 0 too:
// it has no splitting error, and the conduction's time error bound covers it.
struct ActiveTemperatureChange {
  const Index* voxel;
  const double* t_new;
  const double* t_old;  // compact: the active voxels' temperatures at the step's start
  const std::uint8_t* in_runaway;
  const std::uint8_t* reacting = nullptr;
  RUNAWAY_HD double operator()(Index m) const {
    const Index c = voxel[m];
    if (in_runaway[c] != 0 || (reacting != nullptr && reacting[m] == 0)) return 0.0;
    return std::fabs(t_new[c] - t_old[m]);
  }
};

// out[m] = t[voxel[m]]: the active voxels' temperatures, so the step controller needs no copy of
// the whole field.
struct GatherActive {
  const Index* voxel;
  const double* t;
  double* out;
  RUNAWAY_HD void operator()(Index m) const { out[m] = t[voxel[m]]; }
};

}  // namespace runaway::kernels
