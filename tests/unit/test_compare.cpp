// `runaway compare`: the can pressure, vented mass and gas and body / ejecta heat split in the
// Markdown and CSV reports of hand-made summaries, and summarize_results() reading them from
// results.h5 (and leaving them NaN for results written before the series existed).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "host/run/compare.hpp"
#include "host/run/run_case.hpp"
#include "io/hdf5_util.hpp"
#include "io/results_writer.hpp"
#include "support/model_problems.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;
using host::CellOutcome;
using host::RunSummary;

CellOutcome cell(const std::string& name, double peak_pressure, double vented_mass,
                 double vented_gas, double body, double ejecta) {
  CellOutcome c;
  c.name = name;
  c.electrolyte_class = "liquid";
  c.liquid_electrolyte_fraction = 1.0;
  c.onset_time = NAN;
  c.peak_temperature = 300.0;
  c.peak_pressure = peak_pressure;
  c.vented_mass = vented_mass;
  c.vented_gas_mass = vented_gas;
  c.heat_kept_in_body = body;
  c.heat_carried_by_ejecta = ejecta;
  return c;
}

// A run that records the vent series: numbers chosen so that each rounds visibly.
RunSummary vented_run() {
  RunSummary r;
  r.name = "vented";
  r.results = "/runs/vented/results.h5";
  r.cells = {cell("cell#0", 812345.0, 0.01234, 0.004567, 1.5e6, 0.5e6),
             cell("cell#1", 650000.0, 0.0087, 0.00321, 0.9e6, 0.6e6)};
  r.cells[0].onset_time = 30.0;  // a heat split is a runaway's: both ran away
  r.cells[1].onset_time = 60.0;
  r.first_onset = r.last_onset = r.cells_per_minute = r.front_speed = NAN;
  r.peak_pressure = 812345.0;
  r.total_vented_mass = 0.02104;
  r.total_vented_gas_mass = 0.007777;
  r.total_heat_kept_in_body = 2.4e6;
  r.total_heat_carried_by_ejecta = 1.1e6;
  r.end_time = 100.0;
  r.verdict = "no runaway in 2 cells over 100 s";
  return r;
}

// A run from results written before the vent series existed: all of them NaN.
RunSummary older_run() {
  RunSummary r;
  r.name = "older";
  r.results = "/runs/older/results.h5";
  r.cells = {cell("cell#0", NAN, NAN, NAN, NAN, NAN), cell("cell#1", NAN, NAN, NAN, NAN, NAN)};
  r.first_onset = r.last_onset = r.cells_per_minute = r.front_speed = NAN;
  r.end_time = 100.0;
  r.verdict = "no runaway in 2 cells over 100 s";
  return r;
}

// A run from results written after the other vent series but before the vented gas: that NaN.
RunSummary no_gas_run() {
  RunSummary r = vented_run();
  r.name = "no-gas";
  for (CellOutcome& c : r.cells) c.vented_gas_mass = NAN;
  r.total_vented_gas_mass = NAN;
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const std::string& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(line);
  while (std::getline(in, part, ',')) parts.push_back(part);
  if (!line.empty() && line.back() == ',') parts.emplace_back();
  return parts;
}

// The rows of a CSV table under `header_start`, each as column name -> text.
std::vector<std::map<std::string, std::string>> csv_table(const std::string& csv,
                                                          const std::string& header_start) {
  const auto lines = lines_of(csv);
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind(header_start, 0) != 0) continue;
    const auto header = split(lines[i]);
    for (std::size_t j = i + 1; j < lines.size() && !lines[j].empty(); ++j) {
      const auto values = split(lines[j]);
      EXPECT_EQ(values.size(), header.size()) << lines[j];
      std::map<std::string, std::string> row;
      for (std::size_t k = 0; k < header.size() && k < values.size(); ++k) {
        row[header[k]] = values[k];
      }
      rows.push_back(row);
    }
    break;
  }
  return rows;
}

TEST(CompareReport, MarkdownHasThePressureVentAndHeatSplitRows) {
  const std::string md = host::compare_markdown({vented_run(), older_run()});
  // Per run: max over cells, sums, and the share of the summed heats; "-" where not recorded.
  EXPECT_TRUE(has_line(md, "| peak can pressure (kPa) | 812.3 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| vented mass (kg) | 0.0210 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| vented gas (kg) | 0.0078 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| heat kept in cells (MJ) | 2.400 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| heat carried out by ejecta (MJ) | 1.100 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| body share of cell heat (%) | 68.6 | - |")) << md;  // 2.4 / 3.5
  // Per cell, in kPa and kJ.
  EXPECT_TRUE(has_line(md, "| cell 0 peak can pressure (kPa) | 812.3 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 peak can pressure (kPa) | 650.0 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 0 vented mass (kg) | 0.0123 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 vented mass (kg) | 0.0087 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 0 vented gas (kg) | 0.0046 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 vented gas (kg) | 0.0032 | - |")) << md;
  // Gas right after the liquid, per run and per cell.
  EXPECT_LT(md.find("| vented mass (kg)"), md.find("| vented gas (kg)"));
  EXPECT_LT(md.find("| vented gas (kg)"), md.find("| heat kept in cells (MJ)"));
  EXPECT_LT(md.find("| cell 1 vented mass (kg)"), md.find("| cell 0 vented gas (kg)"));
  EXPECT_LT(md.find("| cell 1 vented gas (kg)"), md.find("| cell 0 heat kept in body (kJ)"));
  EXPECT_TRUE(has_line(md, "| cell 0 heat kept in body (kJ) | 1500.0 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 heat carried by ejecta (kJ) | 600.0 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 0 body share of heat (%) | 75.0 | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 body share of heat (%) | 60.0 | - |")) << md;
  // The per-run rows come before the per-cell ones, and the older rows stay as they were.
  EXPECT_LT(md.find("| body share of cell heat (%)"), md.find("| cell 0 onset (s)"));
  EXPECT_TRUE(has_line(md, "| cell 0 onset (s) | 30.0 | - |")) << md;
}

TEST(CompareReport, MarkdownLeavesOutPerCellVentRowsNoRunRecords) {
  const std::string md = host::compare_markdown({older_run()});
  EXPECT_TRUE(has_line(md, "| peak can pressure (kPa) | - |")) << md;
  EXPECT_TRUE(has_line(md, "| body share of cell heat (%) | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 onset (s) | - |")) << md;
  EXPECT_TRUE(has_line(md, "| vented gas (kg) | - |")) << md;
  EXPECT_EQ(md.find("cell 0 peak can pressure"), std::string::npos) << md;
  EXPECT_EQ(md.find("cell 0 vented gas"), std::string::npos) << md;
  EXPECT_EQ(md.find("cell 0 body share"), std::string::npos) << md;
}

TEST(CompareReport, MarkdownLeavesOutPerCellGasRowsNoRunRecords) {
  // Results with the other vent series but not the vented gas: its per-cell rows only are left
  // out, its per-run row says "-".
  const std::string md = host::compare_markdown({no_gas_run(), older_run()});
  EXPECT_TRUE(has_line(md, "| vented gas (kg) | - | - |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 0 vented mass (kg) | 0.0123 | - |")) << md;
  EXPECT_EQ(md.find("cell 0 vented gas"), std::string::npos) << md;
  // With one run that records it, every run gets the rows.
  const std::string both = host::compare_markdown({no_gas_run(), vented_run()});
  EXPECT_TRUE(has_line(both, "| vented gas (kg) | - | 0.0078 |")) << both;
  EXPECT_TRUE(has_line(both, "| cell 1 vented gas (kg) | - | 0.0032 |")) << both;
}

TEST(CompareReport, CsvHasThePressureVentAndHeatSplitColumnsInSiUnits) {
  const std::string csv = host::compare_csv({vented_run(), older_run()});
  const auto runs = csv_table(csv, "run,results,");
  ASSERT_EQ(runs.size(), 2u) << csv;
  EXPECT_EQ(runs[0].at("peak_pressure_Pa"), "812345");
  EXPECT_EQ(runs[0].at("vented_mass_kg"), "0.02104");
  EXPECT_EQ(runs[0].at("vented_gas_kg"), "0.007777");
  EXPECT_EQ(runs[0].at("heat_kept_in_body_J"), "2400000");
  EXPECT_EQ(runs[0].at("heat_carried_by_ejecta_J"), "1100000");
  EXPECT_EQ(runs[0].at("body_share"), "0.685714286");
  EXPECT_EQ(runs[0].at("verdict"), "\"no runaway in 2 cells over 100 s\"");
  for (const char* column : {"peak_pressure_Pa", "vented_mass_kg", "vented_gas_kg",
                             "heat_kept_in_body_J", "heat_carried_by_ejecta_J", "body_share"}) {
    EXPECT_EQ(runs[1].at(column), "") << column;  // NaN: empty
  }

  const auto cells = csv_table(csv, "run,cell,");
  ASSERT_EQ(cells.size(), 4u) << csv;
  EXPECT_EQ(cells[0].at("run"), "vented");
  EXPECT_EQ(cells[0].at("cell"), "cell#0");
  EXPECT_EQ(cells[0].at("peak_pressure_Pa"), "812345");
  EXPECT_EQ(cells[0].at("vented_mass_kg"), "0.01234");
  EXPECT_EQ(cells[0].at("vented_gas_kg"), "0.004567");
  EXPECT_EQ(cells[1].at("vented_gas_kg"), "0.00321");
  EXPECT_EQ(cells[0].at("heat_kept_in_body_J"), "1500000");
  EXPECT_EQ(cells[0].at("heat_carried_by_ejecta_J"), "500000");
  EXPECT_EQ(cells[0].at("body_share"), "0.75");
  EXPECT_EQ(cells[1].at("peak_pressure_Pa"), "650000");
  EXPECT_EQ(cells[1].at("body_share"), "0.6");
  EXPECT_EQ(cells[3].at("run"), "older");
  EXPECT_EQ(cells[3].at("peak_pressure_Pa"), "");
  EXPECT_EQ(cells[3].at("vented_gas_kg"), "");
  EXPECT_EQ(cells[3].at("body_share"), "");

  // vented_gas_kg comes right after vented_mass_kg in both tables.
  for (const char* header : {"run,results,", "run,cell,"}) {
    for (const std::string& line : lines_of(csv)) {
      if (line.rfind(header, 0) != 0) continue;
      EXPECT_NE(line.find(",vented_mass_kg,vented_gas_kg,heat_kept_in_body_J,"), std::string::npos)
          << line;
    }
  }
}

// A results.h5 of two cells over three samples, through the writer the runs use.
void write_results(const fs::path& dir) {
  io::ModelData model = patterned_model(4, 3, 3);
  model.cells.columns = {
      {"name", "", std::vector<std::string>{"a#0", "b#1"}},
      {"electrolyte_class", "", std::vector<std::string>{"liquid", "liquid"}},
      {"liquid_electrolyte_fraction", "1", std::vector<double>{1.0, 1.0}},
      {"centre_x", "m", std::vector<double>{0.0, 0.05}},
      {"centre_y", "m", std::vector<double>{0.0, 0.0}},
      {"centre_z", "m", std::vector<double>{0.0, 0.0}},
  };
  io::ResultsOptions options;
  options.fields = io::standard_fields({});
  options.cell_state_names = {"normal"};
  options.config_path = "/inputs/pack.toml";
  io::ResultsWriter writer(dir, model, options);
  // Pressure peaks mid-run and falls once the vent opens; the cumulative series only grow.
  const double pressure[3][2] = {{1.0e5, 1.0e5}, {9.0e5, 3.0e5}, {2.0e5, 4.0e5}};
  for (int k = 0; k < 3; ++k) {
    io::CellSample s;
    s.time = 10.0 * k;
    for (int c = 0; c < 2; ++c) {
      s.mean_temperature.push_back(300.0);
      s.max_temperature.push_back(300.0 + k);
      s.heat_released.push_back(1.0e3 * k);
      s.pressure.push_back(pressure[k][c]);
      s.vent_mass_flow.push_back(1.0e-4 * k);
      s.vented_mass.push_back(1.0e-3 * k * (c + 1));
      s.vented_gas_mass.push_back(2.5e-4 * k * (c + 1));
      s.heat_kept_in_body.push_back(4.0e4 * k * (c + 1));
      s.heat_carried_by_ejecta.push_back(1.0e4 * k * (c + 1));
      // The plume: cell 0's fire (2 kJ per sample) puts 10 % on cell 1, 5 % on the enclosure.
      s.combustion_heat.push_back(c == 0 ? 2.0e3 * k : 0.0);
      s.unburnt_fuel_heat.push_back(0.0);
      s.plume_heat_to_self.push_back(0.0);
      s.plume_heat_to_other_cells.push_back(c == 0 ? 2.0e2 * k : 0.0);
      s.plume_heat_to_enclosure.push_back(c == 0 ? 1.0e2 * k : 0.0);
      s.plume_heat_carried_out.push_back(c == 0 ? 1.7e3 * k : 0.0);
      s.plume_heat_received.push_back(c == 1 ? 2.0e2 * k : 0.0);
      s.plume_fire_heat_received.push_back(c == 1 ? 1.5e2 * k : 0.0);
      s.heat_in_gas_conduction.push_back(1.0e2 * k);
      s.heat_in_gap_radiation.push_back(c == 1 ? 3.0e3 * k : -3.0e3 * k);
      s.heat_in_solid_contact.push_back(0.0);
      s.heat_in_cell_contact.push_back(0.0);
      s.heat_in_boundary.push_back(-10.0 * k);
      s.state.push_back(0);
    }
    writer.append_cell_sample(s);
  }
  writer.finish();
}

TEST(CompareSummary, ReadsPeakPressureVentedMassAndHeatSplitFromResults) {
  const ScratchDir temp("runaway-compare");
  write_results(temp.path() / "run");
  const RunSummary s = host::summarize_results(temp.path() / "run");
  ASSERT_EQ(s.cells.size(), 2u);
  EXPECT_EQ(s.cells[0].peak_pressure, 9.0e5);  // the highest sample, not the last
  EXPECT_EQ(s.cells[1].peak_pressure, 4.0e5);
  EXPECT_EQ(s.cells[0].vented_mass, 2.0e-3);  // the last sample
  EXPECT_EQ(s.cells[1].vented_mass, 4.0e-3);
  EXPECT_EQ(s.cells[1].heat_kept_in_body, 1.6e5);
  EXPECT_EQ(s.cells[1].heat_carried_by_ejecta, 4.0e4);
  // No cell ran away in this file: a split is only given for a runaway.
  EXPECT_TRUE(std::isnan(s.cells[0].body_share()));
  host::CellOutcome ran = s.cells[0];
  ran.onset_time = 5.0;
  EXPECT_EQ(ran.body_share(), 0.8);
  EXPECT_EQ(s.peak_pressure, 9.0e5);
  EXPECT_DOUBLE_EQ(s.total_vented_mass, 6.0e-3);
  EXPECT_EQ(s.cells[0].vented_gas_mass, 5.0e-4);  // the last sample
  EXPECT_EQ(s.cells[1].vented_gas_mass, 1.0e-3);
  EXPECT_DOUBLE_EQ(s.total_vented_gas_mass, 1.5e-3);
  // The plume's books: the last sample, per cell and summed.
  EXPECT_EQ(s.cells[0].combustion_heat, 4.0e3);
  EXPECT_EQ(s.cells[0].plume_heat_to_other_cells, 4.0e2);
  EXPECT_EQ(s.cells[1].plume_heat_received, 4.0e2);
  EXPECT_EQ(s.total_plume_heat_to_cells, 4.0e2);
  EXPECT_EQ(s.total_plume_heat_to_enclosure, 2.0e2);
  EXPECT_EQ(s.total_plume_heat_carried_out, 3.4e3);
  // ... and compare shows them.
  const auto run_rows = csv_table(host::compare_csv({s}), "run,results,");
  ASSERT_EQ(run_rows.size(), 1u);
  EXPECT_EQ(run_rows[0].at("vented_gas_kg"), "0.0015");
  const auto cell_rows = csv_table(host::compare_csv({s}), "run,cell,");
  ASSERT_EQ(cell_rows.size(), 2u);
  EXPECT_EQ(cell_rows[0].at("vented_gas_kg"), "0.0005");
  EXPECT_EQ(cell_rows[1].at("vented_gas_kg"), "0.001");
  const std::string md = host::compare_markdown({s});
  EXPECT_TRUE(has_line(md, "| vented gas (kg) | 0.0015 |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 0 vented gas (kg) | 0.0005 |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 vented gas (kg) | 0.0010 |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 plume heat received (kJ) | 0.4 |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 1 heat in by gap radiation (kJ) | 6.0 |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 0 heat in by gap radiation (kJ) | -6.0 |")) << md;
  EXPECT_TRUE(has_line(md, "| cell 0 own plume onto other cells (kJ) | 0.4 |")) << md;

  // Results written before the vented gas series (but after the others): that alone is NaN.
  const fs::path results = temp.path() / "run" / "results.h5";
  {
    io::h5::Handle file = io::h5::open_file(results.string(), H5F_ACC_RDWR, false);
    io::h5::check(H5Ldelete(file.get(), "cells/vented_gas_mass", H5P_DEFAULT), "vented_gas_mass");
  }
  const RunSummary no_gas = host::summarize_results(temp.path() / "run");
  EXPECT_TRUE(std::isnan(no_gas.cells[0].vented_gas_mass));
  EXPECT_TRUE(std::isnan(no_gas.total_vented_gas_mass));
  EXPECT_EQ(no_gas.total_vented_mass, s.total_vented_mass);
  EXPECT_EQ(no_gas.peak_pressure, s.peak_pressure);
  EXPECT_EQ(no_gas.body_share(), s.body_share());
  EXPECT_EQ(s.total_heat_kept_in_body, 2.4e5);
  EXPECT_EQ(s.total_heat_carried_by_ejecta, 6.0e4);
  EXPECT_EQ(s.body_share(), 0.8);

  // Results written before the series existed: the outcomes are NaN, the rest as before.
  {
    io::h5::Handle file = io::h5::open_file(results.string(), H5F_ACC_RDWR, false);
    for (const char* name : {"pressure", "vent_mass_flow", "vented_mass", "heat_kept_in_body",
                             "heat_carried_by_ejecta"}) {
      io::h5::check(H5Ldelete(file.get(), (std::string("cells/") + name).c_str(), H5P_DEFAULT),
                    name);
    }
  }
  const RunSummary older = host::summarize_results(temp.path() / "run");
  EXPECT_TRUE(std::isnan(older.cells[0].peak_pressure));
  EXPECT_TRUE(std::isnan(older.cells[1].vented_mass));
  EXPECT_TRUE(std::isnan(older.cells[1].body_share()));
  EXPECT_TRUE(std::isnan(older.peak_pressure));
  EXPECT_TRUE(std::isnan(older.total_vented_mass));
  EXPECT_TRUE(std::isnan(older.total_vented_gas_mass));
  EXPECT_TRUE(std::isnan(older.total_heat_kept_in_body));
  EXPECT_TRUE(std::isnan(older.body_share()));
  EXPECT_EQ(older.total_heat_released, s.total_heat_released);
  EXPECT_EQ(older.peak_temperature, 302.0);
}

}  // namespace
}  // namespace runaway::testing
