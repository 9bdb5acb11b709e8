// Parallel results (RUNAWAY_MPI): every rank writes its own block of each frame into one
// results.h5, which must read back (serially, with ResultsReader) exactly as a serial run's file
// would. Run by mpirun with 1, 2 and 4 ranks (tests/mpi/CMakeLists.txt). The grid is split here
// along z and y by hand; the solver's decomposition is not needed to test the writer.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <mpi.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/files.hpp"
#include "io/model.hpp"
#include "io/parallel_block.hpp"
#include "io/results_reader.hpp"
#include "io/results_writer.hpp"
#include "mpi/support/shared_temp_dir.hpp"
#include "support/model_problems.hpp"

namespace fs = std::filesystem;
using namespace runaway::io;
using runaway::testing::SharedTempDir;
using runaway::testing::world_rank;

namespace {

int world_size() {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

// A 7 x 5 x 6 model (a different size per axis, so that swapped axes show) with two cells and
// voxels outside them.
ModelData make_model(int nx = 7, int ny = 5, int nz = 6) {
  ModelData model = runaway::testing::patterned_model(nx, ny, nz);
  model.materials.columns = {
      {"name", "", std::vector<std::string>{"air", "aluminium", "jelly"}},
      {"density", "kg/m^3", std::vector<double>{1.2, 2700.0, 2500.0}},
  };
  model.cells.columns = {
      {"name", "", std::vector<std::string>{"cell_a", "cell_b"}},
      {"capacity", "A h", std::vector<double>{5.0, 5.5}},
  };
  return model;
}

ResultsOptions make_options(const ParallelBlock& block) {
  ResultsOptions options;
  options.fields = standard_fields({"sei", "cathode"});
  options.cell_state_names = {"normal", "venting", "runaway"};
  options.config_text = "[run]\nend_time = 60.0 # s\n";
  options.config_path = "/inputs/pack.toml";
  options.provenance = {"0.1.0", "abc123", "openmp", "1 OpenMP thread", "runaway run pack.toml"};
  options.parallel = block;
  return options;
}

// The known global field: field number `field` at voxel (i, j, k) of frame `frame`. Small
// integers, so that float32 stores them exactly; NaN in arrival_time (field 2) where runaway
// has not arrived.
double expected_value(int field, int frame, int i, int j, int k) {
  if (field == 2 && i > frame) return std::nan("");
  return 10000.0 * field + 1000.0 * frame + 100.0 * k + 10.0 * j + i;
}

// This rank's block when the grid is cut into `parts_z` slabs along z and each slab into
// `parts_y` along y (parts_z * parts_y ranks); blocks may be empty.
ParallelBlock split_block(const GridInfo& grid, int parts_z, int parts_y) {
  const int rank = world_rank();
  const int pz = rank / parts_y;
  const int py = rank % parts_y;
  ParallelBlock block;
  block.comm = MPI_COMM_WORLD;
  const int z0 = grid.nz * pz / parts_z, z1 = grid.nz * (pz + 1) / parts_z;
  const int y0 = grid.ny * py / parts_y, y1 = grid.ny * (py + 1) / parts_y;
  block.offset = {0, y0, z0};
  block.extent = {grid.nx, y1 - y0, z1 - z0};
  return block;
}

// The split the tests use: along z, and along y as well with 4 ranks (2 x 2).
ParallelBlock test_block(const GridInfo& grid) {
  const int size = world_size();
  return size == 4 ? split_block(grid, 2, 2) : split_block(grid, size, 1);
}

// One frame of this rank's block. temperature and progress_cathode are handed over with the
// solver's ghost layer (filled with garbage), the others interior only.
struct BlockFrame {
  std::vector<double> temperature, heat_release_rate, arrival_time;
  std::vector<float> progress_sei, progress_cathode;

  BlockFrame(const ParallelBlock& block, int frame) {
    const int ex = block.extent[0], ey = block.extent[1], ez = block.extent[2];
    const auto padded_size = std::size_t(ex + 2) * std::size_t(ey + 2) * std::size_t(ez + 2);
    temperature.assign(padded_size, -1.0e30);
    progress_cathode.assign(padded_size, -1.0e30f);
    for (int k = 0; k < ez; ++k) {
      for (int j = 0; j < ey; ++j) {
        for (int i = 0; i < ex; ++i) {
          const int gi = block.offset[0] + i, gj = block.offset[1] + j, gk = block.offset[2] + k;
          const auto padded = (std::size_t(k + 1) * std::size_t(ey + 2) + std::size_t(j + 1)) *
                                  std::size_t(ex + 2) +
                              std::size_t(i + 1);
          temperature[padded] = expected_value(0, frame, gi, gj, gk);
          heat_release_rate.push_back(expected_value(1, frame, gi, gj, gk));
          arrival_time.push_back(expected_value(2, frame, gi, gj, gk));
          progress_sei.push_back(float(expected_value(3, frame, gi, gj, gk)));
          progress_cathode[padded] = float(expected_value(4, frame, gi, gj, gk));
        }
      }
    }
  }

  std::map<std::string, FieldView> views() const {
    return {{"temperature", temperature},
            {"heat_release_rate", heat_release_rate},
            {"arrival_time", arrival_time},
            {"progress_sei", progress_sei},
            {"progress_cathode", progress_cathode}};
  }
};

// Per-cell values are the same on every rank (the solver reduces them across ranks).
CellSample make_sample(double time) {
  CellSample sample;
  sample.time = time;
  for (int c = 0; c < 2; ++c) {
    sample.mean_temperature.push_back(300.0 + time + c);
    sample.max_temperature.push_back(310.0 + 2 * time + c);
    sample.heat_released.push_back(1000.0 * time * (c + 1));
    sample.pressure.push_back(101325.0 + 1.0e5 * time + 0.1 * c);
    sample.vent_mass_flow.push_back(1.0e-3 * time + 1.0e-7 * c);
    sample.vented_mass.push_back(2.5e-3 * time * (c + 1) + 1.0e-9);
    sample.vented_gas_mass.push_back(4.0e-4 * time * (c + 1) + 3.0e-11);
    sample.heat_kept_in_body.push_back(7000.0 * time + 0.3 * c);
    sample.heat_carried_by_ejecta.push_back(3000.0 * time + 0.7 * c);
    sample.state.push_back(std::int8_t(time > 2.0 ? 2 : 0));
  }
  // The plume and pathway series: distinct values per series, sample and cell.
  double k = 0;
  for (const CellQuantity& q : kCellQuantities) {
    std::vector<double>& values = sample.*q.values;
    k += 1;
    for (int c = 0; values.size() < 2; ++c) values.push_back(100.0 * k * time + 0.01 * c);
  }
  return sample;
}

bool same_value(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Voxels of `frame` of every field that differ from expected_value.
std::size_t mismatches(const ResultsReader& reader, std::size_t frame, int values_of_frame) {
  const GridInfo& g = reader.grid();
  const std::vector<std::string> names = {"temperature", "heat_release_rate", "arrival_time",
                                          "progress_sei", "progress_cathode"};
  std::size_t wrong = 0;
  for (int f = 0; f < int(names.size()); ++f) {
    const auto values = reader.read_field(names[std::size_t(f)], frame);
    for (int k = 0; k < g.nz; ++k) {
      for (int j = 0; j < g.ny; ++j) {
        for (int i = 0; i < g.nx; ++i) {
          if (!same_value(values[g.index(i, j, k)], expected_value(f, values_of_frame, i, j, k))) {
            ++wrong;
          }
        }
      }
    }
  }
  return wrong;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

// Filters of a dataset's creation property list (2: shuffle and deflate).
int filter_count(const fs::path& file, const std::string& dataset) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(d);
  const int filters = H5Pget_nfilters(dcpl);
  H5Pclose(dcpl);
  H5Dclose(d);
  H5Fclose(f);
  return filters;
}

// One line per object, attribute and storage property of an HDF5 file (not their values), to
// compare the layout of two files.
struct LayoutLister {
  std::vector<std::string> lines;

  static std::string type_text(hid_t type) {
    std::string text = std::to_string(int(H5Tget_class(type)));
    if (H5Tis_variable_str(type) > 0)
      return text + " vlen string cset " + std::to_string(int(H5Tget_cset(type)));
    text += " size " + std::to_string(H5Tget_size(type));
    if (H5Tget_class(type) == H5T_INTEGER)
      text += " sign " + std::to_string(int(H5Tget_sign(type)));
    return text;
  }
  static std::string space_text(hid_t space) {
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(std::size_t(std::max(rank, 0))), max(dims.size());
    H5Sget_simple_extent_dims(space, dims.data(), max.data());
    std::string text = "rank " + std::to_string(rank) + " dims";
    for (auto d : dims) text += " " + std::to_string(d);
    text += " max";
    for (auto m : max) text += " " + (m == H5S_UNLIMITED ? std::string("inf") : std::to_string(m));
    return text;
  }
  static herr_t attribute(hid_t location, const char* name, const H5A_info_t*, void* data) {
    auto* lines = static_cast<std::vector<std::string>*>(data);
    const hid_t a = H5Aopen(location, name, H5P_DEFAULT);
    const hid_t type = H5Aget_type(a), space = H5Aget_space(a);
    lines->push_back(std::string("  @") + name + ": " + type_text(type) + ", " + space_text(space));
    H5Sclose(space);
    H5Tclose(type);
    H5Aclose(a);
    return 0;
  }
  static herr_t object(hid_t root, const char* name, const H5O_info_t* info, void* data) {
    auto* self = static_cast<LayoutLister*>(data);
    std::string line = std::string(name) + ": " + std::to_string(int(info->type));
    const hid_t object = H5Oopen(root, name, H5P_DEFAULT);
    if (info->type == H5O_TYPE_DATASET) {
      const hid_t type = H5Dget_type(object), space = H5Dget_space(object);
      const hid_t dcpl = H5Dget_create_plist(object);
      line += ", " + type_text(type) + ", " + space_text(space) + ", layout " +
              std::to_string(int(H5Pget_layout(dcpl))) + ", filters " +
              std::to_string(H5Pget_nfilters(dcpl));
      if (H5Pget_layout(dcpl) == H5D_CHUNKED) {
        hsize_t chunk[8] = {};
        const int rank = H5Pget_chunk(dcpl, 8, chunk);
        line += ", chunk";
        for (int d = 0; d < rank; ++d) line += " " + std::to_string(chunk[d]);
      }
      H5Pclose(dcpl);
      H5Sclose(space);
      H5Tclose(type);
    }
    self->lines.push_back(line);
    H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_INC, nullptr, attribute, &self->lines);
    H5Oclose(object);
    return 0;
  }
};

std::vector<std::string> layout_of(const fs::path& file) {
  LayoutLister lister;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, LayoutLister::object, &lister);
  H5Fclose(f);
  return lister.lines;
}

// Runs `call`, which must throw runaway::Error on this rank; returns its message.
template <class Call>
std::string error_of(Call&& call) {
  try {
    call();
  } catch (const runaway::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a runaway::Error on rank " << world_rank();
  return "";
}

}  // namespace

TEST(IoParallel, BlocksOfEveryRankReadBackAsTheGlobalField) {
  SharedTempDir temp;
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  const ParallelBlock block = test_block(model.grid);
  {
    ResultsWriter writer(run_dir, model, make_options(block));
    for (int f = 0; f < 3; ++f) {
      writer.write_frame(1.5 * f, 10 * f, BlockFrame(block, f).views());
      writer.append_cell_sample(make_sample(1.0 * f));
      if (f == 1) writer.append_event({1, "onset", 1.25, 450.0});
    }
    writer.append_event({-1, "end", 3.0, 0.0});
    EXPECT_EQ(writer.flush().frames, 3u);
    writer.finish();
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() != 0) return;

  // Frames stay compressed (byte shuffle + deflate) when ranks write them.
  EXPECT_EQ(filter_count(run_dir / "results.h5", "fields/temperature"), 2);
  EXPECT_EQ(filter_count(run_dir / "results.h5", "cells/mean_temperature"), 2);
  EXPECT_EQ(filter_count(run_dir / "results.h5", "cells/pressure"), 2);

  ResultsReader reader(run_dir);
  EXPECT_TRUE(reader.complete());
  EXPECT_EQ(reader.grid().nx, 7);
  EXPECT_EQ(reader.grid().nz, 6);
  ASSERT_EQ(reader.frame_count(), 3u);
  EXPECT_EQ(reader.frame_times(), (std::vector<double>{0.0, 1.5, 3.0}));
  EXPECT_EQ(reader.frame_steps(), (std::vector<std::int64_t>{0, 10, 20}));
  for (std::size_t f = 0; f < 3; ++f) EXPECT_EQ(mismatches(reader, f, int(f)), 0u) << "frame " << f;

  const ModelData read_model = reader.model();
  EXPECT_EQ(read_model.material, model.material);
  EXPECT_EQ(read_model.cell, model.cell);
  EXPECT_EQ(read_model.cells.row_count(), 2u);

  const CellSeries cells = reader.cell_series();
  EXPECT_EQ(cells.time, (std::vector<double>{0.0, 1.0, 2.0}));
  EXPECT_EQ(cells.mean_temperature_at(2, 1), 303.0);
  // Every per-cell series, buffered and written collectively, reads back exactly.
  for (std::size_t k = 0; k < 3; ++k) {
    const CellSample expected = make_sample(double(k));
    for (std::size_t c = 0; c < 2; ++c) {
      const std::size_t at = k * 2 + c;
      EXPECT_EQ(cells.pressure.at(at), expected.pressure[c]);
      EXPECT_EQ(cells.vent_mass_flow.at(at), expected.vent_mass_flow[c]);
      EXPECT_EQ(cells.vented_mass.at(at), expected.vented_mass[c]);
      EXPECT_EQ(cells.vented_gas_mass.at(at), expected.vented_gas_mass[c]);
      EXPECT_EQ(cells.heat_kept_in_body.at(at), expected.heat_kept_in_body[c]);
      EXPECT_EQ(cells.heat_carried_by_ejecta.at(at), expected.heat_carried_by_ejecta[c]);
    }
  }
  EXPECT_EQ(cells.state_names.size(), 3u);
  const auto events = reader.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "onset");
  EXPECT_EQ(events[0].cell, 1);
  EXPECT_EQ(events[1].kind, "end");
  EXPECT_EQ(reader.config_text(), "[run]\nend_time = 60.0 # s\n");
  const ProvenanceRecord provenance = reader.provenance();
  EXPECT_EQ(provenance.provenance.git_commit, "abc123");
  EXPECT_FALSE(provenance.end_date.empty());
  EXPECT_EQ(provenance.restart_count, 0);

  const std::string xdmf = runaway::read_text(run_dir / "results.xdmf");
  EXPECT_NE(xdmf.find("results.h5:/xdmf/temperature/2"), std::string::npos);
  EXPECT_NE(xdmf.find("results.h5:/xdmf/progress_cathode/2"), std::string::npos);
  EXPECT_EQ(occurrences(xdmf, "<Time Value="), 3u);
}

TEST(IoParallel, SameLayoutAsASerialRun) {
  SharedTempDir temp;
  const ModelData model = make_model();
  auto write_run = [&](const fs::path& run_dir, const ResultsOptions& options,
                       const ParallelBlock& block) {
    ResultsWriter writer(run_dir, model, options);
    writer.write_frame(0.0, 0, BlockFrame(block, 0).views());
    writer.append_cell_sample(make_sample(0.0));
    writer.append_event({0, "onset", 0.5, 450.0});
    writer.write_frame(1.0, 1, BlockFrame(block, 1).views());
    writer.finish();
  };
  write_run(temp.path() / "parallel", make_options(test_block(model.grid)), test_block(model.grid));
  if (world_rank() == 0) {
    ResultsOptions serial = make_options({});
    serial.parallel.reset();
    write_run(temp.path() / "serial", serial, {MPI_COMM_SELF, {0, 0, 0}, {7, 5, 6}});
    const auto expected = layout_of(temp.path() / "serial" / "results.h5");
    EXPECT_GT(expected.size(), 50u);
    EXPECT_EQ(layout_of(temp.path() / "parallel" / "results.h5"), expected);
  }
}

TEST(IoParallel, EmptyBlocksTakePartWithoutData) {
  // Three z planes over up to four ranks: with four, one rank holds nothing.
  SharedTempDir temp;
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model(4, 3, 3);
  const ParallelBlock block = split_block(model.grid, world_size(), 1);
  {
    ResultsWriter writer(run_dir, model, make_options(block));
    writer.write_frame(0.0, 0, BlockFrame(block, 0).views());
    writer.write_frame(1.0, 1, BlockFrame(block, 1).views());
    writer.finish();
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() != 0) return;
  ResultsReader reader(run_dir);
  ASSERT_EQ(reader.frame_count(), 2u);
  EXPECT_EQ(mismatches(reader, 1, 1), 0u);
}

TEST(IoParallel, ResumeCutsBackToTheCheckpointOnEveryRank) {
  SharedTempDir temp;
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  const ParallelBlock block = test_block(model.grid);
  ResultsCounts at_checkpoint;
  {
    ResultsWriter writer(run_dir, model, make_options(block));
    for (int f = 0; f < 2; ++f) {
      writer.write_frame(double(f), f, BlockFrame(block, f).views());
      writer.append_cell_sample(make_sample(double(f)));
    }
    writer.append_event({0, "onset", 1.0, 500.0});
    at_checkpoint = writer.flush();  // stored in the checkpoint
    // The run goes on past the checkpoint, then stops without finish().
    writer.write_frame(2.0, 2, BlockFrame(block, 99).views());
    writer.append_cell_sample(make_sample(2.0));
    writer.append_event({1, "vent", 2.0, 510.0});
  }
  EXPECT_EQ(at_checkpoint.frames, 2u);
  EXPECT_EQ(at_checkpoint.events, 1u);
  {
    ResultsWriter writer = ResultsWriter::resume(run_dir, at_checkpoint, fingerprint(model), block);
    EXPECT_EQ(writer.counts().frames, 2u);
    EXPECT_EQ(writer.fields().size(), 5u);
    EXPECT_EQ(writer.cell_count(), 2);
    for (int f = 2; f < 4; ++f) {
      writer.write_frame(double(f), f, BlockFrame(block, f).views());
      writer.append_cell_sample(make_sample(double(f)));
    }
    writer.append_event({1, "onset", 3.0, 520.0});
    writer.finish();
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) {
    ResultsCounts finished;
    {
      ResultsReader reader(run_dir);
      EXPECT_TRUE(reader.complete());
      EXPECT_EQ(reader.frame_times(), (std::vector<double>{0, 1, 2, 3}));
      for (std::size_t f = 0; f < 4; ++f) EXPECT_EQ(mismatches(reader, f, int(f)), 0u) << f;
      const CellSeries cells = reader.cell_series();
      EXPECT_EQ(cells.time, (std::vector<double>{0, 1, 2, 3}));
      // The new series carry on after the restart (their rows on disk are counted below).
      ASSERT_EQ(cells.heat_carried_by_ejecta.size(), 8u);
      EXPECT_EQ(cells.heat_carried_by_ejecta[3 * 2 + 1],
                make_sample(3.0).heat_carried_by_ejecta[1]);
      ASSERT_EQ(cells.vented_gas_mass.size(), 8u);
      for (std::size_t k = 0; k < 4; ++k) {
        for (std::size_t c = 0; c < 2; ++c) {
          EXPECT_EQ(cells.vented_gas_mass[k * 2 + c], make_sample(double(k)).vented_gas_mass[c]);
        }
      }
      const auto events = reader.events();
      ASSERT_EQ(events.size(), 2u);
      EXPECT_EQ(events[1].kind, "onset");
      EXPECT_EQ(reader.provenance().restart_count, 1);
      EXPECT_EQ(occurrences(runaway::read_text(run_dir / "results.xdmf"), "<Time Value="), 4u);
      finished = reader.counts();
    }  // HDF5 refuses to open for writing a file this process has open for reading
    // Every /cells series was cut back with the others: four rows on disk, as written.
    {
      const hid_t f = H5Fopen((run_dir / "results.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
      for (const CellQuantity& q : kCellQuantities) {
        const hid_t d = H5Dopen2(f, (std::string("cells/") + q.name).c_str(), H5P_DEFAULT);
        const hid_t space = H5Dget_space(d);
        hsize_t extent[2] = {0, 0};
        H5Sget_simple_extent_dims(space, extent, nullptr);
        EXPECT_EQ(extent[0], 4u) << q.name;
        H5Sclose(space);
        H5Dclose(d);
      }
      H5Fclose(f);
    }

    // A serial run carries on the results of a parallel one (rank 0 alone, no MPI).
    {
      ResultsWriter serial =
          ResultsWriter::resume(run_dir, finished, fingerprint(model), /*overwrite=*/true);
      const ParallelBlock whole{MPI_COMM_SELF, {0, 0, 0}, {7, 5, 6}};
      serial.write_frame(4.0, 4, BlockFrame(whole, 4).views());
      serial.append_event({0, "end", 4.0, 0.0});
      serial.finish();
    }
    ResultsReader again(run_dir);
    EXPECT_EQ(again.frame_count(), 5u);
    EXPECT_EQ(mismatches(again, 4, 4), 0u);
    EXPECT_EQ(again.events().size(), 3u);
  }
  MPI_Barrier(MPI_COMM_WORLD);

  // A checkpoint that expects more than is on disk belongs to another run: refused on every rank.
  ResultsCounts too_many = at_checkpoint;
  too_many.frames = 9;
  const std::string message = error_of([&] {
    ResultsWriter::resume(run_dir, too_many, fingerprint(model), block, /*overwrite=*/true);
  });
  EXPECT_NE(message.find("checkpoint expects 9"), std::string::npos) << message;
}

TEST(IoParallel, SerialResultsAreNotContinuedInParallel) {
  SharedTempDir temp;
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  if (world_rank() == 0) {
    ResultsOptions serial = make_options({});
    serial.parallel.reset();
    ResultsWriter writer(run_dir, model, serial);
    const ParallelBlock whole{MPI_COMM_SELF, {0, 0, 0}, {7, 5, 6}};
    writer.write_frame(0.0, 0, BlockFrame(whole, 0).views());
  }
  MPI_Barrier(MPI_COMM_WORLD);
  const std::string message = error_of([&] {
    ResultsWriter::resume(run_dir, {1, 0, 0}, fingerprint(model), test_block(model.grid));
  });
  EXPECT_NE(message.find("serial run"), std::string::npos) << message;
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) {
    EXPECT_EQ(ResultsReader(run_dir, true).frame_count(), 1u);  // untouched
  }
}

TEST(IoParallel, ErrorsReachEveryRankWithoutHanging) {
  SharedTempDir temp;
  const ModelData model = make_model();
  const ParallelBlock block = test_block(model.grid);

  // An output directory that cannot be created: only rank 0 meets the error.
  if (world_rank() == 0) std::ofstream(temp.path() / "file") << "x";
  MPI_Barrier(MPI_COMM_WORLD);
  std::string message = error_of(
      [&] { ResultsWriter writer(temp.path() / "file" / "run", model, make_options(block)); });
  EXPECT_NE(message.find("output directory"), std::string::npos) << message;

  // Blocks that do not tile the grid.
  ParallelBlock overlapping = block;
  overlapping.extent[0] = model.grid.nx - 1;
  message = error_of(
      [&] { ResultsWriter writer(temp.path() / "run_tiles", model, make_options(overlapping)); });
  EXPECT_NE(message.find("tile the grid"), std::string::npos) << message;

  // A frame of the wrong size on one rank only is refused on every rank before the file is
  // touched; the writer then carries on.
  const fs::path run_dir = temp.path() / "run";
  {
    ResultsWriter writer(run_dir, model, make_options(block));
    BlockFrame frame(block, 0);
    if (world_rank() == world_size() - 1) frame.heat_release_rate.push_back(0.0);
    message = error_of([&] { writer.write_frame(0.0, 0, frame.views()); });
    EXPECT_NE(message.find("heat_release_rate"), std::string::npos) << message;
    writer.write_frame(0.0, 0, BlockFrame(block, 0).views());
    writer.finish();
    EXPECT_THROW(writer.flush(), runaway::Error);  // finished: refused on every rank
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (world_rank() == 0) {
    ResultsReader reader(run_dir);
    ASSERT_EQ(reader.frame_count(), 1u);
    EXPECT_EQ(mismatches(reader, 0, 0), 0u);
  }

  // Resuming a run directory without results.
  message = error_of(
      [&] { ResultsWriter::resume(temp.path() / "missing", {}, fingerprint(model), block); });
  EXPECT_NE(message.find("no such file"), std::string::npos) << message;
}
