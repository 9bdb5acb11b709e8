#include "io/async_results_writer.hpp"

#include <utility>

namespace runaway::io {

namespace {

template <class T>
std::size_t bytes_of(const std::vector<T>& values) {
  return values.size() * sizeof(T);
}

}  // namespace

AsyncResultsWriter::AsyncResultsWriter(ResultsWriter writer, OutputMode mode,
                                       int max_pending_frames)
    : writer_(std::move(writer)),
      frame_bytes_(writer_.fields().size() * writer_.grid().voxel_count() * sizeof(double)),
      queue_(std::size_t(max_pending_frames > 1 ? max_pending_frames : 1) * frame_bytes_, mode) {}

AsyncResultsWriter::~AsyncResultsWriter() = default;

void AsyncResultsWriter::write_frame(double time, std::int64_t step, FrameFields fields) {
  std::size_t bytes = 0;
  for (const auto& entry : fields) bytes += bytes_of(entry.second);
  queue_.submit(
      [this, time, step, fields = std::move(fields)] {
        std::map<std::string, FieldView> views;
        for (const auto& [name, values] : fields) views.emplace(name, FieldView(values));
        writer_.write_frame(time, step, views);
      },
      bytes);
}

void AsyncResultsWriter::append_cell_sample(const CellSample& sample) {
  std::size_t bytes = sizeof sample + bytes_of(sample.state);
  for (const CellQuantity& q : kCellQuantities) bytes += bytes_of(sample.*q.values);
  queue_.submit([this, sample] { writer_.append_cell_sample(sample); }, bytes);
}

void AsyncResultsWriter::append_event(const Event& event) {
  queue_.submit([this, event] { writer_.append_event(event); }, sizeof event);
}

void AsyncResultsWriter::write_checkpoint(std::function<void(const ResultsCounts&)> write,
                                          std::size_t bytes) {
  queue_.submit(
      [this, write = std::move(write)] {
        const ResultsCounts on_disk = writer_.flush();
        writer_.on_root([&] { write(on_disk); });
      },
      bytes);
}

ResultsCounts AsyncResultsWriter::flush() {
  queue_.submit([this] { flushed_ = writer_.flush(); });
  queue_.drain();
  return flushed_;
}

void AsyncResultsWriter::finish() {
  queue_.submit([this] { writer_.finish(); });
  queue_.drain();
}

}  // namespace runaway::io
