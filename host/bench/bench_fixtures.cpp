#include "host/bench/bench_fixtures.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "host/chemistry/chemistry_library.hpp"
#include "host/config/config.hpp"
#include "host/solver/simulation_setup.hpp"
#include "kernels/coupling.hpp"
#include "kernels/kinetics.hpp"
#include "meshes/voxelizer.hpp"

namespace runaway::host::bench {

using kernels::DeviceArray;
using kernels::Index;

// ---- conduction ----------------------------------------------------------------------------

namespace {

ConductionProblem cube_problem(int n) {
  ConductionProblem p;
  p.shape = {n, n, n};
  p.spacing = {1e-3, 1e-3, 1e-3};
  // A jelly roll (0.52 / 26.6 W/(m K), 2180 kg/m^3, 1106 J/(kg K)) and aluminium (237 W/(m K),
  // 2700 kg/m^3, 897 J/(kg K)); sources in meshes/library.cpp.
  p.materials = {{2180, 1106, {0.52, 26.6, 26.6}, 0.8, -1}, {2700, 897, {237, 237, 237}, 0.1, -1}};
  p.material_ids.resize(std::size_t(p.shape.interior_size()));
  for (std::size_t c = 0; c < p.material_ids.size(); ++c) {
    p.material_ids[c] = std::uint8_t((c % std::size_t(n)) / 16 % 2);
  }
  p.boundaries[0] = fixed_temperature(400);
  p.boundaries[5] = convection(25, 298.15, 0.8);
  return p;
}

}  // namespace

ConductionCube::ConductionCube(kernels::Backend& backend, int n)
    : solver_(backend, cube_problem(n)) {
  const auto padded = std::size_t(solver_.shape().padded_size());
  rate0_ = DeviceArray<double>(backend, padded);
  y1_ = DeviceArray<double>(backend, padded);
  y2_ = DeviceArray<double>(backend, padded);
  // Stage 5 of an RKL2 step of 30 dt_explicit (11 stages), with Y(j-2) taken as Y0: the values
  // are those of a real step, and every stage j >= 2 costs the same.
  const double dt = 30 * solver_.explicit_time_step();
  const int stages = rkl2_stage_count(dt, solver_.explicit_time_step());
  backend.rkl2_first_stage(solver_.boundaries(), solver_.view(), solver_.temperature_data(),
                           rate0_.data(), y1_.data(), rkl2_first_coefficient(stages) * dt);
  coefficients_ = rkl2_coefficients(stages, std::min(5, stages), dt);
}

void ConductionCube::rkl2_stage() {
  const double* y0 = solver_.temperature_data();
  solver_.backend().rkl2_stage(solver_.boundaries(), solver_.view(), coefficients_, y0,
                               rate0_.data(), y1_.data(), y0, y2_.data());
}

// ---- kinetics ------------------------------------------------------------------------------

namespace {

constexpr double kHalfStep = 0.5;             // s, half of a 1 s quiet step
constexpr double kQuietTemperature = 298.15;  // K
// Mid-runaway: nrel-lco's adiabatic runaway from 430 K self-heats at ~3000 K/s at 600 K, its
// steepest stretch, where the integrator needs ~200 sub-steps per half step at the pack's
// tolerances (600 K as in benchmarks/bench_kinetics.cpp). At 480 K it has only just passed the
// 1 K/s onset (1.3 K/s) and takes one or two sub-steps: that would measure a quiet voxel.
constexpr double kRunawayTemperature = 600.0;       // K
constexpr double kRunawayStartTemperature = 430.0;  // K, as in the CVODE verification case
constexpr double kRunawayTemperatureSpread = 40.0;  // K over neighbouring voxels (a front)

// The state of an adiabatic runaway started at 430 K when its temperature passes `temperature`,
// in 1 ms steps: at ~3000 K/s near 600 K the last step overshoots by a few kelvin at most.
kernels::KineticState adiabatic_state_at(const kernels::Chemistry& chemistry, double temperature,
                                         double& reached) {
  kernels::KineticState s = kernels::initial_kinetic_state(chemistry);
  double t = kRunawayStartTemperature;
  while (t < temperature) {
    t = kernels::advance_kinetics(chemistry, t, s, 1e-3, 0.0, {}).temperature;
  }
  reached = t;
  return s;
}

template <class T>
DeviceArray<T> device_copy(kernels::Backend& backend, const std::vector<T>& host) {
  DeviceArray<T> a(backend, host.size());
  a.upload(host.data());
  return a;
}

}  // namespace

KineticsVoxels::KineticsVoxels(kernels::Backend& backend, const kernels::Chemistry& chemistry,
                               Index count, KineticsRegime regime)
    : backend_(backend), chemistry_(chemistry), count_(count) {
  const auto n = std::size_t(count);
  const auto reactions = std::size_t(chemistry.reaction_count);
  const bool runaway = regime == KineticsRegime::kRunaway;
  state_temperature_ = kQuietTemperature;
  const kernels::KineticState state =
      runaway ? adiabatic_state_at(chemistry, kRunawayTemperature, state_temperature_)
              : kernels::initial_kinetic_state(chemistry);
  // Temperatures: spread over 40 K around the runaway state so that neighbouring voxels are at
  // different points of it, as in a propagating front; all 298.15 K when quiet.
  std::vector<double> t(n);
  for (std::size_t m = 0; m < n; ++m) {
    t[m] = runaway ? state_temperature_ + kRunawayTemperatureSpread * (double(m % 97) / 96.0 - 0.5)
                   : kQuietTemperature;
  }
  // The work per voxel, probed on the host.
  long substeps = 0;
  const std::size_t probes = std::min<std::size_t>(n, 97);
  for (std::size_t m = 0; m < probes; ++m) {
    kernels::KineticState probe = state;
    substeps += kernels::advance_kinetics(chemistry, t[m], probe, kHalfStep, 0.0, {},
                                          pack_kinetics_tolerances())
                    .accepted_substeps;
  }
  mean_substeps_ = probes > 0 ? double(substeps) / double(probes) : 0.0;

  {
    std::vector<Index> voxel(n);
    for (std::size_t m = 0; m < n; ++m) voxel[m] = Index(m);  // T is the active list itself
    voxel_ = device_copy(backend, voxel);
  }
  t0_ = device_copy(backend, t);
  t_ = DeviceArray<double>(backend, n);
  {
    std::vector<double> remaining(reactions * n);
    for (std::size_t i = 0; i < reactions; ++i)
      std::fill_n(remaining.begin() + std::ptrdiff_t(i * n), n, state.remaining[i]);
    remaining0_ = device_copy(backend, remaining);
    remaining_ = DeviceArray<double>(backend, remaining.size());
  }
  electrolyte0_ = device_copy(backend, std::vector<double>(n, state.electrolyte_left));
  electrolyte_ = DeviceArray<double>(backend, n);
  cell_ = device_copy(backend, std::vector<std::int32_t>(n, 0));
  slot_ = device_copy(backend, std::vector<std::uint8_t>(n, 0));
  in_runaway_ = device_copy(backend, std::vector<std::uint8_t>(n, 0));
  hint0_ = device_copy(backend, std::vector<float>(n, 0.0f));  // no hint: the integrator's own
  hint_ = DeviceArray<float>(backend, n);
  heat_rate_ = DeviceArray<double>(backend, n);
  self_heating_ = DeviceArray<double>(backend, n);
  arrival_ = DeviceArray<double>(backend, n);
  released_ = device_copy(backend, std::vector<double>(n, 0.0));
  step_budget_ = device_copy(backend, std::vector<double>(kStepBudgets * n, 0.0));
  chemistries_ = device_copy(backend, std::vector<kernels::Chemistry>{chemistry});
  failures_ = device_copy(backend, std::vector<int>{0});
  source_ = device_copy(backend, std::vector<double>{0.0});
  vent_open_ = device_copy(backend, std::vector<std::uint8_t>{0});
  vent_flow_ = device_copy(backend, std::vector<kernels::VentFlow>{kernels::VentFlow{}});
  quiet_temperature_ = device_copy(backend, std::vector<double>{kernels::quiet_temperature(
                                                chemistry, SimulationControl{}.quiet_rate)});
  reacting_ = device_copy(backend, std::vector<std::uint8_t>(n, 0));
  reacting_list_ = DeviceArray<Index>(backend, n);
  reset();
}

void KineticsVoxels::reset() {
  backend_.copy_on_device(remaining_.data(), remaining0_.data(), remaining0_.bytes());
  backend_.copy_on_device(electrolyte_.data(), electrolyte0_.data(), electrolyte0_.bytes());
  backend_.copy_on_device(t_.data(), t0_.data(), t0_.bytes());
  backend_.copy_on_device(hint_.data(), hint0_.data(), hint0_.bytes());
  backend_.fill(self_heating_.data(), count_, 0.0);
  backend_.fill(arrival_.data(), count_, NAN);
}

kernels::KineticsUpdate KineticsVoxels::update() {
  kernels::KineticsUpdate u{};
  kernels::KineticsView& k = u.k;
  k.count = count_;
  k.voxel = voxel_.data();
  k.cell = cell_.data();
  k.chemistry = slot_.data();
  k.chemistries = chemistries_.data();
  k.remaining = remaining_.data();
  k.electrolyte_left = electrolyte_.data();
  k.substep_hint = hint_.data();
  k.heat_release_rate = heat_rate_.data();
  k.self_heating_rate = self_heating_.data();
  k.arrival_time = arrival_.data();
  k.heat_released = released_.data();
  // The step's budgets (vented mass, gas, heat kept, ejected, vent heat, decomposed), n each.
  double* budget = step_budget_.data();
  for (double** field : {&k.vented_mass, &k.gas_generated, &k.step_heat_kept, &k.ejected_heat,
                         &k.vent_heat, &k.electrolyte_decomposed}) {
    *field = budget;
    budget += count_;
  }
  k.in_runaway = in_runaway_.data();
  k.failures = failures_.data();
  u.drive.source = source_.data();
  u.drive.vent_open = vent_open_.data();
  u.drive.vent = vent_flow_.data();
  u.t = t_.data();
  u.dt = kHalfStep;
  u.time_end = kHalfStep;
  u.onset_rate = kernels::kDefaultRunawayRateThreshold;
  u.tolerances = pack_kinetics_tolerances();  // as Simulation integrates them
  return u;
}

// One half step as Simulation::kinetics_half_step takes it: quiet voxels cost the check only.
void KineticsVoxels::half_step() {
  kernels::KineticsUpdate u = update();
  const Index reacting = backend_.select_reacting(
      {u.k, u.drive, u.t, quiet_temperature_.data(), reacting_.data(), u.dt}, count_,
      reacting_list_.data());
  if (reacting == 0) return;
  u.subset = reacting_list_.data();
  backend_.kinetics(u, reacting);
}

int KineticsVoxels::failures() const {
  int failed = 0;
  failures_.download(&failed);
  return failed;
}

// ---- the module ----------------------------------------------------------------------------

namespace {

PackConfig module_config(const std::string& config_path,
                         const std::vector<std::string>& overrides) {
  toml::table table = load_config_table(config_path);
  for (const std::string& o : overrides) apply_override(table, o);
  return parse_pack_config(table, config_path);
}

}  // namespace

ModuleOutline module_outline(const std::string& config_path,
                             const std::vector<std::string>& overrides) {
  const PackConfig config = module_config(config_path, overrides);
  return {config.name, meshes::grid_size(config.pack.enclosure, config.mesh.voxel_size),
          config.mesh.voxel_size, config.run.end_time};
}

ModuleCase make_module_case(const std::string& config_path,
                            const std::vector<std::string>& overrides) {
  const PackConfig config = module_config(config_path, overrides);
  const meshes::VoxelModel model = build_voxel_model(config);
  ModuleCase c;
  c.name = config.name;
  c.grid = model.shape;
  for (const meshes::CellInfo& cell : model.cells)
    c.jelly_roll_voxels += cell.jelly_roll_voxel_count;
  c.input = make_simulation_input(config, model);
  return c;
}

}  // namespace runaway::host::bench
