// runaway::Error: every failure a user can see carries its context (file, line, key, value)
// and maps to a CLI exit code: 2 for bad input, 1 for a runtime failure.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace runaway {

enum class ErrorKind { kBadInput, kRuntime };

struct ErrorContext {
  std::string file;   // input file the value came from, if any
  int line = 0;       // 1-based line in that file, 0 when unknown
  std::string key;    // dotted key or parameter name, e.g. "module.gap"
  std::string value;  // offending value as text
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, ErrorContext context = {})
      : std::runtime_error(format(message, context)),
        kind_(kind),
        message_(message),
        context_(std::move(context)) {}

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  const ErrorContext& context() const { return context_; }
  int exit_code() const { return kind_ == ErrorKind::kBadInput ? 2 : 1; }

 private:
  static std::string format(const std::string& message, const ErrorContext& c) {
    std::string where;
    if (!c.file.empty()) {
      where = c.file;
      if (c.line > 0) where += ":" + std::to_string(c.line);
      where += ": ";
    }
    if (!c.key.empty()) {
      where += c.key;
      if (!c.value.empty()) where += " = " + c.value;
      where += ": ";
    }
    return where + message;
  }

  ErrorKind kind_;
  std::string message_;
  ErrorContext context_;
};

inline Error bad_input(const std::string& message, ErrorContext context = {}) {
  return Error(ErrorKind::kBadInput, message, std::move(context));
}

inline Error runtime_error(const std::string& message, ErrorContext context = {}) {
  return Error(ErrorKind::kRuntime, message, std::move(context));
}

}  // namespace runaway
