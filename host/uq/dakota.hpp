// Dakota's fork interface (docs/uq.md "Dakota"): Dakota writes a parameters file, runs
// `runaway uq-dakota params.in results.out --study STUDY`, and reads the results file. The
// variables are the study's inputs by name (their values taken as they are, not sampled), the
// responses its quantities; a run that fails writes "FAIL", which Dakota's failure capture
// recognises (the results file starting with "fail", any case).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace runaway::host::uq {

// A Dakota parameters file in the standard format (not APREPRO).
struct DakotaParameters {
  std::vector<std::string> variables;  // descriptors
  std::vector<double> values;
  std::vector<std::string> responses;  // response labels (the part after "ASV_i:")
  std::string eval_id;
};

// Throws bad input naming the file and line when it is not Dakota's standard format.
DakotaParameters read_dakota_parameters(const std::filesystem::path& file);

struct DakotaOptions {
  std::filesystem::path parameters, results, study;
  std::string pack;                // the study's pack to run; empty: the first
  std::filesystem::path work_dir;  // where the case runs; empty: beside the parameters file
};

// One Dakota evaluation: the case run in-process, the responses (or "FAIL") written. Returns
// false when the run failed (results say FAIL). Bad input (the parameters do not match the
// study) throws before anything runs.
bool run_dakota_evaluation(const DakotaOptions& options);

}  // namespace runaway::host::uq
