// The vent plume outside the cell (kernels/vent_plume.hpp, host/solver/vent_plume.*): the stream
// cools as a heat exchanger whatever the path's split into nodes, its paths in an open module and
// under a lid, the fire's oxygen, and the energy books of a venting, burning cell to round-off.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "host/config/config.hpp"
#include "host/solver/simulation.hpp"
#include "host/solver/simulation_setup.hpp"
#include "host/solver/vent_plume.hpp"
#include "kernels/backend.hpp"
#include "kernels/kinetics.hpp"
#include "kernels/vent_plume.hpp"
#include "support/simulation_problems.hpp"

namespace runaway::testing {
namespace {

// A stream of capacity rate C over surfaces at Ts with total conductance UA leaves at
// Ts + (T_f - Ts) exp(-UA / C): the same whether the path is one node or a hundred.
TEST(VentPlume, StreamCoolsExponentiallyWhateverTheNodeSplit) {
  const double capacity = 2.5, ua = 7.0, t_flame = 1273.15, t_surface = 350.0;
  const double expected = t_surface + (t_flame - t_surface) * std::exp(-ua / capacity);
  for (int nodes : {1, 3, 100}) {
    double t = t_flame, given = 0;
    for (int n = 0; n < nodes; ++n) {
      const double node_ua = ua / nodes;
      const double q = kernels::plume_node_heat(capacity, t, node_ua, node_ua * t_surface);
      // The faces' shares add up to the node's heat.
      EXPECT_NEAR(kernels::plume_face_factor(capacity, node_ua) * node_ua * (t - t_surface), q,
                  1e-12 * q);
      given += q;
      t -= q / capacity;
    }
    EXPECT_NEAR(t, expected, 1e-9 * expected) << nodes << " nodes";
    EXPECT_NEAR(given, capacity * (t_flame - expected), 1e-9 * given);
  }
  // A point source radiates A cos / (4 pi R^2) onto a face: a whole sphere takes all of it.
  EXPECT_NEAR(kernels::point_source_share(4 * M_PI, 1.0, 1.0), 1.0, 1e-15);
  EXPECT_EQ(kernels::point_source_share(1.0, -0.5, 1.0), 0.0);  // the face looks away
  // The flat-plate correlation: laminar 0.332 Re^1/2 Pr^1/3 k / x below Re_x = 5e5, turbulent
  // 0.0296 Re^4/5 Pr^1/3 k / x above; hand values for 15 g/s through 4 cm^2 at 1 cm, and through
  // 4 cm^2 at 1 m.
  {
    const double u = 0.015 / (kernels::kPlumeGasDensity * 4e-4);
    const double re = kernels::kPlumeGasDensity * u * 0.01 / kernels::kPlumeGasViscosity;
    ASSERT_LT(re, kernels::kTransitionReynolds);
    const double laminar = 0.332 * std::sqrt(re) * std::cbrt(0.745) * 0.0763 / 0.01;
    EXPECT_NEAR(kernels::plume_heat_transfer_coefficient(0.015, 4e-4, 0.01), laminar,
                1e-12 * laminar);
    const double re_far = re * 100.0;
    ASSERT_GT(re_far, kernels::kTransitionReynolds);
    const double turbulent = 0.0296 * std::pow(re_far, 0.8) * std::cbrt(0.745) * 0.0763 / 1.0;
    EXPECT_NEAR(kernels::plume_heat_transfer_coefficient(0.015, 4e-4, 1.0), turbulent,
                1e-12 * turbulent);
    EXPECT_EQ(kernels::plume_heat_transfer_coefficient(0.0, 4e-4, 0.01), 0.0);  // no flow
  }
  // A face takes at most the net exchange with a black flame filling its view.
  EXPECT_NEAR(kernels::flame_radiation_limit(1273.15, 300.0, 1e-4, 0.5),
              5.670374419e-8 * (std::pow(1273.15, 4) - std::pow(300.0, 4)) * 1e-4 * 0.5, 1e-12);
  EXPECT_EQ(kernels::flame_radiation_limit(1273.15, 1300.0, 1e-4, 0.5), 0.0);
  EXPECT_EQ(kernels::oxygen_limited_heat(5e6, 0.1, false), 0.1 * kernels::kHeatPerOxygenMass);
  EXPECT_EQ(kernels::oxygen_limited_heat(5e6, 0.1, true), 5e6);
}

meshes::VoxelModel example_model(const std::vector<std::string>& overrides) {
  const std::string file =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml";
  return host::build_voxel_model(host::load_pack_config(file, overrides));
}

// The open 12-cell module: the plume of a middle cell rises out of the top, its fire's radiation
// reaches both neighbours alike, and its gas region is open (fresh air).
TEST(VentPlume, OpenModuleRadiatesOntoBothNeighboursAndLeavesThroughTheTop) {
  const meshes::VoxelModel model = example_model({});
  std::vector<std::int32_t> region;
  const std::vector<host::GasRegion> regions = host::find_gas_regions(model, &region);
  const int middle = 5;
  const host::PlumePath path =
      host::trace_plume_path(model, model.cells[std::size_t(middle)], region);
  ASSERT_GE(path.gas_region, 0);
  EXPECT_TRUE(regions[std::size_t(path.gas_region)].open);
  EXPECT_GT(path.rise_layers, 0);
  EXPECT_EQ(path.ceiling_rings, 0);  // no lid: the plume leaves through the top
  double to_cell[12] = {};
  for (const host::PlumeView& v : path.radiation) {
    const std::int32_t cell = model.cell[std::size_t(v.voxel)];
    if (cell >= 0) to_cell[cell] += v.share;
  }
  std::printf("open module, cell 5's fire: radiation share %.4f; cells 4/5/6 take %.4f/%.4f/%.4f\n",
              path.radiation_share, to_cell[4], to_cell[5], to_cell[6]);
  EXPECT_GT(to_cell[middle - 1], 1e-3);
  EXPECT_NEAR(to_cell[middle - 1], to_cell[middle + 1], 0.05 * to_cell[middle - 1]);
  EXPECT_GT(path.radiation_share, 0.1);
  EXPECT_LE(path.radiation_share, 1.0);
}

bool same_path(const host::PlumePath& a, const host::PlumePath& b) {
  auto same_faces = [](const std::vector<host::PlumeFace>& x,
                       const std::vector<host::PlumeFace>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const auto& f, const auto& g) {
      return f.voxel == g.voxel && f.node == g.node && f.area == g.area;
    });
  };
  auto same_views = [](const std::vector<host::PlumeView>& x,
                       const std::vector<host::PlumeView>& y) {
    return std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const auto& v, const auto& w) {
      return v.voxel == w.voxel && v.share == w.share && v.area == w.area;
    });
  };
  return same_faces(a.faces, b.faces) && a.node_area == b.node_area &&
         a.node_flow_area == b.node_flow_area && a.node_distance == b.node_distance &&
         same_views(a.radiation, b.radiation) && a.radiation_share == b.radiation_share &&
         a.gas_region == b.gas_region && a.rise_layers == b.rise_layers &&
         a.ceiling_rings == b.ceiling_rings;
}

// The set-up traces every cell's path on the OpenMP team (the MG4 pack's 312 paths were most of
// its set-up): each is the path traced alone, bit for bit, whatever the team.
TEST(VentPlume, EveryCellsPathTracedByTheTeamIsThePathTracedAlone) {
  const meshes::VoxelModel model =
      example_model({"enclosure.wall_thickness=0.004", "enclosure.wall_material=\"steel\"",
                     "module.position=[0.0185, 0.016, 0.012]"});  // ceiling jets too
  std::vector<std::int32_t> region;
  host::find_gas_regions(model, &region);
  std::vector<host::PlumePath> alone;
  for (const meshes::CellInfo& cell : model.cells) {
    alone.push_back(host::trace_plume_path(model, cell, region));
  }
  ASSERT_EQ(alone.size(), 12u);
  EXPECT_GT(alone[5].ceiling_rings, 0);
  struct TeamKept {  // the team of the tests that follow, also when an assertion returns early
    int threads = omp_get_max_threads();
    ~TeamKept() { omp_set_num_threads(threads); }
  } kept;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    const std::vector<host::PlumePath> paths = host::trace_plume_paths(model, region);
    ASSERT_EQ(paths.size(), alone.size());
    for (std::size_t c = 0; c < alone.size(); ++c) {
      EXPECT_TRUE(same_path(paths[c], alone[c])) << "cell " << c << ", " << threads << " threads";
    }
  }
}

// Under a lid the plume turns into a ceiling jet that reaches the neighbours' tops, and the
// sealed enclosure's air holds a known mass of oxygen.
TEST(VentPlume, SealedEnclosureTurnsThePlumeIntoACeilingJetWithFiniteOxygen) {
  const meshes::VoxelModel model =
      example_model({"enclosure.wall_thickness=0.004", "enclosure.wall_material=\"steel\"",
                     "module.position=[0.0185, 0.016, 0.012]"});  // on the plate the floor lifts
  std::vector<std::int32_t> region;
  const std::vector<host::GasRegion> regions = host::find_gas_regions(model, &region);
  const host::PlumePath path = host::trace_plume_path(model, model.cells[5], region);
  ASSERT_GE(path.gas_region, 0);
  const host::GasRegion& gas = regions[std::size_t(path.gas_region)];
  EXPECT_FALSE(gas.open);
  // Air at 1.16 kg/m^3 (the gaps' and the enclosure's gas alike, to 1 %).
  EXPECT_NEAR(gas.oxygen_mass, kernels::kOxygenMassFractionOfAir * 1.16 * gas.volume,
              0.01 * gas.oxygen_mass);
  EXPECT_GT(path.ceiling_rings, 5);
  double neighbour = 0;
  for (const host::PlumeFace& f : path.faces) {
    if (model.cell[std::size_t(f.voxel)] == 4 || model.cell[std::size_t(f.voxel)] == 6) {
      neighbour += f.area;
    }
  }
  EXPECT_GT(neighbour, 0.0);  // the jet touches the neighbours' tops
}

// A venting, burning cell in a frame, its plume over the frame's top and its fire radiating onto
// the frame's sides, its fire starved by a sealed region's oxygen: the energy closes to 1e-9,
// reactions + short + fire = gained + carried out of the pack, and the fire stops at the oxygen.
TEST(VentPlume, VentingBurningCellClosesEnergyWithPlumeAndOxygen) {
  auto backend = kernels::make_openmp_backend();
  const kernels::Chemistry chem = host::find_chemistry("nmc-liquid-50ah");
  ASSERT_GT(chem.burned_fraction * chem.heat_of_combustion, 0.0);
  const int n = 4, frame = 2, side = n + 2 * frame;
  auto run = [&](bool sealed, double oxygen) {
    host::SimulationInput in = jelly_block(chem, n, true);
    in.cells[0].stored_energy = 2e3;
    in.conduction.initial_temperature = 520;  // vents at once; shorts and runs away later
    in.control.end_time = 200;
    in.control.max_dt = 0.1;
    host::PlumePath& plume = in.cells[0].plume;
    const double area = 4e-6;  // 2 mm voxels
    plume.node_area = {0.0, 0.0};
    plume.node_flow_area = {4e-4, 8e-4};  // a 2 x 2 cm column, then a wider spread
    plume.node_distance = {5e-3, 2e-2};
    for (int j = 0; j < side; ++j) {
      for (int i = 0; i < side; ++i) {
        const std::int64_t top = (std::int64_t(side - 1) * side + j) * side + i;
        const int node = j < side / 2 ? 0 : 1;
        plume.faces.push_back({top, node, area});
        plume.node_area[std::size_t(node)] += area;
        const std::int64_t wall = (std::int64_t(3) * side + j) * side + 0;  // the x- side
        if (i == 0) plume.radiation.push_back({wall, 0.4 / side, area});
      }
    }
    plume.radiation_share = 0.4;
    plume.gas_region = 0;
    in.gas_regions = {{1e-3, oxygen, !sealed}};
    host::Simulation sim(*backend, in);
    const double e0 = sim.conduction().thermal_energy();
    sim.run();
    const host::CellRecord& rec = sim.cells()[0];
    const double reactions = reaction_heat_in_fields(sim, chem);
    const double gained = sim.conduction().thermal_energy() - e0;
    const double released = reactions + rec.short_circuit_heat() + rec.combustion_heat;
    const double deposited =
        rec.plume_heat_to_self + rec.plume_heat_to_other_cells + rec.plume_heat_to_enclosure;
    std::printf(
        "%s: reactions %.6g + short %.6g + fire %.6g J = gained %.6g + out %.6g J (gap %.3g); "
        "plume on enclosure %.6g J, on itself %.6g J; unburnt %.6g J\n",
        sealed ? "sealed" : "open", reactions, rec.short_circuit_heat(), rec.combustion_heat,
        gained, rec.plume_heat_carried_out, released - gained - rec.plume_heat_carried_out,
        rec.plume_heat_to_enclosure, rec.plume_heat_to_self, rec.unburnt_fuel_heat);
    EXPECT_NEAR(released, gained + rec.plume_heat_carried_out, 1e-9 * released);
    EXPECT_NEAR(gained, sim.total_heat_released(), 1e-9 * released);
    EXPECT_NEAR(rec.heat_carried_by_ejecta() + rec.combustion_heat,
                deposited + rec.plume_heat_carried_out, 1e-9 * released);
    EXPECT_GT(rec.plume_heat_to_enclosure, 0.05 * rec.heat_carried_by_ejecta());
    EXPECT_EQ(rec.plume_heat_to_self, 0.0);  // the frame is outside the cell
    EXPECT_EQ(rec.plume_heat_received, rec.plume_heat_to_self);
    return std::pair{rec.combustion_heat, rec.unburnt_fuel_heat};
  };
  const auto [open_fire, open_unburnt] = run(false, 1e-4);
  EXPECT_GT(open_fire, 0.0);
  EXPECT_EQ(open_unburnt, 0.0);
  // Sealed with a quarter of the oxygen the open fire burnt: it burns exactly that, no more.
  const double oxygen = 0.25 * open_fire / kernels::kHeatPerOxygenMass;
  const auto [sealed_fire, sealed_unburnt] = run(true, oxygen);
  EXPECT_NEAR(sealed_fire, oxygen * kernels::kHeatPerOxygenMass, 1e-9 * open_fire);
  EXPECT_NEAR(sealed_fire + sealed_unburnt, open_fire, 0.05 * open_fire);
}

}  // namespace
}  // namespace runaway::testing

namespace runaway::testing {
namespace {

// The heat-pathway books (kernels/heat_pathways.hpp) account for what each cell gained: for a
// cell no heater touches, the change of its rho cp T V equals the heat its reactions kept plus
// what entered through its surface (gas conduction, gap radiation, solids, cells, boundary) plus
// what plumes put on it, to the first-order error of evaluating each step's flux at its end.
// The hot cell's neighbour takes heat by radiation across the gap, and gives none back.
TEST(HeatPathways, BooksAccountForWhatANeighbourGained) {
  const std::string file =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_12_prismatic_liquid.toml";
  const host::PackConfig config = host::load_pack_config(
      file, {"module.cells=[3, 1, 1]", "enclosure.size=[0.1425, 0.180, 0.132]", "run.end_time=120",
             "run.dt_max=0.5"});
  const meshes::VoxelModel model = host::build_voxel_model(config);
  host::SimulationInput in = host::make_simulation_input(config, model);
  auto backend = kernels::make_openmp_backend();
  host::Simulation sim(*backend, in);
  auto cell_energy = [&](int cell) {
    const std::vector<double> t = sim.temperature_field();
    const double volume = sim.conduction().spacing().volume();
    double e = 0;
    for (std::size_t v = 0; v < t.size(); ++v) {
      if (in.cell_ids[v] != cell) continue;
      const kernels::ThermalMaterial& m = in.conduction.materials[in.conduction.material_ids[v]];
      e += m.density * m.heat_capacity * t[v] * volume;
    }
    return e;
  };
  const double e0 = cell_energy(1);
  sim.run();
  const host::CellRecord& rec = sim.cells()[1];
  double surface = 0;
  for (double p : rec.pathway_heat) surface += p;
  const double gained = cell_energy(1) - e0;
  const double booked = rec.heat_kept_in_body() + surface + rec.plume_heat_received;
  std::printf(
      "cell 1 gained %.1f J; booked %.1f J = body %.1f + gas %.1f + gap radiation %.1f + solids "
      "%.1f + cells %.1f + boundary %.1f + plume %.1f (fire %.1f)\n",
      gained, booked, rec.heat_kept_in_body(), rec.pathway_heat[0], rec.pathway_heat[1],
      rec.pathway_heat[2], rec.pathway_heat[3], rec.pathway_heat[4], rec.plume_heat_received,
      rec.plume_fire_heat_received);
  ASSERT_GT(gained, 1e3);  // J: the heated cell warmed its neighbour
  EXPECT_NEAR(booked, gained, 0.03 * gained);
  EXPECT_GT(rec.pathway_heat[1], 0.05 * gained);  // radiation across the 2 mm gap counts
  EXPECT_GT(sim.cells()[0].pathway_heat[1], -1e9);
  EXPECT_LT(sim.cells()[0].pathway_heat[1], 0.0);  // the hot cell loses by radiation
}

}  // namespace
}  // namespace runaway::testing
