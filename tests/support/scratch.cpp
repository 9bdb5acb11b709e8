#include "support/scratch.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <stdexcept>
#include <system_error>

namespace runaway::testing {

namespace fs = std::filesystem;

ScratchDir::ScratchDir(const std::string& prefix, bool keep_on_failure)
    : keep_on_failure_(keep_on_failure) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  if (keep_on_failure_ && ::testing::Test::HasFailure()) {
    std::fprintf(stderr, "kept the failed test's files in %s\n", path_.c_str());
    return;
  }
  std::error_code ignored;
  // A test may have taken away write permission (to make writes fail): give it back first.
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
  fs::remove_all(path_, ignored);
}

}  // namespace runaway::testing
