// Thin helpers over HDF5's C API shared by the results, model and checkpoint files: handles that
// close themselves, HDF5 failures turned into runaway::Error, attributes, 1-D datasets, strings.
// Internal to io/: nothing outside io/ should include this (it pulls in hdf5.h).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "io/model.hpp"

namespace runaway::io::h5 {

// Owns one HDF5 identifier and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  Handle& operator=(Handle&& other) noexcept;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  // Forgets the identifier without closing it: after MPI_Finalize, which has closed HDF5.
  void release() { id_ = -1; }
  // Closes now and returns HDF5's status, so that a failed final flush (a file close) is seen.
  herr_t close();

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

// Stops HDF5 printing its error stack to stderr: every failure becomes a runaway::Error built
// from that stack instead. Called at the top of every public io entry point (the setting is per
// thread in thread-safe HDF5 builds).
void silence_errors();

// The most specific message on HDF5's error stack (with the OS reason when HDF5 reports one),
// then clears the stack.
std::string error_summary();

// Throws runaway::runtime_error("<what>: <HDF5 reason>") when `status` is negative.
template <class T>
T check(T status, const std::string& what) {
  if (status < 0) throw runaway::runtime_error(what + ": " + error_summary());
  return status;
}

Handle check_handle(hid_t id, Handle::Closer closer, const std::string& what);

// File access with HDF5 1.10's file locking off: see docs/output-format.md, "Reading while the
// run goes on". Also closes every object of the file when the file is closed.
Handle file_access(bool use_file_locking);
Handle create_file(const std::string& path, unsigned flags, bool checksummed_format);
Handle open_file(const std::string& path, unsigned flags, bool use_file_locking);
#if RUNAWAY_HAVE_MPI
// Opens a file with HDF5's MPI-IO driver, by every rank of `comm` together (collective).
Handle open_file_parallel(const std::string& path, unsigned flags, MPI_Comm comm);
// A data transfer property list for collective MPI-IO: every rank takes part in every write.
Handle collective_transfer();
#endif

bool link_exists(hid_t location, const std::string& path);
bool attribute_exists(hid_t location, const std::string& name);
Handle create_group(hid_t location, const std::string& name);
Handle open_group(hid_t location, const std::string& name);
Handle open_dataset(hid_t location, const std::string& name);

// HDF5 memory type of a C++ element type, and of an ElementType.
template <class T>
hid_t native_type();
hid_t native_type(ElementType type);
Handle utf8_string_type();  // variable-length UTF-8

void write_attribute(hid_t location, const std::string& name, const std::string& value);
void write_attribute(hid_t location, const std::string& name, double value);
void write_attribute(hid_t location, const std::string& name, std::int64_t value);
void write_attribute(hid_t location, const std::string& name, std::uint64_t value);
void write_attribute(hid_t location, const std::string& name, const std::vector<double>& values);
void write_attribute(hid_t location, const std::string& name,
                     const std::vector<std::int64_t>& values);
void write_attribute(hid_t location, const std::string& name,
                     const std::vector<std::string>& values);

std::string read_string_attribute(hid_t location, const std::string& name);
std::vector<std::string> read_string_array_attribute(hid_t location, const std::string& name);
template <class T>
std::vector<T> read_array_attribute(hid_t location, const std::string& name);
template <class T>
T read_scalar_attribute(hid_t location, const std::string& name);

// Number of elements along each dimension of a dataset.
std::vector<hsize_t> dataset_extent(hid_t dataset);
// HDF5 datatype class and size of a dataset's file type, e.g. to tell float32 from float64.
ElementType dataset_element_type(hid_t dataset);

// Dataset creation: `chunk` empty means contiguous. Compression is byte shuffle + deflate,
// `checksum` adds HDF5's Fletcher-32 filter so that corrupt data fails to read.
// `allocate_early` allocates chunks when the dataset is created or extended rather than when
// they are first written: parallel HDF5 1.10 writes only into allocated chunks (with
// incremental allocation a collective write of a filtered chunk hangs, and of an unfiltered one
// fails), and allocates early itself only for the datasets it creates.
struct Storage {
  std::vector<hsize_t> chunk;
  bool compress = false;
  bool checksum = false;
  bool allocate_early = false;
};
Handle create_dataset(hid_t location, const std::string& name, hid_t file_type,
                      const std::vector<hsize_t>& extent, const std::vector<hsize_t>& max_extent,
                      const Storage& storage);

// Chunk shape for an array of `extent` elements of `element_size` bytes: the extent itself cut
// along the slowest dimensions until a chunk holds at most `max_bytes`.
std::vector<hsize_t> chunk_shape(const std::vector<hsize_t>& extent, std::size_t element_size,
                                 std::size_t max_bytes);

// Whole 1-D datasets of numbers or strings.
template <class T>
void write_vector(hid_t location, const std::string& name, const std::vector<T>& values,
                  const Storage& storage = {});
template <class T>
std::vector<T> read_vector(hid_t location, const std::string& name);
void write_strings(hid_t location, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_strings(hid_t location, const std::string& name);
void write_text(hid_t location, const std::string& name, const std::string& text);  // scalar
std::string read_text(hid_t location, const std::string& name);

// How a process takes part in a write: `dxpl` is the data transfer property list (collective
// in a parallel run); a process with `writes` false selects nothing but still makes the call,
// which collective transfers and the metadata changes of parallel HDF5 need from every rank.
struct Transfer {
  hid_t dxpl = H5P_DEFAULT;
  bool writes = true;
};

// Grows dimension 0 of `dataset` by `rows` and writes `values` (rows x the other dimensions)
// there; `memory_type` describes `values`.
void append_rows(hid_t dataset, hid_t memory_type, hsize_t rows, const void* values,
                 const std::string& what, const Transfer& transfer = {});
// Sets dimension 0 of `dataset` to `rows` (shrinks it on a restart).
void resize_rows(hid_t dataset, hsize_t rows, const std::string& what);

// A table as one group of 1-D column datasets plus a `columns` attribute with their order.
void write_table(hid_t location, const std::string& name, const Table& table);
Table read_table(hid_t location, const std::string& name);

// /grid and /model of a results or model file.
void write_grid(hid_t file, const GridInfo& grid);
GridInfo read_grid(hid_t file, const std::string& file_name);
void write_model(hid_t file, const ModelData& model);
ModelData read_model(hid_t file, const std::string& file_name);

// Checks the root `format` and `format_version` attributes; throws bad_input naming what the
// file is instead when it is not a `expected_format` file.
void check_format(hid_t file, const std::string& file_name, const std::string& expected_format,
                  std::int64_t max_version);
// Opens a file a user named for reading; throws bad_input for a missing, foreign or unreadable
// file.
Handle open_for_reading(const std::string& path, const std::string& expected_kind);

// Current UTC time, ISO 8601 (e.g. 2024-05-01T12:00:00Z).
std::string utc_now();

}  // namespace runaway::io::h5
