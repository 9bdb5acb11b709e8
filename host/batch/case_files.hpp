// The files of a batch directory (docs/batch.md): their names, the config each case runs, and
// case.toml, which says what a case is, for people and for `runaway batch --collect`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "host/batch/batch.hpp"

namespace runaway::host {

inline constexpr const char* kCaseFile = "case.toml";
inline constexpr const char* kCasesFile = "cases.txt";
inline constexpr const char* kErrorFile = "error.txt";
inline constexpr const char* kLogFile = "run.log";
inline constexpr const char* kCheckpointFile = "checkpoint.h5";
inline constexpr const char* kResultsFile = "results.h5";
inline constexpr const char* kSlurmFile = "batch.slurm";
inline constexpr const char* kSweepCopy = "sweep.toml";

// The config a case runs: DIR/case_NNN_x/case_NNN_x.toml, so that its results (and `runaway
// compare` of several cases) carry the case's name.
std::filesystem::path config_file(const std::filesystem::path& case_dir);

// case.toml of a case: its number, sweep, base, parameter values and edits.
std::string case_toml(const Sweep& sweep, const SweepCase& c);

// A case.toml read back.
struct CaseRecord {
  int index = 0;
  std::vector<std::string> parameters;
  std::vector<std::string> text;
  std::vector<std::optional<double>> number;
  std::string invalid;
};
// Throws bad input when `file` is not a case.toml written by runaway batch.
CaseRecord read_case_toml(const std::filesystem::path& file);

}  // namespace runaway::host
