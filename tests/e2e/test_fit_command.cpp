// `runaway fit` from the command line: ARC data from `runaway cell --mode arc -o` fitted back,
// the fitted table usable by `runaway cell --config`, and unfit data refused with exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

// A CSV of `rows` rows: T = t0 + slope * i, rate = rate(i).
// `dip_row` (if >= 0) is 3 K colder than its neighbours.
template <typename Rate>
std::string arc_csv(int rows, double t0, double slope, Rate rate, int dip_row = -1) {
  std::string text = "time_s,temperature_K,self_heating_rate_K_per_s,other\n";
  for (int i = 0; i < rows; ++i) {
    const double t = t0 + slope * i - (i == dip_row ? 3.0 : 0.0);
    text +=
        std::to_string(60.0 * i) + "," + std::to_string(t) + "," + std::to_string(rate(i)) + ",0\n";
  }
  return text;
}

TEST(FitCommand, FitsArcDataFromTheCellCommandAndWritesAUsableTable) {
  const ScratchDir scratch("runaway_e2e_fit");
  const std::string data = (scratch / "arc.csv").string();
  const CommandResult arc = run_cli("cell --chemistry nrel-lco --mode arc -o " + data);
  ASSERT_EQ(arc.exit_code, 0) << arc.output;
  const std::string fitted = (scratch / "fitted.toml").string();
  const CommandResult fit =
      run_cli("fit " + data + " --base nrel-lco --fit sei,anode --name lab -o " + fitted);
  ASSERT_EQ(fit.exit_code, 0) << fit.output;
  EXPECT_NE(fit.output.find("RMS"), std::string::npos) << fit.output;
  EXPECT_NE(fit.output.find("sei.activation_energy"), std::string::npos) << fit.output;
  EXPECT_NE(fit.output.find("+-"), std::string::npos) << fit.output;
  EXPECT_TRUE(std::filesystem::exists(scratch / "fitted.csv"));
  EXPECT_FALSE(std::filesystem::exists(scratch / "fitted.toml.tmp"));
  const CommandResult use = run_cli("cell --config " + fitted + " --chemistry lab --mode arc");
  ASSERT_EQ(use.exit_code, 0) << use.output;
  EXPECT_NE(use.output.find("base nrel-lco"), std::string::npos) << use.output;
}

TEST(FitCommand, RefusesFlatShortAndNonMonotonicData) {
  const ScratchDir scratch("runaway_e2e_fit_bad");
  const std::string flat = (scratch / "flat.csv").string();
  write(flat, arc_csv(200, 350.0, 0.01, [](int) { return 1e-5; }));
  const std::string short_data = (scratch / "short.csv").string();
  write(short_data, arc_csv(10, 350.0, 2.0, [](int i) { return 1e-3 * (1 + i); }));
  const std::string wobbly = (scratch / "wobbly.csv").string();
  write(wobbly, arc_csv(
                    200, 350.0, 0.5, [](int i) { return 1e-3 * (1 + i); }, 100));
  const std::string missing = (scratch / "missing.csv").string();
  write(missing, "time_s,temperature_K\n0,300\n");

  for (const auto& [file, what] : {std::pair<std::string, std::string>{flat, "flat"},
                                   {short_data, "too short"},
                                   {wobbly, "non-monotonic"},
                                   {missing, "self_heating_rate_K_per_s"}}) {
    const CommandResult r =
        run_cli("fit " + file + " --base nrel-lco -o " + (scratch / "out.toml").string());
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find(file), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(what), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(scratch / "out.toml"));
  }
  const CommandResult unknown = run_cli("fit " + flat + " --base nrel-lco --fit seii");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
}

}  // namespace
}  // namespace runaway::testing
