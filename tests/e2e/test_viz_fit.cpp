// `runaway-viz plot FITTED.csv`: the data-vs-fit chart of `runaway fit` (docs/fitting.md), from
// ARC data that `runaway cell --mode arc` wrote; a CSV that is not a fit is refused (exit 2).
#include <fstream>
#include <string>

#include "e2e/test_viz_support.hpp"

namespace {

using namespace viz_test;

TEST(VizFit, PlotsTheDataAgainstTheFit) {
  SKIP_WITHOUT_VIZ();
  if (!can_render()) GTEST_SKIP() << "no X display and no xvfb-run";
  TempDir temp;
  const fs::path data = temp.path() / "arc.csv";
  const fs::path fitted = temp.path() / "lab.toml";
  Result r = run_shell(
      quoted(RUNAWAY_CLI) + " cell --chemistry nrel-lco --mode arc -o " + quoted(data.string()),
      temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_shell(quoted(RUNAWAY_CLI) + " fit " + quoted(data.string()) +
                    " --base nrel-lco --fit sei,anode -o " + quoted(fitted.string()),
                temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const fs::path csv = temp.path() / "lab.csv";
  ASSERT_TRUE(fs::exists(csv));

  r = run_viz("plot " + quoted(csv.string()), temp.path());
  ASSERT_EQ(r.exit_code, 0) << r.output << r.errors;
  const fs::path png = temp.path() / "lab_fit.png";
  ASSERT_TRUE(fs::exists(png)) << r.output;
  const Png image = probe_png(png, {{2, 2}}, temp.path());
  EXPECT_EQ(image.width, 1200);
  EXPECT_EQ(image.height, 700);
  // White background with markers, a line, axes and text on it.
  EXPECT_TRUE(colour_near(image.pixels.at({2, 2}), {255, 255, 255}, 0));
  EXPECT_GT(image.distinct_colors, 50);
  EXPECT_LT(image.most_common_fraction, 0.97);

  const fs::path other = temp.path() / "other.csv";
  {
    std::ofstream out(other);
    out << "time_s,temperature_K\n0,300\n";
  }
  r = run_viz("plot " + quoted(other.string()), temp.path());
  EXPECT_EQ(r.exit_code, 2) << r.output << r.errors;
  EXPECT_NE((r.output + r.errors).find("not a `runaway fit` CSV"), std::string::npos)
      << r.output << r.errors;
}

}  // namespace
