// Checkpoints of a Simulation: the registry's fields, the per-cell records (the event model's
// state and the pack's bookkeeping), the event log and the loop's scalars.
#include <array>
#include <string>
#include <tuple>
#include <utility>

#include "common/error.hpp"
#include "host/solver/simulation.hpp"

namespace runaway::host {

namespace {

// A cell record's checkpointed numbers by name (const or not), so writing and reading use one
// list.
template <class Record>
auto record_fields(Record& r) {
  using P = decltype(&r.peak_temperature);
  return std::array<std::pair<const char*, P>, 60>{{
      {"short_circuit_start_time", &r.events.short_circuit_start_time},
      {"vent_open_time", &r.events.vent_open_time},
      {"vent_ejection_start", &r.events.vent_ejection_start},
      {"runaway_onset_time", &r.events.runaway_onset_time},
      {"runaway_onset_temperature", &r.events.runaway_onset_temperature},
      {"burnt_out_time", &r.events.burnt_out_time},
      {"short_circuit_energy_released", &r.events.short_circuit_energy_released},
      {"vented_mass", &r.events.vented_mass},
      {"flame_fuel_mass", &r.events.flame_fuel_mass},
      {"combustion_energy_released", &r.events.combustion_energy_released},
      {"checked_time", &r.events.checked_time},
      {"checked_max_temperature", &r.events.checked_max_temperature},
      {"checked_max_self_heating_rate", &r.events.checked_max_self_heating_rate},
      {"checked_pressure", &r.events.checked_pressure},
      {"gas_moles", &r.events.gas_moles},
      {"pressure", &r.events.pressure},
      {"vented_gas_mass", &r.events.vented_gas_mass},
      {"vented_vapour_mass", &r.events.vented_vapour_mass},
      {"vented_liquid_mass", &r.events.vented_liquid_mass},
      {"vent_mass_flow", &r.events.vent_mass_flow},
      {"ejecta_heat", &r.events.ejecta_heat},
      {"body_heat", &r.events.body_heat},
      {"gas_enthalpy_due", &r.events.gas_enthalpy_due},
      {"vapour_mass", &r.events.vapour_mass},
      {"volatile_mass", &r.events.volatile_mass},
      {"electrolyte_decomposed", &r.events.electrolyte_decomposed},
      {"gas_production_rate", &r.events.gas_production_rate},
      {"reference_temperature", &r.parameters.vent.reference_temperature},
      {"initial_electrolyte", &r.initial_electrolyte},
      {"peak_temperature", &r.peak_temperature},
      {"combustion_heat", &r.combustion_heat},
      {"unburnt_fuel_heat", &r.unburnt_fuel_heat},
      {"plume_heat_to_self", &r.plume_heat_to_self},
      {"plume_heat_to_other_cells", &r.plume_heat_to_other_cells},
      {"plume_heat_to_enclosure", &r.plume_heat_to_enclosure},
      {"plume_heat_carried_out", &r.plume_heat_carried_out},
      {"plume_heat_received", &r.plume_heat_received},
      {"plume_fire_heat_received", &r.plume_fire_heat_received},
      {"pathway_gas_conduction", &r.pathway_heat[0]},
      {"pathway_gap_radiation", &r.pathway_heat[1]},
      {"pathway_solid_contact", &r.pathway_heat[2]},
      {"pathway_cell_contact", &r.pathway_heat[3]},
      {"pathway_boundary", &r.pathway_heat[4]},
      {"initial_releasable_heat", &r.initial_releasable_heat},
      {"mean_temperature", &r.stats.mean_temperature},
      {"max_temperature", &r.stats.max_temperature},
      {"max_self_heating_rate", &r.stats.max_self_heating_rate},
      {"heat_release_rate", &r.stats.heat_release_rate},
      {"heat_released", &r.stats.heat_released},
      {"earliest_arrival", &r.stats.earliest_arrival},
      {"step_vented_mass", &r.stats.vented_mass},
      {"liquid_mass", &r.stats.liquid_mass},
      {"step_gas_generated", &r.stats.gas_generated},
      {"step_heat_kept", &r.stats.heat_kept},
      {"step_ejected_heat", &r.stats.ejected_heat},
      {"step_vent_heat", &r.stats.vent_heat},
      {"step_electrolyte_decomposed", &r.stats.electrolyte_decomposed},
      {"releasable_heat", &r.stats.releasable_heat},
      {"previous_check_time", &r.previous_check_time},
      {"previous_max_temperature", &r.previous_max_temperature},
  }};
}

// The named array of a snapshot, of `size` entries (any size when size is npos).
template <class Map>
const auto& need(const Map& map, const std::string& name, std::size_t size = std::string::npos) {
  const auto it = map.find(name);
  if (it == map.end() || (size != std::string::npos && it->second.size() != size)) {
    throw bad_input("the checkpoint does not fit this model: '" + name + "'",
                    {"", 0, "checkpoint", name});
  }
  return it->second;
}

}  // namespace

SimulationSnapshot Simulation::snapshot() const {
  SimulationSnapshot s;
  fields_->write(s);
  s.bytes["trigger_on"] = trigger_on_;
  s.bytes["vent_open"] = vent_open_host_;
  const std::size_t cells = records_.size();
  for (std::size_t f = 0; f < std::tuple_size_v<decltype(record_fields(records_[0]))>; ++f) {
    std::vector<double> column(cells);
    const char* name = "";
    for (std::size_t c = 0; c < cells; ++c) {
      const auto field = record_fields(records_[c])[f];
      name = field.first;
      column[c] = *field.second;
    }
    if (cells > 0) s.doubles[std::string("cell_") + name] = std::move(column);
  }
  std::vector<std::int32_t> cell_events(cells);
  for (std::size_t c = 0; c < cells; ++c) cell_events[c] = std::int32_t(records_[c].events.events);
  s.ints["cell_events"] = cell_events;
  std::vector<std::int32_t> event_cell, event_kind;
  std::vector<double> event_time, event_temperature;
  for (const CellEvent& e : events_) {
    event_cell.push_back(e.cell);
    event_kind.push_back(std::int32_t(e.kind));
    event_time.push_back(e.time);
    event_temperature.push_back(e.temperature);
  }
  s.ints["event_cell"] = event_cell;
  s.ints["event_kind"] = event_kind;
  s.doubles["event_time"] = event_time;
  s.doubles["event_temperature"] = event_temperature;
  s.scalars = {{"time", time()},
               {"dt", dt_},
               {"last_change", last_change_},
               {"next_frame", next_frame_},
               {"next_sample", next_sample_},
               {"steps", double(steps_)},
               {"reported_events", double(reported_events_)}};
  s.doubles["oxygen_left"] = oxygen_left_;
  return s;
}

void Simulation::restore(const SimulationSnapshot& s) {
  fields_->read(s);
  const std::size_t cells = records_.size();
  trigger_on_ = need(s.bytes, "trigger_on", trigger_on_.size());
  vent_open_host_ = need(s.bytes, "vent_open", vent_open_host_.size());
  for (std::size_t c = 0; c < cells; ++c) {
    for (const auto& [name, value] : record_fields(records_[c])) {
      *value = need(s.doubles, std::string("cell_") + name, cells)[c];
    }
    records_[c].events.events = unsigned(need(s.ints, "cell_events", cells)[c]);
    records_[c].phase = kernels::cell_phase(records_[c].events);
  }
  const auto& event_cell = need(s.ints, "event_cell");
  const auto& event_kind = need(s.ints, "event_kind", event_cell.size());
  const auto& event_time = need(s.doubles, "event_time", event_cell.size());
  const auto& event_temperature = need(s.doubles, "event_temperature", event_cell.size());
  events_.clear();
  for (std::size_t e = 0; e < event_cell.size(); ++e) {
    events_.push_back(
        {event_cell[e], EventKind(event_kind[e]), event_time[e], event_temperature[e]});
  }
  const auto scalar = [&](const char* name) {
    const auto it = s.scalars.find(name);
    if (it == s.scalars.end()) {
      throw bad_input("the checkpoint lacks the scalar '" + std::string(name) + "'",
                      {"", 0, "checkpoint", name});
    }
    return it->second;
  };
  conduction_.set_time(scalar("time"));
  dt_ = scalar("dt");
  last_change_ = scalar("last_change");
  next_frame_ = scalar("next_frame");
  next_sample_ = scalar("next_sample");
  steps_ = std::int64_t(scalar("steps"));
  oxygen_left_ = need(s.doubles, "oxygen_left", oxygen_left_.size());
  plume_heat_held_ = plume_voxel_count_ > 0;  // whatever the field holds, the next step spreads
  reported_events_ = std::size_t(scalar("reported_events"));
}

}  // namespace runaway::host
