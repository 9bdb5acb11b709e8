#include "io/checkpoint.hpp"

#include <algorithm>
#include <system_error>

#include "common/error.hpp"
#include "io/files.hpp"
#include "io/hdf5_util.hpp"

namespace runaway::io {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxChunkBytes = std::size_t(4) << 20;

template <class T>
constexpr ElementType element_type_of();
template <>
constexpr ElementType element_type_of<double>() {
  return ElementType::kFloat64;
}
template <>
constexpr ElementType element_type_of<float>() {
  return ElementType::kFloat32;
}
template <>
constexpr ElementType element_type_of<std::int8_t>() {
  return ElementType::kInt8;
}
template <>
constexpr ElementType element_type_of<std::uint8_t>() {
  return ElementType::kUInt8;
}
template <>
constexpr ElementType element_type_of<std::int32_t>() {
  return ElementType::kInt32;
}
template <>
constexpr ElementType element_type_of<std::int64_t>() {
  return ElementType::kInt64;
}

std::size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::kFloat64:
    case ElementType::kInt64:
      return 8;
    case ElementType::kFloat32:
    case ElementType::kInt32:
      return 4;
    case ElementType::kInt8:
    case ElementType::kUInt8:
      return 1;
  }
  return 8;
}

bool valid_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

void write_array(hid_t group, const ArrayView& array) {
  const std::vector<hsize_t> extent{hsize_t(array.count)};
  h5::Storage storage;
  if (array.count > 0) {
    // Checksummed chunks; no compression, so that a checkpoint is written at disk speed.
    storage = {h5::chunk_shape(extent, element_size(array.type), kMaxChunkBytes), false, true};
  }
  const hid_t type = h5::native_type(array.type);
  h5::Handle dataset = h5::create_dataset(group, array.name, type, extent, extent, storage);
  if (array.count > 0) {
    h5::check(H5Dwrite(dataset.get(), type, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.data),
              "cannot write array " + array.name);
  }
  h5::write_attribute(dataset.get(), "element_type", std::string(element_type_name(array.type)));
}

ArrayData read_array(hid_t group, const std::string& name) {
  h5::Handle dataset = h5::open_dataset(group, name);
  switch (h5::dataset_element_type(dataset.get())) {
    case ElementType::kFloat64:
      return h5::read_vector<double>(group, name);
    case ElementType::kFloat32:
      return h5::read_vector<float>(group, name);
    case ElementType::kInt8:
      return h5::read_vector<std::int8_t>(group, name);
    case ElementType::kUInt8:
      return h5::read_vector<std::uint8_t>(group, name);
    case ElementType::kInt32:
      return h5::read_vector<std::int32_t>(group, name);
    case ElementType::kInt64:
      return h5::read_vector<std::int64_t>(group, name);
  }
  throw runaway::runtime_error("array " + name + " has an unknown element type");
}

void write_contents(hid_t file, const CheckpointState& state,
                    const std::vector<ArrayView>& arrays) {
  h5::write_attribute(file, "format", std::string(kCheckpointFormat));
  h5::write_attribute(file, "format_version", kCheckpointFormatVersion);
  h5::write_attribute(file, "time", state.time);
  h5::write_attribute(file, "step", state.step);
  h5::write_attribute(file, "dt", state.dt);
  h5::write_attribute(file, "created", h5::utc_now());
  {
    h5::Handle group = h5::create_group(file, "model");
    const ModelFingerprint& m = state.model;
    h5::write_attribute(group.get(), "shape", std::vector<std::int64_t>{m.nz, m.ny, m.nx});
    h5::write_attribute(group.get(), "spacing", std::vector<double>{m.dz, m.dy, m.dx});
    h5::write_attribute(group.get(), "maps_hash", m.maps_hash);
  }
  {
    h5::Handle group = h5::create_group(file, "input");
    h5::write_text(group.get(), "config", state.config_text);
  }
  {
    h5::Handle group = h5::create_group(file, "scalars");
    for (const auto& [name, value] : state.scalars) h5::write_attribute(group.get(), name, value);
  }
  {
    h5::Handle group = h5::create_group(file, "integers");
    for (const auto& [name, value] : state.integers) h5::write_attribute(group.get(), name, value);
  }
  {
    h5::Handle group = h5::create_group(file, "arrays");
    std::vector<std::string> names;
    for (const auto& array : arrays) {
      write_array(group.get(), array);
      names.push_back(array.name);
    }
    // The list of arrays is checked on reading, so a missing one is found.
    h5::write_attribute(group.get(), "names", names);
  }
}

// Names of the attributes of `location`, in HDF5's order.
std::vector<std::string> attribute_names(hid_t location) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  hsize_t index = 0;
  h5::check(H5Aiterate2(location, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names),
            "cannot list attributes");
  return names;
}

Checkpoint read_contents(hid_t file) {
  Checkpoint checkpoint;
  CheckpointState& state = checkpoint.state;
  state.time = h5::read_scalar_attribute<double>(file, "time");
  state.step = h5::read_scalar_attribute<std::int64_t>(file, "step");
  state.dt = h5::read_scalar_attribute<double>(file, "dt");
  {
    h5::Handle group = h5::open_group(file, "model");
    const auto shape = h5::read_array_attribute<std::int64_t>(group.get(), "shape");
    const auto spacing = h5::read_array_attribute<double>(group.get(), "spacing");
    if (shape.size() != 3 || spacing.size() != 3) {
      throw runaway::runtime_error("/model shape and spacing must hold 3 numbers");
    }
    state.model.nz = int(shape[0]);
    state.model.ny = int(shape[1]);
    state.model.nx = int(shape[2]);
    state.model.dz = spacing[0];
    state.model.dy = spacing[1];
    state.model.dx = spacing[2];
    state.model.maps_hash = h5::read_scalar_attribute<std::uint64_t>(group.get(), "maps_hash");
  }
  state.config_text = h5::read_text(file, "input/config");
  {
    h5::Handle group = h5::open_group(file, "scalars");
    for (const auto& name : attribute_names(group.get())) {
      state.scalars[name] = h5::read_scalar_attribute<double>(group.get(), name);
    }
  }
  {
    h5::Handle group = h5::open_group(file, "integers");
    for (const auto& name : attribute_names(group.get())) {
      state.integers[name] = h5::read_scalar_attribute<std::int64_t>(group.get(), name);
    }
  }
  {
    h5::Handle group = h5::open_group(file, "arrays");
    for (const auto& name : h5::read_string_array_attribute(group.get(), "names")) {
      checkpoint.arrays[name] = read_array(group.get(), name);
    }
  }
  return checkpoint;
}

}  // namespace

template <class T>
ArrayView array_view(const std::string& name, const std::vector<T>& values) {
  return {name, element_type_of<T>(), values.data(), values.size()};
}

template <class T>
const std::vector<T>& Checkpoint::get(const std::string& name) const {
  const auto found = arrays.find(name);
  if (found == arrays.end()) {
    throw runaway::bad_input("checkpoint has no array '" + name + "'");
  }
  const auto* values = std::get_if<std::vector<T>>(&found->second);
  if (values == nullptr) {
    throw runaway::bad_input(std::string("checkpoint array '") + name + "' holds " +
                             element_type_name(type_of(name)) + ", not " +
                             element_type_name(element_type_of<T>()));
  }
  return *values;
}

ElementType Checkpoint::type_of(const std::string& name) const {
  const auto found = arrays.find(name);
  if (found == arrays.end()) throw runaway::bad_input("checkpoint has no array '" + name + "'");
  constexpr ElementType kTypes[] = {ElementType::kFloat64, ElementType::kFloat32,
                                    ElementType::kInt8,    ElementType::kUInt8,
                                    ElementType::kInt32,   ElementType::kInt64};
  return kTypes[found->second.index()];
}

#define RUNAWAY_IO_CHECKPOINT_TYPE(T)                                          \
  template ArrayView array_view<T>(const std::string&, const std::vector<T>&); \
  template const std::vector<T>& Checkpoint::get<T>(const std::string&) const;
RUNAWAY_IO_CHECKPOINT_TYPE(double)
RUNAWAY_IO_CHECKPOINT_TYPE(float)
RUNAWAY_IO_CHECKPOINT_TYPE(std::int8_t)
RUNAWAY_IO_CHECKPOINT_TYPE(std::uint8_t)
RUNAWAY_IO_CHECKPOINT_TYPE(std::int32_t)
RUNAWAY_IO_CHECKPOINT_TYPE(std::int64_t)
#undef RUNAWAY_IO_CHECKPOINT_TYPE

void write_checkpoint(const fs::path& path, const CheckpointState& state,
                      const std::vector<ArrayView>& arrays) {
  h5::silence_errors();
  std::vector<std::string> seen;
  for (const auto& array : arrays) {
    if (!valid_name(array.name) || (array.data == nullptr && array.count > 0)) {
      throw runaway::runtime_error("checkpoint array '" + array.name +
                                   "' needs a name of letters, digits, '_', '-', '.' and data");
    }
    if (std::find(seen.begin(), seen.end(), array.name) != seen.end()) {
      throw runaway::runtime_error("checkpoint array '" + array.name + "' is given twice");
    }
    seen.push_back(array.name);
  }
  for (const auto& [name, value] : state.scalars) {
    if (!valid_name(name)) throw runaway::runtime_error("bad checkpoint scalar name " + name);
  }
  for (const auto& [name, value] : state.integers) {
    if (!valid_name(name)) throw runaway::runtime_error("bad checkpoint integer name " + name);
  }
  const fs::path temporary = temporary_path(path);
  try {
    h5::Handle file = h5::create_file(temporary.string(), H5F_ACC_TRUNC, true);
    write_contents(file.get(), state, arrays);
    h5::check(file.close(), "cannot write " + temporary.string());
  } catch (const runaway::Error& e) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw runaway::runtime_error(
        "cannot write checkpoint " + path.string() + ": " + e.what() +
        (fs::exists(path, ignored) ? " (the previous checkpoint is kept)" : ""));
  }
  commit_file(temporary, path, true);
}

Checkpoint read_checkpoint(const fs::path& path) {
  h5::silence_errors();
  const std::string name = path.string();
  h5::Handle file = h5::open_for_reading(name, "runaway checkpoint");
  h5::check_format(file.get(), name, kCheckpointFormat, kCheckpointFormatVersion);
  try {
    return read_contents(file.get());
  } catch (const runaway::Error& e) {
    if (e.kind() == ErrorKind::kBadInput) throw;
    throw runaway::bad_input("checkpoint " + name + " is corrupt: " + e.what());
  }
}

Checkpoint read_checkpoint(const fs::path& path, const ModelFingerprint& expected_model) {
  Checkpoint checkpoint = read_checkpoint(path);
  if (checkpoint.state.model != expected_model) {
    throw runaway::bad_input("checkpoint " + path.string() + " was written for another model: " +
                             checkpoint.state.model.difference(expected_model) +
                             " (checkpoint vs this input)");
  }
  return checkpoint;
}

}  // namespace runaway::io
