// Pack configuration: parsing, includes, command-line overrides, chemistries, and every kind of
// bad input, each of which must be a bad-input error (exit code 2) naming file, line and key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "common/error.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/config/config.hpp"
#include "host/run/check.hpp"
#include "host/solver/simulation.hpp"
#include "meshes/library.hpp"
#include "support/scratch.hpp"

namespace runaway::host {
namespace {

namespace fs = std::filesystem;

// A small valid pack: three prismatic cells along x. Line numbers matter to the tests below.
const char* const kValid = R"(name = "small"
[mesh]
voxel_size = 0.004
[enclosure]
size = [0.2, 0.2, 0.12]
[module]
cell_type = "nmc-50ah-prismatic"
cells = [3, 1, 1]
gap = 0.002
position = [0.01, 0.02, 0.01]
[run]
end_time = 100.0
)";

class Config : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  // Loads `text` as pack.toml and returns the bad-input error it must raise.
  Error bad(const std::string& text, const std::vector<std::string>& overrides = {}) {
    const std::string path = write("pack.toml", text);
    try {
      const PackConfig config = load_pack_config(path, overrides);
      build_voxel_model(config);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kBadInput) << e.what();
      EXPECT_EQ(e.exit_code(), 2);
      return e;
    }
    ADD_FAILURE() << "accepted:\n" << text;
    return runtime_error("no error");
  }

  // Expects the error to name `key` at `line` of pack.toml and to contain `words`.
  void expect_bad(const std::string& text, const std::string& key, int line,
                  const std::string& words) {
    const Error e = bad(text);
    EXPECT_EQ(e.context().key, key) << e.what();
    EXPECT_EQ(e.context().line, line) << e.what();
    EXPECT_EQ(fs::path(e.context().file).filename(), "pack.toml") << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    // The message itself says file:line: key.
    EXPECT_NE(std::string(e.what()).find("pack.toml:" + std::to_string(line) + ": " + key),
              std::string::npos)
        << e.what();
  }

  static std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  }

  const runaway::testing::ScratchDir scratch_{"runaway_test_config"};
  const fs::path dir_ = scratch_.path();
};

TEST_F(Config, ParsesAValidPackWithDefaults) {
  const PackConfig c = load_pack_config(write("pack.toml", kValid));
  EXPECT_EQ(c.name, "small");
  ASSERT_EQ(c.pack.modules.size(), 1u);
  const meshes::ModuleLayout& m = c.pack.modules[0];
  EXPECT_EQ(m.name, "module");
  EXPECT_EQ(m.cell.name, "nmc-50ah-prismatic");
  EXPECT_EQ(m.count[0], 3);
  EXPECT_DOUBLE_EQ(m.gap[0], 0.002);
  EXPECT_DOUBLE_EQ(m.gap[2], 0.002);
  EXPECT_EQ(m.orientation.up, meshes::Direction::kZPlus);
  EXPECT_EQ(m.orientation.thickness_axis, 0);
  EXPECT_DOUBLE_EQ(c.mesh.voxel_size[1], 0.004);
  EXPECT_DOUBLE_EQ(c.run.end_time, 100.0);
  EXPECT_DOUBLE_EQ(c.run.initial_temperature, 298.15);
  EXPECT_EQ(c.pack.enclosure.gas, "air");
  for (const auto& bc : c.boundaries) EXPECT_EQ(bc.kind, kernels::BoundaryKind::kAdiabatic);
  ASSERT_EQ(c.chemistries.size(), 1u);
  EXPECT_EQ(c.chemistries[0].name, "nmc-liquid-50ah");
  EXPECT_EQ(c.location_of("module.gap").line, 9);
  EXPECT_NE(c.resolved_toml.find("cell_type"), std::string::npos);

  const meshes::VoxelModel model = build_voxel_model(c);
  EXPECT_EQ(model.shape.nx, 50);
  EXPECT_EQ(model.shape.ny, 50);
  EXPECT_EQ(model.shape.nz, 30);
  ASSERT_EQ(model.cells.size(), 3u);
  EXPECT_EQ(model.cells[2].chemistry, "nmc-liquid-50ah");
}

TEST_F(Config, ParsesBoundariesTriggersOutputAndArrays) {
  const std::string text = std::string(kValid) + R"(
[boundary.default]
type = "convection"
temperature = 300.0
heat_transfer_coefficient = 10
emissivity = 0.8
[boundary.z_minus]
type = "fixed_temperature"
temperature = 290.0
[boundary.x_plus]
type = "adiabatic"
[[trigger]]
type = "heater"
cell = 1
face = "+y"
power = 100
duration = 60
[[trigger]]
type = "nail"
cell = 2
time = 5
[[trigger]]
type = "oven"
ramp_rate = 0.1
hold_temperature = 450.0
heat_transfer_coefficient = 20
[output]
frame_interval = 2
fields = ["temperature", "arrival_time"]
)";
  const PackConfig c = load_pack_config(write("pack.toml", text));
  const auto& zm = c.boundaries[4];
  EXPECT_EQ(zm.kind, kernels::BoundaryKind::kFixedTemperature);
  EXPECT_DOUBLE_EQ(zm.temperature, 290.0);
  EXPECT_EQ(c.boundaries[1].kind, kernels::BoundaryKind::kAdiabatic);
  const auto& xm = c.boundaries[0];
  EXPECT_EQ(xm.kind, kernels::BoundaryKind::kConvectionRadiation);
  EXPECT_DOUBLE_EQ(xm.heat_transfer_coefficient, 10.0);
  EXPECT_DOUBLE_EQ(xm.emissivity, 0.8);
  ASSERT_EQ(c.heaters.size(), 1u);
  EXPECT_EQ(c.heaters[0].cell, 1);
  EXPECT_EQ(c.heaters[0].face, meshes::Direction::kYPlus);
  EXPECT_DOUBLE_EQ(c.heaters[0].power, 100.0);
  ASSERT_EQ(c.nails.size(), 1u);
  EXPECT_DOUBLE_EQ(c.nails[0].time, 5.0);
  ASSERT_TRUE(c.oven.has_value());
  EXPECT_DOUBLE_EQ(c.oven->start_temperature, 298.15);
  EXPECT_DOUBLE_EQ(oven_temperature(*c.oven, 100.0), 308.15);
  EXPECT_DOUBLE_EQ(oven_temperature(*c.oven, 1e4), 450.0);
  EXPECT_DOUBLE_EQ(c.output.frame_interval, 2.0);
  EXPECT_EQ(c.output.fields.size(), 2u);
}

TEST_F(Config, IncludeMergesTablesAndTheIncludingFileWins) {
  write("common/base.toml", kValid);
  const std::string top = write("variant.toml", R"(include = ["common/base.toml"]
name = "variant"
[module]
gap = 0.003
[module.barrier]
material = "aerogel"
thickness = 0.002
)");
  const PackConfig c = load_pack_config(top);
  EXPECT_EQ(c.name, "variant");
  EXPECT_DOUBLE_EQ(c.pack.modules[0].gap[0], 0.003);
  EXPECT_EQ(c.pack.modules[0].count[0], 3);  // from the base
  EXPECT_EQ(c.pack.modules[0].barrier.material, "aerogel");
  ASSERT_EQ(c.files.size(), 2u);
  // Values keep the file and line they came from.
  EXPECT_EQ(fs::path(c.location_of("module.cells").file).filename(), "base.toml");
  EXPECT_EQ(c.location_of("module.cells").line, 8);
  EXPECT_EQ(fs::path(c.location_of("module.gap").file).filename(), "variant.toml");
  EXPECT_EQ(c.location_of("module.gap").line, 4);
}

TEST_F(Config, IncludeCycleIsRejected) {
  write("a.toml", "include = \"b.toml\"\n");
  write("b.toml", "name = \"b\"\ninclude = [\"a.toml\"]\n");
  try {
    load_pack_config((dir_ / "a.toml").string());
    FAIL() << "cycle accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_EQ(e.context().key, "include");
    EXPECT_EQ(fs::path(e.context().file).filename(), "b.toml");
    EXPECT_EQ(e.context().line, 2);
    EXPECT_NE(std::string(e.what()).find("a.toml -> b.toml -> a.toml"), std::string::npos)
        << e.what();
  }
}

TEST_F(Config, MissingIncludeNamesTheIncludingLine) {
  expect_bad(std::string("include = \"nowhere.toml\"\n") + kValid, "include", 1,
             "cannot open config file");
}

TEST_F(Config, OverridesParseTomlValues) {
  const std::string path = write("pack.toml", kValid);
  const PackConfig c =
      load_pack_config(path, {"module.gap=0.003", "module.cell_type=nmc-50ah-prismatic-semisolid",
                              "mesh.voxel_size = [0.004, 0.005, 0.004]", "run.end_time=50"});
  EXPECT_DOUBLE_EQ(c.pack.modules[0].gap[0], 0.003);
  EXPECT_EQ(c.pack.modules[0].cell.chemistry, "nmc-semisolid-50ah");
  EXPECT_DOUBLE_EQ(c.mesh.voxel_size[1], 0.005);
  EXPECT_DOUBLE_EQ(c.run.end_time, 50.0);
  EXPECT_EQ(c.location_of("module.gap").file, "--set module.gap=0.003");
}

TEST_F(Config, OverridesReachArraysOfTables) {
  const std::string two = R"([mesh]
voxel_size = 0.004
[enclosure]
size = [0.3, 0.2, 0.12]
[[module]]
name = "a"
cell_type = "nmc-50ah-prismatic"
cells = [2, 1, 1]
position = [0.01, 0.02, 0.01]
[[module]]
name = "b"
cell_type = "nmc-50ah-prismatic"
cells = [2, 1, 1]
position = [0.15, 0.02, 0.01]
[run]
end_time = 10.0
)";
  const std::string path = write("pack.toml", two);
  PackConfig c = load_pack_config(path, {"module[1].gap=0.004"});
  EXPECT_DOUBLE_EQ(c.pack.modules[0].gap[0], 0.0);
  EXPECT_DOUBLE_EQ(c.pack.modules[1].gap[0], 0.004);
  c = load_pack_config(path, {"module.soc=0.5"});  // no index: every module
  EXPECT_DOUBLE_EQ(c.pack.modules[0].soc, 0.5);
  EXPECT_DOUBLE_EQ(c.pack.modules[1].soc, 0.5);
  const Error e = bad(two, {"module[2].gap=0.004"});
  EXPECT_NE(std::string(e.what()).find("out of range"), std::string::npos) << e.what();
  // A misspelt override key is caught like any unknown key, pointing at the command line.
  const Error typo = bad(two, {"module.gapp=0.004"});
  EXPECT_EQ(typo.context().file, "--set module.gapp=0.004");
  EXPECT_EQ(typo.context().key, "module[0].gapp");
  EXPECT_NE(std::string(typo.what()).find("did you mean 'gap'"), std::string::npos) << typo.what();
  const Error syntax = bad(two, {"module.gap=[0.1,"});
  EXPECT_EQ(syntax.context().file, "--set module.gap=[0.1,");
  const Error no_equals = bad(two, {"module.gap"});
  EXPECT_NE(std::string(no_equals.what()).find("key=value"), std::string::npos);
}

TEST_F(Config, OverrideOfText) {
  const std::string text = apply_override(std::string(kValid), "module.gap=0.005");
  EXPECT_NE(text.find("gap = 0.005"), std::string::npos) << text;
}

TEST_F(Config, ChemistryOverridesAndCustomReactionSets) {
  const std::string text = std::string(kValid) + R"(
[cell_types.nmc-50ah-prismatic]
chemistry = "dry-nmc"
[chemistries.dry-nmc]
base = "nmc-liquid-50ah"
liquid_electrolyte_fraction = 0.04
[chemistries.dry-nmc.reactions.sei]
activation_energy = 1.4e5
[chemistries.custom]
density = 2580.0
heat_capacity = 830.0
liquid_electrolyte_fraction = 0.0
separator_temperature = 438.0
short_circuit_energy_fraction = 1.0
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
[[chemistries.custom.reactions]]
# Hatchard 2001 / Kim 2007 SEI decomposition
name = "sei"
pre_exponential_factor = 1.667e15
activation_energy = 1.3508e5
heat_of_reaction = 2.57e5
reactant_content = 610.4
initial_remaining = 0.15
)";
  const PackConfig c = load_pack_config(write("pack.toml", text));
  const PackChemistry* dry = c.find_chemistry("dry-nmc");
  ASSERT_NE(dry, nullptr);
  EXPECT_EQ(dry->base, "nmc-liquid-50ah");
  EXPECT_DOUBLE_EQ(dry->chemistry.liquid_electrolyte_fraction, 0.04);
  EXPECT_EQ(kernels::classify_electrolyte(dry->chemistry.liquid_electrolyte_fraction),
            kernels::ElectrolyteClass::kSemiSolid);
  EXPECT_STREQ(dry->chemistry.reactions[0].name, "sei");
  EXPECT_DOUBLE_EQ(dry->chemistry.reactions[0].activation_energy, 1.4e5);
  EXPECT_EQ(c.pack.modules[0].cell.chemistry, "dry-nmc");
  const PackChemistry* custom = c.find_chemistry("custom");
  ASSERT_NE(custom, nullptr);
  EXPECT_EQ(custom->base, "");
  EXPECT_EQ(custom->chemistry.reaction_count, 1);
  EXPECT_DOUBLE_EQ(custom->chemistry.reactions[0].reactant_content, 610.4);
  EXPECT_EQ(kernels::classify_electrolyte(custom->chemistry.liquid_electrolyte_fraction),
            kernels::ElectrolyteClass::kAllSolid);
}

// The chemistry library holds no LFP set yet (no checked one published): the library's LFP
// cells name "lfp", which a pack must define. Every other library cell's chemistry is built in.
// A base's reactant contents are kg per m^3 of its density: overriding the density scales them
// with it, so the cell's mass fractions and its electrolyte-to-solid ratio stay; a content given
// with the override stands as given.
TEST_F(Config, DensityOverrideScalesTheBaseReactantContents) {
  const std::string text = std::string(kValid) + R"(
[cell_types.nmc-50ah-prismatic]
chemistry = "denser"
[chemistries.denser]
base = "nmc-liquid-50ah"
density = 2520.0
[chemistries.denser.reactions.cathode1]
reactant_content = 500.0
)";
  const PackConfig c = load_pack_config(write("pack.toml", text));
  const kernels::Chemistry& base = host::find_chemistry("nmc-liquid-50ah");
  const kernels::Chemistry& denser = c.find_chemistry("denser")->chemistry;
  const double scale = 2520.0 / base.density;
  ASSERT_NEAR(scale, 1.2, 1e-12);
  for (int i = 0; i < base.reaction_count; ++i) {
    const std::string name = base.reactions[i].name;
    const double expected = name == "cathode1" ? 500.0 : scale * base.reactions[i].reactant_content;
    EXPECT_NEAR(denser.reactions[i].reactant_content, expected, 1e-9 * expected) << name;
  }
  // Electrolyte over solid (the SEI's carbon), as in the base: the override left it alone.
  EXPECT_NEAR(kernels::electrolyte_content(denser) / denser.reactions[0].reactant_content,
              kernels::electrolyte_content(base) / base.reactions[0].reactant_content, 1e-12);
}

TEST_F(Config, LibraryCellChemistriesExistOrArePackDefined) {
  const std::vector<std::string> built_in = chemistry_names();
  for (const meshes::CellType& c : meshes::library_cells()) {
    if (c.chemistry == "lfp") continue;
    EXPECT_NE(std::find(built_in.begin(), built_in.end(), c.chemistry), built_in.end())
        << c.name << " uses " << c.chemistry;
  }
  const std::string lfp = replace(replace(kValid, "nmc-50ah-prismatic", "lfp-20ah-pouch"),
                                  "[0.2, 0.2, 0.12]", "[0.2, 0.2, 0.3]");
  const Error e = bad(lfp);
  EXPECT_NE(std::string(e.what()).find("unknown chemistry 'lfp'"), std::string::npos) << e.what();
  const PackConfig c = load_pack_config(write("lfp.toml", lfp + R"(
[chemistries.lfp]
density = 2180.0
heat_capacity = 1106.0
liquid_electrolyte_fraction = 0.12
separator_temperature = 438.0
short_circuit_energy_fraction = 1.0
short_circuit_time_constant = 10.0
vent_temperature = 420.0
free_volume_fraction = 0.05
vent_area_per_volume = 0.6
vent_discharge_coefficient = 0.6
gas_molar_mass = 0.025
gas_heat_capacity_ratio = 1.3
solvent_molar_mass = 0.09
electrolyte_latent_heat = 0.0
heat_of_combustion = 0.0
burned_fraction = 0.0
burn_time = 10.0
[[chemistries.lfp.reactions]]
name = "sei"
pre_exponential_factor = 1.667e15
activation_energy = 1.3508e5
heat_of_reaction = 2.57e5
reactant_content = 610.4
initial_remaining = 0.15
)"));
  EXPECT_EQ(c.chemistries[0].name, "lfp");
  EXPECT_EQ(build_voxel_model(c).cells.size(), 3u);
}

TEST_F(Config, MaterialsAndCellTypesFromTheFile) {
  const std::string text = std::string(kValid) + R"(
[materials.foam]
density = 50.0
heat_capacity = 1200.0
conductivity = 0.04
[materials.aerogel]
conductivity = 0.02
[cell_types.tall]
base = "nmc-50ah-prismatic"
height = 0.1
capacity_ah = 60
[cell_types.pouch-x]
shape = "pouch"
width = 0.1
thickness = 0.01
height = 0.08
jelly_roll_material = "jelly-roll-lfp"
chemistry = "nrel-lco"
capacity_ah = 10
nominal_voltage = 3.3
)";
  const PackConfig c = load_pack_config(write("pack.toml", text));
  const meshes::MaterialSpec* foam = c.pack.find_material("foam");
  ASSERT_NE(foam, nullptr);
  EXPECT_DOUBLE_EQ(foam->conductivity_through_plane, 0.04);
  EXPECT_DOUBLE_EQ(c.pack.find_material("aerogel")->conductivity_in_plane, 0.02);
  EXPECT_DOUBLE_EQ(c.pack.find_material("aerogel")->density, 200.0);  // library value kept
}

TEST_F(Config, TransparentGases) {
  const std::string text = std::string(kValid) + R"(
[materials.argon]
density = 1.6
heat_capacity = 520.0
conductivity = 0.018
transparent = true
[materials.foam]
density = 50.0
heat_capacity = 1200.0
conductivity = 0.04
)";
  const PackConfig c = load_pack_config(write("pack.toml", text));
  EXPECT_TRUE(c.pack.find_material("argon")->transparent);
  EXPECT_FALSE(c.pack.find_material("foam")->transparent);
  EXPECT_TRUE(c.pack.find_material("air")->transparent);  // the library's air
  EXPECT_FALSE(c.pack.find_material("aluminium-can")->transparent);
  // The enclosure's air reaches the voxel model's material table transparent.
  const meshes::VoxelModel model = build_voxel_model(c);
  const int air = model.material_id("air");
  ASSERT_GE(air, 0);
  EXPECT_TRUE(model.materials[std::size_t(air)].transparent);
}

TEST_F(Config, MeltingMaterials) {
  const std::string text = std::string(kValid) + R"(
[materials.zinc-sheet]
density = 7140.0
heat_capacity = 388.0
conductivity = 116.0
melting_point = 692.7
latent_heat_of_fusion = 112e3
)";
  const PackConfig c = load_pack_config(write("pack.toml", text));
  const meshes::MaterialSpec* zinc = c.pack.find_material("zinc-sheet");
  EXPECT_DOUBLE_EQ(zinc->melting_point, 692.7);
  EXPECT_DOUBLE_EQ(zinc->latent_heat_of_fusion, 112e3);
  EXPECT_DOUBLE_EQ(zinc->molten_conductivity, 0.026);  // default: air's
  const meshes::MaterialSpec* can = c.pack.find_material("aluminium-can");
  EXPECT_DOUBLE_EQ(can->melting_point, 933.47);
  EXPECT_DOUBLE_EQ(can->latent_heat_of_fusion, 397e3);
  EXPECT_GT(c.pack.find_material("steel-can")->melting_point, 1700.0);
  EXPECT_EQ(c.pack.find_material("aluminium")->melting_point, 0.0);  // plates do not melt
}

// ----- bad input: each names file, line and key -----------------------------------------------

TEST_F(Config, MeltingKeysNeedAMeltingPoint) {
  expect_bad(std::string(kValid) + "[materials.mica]\nlatent_heat_of_fusion = 1e5\n",
             "materials.mica.latent_heat_of_fusion", 14, "needs melting_point");
  expect_bad(std::string(kValid) + "[materials.mica]\nmelting_point = -5.0\n",
             "materials.mica.melting_point", 14, "");
  expect_bad(std::string(kValid) + "[materials.jelly-roll-lfp]\nmelting_point = 900.0\n",
             "materials.jelly-roll-lfp.melting_point", 14, "a jelly roll cannot melt");
}

TEST_F(Config, TransparentMustBeABooleanAndNotAJellyRoll) {
  expect_bad(std::string(kValid) + "[materials.air]\ntransparent = \"yes\"\n",
             "materials.air.transparent", 14, "");
  expect_bad(std::string(kValid) + "[materials.jelly-roll-lfp]\ntransparent = true\n",
             "materials.jelly-roll-lfp.transparent", 14, "a jelly roll cannot be transparent");
}

TEST_F(Config, UnknownKeySuggestsTheClosest) {
  expect_bad(replace(kValid, "gap = 0.002", "gapp = 0.002"), "module.gapp", 9,
             "did you mean 'gap'?");
  expect_bad(replace(kValid, "[run]", "[rum]"), "rum", 11, "did you mean 'run'?");
}

TEST_F(Config, WrongTypes) {
  expect_bad(replace(kValid, "gap = 0.002", "gap = \"wide\""), "module.gap", 9,
             "expected a number or an array of 3 numbers");
  expect_bad(replace(kValid, "cells = [3, 1, 1]", "cells = [3.5, 1, 1]"), "module.cells", 8,
             "expected an integer");
  expect_bad(replace(kValid, "size = [0.2, 0.2, 0.12]", "size = [0.2, 0.2]"), "enclosure.size", 5,
             "array of 3 numbers");
  expect_bad(replace(kValid, "end_time = 100.0", "end_time = true"), "run.end_time", 12,
             "expected a number");
}

TEST_F(Config, MissingRequiredKeys) {
  expect_bad(replace(kValid, "end_time = 100.0", "dt_max = 1.0"), "run.end_time", 11,
             "missing required key 'end_time'");
  expect_bad(replace(kValid, "position = [0.01, 0.02, 0.01]\n", ""), "module.position", 6,
             "missing required key 'position'");
  expect_bad(std::string(kValid) + "[materials.foam]\ndensity = 50.0\nconductivity = 0.04\n",
             "materials.foam.heat_capacity", 13, "missing required key 'heat_capacity'");
}

TEST_F(Config, NegativeOrZeroSizes) {
  expect_bad(replace(kValid, "size = [0.2, 0.2, 0.12]", "size = [-0.2, 0.2, 0.12]"),
             "enclosure.size", 5, "must be positive");
  expect_bad(replace(kValid, "voxel_size = 0.004", "voxel_size = 0"), "mesh.voxel_size", 3,
             "must be positive");
  expect_bad(replace(kValid, "gap = 0.002", "gap = -0.002"), "module.gap", 9,
             "must not be negative");
  expect_bad(replace(kValid, "cells = [3, 1, 1]", "cells = [0, 1, 1]"), "module.cells", 8,
             "must be an integer >= 1");
}

TEST_F(Config, NonFiniteNumbers) {
  expect_bad(replace(kValid, "gap = 0.002", "gap = nan"), "module.gap", 9, "finite");
  expect_bad(replace(kValid, "end_time = 100.0", "end_time = inf"), "run.end_time", 12, "finite");
}

// run.temperature_tolerance: off unless given; given, it makes dt_max a 60 s cap unless dt_max
// is given too; bad values name their file, line and key.
TEST_F(Config, TemperatureToleranceAndTheDtMaxItImplies) {
  const PackConfig off = load_pack_config(write("pack.toml", kValid));
  EXPECT_TRUE(std::isinf(off.run.temperature_tolerance));
  EXPECT_DOUBLE_EQ(off.run.dt_max, 1.0);
  const PackConfig on = load_pack_config(
      write("pack.toml",
            replace(kValid, "end_time = 100.0", "end_time = 100.0\ntemperature_tolerance = 0.3")));
  EXPECT_DOUBLE_EQ(on.run.temperature_tolerance, 0.3);
  EXPECT_DOUBLE_EQ(on.run.dt_max, RunControl::kDtMaxWithTolerance);
  const PackConfig capped = load_pack_config(
      write("pack.toml", replace(kValid, "end_time = 100.0",
                                 "end_time = 100.0\ntemperature_tolerance = 0.3\ndt_max = 5")));
  EXPECT_DOUBLE_EQ(capped.run.dt_max, 5.0);
  expect_bad(replace(kValid, "end_time = 100.0", "end_time = 100.0\ntemperature_tolerance = -1"),
             "run.temperature_tolerance", 13, "");
  expect_bad(replace(kValid, "end_time = 100.0", "end_time = 100.0\ntemperature_tolerance = 0"),
             "run.temperature_tolerance", 13, "");
}

// run.kinetics_tolerance: 1e-4 unless given; it reaches the Simulation's integrator; bad values
// name their file, line and key.
TEST_F(Config, KineticsToleranceIsReadAndBounded) {
  EXPECT_DOUBLE_EQ(load_pack_config(write("pack.toml", kValid)).run.kinetics_tolerance, 1e-4);
  const PackConfig tight =
      load_pack_config(write("pack.toml", replace(kValid, "end_time = 100.0",
                                                  "end_time = 100.0\nkinetics_tolerance = 1e-6")));
  EXPECT_DOUBLE_EQ(tight.run.kinetics_tolerance, 1e-6);
  EXPECT_DOUBLE_EQ(pack_kinetics_tolerances(1e-6).relative, 1e-6);
  EXPECT_DOUBLE_EQ(pack_kinetics_tolerances(1e-6).absolute_temperature, 1e-4);
  expect_bad(replace(kValid, "end_time = 100.0", "end_time = 100.0\nkinetics_tolerance = 0"),
             "run.kinetics_tolerance", 13, "");
  expect_bad(replace(kValid, "end_time = 100.0", "end_time = 100.0\nkinetics_tolerance = 0.1"),
             "run.kinetics_tolerance", 13, "at most 0.01");
}

TEST_F(Config, TemperaturesInCelsiusAreCaught) {
  expect_bad(std::string(kValid) + "initial_temperature = 25.0\n", "run.initial_temperature", 13,
             "kelvin");
}

TEST_F(Config, OverlappingCellsAreRejected) {
  const std::string text = replace(replace(kValid, "[module]", "[[module]]"), "[run]", R"([[module]]
cell_type = "nmc-50ah-prismatic"
cells = [1, 1, 1]
position = [0.05, 0.02, 0.01]
[run])");
  const Error e = bad(text);
  EXPECT_EQ(e.context().key, "module[0].position") << e.what();
  EXPECT_EQ(e.context().line, 10);
  EXPECT_NE(std::string(e.what()).find("overlaps module 'module-1'"), std::string::npos)
      << e.what();
  EXPECT_NE(std::string(e.what()).find("cells 1 and 3 overlap"), std::string::npos) << e.what();
}

TEST_F(Config, CellsOutsideTheEnclosureAreRejected) {
  expect_bad(replace(kValid, "position = [0.01, 0.02, 0.01]", "position = [0.01, 0.02, 0.05]"),
             "module.position", 10, "outside the enclosure");
}

// [[solids]] after kValid (which ends on line 12): a lid over the cells and an unnamed wall.
const char* const kSolids = R"([[solids]]
name = "lid"
material = "mica"
min = [0.0, 0.0, 0.11]
max = [0.2, 0.2, 0.114]
[[solids]]
material = "steel"
min = [0.15, 0.0, 0.0]
max = [0.154, 0.2, 0.11]
)";

TEST_F(Config, SolidsAreParsedAndVoxelized) {
  const PackConfig c = load_pack_config(write("pack.toml", std::string(kValid) + kSolids));
  ASSERT_EQ(c.pack.solids.size(), 2u);
  EXPECT_EQ(c.pack.solids[0].name, "lid");
  EXPECT_EQ(c.pack.solids[0].material, "mica");
  EXPECT_EQ(c.pack.solids[0].box.lo[2], 0.11);
  EXPECT_EQ(c.pack.solids[0].box.hi[2], 0.114);
  EXPECT_EQ(c.pack.solids[1].name, "solid-1");
  const meshes::VoxelModel model = build_voxel_model(c);
  const int mica = model.material_id("mica");
  const int steel = model.material_id("steel");
  ASSERT_GE(mica, 0);
  ASSERT_GE(steel, 0);
  EXPECT_EQ(model.material[std::size_t(model.index(10, 10, 27))], mica);   // z 108-112 mm
  EXPECT_EQ(model.material[std::size_t(model.index(37, 10, 10))], steel);  // x 148-152 mm
  EXPECT_EQ(model.material[std::size_t(model.index(10, 10, 26))], 0);      // air under the lid
  // An override reaches a solid like any array of tables.
  const PackConfig moved = load_pack_config(write("pack.toml", std::string(kValid) + kSolids),
                                            {"solids[1].min=[0.151, 0.0, 0.0]"});
  EXPECT_EQ(moved.pack.solids[1].box.lo[0], 0.151);
}

TEST_F(Config, BadSolidsNameFileLineAndKey) {
  const std::string text = std::string(kValid) + kSolids;
  expect_bad(replace(text, "\"mica\"", "\"mcia\""), "solids[0].material", 15,
             "did you mean 'mica'?");
  expect_bad(replace(text, "max = [0.2, 0.2, 0.114]", "max = [0.2, 0.2, 0.11]"), "solids[0].max",
             17, "must exceed min along z");
  expect_bad(replace(text, "max = [0.2, 0.2, 0.114]", "max = [0.2, 0.2, 0.13]"), "solids[0].max",
             17, "outside the enclosure interior");
  expect_bad(replace(text, "min = [0.0, 0.0, 0.11]", "min = [0.0, 0.0, 0.09]"), "solids[0].min", 16,
             "its cell 0 spans");
  expect_bad(replace(text, "name = \"lid\"", "name = \"solid-1\""), "solids[1].name", 18,
             "two solids are named 'solid-1'");
  expect_bad(replace(text, "material = \"steel\"", "materal = \"steel\""), "solids[1].materal", 19,
             "did you mean 'material'?");
  expect_bad(replace(text, "min = [0.15, 0.0, 0.0]", "min = [0.15, 0.0]"), "solids[1].min", 20,
             "expected an array of 3 numbers");
  expect_bad(replace(text, "max = [0.154, 0.2, 0.11]", ""), "solids[1].max", 18,
             "missing required key 'max'");
  // On the cooling plate.
  expect_bad(replace(text, "[run]", "[cooling_plate]\nthickness = 0.008\n[run]"), "solids[1].min",
             22, "overlaps the cooling plate");
  expect_bad(std::string(kValid) + "[solids]\nmaterial = \"mica\"\n", "solids", 13,
             "expected an array of tables");
}

TEST_F(Config, OpenFacesOmitWallsAndLetSolidsReachTheFace) {
  const std::string walled =
      replace(kValid, "size = [0.2, 0.2, 0.12]",
              "size = [0.2, 0.2, 0.12]\nwall_thickness = 0.004\nopen_faces = [\"+x\", \"-y\"]");
  const PackConfig c = load_pack_config(write("pack.toml", walled));
  const meshes::Enclosure& e = c.pack.enclosure;
  EXPECT_TRUE(e.is_open(meshes::Direction::kXPlus));
  EXPECT_TRUE(e.is_open(meshes::Direction::kYMinus));
  EXPECT_FALSE(e.is_open(meshes::Direction::kXMinus));
  EXPECT_FALSE(e.is_open(meshes::Direction::kZPlus));
  const meshes::VoxelModel model = build_voxel_model(c);
  const int steel = model.material_id("steel");
  const int nx = model.shape.nx, ny = model.shape.ny;
  EXPECT_EQ(model.material[std::size_t(model.index(0, ny / 2, 15))], steel);       // -x wall
  EXPECT_EQ(model.material[std::size_t(model.index(nx - 1, ny / 2, 15))], 0);      // +x open
  EXPECT_EQ(model.material[std::size_t(model.index(nx / 2, 0, 15))], 0);           // -y open
  EXPECT_EQ(model.material[std::size_t(model.index(nx / 2, ny - 1, 15))], steel);  // +y wall
  // A solid may fill an open face's wall; on a walled face it is outside the interior.
  const std::string port =
      "[[solids]]\nmaterial = \"steel\"\nmin = [0.196, 0.0, 0.004]\n"
      "max = [0.2, 0.196, 0.06]\n";
  EXPECT_NO_THROW(build_voxel_model(load_pack_config(write("pack.toml", walled + port))));
  expect_bad(replace(walled, "\"+x\", ", "") + port, "solids[0].max", 18,
             "outside the enclosure interior");
  expect_bad(replace(walled, "\"-y\"", "\"-w\""), "enclosure.open_faces", 7,
             "expected one of +x, -x");
  expect_bad(replace(walled, "\"-y\"", "\"+x\""), "enclosure.open_faces", 7, "face listed twice");
  expect_bad(replace(walled, "wall_thickness = 0.004\n", ""), "enclosure.open_faces", 6,
             "every face is already open");
  expect_bad(replace(walled, "[\"+x\", \"-y\"]", "\"+x\""), "enclosure.open_faces", 7,
             "expected an array of faces");
}

TEST_F(Config, UnknownNamesSuggestTheClosest) {
  expect_bad(replace(kValid, "gap = 0.002",
                     "gap = 0.002\nbarrier = { material = \"aerogl\", "
                     "thickness = 0.001 }"),
             "module.barrier.material", 10, "did you mean 'aerogel'?");
  expect_bad(replace(kValid, "\"nmc-50ah-prismatic\"", "\"nmc-50ah-prismatc\""), "module.cell_type",
             7, "did you mean 'nmc-50ah-prismatic'?");
  expect_bad(
      std::string(kValid) + "[cell_types.nmc-50ah-prismatic]\nchemistry = \"nmc-liqiud-50ah\"\n",
      "cell_types.nmc-50ah-prismatic.chemistry", 14, "did you mean 'nmc-liquid-50ah'?");
  expect_bad(std::string(kValid) + "[boundary.default]\ntype = \"convektion\"\n",
             "boundary.default.type", 14, "did you mean 'convection'?");
}

TEST_F(Config, BarrierThickerThanTheGap) {
  expect_bad(replace(kValid, "gap = 0.002",
                     "gap = 0.002\nbarrier = { material = \"mica\", thickness = 0.003 }"),
             "module.barrier.thickness", 10, "thicker than the gap");
}

TEST_F(Config, TriggerOnAMissingCell) {
  expect_bad(std::string(kValid) + "[[trigger]]\ntype = \"nail\"\ncell = 3\ntime = 1.0\n",
             "trigger[0].cell", 15, "only 3 cells");
}

TEST_F(Config, BadCustomChemistryIsCaughtByTheKineticsChecks) {
  const Error e = bad(std::string(kValid) + R"([chemistries.nmc-liquid-50ah.reactions.sei]
order_remaining = 0.0
)");
  EXPECT_NE(e.context().key.find("chemistries.nmc-liquid-50ah"), std::string::npos) << e.what();
  EXPECT_NE(e.context().key.find("order_remaining"), std::string::npos) << e.what();
  EXPECT_EQ(e.context().line, 13);
}

TEST_F(Config, TomlSyntaxErrorNamesTheLine) {
  const Error e = bad(replace(kValid, "gap = 0.002", "gap = = 0.002"));
  EXPECT_EQ(e.context().line, 9);
  EXPECT_NE(std::string(e.what()).find("TOML syntax error"), std::string::npos);
}

TEST_F(Config, ModelOverTheMemoryLimitIsRefusedWithTheNumbers) {
  const Error e =
      bad(replace(kValid, "voxel_size = 0.004", "voxel_size = 0.004\nmax_memory = 1e6"));
  EXPECT_EQ(e.context().key, "mesh.voxel_size");
  EXPECT_EQ(e.context().line, 3);
  EXPECT_NE(std::string(e.what()).find("50 x 50 x 30 = 75,000 voxels"), std::string::npos)
      << e.what();
}

// The complete annotated example of docs/config.md parses and voxelizes (its include aside).
TEST_F(Config, DocumentedExampleIsValid) {
  std::ifstream in(std::string(RUNAWAY_SOURCE_DIR) + "/docs/config.md");
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string text = doc.str();
  const auto start = text.find("```toml\n");
  ASSERT_NE(start, std::string::npos);
  const auto end = text.find("```", start + 8);
  std::string example = text.substr(start + 8, end - start - 8);
  example = replace(example, "include = [\"common/room.toml\"]", "");
  const PackConfig c = load_pack_config(write("doc.toml", example));
  EXPECT_EQ(c.name, "my_module");
  EXPECT_EQ(c.heaters.size(), 1u);
  EXPECT_EQ(c.nails.size(), 1u);
  EXPECT_EQ(build_voxel_model(c).cells.size(), 12u);
}

// ----- check summary --------------------------------------------------------------------------

TEST(Check, TwelveCellExampleSummary) {
  const std::string path =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml";
  const PackConfig config = load_pack_config(path);
  const meshes::VoxelModel model = build_voxel_model(config);
  const CheckSummary s = summarize(config, model);
  EXPECT_EQ(s.cell_count, 12);
  EXPECT_NEAR(s.stored_energy / 3.6e6, 12 * 50 * 3.65 / 1000.0, 1e-9);
  ASSERT_EQ(s.chemistries.size(), 1u);
  EXPECT_EQ(s.chemistries[0].electrolyte_class, kernels::ElectrolyteClass::kLiquid);
  EXPECT_EQ(s.grid.nx, 196);
  EXPECT_EQ(s.grid.ny, 45);
  EXPECT_EQ(s.grid.nz, 33);
  EXPECT_GT(s.rkl2_stages, 2);
  EXPECT_GT(s.run_time_estimate, 0);
  // The voxel size was chosen so that every cell voxelizes alike, with one gap voxel between.
  for (const meshes::CellInfo& c : model.cells) {
    EXPECT_EQ(c.voxel_count, model.cells[0].voxel_count) << c.id;
    EXPECT_EQ(c.voxels.max[0] - c.voxels.min[0] + 1, 13) << c.id;
  }
  for (std::size_t i = 1; i < model.cells.size(); ++i) {
    EXPECT_EQ(model.cells[i].voxels.min[0], model.cells[i - 1].voxels.max[0] + 2);
  }
  const std::string text = format_summary(s);
  EXPECT_NE(text.find("2.190 kWh"), std::string::npos) << text;
  EXPECT_NE(text.find("196 x 45 x 33 = 291,060 voxels"), std::string::npos) << text;
  EXPECT_NE(text.find("liquid"), std::string::npos) << text;
}

TEST(Check, SemiSolidExampleIsSemiSolid) {
  const std::string path =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_semisolid.toml";
  const PackConfig config = load_pack_config(path);
  const CheckSummary s = summarize(config, build_voxel_model(config));
  ASSERT_EQ(s.chemistries.size(), 1u);
  EXPECT_EQ(s.chemistries[0].electrolyte_class, kernels::ElectrolyteClass::kSemiSolid);
  EXPECT_LE(s.chemistries[0].liquid_electrolyte_fraction, 0.10);
  EXPECT_EQ(config.files.size(), 2u);
}

TEST(Check, RunCheckReturnsTheExitCode) {
  std::ostringstream out;
  std::ostringstream err;
  const std::string path =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml";
  EXPECT_EQ(run_check(path, {}, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("valid"), std::string::npos);
  out.str("");
  EXPECT_EQ(run_check(path, {"module.gap=-1"}, out, err), 2);
  EXPECT_NE(err.str().find("module.gap"), std::string::npos) << err.str();
  EXPECT_TRUE(out.str().empty());
}

TEST_F(Config, ProbesAndVerdictAreReadAndCheckedWithFileLineAndKey) {
  // kValid ends on line 12; what follows starts on line 13.
  const std::string probes = std::string(kValid) +
                             "[[trigger]]\ntype = \"nail\"\ncell = 1\ntime = 5.0\n"  // 13-16
                             "[[probe]]\nname = \"top\"\nkind = \"cell_surface\"\ncell = 1\n"
                             "face = \"+z\"\nstatistic = \"max\"\n"  // 17-22
                             "[[probe]]\nname = \"air\"\nkind = \"point\"\n"
                             "position = [0.1, 0.1, 0.11]\n";  // 23-26
  const PackConfig c =
      load_pack_config(write("pack.toml", probes + "[verdict]\nrules = [\"gtr20\"]\n"));
  ASSERT_EQ(c.probes.size(), 2u);
  EXPECT_EQ(c.probes[0].kind, ProbeKind::kCellSurface);
  EXPECT_EQ(c.probes[0].statistic, ProbeStatistic::kMax);
  EXPECT_EQ(c.probes[1].kind, ProbeKind::kPoint);
  ASSERT_TRUE(c.verdict.has_value());
  EXPECT_EQ(c.verdict->initiating_cell, 1);                              // the nail's cell
  EXPECT_EQ(c.verdict->initiating_module, (std::vector<int>{0, 1, 2}));  // its module
  EXPECT_FALSE(c.verdict->extend_run);

  expect_bad(replace(probes, "kind = \"point\"", "kind = \"pointy\""), "probe[1].kind", 25,
             "did you mean 'point'");
  expect_bad(replace(probes, "name = \"air\"", "name = \"top\""), "probe[1].name", 24,
             "already named 'top'");
  expect_bad(replace(probes, "cell = 1\nface", "cell = 3\nface"), "probe[0].cell", 20,
             "only 3 cells");
  expect_bad(replace(probes, "[0.1, 0.1, 0.11]", "[0.1, 0.1, 0.5]"), "probe[1].position", 26,
             "outside the enclosure");
  expect_bad(probes +
                 "[[probe]]\nname = \"box\"\nkind = \"region\"\nmin = [0.1, 0.1, 0.1]\n"
                 "max = [0.1, 0.2, 0.2]\n",
             "probe[2].max", 31, "must exceed min");
  expect_bad(probes + "[verdict]\nrules = [\"gb38031-2052\"]\n", "verdict.rules", 28,
             "did you mean 'gb38031-2025'");
  expect_bad(probes + "[verdict]\nrules = [\"gtr20\"]\nalarm = \"temperature\"\n",
             "verdict.alarm_temperature", 27, "missing required key");
  expect_bad(probes + "[verdict]\nrules = [\"gtr20\"]\ninitiating_module = [0, 2]\n",
             "verdict.initiating_module", 29, "must hold the initiating cell");
  expect_bad(std::string(kValid) + "[verdict]\nrules = [\"gtr20\"]\n", "verdict.initiating_cell",
             13, "no heater or nail");
  // extend_run lengthens the run to the observation window (GB 38031-2025: 2 h).
  const PackConfig longer = load_pack_config(
      write("pack.toml", probes + "[verdict]\nrules = [\"gb38031-2025\"]\nextend_run = true\n"));
  EXPECT_DOUBLE_EQ(longer.run.end_time, 7200.0);
}

}  // namespace
}  // namespace runaway::host
