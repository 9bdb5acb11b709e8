// `runaway cell`: 0D abuse tests of one cell (adiabatic, oven, ARC heat-wait-seek) with the same
// kinetics kernels as the 3D solver. Prints the summary; -o writes the time series as CSV.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "host/chemistry/chemistry_library.hpp"
#include "host/cli/cli.hpp"
#include "host/config/cell_test_input.hpp"
#include "host/solver/cell_model.hpp"

namespace runaway::host {

void add_cell_command(CLI::App& app);

namespace {

struct CellCommandArguments {
  std::string chemistry;  // empty: the cell type's, else nrel-lco
  std::string file;       // --config: a chemistry file or a pack
  std::string cell_type;
  std::vector<std::string> chemistry_overrides;
  std::optional<double> volume, surface_area, capacity_ah, voltage, state_of_charge;
  std::string mode = "adiabatic";
  double start_temperature = 0;  // K; used when given, else a default that depends on the mode
  bool start_temperature_given = false;
  double oven_temperature = 473.15;
  double oven_ramp_rate = 5.0 / 60.0;
  double heat_transfer_coefficient = 10.0;
  double end_time = 0;  // s; used when given, else 1 day (10 days for the ARC)
  bool end_time_given = false;
  double nail_time = -1.0;
  double heater_power = 100.0;
  std::vector<double> critical_oven;  // LOW, HIGH: bisect for the critical oven temperature
  std::string output;
  bool list = false;
};

void run_cell_command(const CellCommandArguments& a) {
  if (a.list) {
    for (const std::string& name : chemistry_names()) {
      const ChemistryEntry& e = find_chemistry_entry(name);
      fmt::print("{:<20} {:<10} f = {:.3f}  {:<18} {}\n", name,
                 kernels::electrolyte_class_name(
                     kernels::classify_electrolyte(e.chemistry.liquid_electrolyte_fraction)),
                 e.chemistry.liquid_electrolyte_fraction, provenance_name(e.provenance), e.source);
    }
    return;
  }
  CellTestRequest request;
  request.file = a.file;
  request.chemistry = a.chemistry;
  request.cell_type = a.cell_type;
  request.chemistry_overrides = a.chemistry_overrides;
  request.jelly_roll_volume = a.volume;
  request.surface_area = a.surface_area;
  request.capacity_ah = a.capacity_ah;
  request.voltage = a.voltage;
  request.state_of_charge = a.state_of_charge;
  const CellTestInput input = resolve_cell_test_input(request);
  CellTestOptions options;
  options.mode = parse_cell_test_mode(a.mode, "--mode");
  if (!a.critical_oven.empty()) options.mode = CellTestMode::kOven;  // a search of oven tests
  // Adiabatic runs start hot enough to run away within the default end time; oven and heater
  // tests start at room temperature (25 °C) and ARC at 40 °C, as such tests do.
  if (a.start_temperature_given) {
    options.start_temperature = a.start_temperature;
  } else if (options.mode == CellTestMode::kAdiabatic) {
    options.start_temperature = 423.15;
  } else if (options.mode == CellTestMode::kArc) {
    options.start_temperature = 313.15;
  } else {
    options.start_temperature = 298.15;
  }
  options.oven_temperature = a.oven_temperature;
  options.oven_ramp_rate = a.oven_ramp_rate;
  options.heat_transfer_coefficient = a.heat_transfer_coefficient;
  options.end_time =
      a.end_time_given ? a.end_time : (options.mode == CellTestMode::kArc ? 10.0 : 1.0) * 86400.0;
  options.nail_time = a.nail_time;
  options.heater_power = a.heater_power;
  if (!a.critical_oven.empty()) {
    const CriticalOvenTemperature c = find_critical_oven_temperature(
        input.chemistry, input.cell, options, a.critical_oven[0], a.critical_oven[1]);
    fmt::print("cell:                      {}\n", input.cell.description);
    fmt::print("chemistry from:            {}\n", input.chemistry_origin);
    fmt::print(
        "critical oven temperature: {:.2f} K: no runaway at {:.2f} K, runaway at {:.2f} K "
        "after {:.6g} s (within {:.6g} s; {} oven tests)\n",
        0.5 * (c.below + c.above), c.below, c.above, c.onset_above, options.end_time, c.oven_tests);
    return;
  }
  const CellTestResult result = run_cell_test(input.chemistry, input.cell, options);
  fmt::print("cell:                      {}\n", input.cell.description);
  fmt::print("chemistry from:            {}\n", input.chemistry_origin);
  fmt::print("{}", format_cell_test_summary(result));
  if (!a.output.empty()) {
    write_cell_test_csv(result, a.output);
    fmt::print("time series:               {} ({} rows)\n", a.output, result.samples.size());
  }
}

}  // namespace

void add_cell_command(CLI::App& app) {
  auto arguments = std::make_shared<CellCommandArguments>();
  CLI::App* cmd = app.add_subcommand(
      "cell", "0D abuse test of one cell: adiabatic, oven or ARC heat-wait-seek");
  cmd->add_option("--chemistry", arguments->chemistry,
                  "Chemistry: built in (see --list) or defined in --config (default: the cell "
                  "type's, else nrel-lco)");
  cmd->add_option("--config", arguments->file,
                  "TOML file with [chemistries.NAME] (and [cell_types.NAME]) tables, or a pack");
  cmd->add_option("--cell-type", arguments->cell_type,
                  "Cell type of the library or of --config: its size, capacity and voltage");
  cmd->add_option("--set", arguments->chemistry_overrides,
                  "Override a key of the chemistry, e.g. --set density=2580 (docs/config.md)");
  cmd->add_option("--volume", arguments->volume, "Jelly-roll volume, m^3");
  cmd->add_option("--surface-area", arguments->surface_area, "Outer surface for the oven, m^2");
  cmd->add_option("--capacity-ah", arguments->capacity_ah, "Capacity, A h");
  cmd->add_option("--voltage", arguments->voltage, "Nominal voltage, V");
  cmd->add_option("--mode", arguments->mode, "adiabatic | oven | arc | heater")
      ->capture_default_str();
  cmd->add_option("--critical-oven-temperature", arguments->critical_oven,
                  "LOW,HIGH (K): bisect oven tests for the lowest set point that runs away "
                  "within --end-time (to 0.1 K)")
      ->expected(2)
      ->delimiter(',');
  CLI::Option* start =
      cmd->add_option("--start-temperature", arguments->start_temperature,
                      "Start temperature, K (default: 423.15 adiabatic, 298.15 oven, 313.15 arc)");
  cmd->add_option("--oven-temperature", arguments->oven_temperature, "Oven set point, K")
      ->capture_default_str();
  cmd->add_option("--oven-ramp-rate", arguments->oven_ramp_rate, "Oven heating rate, K/s")
      ->capture_default_str();
  cmd->add_option("--heat-transfer-coefficient", arguments->heat_transfer_coefficient,
                  "Oven convection coefficient h, W/(m^2 K)")
      ->capture_default_str();
  CLI::Option* end = cmd->add_option("--end-time", arguments->end_time,
                                     "Simulated time, s (default: 86400, 864000 for arc)");
  cmd->add_option("--nail-time", arguments->nail_time,
                  "Force the internal short circuit at this time, s (negative: none)")
      ->capture_default_str();
  cmd->add_option("--heater-power", arguments->heater_power,
                  "Heater power of --mode heater (FTRC trigger), W; off at runaway onset")
      ->capture_default_str();
  cmd->add_option("--state-of-charge", arguments->state_of_charge,
                  "State of charge, [0, 1] (default 1)");
  cmd->add_option("-o,--output", arguments->output, "Write the time series to this CSV file");
  cmd->add_flag("--list", arguments->list, "List the built-in chemistries and exit");
  cmd->callback([arguments, start, end] {
    arguments->start_temperature_given = start->count() > 0;
    arguments->end_time_given = end->count() > 0;
    run_cell_command(*arguments);
  });
}

}  // namespace runaway::host
