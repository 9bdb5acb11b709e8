// OutputQueue: runs output tasks (HDF5 writes) one at a time, in the order they were submitted,
// on one worker thread, while the thread that submits them goes on computing.
//
//   OutputQueue queue(max_pending_bytes);
//   queue.submit([frame = std::move(frame)] { write(frame); }, frame_bytes);  // returns at once
//   queue.drain();  // waits until every task so far has run; rethrows the first failure
//
// Bounded: the tasks queued or running may hold at most `max_pending_bytes` of data (as the
// submitter declares it), and submit() waits while a new task would pass the limit. A task
// larger than the limit still runs, alone.
//
// Failures: a task that throws stops the queue. The tasks queued behind it are dropped (they
// never run), and the next submit() or drain() rethrows the exception on the submitting thread,
// as do all later calls: a failed output never goes on half-written.
//
// One thread runs every task, so a library that is not thread-safe (HDF5) may be used from the
// tasks as long as the submitting thread does not use it meanwhile. The worker blocks SIGINT
// and SIGTERM: they reach the submitting thread, whose handler the time loop polls.
//
// OutputMode::kInline runs every task at once on the calling thread (synchronous output, to
// compare against or to rule the thread out when chasing a problem); failures behave the same.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace runaway::io {

enum class OutputMode { kThread, kInline };

class OutputQueue {
 public:
  explicit OutputQueue(std::size_t max_pending_bytes, OutputMode mode = OutputMode::kThread);
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;
  // Runs the tasks still queued (none after a failure), then stops the worker. Never throws.
  ~OutputQueue();

  // Queues `task`, which holds `bytes` of data until it has run. Waits while the queue is full.
  // Rethrows the failure of an earlier task instead of queueing.
  void submit(std::function<void()> task, std::size_t bytes = 0);

  // Waits until every task submitted so far has run; rethrows the first failure.
  void drain();

  // The thread that runs the tasks (the caller's own in kInline mode).
  std::thread::id worker_id() const;

  // How many submit() calls are waiting for room right now: for tests.
  int waiting_submitters() const;

 private:
  struct Task {
    std::function<void()> run;
    std::size_t bytes = 0;
  };
  void work();
  void rethrow_failure() const;  // with mutex_ held

  const std::size_t max_pending_bytes_;
  const OutputMode mode_;
  mutable std::mutex mutex_;
  std::condition_variable task_ready_;  // to the worker: a task or stop
  std::condition_variable progress_;    // to submitters: a task finished or failed
  std::deque<Task> tasks_;
  std::size_t pending_bytes_ = 0;  // of queued tasks and the running one
  bool running_ = false;           // the worker is inside a task
  bool stopping_ = false;
  int waiting_submitters_ = 0;
  std::exception_ptr failure_;
  std::thread worker_;  // last: started once everything above is ready
};

}  // namespace runaway::io
