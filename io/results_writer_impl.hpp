// ResultsWriter::Impl: the state behind a ResultsWriter and the steps its public calls are
// made of. Private to the results writer: included only by results_writer.cpp (the public calls),
// results_layout.cpp (the file's layout, the XDMF frame views) and results_resume.cpp (resume).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "io/collective.hpp"
#include "io/hdf5_util.hpp"
#include "io/results_writer.hpp"

namespace runaway::io {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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

inline Block whole_grid(const GridInfo& grid) {
  return {{0, 0, 0}, {hsize_t(grid.nz), hsize_t(grid.ny), hsize_t(grid.nx)}};
}

#if RUNAWAY_HAVE_MPI
// This rank's block, after checking on every rank that the blocks of all ranks tile `grid`.
Block rank_block(const Collective& ranks, const ParallelBlock& block, const GridInfo& grid);
#endif

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
  h5::Handle cell_time, cell_state;
  // In the order of kCellQuantities; an optional series a resumed file lacks stays invalid.
  std::array<h5::Handle, kCellQuantities.size()> cell_quantities;
  h5::Handle event_cell, event_kind, event_time, event_temperature;
  h5::Handle probe_temperature;  // /probes/temperature; invalid without probes
  std::size_t probe_count = 0;

  std::vector<double> frame_times;
  double last_cell_sample_time = -std::numeric_limits<double>::infinity();
  // Parallel runs: per-cell samples wait here for the next flush and are then appended in one
  // collective write per dataset (a collective write into compressed chunks costs milliseconds,
  // about 100 times a serial append). The file on disk after a flush is the same.
  struct PendingCells {
    std::size_t rows = 0;
    std::vector<double> time;
    std::array<std::vector<double>, kCellQuantities.size()> quantities;
    std::vector<std::int8_t> state;
    std::vector<double> probe_temperature;
  } pending;
  ResultsCounts counts;
  std::function<Clock::time_point()> wall_clock = Clock::now;  // what the wall time is read from
  Clock::time_point opened = Clock::now();                     // on wall_clock
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

}  // namespace runaway::io
