// results.h5, results.xdmf and model.h5: round trip of every dataset, incomplete and killed runs,
// readability while the run goes on, restart (resume), and the faults a user can meet: an
// unwritable or existing output directory, a full disk, foreign and corrupt files.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "common/files.hpp"
#include "io/checkpoint.hpp"
#include "io/hdf5_util.hpp"
#include "io/model.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "io/xdmf.hpp"
#include "support/errors.hpp"
#include "support/model_problems.hpp"
#include "support/scratch.hpp"

using runaway::testing::expect_error;
using runaway::testing::ScratchDir;

namespace fs = std::filesystem;
using namespace runaway::io;

namespace {

// A 5 x 4 x 3 model with different voxel sizes per axis (so that swapped axes show), two cells
// and voxels outside cells.
ModelData make_model(int nx = 5, int ny = 4, int nz = 3) {
  ModelData model = runaway::testing::patterned_model(nx, ny, nz);
  model.materials.columns = {
      {"name", "", std::vector<std::string>{"air", "aluminium", "jelly[nmc, through=x]"}},
      {"density", "kg/m^3", std::vector<double>{1.2, 2700.0, 2500.0}},
      {"chemistry_index", "", std::vector<std::int32_t>{-1, -1, 0}},
  };
  model.cells.columns = {
      {"name", "", std::vector<std::string>{"cell_a", "cell_b"}},
      {"capacity", "A h", std::vector<double>{5.0, 5.5}},
  };
  return model;
}

ResultsOptions make_options() {
  ResultsOptions options;
  options.fields = standard_fields({"sei", "cathode"});
  options.cell_state_names = {"normal", "venting", "runaway"};
  options.config_text =
      "# pack \u00B0C is not used\n[run]\nend_time = 60.0 # s\nname = \"a \\\"b\\\"\"\n";
  options.config_path = "/inputs/pack.toml";
  options.provenance = {"0.1.0", "abc123", "openmp", "2 OpenMP threads", "runaway run pack.toml"};
  return options;
}

double temperature_at(int frame, int i, int j, int k) {
  return 300.0 + 100.0 * frame + 10.0 * k + j + 0.1 * i;
}

// The fields of one frame, with distinct values per field, voxel and frame. Temperature is
// handed over with the solver's ghost layer, the others interior only.
struct Frame {
  std::vector<double> temperature_padded, heat_release_rate, arrival_time;
  std::vector<float> progress_sei, progress_cathode;

  Frame(const GridInfo& g, int frame) {
    const auto n = g.voxel_count();
    temperature_padded.assign(std::size_t(g.nx + 2) * std::size_t(g.ny + 2) * std::size_t(g.nz + 2),
                              -1.0);
    heat_release_rate.resize(n);
    arrival_time.resize(n);
    progress_sei.resize(n);
    progress_cathode.resize(n);
    for (int k = 0; k < g.nz; ++k) {
      for (int j = 0; j < g.ny; ++j) {
        for (int i = 0; i < g.nx; ++i) {
          const auto v = g.index(i, j, k);
          const auto padded = (std::size_t(k + 1) * std::size_t(g.ny + 2) + std::size_t(j + 1)) *
                                  std::size_t(g.nx + 2) +
                              std::size_t(i + 1);
          temperature_padded[padded] = temperature_at(frame, i, j, k);
          heat_release_rate[v] = 1.0e6 * frame + double(v);
          arrival_time[v] = (i <= frame) ? 0.5 * i + 0.25 * j : std::nan("");
          progress_sei[v] = float(0.01 * double(v) + 0.1 * frame);
          progress_cathode[v] = float(1.0 / (1.0 + double(v + frame)));
        }
      }
    }
  }

  std::map<std::string, FieldView> views() const {
    return {{"temperature", temperature_padded},
            {"heat_release_rate", heat_release_rate},
            {"arrival_time", arrival_time},
            {"progress_sei", progress_sei},
            {"progress_cathode", progress_cathode}};
  }
};

CellSample make_sample(double time, int cells) {
  CellSample sample;
  sample.time = time;
  for (int c = 0; c < cells; ++c) {
    sample.mean_temperature.push_back(300.0 + time + c);
    sample.max_temperature.push_back(310.0 + 2 * time + c);
    sample.heat_released.push_back(1000.0 * time * (c + 1));
    // Values no other series has, with fractions that a float32 round trip would lose.
    sample.pressure.push_back(101325.0 + 1.0e5 * time + 0.1 * c);
    sample.vent_mass_flow.push_back(1.0e-3 * time + 1.0e-7 * c);
    sample.vented_mass.push_back(2.5e-3 * time * (c + 1) + 1.0e-9);
    sample.vented_gas_mass.push_back(4.0e-4 * time * (c + 1) + 3.0e-11);
    sample.heat_kept_in_body.push_back(7000.0 * time + 0.3 * c);
    sample.heat_carried_by_ejecta.push_back(3000.0 * time + 0.7 * c);
    sample.state.push_back(std::int8_t(time > 2.0 ? 2 : 0));
  }
  // The series not set above (the plume's and the pathways'): distinct values per series and cell.
  double series = 0;
  for (const CellQuantity& q : kCellQuantities) {
    std::vector<double>& values = sample.*q.values;
    series += 1;
    for (int c = int(values.size()); c < cells; ++c)
      values.push_back(10.0 * series * time + 0.01 * c);
  }
  return sample;
}

// The per-cell series that results written before them lack.
const std::vector<std::string> kVentSeries = {"pressure",          "vent_mass_flow",
                                              "vented_mass",       "vented_gas_mass",
                                              "heat_kept_in_body", "heat_carried_by_ejecta"};

// Every /cells/<name> series of a sample and a CellSeries, by name.
const std::vector<double>& series_values(const CellSample& sample, const std::string& name) {
  for (const CellQuantity& q : kCellQuantities) {
    if (name == q.name) return sample.*q.values;
  }
  throw std::logic_error("no cell quantity " + name);
}
const std::vector<double>& series_values(const CellSeries& series, const std::string& name) {
  if (name == "pressure") return series.pressure;
  if (name == "vent_mass_flow") return series.vent_mass_flow;
  if (name == "vented_mass") return series.vented_mass;
  if (name == "vented_gas_mass") return series.vented_gas_mass;
  if (name == "heat_kept_in_body") return series.heat_kept_in_body;
  if (name == "heat_carried_by_ejecta") return series.heat_carried_by_ejecta;
  if (name == "plume_heat_received") return series.plume_heat_received;
  if (name == "plume_heat_to_self") return series.plume_heat_to_self;
  if (name == "plume_heat_to_other_cells") return series.plume_heat_to_other_cells;
  if (name == "plume_heat_to_enclosure") return series.plume_heat_to_enclosure;
  if (name == "plume_heat_carried_out") return series.plume_heat_carried_out;
  if (name == "combustion_heat") return series.combustion_heat;
  if (name == "unburnt_fuel_heat") return series.unburnt_fuel_heat;
  if (name == "heat_in_gas_conduction") return series.heat_in_gas_conduction;
  if (name == "heat_in_gap_radiation") return series.heat_in_gap_radiation;
  if (name == "heat_in_solid_contact") return series.heat_in_solid_contact;
  if (name == "heat_in_cell_contact") return series.heat_in_cell_contact;
  if (name == "heat_in_boundary") return series.heat_in_boundary;
  if (name == "plume_fire_heat_received") return series.plume_fire_heat_received;

  throw std::logic_error("no vent series " + name);
}

// Rows of /cells/<name> on disk, whatever /cells/time says.
hsize_t rows_on_disk(const fs::path& results, const std::string& name) {
  h5::Handle file = h5::open_file(results.string(), H5F_ACC_RDONLY, false);
  h5::Handle dataset = h5::open_dataset(file.get(), "cells/" + name);
  return h5::dataset_extent(dataset.get())[0];
}

// Makes results.h5 look written before the vent series (or only `names`) existed, by removing
// them.
void remove_vent_series(const fs::path& results,
                        const std::vector<std::string>& names = kVentSeries) {
  h5::Handle file = h5::open_file(results.string(), H5F_ACC_RDWR, false);
  for (const std::string& name : names) {
    h5::check(H5Ldelete(file.get(), ("cells/" + name).c_str(), H5P_DEFAULT), "remove " + name);
  }
}

bool same_value(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Runs `body` in a forked child and returns its exit status as waitpid reports it.
template <class Body>
int run_in_child(Body&& body) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    ::_exit(code);  // no destructors, no HDF5 atexit handlers: like a killed process
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

// A complete run of 3 frames, 5 cell samples and 2 events.
// A wall clock for the writer that reads a fixed time when the segment starts and `seconds`
// later at every reading after: the wall time the writer records is then known exactly, and no
// test reads the machine's clock.
std::function<std::chrono::steady_clock::time_point()> clock_reading(double seconds) {
  auto readings = std::make_shared<int>(0);
  return [readings, seconds] {
    const std::chrono::steady_clock::time_point start{};
    if ((*readings)++ == 0) return start;
    return start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(seconds));
  };
}

constexpr double kRunWallTime = 12.5;  // s, what write_complete_run's clock reads at the end

void write_complete_run(const fs::path& run_dir, const ModelData& model,
                        const ResultsOptions& options) {
  ResultsWriter writer(run_dir, model, options);
  writer.measure_wall_time_with(clock_reading(kRunWallTime));
  for (int f = 0; f < 3; ++f) {
    writer.write_frame(1.5 * f, 10 * f, Frame(model.grid, f).views());
    writer.append_cell_sample(make_sample(1.0 * f, 2));
    if (f == 1) writer.append_event({1, "onset", 1.25, 450.0});
  }
  writer.append_cell_sample(make_sample(3.0, 2));
  writer.append_cell_sample(make_sample(3.5, 2));
  writer.append_event({-1, "end", 3.5, 0.0});
  writer.finish();
}

}  // namespace

// Seconds since the epoch of an ISO 8601 UTC date as the writer records it
// (2024-05-01T12:00:00Z); NaN if it is not one.
double utc_seconds(const std::string& date) {
  std::tm t{};
  std::istringstream in(date);
  in >> std::get_time(&t, "%Y-%m-%dT%H:%M:%SZ");
  if (in.fail()) return std::nan("");
  return double(timegm(&t));
}

TEST(IoResults, RoundTripOfEveryDataset) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  const ResultsOptions options = make_options();
  write_complete_run(run_dir, model, options);

  ResultsReader reader(run_dir);  // a directory is read as DIR/results.h5
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(reader.path(), run_dir / "results.h5");

  const GridInfo& g = reader.grid();
  EXPECT_EQ(g.nx, 5);
  EXPECT_EQ(g.ny, 4);
  EXPECT_EQ(g.nz, 3);
  EXPECT_EQ(g.dx, 1.0e-3);
  EXPECT_EQ(g.dy, 2.0e-3);
  EXPECT_EQ(g.dz, 3.0e-3);
  EXPECT_EQ(g.origin_x, -0.01);
  EXPECT_EQ(g.origin_y, 0.02);
  EXPECT_EQ(g.origin_z, 0.5);

  const ModelData read_model = reader.model();
  EXPECT_EQ(read_model.material, model.material);
  EXPECT_EQ(read_model.cell, model.cell);
  ASSERT_EQ(read_model.materials.columns.size(), 3u);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(read_model.materials.columns[c].name, model.materials.columns[c].name);
    EXPECT_EQ(read_model.materials.columns[c].units, model.materials.columns[c].units);
    EXPECT_EQ(read_model.materials.columns[c].values, model.materials.columns[c].values);
  }
  ASSERT_EQ(read_model.cells.columns.size(), 2u);
  EXPECT_EQ(read_model.cells.columns[1].values, model.cells.columns[1].values);
  EXPECT_EQ(read_model.cells.columns[1].units, "A h");
  EXPECT_EQ(read_model.cell_count(), 2);

  ASSERT_EQ(reader.fields().size(), 5u);
  const std::vector<std::string> names = {"temperature", "heat_release_rate", "arrival_time",
                                          "progress_sei", "progress_cathode"};
  const std::vector<std::string> units = {"K", "W/m^3", "s", "1", "1"};
  for (std::size_t f = 0; f < names.size(); ++f) {
    EXPECT_EQ(reader.fields()[f].name, names[f]);
    EXPECT_EQ(reader.fields()[f].units, units[f]);
    EXPECT_FALSE(reader.fields()[f].description.empty());
  }
  EXPECT_EQ(reader.fields()[0].storage, ElementType::kFloat64);
  EXPECT_EQ(reader.fields()[3].storage, ElementType::kFloat32);

  EXPECT_EQ(reader.frame_times(), (std::vector<double>{0.0, 1.5, 3.0}));
  EXPECT_EQ(reader.frame_steps(), (std::vector<std::int64_t>{0, 10, 20}));
  for (int frame = 0; frame < 3; ++frame) {
    const Frame expected(g, frame);
    const auto temperature = reader.read_field("temperature", std::size_t(frame));
    const auto heat = reader.read_field("heat_release_rate", std::size_t(frame));
    const auto arrival = reader.read_field("arrival_time", std::size_t(frame));
    const auto sei = reader.read_field("progress_sei", std::size_t(frame));
    const auto cathode = reader.read_field("progress_cathode", std::size_t(frame));
    for (int k = 0; k < g.nz; ++k) {
      for (int j = 0; j < g.ny; ++j) {
        for (int i = 0; i < g.nx; ++i) {
          const auto v = g.index(i, j, k);
          ASSERT_EQ(temperature[v], temperature_at(frame, i, j, k)) << i << j << k;
          ASSERT_EQ(heat[v], expected.heat_release_rate[v]);
          ASSERT_TRUE(same_value(arrival[v], expected.arrival_time[v])) << v;
          ASSERT_EQ(sei[v], double(expected.progress_sei[v]));
          ASSERT_EQ(cathode[v], double(expected.progress_cathode[v]));
        }
      }
    }
  }

  const CellSeries series = reader.cell_series();
  EXPECT_EQ(series.cell_count, 2u);
  EXPECT_EQ(series.time, (std::vector<double>{0.0, 1.0, 2.0, 3.0, 3.5}));
  EXPECT_EQ(series.state_names, options.cell_state_names);
  for (std::size_t s = 0; s < series.sample_count(); ++s) {
    const CellSample expected = make_sample(series.time[s], 2);
    for (std::size_t c = 0; c < 2; ++c) {
      EXPECT_EQ(series.mean_temperature_at(s, c), expected.mean_temperature[c]);
      EXPECT_EQ(series.max_temperature[s * 2 + c], expected.max_temperature[c]);
      EXPECT_EQ(series.heat_released[s * 2 + c], expected.heat_released[c]);
      EXPECT_EQ(series.state[s * 2 + c], expected.state[c]);
      for (const std::string& name : kVentSeries) {
        ASSERT_EQ(series_values(series, name).size(), series.sample_count() * 2) << name;
        EXPECT_EQ(series_values(series, name)[s * 2 + c], series_values(expected, name)[c])
            << name << " sample " << s << " cell " << c;
      }
    }
  }
  // Each series carries its units, like the older ones.
  {
    h5::Handle file = h5::open_file((run_dir / "results.h5").string(), H5F_ACC_RDONLY, false);
    const std::vector<std::pair<std::string, std::string>> units_of = {
        {"pressure", "Pa"},        {"vent_mass_flow", "kg/s"}, {"vented_mass", "kg"},
        {"vented_gas_mass", "kg"}, {"heat_kept_in_body", "J"}, {"heat_carried_by_ejecta", "J"},
        {"heat_released", "J"}};
    for (const auto& [name, unit] : units_of) {
      h5::Handle dataset = h5::open_dataset(file.get(), "cells/" + name);
      EXPECT_EQ(h5::read_string_attribute(dataset.get(), "units"), unit) << name;
      EXPECT_FALSE(h5::read_string_attribute(dataset.get(), "description").empty()) << name;
    }
    for (const CellQuantity& q : kCellQuantities) {
      h5::Handle dataset = h5::open_dataset(file.get(), std::string("cells/") + q.name);
      EXPECT_EQ(h5::read_string_attribute(dataset.get(), "description"), q.description) << q.name;
    }
  }

  const auto events = reader.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].cell, 1);
  EXPECT_EQ(events[0].kind, "onset");
  EXPECT_EQ(events[0].time, 1.25);
  EXPECT_EQ(events[0].temperature, 450.0);
  EXPECT_EQ(events[1].cell, -1);
  EXPECT_EQ(events[1].kind, "end");

  EXPECT_EQ(reader.config_text(), options.config_text);
  EXPECT_EQ(reader.config_path(), "/inputs/pack.toml");
  const ProvenanceRecord provenance = reader.provenance();
  EXPECT_EQ(provenance.provenance.version, "0.1.0");
  EXPECT_EQ(provenance.provenance.git_commit, "abc123");
  EXPECT_EQ(provenance.provenance.backend, "openmp");
  EXPECT_EQ(provenance.provenance.device, "2 OpenMP threads");
  EXPECT_EQ(provenance.provenance.command_line, "runaway run pack.toml");
  EXPECT_EQ(provenance.start_date.size(), 20u);  // 2024-05-01T12:00:00Z
  EXPECT_EQ(provenance.end_date.size(), 20u);
  EXPECT_GE(provenance.wall_time, 0.0);
  EXPECT_EQ(provenance.wall_time, kRunWallTime);  // seconds, from the writer's clock
  // Dates as UTC ISO 8601; the wall time is the writer clock's (carried over a restart: below).
  EXPECT_FALSE(std::isnan(utc_seconds(provenance.start_date))) << provenance.start_date;
  EXPECT_FALSE(std::isnan(utc_seconds(provenance.end_date))) << provenance.end_date;
  EXPECT_EQ(provenance.restart_count, 0);

  const ResultsCounts counts = reader.counts();
  EXPECT_EQ(counts.frames, 3u);
  EXPECT_EQ(counts.cell_samples, 5u);
  EXPECT_EQ(counts.events, 2u);

  // The sidecar lists every frame and no temporary file is left behind.
  const std::string xdmf = runaway::read_text(run_dir / "results.xdmf");
  EXPECT_NE(xdmf.find("<Time Value=\"3\"/>"), std::string::npos);
  EXPECT_NE(xdmf.find("results.h5:/xdmf/progress_cathode/2"), std::string::npos);
  EXPECT_FALSE(fs::exists(run_dir / "results.xdmf.tmp"));
  // The 3-D view of each frame that the sidecar names is that frame of /fields.
  {
    h5::Handle file = h5::open_file((run_dir / "results.h5").string(), H5F_ACC_RDONLY, false);
    for (const char* name : {"temperature", "progress_cathode"}) {
      for (std::size_t frame = 0; frame < 3; ++frame) {
        h5::Handle view = h5::open_dataset(file.get(), frame_view_path(name, frame).substr(1));
        EXPECT_EQ(h5::dataset_extent(view.get()),
                  (std::vector<hsize_t>{hsize_t(model.grid.nz), hsize_t(model.grid.ny),
                                        hsize_t(model.grid.nx)}));
        std::vector<double> values(model.grid.voxel_count());
        h5::check(
            H5Dread(view.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
            "read the view");
        EXPECT_EQ(values, reader.read_field(name, frame)) << name << " frame " << frame;
      }
    }
  }

  EXPECT_THROW(reader.read_field("pressure", 0), runaway::Error);
  EXPECT_THROW(reader.read_field("temperature", 3), runaway::Error);
}

TEST(IoResults, XdmfDescribesCellDataInZyxOrder) {
  XdmfResults results;
  results.grid = {5, 4, 3, 1.0e-3, 2.0e-3, 3.0e-3, 0.1, 0.2, 0.3};
  results.fields = {{"temperature", ElementType::kFloat64},
                    {"progress_sei", ElementType::kFloat32}};
  results.frame_times = {0.0, 2.5};
  const std::string text = results_xdmf(results);
  EXPECT_NE(text.find("<Xdmf Version=\"2.0\">"), std::string::npos);
  EXPECT_NE(text.find("GridType=\"Collection\" CollectionType=\"Temporal\""), std::string::npos);
  EXPECT_NE(text.find("TopologyType=\"3DCoRectMesh\" Dimensions=\"4 5 6\""), std::string::npos);
  EXPECT_NE(text.find("GeometryType=\"ORIGIN_DXDYDZ\""), std::string::npos);
  EXPECT_NE(text.find(">0.3 0.2 0.1</DataItem>"), std::string::npos);
  EXPECT_NE(text.find(">0.003 0.002 0.001</DataItem>"), std::string::npos);
  EXPECT_NE(text.find("Center=\"Cell\""), std::string::npos);
  EXPECT_NE(text.find("<Time Value=\"2.5\"/>"), std::string::npos);
  // Frame 1 of a field: its 3-D view, a plain HDF item (no HyperSlab: the Xdmf3 readers skip
  // arrays given by reference).
  EXPECT_NE(text.find("<DataItem Dimensions=\"3 4 5\" NumberType=\"Float\" Precision=\"4\" "
                      "Format=\"HDF\">results.h5:/xdmf/progress_sei/1</DataItem>"),
            std::string::npos);
  EXPECT_NE(text.find("results.h5:/xdmf/temperature/0</DataItem>"), std::string::npos);
  EXPECT_EQ(text.find("HyperSlab"), std::string::npos);
  // No frames yet: the model alone, still a valid document.
  results.frame_times.clear();
  const std::string model_only = results_xdmf(results);
  EXPECT_EQ(model_only.find("Temporal"), std::string::npos);
  EXPECT_NE(model_only.find("results.h5:/model/material"), std::string::npos);
}

TEST(IoResults, UnfinishedRunIsIncomplete) {
  const ScratchDir temp("runaway-io-results");
  const ModelData model = make_model();
  {
    ResultsWriter writer(temp.path() / "run", model, make_options());
    writer.write_frame(0.0, 0, Frame(model.grid, 0).views());
    writer.write_frame(1.0, 5, Frame(model.grid, 1).views());
    // destroyed without finish(): a run stopped by an exception
  }
  const auto error = expect_error([&] { ResultsReader reader(temp.path() / "run"); });
  EXPECT_EQ(error.kind(), runaway::ErrorKind::kBadInput);
  EXPECT_NE(std::string(error.what()).find("incomplete"), std::string::npos) << error.what();

  ResultsReader reader(temp.path() / "run", /*allow_incomplete=*/true);
  EXPECT_FALSE(reader.complete());
  EXPECT_EQ(reader.frame_count(), 2u);
  EXPECT_EQ(reader.read_field("temperature", 1)[0], temperature_at(1, 0, 0, 0));
  EXPECT_TRUE(reader.provenance().end_date.empty());
}

TEST(IoResults, KilledRunLeavesAReadableIncompleteFile) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  // The child stops dead after its second frame: no destructor, no HDF5 close.
  const int status = run_in_child([&] {
    ResultsWriter writer(run_dir, model, make_options());
    writer.write_frame(0.0, 0, Frame(model.grid, 0).views());
    writer.append_cell_sample(make_sample(0.5, 2));
    writer.append_event({0, "vent", 0.75, 420.0});
    writer.write_frame(1.0, 5, Frame(model.grid, 1).views());
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_THROW(ResultsReader reader(run_dir), runaway::Error);
  ResultsReader reader(run_dir, true);
  EXPECT_FALSE(reader.complete());
  EXPECT_EQ(reader.frame_count(), 2u);
  EXPECT_EQ(reader.read_field("temperature", 1)[model.grid.index(2, 1, 0)],
            temperature_at(1, 2, 1, 0));
  EXPECT_EQ(reader.cell_series().sample_count(), 1u);
  ASSERT_EQ(reader.events().size(), 1u);
  EXPECT_EQ(reader.events()[0].kind, "vent");
}

TEST(IoResults, RunKilledWhileWritingNeverLooksComplete) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model(40, 40, 40);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      ResultsWriter writer(run_dir, model, make_options());
      const Frame frame(model.grid, 0);
      for (int f = 0;; ++f) writer.write_frame(double(f), f, frame.views());
    } catch (...) {
    }
    ::_exit(1);
  }
  // Kill it with SIGKILL somewhere in its frame loop, once a few frames are on disk: however long
  // that takes (no deadline, so a slow machine cannot fail the test; ctest's timeout ends a hang),
  // unless the writer stopped by itself.
  int status = 0;
  bool exited = false;
  while (runaway::read_text(run_dir / "results.xdmf").find("frame_3") == std::string::npos) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_FALSE(exited) << "the writer stopped before its fourth frame";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  EXPECT_THROW(ResultsReader reader(run_dir), runaway::Error);
  try {
    ResultsReader reader(run_dir, true);
    EXPECT_FALSE(reader.complete());
    EXPECT_GE(reader.frame_count(), 3u);
    const auto last = reader.read_field("temperature", reader.frame_count() - 1);
    EXPECT_EQ(last[model.grid.index(1, 2, 3)], temperature_at(0, 1, 2, 3));
  } catch (const runaway::Error& e) {
    // A kill during a flush may leave metadata half written: then a clear error, never data.
    SUCCEED() << "killed mid-flush: " << e.what();
  }
}

TEST(IoResults, ReadableByAnotherProcessWhileTheRunGoesOn) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  int to_parent[2];
  int to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 0;
    try {
      char go = 0;
      ResultsWriter writer(run_dir, model, make_options());
      for (int f = 0; f < 3; ++f) {
        writer.write_frame(double(f), f, Frame(model.grid, f).views());
        writer.append_cell_sample(make_sample(double(f), 2));
        writer.flush();
        if (::write(to_parent[1], "f", 1) != 1 || ::read(to_child[0], &go, 1) != 1) code = 3;
      }
      writer.finish();
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }
  for (std::size_t f = 1; f <= 3; ++f) {
    char frame_written = 0;
    ASSERT_EQ(::read(to_parent[0], &frame_written, 1), 1);
    // The writer holds results.h5 open; another process reads what is flushed so far.
    ResultsReader reader(run_dir, true);
    EXPECT_FALSE(reader.complete());
    EXPECT_EQ(reader.frame_count(), f);
    EXPECT_EQ(reader.read_field("temperature", f - 1)[0], temperature_at(int(f - 1), 0, 0, 0));
    EXPECT_EQ(reader.cell_series().sample_count(), f);
    ASSERT_EQ(::write(to_child[1], "g", 1), 1);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(ResultsReader(run_dir).complete());
}

TEST(IoResults, ExistingOutputDirectoryIsRefusedUnlessOverwrite) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  write_complete_run(run_dir, model, make_options());
  std::ofstream(run_dir / "notes.txt") << "keep me\n";
  const auto before = fs::file_size(run_dir / "results.h5");

  const auto error = expect_error([&] { ResultsWriter writer(run_dir, model, make_options()); });
  EXPECT_EQ(error.kind(), runaway::ErrorKind::kBadInput);
  EXPECT_NE(std::string(error.what()).find("--overwrite"), std::string::npos) << error.what();
  // The earlier result is untouched.
  EXPECT_EQ(fs::file_size(run_dir / "results.h5"), before);
  EXPECT_EQ(ResultsReader(run_dir).frame_count(), 3u);

  ResultsOptions overwrite = make_options();
  overwrite.overwrite = true;
  {
    ResultsWriter writer(run_dir, model, overwrite);
    writer.write_frame(0.0, 0, Frame(model.grid, 0).views());
    writer.finish();
  }
  EXPECT_EQ(ResultsReader(run_dir).frame_count(), 1u);
  EXPECT_TRUE(fs::exists(run_dir / "notes.txt"));  // only our own files are replaced

  // An existing empty directory is fine; a file in the way is not.
  fs::create_directory(temp.path() / "empty");
  EXPECT_NO_THROW(ResultsWriter(temp.path() / "empty", model, make_options()));
  std::ofstream(temp.path() / "a_file") << "x";
  EXPECT_THROW(ResultsWriter(temp.path() / "a_file", model, make_options()), runaway::Error);
}

TEST(IoResults, UnwritableOutputDirectoryIsAnError) {
  const ScratchDir temp("runaway-io-results");
  const ModelData model = make_model();
  // A path under a regular file can never be created.
  std::ofstream(temp.path() / "file") << "x";
  const auto error = expect_error(
      [&] { ResultsWriter writer(temp.path() / "file" / "run", model, make_options()); });
  EXPECT_NE(std::string(error.what()).find("output directory"), std::string::npos) << error.what();

  // A read-only directory. root ignores permissions, so the writer runs as `nobody` in a child.
  const fs::path locked = temp.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
  fs::permissions(temp.path(), fs::perms::others_exec | fs::perms::others_read,
                  fs::perm_options::add);
  for (const fs::path& run_dir : {locked, locked / "run"}) {
    const int status = run_in_child([&] {
      if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return 4;
      try {
        ResultsWriter writer(run_dir, model, make_options());
      } catch (const runaway::Error& e) {
        const std::string message = e.what();
        std::fprintf(stderr, "%s\n", e.what());
        return message.find(locked.string()) != std::string::npos ? 0 : 2;
      }
      return 1;
    });
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0) << run_dir;
  }
}

// A file-size limit stands in for a full disk: writes past it fail with EFBIG, as they fail
// with ENOSPC on a full disk. The child ignores SIGXFSZ, which would otherwise kill it.
bool limit_file_size(rlim_t bytes) {
  ::signal(SIGXFSZ, SIG_IGN);
  const rlimit limit{bytes, bytes};
  return ::setrlimit(RLIMIT_FSIZE, &limit) == 0;
}

TEST(IoResults, FullDiskStopsTheRunWithAReadableFile) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model(32, 32, 32);
  const int status = run_in_child([&] {
    if (!limit_file_size(8 << 20)) return 5;
    std::mt19937_64 random(7);
    std::uniform_real_distribution<double> noise(300.0, 1000.0);
    Frame frame(model.grid, 0);
    try {
      ResultsWriter writer(run_dir, model, make_options());
      for (int f = 0; f < 100; ++f) {
        for (auto& q : frame.heat_release_rate) q = noise(random);  // incompressible
        writer.write_frame(double(f), f, frame.views());
        writer.append_cell_sample(make_sample(double(f), 2));
      }
    } catch (const runaway::Error& e) {
      std::fprintf(stderr, "%s\n", e.what());
      const std::string message = e.what();
      return message.find("not enough disk space") != std::string::npos ? 0 : 2;
    }
    return 1;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "the writer crashed: status " << status;
  ASSERT_EQ(WEXITSTATUS(status), 0);
  // The writer stopped before the write that might not fit: the frames so far stay readable.
  ResultsReader reader(run_dir, true);
  EXPECT_FALSE(reader.complete());
  ASSERT_GE(reader.frame_count(), 2u);
  const auto last = reader.read_field("temperature", reader.frame_count() - 1);
  EXPECT_EQ(last[model.grid.index(3, 2, 1)], temperature_at(0, 3, 2, 1));
}

TEST(IoResults, WriteFailureInsideHdf5IsACleanError) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  // Random maps do not compress: writing the model itself passes the limit.
  ModelData model = make_model(64, 64, 64);
  model.cells.columns.clear();
  std::mt19937 random(3);
  for (auto& m : model.material) m = std::uint8_t(random() % 3);
  for (auto& c : model.cell) c = std::int32_t(random() % 3) - 1;
  const int status = run_in_child([&] {
    if (!limit_file_size(64 << 10)) return 5;
    try {
      ResultsWriter writer(run_dir, model, make_options());
    } catch (const runaway::Error& e) {
      std::fprintf(stderr, "%s\n", e.what());
      const std::string message = e.what();
      return message.find("File too large") != std::string::npos ? 0 : 2;
    }
    return 1;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "the writer crashed: status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // Whatever is left never looks complete.
  EXPECT_THROW(ResultsReader reader(run_dir), runaway::Error);
}

TEST(IoResults, WriterRefusesBadCallsBeforeTouchingTheFile) {
  const ScratchDir temp("runaway-io-results");
  const ModelData model = make_model();
  ResultsWriter writer(temp.path() / "run", model, make_options());
  const Frame frame(model.grid, 0);
  auto missing = frame.views();
  missing.erase("arrival_time");
  EXPECT_THROW(writer.write_frame(0.0, 0, missing), runaway::Error);
  auto unknown = frame.views();
  unknown["pressure"] = FieldView(frame.heat_release_rate);
  EXPECT_THROW(writer.write_frame(0.0, 0, unknown), runaway::Error);
  auto short_field = frame.views();
  const std::vector<double> too_short(7, 0.0);
  short_field["temperature"] = FieldView(too_short);
  EXPECT_THROW(writer.write_frame(0.0, 0, short_field), runaway::Error);
  EXPECT_THROW(writer.append_cell_sample(make_sample(0.0, 3)), runaway::Error);
  for (const std::string& name : kVentSeries) {
    CellSample short_of_one = make_sample(0.0, 2);
    for (const CellQuantity& q : kCellQuantities) {
      if (name == q.name) (short_of_one.*q.values).pop_back();
    }
    const auto error = expect_error([&] { writer.append_cell_sample(short_of_one); });
    EXPECT_NE(std::string(error.what()).find(name), std::string::npos) << error.what();
  }
  EXPECT_THROW(writer.append_event({5, "onset", 0.0, 300.0}), runaway::Error);
  EXPECT_THROW(writer.append_event({0, "bad kind", 0.0, 300.0}), runaway::Error);
  // None of that broke the writer.
  writer.write_frame(2.0, 1, frame.views());
  EXPECT_THROW(writer.write_frame(1.0, 2, frame.views()), runaway::Error);  // time goes back
  writer.finish();
  EXPECT_THROW(writer.write_frame(3.0, 3, frame.views()), runaway::Error);  // finished
  EXPECT_EQ(ResultsReader(temp.path() / "run").frame_count(), 1u);

  ResultsOptions bad = make_options();
  bad.fields.push_back({"temperature", "K", "twice", ElementType::kFloat64});
  EXPECT_THROW(ResultsWriter(temp.path() / "run2", model, bad), runaway::Error);
}

TEST(IoResults, ResumeCutsTheSeriesBackToTheCheckpoint) {
  const ScratchDir temp("runaway-io-results");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  ResultsCounts at_checkpoint;
  {
    ResultsWriter writer(run_dir, model, make_options());
    for (int f = 0; f < 3; ++f) {
      writer.write_frame(double(f), f, Frame(model.grid, f).views());
      writer.append_cell_sample(make_sample(double(f), 2));
    }
    writer.append_event({0, "onset", 2.0, 500.0});
    at_checkpoint = writer.flush();  // stored in the checkpoint
    // The run goes on past the checkpoint, then dies.
    writer.write_frame(3.0, 3, Frame(model.grid, 3).views());
    CellSample after = make_sample(3.0, 2);  // lost with the run: other values than below
    for (const CellQuantity& q : kCellQuantities) (after.*q.values).assign(2, -1.0);
    writer.append_cell_sample(after);
    writer.append_event({1, "onset", 3.0, 510.0});
  }
  for (const CellQuantity& q : kCellQuantities) {
    EXPECT_EQ(rows_on_disk(run_dir / "results.h5", q.name), 4u) << q.name;
  }
  EXPECT_EQ(at_checkpoint.frames, 3u);
  EXPECT_EQ(at_checkpoint.cell_samples, 3u);
  EXPECT_EQ(at_checkpoint.events, 1u);

  // Another model's results are refused.
  ModelData other = model;
  other.material[0] = 2;
  const auto foreign =
      expect_error([&] { ResultsWriter::resume(run_dir, at_checkpoint, fingerprint(other)); });
  EXPECT_NE(std::string(foreign.what()).find("another model"), std::string::npos);
  // A checkpoint that expects more than is on disk belongs to another run.
  ResultsCounts too_many = at_checkpoint;
  too_many.frames = 9;
  EXPECT_THROW(ResultsWriter::resume(run_dir, too_many, fingerprint(model)), runaway::Error);

  // The first segment's wall time, as if it had run for a day: the resumed run adds its own.
  constexpr double kFirstSegment = 86400.0;  // s
  {
    h5::Handle file = h5::open_file((run_dir / "results.h5").string(), H5F_ACC_RDWR, false);
    h5::Handle group = h5::open_group(file.get(), "provenance");
    h5::write_attribute(group.get(), "wall_time", kFirstSegment);
  }
  {
    ResultsWriter writer = ResultsWriter::resume(run_dir, at_checkpoint, fingerprint(model));
    writer.measure_wall_time_with(clock_reading(1.5));  // the resumed segment: 1.5 s
    EXPECT_EQ(writer.counts().frames, 3u);
    EXPECT_EQ(writer.fields().size(), 5u);
    writer.write_frame(3.0, 3, Frame(model.grid, 3).views());
    writer.append_cell_sample(make_sample(3.0, 2));
    writer.append_event({1, "onset", 3.0, 510.0});
    writer.write_frame(4.0, 4, Frame(model.grid, 4).views());
    writer.finish();
  }
  {
    // HDF5 refuses to open a file for writing that this process has open for reading: the
    // reader is closed before the resume below.
    ResultsReader reader(run_dir);
    EXPECT_EQ(reader.frame_times(), (std::vector<double>{0, 1, 2, 3, 4}));
    EXPECT_EQ(reader.read_field("temperature", 4)[3], temperature_at(4, 3, 0, 0));
    const CellSeries series = reader.cell_series();
    EXPECT_EQ(series.time, (std::vector<double>{0, 1, 2, 3}));
    // Every series was cut back to the checkpoint and carried on from there: the sample lost
    // with the run is gone from each of them.
    for (const std::string& name : kVentSeries) {
      ASSERT_EQ(series_values(series, name).size(), 8u) << name;
      for (std::size_t s = 0; s < 4; ++s) {
        const CellSample expected = make_sample(double(s), 2);
        for (std::size_t c = 0; c < 2; ++c) {
          EXPECT_EQ(series_values(series, name)[s * 2 + c], series_values(expected, name)[c])
              << name << " sample " << s << " cell " << c;
        }
      }
    }
    ASSERT_EQ(reader.events().size(), 2u);
    EXPECT_EQ(reader.events()[1].cell, 1);
    EXPECT_EQ(reader.provenance().restart_count, 1);
    EXPECT_GE(reader.provenance().wall_time, kFirstSegment);        // the earlier segment counted
    EXPECT_EQ(reader.provenance().wall_time, kFirstSegment + 1.5);  // and this one added
  }
  for (const CellQuantity& q : kCellQuantities) {
    EXPECT_EQ(rows_on_disk(run_dir / "results.h5", q.name), 4u) << q.name;
  }
  EXPECT_NE(runaway::read_text(run_dir / "results.xdmf").find("frame_4"), std::string::npos);

  // A finished run is not reopened unless asked.
  EXPECT_THROW(ResultsWriter::resume(run_dir, at_checkpoint, fingerprint(model)), runaway::Error);
  ResultsWriter reopened =
      ResultsWriter::resume(run_dir, at_checkpoint, fingerprint(model), /*overwrite=*/true);
  EXPECT_EQ(reopened.counts().frames, 3u);
}

TEST(IoResults, FileWithoutTheVentSeriesReadsAndResumes) {
  const ScratchDir temp("runaway-io-results");
  const ModelData model = make_model();

  // A finished run written before the series existed: they read as empty, the rest as written.
  const fs::path finished = temp.path() / "finished";
  write_complete_run(finished, model, make_options());
  remove_vent_series(finished / "results.h5");
  {
    ResultsReader reader(finished);
    EXPECT_TRUE(reader.complete());
    const CellSeries series = reader.cell_series();
    ASSERT_EQ(series.sample_count(), 5u);
    for (const std::string& name : kVentSeries) EXPECT_TRUE(series_values(series, name).empty());
    EXPECT_EQ(series.heat_released[4 * 2 + 1], make_sample(3.5, 2).heat_released[1]);
    EXPECT_EQ(series.mean_temperature_at(2, 0), make_sample(2.0, 2).mean_temperature[0]);
  }

  // A stopped run of that time resumes: the older series are cut back and carried on, the
  // missing ones stay missing (their earlier rows are unknown).
  const fs::path stopped = temp.path() / "stopped";
  ResultsCounts at_checkpoint;
  {
    ResultsWriter writer(stopped, model, make_options());
    for (int f = 0; f < 2; ++f) {
      writer.write_frame(double(f), f, Frame(model.grid, f).views());
      writer.append_cell_sample(make_sample(double(f), 2));
    }
    at_checkpoint = writer.flush();
    writer.append_cell_sample(make_sample(2.0, 2));  // lost with the run
  }
  remove_vent_series(stopped / "results.h5");
  {
    ResultsWriter writer = ResultsWriter::resume(stopped, at_checkpoint, fingerprint(model));
    writer.append_cell_sample(make_sample(5.0, 2));
    writer.write_frame(5.0, 5, Frame(model.grid, 5).views());
    writer.finish();
  }
  ResultsReader reader(stopped);
  const CellSeries series = reader.cell_series();
  EXPECT_EQ(series.time, (std::vector<double>{0, 1, 5}));
  EXPECT_EQ(series.max_temperature[2 * 2 + 1], make_sample(5.0, 2).max_temperature[1]);
  EXPECT_EQ(rows_on_disk(stopped / "results.h5", "max_temperature"), 3u);
  for (const std::string& name : kVentSeries) EXPECT_TRUE(series_values(series, name).empty());
  h5::Handle file = h5::open_file((stopped / "results.h5").string(), H5F_ACC_RDONLY, false);
  EXPECT_FALSE(h5::link_exists(file.get(), "cells/pressure"));
}

TEST(IoResults, FileWithoutVentedGasMassReadsAndResumes) {
  const ScratchDir temp("runaway-io-results");
  const ModelData model = make_model();

  // Written after the other vent series but before vented_gas_mass: only that one reads empty.
  const fs::path finished = temp.path() / "finished";
  write_complete_run(finished, model, make_options());
  remove_vent_series(finished / "results.h5", {"vented_gas_mass"});
  {
    ResultsReader reader(finished);
    const CellSeries series = reader.cell_series();
    ASSERT_EQ(series.sample_count(), 5u);
    EXPECT_TRUE(series.vented_gas_mass.empty());
    for (const std::string& name : kVentSeries) {
      if (name == "vented_gas_mass") continue;
      ASSERT_EQ(series_values(series, name).size(), 10u) << name;
      EXPECT_EQ(series_values(series, name)[4 * 2 + 1], series_values(make_sample(3.5, 2), name)[1])
          << name;
    }
  }

  // Resumed: the others are cut back and carried on, vented_gas_mass stays missing.
  const fs::path stopped = temp.path() / "stopped";
  ResultsCounts at_checkpoint;
  {
    ResultsWriter writer(stopped, model, make_options());
    for (int f = 0; f < 2; ++f) {
      writer.write_frame(double(f), f, Frame(model.grid, f).views());
      writer.append_cell_sample(make_sample(double(f), 2));
    }
    at_checkpoint = writer.flush();
    writer.append_cell_sample(make_sample(2.0, 2));  // lost with the run
  }
  remove_vent_series(stopped / "results.h5", {"vented_gas_mass"});
  {
    ResultsWriter writer = ResultsWriter::resume(stopped, at_checkpoint, fingerprint(model));
    writer.append_cell_sample(make_sample(5.0, 2));
    writer.write_frame(5.0, 5, Frame(model.grid, 5).views());
    writer.finish();
  }
  {
    ResultsReader reader(stopped);
    const CellSeries series = reader.cell_series();
    EXPECT_EQ(series.time, (std::vector<double>{0, 1, 5}));
    EXPECT_TRUE(series.vented_gas_mass.empty());
    ASSERT_EQ(series.vented_mass.size(), 6u);
    EXPECT_EQ(series.vented_mass[2 * 2 + 1], make_sample(5.0, 2).vented_mass[1]);
  }
  EXPECT_EQ(rows_on_disk(stopped / "results.h5", "vented_mass"), 3u);
  h5::Handle file = h5::open_file((stopped / "results.h5").string(), H5F_ACC_RDONLY, false);
  EXPECT_FALSE(h5::link_exists(file.get(), "cells/vented_gas_mass"));
}

TEST(IoResults, ForeignAndCorruptFilesGiveClearErrors) {
  const ScratchDir temp("runaway-io-results");
  const fs::path missing = temp.path() / "missing.h5";
  auto error = expect_error([&] { ResultsReader reader(missing); });
  EXPECT_NE(std::string(error.what()).find("no such file"), std::string::npos) << error.what();

  const fs::path text = temp.path() / "pack.toml";
  std::ofstream(text) << "[run]\nend_time = 1\n";
  error = expect_error([&] { ResultsReader reader(text); });
  EXPECT_NE(std::string(error.what()).find("not an HDF5 file"), std::string::npos) << error.what();

  const fs::path checkpoint = temp.path() / "checkpoint.h5";
  write_checkpoint(checkpoint, CheckpointState{}, {});
  error = expect_error([&] { ResultsReader reader(checkpoint); });
  EXPECT_NE(std::string(error.what()).find("runaway-checkpoint"), std::string::npos)
      << error.what();

  const fs::path run_dir = temp.path() / "run";
  write_complete_run(run_dir, make_model(), make_options());
  const fs::path truncated = temp.path() / "truncated.h5";
  fs::copy_file(run_dir / "results.h5", truncated);
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  error = expect_error([&] { ResultsReader reader(truncated); });
  EXPECT_EQ(error.kind(), runaway::ErrorKind::kBadInput);
  EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
}

TEST(IoResults, ModelFileForRunawayMesh) {
  const ScratchDir temp("runaway-io-results");
  const ModelData model = make_model();
  const fs::path h5_path = temp.path() / "model.h5";
  write_model_file(h5_path, model, false);
  EXPECT_TRUE(fs::exists(temp.path() / "model.xdmf"));
  EXPECT_FALSE(fs::exists(temp.path() / "model.h5.tmp"));
  const ModelData back = read_model_file(h5_path);
  EXPECT_EQ(back.material, model.material);
  EXPECT_EQ(back.cell, model.cell);
  EXPECT_EQ(back.grid.dz, model.grid.dz);
  EXPECT_EQ(back.materials.columns[0].values, model.materials.columns[0].values);
  const std::string xdmf = runaway::read_text(temp.path() / "model.xdmf");
  EXPECT_NE(xdmf.find("model.h5:/model/cell"), std::string::npos);
  EXPECT_NE(xdmf.find("Dimensions=\"4 5 6\""), std::string::npos);

  EXPECT_THROW(write_model_file(h5_path, model, false), runaway::Error);
  EXPECT_NO_THROW(write_model_file(h5_path, model, true));

  ModelData broken = model;
  broken.cell[3] = 7;  // no such cell
  EXPECT_THROW(write_model_file(temp.path() / "broken.h5", broken, false), runaway::Error);
  broken = model;
  broken.material.pop_back();
  EXPECT_THROW(write_model_file(temp.path() / "broken.h5", broken, false), runaway::Error);
}
