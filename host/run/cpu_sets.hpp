// Which CPUs a run, its threads and the processes it starts may use, when OpenMP binds threads to
// places (OMP_PROC_BIND, OMP_PLACES). libgomp's initialiser then binds the starting thread to the
// first place before main, and whatever that thread starts (an exec, a child process, a thread)
// inherits the one place: runaway's restart, a batch's cases and the output thread all ran on one
// core (docs/performance.md "Waiting at barriers", Binding).
#pragma once

#include <sched.h>

#include <cstddef>
#include <vector>

namespace runaway::host {

// The CPUs of each OpenMP place in order; without places (no binding), each CPU of the calling
// thread's mask as a place of its own. The places were made from the mask the process started with.
std::vector<std::vector<int>> process_places();

// The CPUs this process may run on: the calling thread's mask (what Slurm, taskset or a container
// grant) and every place's CPUs.
cpu_set_t process_cpus();

// True when OpenMP binds its threads to places.
bool openmp_binds_threads();

// The CPUs of the `share`-th of `shares` blocks of places.size() / shares consecutive places (at
// least one; blocks wrap when there are more shares than places). Whole places, so that two cases
// never split a core's hardware threads between them.
cpu_set_t share_of_places(const std::vector<std::vector<int>>& places, std::size_t share,
                          std::size_t shares);

// For the guard's life the calling thread runs on `cpus`, so that what it starts (an exec, a
// child process, a thread) inherits them instead of a place libgomp bound it to.
class CpusForChildren {
 public:
  explicit CpusForChildren(const cpu_set_t& cpus);
  ~CpusForChildren();
  CpusForChildren(const CpusForChildren&) = delete;
  CpusForChildren& operator=(const CpusForChildren&) = delete;
  // False when the mask could not be read or set (the thread keeps its own).
  bool holds() const { return holds_; }

 private:
  cpu_set_t own_{};
  bool changed_ = false;
  bool holds_ = false;
};

}  // namespace runaway::host
