// The output thread: OutputQueue runs tasks in order on one thread other than the caller's,
// bounds what waits, stops at the first failure and hands it to the caller; AsyncResultsWriter
// writes the same file as the synchronous writer and reports a full disk the same way.
// No assertion depends on timing: a gate holds a task until the test opens it.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "io/async_results_writer.hpp"
#include "io/output_queue.hpp"
#include "io/results_reader.hpp"
#include "support/scratch.hpp"

using runaway::testing::ScratchDir;

namespace fs = std::filesystem;
using namespace runaway::io;

namespace {

// Holds the tasks that wait on it until open() is called.
class Gate {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    opened_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

TEST(OutputQueue, RunsTasksInOrderOnOneOtherThread) {
  OutputQueue queue(1 << 20);
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 100; ++i) {
    queue.submit([&, i] {
      order.push_back(i);
      threads.push_back(std::this_thread::get_id());
    });
  }
  queue.drain();  // after drain the caller may read what the tasks wrote
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[std::size_t(i)], i);
  EXPECT_NE(queue.worker_id(), std::this_thread::get_id());
  for (const std::thread::id& id : threads) EXPECT_EQ(id, queue.worker_id());
}

TEST(OutputQueue, FailureIsRethrownAtTheNextSubmitAndLaterTasksNeverRun) {
  // A limit of one byte: the second submit must wait for the first task, which fails.
  OutputQueue queue(1);
  bool later_ran = false;
  queue.submit([] { throw runaway::runtime_error("disk full"); }, 1);
  try {
    queue.submit([&] { later_ran = true; }, 1);
    FAIL() << "the failure of the first task was not rethrown";
  } catch (const runaway::Error& e) {
    EXPECT_STREQ(e.what(), "disk full");
    EXPECT_EQ(e.exit_code(), 1);  // the same error, so the CLI's exit code stays the same
  }
  // Every later call reports it again, and nothing more runs.
  EXPECT_THROW(queue.drain(), runaway::Error);
  EXPECT_THROW(queue.submit([&] { later_ran = true; }), runaway::Error);
  EXPECT_FALSE(later_ran);
}

TEST(OutputQueue, FailureIsRethrownAtDrainAndQueuedTasksAreDropped) {
  OutputQueue queue(1 << 20);
  Gate gate;
  bool queued_ran = false;
  queue.submit([&] {
    gate.wait();
    throw std::runtime_error("cannot write frame 3");
  });
  queue.submit([&] { queued_ran = true; });  // queued behind the failing task
  gate.open();
  try {
    queue.drain();
    FAIL() << "drain did not rethrow";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "cannot write frame 3");
  }
  EXPECT_FALSE(queued_ran);
}

TEST(OutputQueue, FullQueueMakesTheSubmitterWait) {
  OutputQueue queue(2);  // two one-byte tasks fit
  Gate gate;
  std::vector<char> order;
  queue.submit(
      [&] {
        gate.wait();
        order.push_back('a');
      },
      1);
  queue.submit([&] { order.push_back('b'); }, 1);
  std::atomic<bool> returned{false};
  std::thread producer([&] {
    queue.submit([&] { order.push_back('c'); }, 1);
    returned = true;
  });
  while (queue.waiting_submitters() == 0) std::this_thread::yield();
  // The producer is inside submit, waiting for room: 'a' (held by the gate) and 'b' fill it.
  EXPECT_FALSE(returned);
  gate.open();
  producer.join();
  EXPECT_TRUE(returned);
  queue.drain();
  EXPECT_EQ(order, (std::vector<char>{'a', 'b', 'c'}));
}

TEST(OutputQueue, TaskLargerThanTheLimitRunsAlone) {
  OutputQueue queue(1);
  bool ran = false;
  queue.submit([&] { ran = true; }, 1000);  // an empty queue takes it: no deadlock
  queue.drain();
  EXPECT_TRUE(ran);
}

TEST(OutputQueue, DestructorRunsQueuedTasksAndJoins) {
  std::atomic<int> ran{0};
  {
    OutputQueue queue(1 << 20);
    for (int i = 0; i < 10; ++i) queue.submit([&] { ++ran; });
  }  // no drain: as when an exception elsewhere unwinds the run
  EXPECT_EQ(ran, 10);
}

TEST(OutputQueue, DestructorAfterAnUnreportedFailureDoesNotThrow) {
  std::atomic<int> ran{0};
  {
    OutputQueue queue(1 << 20);
    Gate gate;
    queue.submit([&] {
      gate.wait();
      throw std::runtime_error("never reported");
    });
    queue.submit([&] { ++ran; });
    gate.open();
  }  // the failure is dropped with the queue: no std::terminate, no deadlock
  EXPECT_EQ(ran, 0);
}

TEST(OutputQueue, InlineModeRunsOnTheCallerAndFailsTheSameWay) {
  OutputQueue queue(0, OutputMode::kInline);
  EXPECT_EQ(queue.worker_id(), std::this_thread::get_id());
  std::thread::id ran_on;
  queue.submit([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_THROW(queue.submit([] { throw runaway::runtime_error("disk full"); }), runaway::Error);
  bool later_ran = false;
  EXPECT_THROW(queue.submit([&] { later_ran = true; }), runaway::Error);
  EXPECT_THROW(queue.drain(), runaway::Error);
  EXPECT_FALSE(later_ran);
}

// ---- AsyncResultsWriter ----------------------------------------------------------------------

// An nx x ny x nz model of one material, two cells side by side above a layer outside cells.
ModelData make_model(int nx, int ny, int nz) {
  ModelData model;
  model.grid = {nx, ny, nz, 1.0e-3, 1.0e-3, 1.0e-3, 0, 0, 0};
  model.material.assign(model.grid.voxel_count(), 0);
  model.cell.resize(model.grid.voxel_count());
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) model.cell[model.grid.index(i, j, k)] = k == 0 ? -1 : i % 2;
    }
  }
  model.materials.columns = {{"name", "", std::vector<std::string>{"jelly"}}};
  model.cells.columns = {{"name", "", std::vector<std::string>{"a", "b"}}};
  return model;
}

ResultsOptions make_options() {
  ResultsOptions options;
  options.fields = {{"temperature", "K", "temperature", ElementType::kFloat64},
                    {"heat_release_rate", "W/m^3", "heat release", ElementType::kFloat64}};
  options.cell_state_names = {"normal", "runaway"};
  options.config_text = "[run]\nend_time = 10.0\n";
  return options;
}

// Frame f: temperature and heat release that differ per voxel and frame; `noise` makes the heat
// release incompressible, so that frames fill a disk.
FrameFields make_frame(const GridInfo& grid, int f, std::mt19937_64* noise = nullptr) {
  FrameFields fields;
  std::vector<double>& temperature = fields["temperature"];
  std::vector<double>& heat = fields["heat_release_rate"];
  std::uniform_real_distribution<double> random(0.0, 1.0e6);
  for (std::size_t v = 0; v < grid.voxel_count(); ++v) {
    temperature.push_back(300.0 + f + 1e-3 * double(v));
    heat.push_back(noise ? random(*noise) : 1.0e3 * f + double(v));
  }
  return fields;
}

CellSample make_sample(double time) {
  CellSample sample;
  sample.time = time;
  sample.mean_temperature = {300 + time, 301 + time};
  sample.max_temperature = {310 + time, 311 + time};
  sample.heat_released = {time, 2 * time};
  sample.pressure = {1e5 + time, 2e5 + time};
  sample.vent_mass_flow = {1e-3 * time, 2e-3 * time};
  sample.vented_mass = {1e-2 * time, 2e-2 * time};
  sample.vented_gas_mass = {7e-4 * time, 8e-4 * time};
  sample.heat_kept_in_body = {3 * time, 4 * time};
  sample.heat_carried_by_ejecta = {5 * time, 6 * time};
  sample.plume_heat_received = {7 * time, 8 * time};
  sample.plume_heat_to_self = {9 * time, 10 * time};
  sample.plume_heat_to_other_cells = {11 * time, 12 * time};
  sample.plume_heat_to_enclosure = {13 * time, 14 * time};
  sample.plume_heat_carried_out = {15 * time, 16 * time};
  sample.combustion_heat = {17 * time, 18 * time};
  sample.unburnt_fuel_heat = {19 * time, 20 * time};
  sample.heat_in_gas_conduction = {21 * time, 22 * time};
  sample.heat_in_gap_radiation = {23 * time, 24 * time};
  sample.heat_in_solid_contact = {25 * time, 26 * time};
  sample.heat_in_cell_contact = {27 * time, 28 * time};
  sample.heat_in_boundary = {29 * time, 30 * time};
  sample.plume_fire_heat_received = {31 * time, 32 * time};
  sample.state = {0, 1};
  return sample;
}

// Writes the same frames, samples, events and a checkpoint hook through `output`.
ResultsCounts write_run(AsyncResultsWriter& output, const GridInfo& grid,
                        std::thread::id* checkpoint_thread) {
  ResultsCounts at_checkpoint;
  for (int f = 0; f < 6; ++f) {
    output.write_frame(double(f), f, make_frame(grid, f));
    for (int s = 0; s < 4; ++s) output.append_cell_sample(make_sample(f + 0.25 * s));
    if (f == 2) output.append_event({1, "runaway", 2.5, 480.0});
    if (f == 3) {
      output.write_checkpoint(
          [&](const ResultsCounts& on_disk) {
            at_checkpoint = on_disk;
            *checkpoint_thread = std::this_thread::get_id();
          },
          0);
    }
  }
  output.finish();
  return at_checkpoint;
}

TEST(AsyncResultsWriter, WritesTheSameFileAsTheSynchronousWriterOnTheOutputThread) {
  const ScratchDir temp("runaway-async-output");
  const ModelData model = make_model(6, 5, 4);
  std::thread::id thread_checkpoint, inline_checkpoint, writer_thread;
  ResultsCounts thread_counts, inline_counts;
  {
    AsyncResultsWriter output(ResultsWriter(temp.path() / "thread", model, make_options()));
    writer_thread = output.writer_thread();
    thread_counts = write_run(output, model.grid, &thread_checkpoint);
  }
  {
    AsyncResultsWriter output(ResultsWriter(temp.path() / "inline", model, make_options()),
                              OutputMode::kInline);
    inline_counts = write_run(output, model.grid, &inline_checkpoint);
  }
  EXPECT_NE(writer_thread, std::this_thread::get_id());
  EXPECT_EQ(thread_checkpoint, writer_thread);
  EXPECT_EQ(inline_checkpoint, std::this_thread::get_id());
  // The checkpoint saw exactly what was queued before it: frames 0-3, their samples, one event.
  for (const ResultsCounts& counts : {thread_counts, inline_counts}) {
    EXPECT_EQ(counts.frames, 4u);
    EXPECT_EQ(counts.cell_samples, 16u);
    EXPECT_EQ(counts.events, 1u);
  }

  const ResultsReader a(temp.path() / "thread");
  const ResultsReader b(temp.path() / "inline");
  EXPECT_TRUE(a.complete());
  ASSERT_EQ(a.frame_times(), b.frame_times());
  ASSERT_EQ(a.frame_count(), 6u);
  for (std::size_t f = 0; f < a.frame_count(); ++f) {
    for (const char* field : {"temperature", "heat_release_rate"}) {
      EXPECT_EQ(a.read_field(field, f), b.read_field(field, f)) << field << " frame " << f;
    }
  }
  EXPECT_EQ(a.cell_series().time, b.cell_series().time);
  EXPECT_EQ(a.cell_series().max_temperature, b.cell_series().max_temperature);
  EXPECT_EQ(a.cell_series().pressure, b.cell_series().pressure);
  EXPECT_EQ(a.cell_series().heat_carried_by_ejecta, b.cell_series().heat_carried_by_ejecta);
  EXPECT_EQ(a.cell_series().vented_gas_mass, b.cell_series().vented_gas_mass);
  ASSERT_EQ(a.cell_series().pressure.size(), 24u * 2u);  // 6 frames x 4 samples x 2 cells
  EXPECT_EQ(a.cell_series().pressure.back(), 2e5 + 5.75);
  ASSERT_EQ(a.events().size(), 1u);
  EXPECT_EQ(a.events()[0].kind, "runaway");
}

TEST(AsyncResultsWriter, FailureElsewhereWritesWhatWasQueuedAndLeavesTheFileIncomplete) {
  const ScratchDir temp("runaway-async-output");
  const ModelData model = make_model(6, 5, 4);
  try {
    AsyncResultsWriter output(ResultsWriter(temp.path() / "run", model, make_options()));
    for (int f = 0; f < 3; ++f) output.write_frame(double(f), f, make_frame(model.grid, f));
    throw runaway::runtime_error("solver failed");  // while frames may still be queued
  } catch (const runaway::Error& e) {
    EXPECT_STREQ(e.what(), "solver failed");
  }
  EXPECT_THROW(ResultsReader{temp.path() / "run"}, runaway::Error);  // not complete
  const ResultsReader partial(temp.path() / "run", /*allow_incomplete=*/true);
  EXPECT_FALSE(partial.complete());
  EXPECT_EQ(partial.frame_count(), 3u);
}

// A file-size limit stands in for a full disk (as in test_io_results.cpp). The child ignores
// SIGXFSZ, which would otherwise kill it.
TEST(AsyncResultsWriter, FullDiskReachesTheCallerAndLeavesAReadableIncompleteFile) {
  const ScratchDir temp("runaway-async-output");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model(32, 32, 32);  // 512 KiB per frame before compression
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{6 << 20, 6 << 20};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(5);
    std::mt19937_64 noise(7);
    try {
      AsyncResultsWriter output(ResultsWriter(run_dir, model, make_options()));
      for (int f = 0; f < 100; ++f) {
        output.write_frame(double(f), f, make_frame(model.grid, f, &noise));
        output.append_cell_sample(make_sample(f));
      }
      output.finish();
    } catch (const runaway::Error& e) {
      std::fprintf(stderr, "%s\n", e.what());
      ::_exit(std::strstr(e.what(), "not enough disk space") ? 0 : 2);
    }
    ::_exit(1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the writer crashed: status " << status;
  ASSERT_EQ(WEXITSTATUS(status), 0);
  const ResultsReader reader(run_dir, /*allow_incomplete=*/true);
  EXPECT_FALSE(reader.complete());
  ASSERT_GE(reader.frame_count(), 2u);
  EXPECT_EQ(reader.read_field("temperature", reader.frame_count() - 1),
            make_frame(model.grid, int(reader.frame_count()) - 1)["temperature"]);
}

}  // namespace
