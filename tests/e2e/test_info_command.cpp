// `runaway info` and how the executable's OpenMP threads wait at a barrier: runaway sets libgomp's
// spin count when the user chose neither OMP_WAIT_POLICY nor GOMP_SPINCOUNT (host/cli/main.cpp).
// What counts is what libgomp itself took, so the tests read libgomp's own report of its settings
// (OMP_DISPLAY_ENV=verbose). The process that runs is the one that reports last: when runaway
// starts itself again to set the variable, the first report still shows libgomp's default.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "support/cli.hpp"

namespace runaway::testing {
namespace {

// `runaway info` with the wait settings of the test's own environment removed (scripts/test sets
// OMP_WAIT_POLICY) and `settings` put in their place.
// `launcher` goes before the executable (e.g. the dynamic loader).
CommandResult info_with(const std::string& settings, const std::string& launcher = "") {
  return run_shell("env -u OMP_WAIT_POLICY -u GOMP_SPINCOUNT -u RUNAWAY_DEFAULT_SPINCOUNT " +
                   settings + " OMP_DISPLAY_ENV=verbose " + launcher + " " +
                   shell_quoted(RUNAWAY_CLI) + " info");
}

std::vector<std::string> reported_spin_counts(const std::string& output) {
  return libgomp_reports(output, "GOMP_SPINCOUNT");
}

TEST(InfoCommand, OpenMPThreadsSpinBrieflyAtABarrierUnlessTheUserChose) {
  const CommandResult r = info_with("");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> counts = reported_spin_counts(r.output);
  if (counts.empty()) GTEST_SKIP() << "the OpenMP runtime is not libgomp (no GOMP_SPINCOUNT)";
  // libgomp's default (300000) in the first process, runaway's in the one it started.
  EXPECT_EQ(counts.back(), "30000") << r.output;
  EXPECT_NE(r.output.find("OpenMP waiting: GOMP_SPINCOUNT=30000: spin, then sleep (runaway's "
                          "default)"),
            std::string::npos)
      << r.output;
}

TEST(InfoCommand, AUsersSpinCountOrWaitPolicyWins) {
  const CommandResult spin = info_with("GOMP_SPINCOUNT=5");
  ASSERT_EQ(spin.exit_code, 0) << spin.output;
  const std::vector<std::string> counts = reported_spin_counts(spin.output);
  if (counts.empty()) GTEST_SKIP() << "the OpenMP runtime is not libgomp (no GOMP_SPINCOUNT)";
  EXPECT_EQ(counts, std::vector<std::string>{"5"}) << "started again although the user chose";
  EXPECT_NE(spin.output.find("OpenMP waiting: GOMP_SPINCOUNT=5 (set by the user)"),
            std::string::npos)
      << spin.output;

  // runaway's marker inherited from a parent, with another count set since: the user's.
  const CommandResult inherited = info_with("GOMP_SPINCOUNT=7 RUNAWAY_DEFAULT_SPINCOUNT=30000");
  EXPECT_NE(inherited.output.find("OpenMP waiting: GOMP_SPINCOUNT=7 (set by the user)"),
            std::string::npos)
      << inherited.output;

  const CommandResult passive = info_with("OMP_WAIT_POLICY=passive");
  ASSERT_EQ(passive.exit_code, 0) << passive.output;
  EXPECT_EQ(reported_spin_counts(passive.output), std::vector<std::string>{"0"}) << passive.output;
  EXPECT_NE(passive.output.find("OpenMP waiting: OMP_WAIT_POLICY=passive (set by the user)"),
            std::string::npos)
      << passive.output;
}

// libgomp binds the starting thread to its first place when asked to bind, and an exec keeps that
// mask: started again, runaway would have found one core's place only and run its whole team on it.
TEST(InfoCommand, StartingAgainKeepsEveryPlaceOfABoundTeam) {
  const CommandResult r = info_with("OMP_PROC_BIND=close OMP_PLACES=cores");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> places = libgomp_reports(r.output, "OMP_PLACES");
  if (places.empty()) GTEST_SKIP() << "the OpenMP runtime is not libgomp (no OMP_PLACES)";
  if (place_count(places.front()) < 2) GTEST_SKIP() << "one place: nothing to lose";
  ASSERT_EQ(reported_spin_counts(r.output).size(), 2u) << "runaway did not start itself again";
  EXPECT_EQ(places.back(), places.front()) << r.output;
}

// Started through the dynamic loader, /proc/self/exe is the loader: starting that again would run
// the wrong program, so runaway leaves libgomp's default and says so.
TEST(InfoCommand, StartedThroughTheDynamicLoaderItDoesNotStartItselfAgain) {
  const std::string loader = "/lib64/ld-linux-x86-64.so.2";
  if (!std::filesystem::exists(loader)) GTEST_SKIP() << "no " << loader << " here";
  const CommandResult r = info_with("", loader);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::vector<std::string> counts = reported_spin_counts(r.output);
  if (counts.empty()) GTEST_SKIP() << "the OpenMP runtime is not libgomp (no GOMP_SPINCOUNT)";
  EXPECT_EQ(counts, std::vector<std::string>{"300000"}) << r.output;
  EXPECT_NE(r.output.find("OpenMP waiting: the OpenMP runtime's default (runaway could not set "
                          "its own)"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace runaway::testing
