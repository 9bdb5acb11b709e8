// ResultsWriter: the run's results.h5 and its results.xdmf sidecar (docs/design.md §8, layout in
// docs/output-format.md).
//
// The time loop calls, in this order:
//   ResultsWriter writer(run_dir, model, options);        // once, before the first step
//   writer.write_frame(t, step, {{"temperature", T}, ...}); // at the frame cadence and at events
//   writer.append_cell_sample(sample);                    // at the fine per-cell cadence
//   writer.append_event({cell, "onset", t, T_cell});      // when an event is detected
//   ResultsCounts counts = writer.flush();                // before writing a checkpoint
//   writer.finish();                                      // once, after the last step
// (`runaway run` makes these calls on an output thread, through AsyncResultsWriter.)
// A restarted run reopens the file with ResultsWriter::resume(run_dir, counts_from_checkpoint,
// fingerprint) and carries on. Every failure (unwritable directory, full disk) is a
// runaway::Error; after one, the writer refuses further calls.
//
// The file is flushed after every frame, every event and every flush(), and with the first
// per-cell sample `flush_interval` seconds of wall time after the last flush, so it is readable
// while the run goes on. Until finish() it has no `complete` attribute, and ResultsReader
// refuses it unless asked to read an incomplete file. A frame that might not fit on the disk
// (or under `ulimit -f`) is refused before HDF5 writes any of it, so the frames already written
// stay readable.
//
// A run split over MPI ranks (builds with RUNAWAY_MPI) writes the same file, in the same layout,
// from all ranks together: set ResultsOptions::parallel (or pass the block to resume) on every
// rank, make the same calls in the same order on every rank (they are collective), and hand
// each rank's own block to write_frame. Everything else (times, per-cell samples, events) is the
// same on every rank and written once. An error on any rank is a runaway::Error on every rank.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/model.hpp"
#include "io/parallel_block.hpp"
#include "io/results_format.hpp"

namespace runaway::io {

// A field frame in host memory, [z][y][x] with x fastest: either the interior only
// (nx*ny*nz values) or with the solver's one-voxel ghost layer ((nx+2)*(ny+2)*(nz+2) values),
// of which only the interior is written. The memory is read during write_frame only. In a
// parallel run, nx, ny, nz are the extent of this rank's block.
struct FieldView {
  const void* data = nullptr;
  ElementType type = ElementType::kFloat64;
  std::size_t count = 0;

  FieldView() = default;
  FieldView(const double* values, std::size_t value_count)
      : data(values), type(ElementType::kFloat64), count(value_count) {}
  FieldView(const float* values, std::size_t value_count)
      : data(values), type(ElementType::kFloat32), count(value_count) {}
  FieldView(const std::vector<double>& values) : FieldView(values.data(), values.size()) {}
  FieldView(const std::vector<float>& values) : FieldView(values.data(), values.size()) {}
};

struct ResultsOptions {
  bool overwrite = false;         // replace results in an existing non-empty run directory
  std::vector<FieldSpec> fields;  // usually standard_fields(reaction names)
  // Names of the per-cell state values: /cells/state == i means cell_state_names[i].
  std::vector<std::string> cell_state_names;
  // The monitoring points (docs/verdicts.md), one row each: /probes/table; none: no /probes.
  Table probes;
  std::string config_text;  // the input TOML, verbatim
  std::string config_path;  // where it was read from
  Provenance provenance;
  double flush_interval = 10.0;  // s of wall time between flushes of per-cell samples
#if RUNAWAY_HAVE_MPI
  // Set on every rank of a run split over MPI ranks: this rank's block of the grid. The model
  // (the whole grid) and everything else in these options must be the same on every rank.
  std::optional<ParallelBlock> parallel;
#endif
};

// Adds /GROUP/NAME tables to a finished results.h5, replacing a GROUP written before: results
// derived from the series after the run (the verdict, docs/verdicts.md), which readers can always
// derive again. Throws runaway::Error when the file cannot be written.
void write_derived_tables(const std::filesystem::path& results, const std::string& group,
                          const std::vector<std::pair<std::string, Table>>& tables);

class ResultsWriter {
 public:
  // Prepares `run_dir` (see prepare_run_directory: an existing non-empty directory is refused
  // unless options.overwrite), creates run_dir/results.h5 with the grid, model, input and
  // provenance, and writes run_dir/results.xdmf.
  ResultsWriter(const std::filesystem::path& run_dir, const ModelData& model,
                const ResultsOptions& options);

  // Reopens the results of an interrupted run to continue it from a checkpoint: checks that
  // results.h5 belongs to the model `expected_model`, cuts every time series back to `counts`
  // (what was on disk when the checkpoint was written) and removes `complete`. A file that is
  // already complete is refused unless `overwrite`.
  static ResultsWriter resume(const std::filesystem::path& run_dir, const ResultsCounts& counts,
                              const ModelFingerprint& expected_model, bool overwrite = false,
                              double flush_interval = 10.0);
#if RUNAWAY_HAVE_MPI
  // The same for a run split over MPI ranks, called on every rank with its own block. Results
  // of a serial run cannot be continued in parallel (their chunks are allocated as they are
  // written, which parallel HDF5 1.10 cannot do); the reverse works.
  static ResultsWriter resume(const std::filesystem::path& run_dir, const ResultsCounts& counts,
                              const ModelFingerprint& expected_model, const ParallelBlock& block,
                              bool overwrite = false, double flush_interval = 10.0);
#endif

  ResultsWriter(ResultsWriter&&) noexcept;
  ResultsWriter& operator=(ResultsWriter&&) noexcept;
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;
  // Without finish(): flushes and closes, leaving the file incomplete. Never throws. In a
  // parallel run, destroy the writer on every rank before MPI_Finalize.
  ~ResultsWriter();

  // Appends one frame of every field in fields() (each name exactly once) at `time` (s, not
  // before the previous frame), flushes the file and rewrites results.xdmf. In a parallel run,
  // each rank hands over its own block; `time` and `step` are rank 0's.
  void write_frame(double time, std::int64_t step, const std::map<std::string, FieldView>& fields);

  // Appends one row of the per-cell time series (vectors of cell_count() entries).
  void append_cell_sample(const CellSample& sample);

  // Appends one row of the event table and flushes.
  void append_event(const Event& event);

  // Flushes everything to disk and returns what is there: store it in a checkpoint.
  ResultsCounts flush();

  // Runs `step` on rank 0 only (in a serial run, in this process); in a parallel run a failure
  // there is every rank's, with rank 0's message (io::Collective::on_root), so that no rank goes
  // on to wait for one that stopped. Collective in a parallel run.
  void on_root(const std::function<void()>& step);

  // The clock the recorded wall time is read from (steady_clock unless changed: tests give a
  // clock of their own, so that the recorded time is known exactly); this segment's count
  // starts again at its present reading. The recorded wall time is the earlier segments' (read
  // back on resume) plus this segment's.
  void measure_wall_time_with(std::function<std::chrono::steady_clock::time_point()> clock);

  ResultsCounts counts() const;

  // Records the wall time, writes the `complete` attribute last and closes the file.
  void finish();

  const std::filesystem::path& results_path() const;
  const std::filesystem::path& xdmf_path() const;
  const std::vector<FieldSpec>& fields() const;
  const GridInfo& grid() const;
  int cell_count() const;

 private:
  struct Impl;
  explicit ResultsWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace runaway::io
