// `runaway compare`: finished runs side by side (Markdown, CSV).
#include <fmt/core.h>

#include <filesystem>
#include <string>
#include <vector>

#include "host/cli/cli.hpp"
#include "host/run/compare.hpp"
#include "host/run/run_case.hpp"
#include "io/files.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

void add_compare_command(CLI::App& app) {
  static std::vector<std::string> compared;
  static std::string compare_output;
  auto* compare =
      app.add_subcommand("compare", "Compare finished runs side by side (Markdown, CSV)");
  compare->add_option("results", compared, "Result directories or results.h5 files")
      ->required()
      ->expected(1, -1);
  compare->add_option("-o,--output", compare_output,
                      "Write PREFIX.md and PREFIX.csv as well as printing");
  compare->callback([] {
    std::vector<RunSummary> runs;
    runs.reserve(compared.size());
    for (const std::string& r : compared) runs.push_back(summarize_results(r));
    for (std::size_t i = 0; i < runs.size(); ++i) {  // name runs by their folder if names clash
      for (std::size_t j = 0; j < i; ++j) {
        if (runs[i].name == runs[j].name) runs[i].name = fs::path(compared[i]).filename().string();
      }
    }
    const std::string report = compare_markdown(runs);
    fmt::print("{}", report);
    if (!compare_output.empty()) {
      io::write_file_atomically(compare_output + ".md", report);
      io::write_file_atomically(compare_output + ".csv", compare_csv(runs));
    }
  });
}

}  // namespace runaway::host
