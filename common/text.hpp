// Small text helpers every folder wants once: trimming, joining, grouping digits and quoting
// for the shell. Standard library only.
#pragma once

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runaway {

// `s` without leading and trailing white space (spaces, tabs, newlines).
inline std::string trim(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  std::size_t first = 0;
  std::size_t last = s.size();
  while (first < last && space(s[first])) ++first;
  while (last > first && space(s[last - 1])) --last;
  return std::string(s.substr(first, last - first));
}

// The words one after the other, `separator` between them: "a, b, c".
inline std::string join(const std::vector<std::string>& words,
                        const std::string& separator = ", ") {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

// A count with its digits in groups of three: 1,234,567.
inline std::string grouped_digits(std::int64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  const int length = int(digits.size());
  for (int i = 0; i < length; ++i) {
    if (i > 0 && (length - i) % 3 == 0) out += ',';
    out += digits[std::size_t(i)];
  }
  return out;
}

// `s` in single quotes for a POSIX shell: it's -> 'it'\''s'.
inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace runaway
