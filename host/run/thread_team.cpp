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

ThreadTeam::ThreadTeam(kernels::Backend& backend, ThreadTeamPolicy policy) : backend_(backend) {
  const int most = backend.team_size();
  if (most < 2) return;
  ids_ = backend.team_thread_ids();
  for (int id : ids_) {
    if (!run_queue_wait_seconds(id)) return;  // no schedstat: nothing to measure, keep the team
  }
  governor_.emplace(most, policy);
  waited_ = team_wait();
  seconds_by_size_.assign(std::size_t(most) + 1, 0.0);
}

double ThreadTeam::since_start() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double ThreadTeam::team_wait() const {
  double sum = 0;
  for (int id : ids_) sum += run_queue_wait_seconds(id).value_or(0.0);
  return sum;
}

std::optional<std::string> ThreadTeam::after_step() {
  if (!governor_) return std::nullopt;
  const double now = since_start();
  const double span = now - last_look_;
  if (span < governor_->policy().check_interval) return std::nullopt;
  const int team = governor_->team();
  seconds_by_size_[std::size_t(team)] += span;
  const double waited = team_wait();
  const double share = (waited - waited_) / (span * team);
  last_look_ = now;
  const int next = governor_->decide(now, share);
  if (next == team) {
    waited_ = waited;
    return std::nullopt;
  }
  ++changes_;
  backend_.set_team_size(next);
  ids_ = backend_.team_thread_ids();
  waited_ = team_wait();
  return fmt::format(
      "{} -> {} OpenMP threads: the team's threads waited {:.0f} % of the last {:.1f} s for a "
      "core{}",
      team, next, 100 * share, span,
      next < team ? " (another process is using this machine's cores)"
                  : " (trying whether a core is free again)");
}

std::string ThreadTeam::summary() const {
  if (changes_ == 0) return "";
  std::vector<double> seconds = seconds_by_size_;
  seconds[std::size_t(governor_->team())] += since_start() - last_look_;
  std::string text = "OpenMP team over the run (wall):";
  for (std::size_t n = seconds.size(); n-- > 1;) {
    if (seconds[n] > 0)
      text += fmt::format(" {} thread{} {:.1f} s,", n, n > 1 ? "s" : "", seconds[n]);
  }
  text.pop_back();
  return text;
}

}  // namespace runaway
