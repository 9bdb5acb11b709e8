#include "io/model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "common/error.hpp"
#include "io/files.hpp"
#include "io/hdf5_util.hpp"
#include "io/xdmf.hpp"

namespace runaway::io {

namespace fs = std::filesystem;

const char* element_type_name(ElementType type) {
  switch (type) {
    case ElementType::kFloat64:
      return "float64";
    case ElementType::kFloat32:
      return "float32";
    case ElementType::kInt8:
      return "int8";
    case ElementType::kUInt8:
      return "uint8";
    case ElementType::kInt32:
      return "int32";
    case ElementType::kInt64:
      return "int64";
  }
  return "unknown";
}

std::size_t Column::size() const {
  return std::visit([](const auto& column_values) { return column_values.size(); }, values);
}

const Column* Table::find(const std::string& name) const {
  for (const auto& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

int ModelData::cell_count() const {
  if (!cells.columns.empty()) return int(cells.row_count());
  std::int32_t largest = -1;
  for (std::int32_t id : cell) largest = std::max(largest, id);
  return int(largest) + 1;
}

namespace {

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

void validate_table(const Table& table, const std::string& what) {
  for (const auto& column : table.columns) {
    if (!valid_name(column.name)) {
      throw runaway::bad_input(what + " column name '" + column.name +
                               "' must be non-empty letters, digits, '_', '-' or '.'");
    }
    if (column.size() != table.row_count()) {
      throw runaway::bad_input(what + " column '" + column.name + "' has " +
                               std::to_string(column.size()) + " rows, the first column " +
                               std::to_string(table.row_count()));
    }
  }
}

}  // namespace

void validate(const ModelData& model) {
  const GridInfo& grid = model.grid;
  if (grid.nx <= 0 || grid.ny <= 0 || grid.nz <= 0) {
    throw runaway::bad_input("model grid has " + std::to_string(grid.nx) + " x " +
                             std::to_string(grid.ny) + " x " + std::to_string(grid.nz) +
                             " voxels; every count must be positive");
  }
  const double lengths[] = {grid.dx, grid.dy, grid.dz};
  for (double length : lengths) {
    if (!(length > 0) || !std::isfinite(length)) {
      throw runaway::bad_input("model voxel size must be positive and finite (m), got " +
                               std::to_string(length));
    }
  }
  const double origin[] = {grid.origin_x, grid.origin_y, grid.origin_z};
  for (double coordinate : origin) {
    if (!std::isfinite(coordinate)) throw runaway::bad_input("model origin must be finite");
  }
  const std::size_t voxels = grid.voxel_count();
  if (model.material.size() != voxels || model.cell.size() != voxels) {
    throw runaway::bad_input("model maps hold " + std::to_string(model.material.size()) +
                             " material and " + std::to_string(model.cell.size()) +
                             " cell ids; the grid has " + std::to_string(voxels) + " voxels");
  }
  validate_table(model.materials, "material table");
  validate_table(model.cells, "cell table");
  const int cells = model.cell_count();
  for (std::int32_t id : model.cell) {
    if (id < -1 || id >= cells) {
      throw runaway::bad_input("cell id " + std::to_string(id) +
                               " in the cell map is outside -1.." + std::to_string(cells - 1));
    }
  }
}

bool ModelFingerprint::operator==(const ModelFingerprint& other) const {
  return nx == other.nx && ny == other.ny && nz == other.nz && dx == other.dx && dy == other.dy &&
         dz == other.dz && maps_hash == other.maps_hash;
}

std::string ModelFingerprint::difference(const ModelFingerprint& other) const {
  auto shape = [](const ModelFingerprint& f) {
    return std::to_string(f.nx) + " x " + std::to_string(f.ny) + " x " + std::to_string(f.nz);
  };
  auto spacing = [](const ModelFingerprint& f) {
    char text[96];
    std::snprintf(text, sizeof text, "%.9g x %.9g x %.9g m", f.dx, f.dy, f.dz);
    return std::string(text);
  };
  if (nx != other.nx || ny != other.ny || nz != other.nz) {
    return "grid " + shape(*this) + " voxels vs " + shape(other);
  }
  if (dx != other.dx || dy != other.dy || dz != other.dz) {
    return "voxel size " + spacing(*this) + " vs " + spacing(other);
  }
  if (maps_hash != other.maps_hash) return "material or cell map differs";
  return "";
}

ModelFingerprint fingerprint(const GridInfo& grid, const std::vector<std::uint8_t>& material,
                             const std::vector<std::int32_t>& cell) {
  // FNV-1a, 64 bit: fast, simple, and sensitive to every byte and its position.
  std::uint64_t hash = 14695981039346656037ull;
  auto mix = [&hash](const unsigned char* bytes, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) {
      hash ^= bytes[i];
      hash *= 1099511628211ull;
    }
  };
  mix(material.data(), material.size());
  for (std::int32_t id : cell) {
    // Little-endian bytes of each id, so the hash does not depend on the host byte order.
    const auto bits = std::uint32_t(id);
    const unsigned char bytes[4] = {static_cast<unsigned char>(bits & 0xFFu),
                                    static_cast<unsigned char>((bits >> 8) & 0xFFu),
                                    static_cast<unsigned char>((bits >> 16) & 0xFFu),
                                    static_cast<unsigned char>((bits >> 24) & 0xFFu)};
    mix(bytes, 4);
  }
  ModelFingerprint result;
  result.nx = grid.nx;
  result.ny = grid.ny;
  result.nz = grid.nz;
  result.dx = grid.dx;
  result.dy = grid.dy;
  result.dz = grid.dz;
  result.maps_hash = hash;
  return result;
}

namespace {
constexpr const char* kModelFormat = "runaway-model";
constexpr std::int64_t kModelFormatVersion = 1;
}  // namespace

void write_model_file(const fs::path& h5_path, const ModelData& model, bool overwrite) {
  h5::silence_errors();
  validate(model);
  fs::path xdmf_path = h5_path;
  xdmf_path.replace_extension(".xdmf");
  std::error_code error;
  for (const auto& path : {h5_path, xdmf_path}) {
    if (!overwrite && fs::exists(path, error)) {
      throw runaway::bad_input("already exists; pass --overwrite to replace it",
                               {"", 0, "output", path.string()});
    }
  }
  const fs::path temporary = temporary_path(h5_path);
  try {
    h5::Handle file = h5::create_file(temporary.string(), H5F_ACC_TRUNC, false);
    h5::write_attribute(file.get(), "format", std::string(kModelFormat));
    h5::write_attribute(file.get(), "format_version", kModelFormatVersion);
    h5::write_model(file.get(), model);
    h5::write_attribute(file.get(), "complete", std::int64_t(1));
    h5::check(file.close(), "cannot write " + h5_path.string());
  } catch (...) {
    fs::remove(temporary, error);
    throw;
  }
  commit_file(temporary, h5_path, true);
  write_model_xdmf(xdmf_path, h5_path.filename().string(), model.grid);
}

ModelData read_model_file(const fs::path& h5_path) {
  h5::silence_errors();
  h5::Handle file = h5::open_for_reading(h5_path.string(), "model file");
  h5::check_format(file.get(), h5_path.string(), kModelFormat, kModelFormatVersion);
  try {
    return h5::read_model(file.get(), h5_path.string());
  } catch (const runaway::Error& e) {
    if (e.kind() == ErrorKind::kBadInput) throw;
    throw runaway::bad_input(h5_path.string() + " is corrupt: " + e.what());
  }
}

}  // namespace runaway::io
