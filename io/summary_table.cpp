#include "io/summary_table.hpp"

#include <cstdint>
#include <string>
#include <system_error>

#include "common/error.hpp"
#include "io/files.hpp"
#include "io/hdf5_util.hpp"

namespace runaway::io {

namespace fs = std::filesystem;

namespace {
constexpr const char* kSummaryFormat = "runaway-batch-summary";
constexpr std::int64_t kSummaryFormatVersion = 1;
}  // namespace

void write_summary_table(const fs::path& path, const Table& table) {
  h5::silence_errors();
  for (const Column& column : table.columns) {
    if (column.size() != table.row_count()) {
      throw runaway::runtime_error("summary column '" + column.name + "' has " +
                                   std::to_string(column.size()) + " rows, not " +
                                   std::to_string(table.row_count()));
    }
  }
  const fs::path temporary = temporary_path(path);
  {
    h5::Handle file = h5::create_file(temporary.string(), H5F_ACC_TRUNC, false);
    h5::write_attribute(file.get(), "format", std::string(kSummaryFormat));
    h5::write_attribute(file.get(), "format_version", kSummaryFormatVersion);
    h5::write_table(file.get(), "summary", table);
    h5::check(file.close(), "cannot write " + temporary.string());
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    throw runaway::runtime_error("cannot move " + temporary.string() + " to " + path.string() +
                                 ": " + error.message());
  }
}

Table read_summary_table(const fs::path& path) {
  h5::silence_errors();
  h5::Handle file = h5::open_for_reading(path.string(), "batch summary (summary.h5)");
  h5::check_format(file.get(), path.string(), kSummaryFormat, kSummaryFormatVersion);
  return h5::read_table(file.get(), "summary");
}

}  // namespace runaway::io
