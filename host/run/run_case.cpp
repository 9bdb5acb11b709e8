#include "host/run/run_case.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <utility>
#include <variant>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "host/config/config.hpp"
#include "host/run/cpu_sets.hpp"
#include "host/run/thread_team.hpp"
#include "host/solver/simulation.hpp"
#include "host/solver/simulation_setup.hpp"
#include "host/verdict/verdict_results.hpp"
#include "io/async_results_writer.hpp"
#include "io/checkpoint.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "runaway/build_info.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCheckpointName = "checkpoint.h5";

// ---- signals: a flag the time loop polls; the handler itself only stores it ---------------
std::atomic<int> g_signal{0};
extern "C" void on_stop_signal(int signal) {
  g_signal.store(signal);
}

class StopSignals {
 public:
  StopSignals() {
    g_signal.store(0);
    previous_int_ = std::signal(SIGINT, on_stop_signal);
    previous_term_ = std::signal(SIGTERM, on_stop_signal);
  }
  ~StopSignals() {
    std::signal(SIGINT, previous_int_);
    std::signal(SIGTERM, previous_term_);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  void (*previous_int_)(int) = nullptr;
  void (*previous_term_)(int) = nullptr;
};

}  // namespace

fs::path examples_dir() {
  if (const char* env = std::getenv("RUNAWAY_EXAMPLES_DIR")) return env;
  return RUNAWAY_EXAMPLES_DIR;
}

// ---- the model as the results file describes it ----------------------------------------------
io::ModelData model_data(const PackConfig& config, const meshes::VoxelModel& model) {
  io::ModelData d;
  d.grid = {model.shape.nx,   model.shape.ny,  model.shape.nz,  model.spacing.dx, model.spacing.dy,
            model.spacing.dz, model.origin[0], model.origin[1], model.origin[2]};
  d.material = model.material;
  d.cell = model.cell;
  std::vector<std::string> names, chemistry;
  std::vector<double> density, cp, kx, ky, kz, emissivity;
  for (const meshes::Material& m : model.materials) {
    names.push_back(m.name);
    chemistry.push_back(m.chemistry);
    density.push_back(m.density);
    cp.push_back(m.heat_capacity);
    kx.push_back(m.conductivity[0]);
    ky.push_back(m.conductivity[1]);
    kz.push_back(m.conductivity[2]);
    emissivity.push_back(m.emissivity);
  }
  d.materials.columns = {{"name", "", names},
                         {"chemistry", "", chemistry},
                         {"density", "kg/m^3", density},
                         {"heat_capacity", "J/(kg K)", cp},
                         {"conductivity_x", "W/(m K)", kx},
                         {"conductivity_y", "W/(m K)", ky},
                         {"conductivity_z", "W/(m K)", kz},
                         {"emissivity", "1", emissivity}};
  std::vector<std::string> cell_names, types, cell_chemistry, classes;
  std::vector<double> fraction, capacity, energy, cx, cy, cz;
  for (const meshes::CellInfo& c : model.cells) {
    cell_names.push_back(c.type_name + "#" + std::to_string(c.id));
    types.push_back(c.type_name);
    cell_chemistry.push_back(c.chemistry);
    const PackChemistry* chem = config.find_chemistry(c.chemistry);
    const double f = chem ? chem->chemistry.liquid_electrolyte_fraction : NAN;
    fraction.push_back(f);
    classes.push_back(kernels::electrolyte_class_name(kernels::classify_electrolyte(f)));
    capacity.push_back(c.capacity_ah);
    energy.push_back(c.stored_energy());
    cx.push_back(c.centre[0]);
    cy.push_back(c.centre[1]);
    cz.push_back(c.centre[2]);
  }
  d.cells.columns = {{"name", "", cell_names},
                     {"type", "", types},
                     {"chemistry", "", cell_chemistry},
                     {"electrolyte_class", "", classes},
                     {"liquid_electrolyte_fraction", "1", fraction},
                     {"capacity", "A h", capacity},
                     {"stored_energy", "J", energy},
                     {"centre_x", "m", cx},
                     {"centre_y", "m", cy},
                     {"centre_z", "m", cz}};
  return d;
}

namespace {

// The bytes a snapshot holds, for the output queue's bound.
std::size_t snapshot_bytes(const SimulationSnapshot& snap) {
  std::size_t bytes = 0;
  for (const auto& entry : snap.doubles) bytes += entry.second.size() * sizeof(double);
  for (const auto& entry : snap.floats) bytes += entry.second.size() * sizeof(float);
  for (const auto& entry : snap.bytes) bytes += entry.second.size();
  for (const auto& entry : snap.ints) bytes += entry.second.size() * sizeof(std::int32_t);
  return bytes;
}

// ---- writes results as the simulation goes, shows progress, checkpoints -------------------
// The backend is not thread-safe: fields and snapshots are copied to the host here, on the
// solver thread; the output thread only writes those copies.
class RunObserver : public SimulationObserver {
 public:
  RunObserver(io::AsyncResultsWriter& output, const PackConfig& config,
              const io::ModelFingerprint& fp, fs::path checkpoint, const RunOptions& options,
              const Domain& domain, ThreadTeam* team)
      : output_(output),
        domain_(domain),
        config_(config),
        fingerprint_(fp),
        checkpoint_(std::move(checkpoint)),
        options_(options),
        tty_(isatty(STDERR_FILENO) == 1 && domain.is_root()),
        team_(team) {}

  void on_frame(Simulation& sim) override {
    io::FrameFields values;
    for (const std::string& name : config_.output.fields) {
      if (name == "temperature") values["temperature"] = sim.temperature_field();
      if (name == "heat_release_rate") values["heat_release_rate"] = sim.heat_release_field();
      if (name == "arrival_time") values["arrival_time"] = sim.arrival_time_field();
      if (name == "electrolyte_left") values["electrolyte_left"] = sim.electrolyte_left_field();
      if (name == "reaction_progress") {
        for (const std::string& r : sim.reaction_names())
          values["progress_" + r] = sim.progress_field(r);
      }
    }
    if (values.count("temperature") == 0) values["temperature"] = sim.temperature_field();
    output_.write_frame(sim.time(), sim.step_count(), std::move(values));
  }

  void on_sample(Simulation& sim) override {
    const auto& cells = sim.cells();
    sample_.time = sim.time();
    for (const io::CellQuantity& q : io::kCellQuantities) (sample_.*q.values).resize(cells.size());
    sample_.state.resize(cells.size());
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const CellRecord& cell = cells[c];
      sample_.mean_temperature[c] = cell.stats.mean_temperature;
      sample_.max_temperature[c] = cell.stats.max_temperature;
      sample_.heat_released[c] = sim.cell_heat_released(int(c));
      sample_.pressure[c] = cell.pressure();
      sample_.vent_mass_flow[c] = cell.vent_mass_flow();
      sample_.vented_mass[c] = cell.vented_mass();
      sample_.vented_gas_mass[c] = cell.vented_gas_mass();
      sample_.heat_kept_in_body[c] = cell.heat_kept_in_body();
      sample_.heat_carried_by_ejecta[c] = cell.heat_carried_by_ejecta();
      sample_.plume_heat_received[c] = cell.plume_heat_received;
      sample_.plume_heat_to_self[c] = cell.plume_heat_to_self;
      sample_.plume_heat_to_other_cells[c] = cell.plume_heat_to_other_cells;
      sample_.plume_heat_to_enclosure[c] = cell.plume_heat_to_enclosure;
      sample_.plume_heat_carried_out[c] = cell.plume_heat_carried_out;
      sample_.combustion_heat[c] = cell.combustion_heat;
      sample_.unburnt_fuel_heat[c] = cell.unburnt_fuel_heat;
      sample_.heat_in_gas_conduction[c] = cell.pathway_heat[0];
      sample_.heat_in_gap_radiation[c] = cell.pathway_heat[1];
      sample_.heat_in_solid_contact[c] = cell.pathway_heat[2];
      sample_.heat_in_cell_contact[c] = cell.pathway_heat[3];
      sample_.heat_in_boundary[c] = cell.pathway_heat[4];
      sample_.plume_fire_heat_received[c] = cell.plume_fire_heat_received;
      sample_.state[c] = std::int8_t(cell.phase);
    }
    sample_.probe_temperature = sim.probe_temperatures();
    output_.append_cell_sample(sample_);
  }

  void on_event(Simulation&, const CellEvent& e) override {
    output_.append_event({e.cell, to_string(e.kind), e.time, e.temperature});
  }

  void on_step(Simulation& sim) override {
    // Ranks of a split run agree on what this step does, in one reduction: stopping,
    // checkpointing and the progress line (whose T max is a reduction) are all collective, and
    // each rank's clock and signals are its own.
    enum Wanted { kStop, kCheckpoint, kProgress, kWantedCount };
    double wanted[kWantedCount] = {};
    wanted[kStop] = double(g_signal.load());
    wanted[kCheckpoint] = double(options_.checkpoint_interval > 0 &&
                                 seconds_since(last_checkpoint_) >= options_.checkpoint_interval);
    wanted[kProgress] = double(options_.show_progress && domain_.is_root() && progress_due(sim));
    domain_.max(wanted, kWantedCount);
    if (wanted[kProgress] > 0) show_progress(sim);
    if (team_ != nullptr) {
      if (const std::optional<std::string> change = team_->after_step()) {
        if (tty_ && options_.show_progress) std::fputc('\n', stderr);
        std::fprintf(stderr, "runaway: %s\n", change->c_str());
      }
    }
    const int signal = int(wanted[kStop]);
    const bool due = wanted[kCheckpoint] > 0;
    if (signal != 0 || due) {
      write_checkpoint(sim);
      last_checkpoint_ = std::chrono::steady_clock::now();
    }
    if (signal != 0) {
      output_.flush();  // the checkpoint is on disk (or its error is thrown here)
      if (tty_ && options_.show_progress) std::fputc('\n', stderr);
      throw runtime_error(fmt::format(
          "run interrupted by {} at t = {:.3f} s; checkpoint written to {}; continue with: "
          "runaway run --restart {}",
          signal == SIGINT ? "SIGINT" : "SIGTERM", sim.time(), checkpoint_.string(),
          checkpoint_.string()));
    }
  }

  // Snapshots the simulation here and queues the checkpoint behind every output written so
  // far: its counts are then exactly what results.h5 holds.
  void write_checkpoint(Simulation& sim) {
    SimulationSnapshot snap = sim.snapshot();
    io::CheckpointState state;
    state.model = fingerprint_;
    state.time = sim.time();
    state.step = sim.step_count();
    state.dt = sim.next_dt();
    state.config_text = config_.resolved_toml;
    state.scalars = snap.scalars;
    const std::size_t bytes = snapshot_bytes(snap);
    // A split run's snapshot is complete on rank 0 (single-grid layout), which alone writes it;
    // a failure there is every rank's (AsyncResultsWriter::write_checkpoint).
    auto write = [path = checkpoint_, state = std::move(state),
                  snap = std::move(snap)](const io::ResultsCounts& on_disk) mutable {
      state.integers = {{"frames", std::int64_t(on_disk.frames)},
                        {"cell_samples", std::int64_t(on_disk.cell_samples)},
                        {"events", std::int64_t(on_disk.events)}};
      std::vector<io::ArrayView> arrays;
      for (const auto& [name, v] : snap.doubles) arrays.push_back(io::array_view(name, v));
      for (const auto& [name, v] : snap.floats) arrays.push_back(io::array_view(name, v));
      for (const auto& [name, v] : snap.bytes) arrays.push_back(io::array_view(name, v));
      for (const auto& [name, v] : snap.ints) arrays.push_back(io::array_view(name, v));
      io::write_checkpoint(path, state, arrays);
    };
    output_.write_checkpoint(std::move(write), bytes);
  }

  void finish_progress() {
    if (options_.show_progress && tty_) std::fputc('\n', stderr);
  }

 private:
  // Whether rank 0 prints the progress line after this step: every 0.2 s on a terminal, every
  // 10 s in a log, and at the end.
  bool progress_due(const Simulation& sim) const {
    const bool last = sim.time() >= sim.input().control.end_time * (1 - 1e-12);
    return last || seconds_since(start_) - last_print_ >= (tty_ ? 0.2 : 10.0);
  }

  // Collective (T max); rank 0 prints.
  void show_progress(const Simulation& sim) {
    const double highest = sim.max_temperature();
    if (!domain_.is_root()) return;
    const double now = seconds_since(start_);
    last_print_ = now;
    const double end = sim.input().control.end_time;
    const double done = sim.time() / end;
    const double eta = done > 0 ? now * (1 - done) / done : NAN;
    const std::string text = fmt::format(
        "t = {:8.1f} / {:.0f} s  dt = {:6.3f} s  cells in runaway {:>3}/{}  "
        "T max {:6.1f} K  ETA {}",
        sim.time(), end, sim.next_dt(), sim.cells_in_runaway(), sim.cells().size(), highest,
        clock_text(eta));
    if (tty_) {
      const int width = 24;
      const int filled = int(done * width);
      std::fprintf(stderr, "\r[%s%s] %s", std::string(std::size_t(filled), '#').c_str(),
                   std::string(std::size_t(width - filled), '.').c_str(), text.c_str());
    } else {
      std::fprintf(stderr, "runaway: %s\n", text.c_str());
    }
    std::fflush(stderr);
  }

  io::AsyncResultsWriter& output_;
  const Domain& domain_;
  const PackConfig& config_;
  io::ModelFingerprint fingerprint_;
  fs::path checkpoint_;
  const RunOptions& options_;
  bool tty_;
  io::CellSample sample_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
  double last_print_ = -1e9;
  ThreadTeam* team_;  // null: the team is left alone
};

std::vector<io::FieldSpec> declared_fields(const PackConfig& config, const Simulation& sim) {
  std::vector<io::FieldSpec> all = io::standard_fields(sim.reaction_names());
  all.push_back({"electrolyte_left", "1", "liquid electrolyte left as a share of the initial",
                 io::ElementType::kFloat32});
  std::vector<io::FieldSpec> chosen;
  auto wanted = [&](const std::string& field) {
    for (const std::string& name : config.output.fields) {
      if (name == field) return true;
      if (name == "reaction_progress" && field.rfind("progress_", 0) == 0) return true;
    }
    return field == "temperature";
  };
  for (const io::FieldSpec& f : all) {
    if (wanted(f.name)) chosen.push_back(f);
  }
  return chosen;
}

SimulationSnapshot snapshot_from(const io::Checkpoint& c) {
  SimulationSnapshot s;
  for (const auto& [name, data] : c.arrays) {
    if (const auto* d = std::get_if<std::vector<double>>(&data)) s.doubles[name] = *d;
    if (const auto* f = std::get_if<std::vector<float>>(&data)) s.floats[name] = *f;
    if (const auto* b = std::get_if<std::vector<std::uint8_t>>(&data)) s.bytes[name] = *b;
    if (const auto* i = std::get_if<std::vector<std::int32_t>>(&data)) s.ints[name] = *i;
  }
  s.scalars = c.state.scalars;
  return s;
}

}  // namespace

RunSummary run_case(const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  // 1. The config: from the file, from text, or from the checkpoint of a restarted run.
  std::optional<io::Checkpoint> checkpoint;
  toml::table table;
  std::string origin = options.config_path;
  if (!options.restart.empty()) {
    checkpoint = io::read_checkpoint(options.restart);
    table =
        parse_config_text(checkpoint->state.config_text, options.restart.string() + " (config)");
  } else if (!options.config_text.empty()) {
    table = parse_config_text(options.config_text, origin, options.config_base_directory);
  } else {
    if (options.config_path.empty()) throw bad_input("no config file given", {"", 0, "CONFIG", ""});
    table = load_config_table(options.config_path);
  }
  if (!checkpoint) {
    for (const std::string& o : options.overrides) apply_override(table, o);
  } else if (!options.overrides.empty()) {
    throw bad_input("a restarted run continues the checkpoint's config; --set is not allowed",
                    {"", 0, "--set", options.overrides.front()});
  }
  const PackConfig config = parse_pack_config(table, origin.empty() ? "(config)" : origin);

  // 2. The model, the backend and the simulation.
  const meshes::VoxelModel model = build_voxel_model(config);
  const io::ModelData data = model_data(config, model);
  const io::ModelFingerprint fp = io::fingerprint(data);
  auto backend = kernels::make_backend(options.backend);
  RunPartition part;
  if (options.partitioner != nullptr) {
    part = options.partitioner->partition(make_simulation_input(config, model));
  } else {
    part.input = make_simulation_input(config, model);
  }
  const Domain& domain = part.domain ? *part.domain : serial_domain();
  const bool split = domain.size() > 1;
  Simulation sim(*backend, std::move(part.input), domain);
#if RUNAWAY_HAVE_MPI
  std::optional<io::ParallelBlock> block;
  if (split) {
    const Block& b = sim.input().placement.block;
    block = io::ParallelBlock{MPI_COMM_WORLD,
                              {b.offset[0], b.offset[1], b.offset[2]},
                              {b.extent[0], b.extent[1], b.extent[2]}};
  }
#endif

  // 3. Results: a new file, or the checkpoint's file cut back to the checkpoint.
  const fs::path dir =
      !options.output_dir.empty() ? options.output_dir : options.restart.parent_path();
  std::optional<io::ResultsWriter> writer;
  if (checkpoint) {
    io::Checkpoint verified = io::read_checkpoint(options.restart, fp);  // refuses a foreign model
    sim.restore(snapshot_from(verified));
    const auto count = [&](const char* name) {
      return std::size_t(verified.state.integers.at(name));
    };
#if RUNAWAY_HAVE_MPI
    if (split) {
      writer.emplace(io::ResultsWriter::resume(
          dir, {count("frames"), count("cell_samples"), count("events")}, fp, *block, true));
    }
#endif
    if (!writer) {
      writer.emplace(io::ResultsWriter::resume(
          dir, {count("frames"), count("cell_samples"), count("events")}, fp, true));
    }
  } else {
    io::ResultsOptions ro;
    ro.overwrite = options.overwrite;
    ro.fields = declared_fields(config, sim);
    for (int s = 0; s < kernels::kCellPhaseCount; ++s)
      ro.cell_state_names.push_back(kernels::cell_phase_name(kernels::CellPhase(s)));
    ro.probes = probe_table(config, model);
    ro.config_text = config.resolved_toml;
    ro.config_path = options.config_path;
    ro.provenance = {
        build::kVersion, build::kGitCommit, backend->info().name,
        fmt::format("{} ({} threads)", backend->info().device, backend->info().threads),
        options.command_line};
#if RUNAWAY_HAVE_MPI
    ro.parallel = block;
#endif
    writer.emplace(dir, data, ro);
  }

  const double resumed_at = sim.time();  // 0, or the checkpoint's time

  // 4. Run, the output thread writing while the solver goes on; then close the file (complete
  // is written last, after all queued output) and summarise it. If the run fails, the output
  // still queued is written (none after an output error) and the file stays incomplete.
  {
    // A split run writes in the time loop: parallel HDF5 makes MPI calls, which this process
    // makes from one thread only (MPI_THREAD_FUNNELED).
    const io::OutputMode mode =
        options.async_output && !split ? io::OutputMode::kThread : io::OutputMode::kInline;
    std::optional<io::AsyncResultsWriter> writing;
    {
      // Its thread inherits this thread's mask: every CPU, not the place libgomp bound this to.
      const CpusForChildren every_cpu(process_cpus());
      writing.emplace(std::move(*writer), mode);
    }
    io::AsyncResultsWriter& output = *writing;
    // Not in a split run: one rank's smaller team would set every rank's pace.
    std::optional<ThreadTeam> team;
    if (options.share_busy_cores && !split) team.emplace(*backend);
    RunObserver observer(output, config, fp, dir / kCheckpointName, options, domain,
                         team ? &*team : nullptr);
    {
      StopSignals signals;
      sim.run(&observer);
    }
    observer.finish_progress();
    if (team && !team->summary().empty()) {
      std::fprintf(stderr, "runaway: %s\n", team->summary().c_str());
    }
    output.finish();
  }
  const double substeps = sim.kinetics_substeps();  // collective in a split run
  const double simulated = sim.time() - resumed_at;
  std::error_code ignored;
  if (domain.is_root()) fs::remove(dir / kCheckpointName, ignored);  // finished: not needed
  RunSummary summary = summarize_results(dir);
  // Every rank has read the file before rank 0 adds /verdict to it (a collective).
  domain.max(0.0);
  if (summary.verdicts && domain.is_root()) write_verdict(summary.results, *summary.verdicts);
  summary.wall_time = seconds_since(start);
  summary.kinetics_substeps = substeps;
  summary.simulated_per_wall_second = simulated / summary.wall_time;
  summary.backend = backend->info().name;
  if (split) summary.backend += fmt::format(" x {} MPI ranks", domain.size());
  if (options.print_summary && domain.is_root()) {
    std::fputs(summary_text(summary).c_str(), stdout);
  }
  return summary;
}

RunSummary summarize_results(const fs::path& path) {
  io::ResultsReader reader(path);
  RunSummary s;
  s.results = reader.path();
  const io::ModelData model = reader.model();
  const io::Table& cells = model.cells;
  auto strings = [&](const char* name) {
    const io::Column* c = cells.find(name);
    return c ? std::get<std::vector<std::string>>(c->values) : std::vector<std::string>{};
  };
  auto numbers = [&](const char* name) {
    const io::Column* c = cells.find(name);
    return c ? std::get<std::vector<double>>(c->values) : std::vector<double>{};
  };
  const auto names = strings("name");
  const auto classes = strings("electrolyte_class");
  const auto fractions = numbers("liquid_electrolyte_fraction");
  const auto cx = numbers("centre_x"), cy = numbers("centre_y"), cz = numbers("centre_z");
  const std::size_t n = names.size();
  s.cells.resize(n);
  for (std::size_t c = 0; c < n; ++c) {
    CellOutcome& o = s.cells[c];
    o.name = names[c];
    o.electrolyte_class = c < classes.size() ? classes[c] : "";
    o.liquid_electrolyte_fraction = c < fractions.size() ? fractions[c] : NAN;
    o.onset_time = NAN;
    if (c < cx.size()) o.centre[0] = cx[c], o.centre[1] = cy[c], o.centre[2] = cz[c];
  }
  for (const io::Event& e : reader.events()) {
    if (e.kind == "runaway" && e.cell >= 0 && std::size_t(e.cell) < n) {
      double& onset = s.cells[std::size_t(e.cell)].onset_time;
      if (std::isnan(onset) || e.time < onset) onset = e.time;
    }
  }
  const io::CellSeries series = reader.cell_series();
  for (std::size_t k = 0; k < series.sample_count(); ++k) {
    for (std::size_t c = 0; c < n && c < series.cell_count; ++c) {
      const std::size_t at = k * series.cell_count + c;
      CellOutcome& o = s.cells[c];
      o.peak_temperature = std::max(o.peak_temperature, series.max_temperature[at]);
      o.heat_released = series.heat_released[at];
      // Results written before these series existed leave them empty: the outcomes stay NaN.
      if (!series.pressure.empty()) {
        o.peak_pressure = std::fmax(o.peak_pressure, series.pressure[at]);
      }
      if (!series.vented_mass.empty()) o.vented_mass = series.vented_mass[at];
      if (!series.vented_gas_mass.empty()) o.vented_gas_mass = series.vented_gas_mass[at];
      if (!series.heat_kept_in_body.empty()) o.heat_kept_in_body = series.heat_kept_in_body[at];
      if (!series.heat_carried_by_ejecta.empty()) {
        o.heat_carried_by_ejecta = series.heat_carried_by_ejecta[at];
      }
      for (auto [from, to] : {std::pair{&series.plume_heat_received, &o.plume_heat_received},
                              {&series.plume_heat_to_self, &o.plume_heat_to_self},
                              {&series.plume_heat_to_other_cells, &o.plume_heat_to_other_cells},
                              {&series.plume_heat_to_enclosure, &o.plume_heat_to_enclosure},
                              {&series.plume_heat_carried_out, &o.plume_heat_carried_out},
                              {&series.combustion_heat, &o.combustion_heat},
                              {&series.unburnt_fuel_heat, &o.unburnt_fuel_heat},
                              {&series.heat_in_gas_conduction, &o.heat_in_gas_conduction},
                              {&series.heat_in_gap_radiation, &o.heat_in_gap_radiation},
                              {&series.heat_in_solid_contact, &o.heat_in_solid_contact},
                              {&series.heat_in_cell_contact, &o.heat_in_cell_contact},
                              {&series.heat_in_boundary, &o.heat_in_boundary},
                              {&series.plume_fire_heat_received, &o.plume_fire_heat_received}}) {
        if (!from->empty()) *to = (*from)[at];
      }
    }
  }
  s.end_time = series.time.empty() ? 0 : series.time.back();
  const io::ProvenanceRecord prov = reader.provenance();
  s.backend = prov.provenance.backend;
  s.wall_time = prov.wall_time;
  s.name = fs::path(reader.config_path()).stem().string();

  // Propagation metrics.
  s.first_onset = s.last_onset = NAN;
  int first = -1;
  // Sums over cells stay NaN if a cell's value is not recorded: a part would pass for the whole.
  if (n > 0) {
    s.total_vented_mass = s.total_vented_gas_mass = 0;
    s.total_heat_kept_in_body = s.total_heat_carried_by_ejecta = 0;
    s.total_plume_heat_to_cells = s.total_plume_heat_to_enclosure = 0;
    s.total_plume_heat_carried_out = s.total_combustion_heat = s.total_unburnt_fuel_heat = 0;
  }
  for (std::size_t c = 0; c < n; ++c) {
    const CellOutcome& o = s.cells[c];
    s.peak_temperature = std::max(s.peak_temperature, o.peak_temperature);
    s.total_heat_released += o.heat_released;
    s.peak_pressure = std::fmax(s.peak_pressure, o.peak_pressure);
    s.total_vented_mass += o.vented_mass;
    s.total_vented_gas_mass += o.vented_gas_mass;
    s.total_heat_kept_in_body += o.heat_kept_in_body;
    s.total_heat_carried_by_ejecta += o.heat_carried_by_ejecta;
    s.total_plume_heat_to_cells += o.plume_heat_to_self + o.plume_heat_to_other_cells;
    s.total_plume_heat_to_enclosure += o.plume_heat_to_enclosure;
    s.total_plume_heat_carried_out += o.plume_heat_carried_out;
    s.total_combustion_heat += o.combustion_heat;
    s.total_unburnt_fuel_heat += o.unburnt_fuel_heat;
    if (std::isnan(o.onset_time)) continue;
    ++s.cells_in_runaway;
    if (first < 0 || o.onset_time < s.first_onset) s.first_onset = o.onset_time, first = int(c);
    if (std::isnan(s.last_onset) || o.onset_time > s.last_onset) s.last_onset = o.onset_time;
  }
  s.cells_per_minute = NAN;
  s.front_speed = NAN;
  if (s.cells_in_runaway >= 2 && s.last_onset > s.first_onset) {
    s.cells_per_minute = (s.cells_in_runaway - 1) / (s.last_onset - s.first_onset) * 60.0;
    // Least-squares speed through the origin: distance from the first cell vs time after it.
    double sum_dt2 = 0, sum_ddt = 0;
    for (const CellOutcome& o : s.cells) {
      if (std::isnan(o.onset_time)) continue;
      const double dt = o.onset_time - s.first_onset;
      const double dx = o.centre[0] - s.cells[std::size_t(first)].centre[0];
      const double dy = o.centre[1] - s.cells[std::size_t(first)].centre[1];
      const double dz = o.centre[2] - s.cells[std::size_t(first)].centre[2];
      sum_dt2 += dt * dt;
      sum_ddt += std::sqrt(dx * dx + dy * dy + dz * dz) * dt;
    }
    if (sum_dt2 > 0) s.front_speed = sum_ddt / sum_dt2;
  }
  s.propagation_stopped = s.cells_in_runaway < int(n);
  if (s.propagation_stopped && s.cells_in_runaway > 0) {
    // The nearest cell to any runaway cell that did not run away: where the front stopped.
    double best = INFINITY;
    for (const CellOutcome& quiet : s.cells) {
      if (!std::isnan(quiet.onset_time)) continue;
      for (const CellOutcome& hot : s.cells) {
        if (std::isnan(hot.onset_time)) continue;
        double d2 = 0;
        for (int a = 0; a < 3; ++a) d2 += std::pow(quiet.centre[a] - hot.centre[a], 2);
        if (d2 < best) best = d2, s.stopped_before = quiet.name;
      }
    }
  }
  if (s.cells_in_runaway == 0) {
    s.verdict = fmt::format("no runaway in {} cells over {:.0f} s", n, s.end_time);
  } else if (!s.propagation_stopped) {
    s.verdict =
        fmt::format("propagated to {} of {} cells in {:.0f} s", n, n, s.last_onset - s.first_onset);
  } else {
    s.verdict = fmt::format("stopped after {} of {} cells (before {}) within {:.0f} s",
                            s.cells_in_runaway, n, s.stopped_before, s.end_time);
  }
  s.verdicts = judge_results(reader);
  return s;
}

std::string summary_text(const RunSummary& s) {
  std::string out = fmt::format("\n{}: {}\n", s.name, s.verdict);
  out += fmt::format("  results          {}\n", s.results.string());
  // "plume in": what vent plumes (ejecta and fires, its own included) put on the cell.
  out += "  cell                  class        onset (s)   peak (K)   heat (MJ)  plume in (kJ)\n";
  for (const CellOutcome& c : s.cells) {
    out += fmt::format(
        "  {:<20}  {:<11}  {:>9}  {:>9.1f}  {:>10.3f}  {:>13}\n", c.name, c.electrolyte_class,
        std::isnan(c.onset_time) ? std::string("-") : fmt::format("{:.1f}", c.onset_time),
        c.peak_temperature, c.heat_released * 1e-6,
        std::isnan(c.plume_heat_received) ? std::string("-")
                                          : fmt::format("{:.1f}", c.plume_heat_received * 1e-3));
  }
  auto value = [](double v, const char* format) {
    return std::isnan(v) ? std::string("n/a") : fmt::format(fmt::runtime(format), v);
  };
  out += fmt::format("  cells in runaway {} of {}\n", s.cells_in_runaway, s.cells.size());
  out += fmt::format("  propagation      {} cells/min, front {} mm/s\n",
                     value(s.cells_per_minute, "{:.2f}"), value(s.front_speed * 1e3, "{:.3f}"));
  out += fmt::format("  peak temperature {:.1f} K\n", s.peak_temperature);
  out += fmt::format("  heat released    {:.3f} MJ\n", s.total_heat_released * 1e-6);
  if (!std::isnan(s.total_plume_heat_carried_out)) {
    out += fmt::format(
        "  vent plumes      fire {:.3f} MJ (unburnt, no oxygen {:.3f}); onto cells {:.3f}, "
        "enclosure {:.3f}, out of the pack {:.3f} MJ\n",
        s.total_combustion_heat * 1e-6, s.total_unburnt_fuel_heat * 1e-6,
        s.total_plume_heat_to_cells * 1e-6, s.total_plume_heat_to_enclosure * 1e-6,
        s.total_plume_heat_carried_out * 1e-6);
  }
  if (s.propagation_stopped && s.cells_in_runaway > 0) {
    out += fmt::format("  stopped before   {}\n", s.stopped_before);
  }
  out += fmt::format("  simulated {:.0f} s in {:.1f} s wall on {}", s.end_time, s.wall_time,
                     s.backend);
  // Only known right after the run (a restart counts from its checkpoint).
  if (std::isfinite(s.kinetics_substeps) && std::isfinite(s.simulated_per_wall_second)) {
    out += fmt::format(" ({:.3g} simulated s per wall s; {:.3g} kinetics sub-steps)",
                       s.simulated_per_wall_second, s.kinetics_substeps);
  }
  out += "\n";
  if (s.verdicts) out += "\nVerdicts (docs/verdicts.md)\n\n" + verdict_text(*s.verdicts);
  return out;
}

}  // namespace runaway::host
