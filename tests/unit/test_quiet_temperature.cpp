// The quiet temperature below which the coupled step skips a voxel's stiff integration: the
// bound it rests on must hold for every built-in chemistry and every reaction state.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::testing {
namespace {

constexpr double kQuietRate = 1e-6;  // K/s, the simulation's default (host/solver/simulation.hpp)

// A reaction state part-way through: every reactant half converted, half the liquid left.
kernels::KineticState half_converted(const kernels::Chemistry& chem) {
  kernels::KineticState s = kernels::initial_kinetic_state(chem);
  for (int i = 0; i < chem.reaction_count; ++i) s.remaining[i] *= 0.5;
  s.electrolyte_left *= 0.5;
  return s;
}

TEST(QuietTemperature, BoundsTheSelfHeatingOfEveryBuiltInChemistry) {
  for (const std::string& name : host::chemistry_names()) {
    SCOPED_TRACE(name);
    const kernels::Chemistry chem = host::find_chemistry(name);
    const double quiet = kernels::quiet_temperature(chem, kQuietRate);
    // The bisection found the crossing of the bound.
    EXPECT_LE(kernels::reaction_heating_bound(chem, quiet), kQuietRate);
    EXPECT_GT(kernels::reaction_heating_bound(chem, quiet + 1e-3), kQuietRate);
    // The bound holds for real states: fresh, and half converted (where n > 0 orders peak).
    for (const kernels::KineticState& state :
         {kernels::initial_kinetic_state(chem), half_converted(chem)}) {
      for (double t : {quiet - 20.0, quiet - 1.0, quiet}) {
        const double rate = std::fabs(kernels::self_heating_rate(chem, t, state));
        EXPECT_LE(rate, kQuietRate) << "at " << t << " K";
      }
    }
    // A pack at 25 C is quiet, and the reactions that make runaway are not skipped: the
    // fastest-starting reaction (SEI decomposition) heats measurably by 100 C.
    EXPECT_GT(quiet, 298.15);
    EXPECT_LT(quiet, 373.15);
    std::printf("%s: quiet below %.2f K\n", name.c_str(), quiet);
  }
}

TEST(QuietTemperature, ZeroRateMeansNoVoxelIsQuiet) {
  const kernels::Chemistry chem = host::find_chemistry("nrel-lco");
  EXPECT_EQ(kernels::quiet_temperature(chem, 0.0), 0.0);
  // A looser rate gives a higher quiet temperature (the bound increases with T).
  EXPECT_GT(kernels::quiet_temperature(chem, 1e-3), kernels::quiet_temperature(chem, 1e-6));
}

}  // namespace
}  // namespace runaway::testing
