// The cases of a batch as child processes (`runaway run`, one per case): at most `jobs` at once,
// each with one GPU when there are GPUs, SIGINT/SIGTERM passed on so that they checkpoint.
#pragma once

#include <sched.h>

#include <sys/types.h>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace runaway::host {

// While alive, SIGINT/SIGTERM stop the batch from starting cases and interrupt waitpid (no
// SA_RESTART); batch_signal() says which arrived (0: none).
class BatchSignals {
 public:
  BatchSignals();
  ~BatchSignals();
  BatchSignals(const BatchSignals&) = delete;
  BatchSignals& operator=(const BatchSignals&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};
int batch_signal();

// The cases running as child processes: at most `jobs` at once, each with one GPU when there
// are GPUs (round robin over the worker slots), each writing its output to its run.log.
class CaseProcesses {
 public:
  struct Finished {
    std::filesystem::path case_dir;
    int wait_status = 0;
    double wall_time = 0;      // s
    bool interrupted = false;  // the batch passed on a SIGINT/SIGTERM to it
  };

  CaseProcesses(std::filesystem::path executable, int jobs, std::vector<std::string> gpus);

  std::size_t running() const { return children_.size(); }
  bool has_room() const { return children_.size() < busy_.size(); }

  // Starts `runaway args...` for the case, its output into case_dir/run.log; throws
  // runaway::Error when it cannot.
  void start(const std::filesystem::path& case_dir, const std::vector<std::string>& args);

  // Waits for a case to end. A SIGINT/SIGTERM to the batch is passed on to the running cases
  // (once), so that they write their checkpoints; the wait then returns nothing.
  std::optional<Finished> wait();

 private:
  struct Child {
    std::filesystem::path case_dir;
    std::size_t slot = 0;
    std::chrono::steady_clock::time_point start;
  };
  std::filesystem::path executable_;
  std::vector<std::string> gpus_;
  std::vector<bool> busy_;  // per worker slot
  unsigned threads_ = 0;    // OMP_NUM_THREADS for each case; 0: leave it
  std::map<pid_t, Child> children_;
  bool forwarded_ = false;
};

// The CPUs this process may run on: the calling thread's mask (what Slurm, taskset or a container
// grant), and every OpenMP place's CPUs. When OMP_PROC_BIND or OMP_PLACES asks for binding,
// libgomp binds the starting thread to the first place before main, so that thread's own mask
// shows one place; the places were made from the mask the process started with.
cpu_set_t process_cpus();

// How many CPUs process_cpus() holds, not all the machine's cores.
unsigned usable_cores();

// True when OpenMP binds its threads to places (OMP_PROC_BIND, OMP_PLACES).
bool openmp_binds_threads();

// The `share`-th of `shares` blocks of cpus.size()/shares consecutive CPUs of `cpus` (at least
// one; blocks wrap when there are more shares than CPUs).
cpu_set_t share_of_cpus(const cpu_set_t& cpus, std::size_t share, std::size_t shares);

// Children inherit the mask of the thread that starts them: for the guard's life that thread runs
// on `cpus` (a case started from a thread that libgomp bound to one place would be held there).
class CpusForChildren {
 public:
  explicit CpusForChildren(const cpu_set_t& cpus);
  ~CpusForChildren();
  CpusForChildren(const CpusForChildren&) = delete;
  CpusForChildren& operator=(const CpusForChildren&) = delete;
  // False when the mask could not be set (the thread keeps its own).
  bool holds() const { return holds_; }

 private:
  cpu_set_t own_{};
  bool changed_ = false;
  bool holds_ = false;
};

// The error of a failed `runaway run`: its "runaway: error:" line in `log`, else how it ended.
std::string failure_text(const std::filesystem::path& log, int wait_status);

}  // namespace runaway::host
