// runaway-viz on a real run: examples/module_12_prismatic_liquid.toml made cheap (5 s, voxels
// twice as coarse, a nail in cell 0 at t = 0 so that cell 0 runs away within the run; ~3 s on
// 2 cores). The fronts, the images, the charts (one run and a comparison of two) and the
// ParaView script are produced for it, and the script runs in pvpython (under xvfb-run when
// there is no X display) and saves a screenshot that is not blank. One test, so the run is made
// once (ctest runs every test in its own process).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/test_viz_support.hpp"

namespace {

using namespace viz_test;

std::vector<std::map<std::string, std::string>> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& text) {
    std::vector<std::string> cells;
    std::stringstream s(text);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    return cells;
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    const auto cells = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < header.size() && c < cells.size(); ++c) row[header[c]] = cells[c];
    rows.push_back(row);
  }
  return rows;
}

void expect_chart(const fs::path& png, const fs::path& directory) {
  ASSERT_TRUE(fs::exists(png)) << png;
  const Png image = probe_png(png, {{2, 2}}, directory);
  EXPECT_EQ(image.width, 1200) << png;
  EXPECT_EQ(image.height, 700) << png;
  // White background, and curves, markers, axes and text in many colours on it.
  EXPECT_TRUE(colour_near(image.pixels.at({2, 2}), {255, 255, 255}, 0)) << png;
  EXPECT_GT(image.distinct_colors, 50) << png;
  EXPECT_LT(image.most_common_fraction, 0.97) << png;
}

}  // namespace

TEST(VizExample, FrontsImagesChartsAndParaviewScriptForTheExampleRun) {
  SKIP_WITHOUT_VIZ();
  TempDir temp;
  const fs::path run = temp.path() / "module_12";
  const std::string config =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml";
  Result r =
      run_shell(quoted(RUNAWAY_CLI) + " run " + quoted(config) + " -o " + quoted(run.string()) +
                    " -q --set run.end_time=5 --set output.frame_interval=0.5"
                    " --set 'mesh.voxel_size=[0.00407142857142858, 0.008, 0.008]'"
                    " --set 'trigger=[{type = \"nail\", cell = 0, time = 0.0}]'"
                    // All of the short's heat stays in the roll, so that the whole cell runs away
                    // within the run's 5 s (ejected solids would take 72 % of it).
                    " --set chemistries.nmc-liquid-50ah.ejecta_heat_share=0",
                temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;

  // Fronts: cell 0 ran away, so the last frames have an arrival-time front and a temperature
  // front with area, and runaway voxels behind them.
  r = run_viz("fronts " + quoted(run.string()), temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  const fs::path viz = run / "viz";
  EXPECT_TRUE(fs::exists(viz / "fronts_arrival.pvd"));
  EXPECT_TRUE(fs::exists(viz / "fronts_temperature.pvd"));
  const auto rows = read_csv(viz / "fronts_summary.csv");
  ASSERT_FALSE(rows.empty());
  double last_arrival_area = 0, last_region = 0;
  for (const auto& row : rows) {
    if (row.at("surface") != "arrival") continue;
    last_arrival_area = std::stod(row.at("area_m2"));
    last_region = std::stod(row.at("region_volume_m3"));
  }
  EXPECT_GT(last_arrival_area, 1e-3);  // m^2: cell 0's faces are 91 x 148 mm and 26.5 x 91 mm
  EXPECT_GT(last_region, 1e-4);        // m^3: cell 0 is 0.36 L

  // An image of the last frame.
  r = run_viz("render " + quoted(run.string()), temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  {
    fs::path png;
    for (const auto& entry : fs::directory_iterator(viz)) {
      if (entry.path().extension() == ".png") png = entry.path();
    }
    ASSERT_FALSE(png.empty()) << r.output;
    const Png image = probe_png(png, {}, temp.path());
    EXPECT_EQ(image.width, 1280);
    EXPECT_GT(image.distinct_colors, 100);
    EXPECT_LT(image.most_common_fraction, 0.9);
  }

  // Charts of the run, and of two runs compared (the same run twice: labels get a number).
  r = run_viz("plot " + quoted(run.string()), temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  expect_chart(viz / "cell_temperatures.png", temp.path());
  expect_chart(viz / "onset_timeline.png", temp.path());
  r = run_viz("plot " + quoted(run.string()) + " " + quoted(run.string()) + " -o compare",
              temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  for (const char* chart : {"module_12_cell_temperatures.png", "module_12__2_onset_timeline.png",
                            "onset_comparison.png", "runaway_count_comparison.png"}) {
    expect_chart(temp.path() / "compare" / chart, temp.path());
  }

  // The ParaView script, run in pvpython.
  r = run_viz("paraview " + quoted(run.string()), temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  const fs::path script = viz / "paraview_view.py";
  ASSERT_TRUE(fs::exists(script));
  const std::string text = read_text(script);
  EXPECT_NE(text.find("XDMFReader("), std::string::npos);
  EXPECT_EQ(text.find("Xdmf3Reader"), std::string::npos);  // docs/design.md §8.1
  const std::string pvpython = find_program("pvpython");
  if (pvpython.empty()) {
    GTEST_SKIP() << "pvpython is not installed (Debian: python3-paraview); the script was "
                    "written but not run";
  }
  if (!can_render()) {
    GTEST_SKIP() << "no X display and no xvfb-run (Debian: xvfb): cannot run pvpython";
  }
  const fs::path screenshot = temp.path() / "paraview.png";
  // The run directory moved: the script finds results.xdmf relative to itself.
  const fs::path moved = temp.path() / "moved";
  fs::rename(run, moved);
  const fs::path moved_script = moved / "viz" / "paraview_view.py";
  r = run_shell(display_prefix() + quoted(pvpython) + " --force-offscreen-rendering " +
                    quoted(moved_script.string()) + " " + quoted(screenshot.string()) + " 4.0",
                temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  EXPECT_NE(r.output.find("view: module_12 at t = 4 s"), std::string::npos) << r.output;
  // The front isochrones and the hot voxels are there (cell 0 ran away at ~3.6 s).
  EXPECT_NE(r.output.find("front: 8 isochrones"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("front: 8 isochrones, 0 points"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("above onset: 0 voxels"), std::string::npos) << r.output;
  ASSERT_TRUE(fs::exists(screenshot)) << r.output << r.errors;
  const Png image = probe_png(screenshot, {}, temp.path());
  EXPECT_EQ(image.width, 1280);
  EXPECT_EQ(image.height, 800);
  EXPECT_GT(image.distinct_colors, 100);
  EXPECT_LT(image.most_common_fraction, 0.9);

  // A time outside the run: the script says so and exits 2.
  r = run_shell(display_prefix() + quoted(pvpython) + " --force-offscreen-rendering " +
                    quoted(moved_script.string()) + " x.png 100",
                temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE(r.errors.find("outside the run"), std::string::npos) << r.errors;
}
