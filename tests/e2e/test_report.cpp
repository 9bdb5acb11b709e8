// End to end: a three-cell module with the example's probes and [verdict] runs as its liquid and
// semi-solid twins; the probes in results.h5 are the means and maxima of the field they read; the
// verdict is in the summary, results.h5 and `compare`; `runaway report` writes one HTML file that
// headless Chromium renders to a page that is not blank, with the verdict table in its DOM.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "e2e/test_viz_support.hpp"
#include "host/config/config.hpp"
#include "host/run/run_case.hpp"
#include "host/verdict/probes.hpp"
#include "io/results_reader.hpp"
#include "support/cli.hpp"
#include "support/process.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;

int run_module(const std::string& example, const fs::path& out) {
  return run({RUNAWAY_CLI, "run", std::string(RUNAWAY_SOURCE_DIR) + "/examples/" + example, "-o",
              out.string(), "-q", "--set", "module.cells=[3,1,1]", "--set",
              "enclosure.size=[0.1425,0.180,0.132]", "--set", "run.end_time=90"},
             out.string() + ".log");
}

// Each probe's recorded temperature against the field frame at the same time, read by hand.
void expect_probes_read_the_field(const fs::path& run_dir) {
  const io::ResultsReader reader(run_dir);
  const host::PackConfig config = host::parse_pack_config(
      host::parse_config_text(reader.config_text(), "results"), reader.config_path());
  const meshes::VoxelModel model = host::build_voxel_model(config);
  const io::ProbeSeries probes = reader.probe_series();
  ASSERT_EQ(probes.probe_count(), config.probes.size());
  ASSERT_GE(probes.probe_count(), 5u);
  const std::size_t frame = reader.frame_count() - 1;
  const double time = reader.frame_times()[frame];
  const auto sample =
      std::size_t(std::find(probes.time.begin(), probes.time.end(), time) - probes.time.begin());
  ASSERT_LT(sample, probes.time.size()) << "no probe sample at the last frame's time " << time;
  const std::vector<double> field = reader.read_field("temperature", frame);
  for (std::size_t p = 0; p < config.probes.size(); ++p) {
    const host::ProbeVoxels v = host::probe_voxels(config, config.probes[p], model);
    double sum = 0, most = 0;
    for (std::int64_t i : v.voxels) {
      sum += field[std::size_t(i)];
      most = std::max(most, field[std::size_t(i)]);
    }
    const double expected = config.probes[p].statistic == host::ProbeStatistic::kMax
                                ? most
                                : sum / double(v.voxels.size());
    EXPECT_NEAR(probes.temperature[sample * probes.probe_count() + p], expected, 1e-9 * expected)
        << config.probes[p].name;
  }
}

TEST(Report, ProbesVerdictsAndAnHtmlReportChromiumRenders) {
  const ScratchDir scratch("runaway_e2e_report");
  const fs::path& dir = scratch.path();
  for (const auto& [example, name] :
       {std::pair{"module_12_prismatic_liquid.toml", "liquid"},
        std::pair{"module_12_prismatic_semisolid.toml", "semisolid"}}) {
    ASSERT_EQ(run_module(example, dir / name), 0) << read_text((dir / name).string() + ".log");
  }
  expect_probes_read_the_field(dir / "liquid");

  // The verdict: in the run's summary (GB 38031-2025 confirmation of the heated cell), ...
  const host::RunSummary liquid = host::summarize_results(dir / "liquid");
  ASSERT_TRUE(liquid.verdicts.has_value());
  EXPECT_FALSE(std::isnan(liquid.verdicts->initiating_runaway));
  EXPECT_EQ(liquid.verdicts->rules.size(), 3u);
  // ... in results.h5 /verdict, written after the run ...
  const CommandResult dump =
      run_shell("h5dump -g /verdict " + (dir / "liquid/results.h5").string());
  EXPECT_NE(dump.output.find("GB 38031-2025 5.2.7 b) 2)"), std::string::npos) << dump.output;
  // ... and in compare's Markdown and CSV.
  ASSERT_EQ(run({RUNAWAY_CLI, "compare", (dir / "liquid").string(), (dir / "semisolid").string(),
                 "-o", (dir / "cmp").string()},
                (dir / "compare.log").string()),
            0);
  EXPECT_NE(read_text((dir / "cmp.md").string()).find("| verdict gb38031-2025 |"),
            std::string::npos);
  EXPECT_NE(read_text((dir / "cmp.csv").string()).find("run,rule,clause,criterion,finding"),
            std::string::npos);

  // The report: one file, no images beside it.
  const fs::path html = dir / "report.html";
  ASSERT_EQ(run({RUNAWAY_CLI, "report", (dir / "liquid").string(), (dir / "semisolid").string(),
                 "-o", html.string()},
                (dir / "report.log").string()),
            0)
      << read_text((dir / "report.log").string());
  const std::string text = read_text(html.string());
  EXPECT_EQ(text.find("src=\"http"), std::string::npos);
  EXPECT_EQ(text.find("src=\"file"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "report.html.renders"));
  // With runaway-viz built, the 3D pictures are embedded.
  if (viz_test::viz_built()) {
    EXPECT_NE(text.find("data:image/png;base64,"), std::string::npos)
        << read_text((dir / "report.log").string());
  }

  // Headless Chromium (Debian's `chromium`, scripts/install-deps) renders it.
  const std::string chromium = find_program("chromium");
  ASSERT_FALSE(chromium.empty()) << "the report test needs chromium: run scripts/install-deps";
  const std::string browser = "timeout 180 " + chromium +
                              " --headless --no-sandbox --disable-gpu --hide-scrollbars "
                              "--user-data-dir=" +
                              (dir / "profile").string() + " ";
  const CommandResult dom = run_shell(browser + "--dump-dom file://" + html.string(), dir, true);
  ASSERT_EQ(dom.exit_code, 0) << dom.errors;
  EXPECT_NE(dom.output.find("<table class=\"verdict\" id=\"verdict-0\">"), std::string::npos);
  EXPECT_NE(dom.output.find("<table class=\"verdict\" id=\"verdict-1\">"), std::string::npos);
  EXPECT_NE(dom.output.find("GB 38031-2025 5.2.7 b) 2)"), std::string::npos);
  EXPECT_NE(dom.output.find("id=\"comparison\""), std::string::npos);
  const fs::path png = dir / "report.png";
  const CommandResult shot = run_shell(
      browser + "--window-size=1000,1600 --screenshot=" + png.string() + " file://" + html.string(),
      dir, true);
  ASSERT_EQ(shot.exit_code, 0) << shot.errors;
  // Not blank (runaway-viz probe-png reads it: built with VTK, as the README's build does).
  if (viz_test::viz_built()) {
    const viz_test::Png image = viz_test::probe_png(png, {}, dir);
    EXPECT_EQ(image.width, 1000);
    EXPECT_EQ(image.height, 1600);
    // A blank page is one colour; this one has text, tables and charts on a fifth of it or more.
    EXPECT_GT(image.distinct_colors, 100);
    EXPECT_LT(image.most_common_fraction, 0.95);
  }

  // A run that does not exist is bad input, and no report is left behind.
  EXPECT_EQ(
      run({RUNAWAY_CLI, "report", (dir / "nothing").string(), "-o", (dir / "bad.html").string()},
          (dir / "bad.log").string()),
      2);
  EXPECT_FALSE(fs::exists(dir / "bad.html"));
  if (!viz_test::viz_built()) GTEST_SKIP() << "runaway-viz was not built: screenshot not checked";
}

}  // namespace
}  // namespace runaway::testing
