// ParaView reads what we write: a small results file with known temperatures is opened through
// results.xdmf in pvpython (tests/e2e/paraview_probe.py) by each of ParaView 5.11's XDMF readers,
// "XDMF Reader" (Xdmf2) and "Xdmf3 Reader S" and "T", which report the time steps, the geometry,
// every cell array and the temperature of a known voxel at a known frame. Done by absolute path
// and, from the run directory, by bare relative name. Also the model-only file of
// `runaway mesh`. Skipped only when pvpython is not installed.
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/text.hpp"
#include "io/model.hpp"
#include "io/results_writer.hpp"
#include "support/cli.hpp"
#include "support/scratch.hpp"

using runaway::testing::CommandResult;
using runaway::testing::find_program;
using runaway::testing::numbers;
using runaway::testing::run_shell;
using runaway::testing::ScratchDir;

// Paths in single quotes for the shell.
std::string quoted(const std::string& text) {
  return runaway::shell_quoted(text);
}

namespace fs = std::filesystem;
using namespace runaway::io;

namespace {

// Runs the probe in `directory` and returns its key=value lines; "status" holds the exit code.
std::map<std::string, std::string> probe(const std::string& pvpython, const fs::path& directory,
                                         const std::string& xdmf, double time,
                                         const std::string& field, int i, int j, int k,
                                         const std::string& reader = "XDMFReader") {
  const std::string script = std::string(RUNAWAY_SOURCE_DIR) + "/tests/e2e/paraview_probe.py";
  std::ostringstream command;
  command.precision(17);
  command << quoted(pvpython) << " " << quoted(script) << " " << quoted(xdmf) << " " << time << " "
          << field << " " << i << " " << j << " " << k << " " << reader;
  const CommandResult r = run_shell(command.str(), directory);  // stdout and stderr together
  std::map<std::string, std::string> result = r.values;
  result["status"] = std::to_string(r.exit_code);
  result["output"] = r.output;
  return result;
}

// "name:value name:value" as printed by the probe.
std::map<std::string, double> named_numbers(const std::string& text) {
  std::map<std::string, double> values;
  std::istringstream in(text);
  std::string token;
  while (in >> token) {
    const auto colon = token.find(':');
    if (colon == std::string::npos) continue;
    values[token.substr(0, colon)] = std::strtod(token.c_str() + colon + 1, nullptr);
  }
  return values;
}

// 4 x 3 x 2 voxels of different sizes per axis, away from the origin, so that a swapped axis
// or a point/cell mix-up changes what ParaView reports.
ModelData make_model() {
  ModelData model;
  model.grid = {4, 3, 2, 1.0e-3, 2.0e-3, 3.0e-3, 0.1, 0.2, 0.3};
  model.material.resize(model.grid.voxel_count());
  model.cell.resize(model.grid.voxel_count());
  for (std::size_t v = 0; v < model.grid.voxel_count(); ++v) {
    model.material[v] = std::uint8_t(v % 5);
    model.cell[v] = v < 12 ? 0 : 1;
  }
  return model;
}

double temperature_at(int frame, int i, int j, int k) {
  return 300.0 + 100.0 * frame + 10.0 * k + j + 0.125 * i;
}

const std::vector<double> kFrameTimes = {0.0, 1.5, 3.25};

void write_run(const fs::path& run_dir, const ModelData& model) {
  ResultsOptions options;
  options.fields = standard_fields({"sei"});
  ResultsWriter writer(run_dir, model, options);
  const GridInfo& g = model.grid;
  for (int f = 0; f < 3; ++f) {
    std::vector<double> temperature(g.voxel_count()), heat(g.voxel_count(), 1.0e5 * f);
    std::vector<double> arrival(g.voxel_count(), std::nan(""));
    std::vector<float> sei(g.voxel_count(), 0.25f * float(f));
    for (int k = 0; k < g.nz; ++k) {
      for (int j = 0; j < g.ny; ++j) {
        for (int i = 0; i < g.nx; ++i) temperature[g.index(i, j, k)] = temperature_at(f, i, j, k);
      }
    }
    writer.write_frame(kFrameTimes[std::size_t(f)], f,
                       {{"temperature", temperature},
                        {"heat_release_rate", heat},
                        {"arrival_time", arrival},
                        {"progress_sei", sei}});
  }
  writer.finish();
}

void expect_geometry(const std::map<std::string, std::string>& seen) {
  // VTK reports x, y, z order; the cell-centred data has one more point than voxels per axis.
  EXPECT_EQ(seen.at("image_data"), "1") << seen.at("class");
  EXPECT_EQ(numbers(seen.at("dimensions")), (std::vector<double>{5, 4, 3}));
  const auto origin = numbers(seen.at("origin"));
  const auto spacing = numbers(seen.at("spacing"));
  ASSERT_EQ(origin.size(), 3u);
  ASSERT_EQ(spacing.size(), 3u);
  EXPECT_DOUBLE_EQ(origin[0], 0.1);
  EXPECT_DOUBLE_EQ(origin[1], 0.2);
  EXPECT_DOUBLE_EQ(origin[2], 0.3);
  EXPECT_DOUBLE_EQ(spacing[0], 1.0e-3);
  EXPECT_DOUBLE_EQ(spacing[1], 2.0e-3);
  EXPECT_DOUBLE_EQ(spacing[2], 3.0e-3);
}

}  // namespace

// The ParaView reader under test: XDMFReader, Xdmf3ReaderS or Xdmf3ReaderT.
class ParaviewXdmfReader : public ::testing::TestWithParam<std::string> {};

TEST_P(ParaviewXdmfReader, ShowsEveryArrayAndKnownTemperatureAtKnownFrame) {
  const std::string pvpython = find_program("pvpython");
  if (pvpython.empty()) GTEST_SKIP() << "pvpython is not installed (Debian: python3-paraview)";
  const std::string reader = GetParam();
  const ScratchDir temp("runaway-paraview");
  const fs::path run_dir = temp.path() / "run";
  const ModelData model = make_model();
  write_run(run_dir, model);

  // By absolute path, from another directory.
  auto seen = probe(pvpython, temp.path(), (run_dir / "results.xdmf").string(), kFrameTimes[1],
                    "temperature", 3, 2, 1, reader);
  ASSERT_EQ(seen["status"], "0") << seen["output"];
  EXPECT_EQ(seen["reader"], reader);
  EXPECT_EQ(seen["output"].find("Skipping unrecognized array type"), std::string::npos)
      << seen["output"];
  EXPECT_EQ(numbers(seen["timesteps"]), kFrameTimes);
  expect_geometry(seen);
  EXPECT_EQ(seen["cell_arrays"],
            "arrival_time cell heat_release_rate material progress_sei temperature");
  EXPECT_EQ(numbers(seen["value"]), std::vector<double>{temperature_at(1, 3, 2, 1)});
  // Every field at that frame: float32 progress, NaN arrival time, material and cell id.
  const auto values = named_numbers(seen["all_values"]);
  ASSERT_EQ(values.size(), 6u) << seen["all_values"];
  EXPECT_TRUE(std::isnan(values.at("arrival_time")));
  EXPECT_EQ(values.at("heat_release_rate"), 1.0e5);
  EXPECT_EQ(values.at("progress_sei"), 0.25);
  EXPECT_EQ(values.at("temperature"), temperature_at(1, 3, 2, 1));
  EXPECT_EQ(values.at("material"), double(model.material[model.grid.index(3, 2, 1)]));
  EXPECT_EQ(values.at("cell"), double(model.cell[model.grid.index(3, 2, 1)]));
  // The voxel in every frame.
  EXPECT_EQ(numbers(seen["series"]),
            (std::vector<double>{temperature_at(0, 3, 2, 1), temperature_at(1, 3, 2, 1),
                                 temperature_at(2, 3, 2, 1)}));

  // By relative name from the run directory, at the last frame. The Xdmf3 readers (VTK 9.2's
  // Xdmf3) join a bare file name and the HDF5 file's name without a slash
  // ("results.xdmfresults.h5") and abort, whatever the XDMF file says; "./results.xdmf" works,
  // and the ParaView GUI always passes absolute paths (docs/output-format.md).
  const std::string relative = reader == "XDMFReader" ? "results.xdmf" : "./results.xdmf";
  seen = probe(pvpython, run_dir, relative, kFrameTimes[2], "temperature", 1, 0, 1, reader);
  ASSERT_EQ(seen["status"], "0") << seen["output"];
  EXPECT_EQ(numbers(seen["value"]), std::vector<double>{temperature_at(2, 1, 0, 1)});
  expect_geometry(seen);
}

INSTANTIATE_TEST_SUITE_P(ParaviewXdmf, ParaviewXdmfReader,
                         ::testing::Values("XDMFReader", "Xdmf3ReaderS", "Xdmf3ReaderT"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

TEST(ParaviewXdmf, ModelFileShowsMaterialAndCell) {
  const std::string pvpython = find_program("pvpython");
  if (pvpython.empty()) GTEST_SKIP() << "pvpython is not installed (Debian: python3-paraview)";
  const ScratchDir temp("runaway-paraview");
  const ModelData model = make_model();
  write_model_file(temp.path() / "model.h5", model, false);
  const int i = 2, j = 1, k = 1;
  for (const char* reader : {"XDMFReader", "Xdmf3ReaderS"}) {
    SCOPED_TRACE(reader);
    auto seen = probe(pvpython, temp.path(), (temp.path() / "model.xdmf").string(), 0.0, "material",
                      i, j, k, reader);
    ASSERT_EQ(seen["status"], "0") << seen["output"];
    expect_geometry(seen);
    EXPECT_EQ(seen["cell_arrays"], "cell material");
    EXPECT_EQ(numbers(seen["value"]),
              std::vector<double>{double(model.material[model.grid.index(i, j, k)])});
  }
}
