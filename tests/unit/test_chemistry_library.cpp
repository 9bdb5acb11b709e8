// Built-in chemistries and chemistry validation (host/chemistry/chemistry_library.hpp): every
// invalid value is rejected with an error that names its key, and unknown names get a suggestion.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "common/error.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "kernels/chemistry.hpp"

namespace runaway::testing {
namespace {

using kernels::Chemistry;

TEST(ChemistryLibrary, ListsTheBuiltInsAndEachValidates) {
  const std::vector<std::string> names = host::chemistry_names();
  for (const char* expected : {"nrel-lco", "nrel-lco-vented", "feng2015-ncm", "feng2015-ncm-vented",
                               "nmc-liquid-50ah", "nmc-semisolid-50ah"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  for (const std::string& name : names) {
    const host::ChemistryEntry& e = host::find_chemistry_entry(name);
    EXPECT_EQ(name, e.chemistry.name);
    EXPECT_NO_THROW(host::validate(e.chemistry));
    EXPECT_FALSE(e.source.empty());
    EXPECT_GT(e.cell.jelly_roll_volume, 0.0);
    EXPECT_GT(e.cell.charge_capacity, 0.0);
  }
}

TEST(ChemistryLibrary, ClassifiesTheLiquidFraction) {
  auto class_of = [](const char* name) {
    return kernels::classify_electrolyte(host::find_chemistry(name).liquid_electrolyte_fraction);
  };
  EXPECT_EQ(class_of("nrel-lco"), kernels::ElectrolyteClass::kLiquid);
  EXPECT_EQ(class_of("feng2015-ncm"), kernels::ElectrolyteClass::kLiquid);
  EXPECT_EQ(class_of("nmc-liquid-50ah"), kernels::ElectrolyteClass::kLiquid);
  EXPECT_EQ(class_of("nmc-semisolid-50ah"), kernels::ElectrolyteClass::kSemiSolid);
  EXPECT_DOUBLE_EQ(host::find_chemistry("nmc-semisolid-50ah").liquid_electrolyte_fraction, 0.05);
}

// The published numbers survive into the data (Kim 2007, Feng 2015): NREL W_e = 406.9 kg/m^3 and
// rho cp = 2.14e6 J/(m^3 K); Feng 2015's electrolyte is 108 g of a 720 g cell.
TEST(ChemistryLibrary, CarriesThePublishedConstants) {
  const Chemistry nrel = host::find_chemistry("nrel-lco");
  EXPECT_NEAR(kernels::electrolyte_content(nrel), 406.9, 1e-9);
  EXPECT_NEAR(nrel.density * nrel.heat_capacity, 2.14e6, 0.01e6);
  EXPECT_EQ(nrel.reactions[1].initial_sei_thickness, 0.033);
  const Chemistry feng = host::find_chemistry("feng2015-ncm");
  EXPECT_NEAR(feng.liquid_electrolyte_fraction, 0.15, 1e-12);
  // Adiabatic temperature rise of the anode reaction: H m_anode / (m_cell cp) = 217.7 K.
  const double rise = feng.reactions[1].heat_of_reaction * feng.reactions[1].reactant_content /
                      (feng.density * feng.heat_capacity);
  EXPECT_NEAR(rise, 1714e3 * 0.10058 / (0.72 * 1100), 1e-9);
  EXPECT_LT(feng.reactions[2].heat_of_reaction, 0.0);  // separator melting is endothermic
}

TEST(ChemistryLibrary, UnknownNameSuggestsTheClosest) {
  try {
    host::find_chemistry("nrel-lc0");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.exit_code(), 2);
    EXPECT_EQ(e.context().key, "chemistry");
    EXPECT_NE(std::string(e.what()).find("did you mean \"nrel-lco\""), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("feng2015-ncm"), std::string::npos) << e.what();
  }
  try {
    host::find_chemistry("zzzzzzzzzzzzzzzzzzzzzzzz",
                         ErrorContext{"pack.toml", 7, "cell_types.a.chemistry", ""});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find("did you mean"), std::string::npos) << e.what();
    EXPECT_EQ(e.context().file, "pack.toml");
    EXPECT_EQ(e.context().line, 7);
    EXPECT_EQ(e.context().key, "cell_types.a.chemistry");
  }
}

struct BadValue {
  const char* key;  // expected key below "chemistries.test."
  std::function<void(Chemistry&)> spoil;
};

// Each spoilt value must be rejected with exactly its key (and exit code 2).
TEST(ChemistryValidation, EachInvalidValueNamesItsKey) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<BadValue> cases = {
      {"reactions[2].pre_exponential_factor",
       [](Chemistry& c) { c.reactions[2].pre_exponential_factor = -1; }},
      {"reactions[0].activation_energy",
       [](Chemistry& c) { c.reactions[0].activation_energy = -5e4; }},
      {"reactions[1].reactant_content",
       [](Chemistry& c) { c.reactions[1].reactant_content = -10; }},
      {"reactions[0].order_remaining", [](Chemistry& c) { c.reactions[0].order_remaining = 0; }},
      {"reactions[0].order_remaining", [](Chemistry& c) { c.reactions[0].order_remaining = 5; }},
      {"reactions[2].order_converted", [](Chemistry& c) { c.reactions[2].order_converted = -1; }},
      {"reactions[2].order_converted", [](Chemistry& c) { c.reactions[2].order_converted = 4.5; }},
      {"reactions[0].initial_remaining",
       [](Chemistry& c) { c.reactions[0].initial_remaining = 1.2; }},
      {"reactions[2].initial_remaining",
       [](Chemistry& c) { c.reactions[2].initial_remaining = 1.0; }},
      {"reactions[3].reactant_content",
       [](Chemistry& c) { c.reactions[3].reactant_content = 400; }},
      {"reactions[1].heat_of_reaction",
       [nan](Chemistry& c) { c.reactions[1].heat_of_reaction = nan; }},
      {"reactions[1].reference_sei_thickness",
       [](Chemistry& c) { c.reactions[1].reference_sei_thickness = 0; }},
      {"reactions[0].electrolyte_per_reactant",
       [](Chemistry& c) { c.reactions[0].consumes_electrolyte = true; }},
      {"reactions[0].onset_width",
       [](Chemistry& c) {
         c.reactions[0].temperature_onset = true;
         c.reactions[0].onset_temperature = 400;
       }},
      {"reactions[1].switch_temperature",
       [](Chemistry& c) { c.reactions[1].temperature_switch = true; }},
      {"reactions[3].name", [](Chemistry& c) { kernels::set_name(c.reactions[3].name, "sei"); }},
      {"liquid_electrolyte_fraction", [](Chemistry& c) { c.liquid_electrolyte_fraction = -0.01; }},
      {"liquid_electrolyte_fraction", [](Chemistry& c) { c.liquid_electrolyte_fraction = 1.5; }},
      {"liquid_electrolyte_fraction", [nan](Chemistry& c) { c.liquid_electrolyte_fraction = nan; }},
      {"density", [](Chemistry& c) { c.density = 0; }},
      {"heat_capacity", [inf](Chemistry& c) { c.heat_capacity = inf; }},
      {"short_circuit_energy_fraction",
       [](Chemistry& c) { c.short_circuit_energy_fraction = 1.1; }},
      {"short_circuit_time_constant", [](Chemistry& c) { c.short_circuit_time_constant = 0; }},
      {"ejecta_heat_share", [](Chemistry& c) { c.ejecta_heat_share = 1.5; }},
      {"volatile_fraction", [](Chemistry& c) { c.volatile_fraction = -0.1; }},
      // A vent that can open needs its can and orifice (nrel-lco has none: no vent).
      {"free_volume_fraction", [](Chemistry& c) { c.vent_burst_pressure = 1e6; }},
      {"ejecta_heat_share", [](Chemistry& c) { c.ejecta_heat_share = 0.5; }},
      {"reactions[0].gas_yield", [](Chemistry& c) { c.reactions[0].gas_yield = -1; }},
      {"burned_fraction", [](Chemistry& c) { c.burned_fraction = 2; }},
      {"runaway_rate_threshold", [](Chemistry& c) { c.runaway_rate_threshold = -1; }},
      {"reactions", [](Chemistry& c) { c.reaction_count = 0; }},
  };
  for (const BadValue& bad : cases) {
    Chemistry chem = host::find_chemistry("nrel-lco");
    bad.spoil(chem);
    const std::string expected = std::string("chemistries.test.") + bad.key;
    try {
      host::validate(chem, ErrorContext{"pack.toml", 12, "chemistries.test", ""});
      ADD_FAILURE() << "accepted a bad " << expected;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
      EXPECT_EQ(e.exit_code(), 2);
      EXPECT_EQ(e.context().key, expected) << e.what();
      EXPECT_EQ(e.context().file, "pack.toml");
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

// A built-in named after a paper is that paper's model: nrel-lco has no vent, gas, short or fire;
// nrel-lco-vented is the same kinetics with them.
TEST(ChemistryLibrary, NrelLcoIsThePublishedModelAndItsVentedVariantOnlyAddsEvents) {
  const Chemistry nrel = host::find_chemistry("nrel-lco");
  EXPECT_EQ(nrel.vent_burst_pressure, 0.0);
  EXPECT_EQ(nrel.vent_temperature, 0.0);
  EXPECT_EQ(nrel.short_circuit_energy_fraction, 0.0);
  EXPECT_EQ(nrel.burned_fraction, 0.0);
  for (int i = 0; i < nrel.reaction_count; ++i) EXPECT_EQ(nrel.reactions[i].gas_yield, 0.0);
  const Chemistry vented = host::find_chemistry("nrel-lco-vented");
  ASSERT_EQ(vented.reaction_count, nrel.reaction_count);
  for (int i = 0; i < nrel.reaction_count; ++i) {
    EXPECT_EQ(vented.reactions[i].pre_exponential_factor, nrel.reactions[i].pre_exponential_factor);
    EXPECT_EQ(vented.reactions[i].activation_energy, nrel.reactions[i].activation_energy);
    EXPECT_EQ(vented.reactions[i].heat_of_reaction, nrel.reactions[i].heat_of_reaction);
    EXPECT_GT(vented.reactions[i].gas_yield, 0.0);
  }
  EXPECT_GT(vented.vent_burst_pressure, 0.0);
  // The Databank's 18650 body share, 26.8 % (docs/databank.md).
  EXPECT_NEAR(vented.ejecta_heat_share, 1.0 - 0.268, 1e-12);
}

TEST(ChemistryValidation, DisabledEventsAndAllSolidAreValid) {
  Chemistry chem = host::find_chemistry("nrel-lco");
  chem.vent_temperature = 0;             // never vents
  chem.separator_temperature = 0;        // no spontaneous short
  chem.liquid_electrolyte_fraction = 0;  // all-solid: the electrolyte reaction has nothing to eat
  EXPECT_NO_THROW(host::validate(chem));
}

}  // namespace
}  // namespace runaway::testing
