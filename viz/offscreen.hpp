// Off-screen rendering to PNG, and reading pixels back. Debian's VTK (and ParaView's, which
// runaway-viz may link) draws through GLX even off-screen, so it needs an X display: without
// $DISPLAY, ensure_display() runs this very command again under `xvfb-run -a` (Debian: xvfb),
// once, with Xvfb's -noreset; see docs/visualization.md.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

class vtkRenderWindow;

namespace runaway::viz {

// The full path of `program` on PATH; empty when it is not there.
std::string find_program(const std::string& program);

// main() hands over its arguments, so the command can be run again under Xvfb.
void remember_command_line(int argc, char** argv);

// Returns when an X display is there. Without one: replaces this process by
// `xvfb-run -a <this command>` when xvfb-run is on PATH, else throws a runtime runaway::Error
// saying how to get a display.
void ensure_display();

// Renders `window` (off-screen) and writes its pixels as an RGB PNG.
void write_png(vtkRenderWindow& window, const std::filesystem::path& path);

// A PNG read back: size, how many different colours it has, the share of its most common
// colour (the background, usually) and the colour of chosen pixels (x from the left, y from the
// top, as image viewers count).
struct PngProbe {
  int width = 0;
  int height = 0;
  std::size_t distinct_colors = 0;
  double most_common_fraction = 0;
  std::array<int, 3> most_common{0, 0, 0};
  std::vector<std::array<int, 3>> pixels;  // RGB of each requested pixel, 0..255
};
PngProbe probe_png(const std::filesystem::path& path,
                   const std::vector<std::pair<int, int>>& pixels);

}  // namespace runaway::viz
