#include "io/results_writer.hpp"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "io/collective.hpp"
#include "io/files.hpp"
#include "io/hdf5_util.hpp"
#include "io/results_writer_impl.hpp"

namespace runaway::io {

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
}  // namespace

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
  for (std::size_t q = 0; q < kCellQuantities.size(); ++q) {
    if (!cell_quantities[q].valid()) continue;  // a resumed file without this series
    h5::append_rows(cell_quantities[q].get(), H5T_NATIVE_DOUBLE, rows, pending.quantities[q].data(),
                    what, transfer);
  }
  h5::append_rows(cell_state.get(), H5T_NATIVE_INT8, rows, pending.state.data(), what, transfer);
  if (probe_temperature.valid()) {
    h5::append_rows(probe_temperature.get(), H5T_NATIVE_DOUBLE, rows,
                    pending.probe_temperature.data(), where() + ": /probes", transfer);
  }
  h5::append_rows(cell_time.get(), H5T_NATIVE_DOUBLE, rows, pending.time.data(), what, transfer);
  pending = {};
}

void ResultsWriter::Impl::flush_file(bool check_space) {
  if (check_space) {
    const std::uint64_t pending_bytes =
        pending.rows * (8 + std::uint64_t(cell_count) * (kCellQuantities.size() * 8 + 1) +
                        8 * std::uint64_t(probe_count));
    ranks.on_root([&] { ensure_space(pending_bytes, "the per-cell series"); });
  }
  write_pending_cells();
  // Attributes are metadata: every rank writes the same value.
  const double wall_time =
      ranks.broadcast(earlier_wall_time + seconds_between(opened, wall_clock()));
  {
    h5::Handle group = h5::open_group(file.get(), "provenance");
    h5::write_attribute(group.get(), "wall_time", wall_time);
  }
  h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "cannot write " + where());
  last_flush = Clock::now();
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
    for (const CellQuantity& q : kCellQuantities) {
      if ((sample.*q.values).size() != cells) {
        throw runaway::runtime_error("cell sample must hold " + std::to_string(cells) +
                                     " values per quantity, one per cell; " + q.name + " has " +
                                     std::to_string((sample.*q.values).size()));
      }
    }
    if (sample.probe_temperature.size() != w.probe_count) {
      throw runaway::runtime_error("cell sample must hold " + std::to_string(w.probe_count) +
                                   " probe temperatures, one per probe; it has " +
                                   std::to_string(sample.probe_temperature.size()));
    }
    if (sample.state.size() != cells) {
      throw runaway::runtime_error("cell sample must hold " + std::to_string(cells) +
                                   " values per quantity, one per cell; state has " +
                                   std::to_string(sample.state.size()));
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
      for (std::size_t q = 0; q < kCellQuantities.size(); ++q) {
        const std::vector<double>& values = sample.*kCellQuantities[q].values;
        rows.quantities[q].insert(rows.quantities[q].end(), values.begin(), values.end());
      }
      rows.state.insert(rows.state.end(), sample.state.begin(), sample.state.end());
      rows.probe_temperature.insert(rows.probe_temperature.end(), sample.probe_temperature.begin(),
                                    sample.probe_temperature.end());
      rows.rows += 1;
    } else {
      const std::string what = w.where() + ": /cells";
      for (std::size_t q = 0; q < kCellQuantities.size(); ++q) {
        if (!w.cell_quantities[q].valid()) continue;  // a resumed file without this series
        h5::append_rows(w.cell_quantities[q].get(), H5T_NATIVE_DOUBLE, 1,
                        (sample.*kCellQuantities[q].values).data(), what);
      }
      h5::append_rows(w.cell_state.get(), H5T_NATIVE_INT8, 1, sample.state.data(), what);
      if (w.probe_temperature.valid()) {
        h5::append_rows(w.probe_temperature.get(), H5T_NATIVE_DOUBLE, 1,
                        sample.probe_temperature.data(), w.where() + ": /probes");
      }
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

void ResultsWriter::on_root(const std::function<void()>& step) {
  impl_->ranks.on_root(step);
}

void ResultsWriter::measure_wall_time_with(
    std::function<std::chrono::steady_clock::time_point()> clock) {
  impl_->wall_clock = std::move(clock);
  impl_->opened = impl_->wall_clock();
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

void write_derived_tables(const std::filesystem::path& results, const std::string& group,
                          const std::vector<std::pair<std::string, Table>>& tables) {
  h5::silence_errors();
  const std::string name = results.string();
  h5::Handle file = h5::open_file(name, H5F_ACC_RDWR, false);
  if (h5::link_exists(file.get(), group)) {
    h5::check(H5Ldelete(file.get(), group.c_str(), H5P_DEFAULT), "cannot modify " + name);
  }
  h5::Handle g = h5::create_group(file.get(), group);
  for (const auto& [table_name, table] : tables) h5::write_table(g.get(), table_name, table);
  h5::check(file.close(), "cannot write " + name);
}

}  // namespace runaway::io
