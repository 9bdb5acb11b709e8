// Wall-clock helpers: seconds since a start, and a duration as a clock reads (1:05, 2:03:04).
// Standard library only.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

namespace runaway {

// Seconds (not the clock's ticks) from `start` to `end`: what every recorded wall time is made of.
inline double seconds_between(std::chrono::steady_clock::time_point start,
                              std::chrono::steady_clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return seconds_between(start, std::chrono::steady_clock::now());
}

// "m:ss" below an hour, "h:mm:ss" from one; "--:--" for a negative or unknown duration.
inline std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "--:--";
  const long s = std::lround(seconds);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
  }
  return text;
}

}  // namespace runaway
