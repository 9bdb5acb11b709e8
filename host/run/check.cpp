#include "host/run/check.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <ostream>

#include "common/error.hpp"
#include "common/text.hpp"
#include "host/solver/conduction_solver.hpp"
#include "host/verdict/probes.hpp"
#include "meshes/voxelizer.hpp"

namespace runaway::host {

namespace {

constexpr double kJoulesPerKilowattHour = 3.6e6;  // exact

std::string duration(double seconds) {
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
  return fmt::format("{:.1f} h", seconds / 3600);
}

// Forward-Euler limit of a voxel of material m: rho cp / (2 sum_d k_d / h_d^2), the bound
// kernels::ExplicitStepOfVoxel computes per voxel (boundary half-voxels aside).
double explicit_step(const meshes::Material& m, const meshes::VoxelSpacing& h) {
  double g = 0;
  for (int a = 0; a < 3; ++a) g += 2 * m.conductivity[std::size_t(a)] / (h[a] * h[a]);
  return m.density * m.heat_capacity / g;
}

}  // namespace

CheckSummary summarize(const PackConfig& config, const meshes::VoxelModel& model) {
  CheckSummary s;
  s.name = config.name;
  s.file = config.file;
  s.cell_count = int(model.cells.size());
  for (const meshes::CellInfo& c : model.cells) s.stored_energy += c.stored_energy();
  int first = 0;
  for (const meshes::ModuleLayout& m : config.pack.modules) {
    s.modules.push_back({m.name, m.cell.name, first, m.cell_count()});
    first += m.cell_count();
  }
  for (const PackChemistry& c : config.chemistries) {
    ChemistrySummary cs;
    cs.name = c.name;
    cs.liquid_electrolyte_fraction = c.chemistry.liquid_electrolyte_fraction;
    cs.electrolyte_class = kernels::classify_electrolyte(cs.liquid_electrolyte_fraction);
    for (const meshes::CellInfo& cell : model.cells) cs.cell_count += cell.chemistry == c.name;
    s.chemistries.push_back(cs);
  }
  s.grid = model.shape;
  s.spacing = model.spacing;
  s.voxel_count = model.shape.voxel_count();
  for (const meshes::CellInfo& c : model.cells)
    s.jelly_roll_voxel_count += c.jelly_roll_voxel_count;
  s.material_count = int(model.materials.size());
  s.model_bytes = model.memory.model_bytes;
  s.run_bytes = meshes::kSolverBytesPerVoxel * double(s.voxel_count) +
                meshes::kSolverBytesPerJellyRollVoxel * double(s.jelly_roll_voxel_count);
  s.memory_limit = config.mesh.max_memory;

  s.explicit_time_step = 1e300;
  for (const meshes::Material& m : model.materials) {
    s.explicit_time_step = std::min(s.explicit_time_step, explicit_step(m, model.spacing));
  }
  s.rkl2_stages = rkl2_stage_count(config.run.dt_max, s.explicit_time_step);
  s.quiet_steps = std::int64_t(std::ceil(config.run.end_time / config.run.dt_max));
  const double conduction_per_step =
      s.rkl2_stages * double(s.voxel_count) * kStageBytesPerVoxel / kAssumedEffectiveBandwidth;
  const double kinetics_per_step =
      2 * double(s.jelly_roll_voxel_count) * kAssumedKineticsSecondsPerVoxel;
  s.run_time_estimate = double(s.quiet_steps) * (conduction_per_step + kinetics_per_step);

  for (const HeaterTrigger& h : config.heaters) {
    s.triggers.push_back(
        fmt::format("heater: {:g} W on face {} of cell {} from t = {:g} s for {:g} s", h.power,
                    meshes::to_string(h.face), h.cell, h.start_time, h.duration));
  }
  for (const NailTrigger& n : config.nails) {
    s.triggers.push_back(
        fmt::format("nail: internal short of cell {} at t = {:g} s", n.cell, n.time));
  }
  if (config.oven) {
    const OvenTrigger& o = *config.oven;
    s.triggers.push_back(fmt::format("oven: {:g} K rising {:g} K/s to {:g} K, h = {:g} W/(m^2 K)",
                                     o.start_temperature, o.ramp_rate, o.hold_temperature,
                                     o.heat_transfer_coefficient));
  }

  // Each probe's voxels: a probe that finds none is bad input here, not at the run's start.
  for (const ProbeConfig& p : config.probes) {
    const ProbeVoxels v = probe_voxels(config, p, model);
    s.probes.push_back(fmt::format("{}: {} ({}) over {} voxel{}{}", p.name, to_string(p.kind),
                                   to_string(p.statistic), v.voxels.size(),
                                   v.voxels.size() == 1 ? "" : "s",
                                   v.cell >= 0 ? fmt::format(", monitors cell {}", v.cell) : ""));
  }
  if (config.verdict) {
    for (const std::string& r : config.verdict->rules)
      s.verdict += (s.verdict.empty() ? "" : ", ") + r;
    s.verdict += fmt::format("; initiating cell {}", config.verdict->initiating_cell);
  }

  s.warnings = model.warnings;
  // Jelly-roll voxels take rho cp from the material table, reactions their content from the
  // chemistry's density: say so when the two disagree.
  for (const meshes::Material& m : model.materials) {
    if (!m.is_jelly_roll || m.jelly_roll_fraction < 1.0) continue;
    const PackChemistry* c = config.find_chemistry(m.chemistry);
    if (c == nullptr) continue;
    const double voxel = m.density * m.heat_capacity;
    const double kinetics = c->chemistry.density * c->chemistry.heat_capacity;
    if (std::fabs(voxel - kinetics) > 0.05 * kinetics) {
      s.warnings.push_back(fmt::format(
          "material '{}' has rho cp = {:.3g} J/(m^3 K) but chemistry '{}' was given {:.3g}; "
          "the run uses the material's (align density and heat_capacity of the two)",
          m.name, voxel, c->name, kinetics));
    }
  }
  return s;
}

std::string format_summary(const CheckSummary& s) {
  std::string out;
  auto line = [&out](const std::string& label, const std::string& text) {
    out += fmt::format("{:<15}{}\n", label, text);
  };
  line("pack:", s.name + " (" + s.file + ")");
  line("cells:", std::to_string(s.cell_count));
  for (const ModuleSummary& m : s.modules) {
    line("", fmt::format("module '{}': {} x {}, ids {}-{}", m.name, m.cell_count, m.cell_type,
                         m.first_cell, m.first_cell + m.cell_count - 1));
  }
  line("stored energy:", fmt::format("{:.3f} kWh (capacity x nominal voltage x SOC)",
                                     s.stored_energy / kJoulesPerKilowattHour));
  for (const ChemistrySummary& c : s.chemistries) {
    line(&c == &s.chemistries.front() ? "chemistries:" : "",
         fmt::format("{}: {:.1f} % liquid electrolyte, {} ({} cells)", c.name,
                     100 * c.liquid_electrolyte_fraction,
                     kernels::electrolyte_class_name(c.electrolyte_class), c.cell_count));
  }
  line("grid:", fmt::format("{} x {} x {} = {} voxels of {:g} x {:g} x {:g} mm", s.grid.nx,
                            s.grid.ny, s.grid.nz, grouped_digits(s.voxel_count), 1e3 * s.spacing.dx,
                            1e3 * s.spacing.dy, 1e3 * s.spacing.dz));
  line("", fmt::format("{} jelly-roll voxels, {} materials",
                       grouped_digits(s.jelly_roll_voxel_count), s.material_count));
  line("memory:",
       fmt::format("model {}, run about {} (limit {})", meshes::format_bytes(s.model_bytes),
                   meshes::format_bytes(s.run_bytes), meshes::format_bytes(s.memory_limit)));
  line("time step:", fmt::format("explicit limit {:.3g} s; at dt_max {} RKL2 stages per step",
                                 s.explicit_time_step, s.rkl2_stages));
  line("run time:",
       fmt::format("roughly {} on a 2-core CPU ({} quiet steps; assumes {:g} GB/s effective, "
                   "runaway phases take smaller steps)",
                   duration(s.run_time_estimate), grouped_digits(s.quiet_steps),
                   kAssumedEffectiveBandwidth / 1e9));
  for (const std::string& t : s.triggers) {
    line(&t == &s.triggers.front() ? "triggers:" : "", t);
  }
  for (const std::string& p : s.probes) line(&p == &s.probes.front() ? "probes:" : "", p);
  if (!s.verdict.empty()) line("verdict:", s.verdict);
  for (const std::string& w : s.warnings) line("warning:", w);
  out += "valid\n";
  return out;
}

int run_check(const std::string& config_path, const std::vector<std::string>& overrides,
              std::ostream& out, std::ostream& err) {
  try {
    const PackConfig config = load_pack_config(config_path, overrides);
    const meshes::VoxelModel model = build_voxel_model(config);
    out << format_summary(summarize(config, model));
    return 0;
  } catch (const Error& e) {
    err << "runaway: error: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    err << "runaway: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace runaway::host
