// The cases of a batch as child processes (`runaway run`, one per case): at most `jobs` at once,
// each with one GPU when there are GPUs, SIGINT/SIGTERM passed on so that they checkpoint.
#pragma once

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

// How many CPUs this process may run on (host/run/cpu_sets.hpp process_cpus), not all the
// machine's cores.
unsigned usable_cores();

// The error of a failed `runaway run`: its "runaway: error:" line in `log`, else how it ended.
std::string failure_text(const std::filesystem::path& log, int wait_status);

}  // namespace runaway::host
