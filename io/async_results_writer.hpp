// AsyncResultsWriter: a ResultsWriter whose writes run on an OutputQueue's worker thread, so
// that compressing and writing a frame overlaps the next time steps (docs/output-format.md).
//
//   AsyncResultsWriter output(ResultsWriter(run_dir, model, options));
//   output.write_frame(t, step, std::move(fields));  // FrameFields moved in: returns at once
//   output.append_cell_sample(sample);               // copied
//   output.append_event(event);
//   output.write_checkpoint([...](const ResultsCounts& on_disk) { ... }, bytes);
//   output.finish();                                 // waits; `complete` written last
//
// Every call on the ResultsWriter (so every HDF5 call on results.h5, and the checkpoint writes)
// runs on the one worker thread in the order submitted: HDF5 is not thread-safe in every build,
// so the caller must not use HDF5 itself until finish() or flush() returned. The writer is
// opened by the caller before it is handed over and closed by the destructor once the worker
// has stopped.
//
// At most `max_pending_frames` frames (with the small writes queued among them) wait or are
// being written; a further write waits for room. A failed write (full disk, unwritable
// directory) is rethrown, unchanged, by the next call, and nothing more is written: the file
// never gets `complete`.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "io/output_queue.hpp"
#include "io/results_writer.hpp"

namespace runaway::io {

// One frame's fields in host memory, by name, interior or with ghost layer (see FieldView).
using FrameFields = std::map<std::string, std::vector<double>>;

class AsyncResultsWriter {
 public:
  explicit AsyncResultsWriter(ResultsWriter writer, OutputMode mode = OutputMode::kThread,
                              int max_pending_frames = 2);
  AsyncResultsWriter(const AsyncResultsWriter&) = delete;
  AsyncResultsWriter& operator=(const AsyncResultsWriter&) = delete;
  // Writes what is still queued (nothing after a failure), stops the worker and closes the file
  // without `complete` unless finish() ran. Never throws.
  ~AsyncResultsWriter();

  void write_frame(double time, std::int64_t step, FrameFields fields);
  void append_cell_sample(const CellSample& sample);
  void append_event(const Event& event);

  // Queues a flush of the file and then `write(counts)`, counts being the frames, samples and
  // events on disk after every earlier write and no later one: for a checkpoint, which must
  // agree with the file. `bytes`: the data `write` holds, for the queue's bound. In a run split
  // over MPI ranks `write` runs on rank 0 only, and its failure is every rank's.
  void write_checkpoint(std::function<void(const ResultsCounts& on_disk)> write, std::size_t bytes);

  // Waits until everything queued is written, flushes the file and returns what is on disk.
  ResultsCounts flush();

  // Waits for everything queued, then records the wall time and writes `complete` last.
  void finish();

  // The thread that writes (the caller's own with OutputMode::kInline).
  std::thread::id writer_thread() const { return queue_.worker_id(); }

 private:
  ResultsWriter writer_;  // used only by tasks on the queue's worker once the queue exists
  std::size_t frame_bytes_ = 0;
  ResultsCounts flushed_;  // written by the flush task, read after drain()
  OutputQueue queue_;      // last: destroyed (worker stopped) before the writer closes
};

}  // namespace runaway::io
