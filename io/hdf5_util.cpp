#include "io/hdf5_util.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

namespace runaway::io::h5 {

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.id_;
    closer_ = other.closer_;
    other.id_ = -1;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && closer_ != nullptr) closer_(id_);
  id_ = -1;
}

herr_t Handle::close() {
  herr_t status = 0;
  if (id_ >= 0 && closer_ != nullptr) status = closer_(id_);
  id_ = -1;
  return status;
}

void silence_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {

struct StackWalk {
  std::string innermost;
  std::string os_reason;
};

herr_t collect_error(unsigned /*n*/, const H5E_error2_t* error, void* client) {
  auto* walk = static_cast<StackWalk*>(client);
  const std::string description = error->desc != nullptr ? error->desc : "";
  if (walk->innermost.empty()) walk->innermost = description;
  // HDF5's file drivers report the OS error as "..., error message = 'File too large', ...".
  const std::string marker = "error message = '";
  const auto start = description.find(marker);
  if (walk->os_reason.empty() && start != std::string::npos) {
    const auto end = description.find('\'', start + marker.size());
    if (end != std::string::npos) {
      walk->os_reason = description.substr(start + marker.size(), end - start - marker.size());
    }
  }
  return 0;
}

}  // namespace

std::string error_summary() {
  StackWalk walk;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, collect_error, &walk);
  H5Eclear2(H5E_DEFAULT);
  if (walk.innermost.empty()) return "HDF5 reported a failure without a message";
  if (walk.os_reason.empty()) return walk.innermost;
  // With an OS reason, HDF5's own text adds only its first clause ("file write failed"); the
  // rest is file offsets and descriptors.
  std::string summary =
      walk.os_reason + " (HDF5: " + walk.innermost.substr(0, walk.innermost.find(':')) + ")";
  if (walk.os_reason == "No space left on device" || walk.os_reason == "File too large" ||
      walk.os_reason == "Disk quota exceeded") {
    summary += "; the disk is full or a file-size limit was reached";
  }
  return summary;
}

Handle check_handle(hid_t id, Handle::Closer closer, const std::string& what) {
  if (id < 0) throw runaway::runtime_error(what + ": " + error_summary());
  return Handle(id, closer);
}

Handle file_access(bool use_file_locking) {
  Handle fapl = check_handle(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "HDF5 file access list");
  // Closing a file closes every object still open in it, so a closed writer holds nothing.
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG), "HDF5 close degree");
  // HDF5 1.10 locks a file while it is open for writing, so no one could read results.h5 while
  // the run goes on (and a reader holding it open would stop the run). Lock nothing; the
  // `complete` attribute and flushed frames carry the consistency instead.
  check(H5Pset_file_locking(fapl.get(), use_file_locking ? 1 : 0, 1), "HDF5 file locking");
  return fapl;
}

Handle create_file(const std::string& path, unsigned flags, bool checksummed_format) {
  Handle fapl = file_access(false);
  if (checksummed_format) {
    // The 1.8 format checksums the superblock and object headers, so corrupt metadata is
    // detected rather than read.
    check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), "HDF5 format");
  }
  return check_handle(H5Fcreate(path.c_str(), flags, H5P_DEFAULT, fapl.get()), H5Fclose,
                      "cannot create " + path);
}

Handle open_file(const std::string& path, unsigned flags, bool use_file_locking) {
  Handle fapl = file_access(use_file_locking);
  return check_handle(H5Fopen(path.c_str(), flags, fapl.get()), H5Fclose, "cannot open " + path);
}

#if RUNAWAY_HAVE_MPI
Handle open_file_parallel(const std::string& path, unsigned flags, MPI_Comm comm) {
  Handle fapl = file_access(false);
  check(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL), "HDF5 MPI-IO file access");
  return check_handle(H5Fopen(path.c_str(), flags, fapl.get()), H5Fclose, "cannot open " + path);
}

Handle collective_transfer() {
  Handle dxpl = check_handle(H5Pcreate(H5P_DATASET_XFER), H5Pclose, "HDF5 transfer properties");
  check(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE), "HDF5 collective transfer");
  return dxpl;
}
#endif

bool link_exists(hid_t location, const std::string& path) {
  // Check each component, since H5Lexists fails on a missing intermediate group.
  std::string prefix;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const std::string part =
        path.substr(start, slash == std::string::npos ? path.npos : slash - start);
    if (!part.empty()) {
      prefix += (prefix.empty() ? "" : "/") + part;
      if (H5Lexists(location, prefix.c_str(), H5P_DEFAULT) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        return false;
      }
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

bool attribute_exists(hid_t location, const std::string& name) {
  // A failure here is damaged metadata (a checksum mismatch), not a missing attribute.
  return check(H5Aexists(location, name.c_str()), "cannot read attribute " + name) > 0;
}

Handle create_group(hid_t location, const std::string& name) {
  return check_handle(H5Gcreate2(location, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      H5Gclose, "cannot create group " + name);
}

Handle open_group(hid_t location, const std::string& name) {
  return check_handle(H5Gopen2(location, name.c_str(), H5P_DEFAULT), H5Gclose,
                      "cannot open group " + name);
}

Handle open_dataset(hid_t location, const std::string& name) {
  return check_handle(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose,
                      "cannot open dataset " + name);
}

template <>
hid_t native_type<double>() {
  return H5T_NATIVE_DOUBLE;
}
template <>
hid_t native_type<float>() {
  return H5T_NATIVE_FLOAT;
}
template <>
hid_t native_type<std::int8_t>() {
  return H5T_NATIVE_INT8;
}
template <>
hid_t native_type<std::uint8_t>() {
  return H5T_NATIVE_UINT8;
}
template <>
hid_t native_type<std::int32_t>() {
  return H5T_NATIVE_INT32;
}
template <>
hid_t native_type<std::int64_t>() {
  return H5T_NATIVE_INT64;
}
template <>
hid_t native_type<std::uint64_t>() {
  return H5T_NATIVE_UINT64;
}

hid_t native_type(ElementType type) {
  switch (type) {
    case ElementType::kFloat64:
      return H5T_NATIVE_DOUBLE;
    case ElementType::kFloat32:
      return H5T_NATIVE_FLOAT;
    case ElementType::kInt8:
      return H5T_NATIVE_INT8;
    case ElementType::kUInt8:
      return H5T_NATIVE_UINT8;
    case ElementType::kInt32:
      return H5T_NATIVE_INT32;
    case ElementType::kInt64:
      return H5T_NATIVE_INT64;
  }
  return H5T_NATIVE_DOUBLE;
}

Handle utf8_string_type() {
  Handle type = check_handle(H5Tcopy(H5T_C_S1), H5Tclose, "HDF5 string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "HDF5 string type");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "HDF5 string type");
  return type;
}

namespace {

Handle scalar_space() {
  return check_handle(H5Screate(H5S_SCALAR), H5Sclose, "HDF5 dataspace");
}

Handle simple_space(const std::vector<hsize_t>& extent,
                    const std::vector<hsize_t>& max_extent = {}) {
  return check_handle(H5Screate_simple(int(extent.size()), extent.data(),
                                       max_extent.empty() ? nullptr : max_extent.data()),
                      H5Sclose, "HDF5 dataspace");
}

// Replaces an existing attribute, so that attributes such as wall_time can be updated.
Handle fresh_attribute(hid_t location, const std::string& name, hid_t type, hid_t space) {
  if (attribute_exists(location, name)) {
    check(H5Adelete(location, name.c_str()), "cannot replace attribute " + name);
  }
  return check_handle(H5Acreate2(location, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                      H5Aclose, "cannot create attribute " + name);
}

template <class T>
void write_numeric_attribute(hid_t location, const std::string& name, const T* values,
                             std::size_t count, bool scalar) {
  Handle space = scalar ? scalar_space() : simple_space({hsize_t(count)});
  Handle attribute = fresh_attribute(location, name, native_type<T>(), space.get());
  check(H5Awrite(attribute.get(), native_type<T>(), values), "cannot write attribute " + name);
}

Handle open_attribute(hid_t location, const std::string& name) {
  return check_handle(H5Aopen(location, name.c_str(), H5P_DEFAULT), H5Aclose,
                      "missing attribute " + name);
}

hssize_t element_count(hid_t space) {
  return H5Sget_simple_extent_npoints(space);
}

}  // namespace

void write_attribute(hid_t location, const std::string& name, const std::string& value) {
  Handle type = utf8_string_type();
  Handle space = scalar_space();
  Handle attribute = fresh_attribute(location, name, type.get(), space.get());
  const char* text = value.c_str();
  check(H5Awrite(attribute.get(), type.get(), &text), "cannot write attribute " + name);
}

void write_attribute(hid_t location, const std::string& name, double value) {
  write_numeric_attribute(location, name, &value, 1, true);
}

void write_attribute(hid_t location, const std::string& name, std::int64_t value) {
  write_numeric_attribute(location, name, &value, 1, true);
}

void write_attribute(hid_t location, const std::string& name, std::uint64_t value) {
  write_numeric_attribute(location, name, &value, 1, true);
}

void write_attribute(hid_t location, const std::string& name, const std::vector<double>& values) {
  write_numeric_attribute(location, name, values.data(), values.size(), false);
}

void write_attribute(hid_t location, const std::string& name,
                     const std::vector<std::int64_t>& values) {
  write_numeric_attribute(location, name, values.data(), values.size(), false);
}

void write_attribute(hid_t location, const std::string& name,
                     const std::vector<std::string>& values) {
  Handle type = utf8_string_type();
  Handle space = simple_space({hsize_t(values.size())});
  Handle attribute = fresh_attribute(location, name, type.get(), space.get());
  std::vector<const char*> texts;
  texts.reserve(values.size());
  for (const auto& value : values) texts.push_back(value.c_str());
  if (!texts.empty()) {
    check(H5Awrite(attribute.get(), type.get(), texts.data()), "cannot write attribute " + name);
  }
}

namespace {

// Reads n strings (variable or fixed length) from an attribute or dataset.
template <class Read>
std::vector<std::string> read_strings_with(hid_t file_type, hid_t space, std::size_t count,
                                           const std::string& what, Read read) {
  if (H5Tget_class(file_type) != H5T_STRING) {
    throw runaway::runtime_error(what + " does not hold text");
  }
  std::vector<std::string> texts;
  if (count == 0) return texts;
  if (H5Tis_variable_str(file_type) > 0) {
    Handle memory_type = utf8_string_type();
    std::vector<char*> buffer(count, nullptr);
    check(read(memory_type.get(), buffer.data()), "cannot read " + what);
    for (char* text : buffer) texts.emplace_back(text != nullptr ? text : "");
    H5Dvlen_reclaim(memory_type.get(), space, H5P_DEFAULT, buffer.data());
  } else {
    const std::size_t size = H5Tget_size(file_type);
    Handle memory_type = check_handle(H5Tcopy(file_type), H5Tclose, "HDF5 string type");
    std::vector<char> buffer(size * count);
    check(read(memory_type.get(), buffer.data()), "cannot read " + what);
    for (std::size_t i = 0; i < count; ++i) {
      const char* begin = buffer.data() + i * size;
      texts.emplace_back(begin, std::find(begin, begin + size, '\0'));
    }
  }
  return texts;
}

}  // namespace

std::vector<std::string> read_string_array_attribute(hid_t location, const std::string& name) {
  Handle attribute = open_attribute(location, name);
  Handle type = check_handle(H5Aget_type(attribute.get()), H5Tclose, "attribute " + name);
  Handle space = check_handle(H5Aget_space(attribute.get()), H5Sclose, "attribute " + name);
  const hssize_t count = element_count(space.get());
  return read_strings_with(type.get(), space.get(), std::size_t(std::max<hssize_t>(count, 0)),
                           "attribute " + name, [&](hid_t memory_type, void* buffer) {
                             return H5Aread(attribute.get(), memory_type, buffer);
                           });
}

std::string read_string_attribute(hid_t location, const std::string& name) {
  auto texts = read_string_array_attribute(location, name);
  if (texts.size() != 1) throw runaway::runtime_error("attribute " + name + " is not one text");
  return texts.front();
}

template <class T>
std::vector<T> read_array_attribute(hid_t location, const std::string& name) {
  Handle attribute = open_attribute(location, name);
  Handle space = check_handle(H5Aget_space(attribute.get()), H5Sclose, "attribute " + name);
  Handle type = check_handle(H5Aget_type(attribute.get()), H5Tclose, "attribute " + name);
  const auto type_class = H5Tget_class(type.get());
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT) {
    throw runaway::runtime_error("attribute " + name + " is not a number");
  }
  std::vector<T> values(std::size_t(std::max<hssize_t>(element_count(space.get()), 0)));
  if (!values.empty()) {
    check(H5Aread(attribute.get(), native_type<T>(), values.data()),
          "cannot read attribute " + name);
  }
  return values;
}

template <class T>
T read_scalar_attribute(hid_t location, const std::string& name) {
  auto values = read_array_attribute<T>(location, name);
  if (values.size() != 1) throw runaway::runtime_error("attribute " + name + " is not one number");
  return values.front();
}

template std::vector<double> read_array_attribute<double>(hid_t, const std::string&);
template std::vector<std::int64_t> read_array_attribute<std::int64_t>(hid_t, const std::string&);
template double read_scalar_attribute<double>(hid_t, const std::string&);
template std::int64_t read_scalar_attribute<std::int64_t>(hid_t, const std::string&);
template std::uint64_t read_scalar_attribute<std::uint64_t>(hid_t, const std::string&);

std::vector<hsize_t> dataset_extent(hid_t dataset) {
  Handle space = check_handle(H5Dget_space(dataset), H5Sclose, "HDF5 dataspace");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw runaway::runtime_error("HDF5 dataspace: " + error_summary());
  std::vector<hsize_t> extent(std::size_t(rank), 0);
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), extent.data(), nullptr);
  return extent;
}

ElementType dataset_element_type(hid_t dataset) {
  Handle type = check_handle(H5Dget_type(dataset), H5Tclose, "HDF5 datatype");
  const auto type_class = H5Tget_class(type.get());
  const std::size_t size = H5Tget_size(type.get());
  if (type_class == H5T_FLOAT) return size == 4 ? ElementType::kFloat32 : ElementType::kFloat64;
  if (type_class == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(type.get()) == H5T_SGN_2;
    if (size == 1) return is_signed ? ElementType::kInt8 : ElementType::kUInt8;
    if (size == 4) return ElementType::kInt32;
    if (size == 8) return ElementType::kInt64;
  }
  throw runaway::runtime_error("unsupported HDF5 datatype (class " +
                               std::to_string(int(type_class)) + ", " + std::to_string(size) +
                               " bytes)");
}

Handle create_dataset(hid_t location, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& extent, const std::vector<hsize_t>& max_extent,
                      const Storage& storage) {
  Handle space = simple_space(extent, max_extent);
  Handle dcpl = check_handle(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "HDF5 dataset properties");
  if (!storage.chunk.empty()) {
    check(H5Pset_chunk(dcpl.get(), int(storage.chunk.size()), storage.chunk.data()),
          "chunks of " + name);
    if (storage.allocate_early) {
      check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), "allocation of " + name);
    }
    if (storage.checksum) check(H5Pset_fletcher32(dcpl.get()), "checksum of " + name);
    if (storage.compress) {
      // Byte shuffle groups the exponent bytes of neighbouring floats, which makes deflate
      // work on smooth fields; level 1 is much faster than higher levels for little less gain.
      check(H5Pset_shuffle(dcpl.get()), "compression of " + name);
      check(H5Pset_deflate(dcpl.get(), 1), "compression of " + name);
    }
  }
  return check_handle(H5Dcreate2(location, name.c_str(), file_type, space.get(), H5P_DEFAULT,
                                 dcpl.get(), H5P_DEFAULT),
                      H5Dclose, "cannot create dataset " + name);
}

std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& extent, std::size_t element_size,
                                 std::size_t max_bytes) {
  std::vector<hsize_t> chunk(extent.size());
  for (std::size_t d = 0; d < extent.size(); ++d) chunk[d] = std::max<hsize_t>(extent[d], 1);
  // Shrink the slowest dimension first so that a chunk stays a contiguous slab of planes.
  for (std::size_t d = 0; d < chunk.size(); ++d) {
    hsize_t inner = element_size;
    for (std::size_t e = d + 1; e < chunk.size(); ++e) inner *= chunk[e];
    if (inner * chunk[d] <= max_bytes) break;
    chunk[d] = std::max<hsize_t>(1, max_bytes / inner);
    if (chunk[d] * inner <= max_bytes) break;
  }
  return chunk;
}

template <class T>
void write_vector(hid_t location, const std::string& name, const std::vector<T>& values,
                  const Storage& storage) {
  const std::vector<hsize_t> extent{hsize_t(values.size())};
  // A chunk cannot be empty: empty arrays are stored contiguous.
  Storage used = values.empty() ? Storage{} : storage;
  Handle dataset = create_dataset(location, name, native_type<T>(), extent, extent, used);
  if (!values.empty()) {
    check(H5Dwrite(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "cannot write " + name);
  }
}

template <class T>
std::vector<T> read_vector(hid_t location, const std::string& name) {
  Handle dataset = open_dataset(location, name);
  const auto extent = dataset_extent(dataset.get());
  if (extent.size() != 1) throw runaway::runtime_error(name + " is not a 1-D dataset");
  std::vector<T> values(static_cast<std::size_t>(extent[0]));
  if (!values.empty()) {
    check(H5Dread(dataset.get(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
          "cannot read " + name);
  }
  return values;
}

#define RUNAWAY_IO_VECTOR(T)                                                                       \
  template void write_vector<T>(hid_t, const std::string&, const std::vector<T>&, const Storage&); \
  template std::vector<T> read_vector<T>(hid_t, const std::string&);
RUNAWAY_IO_VECTOR(double)
RUNAWAY_IO_VECTOR(float)
RUNAWAY_IO_VECTOR(std::int8_t)
RUNAWAY_IO_VECTOR(std::uint8_t)
RUNAWAY_IO_VECTOR(std::int32_t)
RUNAWAY_IO_VECTOR(std::int64_t)
#undef RUNAWAY_IO_VECTOR

void write_strings(hid_t location, const std::string& name,
                   const std::vector<std::string>& values) {
  Handle type = utf8_string_type();
  Handle space = simple_space({hsize_t(values.size())});
  Handle dataset = check_handle(H5Dcreate2(location, name.c_str(), type.get(), space.get(),
                                           H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                H5Dclose, "cannot create dataset " + name);
  std::vector<const char*> texts;
  texts.reserve(values.size());
  for (const auto& value : values) texts.push_back(value.c_str());
  if (!texts.empty()) {
    check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()),
          "cannot write " + name);
  }
}

std::vector<std::string> read_strings(hid_t location, const std::string& name) {
  Handle dataset = open_dataset(location, name);
  Handle type = check_handle(H5Dget_type(dataset.get()), H5Tclose, "dataset " + name);
  Handle space = check_handle(H5Dget_space(dataset.get()), H5Sclose, "dataset " + name);
  const hssize_t count = element_count(space.get());
  return read_strings_with(type.get(), space.get(), std::size_t(std::max<hssize_t>(count, 0)),
                           "dataset " + name, [&](hid_t memory_type, void* buffer) {
                             return H5Dread(dataset.get(), memory_type, H5S_ALL, H5S_ALL,
                                            H5P_DEFAULT, buffer);
                           });
}

void write_text(hid_t location, const std::string& name, const std::string& text) {
  Handle type = utf8_string_type();
  Handle space = scalar_space();
  Handle dataset = check_handle(H5Dcreate2(location, name.c_str(), type.get(), space.get(),
                                           H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                H5Dclose, "cannot create dataset " + name);
  const char* chars = text.c_str();
  check(H5Dwrite(dataset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &chars),
        "cannot write " + name);
}

std::string read_text(hid_t location, const std::string& name) {
  auto texts = read_strings(location, name);
  if (texts.size() != 1) throw runaway::runtime_error(name + " is not one text");
  return texts.front();
}

void append_rows(hid_t dataset, hid_t memory_type, hsize_t rows, const void* values,
                 const std::string& what, const Transfer& transfer) {
  auto extent = dataset_extent(dataset);
  const hsize_t first_row = extent[0];
  extent[0] += rows;
  check(H5Dset_extent(dataset, extent.data()), "cannot extend " + what);
  Handle file_space = check_handle(H5Dget_space(dataset), H5Sclose, what);
  std::vector<hsize_t> start(extent.size(), 0);
  std::vector<hsize_t> count = extent;
  start[0] = first_row;
  count[0] = rows;
  hsize_t elements = 1;
  for (hsize_t c : count) elements *= c;
  if (elements == 0) return;
  Handle memory_space = simple_space(count);
  if (transfer.writes) {
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          what);
  } else {
    check(H5Sselect_none(file_space.get()), what);
    check(H5Sselect_none(memory_space.get()), what);
  }
  check(H5Dwrite(dataset, memory_type, memory_space.get(), file_space.get(), transfer.dxpl, values),
        "cannot write " + what);
}

void resize_rows(hid_t dataset, hsize_t rows, const std::string& what) {
  auto extent = dataset_extent(dataset);
  extent[0] = rows;
  check(H5Dset_extent(dataset, extent.data()), "cannot resize " + what);
}

void write_table(hid_t location, const std::string& name, const Table& table) {
  Handle group = create_group(location, name);
  std::vector<std::string> names;
  for (const auto& column : table.columns) {
    names.push_back(column.name);
    if (const auto* numbers = std::get_if<std::vector<double>>(&column.values)) {
      write_vector(group.get(), column.name, *numbers);
    } else if (const auto* integers = std::get_if<std::vector<std::int32_t>>(&column.values)) {
      write_vector(group.get(), column.name, *integers);
    } else {
      write_strings(group.get(), column.name, std::get<std::vector<std::string>>(column.values));
    }
    Handle dataset = open_dataset(group.get(), column.name);
    write_attribute(dataset.get(), "units", column.units);
  }
  // Column order is kept here: HDF5 lists a group's members alphabetically.
  write_attribute(group.get(), "columns", names);
}

Table read_table(hid_t location, const std::string& name) {
  Handle group = open_group(location, name);
  Table table;
  for (const auto& column_name : read_string_array_attribute(group.get(), "columns")) {
    Column column;
    column.name = column_name;
    Handle dataset = open_dataset(group.get(), column_name);
    column.units = read_string_attribute(dataset.get(), "units");
    Handle type = check_handle(H5Dget_type(dataset.get()), H5Tclose,
                               std::string(name).append("/").append(column_name));
    switch (H5Tget_class(type.get())) {
      case H5T_FLOAT:
        column.values = read_vector<double>(group.get(), column_name);
        break;
      case H5T_INTEGER:
        column.values = read_vector<std::int32_t>(group.get(), column_name);
        break;
      default:
        column.values = read_strings(group.get(), column_name);
        break;
    }
    table.columns.push_back(std::move(column));
  }
  return table;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

}  // namespace runaway::io::h5
