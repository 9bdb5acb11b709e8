// Running commands from tests and reading what they print: the `runaway` CLI (RUNAWAY_CLI) or
// any shell command line, with the exit code and the output captured.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace runaway::testing {

struct CommandResult {
  int exit_code = -1;                         // -1 when it did not exit normally
  std::string output;                         // stdout (and stderr, unless kept apart)
  std::string errors;                         // stderr, when kept apart
  std::map<std::string, std::string> values;  // key=value lines of `output`
};

// Runs `command_line` with the shell, in `directory` when one is given. stdout and stderr go
// together into `output`, or with separate_errors stderr into `errors`.
CommandResult run_shell(const std::string& command_line,
                        const std::filesystem::path& directory = {}, bool separate_errors = false);

// Runs the built `runaway ARGUMENTS` (quoted where needed); stdout and stderr together.
CommandResult run_cli(const std::string& arguments);

// The key=value lines of `text` (the last of a key wins).
std::map<std::string, std::string> key_values(const std::string& text);

// Every value libgomp reported for `variable` (OMP_DISPLAY_ENV lines `  NAME = 'value'`), in
// order: a process that starts itself again reports twice, the one that runs last.
std::vector<std::string> libgomp_reports(const std::string& text, const std::string& variable);

// How many places a libgomp OMP_PLACES value lists ("{0},{1}": 2; "{0,2}": 1).
std::size_t place_count(const std::string& places);

// The numbers of a whitespace-separated list.
std::vector<double> numbers(const std::string& text);

// The program's path on $PATH, or "".
std::string find_program(const std::string& program);

}  // namespace runaway::testing
