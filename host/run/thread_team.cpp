#include "host/run/thread_team.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace runaway {

ThreadTeamGovernor::ThreadTeamGovernor(int most_threads, ThreadTeamPolicy policy)
    : policy_(policy),
      most_(std::max(1, most_threads)),
      team_(most_),
      retry_after_(policy.first_retry) {}

int ThreadTeamGovernor::decide(double now, double wait_share) {
  const bool busy = wait_share > policy_.busy_wait_share;
  if (trying_) {
    // One look decides a try: a failed one costs that look's time at the slow pace.
    trying_ = false;
    if (busy) {
      --team_;
      retry_after_ = std::min(2 * retry_after_, policy_.longest_retry);
      last_change_ = now;
    } else {
      retry_after_ = policy_.first_retry;
    }
    return team_;
  }
  busy_checks_ = busy ? busy_checks_ + 1 : 0;
  if (busy_checks_ >= policy_.busy_checks_to_shrink && team_ > 1) {
    --team_;
    busy_checks_ = 0;
    last_change_ = now;
  } else if (!busy && team_ < most_ && now - last_change_ >= retry_after_) {
    ++team_;
    trying_ = true;
    last_change_ = now;
  }
  return team_;
}

std::optional<double> run_queue_wait_seconds(int tid) {
  std::ifstream in(fmt::format("/proc/self/task/{}/schedstat", tid));
  double on_cpu = 0;
  double waiting = 0;
  if (!(in >> on_cpu >> waiting)) return std::nullopt;
  return waiting * 1e-9;
}

ThreadTeam::ThreadTeam(kernels::Backend& backend, ThreadTeamPolicy policy)
    : backend_(backend), most_(backend.team_size()) {
  if (most_ < 2) return;
  if (!read_waits()) return;  // no schedstat: nothing to measure, keep the team
  governor_.emplace(most_, policy);
  seconds_by_size_.assign(std::size_t(most_) + 1, 0.0);
}

ThreadTeam::~ThreadTeam() {
  // The team size is an OpenMP setting of the solver thread that outlives this run (the demo's
  // twins in turn run in one process): hand it back as found.
  if (governor_ && governor_->team() != most_) backend_.set_team_size(most_);
}

double ThreadTeam::since_start() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

bool ThreadTeam::read_waits() {
  ids_ = backend_.team_thread_ids();
  waited_.assign(ids_.size(), 0.0);
  for (std::size_t t = 0; t < ids_.size(); ++t) {
    const std::optional<double> w = run_queue_wait_seconds(ids_[t]);
    if (!w) return false;
    waited_[t] = *w;
  }
  return true;
}

std::optional<std::string> ThreadTeam::after_step() {
  if (!governor_) return std::nullopt;
  const double now = since_start();
  const double span = now - last_look_;
  if (span <= 0 || span < governor_->policy().check_interval) return std::nullopt;
  const int team = governor_->team();
  seconds_by_size_[std::size_t(team)] += span;
  last_look_ = now;
  // The team keeps the pace of its slowest thread (a barrier per RKL2 stage): the largest wait
  // is the one that counts, whatever the number of threads that do not wait.
  double share = 0;
  for (std::size_t t = 0; t < ids_.size(); ++t) {
    const std::optional<double> w = run_queue_wait_seconds(ids_[t]);
    if (!w) {  // a thread libgomp replaced: start the count again, no decision on this look
      if (!read_waits()) governor_.reset();
      return std::nullopt;
    }
    share = std::max(share, (*w - waited_[t]) / span);
    waited_[t] = *w;
  }
  const int next = governor_->decide(now, share);
  if (next == team) return std::nullopt;
  ++changes_;
  backend_.set_team_size(next);
  if (!read_waits()) governor_.reset();
  return fmt::format(
      "{} -> {} OpenMP threads: a thread of the team waited {:.0f} % of the last {:.1f} s for a "
      "core{}",
      team, next, 100 * share, span,
      next < team ? " (the cores are busy: another process, or this run's own output thread)"
                  : " (trying whether a core is free again)");
}

std::string ThreadTeam::summary() const {
  if (changes_ == 0) return "";
  std::vector<double> seconds = seconds_by_size_;
  if (governor_) seconds[std::size_t(governor_->team())] += since_start() - last_look_;
  std::string text = "OpenMP team over the run (wall):";
  for (std::size_t n = seconds.size(); n-- > 1;) {
    if (seconds[n] > 0)
      text += fmt::format(" {} thread{} {:.1f} s,", n, n > 1 ? "s" : "", seconds[n]);
  }
  text.pop_back();
  return text;
}

}  // namespace runaway
