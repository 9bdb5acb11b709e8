#include "io/output_queue.hpp"

#include <pthread.h>

#include <csignal>
#include <utility>

namespace runaway::io {

OutputQueue::OutputQueue(std::size_t max_pending_bytes, OutputMode mode)
    : max_pending_bytes_(max_pending_bytes), mode_(mode) {
  if (mode_ == OutputMode::kThread) worker_ = std::thread([this] { work(); });
}

OutputQueue::~OutputQueue() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  task_ready_.notify_one();
  worker_.join();
}

void OutputQueue::rethrow_failure() const {
  if (failure_) std::rethrow_exception(failure_);
}

void OutputQueue::submit(std::function<void()> task, std::size_t bytes) {
  if (mode_ == OutputMode::kInline) {
    rethrow_failure();
    try {
      task();
    } catch (...) {
      failure_ = std::current_exception();
      throw;
    }
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  const auto room = [&] {
    return failure_ || pending_bytes_ == 0 || pending_bytes_ + bytes <= max_pending_bytes_;
  };
  if (!room()) {
    ++waiting_submitters_;
    progress_.wait(lock, room);
    --waiting_submitters_;
  }
  rethrow_failure();
  tasks_.push_back({std::move(task), bytes});
  pending_bytes_ += bytes;
  lock.unlock();
  task_ready_.notify_one();
}

void OutputQueue::drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  progress_.wait(lock, [&] { return failure_ || (tasks_.empty() && !running_); });
  rethrow_failure();
}

std::thread::id OutputQueue::worker_id() const {
  return mode_ == OutputMode::kThread ? worker_.get_id() : std::this_thread::get_id();
}

int OutputQueue::waiting_submitters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return waiting_submitters_;
}

void OutputQueue::work() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    task_ready_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
    if (tasks_.empty()) return;  // stopping, and everything queued has run
    Task task = std::move(tasks_.front());
    tasks_.pop_front();
    running_ = true;
    lock.unlock();

    std::exception_ptr error;
    try {
      task.run();
    } catch (...) {
      error = std::current_exception();
    }
    task.run = nullptr;  // free the task's data before making room for more

    lock.lock();
    running_ = false;
    pending_bytes_ -= task.bytes;
    if (error) {
      failure_ = error;
      for (const Task& dropped : tasks_) pending_bytes_ -= dropped.bytes;
      tasks_.clear();
    }
    progress_.notify_all();
  }
}

}  // namespace runaway::io
