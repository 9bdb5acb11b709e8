// Sharing the CPU with other processes: a run gives up an OpenMP thread while its threads wait
// for a core, and tries it back now and then (docs/performance.md "On a shared machine").
//
// Why: every RKL2 stage ends at a barrier, so a team whose threads share a core with a busy
// process runs at the pace of the thread that waits for its turn. On 2 cores beside one busy
// process, 2 threads took 2.9x the idle time and 1 thread 2.1x (docs/performance.md). Results do
// not depend on the team's size (exact sums, kernels/exact_sum.hpp), so changing it between steps
// is safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kernels/backend.hpp"

namespace runaway {

// When to shrink and when to try growing, tuned on 2 cores (docs/performance.md): beside one busy
// process, the team's most-waiting thread waited 36-45 % of each half second for a core; on an
// idle machine 0.2-14.5 % (the peaks: this run's own output thread writing a frame). 25 % on two
// looks in a row lies between them with margin either side.
struct ThreadTeamPolicy {
  double check_interval = 0.5;    // wall s between looks at the waits
  double busy_wait_share = 0.25;  // a thread's run-queue wait per wall s above which cores are busy
  int busy_checks_to_shrink = 2;  // consecutive busy looks before a thread is given up
  double first_retry = 10;        // wall s after a shrink before the thread is tried again
  double longest_retry = 80;      // the retry interval doubles after each failed try, up to this
};

// The decisions alone, fed the measured waits, so they can be tested without a busy machine.
class ThreadTeamGovernor {
 public:
  ThreadTeamGovernor(int most_threads, ThreadTeamPolicy policy = {});
  // One look: `now` wall seconds since the run began, `wait_share` the largest run-queue wait of
  // a team thread since the last look, per wall second. Returns the team size to use from now on.
  int decide(double now, double wait_share);
  int team() const { return team_; }
  const ThreadTeamPolicy& policy() const { return policy_; }

 private:
  ThreadTeamPolicy policy_;
  int most_;
  int team_;
  int busy_checks_ = 0;
  bool trying_ = false;  // the last look grew the team to see whether the core is free again
  double last_change_ = 0;
  double retry_after_;
};

// Seconds the thread `tid` of this process has waited on a run queue (the second field of
// /proc/self/task/<tid>/schedstat); nullopt where the kernel does not say.
std::optional<double> run_queue_wait_seconds(int tid);

// Runs the governor against a backend's OpenMP team after each step of a run; does nothing on a
// GPU, with one thread, or where /proc has no schedstat. Gives the team back as it found it.
class ThreadTeam {
 public:
  ThreadTeam(kernels::Backend& backend, ThreadTeamPolicy policy = {});
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;
  // After a step. Returns a line for the log when the team changed.
  std::optional<std::string> after_step();
  bool active() const { return governor_.has_value(); }
  // The wall seconds at each team size, for the log: empty while the team never changed.
  std::string summary() const;

 private:
  bool read_waits();  // the team's thread ids and their waits now; false if one cannot be read
  double since_start() const;

  kernels::Backend& backend_;
  int most_;
  std::optional<ThreadTeamGovernor> governor_;
  std::vector<int> ids_;
  std::vector<double> waited_;  // per thread, s, at the last look
  double last_look_ = 0;
  std::vector<double> seconds_by_size_;  // index: threads
  int changes_ = 0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace runaway
