// ResultsWriter::resume: carrying on the results file of a run restarted from a checkpoint. The
// file is checked read-only first, cut back to what the checkpoint counted, and the writer's state
// read back from it.
#include "io/results_writer_impl.hpp"

#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "io/collective.hpp"
#include "io/hdf5_util.hpp"

namespace runaway::io {

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
  std::vector<std::string> written = {"fields/time", "fields/step", "cells/time", "cells/state"};
  if (h5::link_exists(results, "probes")) written.push_back("probes/temperature");
  for (const CellQuantity& q : kCellQuantities) {
    const std::string path = std::string("cells/") + q.name;
    // An optional series a file lacks is not written on resume (open_datasets).
    if (!q.optional || h5::link_exists(results, path)) written.push_back(path);
  }
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
  cut("cells/time", to.cell_samples, "/cells series");
  cut("cells/state", to.cell_samples, "/cells series");
  for (const CellQuantity& q : kCellQuantities) {
    const std::string path = std::string("cells/") + q.name;
    // A file written before an optional series existed goes on without it (open_datasets).
    if (q.optional && !h5::link_exists(results, path)) continue;
    cut(path, to.cell_samples, "/cells series");
  }
  if (h5::link_exists(results, "probes")) {
    cut("probes/temperature", to.cell_samples, "/probes/temperature");
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
}  // namespace runaway::io
