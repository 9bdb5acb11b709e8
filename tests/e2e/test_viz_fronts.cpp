// `runaway-viz fronts` on an analytic front: a spherical arrival-time field t = r / v on a 40^3
// grid, so that the front at time t is a sphere of radius v t around a known centre. The tool's
// summary (fronts_summary.csv) must give that radius and the sphere's area 4 pi R^2 within 2 %,
// and the centroid within a tenth of a voxel, for the arrival-time front and for the temperature
// front of a field that crosses the threshold on the same spheres. 2 %: the surfaces interpolate
// linearly between voxel centres on a 1 mm grid and are flat triangles, whose chords cut inside
// a sphere: measured area errors are -0.9 % at 6 voxels radius and -2.0 % at 4 voxels, so the
// smallest sphere here has 6. The last frame's front lies next to voxels the front has not
// reached (NaN), where the tool extrapolates the arrival time (viz/voxel_image.hpp).
// Also the .pvd collections and bad input (missing, incomplete file).
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/test_viz_support.hpp"
#include "io/model.hpp"
#include "io/results_writer.hpp"

namespace {

using namespace viz_test;
using namespace runaway::io;

const double kPi = std::acos(-1.0);
constexpr int kN = 40;                 // voxels per axis
constexpr double kH = 1.0e-3;          // m, voxel edge
constexpr double kSpeed = 2.0e-3;      // m/s, front speed
constexpr double kThreshold = 473.15;  // K, the temperature front (the tool's default)
constexpr double kGradient = 1.0e4;    // K/m, temperature falls off outwards through the front
const double kOrigin[3] = {0.010, -0.020, 0.005};  // m, away from 0 so offsets would show
// The centre lies between voxel centres, so that no front is symmetric to the grid.
const double kCentre[3] = {kOrigin[0] + 19.3 * kH, kOrigin[1] + 20.6 * kH, kOrigin[2] + 20.1 * kH};
const std::vector<double> kFrameTimes = {0.0, 3.0, 5.0, 7.0, 8.0};  // s: R = 0, 6, 10, 14, 16 mm

ModelData sphere_model() {
  ModelData model;
  model.grid = {kN, kN, kN, kH, kH, kH, kOrigin[0], kOrigin[1], kOrigin[2]};
  model.material.assign(model.grid.voxel_count(), 0);
  model.cell.assign(model.grid.voxel_count(), 0);  // one battery cell fills the grid
  return model;
}

double radius_of_voxel(const GridInfo& g, int i, int j, int k) {
  const double x = g.origin_x + (i + 0.5) * g.dx - kCentre[0];
  const double y = g.origin_y + (j + 0.5) * g.dy - kCentre[1];
  const double z = g.origin_z + (k + 0.5) * g.dz - kCentre[2];
  return std::sqrt(x * x + y * y + z * z);
}

// Frames as the solver writes them: arrival_time = r / v where the front has passed, NaN ahead
// of it; temperature = threshold + gradient (R(t) - r), crossing the threshold at R(t) = v t.
void write_sphere_run(const fs::path& run_dir, bool finish) {
  const ModelData model = sphere_model();
  ResultsOptions options;
  options.fields = standard_fields({});
  options.cell_state_names = {"normal", "runaway"};
  ResultsWriter writer(run_dir, model, options);
  const GridInfo& g = model.grid;
  for (std::size_t f = 0; f < kFrameTimes.size(); ++f) {
    const double t = kFrameTimes[f];
    std::vector<double> arrival(g.voxel_count()), temperature(g.voxel_count()),
        heat(g.voxel_count(), 0.0);
    for (int k = 0; k < g.nz; ++k) {
      for (int j = 0; j < g.ny; ++j) {
        for (int i = 0; i < g.nx; ++i) {
          const double r = radius_of_voxel(g, i, j, k);
          const std::size_t v = g.index(i, j, k);
          arrival[v] = r / kSpeed <= t ? r / kSpeed : std::numeric_limits<double>::quiet_NaN();
          temperature[v] = kThreshold + kGradient * (kSpeed * t - r);
        }
      }
    }
    writer.write_frame(
        t, std::int64_t(f),
        {{"temperature", temperature}, {"heat_release_rate", heat}, {"arrival_time", arrival}});
  }
  if (finish) writer.finish();
}

using Row = std::map<std::string, std::string>;

std::vector<Row> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::vector<Row> rows;
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
    Row row;
    for (std::size_t c = 0; c < header.size() && c < cells.size(); ++c) row[header[c]] = cells[c];
    rows.push_back(row);
  }
  return rows;
}

double number(const Row& row, const std::string& key) {
  return std::stod(row.at(key));
}

}  // namespace

TEST(VizFronts, SphericalFrontHasRightRadiusAreaAndCentre) {
  SKIP_WITHOUT_VIZ();
  TempDir temp;
  const fs::path run = temp.path() / "sphere";
  write_sphere_run(run, true);
  const fs::path out = temp.path() / "fronts";
  const Result r =
      run_viz("fronts " + quoted(run.string()) + " -o " + quoted(out.string()), temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;

  const auto rows = read_csv(out / "fronts_summary.csv");
  ASSERT_EQ(rows.size(), 2 * kFrameTimes.size());
  int checked = 0;
  for (const Row& row : rows) {
    const std::size_t frame = std::stoul(row.at("frame"));
    ASSERT_LT(frame, kFrameTimes.size());
    EXPECT_DOUBLE_EQ(number(row, "time_s"), kFrameTimes[frame]);
    const double radius = kSpeed * kFrameTimes[frame];
    const std::string what = row.at("surface") + " front at t = " + row.at("time_s") + " s";
    if (frame == 0) {  // R = 0: no surface yet
      EXPECT_EQ(row.at("triangles"), "0") << what;
      continue;
    }
    const double area = number(row, "area_m2");
    const double mean_radius = number(row, "mean_radius_m");
    const double area_error = area / (4 * kPi * radius * radius) - 1;
    const double radius_error = mean_radius / radius - 1;
    std::printf("%-34s R = %4.1f mm: radius error %+.3f %%, area error %+.3f %%\n", what.c_str(),
                radius * 1e3, 100 * radius_error, 100 * area_error);
    EXPECT_LT(std::abs(radius_error), 0.02) << what;
    EXPECT_LT(std::abs(area_error), 0.02) << what;
    for (int d = 0; d < 3; ++d) {
      const char* axis[] = {"centroid_x_m", "centroid_y_m", "centroid_z_m"};
      EXPECT_NEAR(number(row, axis[d]), kCentre[d], 0.1 * kH) << what << " " << axis[d];
    }
    // A sphere: every point of the surface near the radius, not just the mean.
    EXPECT_GT(number(row, "min_radius_m"), radius - 0.5 * kH) << what;
    EXPECT_LT(number(row, "max_radius_m"), radius + 0.5 * kH) << what;
    // The voxels behind the front fill the ball to within the voxels the surface cuts.
    const double ball = 4.0 / 3.0 * kPi * radius * radius * radius;
    EXPECT_NEAR(number(row, "region_volume_m3"), ball, 4 * kPi * radius * radius * kH) << what;
    ++checked;
  }
  EXPECT_EQ(checked, 2 * int(kFrameTimes.size() - 1));

  // The collections list every frame with its time and a file that is there.
  for (const std::string kind : {"arrival", "temperature"}) {
    const std::string pvd = read_text(out / ("fronts_" + kind + ".pvd"));
    EXPECT_NE(pvd.find("type=\"Collection\""), std::string::npos) << pvd;
    for (std::size_t f = 0; f < kFrameTimes.size(); ++f) {
      char file[64];
      std::snprintf(file, sizeof file, "fronts_%s/frame_%04zu.vtp", kind.c_str(), f);
      std::ostringstream entry;
      entry << "timestep=\"" << kFrameTimes[f] << "\" group=\"\" part=\"0\" file=\"" << file
            << "\"";
      EXPECT_NE(pvd.find(entry.str()), std::string::npos) << entry.str() << "\n" << pvd;
      ASSERT_TRUE(fs::exists(out / file)) << file;
      const std::string vtp = read_text(out / file);
      EXPECT_NE(vtp.find("<VTKFile type=\"PolyData\""), std::string::npos) << file;
      // The XML header of a VTK file says how many triangles it holds.
      const bool empty = vtp.find("NumberOfPolys=\"0\"") != std::string::npos;
      EXPECT_EQ(empty, f == 0) << file;
    }
  }
}

TEST(VizFronts, MissingOrIncompleteResultsAreBadInput) {
  SKIP_WITHOUT_VIZ();
  TempDir temp;
  Result r = run_viz("fronts " + quoted((temp.path() / "nowhere").string()), temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE(r.errors.find("no such results file"), std::string::npos) << r.errors;

  // A run that never finished: refused, unless read as incomplete.
  const fs::path run = temp.path() / "unfinished";
  write_sphere_run(run, false);
  r = run_viz("fronts " + quoted(run.string()), temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE(r.errors.find("incomplete"), std::string::npos) << r.errors;
  r = run_viz("fronts --incomplete " + quoted(run.string()) + " -o out", temp.path());
  EXPECT_EQ(r.exit_code, 0) << r.errors;
  EXPECT_TRUE(fs::exists(temp.path() / "out" / "fronts_arrival.pvd"));

  // Not a results file at all.
  std::ofstream(temp.path() / "results.h5") << "not HDF5";
  r = run_viz("fronts " + quoted(temp.path().string()), temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE(r.errors.find("runaway-viz: error:"), std::string::npos) << r.errors;
}
