// File-system steps shared by the writers: preparing a run directory without losing an earlier
// result, and replacing a file atomically (write a temporary beside it, then rename).
#pragma once

#include <filesystem>
#include <string>

namespace runaway::io {

// Makes `run_dir` ready for a new run: creates it (and its parents) when missing; accepts an
// existing empty directory; refuses (bad_input) an existing non-empty directory unless
// `overwrite`, so that no earlier result is lost; refuses a path that is not a directory.
// Throws runtime_error when the directory cannot be created or is not writable.
void prepare_run_directory(const std::filesystem::path& run_dir, bool overwrite);

// The temporary name a file is written under before it is renamed to `path`.
std::filesystem::path temporary_path(const std::filesystem::path& path);

// Moves a fully written `temporary` to `final_path` in one rename, after fsync, so that
// `final_path` is either the old file or the complete new one, even after a kill or a power
// loss. Removes `temporary` and throws runtime_error on failure.
void commit_file(const std::filesystem::path& temporary, const std::filesystem::path& final_path,
                 bool sync);

// Writes `text` to `path` through a temporary file and commit_file (no fsync: for sidecar files
// such as XDMF that can be rebuilt from the HDF5 file).
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace runaway::io
