// TOML values as text and what kind of value a node is: for messages that quote a value
// (config, sweep files) and for the TOML that `runaway batch` writes (case configs, case.toml).
#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace runaway::host {

// The shortest text that reads back as the same double, always with a '.' or an exponent so
// that TOML reads a float.
std::string float_text(double v);
// A TOML basic string: "text" with quotes, backslashes and control characters escaped.
std::string quoted(const std::string& s);
// A TOML value as TOML text, floats in their shortest form (0.2, not 0.20000000000000001).
std::string toml_text(const toml::node& n);
// As shown in a summary or a directory name: strings without quotes.
std::string display_text(const toml::node& n);
// The value of an integer or a float; nothing for other values.
std::optional<double> number_of(const toml::node& n);
// The 1-based line the node is written on (0 when unknown).
int line_of(const toml::node& n);
// Reading an input file of TOML tables (a sweep, a study): its errors are bad input naming the
// file, the line and the dotted key.
class InputFileReader {
 public:
  explicit InputFileReader(std::filesystem::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(int line, const std::string& key, const std::string& message,
                         const std::string& value = "") const;

  // Fails for the first key of `t` not in `allowed`, with the closest allowed key as a
  // did-you-mean (else the valid keys). `where`: the table's dotted name, "" at the top level.
  void check_keys(const toml::table& t, const std::string& where,
                  const std::vector<std::string>& allowed) const;

 protected:
  std::filesystem::path file_;
};

// What kind of value the node is, for messages: "a table", "an array", "an integer", ...
std::string type_name(const toml::node& n);

}  // namespace runaway::host
