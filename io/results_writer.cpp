#include "io/results_writer.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include "common/error.hpp"
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

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

struct ResultsWriter::Impl {
  fs::path run_dir;
  fs::path results_path;
  fs::path xdmf_path;
  GridInfo grid;
  std::vector<FieldSpec> fields;
  int cell_count = 0;
  double flush_interval = 10.0;

  h5::Handle file;
  std::vector<h5::Handle> field_datasets;  // in the order of `fields`
  h5::Handle frame_time, frame_step;
  h5::Handle cell_time, cell_mean_temperature, cell_max_temperature, cell_heat_released, cell_state;
  h5::Handle event_cell, event_kind, event_time, event_temperature;

  std::vector<double> frame_times;
  double last_cell_sample_time = -std::numeric_limits<double>::infinity();
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

  // Runs one step of writing; an exception marks the writer failed, so that a half-written
  // frame is never followed by more frames.
  template <class Step>
  void guarded(Step&& step) {
    check_usable();
    try {
      step();
    } catch (const std::exception& e) {
      failure = e.what();
      throw;
    }
  }

  void ensure_space(std::uint64_t bytes, const std::string& what) const;
  void create_layout(const ModelData& model, const ResultsOptions& options);
  void open_datasets();
  void close_datasets();
  void flush_file(bool check_space = true);
  void write_xdmf() const;
  void write_field_frame(std::size_t field_index, const FieldView& view);
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
      h5::Handle dataset = h5::create_dataset(
          group.get(), field.name, h5::native_type(field.storage),
          {0, frame_extent[0], frame_extent[1], frame_extent[2]},
          {kUnlimited, frame_extent[0], frame_extent[1], frame_extent[2]}, {chunk, true, false});
      h5::write_attribute(dataset.get(), "units", field.units);
      h5::write_attribute(dataset.get(), "description", field.description);
      names.push_back(field.name);
    }
    h5::write_attribute(group.get(), "names", names);
    h5::Handle time = h5::create_dataset(group.get(), "time", H5T_NATIVE_DOUBLE, {0}, {kUnlimited},
                                         {{kSeriesChunkRows}, false, false});
    h5::write_attribute(time.get(), "units", std::string("s"));
    h5::Handle step = h5::create_dataset(group.get(), "step", H5T_NATIVE_INT64, {0}, {kUnlimited},
                                         {{kSeriesChunkRows}, false, false});
    h5::write_attribute(step.get(), "units", std::string("1"));
  }

  {
    h5::Handle group = h5::create_group(root, "cells");
    h5::write_attribute(group.get(), "state_names", options.cell_state_names);
    h5::write_attribute(group.get(), "cell_count", std::int64_t(cell_count));
    h5::Handle time = h5::create_dataset(group.get(), "time", H5T_NATIVE_DOUBLE, {0}, {kUnlimited},
                                         {{kSeriesChunkRows}, false, false});
    h5::write_attribute(time.get(), "units", std::string("s"));
    const hsize_t columns = hsize_t(std::max(cell_count, 1));
    auto series = [&](const char* name, hid_t type, std::size_t element_size, const char* units,
                      const char* description) {
      const hsize_t rows =
          std::clamp<hsize_t>(kCellChunkBytes / (columns * element_size), 1, kSeriesChunkRows);
      h5::Handle dataset =
          h5::create_dataset(group.get(), name, type, {0, hsize_t(cell_count)},
                             {kUnlimited, kUnlimited}, {{rows, columns}, true, false});
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
    const h5::Storage storage{{256}, false, false};
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

void ResultsWriter::Impl::flush_file(bool check_space) {
  if (check_space) ensure_space(0, "the per-cell series");
  {
    h5::Handle group = h5::open_group(file.get(), "provenance");
    h5::write_attribute(group.get(), "wall_time", earlier_wall_time + seconds_since(opened));
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

void ResultsWriter::Impl::write_field_frame(std::size_t field_index, const FieldView& view) {
  const hid_t dataset = field_datasets[field_index].get();
  const std::string what = where() + ": /fields/" + fields[field_index].name;
  const auto nz = hsize_t(grid.nz), ny = hsize_t(grid.ny), nx = hsize_t(grid.nx);
  const hsize_t frame = counts.frames;
  const hsize_t extent[4] = {frame + 1, nz, ny, nx};
  h5::check(H5Dset_extent(dataset, extent), "cannot extend " + what);
  h5::Handle file_space = h5::check_handle(H5Dget_space(dataset), H5Sclose, what);
  const hsize_t file_start[4] = {frame, 0, 0, 0};
  const hsize_t file_count[4] = {1, nz, ny, nx};
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, file_start, nullptr, file_count,
                                nullptr),
            what);
  // With a ghost layer, HDF5 picks the interior out of the padded array: no copy.
  const bool padded = view.count != grid.voxel_count();
  const hsize_t memory_extent[3] = {nz + (padded ? 2 : 0), ny + (padded ? 2 : 0),
                                    nx + (padded ? 2 : 0)};
  h5::Handle memory_space =
      h5::check_handle(H5Screate_simple(3, memory_extent, nullptr), H5Sclose, what);
  if (padded) {
    const hsize_t start[3] = {1, 1, 1};
    const hsize_t count[3] = {nz, ny, nx};
    h5::check(
        H5Sselect_hyperslab(memory_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
        what);
  }
  h5::check(H5Dwrite(dataset, h5::native_type(view.type), memory_space.get(), file_space.get(),
                     H5P_DEFAULT, view.data),
            "cannot write frame " + std::to_string(frame) + " to " + what);
}

ResultsWriter::ResultsWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ResultsWriter::ResultsWriter(const fs::path& run_dir, const ModelData& model,
                             const ResultsOptions& options)
    : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  validate(model);
  validate_fields(options.fields);
  if (!(options.flush_interval >= 0)) {
    throw runaway::bad_input("flush interval must be >= 0 s",
                             {"", 0, "flush_interval", std::to_string(options.flush_interval)});
  }
  Impl& w = *impl_;
  w.run_dir = run_dir;
  w.results_path = run_dir / kResultsFileName;
  w.xdmf_path = run_dir / kResultsXdmfFileName;
  w.grid = model.grid;
  w.fields = options.fields;
  w.cell_count = model.cell_count();
  w.flush_interval = options.flush_interval;

  prepare_run_directory(run_dir, options.overwrite);
  // Without overwrite the directory is new or empty; EXCL still refuses a results.h5 that
  // appeared meanwhile (another run started into the same directory).
  w.file = h5::create_file(w.results_path.string(),
                           options.overwrite ? H5F_ACC_TRUNC : H5F_ACC_EXCL, false);
  w.guarded([&] {
    w.create_layout(model, options);
    w.open_datasets();
    w.flush_file(/*check_space=*/false);  // a new file has no frames to protect yet
    w.write_xdmf();
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
  const std::string name = w.results_path.string();
  {
    // Validate read-only first: a foreign file is never opened for writing.
    h5::Handle file = h5::open_for_reading(name, "results file");
    h5::check_format(file.get(), name, kResultsFormat, kResultsFormatVersion);
    const ModelData model = h5::read_model(file.get(), name);
    const ModelFingerprint found = fingerprint(model);
    if (found != expected_model) {
      throw runaway::bad_input(name + " holds the results of another model (" +
                               found.difference(expected_model) +
                               "); restart into the run directory of the checkpoint's run");
    }
    w.grid = model.grid;
    w.cell_count = model.cell_count();
  }
  w.file = h5::open_file(name, H5F_ACC_RDWR, false);
  const hid_t root = w.file.get();
  if (h5::attribute_exists(root, "complete")) {
    if (!overwrite) {
      throw runaway::bad_input(name +
                               " holds the results of a finished run; restarting would "
                               "discard its later frames. Pass --overwrite to do so");
    }
    h5::check(H5Adelete(root, "complete"), "cannot modify " + name);
  }
  {
    h5::Handle group = h5::open_group(root, "fields");
    for (const auto& field_name : h5::read_string_array_attribute(group.get(), "names")) {
      h5::Handle dataset = h5::open_dataset(group.get(), field_name);
      w.fields.push_back({field_name, h5::read_string_attribute(dataset.get(), "units"),
                          h5::read_string_attribute(dataset.get(), "description"),
                          h5::dataset_element_type(dataset.get())});
    }
  }
  w.open_datasets();

  // Cut every series back to the checkpoint; each must hold at least that much.
  auto cut = [&](h5::Handle& dataset, std::size_t rows, const std::string& what) {
    const auto extent = h5::dataset_extent(dataset.get());
    if (extent.empty() || extent[0] < rows) {
      throw runaway::bad_input(name + ": " + what + " holds " +
                               std::to_string(extent.empty() ? 0 : extent[0]) +
                               " rows but the checkpoint expects " + std::to_string(rows) +
                               "; this is not the results file of the checkpoint's run");
    }
    h5::resize_rows(dataset.get(), rows, name + ": " + what);
  };
  for (std::size_t i = 0; i < w.fields.size(); ++i) {
    cut(w.field_datasets[i], counts.frames, "/fields/" + w.fields[i].name);
  }
  cut(w.frame_time, counts.frames, "/fields/time");
  cut(w.frame_step, counts.frames, "/fields/step");
  for (auto* dataset : {&w.cell_time, &w.cell_mean_temperature, &w.cell_max_temperature,
                        &w.cell_heat_released, &w.cell_state}) {
    cut(*dataset, counts.cell_samples, "/cells series");
  }
  for (auto* dataset : {&w.event_cell, &w.event_kind, &w.event_time, &w.event_temperature}) {
    cut(*dataset, counts.events, "/events table");
  }
  w.counts = counts;
  w.frame_times = h5::read_vector<double>(root, "fields/time");
  if (counts.cell_samples > 0) {
    w.last_cell_sample_time = h5::read_vector<double>(root, "cells/time").back();
  }
  {
    h5::Handle group = h5::open_group(root, "provenance");
    if (h5::attribute_exists(group.get(), "wall_time")) {
      w.earlier_wall_time = h5::read_scalar_attribute<double>(group.get(), "wall_time");
    }
    std::int64_t restarts = 0;
    if (h5::attribute_exists(group.get(), "restart_count")) {
      restarts = h5::read_scalar_attribute<std::int64_t>(group.get(), "restart_count");
    }
    h5::write_attribute(group.get(), "restart_count", restarts + 1);
    if (h5::attribute_exists(group.get(), "end_date")) {
      h5::check(H5Adelete(group.get(), "end_date"), "cannot modify " + name);
    }
  }
  w.guarded([&] {
    w.flush_file();
    w.write_xdmf();
  });
  return ResultsWriter(std::move(impl));
}

ResultsWriter::ResultsWriter(ResultsWriter&&) noexcept = default;
ResultsWriter& ResultsWriter::operator=(ResultsWriter&&) noexcept = default;

ResultsWriter::~ResultsWriter() {
  if (!impl_ || !impl_->file.valid()) return;
  if (impl_->failure.empty() && !impl_->finished) {
    try {
      impl_->flush_file();
    } catch (...) {
      // A destructor must not throw; the file stays as of its last successful flush.
    }
  }
  impl_->close_datasets();
  impl_->file.reset();
}

void ResultsWriter::write_frame(double time, std::int64_t step,
                                const std::map<std::string, FieldView>& fields) {
  Impl& w = *impl_;
  w.check_usable();
  // Everything is checked before the file is touched, so a bad call leaves no half frame.
  if (!std::isfinite(time) || (!w.frame_times.empty() && time < w.frame_times.back())) {
    throw runaway::runtime_error("frame time " + std::to_string(time) +
                                 " s must be finite and not before the previous frame");
  }
  std::vector<const FieldView*> views;
  const std::size_t interior = w.grid.voxel_count();
  const std::size_t padded =
      std::size_t(w.grid.nx + 2) * std::size_t(w.grid.ny + 2) * std::size_t(w.grid.nz + 2);
  for (const auto& field : w.fields) {
    const auto found = fields.find(field.name);
    if (found == fields.end()) {
      throw runaway::runtime_error("frame at t = " + std::to_string(time) + " s lacks field " +
                                   field.name);
    }
    const FieldView& view = found->second;
    if (view.data == nullptr || (view.count != interior && view.count != padded) ||
        (view.type != ElementType::kFloat64 && view.type != ElementType::kFloat32)) {
      throw runaway::runtime_error("field " + field.name + " has " + std::to_string(view.count) +
                                   " values; expected " + std::to_string(interior) +
                                   " (interior) or " + std::to_string(padded) +
                                   " (with ghost layer) float64 or float32 values");
    }
    views.push_back(&view);
  }
  if (fields.size() != w.fields.size()) {
    for (const auto& entry : fields) {
      const bool known = std::any_of(w.fields.begin(), w.fields.end(),
                                     [&](const FieldSpec& f) { return f.name == entry.first; });
      if (!known) throw runaway::runtime_error("frame has unknown field " + entry.first);
    }
  }
  w.guarded([&] {
    std::uint64_t frame_bytes = 0;
    for (const auto& field : w.fields) {
      frame_bytes += interior * (field.storage == ElementType::kFloat32 ? 4u : 8u);
    }
    // The XDMF sidecar grows by about 1 KiB per field and frame.
    frame_bytes += std::uint64_t(w.counts.frames + 1) * (w.fields.size() + 3) * 1024u;
    w.ensure_space(frame_bytes, "frame " + std::to_string(w.counts.frames));
    for (std::size_t i = 0; i < views.size(); ++i) w.write_field_frame(i, *views[i]);
    // time is extended last: a frame counts once its time is on disk.
    h5::append_rows(w.frame_step.get(), H5T_NATIVE_INT64, 1, &step, w.where() + ": /fields/step");
    h5::append_rows(w.frame_time.get(), H5T_NATIVE_DOUBLE, 1, &time, w.where() + ": /fields/time");
    w.counts.frames += 1;
    w.frame_times.push_back(time);
    w.flush_file();
    w.write_xdmf();
  });
}

void ResultsWriter::append_cell_sample(const CellSample& sample) {
  Impl& w = *impl_;
  w.check_usable();
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
  w.guarded([&] {
    const std::string what = w.where() + ": /cells";
    h5::append_rows(w.cell_mean_temperature.get(), H5T_NATIVE_DOUBLE, 1,
                    sample.mean_temperature.data(), what);
    h5::append_rows(w.cell_max_temperature.get(), H5T_NATIVE_DOUBLE, 1,
                    sample.max_temperature.data(), what);
    h5::append_rows(w.cell_heat_released.get(), H5T_NATIVE_DOUBLE, 1, sample.heat_released.data(),
                    what);
    h5::append_rows(w.cell_state.get(), H5T_NATIVE_INT8, 1, sample.state.data(), what);
    h5::append_rows(w.cell_time.get(), H5T_NATIVE_DOUBLE, 1, &sample.time, what);
    w.counts.cell_samples += 1;
    w.last_cell_sample_time = sample.time;
    if (seconds_since(w.last_flush) >= w.flush_interval) w.flush_file();
  });
}

void ResultsWriter::append_event(const Event& event) {
  Impl& w = *impl_;
  w.check_usable();
  if (!valid_identifier(event.kind)) {
    throw runaway::runtime_error("event kind '" + event.kind + "' must be letters, digits and '_'");
  }
  if (event.cell < -1 || event.cell >= w.cell_count) {
    throw runaway::runtime_error("event cell " + std::to_string(event.cell) + " is outside -1.." +
                                 std::to_string(w.cell_count - 1));
  }
  w.guarded([&] {
    const std::string what = w.where() + ": /events";
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
    w.write_xdmf();
    {
      h5::Handle group = h5::open_group(w.file.get(), "provenance");
      h5::write_attribute(group.get(), "end_date", h5::utc_now());
    }
    // Last: only now does the file say it is complete.
    h5::write_attribute(w.file.get(), "complete", std::int64_t(1));
    w.close_datasets();
    h5::check(w.file.close(), "cannot write " + w.where());
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
