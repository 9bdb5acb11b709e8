// `runaway-viz render` of a known field: two battery cells side by side along x, one at the top
// of the colour range (500 K) and one at the bottom (300 K), swapped between the two frames.
// Seen from the top, with the colour range fixed to 300..500 K, the image must show the colour
// map's end colours (Cool to Warm: red 180 4 38 at the top, blue 59 76 192 at the bottom) at the
// two cells' centres, the background between them and in a corner, and the swap at the other
// time; faces are drawn unlit, so the colours are exact (tolerance 3 of 255 for rounding).
// Pixels are read back with `runaway-viz probe-png` (the tests do not link VTK).
// Also: the image sequence of --every-frame (and its mp4 where ffmpeg is), and bad input (unknown
// field, time outside the run, a bad option value) exits 2 with a message.
#include <cmath>
#include <string>
#include <vector>

#include "e2e/test_viz_support.hpp"
#include "io/model.hpp"
#include "io/results_writer.hpp"

namespace {

using namespace viz_test;
using namespace runaway::io;

const std::vector<double> kRed = {180, 4, 38};          // Cool to Warm at the maximum
const std::vector<double> kBlue = {59, 76, 192};        // Cool to Warm at the minimum
const std::vector<double> kBackground = {82, 87, 110};  // 0.32 0.34 0.43
const std::vector<double> kFrameTimes = {0.0, 10.0};    // s

// 20 x 10 x 4 voxels of 1 mm; cell 0 at i 1..8, cell 1 at i 11..18, both j 1..8, k 1..2; gas
// (cell -1, not drawn) around them.
ModelData two_cells() {
  ModelData model;
  model.grid = {20, 10, 4, 1e-3, 1e-3, 1e-3, 0.0, 0.0, 0.0};
  model.material.assign(model.grid.voxel_count(), 0);
  model.cell.assign(model.grid.voxel_count(), -1);
  const GridInfo& g = model.grid;
  for (int k = 1; k <= 2; ++k) {
    for (int j = 1; j <= 8; ++j) {
      for (int i = 1; i <= 18; ++i) {
        if (i == 9 || i == 10) continue;
        model.cell[g.index(i, j, k)] = i < 9 ? 0 : 1;
        model.material[g.index(i, j, k)] = 1;
      }
    }
  }
  return model;
}

void write_run(const fs::path& run_dir) {
  const ModelData model = two_cells();
  ResultsOptions options;
  options.fields = standard_fields({});
  ResultsWriter writer(run_dir, model, options);
  const GridInfo& g = model.grid;
  for (std::size_t f = 0; f < kFrameTimes.size(); ++f) {
    std::vector<double> temperature(g.voxel_count(), 400.0), heat(g.voxel_count(), 0.0);
    std::vector<double> arrival(g.voxel_count(), std::nan(""));
    for (std::size_t v = 0; v < g.voxel_count(); ++v) {
      if (model.cell[v] < 0) continue;
      const bool hot = (model.cell[v] == 0) == (f == 0);  // cell 0 hot first, then cell 1
      temperature[v] = hot ? 500.0 : 300.0;
    }
    writer.write_frame(
        kFrameTimes[f], std::int64_t(f),
        {{"temperature", temperature}, {"heat_release_rate", heat}, {"arrival_time", arrival}});
  }
  writer.finish();
}

// Where the cells are in an 800 x 600 top view: the pack's picture takes the left 86 % of the
// width (the colour bar the rest); the camera frames the cells' bounding sphere (radius 9.95 mm)
// in a 30 degree view angle, about 29 pixels per mm, with the pack's centre (x = 10 mm) in the
// middle. Cell centres are 5 mm left and right of it, the 2 mm gap in the middle.
constexpr int kWidth = 800, kHeight = 600;
constexpr int kMiddleX = int(0.86 * kWidth / 2), kMiddleY = kHeight / 2;
constexpr int kCellOffset = 5 * 29;

}  // namespace

TEST(VizRender, KnownFieldShowsExpectedColoursAtKnownPixels) {
  SKIP_WITHOUT_VIZ();
  TempDir temp;
  const fs::path run = temp.path() / "two_cells";
  write_run(run);
  const std::string common = " --view top --cut none --range 300 500 --size 800 600 -o out";
  for (std::size_t f = 0; f < kFrameTimes.size(); ++f) {
    const Result r = run_viz(
        "render " + quoted(run.string()) + common + " --time " + std::to_string(kFrameTimes[f]),
        temp.path());
    ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
    const fs::path png =
        temp.path() / "out" / ("temperature_frame000" + std::to_string(f) + ".png");
    ASSERT_TRUE(fs::exists(png)) << r.output;
    const std::pair<int, int> left{kMiddleX - kCellOffset, kMiddleY};
    const std::pair<int, int> right{kMiddleX + kCellOffset, kMiddleY};
    const std::pair<int, int> gap{kMiddleX, kMiddleY};
    const std::pair<int, int> corner{5, kHeight - 5};
    const Png image = probe_png(png, {left, right, gap, corner}, temp.path());
    EXPECT_EQ(image.width, kWidth);
    EXPECT_EQ(image.height, kHeight);
    // Not blank: the cells, the outlines, the colour bar and the text give many colours, and the
    // background is less than 90 % of the picture.
    EXPECT_GT(image.distinct_colors, 50);
    EXPECT_LT(image.most_common_fraction, 0.9);
    const auto& hot = f == 0 ? image.pixels.at(left) : image.pixels.at(right);
    const auto& cold = f == 0 ? image.pixels.at(right) : image.pixels.at(left);
    EXPECT_TRUE(colour_near(hot, kRed, 3)) << "hot cell, frame " << f;
    EXPECT_TRUE(colour_near(cold, kBlue, 3)) << "cold cell, frame " << f;
    EXPECT_TRUE(colour_near(image.pixels.at(gap), kBackground, 3)) << "gap, frame " << f;
    EXPECT_TRUE(colour_near(image.pixels.at(corner), kBackground, 3)) << "corner, frame " << f;
    const auto& h = hot;
    const auto& c = cold;
    std::printf("frame %zu: hot cell %g %g %g, cold cell %g %g %g\n", f, h[0], h[1], h[2], c[0],
                c[1], c[2]);
  }
}

TEST(VizRender, EveryFrameWritesAnImageSequence) {
  SKIP_WITHOUT_VIZ();
  TempDir temp;
  const fs::path run = temp.path() / "two_cells";
  write_run(run);
  const Result r = run_viz("render " + quoted(run.string()) +
                               " --every-frame --no-video "
                               "--size 320 200 -o seq",
                           temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  for (std::size_t f = 0; f < kFrameTimes.size(); ++f) {
    const fs::path png =
        temp.path() / "seq" / ("temperature_frame000" + std::to_string(f) + ".png");
    ASSERT_TRUE(fs::exists(png));
    const Png image = probe_png(png, {}, temp.path());
    EXPECT_EQ(image.width, 320);
    EXPECT_GT(image.distinct_colors, 20);
  }
  // The animation, where ffmpeg is installed (it is optional).
  if (find_program("ffmpeg").empty()) return;
  const Result video = run_viz(
      "render " + quoted(run.string()) + " --every-frame --size 320 200 -o seq", temp.path());
  ASSERT_EQ(video.exit_code, 0) << video.output << video.errors;
  const fs::path mp4 = temp.path() / "seq" / "temperature.mp4";
  ASSERT_TRUE(fs::exists(mp4)) << video.output;
  EXPECT_GT(fs::file_size(mp4), 1000u);
}

TEST(VizRender, BadInputExitsTwoWithAMessage) {
  SKIP_WITHOUT_VIZ();
  TempDir temp;
  const fs::path run = temp.path() / "two_cells";
  write_run(run);
  const std::string results = quoted(run.string());

  Result r = run_viz("render " + results + " --field pressure", temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE(r.errors.find("--field = pressure: unknown field"), std::string::npos) << r.errors;
  EXPECT_NE(r.errors.find("temperature"), std::string::npos) << r.errors;  // what it has

  r = run_viz("render " + results + " --time 99", temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE(r.errors.find("--time = 99: time outside the run: its frames go from 0 s to 10 s"),
            std::string::npos)
      << r.errors;

  r = run_viz("render " + results + " --time -1", temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;

  r = run_viz("render " + results + " --cut diagonal", temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE(r.errors.find("--cut = diagonal: expected x, y, z or none"), std::string::npos)
      << r.errors;

  r = run_viz("render " + results + " --range 500 300", temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;

  r = run_viz("render " + quoted((temp.path() / "missing").string()), temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;

  r = run_viz("render", temp.path());  // no RESULTS: a usage error
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  // Nothing was drawn for any of them.
  EXPECT_FALSE(fs::exists(run / "viz"));
}
