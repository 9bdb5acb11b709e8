// The wall-clock helpers (common/clock.hpp): every recorded wall time is seconds_between two time
// points, so its unit is checked here on time points built by hand, with no clock read.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "common/clock.hpp"

namespace runaway {
namespace {

TEST(Clock, SecondsBetweenTimePointsAreSeconds) {
  const std::chrono::steady_clock::time_point start{};
  EXPECT_EQ(seconds_between(start, start + std::chrono::milliseconds(1500)), 1.5);
  EXPECT_EQ(seconds_between(start, start + std::chrono::hours(2)), 7200.0);
  EXPECT_EQ(seconds_between(start + std::chrono::seconds(3), start), -3.0);
}

TEST(Clock, DurationsReadAsAClockDoes) {
  EXPECT_EQ(clock_text(5.0), "0:05");
  EXPECT_EQ(clock_text(65.4), "1:05");
  EXPECT_EQ(clock_text(3723.0), "1:02:03");
  EXPECT_EQ(clock_text(-1.0), "--:--");
  EXPECT_EQ(clock_text(std::nan("")), "--:--");
}

}  // namespace
}  // namespace runaway
