#include "io/results_writer.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "io/collective.hpp"
#include "io/files.hpp"
#include "io/hdf5_util.hpp"
#include "io/xdmf.hpp"

namespace runaway::io {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::vector<FieldSpec> standard_fields(const std::vector<std::string>& reaction_names) {
  std::vector<FieldSpec> fields = {
      {"temperature", "K", "temperature", ElementType::kFloat64},
      {"heat_release_rate", "W/m^3", "heat released by all sources per unit volume",
       ElementType::kFloat64},
      {"arrival_time", "s",
       "first time the self-heating rate passed the runaway threshold; NaN "
       "where runaway has not arrived",
       ElementType::kFloat64},
  };
  for (const auto& reaction : reaction_names) {
    fields.push_back({"progress_" + reaction, "1",
                      "progress of reaction " + reaction + ": 0 unreacted, 1 complete",
                      ElementType::kFloat32});
  }
  return fields;
}

namespace {

constexpr hsize_t kUnlimited = H5S_UNLIMITED;
constexpr std::size_t kMaxChunkBytes = std::size_t(4) << 20;     // 4 MiB per chunk
constexpr hsize_t kSeriesChunkRows = 1024;                       // 1-D time series
constexpr std::size_t kCellChunkBytes = std::size_t(256) << 10;  // fits HDF5's 1 MiB chunk cache
// Room kept free for metadata, pending per-cell rows and closing the file.
constexpr std::uint64_t kSpaceMargin = std::uint64_t(2) << 20;

bool valid_identifier(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void validate_fields(const std::vector<FieldSpec>& fields) {
  std::set<std::string> names;
  for (const auto& field : fields) {
    if (!valid_identifier(field.name) || field.name == "time" || field.name == "step") {
      throw runaway::bad_input(
          "field name must be letters, digits and '_', and not 'time' or "
          "'step'",
          {"", 0, "field", field.name});
    }
    if (!names.insert(field.name).second) {
      throw runaway::bad_input("field is named twice", {"", 0, "field", field.name});
    }
    if (field.storage != ElementType::kFloat64 && field.storage != ElementType::kFloat32) {
      throw runaway::bad_input("fields are stored as float64 or float32",
                               {"", 0, "field", field.name});
    }
  }
}

// The part of the grid one process writes, in z, y, x order like the datasets: the whole grid
// in a serial run, the rank's block in a parallel one.
struct Block {
  std::array<hsize_t, 3> offset{0, 0, 0};
  std::array<hsize_t, 3> extent{0, 0, 0};

  std::size_t voxel_count() const { return std::size_t(extent[0] * extent[1] * extent[2]); }
  std::size_t padded_count() const {
    return std::size_t((extent[0] + 2) * (extent[1] + 2) * (extent[2] + 2));
  }
};

Block whole_grid(const GridInfo& grid) {
  return {{0, 0, 0}, {hsize_t(grid.nz), hsize_t(grid.ny), hsize_t(grid.nx)}};
}

#if RUNAWAY_HAVE_MPI
// This rank's block, after checking on every rank that the blocks of all ranks tile `grid`.
Block rank_block(const Collective& ranks, const ParallelBlock& block, const GridInfo& grid) {
  struct Box {
    int offset[3];
    int extent[3];
  };
  Box mine{};
  for (int d = 0; d < 3; ++d) {
    mine.offset[d] = block.offset[std::size_t(d)];
    mine.extent[d] = block.extent[std::size_t(d)];
  }
  const std::vector<Box> boxes = ranks.gather(mine);
  const int size[3] = {grid.nx, grid.ny, grid.nz};
  auto text = [](const Box& b) {
    std::string t;
    for (int d = 0; d < 3; ++d) {
      t += std::string(d == 0 ? "" : " ") + "xyz"[d] + " " + std::to_string(b.offset[d]) + ".." +
           std::to_string(b.offset[d] + b.extent[d]);
    }
    return t;
  };
  auto refuse = [](const std::string& why) {
    throw runaway::bad_input("the MPI ranks' blocks must tile the grid without overlap: " + why);
  };
  std::size_t covered = 0;
  for (std::size_t r = 0; r < boxes.size(); ++r) {
    const Box& b = boxes[r];
    for (int d = 0; d < 3; ++d) {
      if (b.extent[d] < 0 || b.offset[d] < 0 || b.offset[d] + b.extent[d] > size[d]) {
        refuse("rank " + std::to_string(r) + "'s block (" + text(b) + ") leaves the " +
               std::to_string(grid.nx) + " x " + std::to_string(grid.ny) + " x " +
               std::to_string(grid.nz) + " grid");
      }
    }
    const std::size_t voxels =
        std::size_t(b.extent[0]) * std::size_t(b.extent[1]) * std::size_t(b.extent[2]);
    covered += voxels;
    for (std::size_t q = 0; q < r && voxels > 0; ++q) {
      const Box& o = boxes[q];
      bool overlap = true;
      for (int d = 0; d < 3; ++d) {
        overlap = overlap && b.offset[d] < o.offset[d] + o.extent[d] &&
                  o.offset[d] < b.offset[d] + b.extent[d];
      }
      if (overlap) {
        refuse("rank " + std::to_string(r) + "'s block (" + text(b) + ") overlaps rank " +
               std::to_string(q) + "'s (" + text(o) + ")");
      }
    }
  }
  if (covered != grid.voxel_count()) {
    refuse("they cover " + std::to_string(covered) + " of the grid's " +
           std::to_string(grid.voxel_count()) + " voxels");
  }
  return {{hsize_t(mine.offset[2]), hsize_t(mine.offset[1]), hsize_t(mine.offset[0])},
          {hsize_t(mine.extent[2]), hsize_t(mine.extent[1]), hsize_t(mine.extent[0])}};
}
#endif

}  // namespace

struct ResultsWriter::Impl {
  fs::path run_dir;
  fs::path results_path;
  fs::path xdmf_path;
  GridInfo grid;
  Collective ranks;  // the MPI ranks writing the file together; one process in a serial run
  Block block;       // the part of each frame this process writes
  std::vector<FieldSpec> fields;
  int cell_count = 0;
  double flush_interval = 10.0;

  h5::Handle file;
  h5::Handle collective_transfer;          // parallel runs: every rank takes part in every write
  std::vector<h5::Handle> field_datasets;  // in the order of `fields`
  h5::Handle frame_time, frame_step;
  h5::Handle cell_time, cell_mean_temperature, cell_max_temperature, cell_heat_released, cell_state;
  h5::Handle event_cell, event_kind, event_time, event_temperature;

  std::vector<double> frame_times;
  double last_cell_sample_time = -std::numeric_limits<double>::infinity();
  // Parallel runs: per-cell samples wait here for the next flush and are then appended in one
  // collective write per dataset (a collective write into compressed chunks costs milliseconds,
  // about 100 times a serial append). The file on disk after a flush is the same.
  struct PendingCells {
    std::size_t rows = 0;
    std::vector<double> time, mean_temperature, max_temperature, heat_released;
    std::vector<std::int8_t> state;
  } pending;
  ResultsCounts counts;
  Clock::time_point opened = Clock::now();
  Clock::time_point last_flush = Clock::now();
  double earlier_wall_time = 0;  // s spent by earlier segments of a restarted run
  bool finished = false;
  std::string failure;  // the first error; the writer refuses further calls after one

  std::string where() const { return results_path.string(); }

  void check_usable() const {
    h5::silence_errors();  // per thread in thread-safe HDF5 builds
    if (finished) throw runaway::runtime_error("results writer for " + where() + " is finished");
    if (!failure.empty()) {
      throw runaway::runtime_error("results writer for " + where() +
                                   " stopped after an earlier error: " + failure);
    }
  }

  // Runs one step of writing; an exception (on any rank) marks the writer failed (on every
  // rank), so that a half-written frame is never followed by more frames.
  template <class Step>
  void guarded(Step&& step) {
    check_usable();
    try {
      ranks.all(step);
    } catch (const std::exception& e) {
      failure = e.what();
      throw;
    }
  }

  // How this process takes part in writing a row of a time series: rank 0 writes it, the other
  // ranks of a parallel run take part without data.
  h5::Transfer series_transfer() const {
    return {collective_transfer.valid() ? collective_transfer.get() : H5P_DEFAULT, ranks.is_root()};
  }

  void ensure_space(std::uint64_t bytes, const std::string& what) const;
  void create_layout(const ModelData& model, const ResultsOptions& options);
  void open_datasets();
  void close_datasets();
  void open_for_ranks();
  void on_root_serially(const std::function<void(hid_t)>& step, bool reopen);
  void write_pending_cells();
  void flush_file(bool check_space = true);
  void write_xdmf() const;
  std::vector<const FieldView*> checked_frame(double time,
                                              const std::map<std::string, FieldView>& views) const;
  void write_field_frame(std::size_t field_index, const FieldView& view);
  void add_frame_views(std::size_t first_frame, std::size_t end_frame);
  void read_resumed_model(const ModelFingerprint& expected_model);
  void check_writable_in_parallel(hid_t results) const;
  void cut_back(hid_t results, const ResultsCounts& to, bool overwrite);
  void read_resumed_state(hid_t results, const ResultsCounts& resumed);
};

// A write that fails halfway can leave an HDF5 file unreadable (its superblock may already
// record an end of file past the real one), losing the frames written before. So a write that
// might not fit on the disk, or under the process's file-size limit, is refused before HDF5
// starts it, and the file stays readable. Sizes are uncompressed, so the check errs on the safe
// side; another process filling the disk meanwhile still meets HDF5's own error.
void ResultsWriter::Impl::ensure_space(std::uint64_t bytes, const std::string& what) const {
  const std::uint64_t needed = bytes + kSpaceMargin;
  std::uint64_t available = std::numeric_limits<std::uint64_t>::max();
  struct statvfs disk {};
  if (::statvfs(run_dir.c_str(), &disk) == 0) {
    available = std::uint64_t(disk.f_bavail) * std::uint64_t(disk.f_frsize);
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    std::error_code error;
    const std::uint64_t size = fs::file_size(results_path, error);
    const std::uint64_t room = limit.rlim_cur > size ? limit.rlim_cur - size : 0;
    available = std::min(available, room);
  }
  if (needed > available) {
    throw runaway::runtime_error(
        "not enough disk space to write " + what + " to " + where() + ": it needs up to " +
        std::to_string(needed >> 10) + " KiB, " + std::to_string(available >> 10) +
        " KiB are free (or allowed by the file-size limit). The file keeps the " +
        std::to_string(counts.frames) +
        " frames written so far; free space and restart from "
        "the last checkpoint");
  }
}

void ResultsWriter::Impl::create_layout(const ModelData& model, const ResultsOptions& options) {
  const hid_t root = file.get();
  // Frames and the numeric time series are written by MPI ranks in a parallel run: see
  // h5::Storage. Events and everything else only ever by one process.
  const bool early = ranks.parallel();
  h5::write_attribute(root, "format", std::string(kResultsFormat));
  h5::write_attribute(root, "format_version", kResultsFormatVersion);
  h5::write_model(root, model);

  {
    h5::Handle group = h5::create_group(root, "fields");
    const std::vector<hsize_t> frame_extent{hsize_t(grid.nz), hsize_t(grid.ny), hsize_t(grid.nx)};
    std::vector<std::string> names;
    for (const auto& field : fields) {
      const std::size_t element_size = field.storage == ElementType::kFloat32 ? 4 : 8;
      std::vector<hsize_t> chunk{1};
      for (hsize_t c : h5::chunk_shape(frame_extent, element_size, kMaxChunkBytes)) {
        chunk.push_back(c);
      }
      h5::Handle dataset =
          h5::create_dataset(group.get(), field.name, h5::native_type(field.storage),
                             {0, frame_extent[0], frame_extent[1], frame_extent[2]},
                             {kUnlimited, frame_extent[0], frame_extent[1], frame_extent[2]},
                             {chunk, true, false, early});
      h5::write_attribute(dataset.get(), "units", field.units);
      h5::write_attribute(dataset.get(), "description", field.description);
      names.push_back(field.name);
    }
    h5::write_attribute(group.get(), "names", names);
    h5::Handle time = h5::create_dataset(group.get(), "time", H5T_NATIVE_DOUBLE, {0}, {kUnlimited},
                                         {{kSeriesChunkRows}, false, false, early});
    h5::write_attribute(time.get(), "units", std::string("s"));
    h5::Handle step = h5::create_dataset(group.get(), "step", H5T_NATIVE_INT64, {0}, {kUnlimited},
                                         {{kSeriesChunkRows}, false, false, early});
    h5::write_attribute(step.get(), "units", std::string("1"));
  }

  {
    h5::Handle group = h5::create_group(root, "cells");
    h5::write_attribute(group.get(), "state_names", options.cell_state_names);
    h5::write_attribute(group.get(), "cell_count", std::int64_t(cell_count));
    h5::Handle time = h5::create_dataset(group.get(), "time", H5T_NATIVE_DOUBLE, {0}, {kUnlimited},
                                         {{kSeriesChunkRows}, false, false, early});
    h5::write_attribute(time.get(), "units", std::string("s"));
    const hsize_t columns = hsize_t(std::max(cell_count, 1));
    auto series = [&](const char* name, hid_t type, std::size_t element_size, const char* units,
                      const char* description) {
      const hsize_t rows =
          std::clamp<hsize_t>(kCellChunkBytes / (columns * element_size), 1, kSeriesChunkRows);
      h5::Handle dataset =
          h5::create_dataset(group.get(), name, type, {0, hsize_t(cell_count)},
                             {kUnlimited, kUnlimited}, {{rows, columns}, true, false, early});
      h5::write_attribute(dataset.get(), "units", std::string(units));
      h5::write_attribute(dataset.get(), "description", std::string(description));
    };
    series("mean_temperature", H5T_NATIVE_DOUBLE, 8, "K", "volume mean over the cell's voxels");
    series("max_temperature", H5T_NATIVE_DOUBLE, 8, "K", "hottest voxel of the cell");
    series("heat_released", H5T_NATIVE_DOUBLE, 8, "J",
           "reaction heat released in the cell since the start");
    series("state", H5T_NATIVE_INT8, 1, "", "cell state, named by the state_names attribute");
  }

  {
    h5::Handle group = h5::create_group(root, "events");
    const h5::Storage storage{{256}, false, false, false};
    h5::Handle cell =
        h5::create_dataset(group.get(), "cell", H5T_NATIVE_INT32, {0}, {kUnlimited}, storage);
    h5::write_attribute(cell.get(), "units", std::string(""));
    h5::Handle string_type = h5::utf8_string_type();
    h5::Handle kind =
        h5::create_dataset(group.get(), "kind", string_type.get(), {0}, {kUnlimited}, storage);
    h5::write_attribute(kind.get(), "units", std::string(""));
    h5::Handle time =
        h5::create_dataset(group.get(), "time", H5T_NATIVE_DOUBLE, {0}, {kUnlimited}, storage);
    h5::write_attribute(time.get(), "units", std::string("s"));
    h5::Handle temperature = h5::create_dataset(group.get(), "temperature", H5T_NATIVE_DOUBLE, {0},
                                                {kUnlimited}, storage);
    h5::write_attribute(temperature.get(), "units", std::string("K"));
  }

  {
    h5::Handle group = h5::create_group(root, "input");
    h5::write_text(group.get(), "config", options.config_text);
    h5::Handle config = h5::open_dataset(group.get(), "config");
    h5::write_attribute(config.get(), "path", options.config_path);
  }

  {
    h5::Handle group = h5::create_group(root, "provenance");
    const Provenance& p = options.provenance;
    h5::write_attribute(group.get(), "version", p.version);
    h5::write_attribute(group.get(), "git_commit", p.git_commit);
    h5::write_attribute(group.get(), "backend", p.backend);
    h5::write_attribute(group.get(), "device", p.device);
    h5::write_attribute(group.get(), "command_line", p.command_line);
    h5::write_attribute(group.get(), "start_date", h5::utc_now());
    h5::write_attribute(group.get(), "wall_time", 0.0);
    h5::write_attribute(group.get(), "restart_count", std::int64_t(0));
  }
}

void ResultsWriter::Impl::open_datasets() {
  const hid_t root = file.get();
  field_datasets.clear();
  for (const auto& field : fields)
    field_datasets.push_back(h5::open_dataset(root, "fields/" + field.name));
  frame_time = h5::open_dataset(root, "fields/time");
  frame_step = h5::open_dataset(root, "fields/step");
  cell_time = h5::open_dataset(root, "cells/time");
  cell_mean_temperature = h5::open_dataset(root, "cells/mean_temperature");
  cell_max_temperature = h5::open_dataset(root, "cells/max_temperature");
  cell_heat_released = h5::open_dataset(root, "cells/heat_released");
  cell_state = h5::open_dataset(root, "cells/state");
  event_cell = h5::open_dataset(root, "events/cell");
  event_kind = h5::open_dataset(root, "events/kind");
  event_time = h5::open_dataset(root, "events/time");
  event_temperature = h5::open_dataset(root, "events/temperature");
}

void ResultsWriter::Impl::close_datasets() {
  field_datasets.clear();
  for (auto* dataset : {&frame_time, &frame_step, &cell_time, &cell_mean_temperature,
                        &cell_max_temperature, &cell_heat_released, &cell_state, &event_cell,
                        &event_kind, &event_time, &event_temperature}) {
    dataset->reset();
  }
}

// Parallel runs: opens results.h5 on every rank with HDF5's MPI-IO driver (the datasets are
// opened by open_datasets).
void ResultsWriter::Impl::open_for_ranks() {
#if RUNAWAY_HAVE_MPI
  file = h5::open_file_parallel(where(), H5F_ACC_RDWR, ranks.comm());
  collective_transfer = h5::collective_transfer();
#else
  throw runaway::runtime_error("this runaway was built without MPI");
#endif
}

// Parallel runs: HDF5 1.10 cannot write variable-length data (strings) through MPI-IO. So the
// file is closed on every rank, rank 0 opens it alone to run `step` on it and closes it, and with
// `reopen` every rank opens it again.
void ResultsWriter::Impl::on_root_serially(const std::function<void(hid_t)>& step, bool reopen) {
  ranks.all([&] {
    close_datasets();
    collective_transfer.reset();
    h5::check(file.close(), "cannot write " + where());
  });
  ranks.on_root([&] {
    h5::Handle alone = h5::open_file(where(), H5F_ACC_RDWR, false);
    step(alone.get());
    h5::check(alone.close(), "cannot write " + where());
  });
  if (reopen) {
    ranks.all([&] {
      open_for_ranks();
      open_datasets();
    });
  }
}

void ResultsWriter::Impl::write_pending_cells() {
  if (pending.rows == 0) return;
  const std::string what = where() + ": /cells";
  const h5::Transfer transfer = series_transfer();
  const hsize_t rows = pending.rows;
  h5::append_rows(cell_mean_temperature.get(), H5T_NATIVE_DOUBLE, rows,
                  pending.mean_temperature.data(), what, transfer);
  h5::append_rows(cell_max_temperature.get(), H5T_NATIVE_DOUBLE, rows,
                  pending.max_temperature.data(), what, transfer);
  h5::append_rows(cell_heat_released.get(), H5T_NATIVE_DOUBLE, rows, pending.heat_released.data(),
                  what, transfer);
  h5::append_rows(cell_state.get(), H5T_NATIVE_INT8, rows, pending.state.data(), what, transfer);
  h5::append_rows(cell_time.get(), H5T_NATIVE_DOUBLE, rows, pending.time.data(), what, transfer);
  pending = {};
}

void ResultsWriter::Impl::flush_file(bool check_space) {
  if (check_space) {
    const std::uint64_t pending_bytes =
        pending.rows * (8 + std::uint64_t(cell_count) * (3 * 8 + 1));
    ranks.on_root([&] { ensure_space(pending_bytes, "the per-cell series"); });
  }
  write_pending_cells();
  // Attributes are metadata: every rank writes the same value.
  const double wall_time = ranks.broadcast(earlier_wall_time + seconds_since(opened));
  {
    h5::Handle group = h5::open_group(file.get(), "provenance");
    h5::write_attribute(group.get(), "wall_time", wall_time);
  }
  h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "cannot write " + where());
  last_flush = Clock::now();
}

void ResultsWriter::Impl::write_xdmf() const {
  XdmfResults description;
  description.h5_file_name = results_path.filename().string();
  description.grid = grid;
  for (const auto& field : fields) description.fields.push_back({field.name, field.storage});
  description.frame_times = frame_times;
  write_results_xdmf(xdmf_path, description);
}

// The views of a frame in the order of `fields`, after checking that the frame is complete and
// every view has the size of this process's block.
std::vector<const FieldView*> ResultsWriter::Impl::checked_frame(
    double time, const std::map<std::string, FieldView>& views) const {
  if (!std::isfinite(time) || (!frame_times.empty() && time < frame_times.back())) {
    throw runaway::runtime_error("frame time " + std::to_string(time) +
                                 " s must be finite and not before the previous frame");
  }
  std::vector<const FieldView*> ordered;
  const std::size_t interior = block.voxel_count();
  const std::size_t padded = block.padded_count();
  for (const auto& field : fields) {
    const auto found = views.find(field.name);
    if (found == views.end()) {
      throw runaway::runtime_error("frame at t = " + std::to_string(time) + " s lacks field " +
                                   field.name);
    }
    const FieldView& view = found->second;
    // An empty block (a parallel run only) may hand over no memory at all.
    if ((view.data == nullptr && view.count > 0) ||
        (view.count != interior && view.count != padded) ||
        (view.type != ElementType::kFloat64 && view.type != ElementType::kFloat32)) {
      throw runaway::runtime_error("field " + field.name + " has " + std::to_string(view.count) +
                                   " values; expected " + std::to_string(interior) +
                                   " (interior) or " + std::to_string(padded) +
                                   " (with ghost layer) float64 or float32 values");
    }
    ordered.push_back(&view);
  }
  if (views.size() != fields.size()) {
    for (const auto& entry : views) {
      const bool known = std::any_of(fields.begin(), fields.end(),
                                     [&](const FieldSpec& f) { return f.name == entry.first; });
      if (!known) throw runaway::runtime_error("frame has unknown field " + entry.first);
    }
  }
  return ordered;
}

// The 3-D views /xdmf/<field>/<frame> of frames [first_frame, end_frame) that results.xdmf
// names: HDF5 virtual datasets, each mapped onto frame `frame` of /fields/<field> in this same
// file ("."), so they hold no data of their own. Both of ParaView's XDMF readers read them as
// plain 3-D datasets; the Xdmf3 readers cannot read a HyperSlab of the 4-D dataset (they skip
// any array defined by reference, "Skipping unrecognized array type [None]"). A view that
// exists already is kept: it maps the same frame (after a restart, the frame written again).
// Metadata only, made by every rank alike in a parallel run.
void ResultsWriter::Impl::add_frame_views(std::size_t first_frame, std::size_t end_frame) {
  const hid_t root = file.get();
  const std::string what = where() + ": /xdmf";
  const auto exists = [](hid_t location, const std::string& name) {
    return h5::link_exists(location, name);
  };
  h5::Handle views =
      exists(root, "xdmf") ? h5::open_group(root, "xdmf") : h5::create_group(root, "xdmf");
  const hsize_t frame_extent[3] = {hsize_t(grid.nz), hsize_t(grid.ny), hsize_t(grid.nx)};
  for (std::size_t f = 0; f < fields.size(); ++f) {
    const std::string& name = fields[f].name;
    h5::Handle group = exists(views.get(), name) ? h5::open_group(views.get(), name)
                                                 : h5::create_group(views.get(), name);
    const hid_t source = field_datasets[f].get();
    h5::Handle source_type = h5::check_handle(H5Dget_type(source), H5Tclose, what);
    for (std::size_t frame = first_frame; frame < end_frame; ++frame) {
      const std::string view_name = std::to_string(frame);
      if (exists(group.get(), view_name)) continue;
      const std::string view_what = what + "/" + name + "/" + view_name;
      const hsize_t source_extent[4] = {hsize_t(frame) + 1, frame_extent[0], frame_extent[1],
                                        frame_extent[2]};
      const hsize_t source_maximum[4] = {H5S_UNLIMITED, frame_extent[0], frame_extent[1],
                                         frame_extent[2]};
      h5::Handle source_space =
          h5::check_handle(H5Screate_simple(4, source_extent, source_maximum), H5Sclose, view_what);
      const hsize_t start[4] = {hsize_t(frame), 0, 0, 0};
      const hsize_t count[4] = {1, frame_extent[0], frame_extent[1], frame_extent[2]};
      h5::check(
          H5Sselect_hyperslab(source_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
          view_what);
      h5::Handle view_space =
          h5::check_handle(H5Screate_simple(3, frame_extent, nullptr), H5Sclose, view_what);
      h5::Handle dcpl = h5::check_handle(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, view_what);
      h5::check(H5Pset_virtual(dcpl.get(), view_space.get(), ".", ("/fields/" + name).c_str(),
                               source_space.get()),
                view_what);
      h5::Handle view =
          h5::check_handle(H5Dcreate2(group.get(), view_name.c_str(), source_type.get(),
                                      view_space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                           H5Dclose, "cannot create " + view_what);
    }
  }
}

void ResultsWriter::Impl::write_field_frame(std::size_t field_index, const FieldView& view) {
  const hid_t dataset = field_datasets[field_index].get();
  const std::string what = where() + ": /fields/" + fields[field_index].name;
  const hsize_t frame = counts.frames;
  const hsize_t extent[4] = {frame + 1, hsize_t(grid.nz), hsize_t(grid.ny), hsize_t(grid.nx)};
  h5::check(H5Dset_extent(dataset, extent), "cannot extend " + what);
  h5::Handle file_space = h5::check_handle(H5Dget_space(dataset), H5Sclose, what);
  // With a ghost layer, HDF5 picks the interior out of the padded array: no copy.
  const bool padded = view.count != block.voxel_count();
  const hsize_t margin = padded ? 2 : 0;
  const hsize_t memory_extent[3] = {block.extent[0] + margin, block.extent[1] + margin,
                                    block.extent[2] + margin};
  h5::Handle memory_space =
      h5::check_handle(H5Screate_simple(3, memory_extent, nullptr), H5Sclose, what);
  if (block.voxel_count() == 0) {
    // A rank with an empty block still takes part in the collective write.
    h5::check(H5Sselect_none(file_space.get()), what);
    h5::check(H5Sselect_none(memory_space.get()), what);
  } else {
    const hsize_t file_start[4] = {frame, block.offset[0], block.offset[1], block.offset[2]};
    const hsize_t file_count[4] = {1, block.extent[0], block.extent[1], block.extent[2]};
    h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, file_start, nullptr, file_count,
                                  nullptr),
              what);
    if (padded) {
      const hsize_t start[3] = {1, 1, 1};
      h5::check(H5Sselect_hyperslab(memory_space.get(), H5S_SELECT_SET, start, nullptr,
                                    block.extent.data(), nullptr),
                what);
    }
  }
  const hid_t transfer = collective_transfer.valid() ? collective_transfer.get() : H5P_DEFAULT;
  h5::check(H5Dwrite(dataset, h5::native_type(view.type), memory_space.get(), file_space.get(),
                     transfer, view.data),
            "cannot write frame " + std::to_string(frame) + " to " + what);
}

// Resume, read-only first: a foreign file is never opened for writing.
void ResultsWriter::Impl::read_resumed_model(const ModelFingerprint& expected_model) {
  const std::string name = where();
  h5::Handle results = h5::open_for_reading(name, "results file");
  h5::check_format(results.get(), name, kResultsFormat, kResultsFormatVersion);
  const ModelData model = h5::read_model(results.get(), name);
  const ModelFingerprint found = fingerprint(model);
  if (found != expected_model) {
    throw runaway::bad_input(name + " holds the results of another model (" +
                             found.difference(expected_model) +
                             "); restart into the run directory of the checkpoint's run");
  }
  grid = model.grid;
  cell_count = model.cell_count();
}

// Resume in parallel: the datasets that ranks write must have their chunks allocated early (see
// h5::Storage), which only files written by a parallel run have.
void ResultsWriter::Impl::check_writable_in_parallel(hid_t results) const {
  std::vector<std::string> written = {
      "fields/time",           "fields/step",         "cells/time", "cells/mean_temperature",
      "cells/max_temperature", "cells/heat_released", "cells/state"};
  {
    h5::Handle group = h5::open_group(results, "fields");
    for (const auto& name : h5::read_string_array_attribute(group.get(), "names")) {
      written.push_back("fields/" + name);
    }
  }
  for (const auto& name : written) {
    h5::Handle dataset = h5::open_dataset(results, name);
    h5::Handle dcpl = h5::check_handle(H5Dget_create_plist(dataset.get()), H5Pclose, name);
    H5D_alloc_time_t allocation = H5D_ALLOC_TIME_DEFAULT;
    h5::check(H5Pget_alloc_time(dcpl.get(), &allocation), where() + ": " + name);
    if (allocation != H5D_ALLOC_TIME_EARLY) {
      throw runaway::bad_input(
          where() +
          " was written by a serial run, whose results a parallel run cannot continue (parallel "
          "HDF5 1.10 writes only into chunks allocated in advance); restart it without MPI, or "
          "start a new parallel run");
    }
  }
}

// Resume: cuts every series back to `to`, removes `complete` and counts the restart.
void ResultsWriter::Impl::cut_back(hid_t results, const ResultsCounts& to, bool overwrite) {
  const std::string name = where();
  if (h5::attribute_exists(results, "complete")) {
    if (!overwrite) {
      throw runaway::bad_input(name +
                               " holds the results of a finished run; restarting would "
                               "discard its later frames. Pass --overwrite to do so");
    }
    h5::check(H5Adelete(results, "complete"), "cannot modify " + name);
  }
  // Each series must hold at least what the checkpoint counted.
  auto cut = [&](const std::string& path, std::size_t rows, const std::string& what) {
    h5::Handle dataset = h5::open_dataset(results, path);
    const auto extent = h5::dataset_extent(dataset.get());
    if (extent.empty() || extent[0] < rows) {
      throw runaway::bad_input(name + ": " + what + " holds " +
                               std::to_string(extent.empty() ? 0 : extent[0]) +
                               " rows but the checkpoint expects " + std::to_string(rows) +
                               "; this is not the results file of the checkpoint's run");
    }
    h5::resize_rows(dataset.get(), rows, name + ": " + what);
  };
  {
    h5::Handle group = h5::open_group(results, "fields");
    for (const auto& field_name : h5::read_string_array_attribute(group.get(), "names")) {
      cut("fields/" + field_name, to.frames, "/fields/" + field_name);
    }
  }
  cut("fields/time", to.frames, "/fields/time");
  cut("fields/step", to.frames, "/fields/step");
  for (const char* path : {"cells/time", "cells/mean_temperature", "cells/max_temperature",
                           "cells/heat_released", "cells/state"}) {
    cut(path, to.cell_samples, "/cells series");
  }
  for (const char* path : {"events/cell", "events/kind", "events/time", "events/temperature"}) {
    cut(path, to.events, "/events table");
  }
  h5::Handle group = h5::open_group(results, "provenance");
  std::int64_t restarts = 0;
  if (h5::attribute_exists(group.get(), "restart_count")) {
    restarts = h5::read_scalar_attribute<std::int64_t>(group.get(), "restart_count");
  }
  h5::write_attribute(group.get(), "restart_count", restarts + 1);
  if (h5::attribute_exists(group.get(), "end_date")) {
    h5::check(H5Adelete(group.get(), "end_date"), "cannot modify " + name);
  }
}

// Resume: what the writer needs to know about the file it carries on.
void ResultsWriter::Impl::read_resumed_state(hid_t results, const ResultsCounts& resumed) {
  {
    h5::Handle group = h5::open_group(results, "fields");
    fields.clear();
    for (const auto& field_name : h5::read_string_array_attribute(group.get(), "names")) {
      h5::Handle dataset = h5::open_dataset(group.get(), field_name);
      fields.push_back({field_name, h5::read_string_attribute(dataset.get(), "units"),
                        h5::read_string_attribute(dataset.get(), "description"),
                        h5::dataset_element_type(dataset.get())});
    }
  }
  counts = resumed;
  frame_times = h5::read_vector<double>(results, "fields/time");
  if (counts.cell_samples > 0) {
    last_cell_sample_time = h5::read_vector<double>(results, "cells/time").back();
  }
  h5::Handle group = h5::open_group(results, "provenance");
  if (h5::attribute_exists(group.get(), "wall_time")) {
    earlier_wall_time = h5::read_scalar_attribute<double>(group.get(), "wall_time");
  }
}

ResultsWriter::ResultsWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ResultsWriter::ResultsWriter(const fs::path& run_dir, const ModelData& model,
                             const ResultsOptions& options)
    : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  Impl& w = *impl_;
#if RUNAWAY_HAVE_MPI
  if (options.parallel) w.ranks = Collective(options.parallel->comm);
#endif
  w.ranks.all([&] {
    validate(model);
    validate_fields(options.fields);
    if (!(options.flush_interval >= 0)) {
      throw runaway::bad_input("flush interval must be >= 0 s",
                               {"", 0, "flush_interval", std::to_string(options.flush_interval)});
    }
  });
  w.run_dir = run_dir;
  w.results_path = run_dir / kResultsFileName;
  w.xdmf_path = run_dir / kResultsXdmfFileName;
  w.grid = model.grid;
  w.block = whole_grid(model.grid);
#if RUNAWAY_HAVE_MPI
  if (options.parallel) {
    w.ranks.all([&] { w.block = rank_block(w.ranks, *options.parallel, model.grid); });
  }
#endif
  w.fields = options.fields;
  w.cell_count = model.cell_count();
  w.flush_interval = options.flush_interval;

  // Rank 0 prepares the directory and creates the file alone (HDF5 1.10 cannot write the
  // model's and the input's strings in parallel); then every rank opens it.
  w.ranks.on_root([&] {
    prepare_run_directory(run_dir, options.overwrite);
    // Without overwrite the directory is new or empty; EXCL still refuses a results.h5 that
    // appeared meanwhile (another run started into the same directory).
    w.file = h5::create_file(w.results_path.string(),
                             options.overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, false);
  });
  w.guarded([&] {
    if (w.ranks.parallel()) {
      w.ranks.on_root([&] {
        w.create_layout(model, options);
        h5::check(w.file.close(), "cannot write " + w.where());
      });
      w.open_for_ranks();
      w.open_datasets();
    } else {
      w.create_layout(model, options);
      w.open_datasets();
    }
    w.flush_file(/*check_space=*/false);  // a new file has no frames to protect yet
    w.ranks.on_root([&] { w.write_xdmf(); });
  });
}

ResultsWriter ResultsWriter::resume(const fs::path& run_dir, const ResultsCounts& counts,
                                    const ModelFingerprint& expected_model, bool overwrite,
                                    double flush_interval) {
  h5::silence_errors();
  auto impl = std::make_unique<Impl>();
  Impl& w = *impl;
  w.run_dir = run_dir;
  w.results_path = run_dir / kResultsFileName;
  w.xdmf_path = run_dir / kResultsXdmfFileName;
  w.flush_interval = flush_interval;
  w.read_resumed_model(expected_model);
  w.block = whole_grid(w.grid);
  w.file = h5::open_file(w.where(), H5F_ACC_RDWR, false);
  w.cut_back(w.file.get(), counts, overwrite);
  w.read_resumed_state(w.file.get(), counts);
  w.open_datasets();
  w.guarded([&] {
    w.add_frame_views(0, w.counts.frames);  // a file written before results.xdmf named them
    w.flush_file();
    w.write_xdmf();
  });
  return ResultsWriter(std::move(impl));
}

#if RUNAWAY_HAVE_MPI
ResultsWriter ResultsWriter::resume(const fs::path& run_dir, const ResultsCounts& counts,
                                    const ModelFingerprint& expected_model,
                                    const ParallelBlock& block, bool overwrite,
                                    double flush_interval) {
  h5::silence_errors();
  auto impl = std::make_unique<Impl>();
  Impl& w = *impl;
  w.ranks = Collective(block.comm);
  w.run_dir = run_dir;
  w.results_path = run_dir / kResultsFileName;
  w.xdmf_path = run_dir / kResultsXdmfFileName;
  w.flush_interval = flush_interval;
  // Every rank must resume from the same checkpoint.
  const ResultsCounts root_counts = w.ranks.broadcast(counts);
  w.ranks.all([&] {
    if (root_counts.frames != counts.frames || root_counts.cell_samples != counts.cell_samples ||
        root_counts.events != counts.events) {
      throw runaway::bad_input("MPI ranks resume " + w.where() +
                               " from different checkpoints (their results counts differ)");
    }
  });
  // Rank 0 checks the file and cuts it back alone, as a serial run does; then every rank opens it.
  w.ranks.on_root([&] {
    w.read_resumed_model(expected_model);
    h5::Handle file = h5::open_file(w.where(), H5F_ACC_RDWR, false);
    w.check_writable_in_parallel(file.get());
    w.cut_back(file.get(), counts, overwrite);
    h5::check(file.close(), "cannot write " + w.where());
  });
  w.grid = w.ranks.broadcast(w.grid);
  w.cell_count = w.ranks.broadcast(w.cell_count);
  w.ranks.all([&] { w.block = rank_block(w.ranks, block, w.grid); });
  w.ranks.all([&] {
    w.open_for_ranks();
    w.read_resumed_state(w.file.get(), counts);
    w.open_datasets();
  });
  w.guarded([&] {
    w.add_frame_views(0, w.counts.frames);  // a file written before results.xdmf named them
    w.flush_file();
    w.ranks.on_root([&] { w.write_xdmf(); });
  });
  return ResultsWriter(std::move(impl));
}
#endif

ResultsWriter::ResultsWriter(ResultsWriter&&) noexcept = default;
ResultsWriter& ResultsWriter::operator=(ResultsWriter&&) noexcept = default;

ResultsWriter::~ResultsWriter() {
  if (!impl_) return;
  Impl& w = *impl_;
  if (w.ranks.finalized()) {
    // MPI_Finalize has closed HDF5 and with it the file: nothing is left to close.
    w.close_datasets();
    for (auto* handle : {&w.file, &w.collective_transfer}) handle->release();
    return;
  }
  if (!w.file.valid()) return;
  if (w.failure.empty() && !w.finished) {
    try {
      w.flush_file();
    } catch (...) {
      // A destructor must not throw; the file stays as of its last successful flush.
    }
  }
  w.close_datasets();
  w.collective_transfer.reset();
  w.file.reset();
}

void ResultsWriter::write_frame(double time, std::int64_t step,
                                const std::map<std::string, FieldView>& fields) {
  Impl& w = *impl_;
  w.check_usable();
  // Everything is checked before the file is touched, so a bad call leaves no half frame; in a
  // parallel run, a bad call on one rank stops every rank.
  time = w.ranks.broadcast(time);
  step = w.ranks.broadcast(step);
  std::vector<const FieldView*> views;
  w.ranks.all([&] { views = w.checked_frame(time, fields); });
  w.guarded([&] {
    std::uint64_t frame_bytes = 0;
    for (const auto& field : w.fields) {
      frame_bytes += w.grid.voxel_count() * (field.storage == ElementType::kFloat32 ? 4u : 8u);
    }
    // The XDMF sidecar grows by about 1 KiB per field and frame.
    frame_bytes += std::uint64_t(w.counts.frames + 1) * (w.fields.size() + 3) * 1024u;
    w.ranks.on_root(
        [&] { w.ensure_space(frame_bytes, "frame " + std::to_string(w.counts.frames)); });
    for (std::size_t i = 0; i < views.size(); ++i) w.write_field_frame(i, *views[i]);
    w.add_frame_views(w.counts.frames, w.counts.frames + 1);
    // time is extended last: a frame counts once its time is on disk.
    const h5::Transfer transfer = w.series_transfer();
    h5::append_rows(w.frame_step.get(), H5T_NATIVE_INT64, 1, &step, w.where() + ": /fields/step",
                    transfer);
    h5::append_rows(w.frame_time.get(), H5T_NATIVE_DOUBLE, 1, &time, w.where() + ": /fields/time",
                    transfer);
    w.counts.frames += 1;
    w.frame_times.push_back(time);
    w.flush_file();
    w.ranks.on_root([&] { w.write_xdmf(); });
  });
}

void ResultsWriter::append_cell_sample(const CellSample& sample) {
  Impl& w = *impl_;
  w.check_usable();
  w.ranks.all([&] {
    const auto cells = std::size_t(w.cell_count);
    if (sample.mean_temperature.size() != cells || sample.max_temperature.size() != cells ||
        sample.heat_released.size() != cells || sample.state.size() != cells) {
      throw runaway::runtime_error("cell sample must hold " + std::to_string(cells) +
                                   " values per quantity, one per cell");
    }
    if (!std::isfinite(sample.time) || sample.time < w.last_cell_sample_time) {
      throw runaway::runtime_error("cell sample time " + std::to_string(sample.time) +
                                   " s must be finite and not before the previous sample");
    }
  });
  w.guarded([&] {
    if (w.ranks.parallel()) {
      auto& rows = w.pending;
      rows.time.push_back(sample.time);
      rows.mean_temperature.insert(rows.mean_temperature.end(), sample.mean_temperature.begin(),
                                   sample.mean_temperature.end());
      rows.max_temperature.insert(rows.max_temperature.end(), sample.max_temperature.begin(),
                                  sample.max_temperature.end());
      rows.heat_released.insert(rows.heat_released.end(), sample.heat_released.begin(),
                                sample.heat_released.end());
      rows.state.insert(rows.state.end(), sample.state.begin(), sample.state.end());
      rows.rows += 1;
    } else {
      const std::string what = w.where() + ": /cells";
      h5::append_rows(w.cell_mean_temperature.get(), H5T_NATIVE_DOUBLE, 1,
                      sample.mean_temperature.data(), what);
      h5::append_rows(w.cell_max_temperature.get(), H5T_NATIVE_DOUBLE, 1,
                      sample.max_temperature.data(), what);
      h5::append_rows(w.cell_heat_released.get(), H5T_NATIVE_DOUBLE, 1, sample.heat_released.data(),
                      what);
      h5::append_rows(w.cell_state.get(), H5T_NATIVE_INT8, 1, sample.state.data(), what);
      h5::append_rows(w.cell_time.get(), H5T_NATIVE_DOUBLE, 1, &sample.time, what);
    }
    w.counts.cell_samples += 1;
    w.last_cell_sample_time = sample.time;
    // Rank 0's clock decides, so that every rank flushes together.
    if (w.ranks.broadcast(seconds_since(w.last_flush) >= w.flush_interval)) w.flush_file();
  });
}

namespace {

void append_event_row(hid_t file, const Event& event, const std::string& what) {
  h5::Handle string_type = h5::utf8_string_type();
  const char* kind = event.kind.c_str();
  h5::append_rows(h5::open_dataset(file, "events/cell").get(), H5T_NATIVE_INT32, 1, &event.cell,
                  what);
  h5::append_rows(h5::open_dataset(file, "events/kind").get(), string_type.get(), 1, &kind, what);
  h5::append_rows(h5::open_dataset(file, "events/temperature").get(), H5T_NATIVE_DOUBLE, 1,
                  &event.temperature, what);
  h5::append_rows(h5::open_dataset(file, "events/time").get(), H5T_NATIVE_DOUBLE, 1, &event.time,
                  what);
}

}  // namespace

void ResultsWriter::append_event(const Event& event) {
  Impl& w = *impl_;
  w.check_usable();
  w.ranks.all([&] {
    if (!valid_identifier(event.kind)) {
      throw runaway::runtime_error("event kind '" + event.kind +
                                   "' must be letters, digits and '_'");
    }
    if (event.cell < -1 || event.cell >= w.cell_count) {
      throw runaway::runtime_error("event cell " + std::to_string(event.cell) + " is outside -1.." +
                                   std::to_string(w.cell_count - 1));
    }
  });
  w.guarded([&] {
    const std::string what = w.where() + ": /events";
    if (w.ranks.parallel()) {
      // The kind is a variable-length string: rank 0 writes the row alone.
      w.flush_file();
      w.on_root_serially([&](hid_t file) { append_event_row(file, event, what); },
                         /*reopen=*/true);
      w.counts.events += 1;
      return;
    }
    h5::Handle string_type = h5::utf8_string_type();
    const char* kind = event.kind.c_str();
    h5::append_rows(w.event_cell.get(), H5T_NATIVE_INT32, 1, &event.cell, what);
    h5::append_rows(w.event_kind.get(), string_type.get(), 1, &kind, what);
    h5::append_rows(w.event_temperature.get(), H5T_NATIVE_DOUBLE, 1, &event.temperature, what);
    h5::append_rows(w.event_time.get(), H5T_NATIVE_DOUBLE, 1, &event.time, what);
    w.counts.events += 1;
    w.flush_file();
  });
}

ResultsCounts ResultsWriter::flush() {
  Impl& w = *impl_;
  w.guarded([&] { w.flush_file(); });
  return w.counts;
}

ResultsCounts ResultsWriter::counts() const {
  return impl_->counts;
}

void ResultsWriter::finish() {
  Impl& w = *impl_;
  w.guarded([&] {
    w.flush_file();
    w.ranks.on_root([&] { w.write_xdmf(); });
    // Last: only now does the file say it is complete.
    auto mark_complete = [&](hid_t file) {
      {
        h5::Handle group = h5::open_group(file, "provenance");
        h5::write_attribute(group.get(), "end_date", h5::utc_now());
      }
      h5::write_attribute(file, "complete", std::int64_t(1));
    };
    if (w.ranks.parallel()) {
      // Every rank has closed the file before rank 0 marks it complete.
      w.on_root_serially(mark_complete, /*reopen=*/false);
    } else {
      mark_complete(w.file.get());
      w.close_datasets();
      h5::check(w.file.close(), "cannot write " + w.where());
    }
    w.finished = true;
  });
}

const fs::path& ResultsWriter::results_path() const {
  return impl_->results_path;
}
const fs::path& ResultsWriter::xdmf_path() const {
  return impl_->xdmf_path;
}
const std::vector<FieldSpec>& ResultsWriter::fields() const {
  return impl_->fields;
}
const GridInfo& ResultsWriter::grid() const {
  return impl_->grid;
}
int ResultsWriter::cell_count() const {
  return impl_->cell_count;
}

}  // namespace runaway::io
