#include "support/cli.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "common/files.hpp"
#include "common/text.hpp"

namespace runaway::testing {

namespace fs = std::filesystem;

namespace {

// A new empty file for a command's output, unique per process and call.
fs::path capture_file() {
  std::string pattern = (fs::temp_directory_path() / "runaway-test-output-XXXXXX").string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  return pattern;
}

std::string take_text(const fs::path& file) {
  std::string text = read_text(file);
  std::error_code ignored;
  fs::remove(file, ignored);
  return text;
}

}  // namespace

CommandResult run_shell(const std::string& command_line, const fs::path& directory,
                        bool separate_errors) {
  const fs::path out = capture_file();
  const fs::path err = separate_errors ? capture_file() : fs::path();
  std::string command = directory.empty() ? "" : "cd " + shell_quoted(directory.string()) + " && ";
  command += command_line + " > " + shell_quoted(out.string());
  command += separate_errors ? " 2> " + shell_quoted(err.string()) : " 2>&1";
  const int status = std::system(command.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = take_text(out);
  if (separate_errors) r.errors = take_text(err);
  r.values = key_values(r.output);
  return r;
}

CommandResult run_cli(const std::string& arguments) {
  return run_shell(shell_quoted(RUNAWAY_CLI) + " " + arguments);
}

std::map<std::string, std::string> key_values(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

std::vector<std::string> libgomp_reports(const std::string& text, const std::string& variable) {
  std::vector<std::string> values;
  const std::regex line("(?:^|\\n)\\s*" + variable + " = '([^']*)'");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator();
       ++it) {
    values.push_back((*it)[1].str());
  }
  return values;
}

std::size_t place_count(const std::string& places) {
  return std::size_t(std::count(places.begin(), places.end(), '{'));
}

std::vector<double> numbers(const std::string& text) {
  std::vector<double> values;
  std::istringstream in(text);
  double value = 0;
  while (in >> value) values.push_back(value);
  return values;
}

std::string find_program(const std::string& program) {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream directories(path);
    std::string directory;
    while (std::getline(directories, directory, ':')) {
      const fs::path candidate = fs::path(directory) / program;
      if (!directory.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return "";
}

}  // namespace runaway::testing
