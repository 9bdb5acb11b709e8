// `runaway check CONFIG [--set key=value ...]`: validate a pack file and print its summary.
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "host/run/check.hpp"

namespace runaway::host {

void add_check_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "check", "Validate a pack file and print cells, stored energy, grid, memory and run time");
  auto config = std::make_shared<std::string>();
  auto overrides = std::make_shared<std::vector<std::string>>();
  cmd->add_option("config", *config, "Pack description (TOML)")->required();
  cmd->add_option("--set", *overrides,
                  "Override a key, value parsed as TOML (e.g. --set module.gap=0.003); repeatable")
      ->allow_extra_args(false);
  cmd->callback([config, overrides] {
    const int code = run_check(*config, *overrides, std::cout, std::cerr);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace runaway::host
