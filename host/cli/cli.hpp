// Subcommands of the `runaway` CLI. Each lives in its own host/cli/cli_<name>.cpp and registers
// itself on the app; main.cpp only lists them. Errors map to exit codes (STYLE.md):
// 0 success, 1 runtime failure, 2 bad input.
#pragma once

#include <CLI/CLI.hpp>

namespace runaway::host {

class Partitioner;  // host/solver/partitioner.hpp

// The barrier spin of OpenMP's waiting threads that the executable sets when the user set neither
// OMP_WAIT_POLICY nor GOMP_SPINCOUNT (main.cpp), and the variable that tells `runaway info` so
// (it holds the value set, so that a user's later GOMP_SPINCOUNT in a child process shows as
// theirs).
inline constexpr const char* kDefaultSpinCount = "30000";
inline constexpr const char* kDefaultSpinCountMarker = "RUNAWAY_DEFAULT_SPINCOUNT";

void add_info_command(CLI::App& app);
void add_conduction_demo_command(CLI::App& app);
// run and demo (cli_run.cpp); `partitioner` (not owned, may be null) splits their runs over the
// ranks of an MPI build.
void add_run_commands(CLI::App& app, const Partitioner* partitioner = nullptr);
void add_mesh_command(CLI::App& app);     // cli_mesh.cpp
void add_compare_command(CLI::App& app);  // cli_compare.cpp
void add_cell_command(CLI::App& app);     // cli_cell.cpp
void add_fit_command(CLI::App& app);      // cli_fit.cpp
void add_check_command(CLI::App& app);    // cli_check.cpp
void add_batch_command(CLI::App& app);    // batch sweeps (cli_batch.cpp)
void add_report_command(CLI::App& app);   // the HTML report (cli_report.cpp)
void add_uq_commands(CLI::App& app);      // uq and uq-dakota (cli_uq.cpp)
void add_bench_command(CLI::App& app);    // benchmark suite (bench/cli_bench.cpp)

}  // namespace runaway::host
