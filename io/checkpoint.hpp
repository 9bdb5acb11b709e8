// Checkpoints: everything a run needs to continue bit for bit, in one HDF5 file.
//
// The driver decides what goes in (the file layer knows no physics): the simulation time, step
// count and dt, named arrays (temperature, reaction state, ...; any of double, float, int8,
// uint8, int32, int64, stored bit-exact), named scalars and integers (e.g. the ResultsCounts of
// results.h5 and the controller's state), and the input TOML. A fingerprint of the model ties
// the checkpoint to its grid and maps, so a restart on another model is refused.
//
//   write_checkpoint(run_dir / "checkpoint.h5", state, {array_view("temperature", T), ...});
//   Checkpoint c = read_checkpoint(path, fingerprint(model));  // throws on foreign/corrupt
//   const auto& T = c.get<double>("temperature");
//
// write_checkpoint writes a temporary file beside `path`, syncs it and renames it over `path`:
// a run killed while writing leaves the previous checkpoint intact and never a half file with
// the final name. Data chunks carry Fletcher-32 checksums and the metadata HDF5's own
// checksums, so a damaged file fails to read instead of restarting from wrong numbers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "io/model.hpp"

namespace runaway::io {

inline constexpr const char* kCheckpointFormat = "runaway-checkpoint";
inline constexpr std::int64_t kCheckpointFormatVersion = 1;

struct CheckpointState {
  ModelFingerprint model;
  double time = 0;          // simulated time, s
  std::int64_t step = 0;    // steps taken
  double dt = 0;            // next step size, s
  std::string config_text;  // the input TOML, verbatim
  std::map<std::string, double> scalars;
  std::map<std::string, std::int64_t> integers;
};

// An array to checkpoint, read from the driver's memory during write_checkpoint.
struct ArrayView {
  std::string name;
  ElementType type = ElementType::kFloat64;
  const void* data = nullptr;
  std::size_t count = 0;
};

template <class T>
ArrayView array_view(const std::string& name, const std::vector<T>& values);

using ArrayData =
    std::variant<std::vector<double>, std::vector<float>, std::vector<std::int8_t>,
                 std::vector<std::uint8_t>, std::vector<std::int32_t>, std::vector<std::int64_t>>;

struct Checkpoint {
  CheckpointState state;
  std::map<std::string, ArrayData> arrays;

  bool has(const std::string& name) const { return arrays.count(name) != 0; }
  // The array `name` as std::vector<T>; throws runaway::Error when it is missing or of another
  // element type.
  template <class T>
  const std::vector<T>& get(const std::string& name) const;
  ElementType type_of(const std::string& name) const;
};

void write_checkpoint(const std::filesystem::path& path, const CheckpointState& state,
                      const std::vector<ArrayView>& arrays);

// Reads and validates a checkpoint: bad_input for a missing, foreign (another kind of file, or
// a checkpoint of another model when `expected_model` is given), newer-format or corrupt file.
Checkpoint read_checkpoint(const std::filesystem::path& path);
Checkpoint read_checkpoint(const std::filesystem::path& path,
                           const ModelFingerprint& expected_model);

}  // namespace runaway::io
