// `runaway-viz render`: PNG images of the pack coloured by a field (temperature by default),
// with the runaway front and the cell outlines, rendered off-screen; an image per chosen time or
// per frame, and an mp4 of every frame when ffmpeg is on PATH.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace runaway::viz {

struct RenderOptions {
  std::filesystem::path results;     // results.h5 or its run directory
  std::filesystem::path output_dir;  // empty: <run directory>/viz
  std::vector<double> times;         // s; the frame nearest to each is drawn
  bool every_frame = false;          // every frame, and an mp4 when ffmpeg is there
  std::string field = "temperature";
  std::vector<double> range;  // {min, max} of the colour map; empty: the field's range over the
                              // battery cells in the frames drawn
  std::string cut = "y";      // x, y, z: hide the half of the pack above the mid-plane normal to
                              // that axis, to show the inside; none
  std::string view = "iso";   // iso, top (from +z), front (from -y), side (from +x)
  int width = 1280;
  int height = 800;
  bool front = true;       // draw the runaway front (iso-surface of arrival_time at the frame time)
  bool video = true;       // with every_frame: an mp4 when ffmpeg is on PATH
  double frame_rate = 10;  // frames per second of the mp4
  bool allow_incomplete = false;
};

// Checks the options against the results (bad input: unknown field, a time outside the run,
// a bad range, cut or view), then renders. Returns the images written.
std::vector<std::filesystem::path> render_images(const RenderOptions& options);

}  // namespace runaway::viz
