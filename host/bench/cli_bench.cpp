// `runaway bench [--json FILE] [--size S|M|L] [--repetitions N]`: the benchmark suite of
// host/bench/bench_suite.hpp, with Google Benchmark's console table and JSON; `runaway bench
// --verify`: the self-check of host/bench/bench_verify.hpp.
#include <cstdio>
#include <memory>

#include "host/bench/bench_suite.hpp"
#include "host/bench/bench_verify.hpp"
#include "host/cli/cli.hpp"

namespace runaway::host {

void add_bench_command(CLI::App& app) {
  auto options = std::make_shared<bench::SuiteOptions>();
  auto* cmd = app.add_subcommand(
      "bench",
      "Measure voxel updates/s, GB/s and the fraction of memory bandwidth reached (conduction "
      "stage, kinetics, the 12-cell module); Google Benchmark's table and JSON");
  cmd->add_option("--json", options->json_path,
                  "Write Google Benchmark's JSON (context + benchmarks with counters) to FILE")
      ->type_name("FILE");
  cmd->add_option("--size", options->size,
                  "S (~64^3 voxels), M (~256^3) or L (the largest cube that fits in half the "
                  "available memory)")
      ->type_name("S|M|L")
      ->capture_default_str();
  cmd->add_option("--repetitions", options->repetitions,
                  "Repetitions of each benchmark; the summary reports the median")
      ->type_name("N")
      ->capture_default_str();
  cmd->add_option("--filter", options->filter,
                  "Run only the benchmarks whose names match this regular expression")
      ->type_name("REGEX");
  cmd->add_option("--config", options->config_path,
                  "Pack config of the module benchmarks (default: the 12-cell liquid example)")
      ->type_name("FILE");
  cmd->add_option("--set", options->overrides,
                  "Override a key of that config after the size's own settings, e.g. --set "
                  "mesh.voxel_size=0.001; repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  auto verify = std::make_shared<bool>(false);
  auto tolerance_scale = std::make_shared<double>(1.0);
  cmd->add_flag("--verify", *verify,
                "Self-check for benchmark harnesses: a fixed conduction case and an adiabatic "
                "kinetics release with known answers; prints FOM: and PASS or FAIL (exit code 1)");
  // Scales the --verify limits: the test that FAIL is reported sets it to 0.
  cmd->add_option("--verify-tolerance-scale", *tolerance_scale)->group("");
  cmd->callback([options, verify, tolerance_scale] {
    if (*verify) {
      const bench::VerifyResult result = bench::verify(*tolerance_scale);
      std::fputs(bench::verify_text(result).c_str(), stdout);
      std::fflush(stdout);
      if (!result.pass()) throw CLI::RuntimeError(1);
      return;
    }
    bench::run_suite(*options);
  });
}

}  // namespace runaway::host
