// For MPI tests: this process's rank in MPI_COMM_WORLD, and a scratch directory that every rank
// names the same.
#pragma once

#include <mpi.h>
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace runaway::testing {

inline int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

// A directory made by rank 0 and named to every rank; rank 0 removes it once every rank is done.
class SharedTempDir {
 public:
  explicit SharedTempDir(const std::string& prefix = "runaway-mpi") {
    std::string path(256, '\0');
    if (world_rank() == 0) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
      if (::mkdtemp(pattern.data()) == nullptr) pattern.clear();
      path = pattern;
      path.resize(256, '\0');
    }
    MPI_Bcast(path.data(), 256, MPI_CHAR, 0, MPI_COMM_WORLD);
    path_ = path.c_str();
    if (path_.empty()) throw std::runtime_error("mkdtemp failed");
  }
  ~SharedTempDir() {
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }
  SharedTempDir(const SharedTempDir&) = delete;
  SharedTempDir& operator=(const SharedTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace runaway::testing
