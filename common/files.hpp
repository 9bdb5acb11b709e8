// Reading a whole file as text. Standard library only.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace runaway {

// The file's bytes as text; "" when it cannot be read.
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace runaway
