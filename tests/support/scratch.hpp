// Scratch folders for tests: a fresh, unique directory under the system's temporary directory
// (mkdtemp), removed with everything in it when the test is done. Tests run in parallel
// processes (ctest -j), so no two share one.
#pragma once

#include <filesystem>
#include <string>

namespace runaway::testing {

class ScratchDir {
 public:
  // `prefix` names the directory (prefix-XXXXXX) so that a kept one says which test made it.
  // With keep_on_failure, a test that failed leaves it in place to look at (and says where).
  explicit ScratchDir(const std::string& prefix = "runaway-test", bool keep_on_failure = false);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
  bool keep_on_failure_ = false;
};

}  // namespace runaway::testing
