// `runaway fit`: Arrhenius kinetics fitted to ARC data (host/solver/arc_fit.hpp,
// docs/fitting.md). Prints the fit; -o writes the fitted chemistry as a [chemistries.NAME] table
// (checked by reading it back through the packs' parser) and the data-vs-fit CSV beside it.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "common/error.hpp"
#include "host/cli/cli.hpp"
#include "host/config/cell_test_input.hpp"
#include "host/solver/arc_fit.hpp"
#include "io/files.hpp"
#include "kernels/kinetics.hpp"

namespace runaway::host {

namespace {

struct FitCommandArguments {
  std::string data;
  std::string base = "nrel-lco";
  std::string file;  // --config
  std::vector<std::string> reactions;
  bool fit_heat = false;
  bool fit_orders = false;
  double perturb = 0.0;
  std::string name;  // of the fitted chemistry; default BASE-fit
  std::string output;
  std::string csv;  // default: the output with .csv
};

// The written table read back gives the fitted kinetics: the same self-heating rate, to
// round-off, from the initial state at 300..900 K.
bool same_kinetics(const kernels::Chemistry& a, const kernels::Chemistry& b) {
  if (a.reaction_count != b.reaction_count) return false;
  const kernels::KineticState sa = kernels::initial_kinetic_state(a);
  const kernels::KineticState sb = kernels::initial_kinetic_state(b);
  for (double t = 300.0; t <= 900.0; t += 10.0) {
    const double ra = kernels::self_heating_rate(a, t, sa);
    const double rb = kernels::self_heating_rate(b, t, sb);
    if (std::fabs(ra - rb) > 1e-9 * std::fabs(ra) + 1e-300) return false;
  }
  for (int i = 0; i < a.reaction_count; ++i) {
    const kernels::Reaction& x = a.reactions[i];
    const kernels::Reaction& y = b.reactions[i];
    if (x.heat_of_reaction != y.heat_of_reaction || x.reactant_content != y.reactant_content ||
        x.initial_remaining != y.initial_remaining || x.gas_yield != y.gas_yield) {
      return false;
    }
  }
  return a.density == b.density && a.heat_capacity == b.heat_capacity &&
         a.liquid_electrolyte_fraction == b.liquid_electrolyte_fraction;
}

void run_fit_command(const FitCommandArguments& a) {
  CellTestRequest request;
  request.file = a.file;
  request.chemistry = a.base;
  const CellTestInput input = resolve_cell_test_input(request);
  const ArcData data = read_arc_csv(a.data);
  ArcFitOptions options;
  options.reactions = a.reactions;
  options.fit_heat = a.fit_heat;
  options.fit_orders = a.fit_orders;
  options.perturb = a.perturb;
  const ArcFitResult result = fit_arc(data, input.chemistry, options);
  fmt::print("data:            {}\n", a.data);
  fmt::print("base:            {} ({})\n", a.base, input.chemistry_origin);
  fmt::print("{}", format_fit_summary(result));
  if (a.output.empty()) return;

  if (input.base.empty()) {
    throw bad_input(
        "a chemistry without a library base cannot be written as overrides yet; "
        "give it a base (docs/fitting.md)",
        ErrorContext{a.file, 0, "chemistries." + a.base, ""});
  }
  const std::string name = a.name.empty() ? a.base + "-fit" : a.name;
  const std::filesystem::path output(a.output);
  std::filesystem::path csv(a.csv);
  if (a.csv.empty()) csv = std::filesystem::path(output).replace_extension(".csv");
  const std::string text = fitted_chemistry_toml(result, name, input.base, a.data);
  // Written to the temporary, read back through the packs' parser and checked, then renamed.
  const std::filesystem::path temporary = io::temporary_path(output);
  {
    std::ofstream out(temporary);
    out << text;
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw runtime_error("cannot write the fitted chemistry", ErrorContext{a.output, 0, "", ""});
    }
  }
  try {
    CellTestRequest back;
    back.file = temporary.string();
    back.chemistry = name;
    const CellTestInput reread = resolve_cell_test_input(back);
    if (!same_kinetics(reread.chemistry, result.chemistry)) {
      throw runtime_error(
          fmt::format("the fitted table (base {} with the fitted reactions) does not reproduce "
                      "the fitted chemistry: {} differs from its base {} in more than the fitted "
                      "fields; write those differences into the table by hand",
                      input.base, a.base, input.base),
          ErrorContext{a.output, 0, "", ""});
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  io::write_file_atomically(csv, fit_csv(result));
  io::commit_file(temporary, output, true);
  fmt::print("fitted chemistry: {} ([chemistries.{}], base {})\n", a.output, name, input.base);
  fmt::print("data vs fit:      {} ({} rows)\n", csv.string(), result.temperature.size());
}

}  // namespace

void add_fit_command(CLI::App& app) {
  auto arguments = std::make_shared<FitCommandArguments>();
  CLI::App* cmd = app.add_subcommand(
      "fit", "Fit Arrhenius kinetics (A, Ea; optionally H, orders) to ARC self-heating data");
  cmd->add_option("data", arguments->data,
                  "CSV with time_s, temperature_K, self_heating_rate_K_per_s (e.g. from "
                  "`runaway cell --mode arc -o`)")
      ->required();
  cmd->add_option("--base,--chemistry", arguments->base,
                  "Base chemistry: built in (runaway cell --list) or defined in --config")
      ->capture_default_str();
  cmd->add_option("--config", arguments->file,
                  "TOML file with [chemistries.NAME] tables, or a pack, holding the base");
  cmd->add_option("--fit", arguments->reactions,
                  "Reactions whose A and Ea are fitted, e.g. --fit sei,anode (default: all)")
      ->delimiter(',');
  cmd->add_flag("--fit-heat", arguments->fit_heat, "Also fit the heat of each fitted reaction");
  cmd->add_flag("--fit-orders", arguments->fit_orders,
                "Also fit the reaction orders (m; n where the base's n > 0)");
  cmd->add_option("--perturb", arguments->perturb,
                  "Start from Ea scaled by 1 +- this (alternately), A moved along: a basin test")
      ->capture_default_str();
  cmd->add_option("--name", arguments->name,
                  "Name of the fitted chemistry in the output (default: BASE-fit)");
  cmd->add_option("-o,--output", arguments->output,
                  "Write the fitted chemistry (TOML) here, and the data vs fit as CSV beside it");
  cmd->add_option("--csv", arguments->csv, "Data vs fit CSV (default: the output with .csv)");
  cmd->callback([arguments] { run_fit_command(*arguments); });
}

}  // namespace runaway::host
