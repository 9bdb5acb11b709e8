#include "host/uq/dakota.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/text.hpp"
#include "host/batch/batch.hpp"
#include "host/run/run_case.hpp"
#include "host/uq/study.hpp"
#include "host/uq/uq.hpp"
#include "io/files.hpp"

namespace runaway::host::uq {

namespace fs = std::filesystem;

DakotaParameters read_dakota_parameters(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw bad_input("cannot open Dakota's parameters file", {file.string(), 0, "", ""});
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(trim(line));
  std::size_t at = 0;
  const auto fail = [&](const std::string& message) {
    throw bad_input(message +
                        " (Dakota's standard parameters format: \"N variables\", N lines "
                        "\"value descriptor\", \"M functions\", M lines \"asv ASV_i:label\")",
                    {file.string(), int(at + 1), "", at < lines.size() ? lines[at] : ""});
  };
  // "<count> <word>": the count of a section.
  const auto count = [&](const std::string& word) {
    if (at >= lines.size()) fail("ends before \"" + word + "\"");
    std::istringstream s(lines[at]);
    long n = -1;
    std::string w;
    if (!(s >> n >> w) || w != word || n < 0) {
      if (lines[at].rfind('{', 0) == 0) fail("is in APREPRO format; use Dakota's standard format");
      fail("expected \"<count> " + word + "\"");
    }
    ++at;
    return std::size_t(n);
  };
  DakotaParameters p;
  const std::size_t variables = count("variables");
  for (std::size_t i = 0; i < variables; ++i, ++at) {
    if (at >= lines.size()) fail("ends inside the variables");
    std::istringstream s(lines[at]);
    std::string value, name;
    if (!(s >> value >> name)) fail("expected \"value descriptor\"");
    char* end = nullptr;
    const double v = std::strtod(value.c_str(), &end);
    if (*end != '\0') fail("a variable that is not a number (runaway's inputs are numbers)");
    p.values.push_back(v);
    p.variables.push_back(name);
  }
  const std::size_t functions = count("functions");
  for (std::size_t i = 0; i < functions; ++i, ++at) {
    if (at >= lines.size()) fail("ends inside the functions");
    std::istringstream s(lines[at]);
    int asv = 0;
    std::string label;
    if (!(s >> asv >> label) || label.find(':') == std::string::npos) {
      fail("expected \"asv ASV_i:label\"");
    }
    if ((asv & ~1) != 0) fail("asks for gradients or Hessians, which runaway does not give");
    p.responses.push_back(label.substr(label.find(':') + 1));
  }
  for (; at < lines.size(); ++at) {
    std::istringstream s(lines[at]);
    std::string id, word;
    if (s >> id >> word && word == "eval_id") p.eval_id = id;
  }
  return p;
}

bool run_dakota_evaluation(const DakotaOptions& options) {
  const DakotaParameters params = read_dakota_parameters(options.parameters);
  const Study study = load_study(options.study);
  std::size_t pack = 0;
  if (!options.pack.empty()) {
    const auto it = std::find_if(study.packs.begin(), study.packs.end(),
                                 [&](const StudyPack& p) { return p.name == options.pack; });
    if (it == study.packs.end()) {
      std::vector<std::string> names;
      for (const StudyPack& p : study.packs) names.push_back(p.name);
      throw bad_input("no such pack in the study; packs: " + join(names),
                      {"", 0, "--pack", options.pack});
    }
    pack = std::size_t(it - study.packs.begin());
  }
  // Dakota's variables are the study's inputs, by name, every one given.
  std::vector<double> values(study.inputs.size(), NAN);
  for (std::size_t v = 0; v < params.variables.size(); ++v) {
    const auto it =
        std::find_if(study.inputs.begin(), study.inputs.end(),
                     [&](const StudyInput& in) { return in.name == params.variables[v]; });
    if (it == study.inputs.end()) {
      std::vector<std::string> names;
      for (const StudyInput& in : study.inputs) names.push_back(in.name);
      throw bad_input("Dakota's variable is not an input of the study " + study.file.string() +
                          "; name Dakota's variables (descriptors) as the inputs: " + join(names),
                      {options.parameters.string(), 0, params.variables[v], ""});
    }
    values[std::size_t(it - study.inputs.begin())] = params.values[v];
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) {
      throw bad_input(
          "the study's input has no Dakota variable; add a variable with this "
          "descriptor, or remove the input from the study",
          {options.parameters.string(), 0, study.inputs[i].name, ""});
    }
  }
  const std::vector<std::string> known = quantity_names();
  for (const std::string& r : params.responses) {
    if (r.rfind("verdict_failed:", 0) != 0 &&
        std::find(known.begin(), known.end(), r) == known.end()) {
      throw bad_input(
          "Dakota's response is not a quantity runaway gives; name the responses "
          "(descriptors) among: " +
              join(known),
          {options.parameters.string(), 0, r, ""});
    }
  }
  const std::string config = study_case_config(study, pack, values);  // bad input throws

  fs::path work = options.work_dir;
  if (work.empty()) {
    std::string id = params.eval_id;  // "1" or, from hierarchical studies, "1:1"
    std::replace(id.begin(), id.end(), ':', '.');
    work = fs::absolute(options.parameters).parent_path() /
           ("runaway_eval" + (id.empty() ? "" : "_" + id));
  }
  fs::create_directories(work);
  io::write_file_atomically(work / "case.toml", config);
  try {
    RunOptions run;
    run.config_path = (work / "case.toml").string();
    run.config_text = config;
    run.config_base_directory = study.packs[pack].file.parent_path().string();
    run.output_dir = work;
    run.overwrite = true;
    run.show_progress = false;
    run.print_summary = false;
    run.command_line = "runaway uq-dakota " + options.parameters.string();
    BatchSummary batch;
    CaseResult result;
    result.status = "done";
    result.summary = run_case(run);
    batch.cases.push_back(result);
    const std::vector<double> q = case_quantities(params.responses, batch, summary_table(batch), 0);
    std::string out;
    for (std::size_t r = 0; r < q.size(); ++r) {
      double v = q[r];
      // A censored time (no second cell by the end) is given as its lower bound, the end.
      if (std::isinf(v)) {
        const RunSummary& s = *result.summary;
        v = params.responses[r] == "second_onset_s" ? s.end_time : s.end_time - s.first_onset;
      }
      if (std::isnan(v)) throw runtime_error(params.responses[r] + " is not defined for this run");
      out += fmt::format("{:.17g} {}\n", v, params.responses[r]);
    }
    io::write_file_atomically(options.results, out);
    fmt::print("runaway uq-dakota: {}: {}\n", work.string(), result.summary->verdict);
    return true;
  } catch (const std::exception& e) {
    io::write_file_atomically(work / "error.txt", std::string(e.what()) + "\n");
    io::write_file_atomically(options.results, "FAIL\n");
    fmt::print(stderr, "runaway uq-dakota: the run failed, results say FAIL: {}\n", e.what());
    return false;
  }
}

}  // namespace runaway::host::uq
