// Subcommands of the `runaway` CLI. Each lives in its own host/cli_<name>.cpp and registers
// itself on the app; main.cpp only lists them. Errors map to exit codes (STYLE.md):
// 0 success, 1 runtime failure, 2 bad input.
#pragma once

#include <CLI/CLI.hpp>

namespace runaway::host {

void add_info_command(CLI::App& app);
void add_conduction_demo_command(CLI::App& app);
void add_run_commands(CLI::App& app);   // run, demo, compare (cli_run.cpp)
void add_cell_command(CLI::App& app);   // cli_cell.cpp
void add_check_command(CLI::App& app);  // cli_check.cpp
void add_batch_command(CLI::App& app);  // batch sweeps (cli_batch.cpp)
void add_bench_command(CLI::App& app);  // benchmark suite (bench/cli_bench.cpp)

}  // namespace runaway::host
