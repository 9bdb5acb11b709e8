// `runaway report RUN [RUN...]`: one self-contained HTML file an engineer can hand in (docs/
// verdicts.md "The report"): the pack, its triggers, the onset timeline, the probes, the front,
// the heat budget, the verdicts with the figures that decided them, the comparison of several
// runs (liquid vs semi-solid) and the provenance. Charts are inline SVG; 3D pictures come from
// `runaway-viz render` when it is there and are embedded as PNG data.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace runaway::host {

struct ReportOptions {
  std::vector<std::filesystem::path> runs;  // run directories or results.h5 files
  std::filesystem::path output;             // the HTML file
  bool images = true;                       // 3D renders through runaway-viz, when found
  std::filesystem::path viz;                // runaway-viz; empty: next to runaway, then PATH
  std::string command_line;
};

// Writes the report (through a temporary file renamed into place: never half a report) and
// returns what it left out and why (no runaway-viz, a render that failed). Bad input (a missing
// or incomplete run) throws runaway::Error naming the run.
std::vector<std::string> write_report(const ReportOptions& options);

// The Markdown pipe tables of `markdown` as HTML tables, other lines as paragraphs and headings.
std::string markdown_to_html(const std::string& markdown);

}  // namespace runaway::host
