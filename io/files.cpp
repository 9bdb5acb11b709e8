#include "io/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

#include "common/error.hpp"

namespace runaway::io {

namespace fs = std::filesystem;

void prepare_run_directory(const fs::path& run_dir, bool overwrite) {
  const ErrorContext context{"", 0, "output directory", run_dir.string()};
  std::error_code error;
  const auto status = fs::status(run_dir, error);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      throw runaway::bad_input(
          "exists and is not a directory; choose a directory for the run's "
          "results",
          context);
    }
    const bool empty = fs::is_empty(run_dir, error);
    if (error) {
      throw runaway::runtime_error("cannot list the directory: " + error.message(), context);
    }
    if (!empty && !overwrite) {
      throw runaway::bad_input(
          "already exists and is not empty; choose a new directory, or pass "
          "--overwrite to replace the results in it",
          context);
    }
  } else {
    fs::create_directories(run_dir, error);
    if (error) {
      throw runaway::runtime_error("cannot create the directory: " + error.message(), context);
    }
  }
  if (::access(run_dir.c_str(), W_OK | X_OK) != 0) {
    throw runaway::runtime_error(
        std::string("the directory is not writable: ") + std::strerror(errno), context);
  }
}

fs::path temporary_path(const fs::path& path) {
  fs::path temporary = path;
  temporary += ".tmp";
  return temporary;
}

namespace {

// fsync of a file or directory; false when it fails.
bool sync_path(const fs::path& path, bool directory) {
  const int descriptor = ::open(path.c_str(), directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY);
  if (descriptor < 0) return false;
  const bool synced = ::fsync(descriptor) == 0;
  ::close(descriptor);
  return synced;
}

}  // namespace

void commit_file(const fs::path& temporary, const fs::path& final_path, bool sync) {
  if (sync && !sync_path(temporary, false)) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw runaway::runtime_error("cannot write " + final_path.string() + ": " + reason);
  }
  std::error_code error;
  fs::rename(temporary, final_path, error);
  if (error) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw runaway::runtime_error("cannot rename " + temporary.string() + " to " +
                                 final_path.string() + ": " + error.message());
  }
  if (sync) {
    // The rename itself is durable only once the directory is synced; a failure here loses
    // nothing that a reader of this machine could see, so it is not an error.
    const fs::path directory = final_path.has_parent_path() ? final_path.parent_path() : ".";
    sync_path(directory, true);
  }
}

void write_file_atomically(const fs::path& path, const std::string& text) {
  const fs::path temporary = temporary_path(path);
  std::FILE* file = std::fopen(temporary.c_str(), "wb");
  if (file == nullptr) {
    throw runaway::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
  const bool written = std::fwrite(text.data(), 1, text.size(), file) == text.size();
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (!written || !closed) {
    const std::string reason = std::strerror(written ? errno : write_errno);
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw runaway::runtime_error("cannot write " + path.string() + ": " + reason);
  }
  commit_file(temporary, path, false);
}

}  // namespace runaway::io
