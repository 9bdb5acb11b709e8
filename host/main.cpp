// runaway: thermal-runaway propagation in battery packs. The CLI lists its subcommands here;
// each one lives in host/cli_<name>.cpp.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "common/error.hpp"
#include "host/cli.hpp"

int main(int argc, char** argv) {
  CLI::App app{"runaway: GPU-accelerated thermal-runaway propagation in battery packs"};
  app.require_subcommand(1);
  runaway::host::add_info_command(app);
  runaway::host::add_conduction_demo_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const runaway::Error& e) {
    std::fprintf(stderr, "runaway: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "runaway: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
