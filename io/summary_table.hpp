// The summary of a batch sweep as HDF5 (summary.h5): one table, one row per case, each column
// a 1-D dataset with a `units` attribute (the table layout of docs/output-format.md), so that
// h5py, pandas and MATLAB read it like the CSV next to it.
//
//   /                 attributes format = "runaway-batch-summary", format_version = 1
//   /summary/         the table: attribute `columns` (order), one dataset per column
#pragma once

#include <filesystem>

#include "io/model.hpp"

namespace runaway::io {

// Writes `table` to `path` (through a temporary file renamed into place, so a reader never
// sees half a file). Throws runaway::Error when the file cannot be written.
void write_summary_table(const std::filesystem::path& path, const Table& table);

// Reads a summary.h5; a missing, foreign or corrupt file is a runaway::Error (bad input).
Table read_summary_table(const std::filesystem::path& path);

}  // namespace runaway::io
