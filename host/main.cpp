// runaway: thermal-runaway propagation in battery packs. The CLI lists its subcommands here;
// each one lives in host/cli_<name>.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "common/error.hpp"
#include "host/cli.hpp"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"runaway: GPU-accelerated thermal-runaway propagation in battery packs"};
  app.require_subcommand(1);
  runaway::host::add_info_command(app);
  runaway::host::add_run_commands(app);
  runaway::host::add_batch_command(app);
  runaway::host::add_check_command(app);
  runaway::host::add_cell_command(app);
  runaway::host::add_conduction_demo_command(app);
  runaway::host::add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand that ran and failed
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // CLI usage errors are bad input
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const runaway::Error& e) {
    std::fprintf(stderr, "runaway: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "runaway: error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "runaway: error: unknown failure\n");
    return 1;
  }
}
