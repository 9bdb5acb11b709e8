// The parts of hdf5_util.hpp that know the files rather than HDF5: /grid and /model of a results
// or model file, and the checks that a file a user named is the kind of file expected.
#include "io/hdf5_util.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace runaway::io::h5 {

void write_grid(hid_t file, const GridInfo& grid) {
  Handle group = create_group(file, "grid");
  // Every per-axis attribute is in z, y, x order, the order of the array dimensions.
  write_attribute(group.get(), "shape", std::vector<std::int64_t>{grid.nz, grid.ny, grid.nx});
  write_attribute(group.get(), "spacing", std::vector<double>{grid.dz, grid.dy, grid.dx});
  write_attribute(group.get(), "origin",
                  std::vector<double>{grid.origin_z, grid.origin_y, grid.origin_x});
  write_attribute(group.get(), "axis_order", std::string("z,y,x"));
  write_attribute(group.get(), "units", std::string("m"));
}

GridInfo read_grid(hid_t file, const std::string& file_name) {
  Handle group = open_group(file, "grid");
  const auto shape = read_array_attribute<std::int64_t>(group.get(), "shape");
  const auto spacing = read_array_attribute<double>(group.get(), "spacing");
  const auto origin = read_array_attribute<double>(group.get(), "origin");
  if (shape.size() != 3 || spacing.size() != 3 || origin.size() != 3) {
    throw runaway::bad_input(file_name +
                             ": /grid attributes shape, spacing, origin must each "
                             "hold 3 numbers (z, y, x)");
  }
  GridInfo grid;
  grid.nz = int(shape[0]);
  grid.ny = int(shape[1]);
  grid.nx = int(shape[2]);
  grid.dz = spacing[0];
  grid.dy = spacing[1];
  grid.dx = spacing[2];
  grid.origin_z = origin[0];
  grid.origin_y = origin[1];
  grid.origin_x = origin[2];
  return grid;
}

namespace {

template <class T>
void write_map(hid_t group, const std::string& name, const GridInfo& grid,
               const std::vector<T>& values, const std::string& description) {
  const std::vector<hsize_t> extent{hsize_t(grid.nz), hsize_t(grid.ny), hsize_t(grid.nx)};
  Storage storage{chunk_shape(extent, sizeof(T), std::size_t(4) << 20), true, false, false};
  Handle dataset = create_dataset(group, name, native_type<T>(), extent, extent, storage);
  check(H5Dwrite(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        "cannot write /model/" + name);
  write_attribute(dataset.get(), "units", std::string(""));
  write_attribute(dataset.get(), "description", description);
}

template <class T>
std::vector<T> read_map(hid_t group, const std::string& name, const GridInfo& grid,
                        const std::string& file_name) {
  Handle dataset = open_dataset(group, name);
  const auto extent = dataset_extent(dataset.get());
  const std::vector<hsize_t> expected{hsize_t(grid.nz), hsize_t(grid.ny), hsize_t(grid.nx)};
  if (extent != expected) {
    throw runaway::bad_input(file_name + ": /model/" + name + " does not match /grid shape");
  }
  std::vector<T> values(grid.voxel_count());
  check(H5Dread(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
        file_name + ": cannot read /model/" + name);
  return values;
}

}  // namespace

void write_model(hid_t file, const ModelData& model) {
  write_grid(file, model.grid);
  Handle group = create_group(file, "model");
  write_map(group.get(), "material", model.grid, model.material,
            "material id per voxel: row of /model/materials");
  write_map(group.get(), "cell", model.grid, model.cell,
            "battery cell id per voxel: row of /model/cells, -1 outside cells");
  write_table(group.get(), "materials", model.materials);
  write_table(group.get(), "cells", model.cells);
  write_attribute(group.get(), "cell_count", std::int64_t(model.cell_count()));
}

ModelData read_model(hid_t file, const std::string& file_name) {
  ModelData model;
  model.grid = read_grid(file, file_name);
  if (model.grid.nx <= 0 || model.grid.ny <= 0 || model.grid.nz <= 0) {
    throw runaway::bad_input(file_name + ": /grid shape is empty");
  }
  Handle group = open_group(file, "model");
  model.material = read_map<std::uint8_t>(group.get(), "material", model.grid, file_name);
  model.cell = read_map<std::int32_t>(group.get(), "cell", model.grid, file_name);
  model.materials = read_table(group.get(), "materials");
  model.cells = read_table(group.get(), "cells");
  return model;
}

void check_format(hid_t file, const std::string& file_name, const std::string& expected_format,
                  std::int64_t max_version) {
  bool has_format = false;
  try {
    has_format = attribute_exists(file, "format");
  } catch (const runaway::Error& e) {
    throw runaway::bad_input(file_name + " is corrupt: " + e.what());
  }
  if (!has_format) {
    throw runaway::bad_input(file_name + " is an HDF5 file but not a " + expected_format +
                             " file: it has no 'format' attribute");
  }
  const std::string format = read_string_attribute(file, "format");
  if (format != expected_format) {
    throw runaway::bad_input(file_name + " is a '" + format + "' file, not a '" + expected_format +
                             "' file");
  }
  const auto version = read_scalar_attribute<std::int64_t>(file, "format_version");
  if (version < 1 || version > max_version) {
    throw runaway::bad_input(file_name + " has " + expected_format + " format version " +
                             std::to_string(version) + "; this runaway reads versions 1 to " +
                             std::to_string(max_version) + " (a newer runaway wrote it?)");
  }
}

Handle open_for_reading(const std::string& path, const std::string& expected_kind) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw runaway::bad_input("no such file: " + path + " (expected a " + expected_kind + ")");
  }
  if (!std::filesystem::is_regular_file(path, error)) {
    throw runaway::bad_input(path + " is not a regular file (expected a " + expected_kind + ")");
  }
  const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
  if (is_hdf5 < 0) {
    throw runaway::bad_input("cannot read " + path + ": " + error_summary());
  }
  if (is_hdf5 == 0) {
    throw runaway::bad_input(path + " is not an HDF5 file (expected a " + expected_kind + ")");
  }
  Handle fapl = file_access(false);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get());
  if (file < 0) {
    throw runaway::bad_input("cannot open " + path + " (" + expected_kind +
                             "): the file is truncated or corrupt: " + error_summary());
  }
  return Handle(file, H5Fclose);
}
}  // namespace runaway::io::h5
