// Study files of `runaway uq` (docs/uq.md): a good one plans paired cases with the keys expanded
// per pack and library values scaled; every bad one is an error naming the study file, the line
// and the key, before anything runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.hpp"
#include "host/uq/study.hpp"
#include "support/errors.hpp"
#include "support/scratch.hpp"

namespace {

namespace fs = std::filesystem;
using runaway::host::uq::load_study;
using runaway::host::uq::plan_study;
using runaway::testing::expect_error;

// A study over the liquid and semi-solid 12-cell examples: `top`, 7 lines, then `inputs` (from
// line 8 when `top` is empty).
std::string study_text(const std::string& inputs, const std::string& top = "") {
  const std::string examples = std::string(RUNAWAY_SOURCE_DIR) + "/examples/";
  return top + "samples = 4\nseed = 3\n[packs]\nliquid = \"" + examples +
         "module_12_prismatic_liquid.toml\"\nsemi_solid = \"" + examples +
         "module_12_prismatic_semisolid.toml\"\n[fixed]\n\"run.end_time\" = 10.0\n" + inputs;
}

const char* kGoodInputs = R"([inputs.ejecta_share]
key = "chemistries.*.ejecta_heat_share"
distribution = "uniform"
min = 0.5
max = 0.9
source = "ASSUMED for the test"
[inputs.cell_heat]
key = "chemistries.*.reactions.*.heat_of_reaction"
scale = true
distribution = "normal"
mean = 1.0
std = 0.1
source = "ASSUMED for the test"
)";

class UqStudy : public ::testing::Test {
 protected:
  fs::path write(const std::string& text) const {
    const fs::path file = scratch_ / "study.toml";
    std::ofstream(file) << text;
    return file;
  }
  const runaway::testing::ScratchDir scratch_{"runaway_test_uq_study"};
};

TEST_F(UqStudy, PlansTheSameSamplesForEveryPackWithKeysExpandedPerPack) {
  const auto study = load_study(write(study_text(kGoodInputs)));
  const auto plan = plan_study(study);
  ASSERT_EQ(plan.cases.cases.size(), 8u);
  EXPECT_EQ(plan.cases.cases[0].directory, "case_0000_liquid");
  EXPECT_EQ(plan.cases.cases[4].directory, "case_0004_semi_solid");
  // Paired: sample 0 of both packs has the same value, on each pack's own chemistry.
  const std::string liquid = plan.cases.cases[0].config_text;
  const std::string semi = plan.cases.cases[4].config_text;
  const std::string share = std::to_string(plan.values[0][0]).substr(0, 6);
  EXPECT_NE(liquid.find("chemistries.nmc-liquid-50ah.ejecta_heat_share=" + share),
            std::string::npos)
      << liquid;
  EXPECT_NE(semi.find("chemistries.nmc-semisolid-50ah.ejecta_heat_share=" + share),
            std::string::npos)
      << semi;
  // scale = true multiplies the library's reaction heats (sei: 257 kJ/kg in Feng 2015).
  EXPECT_NE(liquid.find("chemistries.nmc-liquid-50ah.reactions.sei.heat_of_reaction="),
            std::string::npos);
  EXPECT_NE(plan.cases.case_files[0].find("parameters = [\"pack\", \"sample\", \"ejecta_share\", "
                                          "\"cell_heat\"]"),
            std::string::npos)
      << plan.cases.case_files[0];
  // The [verdict] columns of the batch summary and the verdicts' own quantity are quantities.
  EXPECT_EQ(load_study(write(study_text(kGoodInputs,
                                        "quantities = [\"warning_s\", "
                                        "\"verdict_failed:gb38031-2025\"]\n")))
                .quantities.size(),
            2u);
  // Reproducible: the same file gives the same design.
  EXPECT_EQ(plan_study(load_study(write(study_text(kGoodInputs)))).values, plan.values);
}

TEST_F(UqStudy, BadInputNamesTheFileLineAndKey) {
  struct Bad {
    std::string text;
    int line;
    std::string key;
    std::string message;
  };
  const std::string csv =
      std::string(RUNAWAY_SOURCE_DIR) + "/data/battery_failure_databank/ftrc_tests.csv";
  const Bad bad[] = {
      {study_text(kGoodInputs, "sampels = 4\n"), 1, "sampels", "did you mean 'samples'?"},
      {study_text(kGoodInputs, "sampling = \"latin\"\n"), 1, "sampling", "latin_hypercube"},
      {study_text("[inputs.x]\nkey = \"module.gap\"\ndistribution = \"normall\"\nmean = 0.002\n"
                  "std = 0.0002\nsource = \"ASSUMED\"\n"),
       10, "inputs.x.distribution", "did you mean 'normal'?"},
      {study_text("[inputs.x]\nkey = \"module.gap\"\ndistribution = \"normal\"\nmean = 0.002\n"
                  "std = -1.0\nsource = \"ASSUMED\"\n"),
       12, "inputs.x.std", "must be > 0"},
      {study_text("[inputs.x]\nkey = \"module.gap\"\ndistribution = \"uniform\"\nmin = 0.001\n"
                  "max = 0.003\n"),
       8, "inputs.x.source", "ASSUMED"},
      {study_text("[inputs.x]\nkey = \"module.gapp\"\ndistribution = \"uniform\"\nmin = 0.001\n"
                  "max = 0.003\nsource = \"ASSUMED\"\n"),
       8, "module.gapp", "did you mean 'gap'?"},
      {study_text("[inputs.x]\nkey = \"chemistries.*.ejecta_heat_share\"\n"
                  "distribution = \"uniform\"\nmin = 0.5\nmax = 1.5\nsource = \"ASSUMED\"\n"),
       8, "chemistries.nmc-liquid-50ah.ejecta_heat_share", "narrow or truncate"},
      {study_text("[inputs.x]\nkey = \"trigger.power\"\ndistribution = \"empirical\"\nfile = \"" +
                  csv + "\"\ncolumn = \"total_heat\"\nsource = \"Databank\"\n"),
       12, "inputs.x.column", "did you mean 'total_heat_kJ'?"},
      {study_text(kGoodInputs, "correlations = [[\"ejecta_share\", \"cell_heet\", 0.3]]\n"), 1,
       "correlations", "no input named 'cell_heet'"},
      {study_text(kGoodInputs,
                  "sampling = \"saltelli\"\ncorrelations = [[\"ejecta_share\", "
                  "\"cell_heat\", 0.3]]\n"),
       2, "correlations", "independent inputs"},
      {study_text(kGoodInputs, "quantities = [\"peak_temperature\"]\n"), 1, "quantities",
       "did you mean 'peak_temperature_K'?"},
  };
  for (const Bad& b : bad) {
    const fs::path file = write(b.text);
    const runaway::Error e = expect_error([&] { plan_study(load_study(file)); });
    EXPECT_EQ(e.kind(), runaway::ErrorKind::kBadInput) << e.what();
    EXPECT_EQ(e.context().file, file.string()) << e.what();
    EXPECT_EQ(e.context().line, b.line) << e.what();
    EXPECT_EQ(e.context().key, b.key) << e.what();
    EXPECT_NE(std::string(e.what()).find(b.message), std::string::npos) << e.what();
  }
}

}  // namespace
