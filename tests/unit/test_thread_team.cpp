// The thread-team governor (host/run/thread_team.hpp): its decisions fed chosen waits, and the
// /proc reading it relies on.
#include <gtest/gtest.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <optional>

#include "host/run/thread_team.hpp"
#include "kernels/backend.hpp"

namespace runaway::testing {
namespace {

constexpr double kIdle = 0.01;  // wait shares as measured on 2 cores (docs/performance.md)
constexpr double kBusy = 0.30;

TEST(ThreadTeamGovernor, KeepsEveryThreadOnAnIdleMachineAndThroughOneBusyLook) {
  ThreadTeamGovernor g(2);
  double now = 0;
  for (int look = 0; look < 400; ++look) {
    now += 0.5;
    // Every fifth look a spike above the threshold, never two in a row.
    EXPECT_EQ(g.decide(now, look % 5 == 0 ? 0.9 : kIdle), 2) << "look " << look;
  }
}

TEST(ThreadTeamGovernor, GivesUpOneThreadAfterTwoBusyLooksInARow) {
  ThreadTeamGovernor g(4);
  EXPECT_EQ(g.decide(0.5, kBusy), 4);
  EXPECT_EQ(g.decide(1.0, kBusy), 3);
  EXPECT_EQ(g.decide(1.5, kBusy), 3);  // the count starts again after a shrink
  EXPECT_EQ(g.decide(2.0, kBusy), 2);
  EXPECT_EQ(g.decide(2.5, kBusy), 2);
  EXPECT_EQ(g.decide(3.0, kBusy), 1);
  for (double now = 3.5; now < 6; now += 0.5) EXPECT_EQ(g.decide(now, kBusy), 1);  // never 0
}

// A governor of 2 threads that gave one up at 1 s.
ThreadTeamGovernor shrunk_to_one(const ThreadTeamPolicy& p) {
  ThreadTeamGovernor g(2, p);
  g.decide(0.5, kBusy);
  EXPECT_EQ(g.decide(1.0, kBusy), 1);
  return g;
}

TEST(ThreadTeamGovernor, TriesTheThreadAgainLaterAndBacksOffWhileTheCoreStaysBusy) {
  const ThreadTeamPolicy p;
  ThreadTeamGovernor g = shrunk_to_one(p);
  double shrunk = 1.0;
  double wait = p.first_retry;
  for (int attempt = 0; attempt < 6; ++attempt) {
    double now = shrunk;
    // One thread alone on its core waits little: the looks before the retry keep one thread.
    while (now + 0.5 < shrunk + wait) {
      now += 0.5;
      ASSERT_EQ(g.decide(now, kIdle), 1) << "attempt " << attempt << " at " << now;
    }
    now += 0.5;
    ASSERT_EQ(g.decide(now, kIdle), 2) << "attempt " << attempt << ": no retry at " << now;
    now += 0.5;
    ASSERT_EQ(g.decide(now, kBusy), 1) << "a failed try is undone at the next look";
    shrunk = now;
    wait = std::min(2 * wait, p.longest_retry);  // 10, 20, 40, 80, 80 s
  }
}

TEST(ThreadTeamGovernor, KeepsTheThreadWhenTheTryFindsTheCoreFree) {
  const ThreadTeamPolicy p;
  ThreadTeamGovernor g = shrunk_to_one(p);
  double now = 1.0;
  while (g.decide(now += 0.5, kIdle) == 1) ASSERT_LT(now, 1.0 + p.first_retry + 1);
  for (int look = 0; look < 100; ++look) ASSERT_EQ(g.decide(now += 0.5, kIdle), 2);
}

TEST(ThreadTeamGovernor, NeverGrowsPastTheTeamItStartedWith) {
  ThreadTeamGovernor g(3);
  for (double now = 0.5; now < 500; now += 0.5) ASSERT_LE(g.decide(now, kIdle), 3);
  ThreadTeamGovernor single(1);
  for (double now = 0.5; now < 50; now += 0.5) ASSERT_EQ(single.decide(now, kBusy), 1);
}

// The reading the governor measures with: this thread's run-queue wait from /proc, which only
// grows, and nothing for a thread id that is not this process's.
TEST(RunQueueWait, ReadsThisThreadsWaitAndNothingForAForeignId) {
  const int self = int(syscall(SYS_gettid));
  const std::optional<double> before = run_queue_wait_seconds(self);
  if (!before) GTEST_SKIP() << "this kernel has no /proc/self/task/<tid>/schedstat";
  EXPECT_GE(*before, 0.0);
  volatile double spin = 0;
  for (int i = 0; i < 1000000; ++i) spin = spin + 1e-9 * i;
  const std::optional<double> after = run_queue_wait_seconds(self);
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*after, *before);
  EXPECT_FALSE(run_queue_wait_seconds(-1).has_value());
}

// Puts the OpenMP team back as the test found it, whichever way the test ends.
struct TeamKept {
  explicit TeamKept(kernels::Backend& b) : backend(b), team(b.team_size()) {}
  ~TeamKept() { backend.set_team_size(team); }
  TeamKept(const TeamKept&) = delete;
  TeamKept& operator=(const TeamKept&) = delete;
  kernels::Backend& backend;
  int team;
};

// The wiring against the OpenMP backend, with the clock taken out (a look at every step): waits
// always above the threshold shrink the team to one thread after two looks, and there it stays
// until the run ends, which gives the team back. (Growing back is the governor's decision,
// tested above with chosen waits.)
TEST(ThreadTeam, ResizesTheBackendsTeamSaysSoAndGivesItBack) {
  auto backend = kernels::make_openmp_backend();
  const TeamKept kept(*backend);
  backend->set_team_size(2);
  ThreadTeamPolicy always_busy;
  always_busy.check_interval = 0;
  always_busy.busy_wait_share = -1;  // any wait, even none, counts as busy
  {
    ThreadTeam shrinking(*backend, always_busy);
    if (!shrinking.active()) GTEST_SKIP() << "this kernel has no /proc/self/task/<tid>/schedstat";
    EXPECT_FALSE(shrinking.after_step().has_value());
    EXPECT_EQ(shrinking.summary(), "");  // no change yet: nothing to say at the end
    const std::optional<std::string> line = shrinking.after_step();
    ASSERT_TRUE(line.has_value());
    EXPECT_NE(line->find("2 -> 1 OpenMP threads"), std::string::npos) << *line;
    EXPECT_EQ(backend->team_size(), 1);
    EXPECT_EQ(backend->team_thread_ids().size(), 1u);
    for (int look = 0; look < 5; ++look) EXPECT_FALSE(shrinking.after_step().has_value());
    EXPECT_NE(shrinking.summary().find("1 thread "), std::string::npos) << shrinking.summary();
  }
  EXPECT_EQ(backend->team_size(), 2) << "the next run in this process starts with the full team";
  // A team of one from the start has nothing to give up: the governor stays out.
  backend->set_team_size(1);
  EXPECT_FALSE(ThreadTeam(*backend, always_busy).active());
}

}  // namespace
}  // namespace runaway::testing
