// `runaway bench` writes Google Benchmark's JSON: a context naming the backend and the bandwidth
// reference, and every benchmark of the suite with its counters. Speed is measured by the
// command and never judged here: rates are only checked to be positive and finite, and the
// bytes per voxel to be the design values docs/performance.md documents.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "support/process.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;

// Parses the JSON strictly (NaN and Infinity refused) and flattens it to lines
//   context KEY
//   counter BENCHMARK NAME VALUE
constexpr const char* kFlattenJson = R"(
import json, sys
def refuse(constant):
    raise ValueError("not a finite number: " + constant)
with open(sys.argv[1]) as f:
    document = json.load(f, parse_constant=refuse)
for key in document["context"]:
    print("context", key)
for b in document["benchmarks"]:
    for key, value in b.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            print("counter", b["run_name"], key, repr(float(value)))
)";

struct BenchJson {
  std::set<std::string> context;
  std::map<std::string, std::map<std::string, double>> counters;  // by benchmark, by counter
};

BenchJson flatten(const std::string& json, const std::string& log) {
  const int code = run({"/usr/bin/env", "python3", "-c", kFlattenJson, json}, log);
  EXPECT_EQ(code, 0) << read_text(log);
  BenchJson out;
  std::istringstream lines(read_text(log));
  std::string kind;
  while (lines >> kind) {
    if (kind == "context") {
      std::string key;
      lines >> key;
      out.context.insert(key);
    } else if (kind == "counter") {
      std::string benchmark, name, value;
      lines >> benchmark >> name >> value;
      out.counters[benchmark][name] = std::stod(value);
    }
  }
  return out;
}

// The benchmark whose name starts with `prefix`, or an empty map.
std::map<std::string, double> benchmark_named(const BenchJson& json, const std::string& prefix) {
  for (const auto& [name, counters] : json.counters) {
    if (name.rfind(prefix, 0) == 0) return counters;
  }
  return {};
}

class BenchCommand : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  const ScratchDir scratch_{"runaway_e2e_bench"};
  const fs::path dir_ = scratch_.path();
};

TEST_F(BenchCommand, WritesGoogleBenchmarkJsonWithEveryCounter) {
  // XS is the tests' size (a 32^3 box, the module at twice the example's voxel size): seconds.
  const std::string json = path("bench.json");
  ASSERT_EQ(run({RUNAWAY_CLI, "bench", "--size", "XS", "--repetitions", "1", "--json", json},
                path("bench.log")),
            0)
      << read_text(path("bench.log"));
  const BenchJson parsed = flatten(json, path("flatten.log"));

  for (const char* key : {"backend", "device", "threads", "reference_bandwidth",
                          "reference_GB_per_second", "runaway_commit", "num_cpus"}) {
    EXPECT_EQ(parsed.context.count(key), 1u) << "context lacks " << key;
  }
  EXPECT_EQ(parsed.counters.size(), 7u);

  // Bytes per voxel by design: an RKL2 stage moves 60 B; the module benchmarks count the RKL2
  // stage's bytes per voxel update; a kinetics voxel of nrel-lco (4 reactions) moves 109 + 16 x 4.
  const std::map<std::string, double> design = {{"conduction/rkl2_stage/", 60.0},
                                                {"kinetics/quiet/", 24.0},
                                                {"kinetics/runaway/", 173.0},
                                                {"module/coupled_step/", 60.0},
                                                {"module/run_", 60.0},
                                                {"module/propagation/", 60.0},
                                                {"pack/quiet/", 60.0}};
  for (const auto& [prefix, bytes_per_voxel] : design) {
    SCOPED_TRACE(prefix);
    const std::map<std::string, double> counters = benchmark_named(parsed, prefix);
    ASSERT_FALSE(counters.empty()) << "no benchmark named " << prefix << "...";
    for (const char* rate :
         {"voxel_updates_per_second", "GB_per_second", "fraction_of_bandwidth", "iterations"}) {
      ASSERT_EQ(counters.count(rate), 1u) << "lacks " << rate;
      EXPECT_TRUE(std::isfinite(counters.at(rate))) << rate;
      EXPECT_GT(counters.at(rate), 0.0) << rate;
    }
    ASSERT_EQ(counters.count("bytes_per_voxel"), 1u);
    EXPECT_EQ(counters.at("bytes_per_voxel"), bytes_per_voxel);
  }
  const std::map<std::string, double> step = benchmark_named(parsed, "module/coupled_step/");
  for (const char* extra : {"coupled_over_conduction", "simulated_seconds_per_second", "stages"}) {
    ASSERT_EQ(step.count(extra), 1u) << "coupled step lacks " << extra;
    EXPECT_GT(step.at(extra), 0.0) << extra;
  }
  const std::map<std::string, double> module_run = benchmark_named(parsed, "module/run_");
  ASSERT_EQ(module_run.count("simulated_seconds_per_second"), 1u);
  EXPECT_GT(module_run.at("simulated_seconds_per_second"), 0.0);
  // The propagation benchmark's heated cell runs away within its 140 s (onset near 73 s), so the
  // stiff integrator did work; at XS's coarse mesh there is no reference to check onsets with.
  const std::map<std::string, double> propagation = benchmark_named(parsed, "module/propagation/");
  EXPECT_GE(propagation.at("cells_in_runaway"), 1.0);
  EXPECT_GT(propagation.at("kinetics_substeps_per_second"), 0.0);
  EXPECT_EQ(propagation.at("max_onset_deviation_s"), -1.0);
  // The quiet pack: nothing reacts, nothing runs away.
  const std::map<std::string, double> pack = benchmark_named(parsed, "pack/quiet/");
  EXPECT_EQ(pack.at("cells_in_runaway"), 0.0);
  EXPECT_GT(pack.at("simulated_seconds_per_second"), 0.0);
}

TEST_F(BenchCommand, RefusesABadSizeAndAnUnwritableJsonPath) {
  const std::string log = path("refused.log");
  EXPECT_EQ(run({RUNAWAY_CLI, "bench", "--size", "XXL"}, log), 2) << read_text(log);
  EXPECT_NE(read_text(log).find("--size"), std::string::npos) << read_text(log);

  const std::string unwritable = path("no-such-directory/bench.json");
  EXPECT_EQ(run({RUNAWAY_CLI, "bench", "--size", "XS", "--json", unwritable}, log), 2)
      << read_text(log);
  EXPECT_NE(read_text(log).find("--json"), std::string::npos) << read_text(log);
  EXPECT_FALSE(fs::exists(unwritable));
}

// --verify: the harness's self-check prints each case, one FOM: line and PASS, exit code 0; with
// its limits scaled to 0 the same numbers FAIL, exit code 1.
TEST_F(BenchCommand, VerifyPrintsAFigureOfMeritAndPassOrFail) {
  const std::string log = path("verify.log");
  ASSERT_EQ(run({RUNAWAY_CLI, "bench", "--verify"}, log), 0) << read_text(log);
  const std::string text = read_text(log);
  EXPECT_NE(text.find("verify conduction:"), std::string::npos) << text;
  EXPECT_NE(text.find("verify kinetics:"), std::string::npos) << text;
  EXPECT_NE(text.find("\nFOM: "), std::string::npos) << text;
  EXPECT_NE(text.find("\nPASS\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("FAIL"), std::string::npos) << text;

  const std::string failing = path("verify-fail.log");
  EXPECT_EQ(run({RUNAWAY_CLI, "bench", "--verify", "--verify-tolerance-scale", "0"}, failing), 1)
      << read_text(failing);
  EXPECT_NE(read_text(failing).find("\nFAIL\n"), std::string::npos) << read_text(failing);
}

}  // namespace
}  // namespace runaway::testing
