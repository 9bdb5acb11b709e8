// The voxel model as io/ stores it: grid geometry, material and cell maps, material and cell
// tables. Plain structs, so io/ needs nothing from kernels/ or meshes/; the driver copies its
// VoxelModel into a ModelData once per run. Also the model fingerprint that ties checkpoints to
// a model, and the model-only file `runaway mesh` writes for ParaView.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace runaway::io {

// Element types of arrays on disk and in memory.
enum class ElementType { kFloat64, kFloat32, kInt8, kUInt8, kInt32, kInt64 };
const char* element_type_name(ElementType type);  // "float64", "int8", ...

// Uniform cell-centred voxel grid, lengths in metres. The origin is the domain's minimum corner
// (the outer corner of voxel 0,0,0), not a voxel centre: voxel (i, j, k) spans
// [origin_x + i dx, origin_x + (i+1) dx] and so on.
struct GridInfo {
  int nx = 0;
  int ny = 0;
  int nz = 0;
  double dx = 0;
  double dy = 0;
  double dz = 0;
  double origin_x = 0;
  double origin_y = 0;
  double origin_z = 0;

  std::size_t voxel_count() const { return std::size_t(nx) * std::size_t(ny) * std::size_t(nz); }
  // Interior index of voxel (i, j, k), 0-based, x fastest.
  std::size_t index(int i, int j, int k) const {
    return (std::size_t(k) * std::size_t(ny) + std::size_t(j)) * std::size_t(nx) + std::size_t(i);
  }
};

// One column of a table: a value per row. Units follow docs/output-format.md ("1" for a
// dimensionless number, "" for text and identifiers).
struct Column {
  std::string name;
  std::string units;
  std::variant<std::vector<double>, std::vector<std::int32_t>, std::vector<std::string>> values;

  std::size_t size() const;
};

// A table of rows, stored as parallel 1-D datasets (one per column) in one HDF5 group, which
// h5py, pandas and MATLAB read without compound types.
struct Table {
  std::vector<Column> columns;

  std::size_t row_count() const { return columns.empty() ? 0 : columns.front().size(); }
  const Column* find(const std::string& name) const;
};

struct ModelData {
  GridInfo grid;
  std::vector<std::uint8_t> material;  // material id per voxel, [z][y][x], x fastest
  std::vector<std::int32_t> cell;      // battery cell id per voxel, -1 outside cells
  Table materials;                     // row i describes material id i
  Table cells;                         // row i describes cell id i

  // Number of battery cells: the rows of `cells`, or the largest cell id + 1 when `cells` has
  // no columns.
  int cell_count() const;
};

// Throws runaway::Error when the grid is empty or not finite, a map has the wrong size, a table
// has columns of unequal length, or a cell id is outside -1 .. cell_count()-1.
void validate(const ModelData& model);

// Identifies a model, so that a checkpoint is never restarted on another one: the grid shape,
// the voxel size and a 64-bit FNV-1a hash of the material and cell maps. The origin is left
// out: moving the whole model does not change its physics.
struct ModelFingerprint {
  int nx = 0;
  int ny = 0;
  int nz = 0;
  double dx = 0;
  double dy = 0;
  double dz = 0;
  std::uint64_t maps_hash = 0;

  bool operator==(const ModelFingerprint& other) const;
  bool operator!=(const ModelFingerprint& other) const { return !(*this == other); }
  // What differs from `other`, in words; empty when equal.
  std::string difference(const ModelFingerprint& other) const;
};

ModelFingerprint fingerprint(const GridInfo& grid, const std::vector<std::uint8_t>& material,
                             const std::vector<std::int32_t>& cell);
inline ModelFingerprint fingerprint(const ModelData& model) {
  return fingerprint(model.grid, model.material, model.cell);
}

// The model alone, for `runaway mesh`: writes `h5_path` (e.g. model.h5: /grid, /model, the same
// layout as in results.h5) and an XDMF file beside it with the same stem (model.xdmf) showing
// material and cell id in ParaView. Both are written under temporary names and renamed, so an
// interrupted write never leaves a half file; an existing file is refused unless `overwrite`.
void write_model_file(const std::filesystem::path& h5_path, const ModelData& model, bool overwrite);
ModelData read_model_file(const std::filesystem::path& h5_path);

}  // namespace runaway::io
