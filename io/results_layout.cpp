// ResultsWriter::Impl, the file's layout: the part of the grid each rank writes, the groups and
// datasets of a new results.h5, opening and closing them, and the per-frame views and sidecar
// that results.xdmf reads.
#include "io/results_writer_impl.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "io/collective.hpp"
#include "io/hdf5_util.hpp"
#include "io/xdmf.hpp"

namespace runaway::io {

namespace {

constexpr hsize_t kUnlimited = H5S_UNLIMITED;
constexpr std::size_t kMaxChunkBytes = std::size_t(4) << 20;     // 4 MiB per chunk
constexpr hsize_t kSeriesChunkRows = 1024;                       // 1-D time series
constexpr std::size_t kCellChunkBytes = std::size_t(256) << 10;  // fits HDF5's 1 MiB chunk cache

}  // namespace

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
    for (const CellQuantity& q : kCellQuantities) {
      series(q.name, H5T_NATIVE_DOUBLE, 8, q.units, q.description);
    }
    series("state", H5T_NATIVE_INT8, 1, "", "cell state, named by the state_names attribute");
  }

  if (options.probes.row_count() > 0) {
    h5::Handle group = h5::create_group(root, "probes");
    h5::write_table(group.get(), "table", options.probes);
    const auto probes = hsize_t(options.probes.row_count());
    const hsize_t rows = std::clamp<hsize_t>(kCellChunkBytes / (probes * 8), 1, kSeriesChunkRows);
    h5::Handle dataset =
        h5::create_dataset(group.get(), "temperature", H5T_NATIVE_DOUBLE, {0, probes},
                           {kUnlimited, probes}, {{rows, probes}, true, false, early});
    h5::write_attribute(dataset.get(), "units", std::string("K"));
    h5::write_attribute(dataset.get(), "description",
                        std::string("each probe's temperature at the times of /cells/time"));
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
  for (std::size_t q = 0; q < kCellQuantities.size(); ++q) {
    const std::string path = std::string("cells/") + kCellQuantities[q].name;
    // Only a resumed file written before an optional series existed lacks it.
    if (kCellQuantities[q].optional && !h5::link_exists(root, path)) {
      cell_quantities[q].reset();
      continue;
    }
    cell_quantities[q] = h5::open_dataset(root, path);
  }
  cell_state = h5::open_dataset(root, "cells/state");
  probe_temperature.reset();
  probe_count = 0;
  if (h5::link_exists(root, "probes")) {
    probe_temperature = h5::open_dataset(root, "probes/temperature");
    probe_count = std::size_t(h5::dataset_extent(probe_temperature.get()).at(1));
  }
  event_cell = h5::open_dataset(root, "events/cell");
  event_kind = h5::open_dataset(root, "events/kind");
  event_time = h5::open_dataset(root, "events/time");
  event_temperature = h5::open_dataset(root, "events/temperature");
}

void ResultsWriter::Impl::close_datasets() {
  field_datasets.clear();
  for (auto* dataset : {&frame_time, &frame_step, &cell_time, &cell_state, &event_cell, &event_kind,
                        &event_time, &event_temperature, &probe_temperature}) {
    dataset->reset();
  }
  for (auto& dataset : cell_quantities) dataset.reset();
}
void ResultsWriter::Impl::write_xdmf() const {
  XdmfResults description;
  description.h5_file_name = results_path.filename().string();
  description.grid = grid;
  for (const auto& field : fields) description.fields.push_back({field.name, field.storage});
  description.frame_times = frame_times;
  write_results_xdmf(xdmf_path, description);
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
      std::string view_what = what;
      view_what.append("/").append(name).append("/").append(view_name);
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

}  // namespace runaway::io
