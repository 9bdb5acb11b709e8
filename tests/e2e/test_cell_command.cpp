// `runaway cell` takes what a lab has: a chemistry from a file (a chemistry file or a pack), key
// overrides through the packs' parser, a cell type and size overrides; `--list` says where each
// built-in comes from; bad input names the file, line and key and exits 2.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>

#include "support/cli.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

// The initial electrolyte mass the summary prints, kg ("electrolyte: M kg = ...").
double electrolyte_of(const std::string& summary) {
  std::smatch m;
  const std::regex line(R"(electrolyte:\s+([0-9.eE+-]+) kg)");
  if (!std::regex_search(summary, m, line)) return -1;
  return std::stod(m[1].str());
}

const char* const kHeater = " --mode heater --heater-power 200 --end-time 60";

TEST(CellCommand, ListSaysWhereEachBuiltInComesFrom) {
  const CommandResult r = run_cli("cell --list");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("nrel-lco +liquid .* published ")));
  EXPECT_TRUE(std::regex_search(r.output, std::regex("nrel-lco-vented +liquid .* variant ")));
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex("feng2015-ncm +liquid .* open reproduction ")));
  EXPECT_TRUE(
      std::regex_search(r.output, std::regex("nmc-semisolid-50ah +semi-solid .* assumed ")));
}

// --set goes through the packs' parser: a density override scales the liquid with it (W_e = f rho)
// and a misspelt key is refused with the closest one suggested.
TEST(CellCommand, OverridesGoThroughThePackParser) {
  const CommandResult base = run_cli(std::string("cell --chemistry nmc-liquid-50ah") + kHeater);
  ASSERT_EQ(base.exit_code, 0) << base.output;
  const CommandResult denser =
      run_cli(std::string("cell --chemistry nmc-liquid-50ah --set density=2520") + kHeater);
  ASSERT_EQ(denser.exit_code, 0) << denser.output;
  EXPECT_NEAR(electrolyte_of(denser.output) / electrolyte_of(base.output), 1.2, 1e-5);
  const CommandResult bigger = run_cli(std::string("cell --chemistry nmc-liquid-50ah ") +
                                       "--volume 1.184e-3 --capacity-ah 100" + kHeater);
  ASSERT_EQ(bigger.exit_code, 0) << bigger.output;
  EXPECT_NEAR(electrolyte_of(bigger.output) / electrolyte_of(base.output), 2.0, 1e-5);
  EXPECT_NE(bigger.output.find("resized on the command line"), std::string::npos);

  const CommandResult typo = run_cli("cell --chemistry nmc-liquid-50ah --set densty=2520");
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("did you mean 'density'"), std::string::npos) << typo.output;
  const CommandResult bad = run_cli("cell --chemistry nmc-liquid-50ah --volume -1");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("--volume"), std::string::npos) << bad.output;
}

// A chemistry file of [chemistries.NAME] tables only; a custom chemistry needs a cell; a bad key
// names the file and its line.
TEST(CellCommand, TakesAChemistryFromAFile) {
  const ScratchDir scratch("runaway_e2e_cell");
  const std::string file = (scratch / "cells.toml").string();
  {
    std::ofstream out(file);
    out << R"(# a lab's fitted cell, here the published NREL set with a lower SEI barrier
[chemistries.lab-cell]
base = "nrel-lco"

[chemistries.lab-cell.reactions.sei]
activation_energy = 1.30e5

[chemistries.bare]
density = 2580.0
heat_capacity = 830.0
liquid_electrolyte_fraction = 0.0
separator_temperature = 438.0
short_circuit_energy_fraction = 0.0
short_circuit_time_constant = 10.0
vent_temperature = 420.0
free_volume_fraction = 0.05
vent_area_per_volume = 0.6
vent_discharge_coefficient = 0.6
gas_molar_mass = 0.025
gas_heat_capacity_ratio = 1.3
electrolyte_latent_heat = 0.0
heat_of_combustion = 0.0
burned_fraction = 0.0
burn_time = 10.0
[[chemistries.bare.reactions]]
name = "sei"
pre_exponential_factor = 1.667e15
activation_energy = 1.3508e5
heat_of_reaction = 2.57e5
reactant_content = 610.4
initial_remaining = 0.15
)";
  }
  const CommandResult lab = run_cli("cell --config " + file + " --chemistry lab-cell" + kHeater);
  ASSERT_EQ(lab.exit_code, 0) << lab.output;
  EXPECT_NE(lab.output.find("cells.toml (base nrel-lco)"), std::string::npos) << lab.output;
  // A lower barrier self-heats earlier than the published set in the same test.
  const CommandResult published = run_cli(std::string("cell --chemistry nrel-lco") + kHeater);
  ASSERT_EQ(published.exit_code, 0) << published.output;
  std::smatch a, b;
  const std::regex onset(R"(self-heating onset:\s+([0-9.]+) K)");
  ASSERT_TRUE(std::regex_search(lab.output, a, onset)) << lab.output;
  ASSERT_TRUE(std::regex_search(published.output, b, onset)) << published.output;
  EXPECT_LT(std::stod(a[1].str()), std::stod(b[1].str()));

  const CommandResult no_cell = run_cli("cell --config " + file + " --chemistry bare" + kHeater);
  EXPECT_EQ(no_cell.exit_code, 2) << no_cell.output;
  EXPECT_NE(no_cell.output.find("--cell-type"), std::string::npos) << no_cell.output;
  const CommandResult sized =
      run_cli("cell --config " + file + " --chemistry bare --cell-type 21700-nmc" + kHeater);
  EXPECT_EQ(sized.exit_code, 0) << sized.output;
  EXPECT_NE(sized.output.find("cell type 21700-nmc"), std::string::npos) << sized.output;

  {
    std::ofstream out(file, std::ios::app);
    out << "\n[chemistries.typo]\nbase = \"nrel-lco\"\nheat_capacty = 900.0\n";
  }
  const CommandResult typo = run_cli("cell --config " + file + " --chemistry typo");
  EXPECT_EQ(typo.exit_code, 2) << typo.output;
  EXPECT_NE(typo.output.find("cells.toml:"), std::string::npos) << typo.output;
  EXPECT_NE(typo.output.find("chemistries.typo.heat_capacty"), std::string::npos) << typo.output;
}

// A pack file works too: its chemistry and its cell type.
TEST(CellCommand, TakesAPacksChemistryAndCellType) {
  const std::string pack =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_21700_cylindrical.toml";
  const CommandResult r =
      run_cli("cell --config " + pack + " --cell-type 21700-nmc --chemistry nmc-21700" + kHeater);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cell type 21700-nmc"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("chemistry:                 nmc-21700"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace runaway::testing
