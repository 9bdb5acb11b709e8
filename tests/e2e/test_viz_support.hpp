// What the runaway-viz tests share, on the test-support library (support/): a temporary
// directory, running the built runaway-viz (the tests do not link VTK; they run the tool and read
// what it prints and writes) and pvpython, and reading key=value lines. A test skips when
// runaway-viz was not built (no VTK).
#pragma once

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/files.hpp"
#include "common/text.hpp"
#include "support/cli.hpp"
#include "support/scratch.hpp"

namespace viz_test {

namespace fs = std::filesystem;

// Each test's files in a fresh directory (support/scratch.hpp).
class TempDir : public runaway::testing::ScratchDir {
 public:
  TempDir() : ScratchDir("runaway-viz-test") {}
};

using Result = runaway::testing::CommandResult;  // stdout in output, stderr in errors
using runaway::read_text;
using runaway::testing::find_program;
using runaway::testing::numbers;

inline std::string quoted(const std::string& text) {
  return runaway::shell_quoted(text);
}

// Runs a shell command line in `directory`, stdout and stderr kept apart.
inline Result run_shell(const std::string& command_line, const fs::path& directory) {
  return runaway::testing::run_shell(command_line, directory, /*separate_errors=*/true);
}

// viz/CMakeLists.txt builds it there when VTK is found.
inline fs::path viz_binary() {
  return fs::path(RUNAWAY_BINARY_DIR) / "viz" / "runaway-viz";
}

inline bool viz_built() {
  return ::access(viz_binary().c_str(), X_OK) == 0;
}

#define SKIP_WITHOUT_VIZ()    \
  if (!viz_test::viz_built()) \
  GTEST_SKIP() << "runaway-viz was not built (needs VTK 9: Debian paraview-dev or libvtk9-dev)"

// runaway-viz ARGUMENTS (already quoted where needed). Without an X display it runs itself
// under xvfb-run (see viz/offscreen.hpp).
inline Result run_viz(const std::string& arguments, const fs::path& directory) {
  return run_shell(quoted(viz_binary().string()) + " " + arguments, directory);
}

// "xvfb-run ... " to put before a command that renders when there is no X display, else "".
// -noreset: by default Xvfb resets itself whenever its last client disconnects, and a client
// that connects during the reset is dropped. pvpython connects, disconnects and connects again
// within a millisecond at start-up, so under load (ctest -j2) it often lands in that reset and
// aborts with "bad X server connection" (docs/visualization.md, "X display"). The display search
// starts at a number of this process's own so that parallel tests rarely have to retry
// (xvfb-run -a alone starts at 99 in every process).
inline std::string display_prefix() {
  const char* display = std::getenv("DISPLAY");
  if (display != nullptr && display[0] != '\0') return "";
  return "xvfb-run -n " + std::to_string(1000 + (::getpid() % 8000) * 4 + 2) +
         " -a -s '-screen 0 1280x1024x24 -noreset' ";
}

inline bool can_render() {
  return display_prefix().empty() || !find_program("xvfb-run").empty();
}

// What `runaway-viz probe-png` reports about a PNG.
struct Png {
  int width = 0;
  int height = 0;
  long distinct_colors = 0;
  double most_common_fraction = 1;
  std::map<std::pair<int, int>, std::vector<double>> pixels;  // RGB at (x, y from the top)
};

inline Png probe_png(const fs::path& png, const std::vector<std::pair<int, int>>& pixels,
                     const fs::path& directory) {
  std::string arguments = "probe-png " + quoted(png.string());
  for (const auto& [x, y] : pixels) arguments += " " + std::to_string(x) + " " + std::to_string(y);
  const Result r = run_viz(arguments, directory);
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  Png p;
  if (r.exit_code != 0) return p;
  const auto size = numbers(r.values.at("size"));
  p.width = int(size.at(0));
  p.height = int(size.at(1));
  p.distinct_colors = std::stol(r.values.at("distinct_colors"));
  p.most_common_fraction = std::stod(r.values.at("most_common_fraction"));
  for (const auto& [x, y] : pixels) {
    p.pixels[{x, y}] = numbers(r.values.at("pixel_" + std::to_string(x) + "_" + std::to_string(y)));
  }
  return p;
}

// Each colour channel within `tolerance` of the expected 0..255 value.
inline ::testing::AssertionResult colour_near(const std::vector<double>& rgb,
                                              const std::vector<double>& expected,
                                              double tolerance) {
  if (rgb.size() != 3) return ::testing::AssertionFailure() << "no RGB value";
  for (std::size_t c = 0; c < 3; ++c) {
    if (std::abs(rgb[c] - expected[c]) > tolerance) {
      return ::testing::AssertionFailure()
             << "RGB " << rgb[0] << " " << rgb[1] << " " << rgb[2] << ", expected " << expected[0]
             << " " << expected[1] << " " << expected[2] << " +- " << tolerance;
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace viz_test
