// `runaway report`: one self-contained HTML file of one or several finished runs.
#include <fmt/core.h>

#include <string>
#include <vector>

#include "host/cli/cli.hpp"
#include "host/report/report.hpp"

namespace runaway::host {

void add_report_command(CLI::App& app) {
  static std::vector<std::string> runs;
  static ReportOptions options;
  static std::string output = "report.html";
  static std::string viz;
  auto* report = app.add_subcommand(
      "report",
      "One self-contained HTML report of finished runs: pack, triggers, onsets, probes, front, "
      "heat budget, verdicts, comparison, provenance (docs/verdicts.md)");
  report->add_option("runs", runs, "Run directories or results.h5 files")
      ->required()
      ->expected(1, -1);
  report->add_option("-o,--output", output, "The HTML file")->capture_default_str();
  report->add_flag("!--no-images", options.images,
                   "Leave out the 3D pictures (otherwise drawn by runaway-viz when found)");
  report->add_option("--viz", viz, "The runaway-viz program (default: next to runaway, then PATH)");
  report->callback([report] {
    options.runs.assign(runs.begin(), runs.end());
    options.output = output;
    options.viz = viz;
    options.command_line = "runaway report";
    for (const std::string& r : runs) options.command_line += " " + r;
    options.command_line += " -o " + output;
    for (const std::string& note : write_report(options)) fmt::print(stderr, "note: {}\n", note);
    fmt::print("wrote {}\n", output);
    (void)report;
  });
}

}  // namespace runaway::host
