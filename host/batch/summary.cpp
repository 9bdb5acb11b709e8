// The summary of a batch: collected from its case directories (case.toml, error.txt,
// results.h5), as a table, and written as summary.csv and summary.h5.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <variant>

#include "common/error.hpp"
#include "common/files.hpp"
#include "common/text.hpp"
#include "host/batch/batch.hpp"
#include "host/batch/case_files.hpp"
#include "io/files.hpp"
#include "io/results_reader.hpp"
#include "io/summary_table.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

int BatchSummary::count(const std::string& status) const {
  return int(std::count_if(cases.begin(), cases.end(),
                           [&](const CaseResult& c) { return c.status == status; }));
}

BatchSummary collect_batch(const fs::path& dir) {
  const ErrorContext context{"", 0, "batch directory", dir.string()};
  if (!fs::exists(dir)) throw bad_input("no such directory", context);
  if (!fs::is_directory(dir)) {
    throw bad_input("is a file, not a batch directory (runaway batch SWEEP -o DIR makes one)",
                    context);
  }
  std::vector<fs::path> case_dirs;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory() && entry.path().filename().string().rfind("case_", 0) == 0 &&
        fs::exists(entry.path() / kCaseFile)) {
      case_dirs.push_back(entry.path());
    }
  }
  if (case_dirs.empty() && fs::exists(dir / kCaseFile)) {
    throw bad_input("is one case of a batch; collect the batch directory above it", context);
  }
  if (case_dirs.empty()) {
    throw bad_input(fs::exists(dir / kResultsFile)
                        ? "is the result of a single run, not a batch directory (runaway "
                          "compare reads it)"
                        : "is not a batch directory: it holds no case_*/case.toml (runaway "
                          "batch SWEEP -o DIR makes one)",
                    context);
  }
  BatchSummary summary;
  bool first = true;
  for (const fs::path& case_dir : case_dirs) {
    const CaseRecord record = read_case_toml(case_dir / kCaseFile);
    if (first) {
      summary.parameters = record.parameters;
      first = false;
    } else if (record.parameters != summary.parameters) {
      throw bad_input("sweeps other parameters than the other cases (" + join(record.parameters) +
                          " vs " + join(summary.parameters) + "): the directory mixes sweeps",
                      ErrorContext{(case_dir / kCaseFile).string(), 0, "parameters", ""});
    }
    CaseResult r;
    r.index = record.index;
    r.directory = case_dir.filename().string();
    r.parameter_text = record.text;
    r.parameter_number = record.number;
    const fs::path error_file = case_dir / kErrorFile;
    const std::string recorded_error =
        fs::exists(error_file) ? trim(read_text(error_file)) : std::string();
    if (!record.invalid.empty()) {
      r.status = "invalid";
      r.error = record.invalid;
    } else if (fs::exists(case_dir / kResultsFile)) {
      try {
        if (io::ResultsReader(case_dir, true).complete()) {
          r.summary = summarize_results(case_dir);
          r.status = "done";
        } else if (!recorded_error.empty()) {
          r.status = "failed";
          r.error = recorded_error;
        } else {
          r.status = "unfinished";
          r.error = fs::exists(case_dir / kCheckpointFile)
                        ? "results.h5 is incomplete; run the batch again to continue from the "
                          "checkpoint"
                        : "results.h5 is incomplete: the run is going on, or was killed";
        }
      } catch (const Error& e) {
        r.status = "failed";
        r.error = e.what();
      }
    } else if (!recorded_error.empty()) {
      r.status = "failed";
      r.error = recorded_error;
    } else {
      r.status = "not_run";
    }
    summary.cases.push_back(std::move(r));
  }
  std::sort(summary.cases.begin(), summary.cases.end(),
            [](const CaseResult& a, const CaseResult& b) { return a.index < b.index; });
  return summary;
}

io::Table summary_table(const BatchSummary& s) {
  io::Table table;
  std::vector<std::int32_t> index;
  for (const CaseResult& c : s.cases) index.push_back(c.index);
  table.columns.push_back({"case", "", std::move(index)});
  auto text = [&](const char* name, auto value) {
    std::vector<std::string> v;
    for (const CaseResult& c : s.cases) v.push_back(value(c));
    table.columns.push_back({name, "", std::move(v)});
  };
  auto number = [&](const std::string& name, const char* units, auto value) {
    std::vector<double> v;
    for (const CaseResult& c : s.cases) v.push_back(value(c));
    table.columns.push_back({name, units, std::move(v)});
  };
  // A metric of RunSummary; NaN for a case that is not done.
  auto metric = [&](const char* name, const char* units, auto value) {
    number(name, units,
           [&](const CaseResult& c) { return c.summary ? double(value(*c.summary)) : NAN; });
  };
  auto summary_text = [&](const char* name, auto value) {
    text(name, [&](const CaseResult& c) { return c.summary ? value(*c.summary) : std::string(); });
  };

  text("directory", [](const CaseResult& c) { return c.directory; });
  for (std::size_t p = 0; p < s.parameters.size(); ++p) {
    const bool numeric = std::all_of(s.cases.begin(), s.cases.end(), [p](const CaseResult& c) {
      return p < c.parameter_number.size() && c.parameter_number[p].has_value();
    });
    if (numeric) {
      number(s.parameters[p], "", [p](const CaseResult& c) { return *c.parameter_number[p]; });
    } else {
      text(s.parameters[p].c_str(), [p](const CaseResult& c) {
        return p < c.parameter_text.size() ? c.parameter_text[p] : std::string();
      });
    }
  }
  text("status", [](const CaseResult& c) { return c.status; });
  summary_text("verdict", [](const RunSummary& r) { return r.verdict; });
  metric("cells", "1", [](const RunSummary& r) { return r.cells.size(); });
  metric("cells_in_runaway", "1", [](const RunSummary& r) { return r.cells_in_runaway; });
  metric("first_onset_s", "s", [](const RunSummary& r) { return r.first_onset; });
  metric("last_onset_s", "s", [](const RunSummary& r) { return r.last_onset; });
  metric("cells_per_minute", "1/min", [](const RunSummary& r) { return r.cells_per_minute; });
  metric("front_speed_m_per_s", "m/s", [](const RunSummary& r) { return r.front_speed; });
  metric("peak_temperature_K", "K", [](const RunSummary& r) { return r.peak_temperature; });
  metric("heat_released_J", "J", [](const RunSummary& r) { return r.total_heat_released; });
  summary_text("propagation_stopped", [](const RunSummary& r) {
    return std::string(r.propagation_stopped ? "true" : "false");
  });
  summary_text("stopped_before", [](const RunSummary& r) { return r.stopped_before; });
  // The [verdict] rules (docs/verdicts.md), when a case has them: each rule's finding and the
  // times that decide them, for sweeps and studies over a regulation's question.
  std::vector<std::string> rules;
  for (const CaseResult& c : s.cases) {
    if (!c.summary || !c.summary->verdicts) continue;
    for (const RuleVerdict& v : c.summary->verdicts->rules) {
      if (std::find(rules.begin(), rules.end(), v.rule) == rules.end()) rules.push_back(v.rule);
    }
  }
  for (const std::string& rule : rules) {
    text(("verdict_" + rule).c_str(), [&rule](const CaseResult& c) {
      if (!c.summary || !c.summary->verdicts) return std::string();
      for (const RuleVerdict& v : c.summary->verdicts->rules) {
        if (v.rule == rule) return std::string(to_string(v.overall));
      }
      return std::string();
    });
  }
  if (!rules.empty()) {
    auto time = [&](const char* name, double VerdictReport::*member) {
      metric(name, "s",
             [member](const RunSummary& r) { return r.verdicts ? (*r.verdicts).*member : NAN; });
    };
    time("initiating_runaway_s", &VerdictReport::initiating_runaway);
    time("warning_s", &VerdictReport::warning);
    time("first_neighbour_runaway_s", &VerdictReport::first_neighbour_runaway);
    time("vent_gas_out_of_pack_s", &VerdictReport::hot_gas_out);
  }
  metric("end_time_s", "s", [](const RunSummary& r) { return r.end_time; });
  metric("wall_time_s", "s", [](const RunSummary& r) { return r.wall_time; });
  text("error", [](const CaseResult& c) { return c.error; });
  return table;
}

std::string summary_csv(const io::Table& table) {
  auto field = [](const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  std::string out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    out += (c ? "," : "") + field(table.columns[c].name);
  }
  out += "\n";
  for (std::size_t row = 0; row < table.row_count(); ++row) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      const auto& values = table.columns[c].values;
      std::string text;
      if (const auto* d = std::get_if<std::vector<double>>(&values)) {
        // Shortest text that reads back as the same double: rows equal the case's HDF5.
        text = std::isnan((*d)[row]) ? std::string() : fmt::format("{}", (*d)[row]);
      } else if (const auto* i = std::get_if<std::vector<std::int32_t>>(&values)) {
        text = std::to_string((*i)[row]);
      } else {
        text = field(std::get<std::vector<std::string>>(values)[row]);
      }
      out += (c ? "," : "") + text;
    }
    out += "\n";
  }
  return out;
}

void write_summary(const fs::path& dir, const BatchSummary& summary) {
  const io::Table table = summary_table(summary);
  io::write_file_atomically(dir / "summary.csv", summary_csv(table));
  io::write_summary_table(dir / "summary.h5", table);
}

}  // namespace runaway::host
