// The X display the viz tests render on (display_prefix(): xvfb-run, when there is no
// $DISPLAY) keeps accepting clients that disconnect and connect again at once, as pvpython does
// at start-up. Without Xvfb's -noreset, Xvfb resets when its last client leaves and drops a
// client that connects meanwhile: 200 back-to-back connections lost ~20% of them, and pvpython
// aborted with "bad X server connection" under ctest -j2 (docs/visualization.md).
#include <string>

#include "e2e/test_viz_support.hpp"

namespace {

using namespace viz_test;

// Opens and closes the display `count` times in a row through Xlib; prints failed=N.
constexpr const char* kReconnect = R"PY(
import ctypes, sys
x11 = ctypes.CDLL("libX11.so.6")
x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
failed = 0
for _ in range(int(sys.argv[1])):
    display = x11.XOpenDisplay(None)
    if display:
        x11.XCloseDisplay(display)
    else:
        failed += 1
print("failed=%d" % failed)
)PY";

}  // namespace

TEST(VizDisplay, XvfbKeepsAcceptingClientsThatReconnectAtOnce) {
  if (!display_prefix().empty() && find_program("xvfb-run").empty()) {
    GTEST_SKIP() << "no X display and no xvfb-run (Debian: xvfb)";
  }
  if (find_program("python3").empty()) GTEST_SKIP() << "no python3 to drive Xlib";
  TempDir temp;
  {
    std::ofstream script(temp.path() / "reconnect.py");
    script << kReconnect;
  }
  const Result r = run_shell(display_prefix() + "python3 reconnect.py 200", temp.path());
  if (r.errors.find("libX11.so.6") != std::string::npos) {
    GTEST_SKIP() << "no libX11: " << r.errors;
  }
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  ASSERT_EQ(r.values.count("failed"), 1u) << r.output << r.errors;
  EXPECT_EQ(r.values.at("failed"), "0") << "connections refused right after a disconnect";
}
