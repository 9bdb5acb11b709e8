// The per-voxel arrays of a simulation, in one table: each field's name, element type, layout and
// whether a checkpoint holds it. The registry allocates the fields on the backend, hands out the
// kinetics view over them, and writes, restores and (in a decomposed run) gathers checkpoints from
// the same table, so adding a field is one line.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "host/solver/domain.hpp"
#include "kernels/backend.hpp"
#include "kernels/coupling.hpp"
#include "kernels/grid.hpp"

namespace runaway::host {

// Everything that evolves during a run, by name, on the host: what a checkpoint holds. Restoring
// it into a Simulation built from the same input continues the run bit for bit.
struct SimulationSnapshot {
  std::map<std::string, std::vector<double>> doubles;
  std::map<std::string, std::vector<float>> floats;
  std::map<std::string, std::vector<std::uint8_t>> bytes;
  std::map<std::string, std::vector<std::int32_t>> ints;
  std::map<std::string, double> scalars;
};

// Where a decomposed run's block sits in the single grid (parallel::local_input fills it); empty
// for a run on the whole grid. Checkpoints are written in the single grid's layout, so a run can
// restart on any number of ranks.
struct Placement {
  kernels::GridShape global_shape;
  Block block;
  // Each local active voxel's position in the single grid's active list (sorted by cell, then
  // by interior index), in local active order; and that list's length.
  std::vector<std::int64_t> active_position;
  std::int64_t global_active_count = 0;
  bool decomposed() const { return global_shape.nx > 0; }
};

// kGrid: the padded grid [z][y][x] with one ghost layer; kActive: `rows` rows over the compact
// list of active (jelly-roll) voxels, row r of voxel m at [r * capacity + m].
enum class FieldLayout { kGrid, kActive };

class FieldRegistry {
 public:
  // `active_voxel`: the padded grid index of each active voxel of this rank, in active order.
  FieldRegistry(kernels::Backend& backend, const Domain& domain, const Placement& placement,
                const kernels::GridShape& shape, std::vector<kernels::Index> active_voxel);

  // Allocates a field filled with `initial` (zero by default). Checkpointed fields are written
  // to and restored from snapshots under their name.
  template <class T>
  T* add(const std::string& name, FieldLayout layout, bool checkpointed, int rows = 1,
         T initial = T{});
  // A field that another object owns (the conduction solver's temperature, whose buffer moves as
  // the solver swaps stages: `data` is asked each time), in the table for checkpoints only.
  void add_external(const std::string& name, std::function<double*()> data, FieldLayout layout);

  template <class T>
  T* data(const std::string& name);
  template <class T>
  const T* data(const std::string& name) const;

  // Active voxels on this rank, and the length of an active row (at least 1, so that kernels
  // always receive valid pointers).
  kernels::Index active_count() const { return kernels::Index(active_voxel_.size()); }
  kernels::Index capacity() const { return capacity_; }
  const std::vector<kernels::Index>& active_voxels() const { return active_voxel_; }

  // The kinetics kernels' view of the reaction-state fields.
  kernels::KineticsView kinetics_view(const kernels::Chemistry* chemistries);

  // Row `row` of an active field on the interior grid [z][y][x], `outside` elsewhere (output).
  std::vector<double> interior_field(const std::string& name, double outside, int row = 0) const;
  // Values given per active voxel (capacity of them) on the interior grid, `outside` elsewhere.
  std::vector<double> interior_values(const std::vector<double>& per_active, double outside) const;
  // An active field's values on the host (rows x capacity).
  std::vector<double> host_values(const std::string& name) const;

  // Every checkpointed field into `snapshot`, in the single grid's layout (a decomposed run
  // gathers it on rank 0; other ranks add nothing). Collective.
  void write(SimulationSnapshot& snapshot) const;
  // Every checkpointed field from a single-grid snapshot (each rank takes its part). Throws
  // bad_input naming the array that is missing or of the wrong size.
  void read(const SimulationSnapshot& snapshot);

 private:
  using Array = std::variant<kernels::DeviceArray<double>, kernels::DeviceArray<float>,
                             kernels::DeviceArray<std::uint8_t>, kernels::DeviceArray<std::int32_t>,
                             kernels::DeviceArray<kernels::Index>>;
  struct Field {
    std::string name;
    FieldLayout layout = FieldLayout::kActive;
    int rows = 1;
    bool checkpointed = false;
    Array array;
    std::function<double*()> external;  // set for a field another object owns
  };
  const Field& find(const std::string& name) const;
  std::size_t local_size(const Field& f) const;
  std::size_t global_size(const Field& f) const;
  // Decomposed runs: local values to the single grid's layout on rank 0, and back.
  std::vector<double> gather(const Field& f, const std::vector<double>& local) const;
  std::vector<double> pick(const Field& f, const std::vector<double>& global) const;

  kernels::Backend& backend_;
  const Domain& domain_;
  const Placement& placement_;
  kernels::GridShape shape_;
  std::vector<kernels::Index> active_voxel_;
  kernels::Index capacity_ = 1;
  std::deque<Field> fields_;  // a deque: references stay valid as fields are added
};

template <class T>
T* FieldRegistry::add(const std::string& name, FieldLayout layout, bool checkpointed, int rows,
                      T initial) {
  Field f;
  f.name = name;
  f.layout = layout;
  f.rows = rows;
  f.checkpointed = checkpointed;
  const std::size_t size = local_size(f);
  kernels::DeviceArray<T> array(backend_, size);
  if (initial != T{}) {  // the backend zeroes what it allocates
    if constexpr (std::is_same_v<T, double>) {
      backend_.fill(array.data(), kernels::Index(size), initial);
    } else {
      const std::vector<T> values(size, initial);
      array.upload(values.data());
    }
  }
  T* data = array.data();
  f.array = std::move(array);
  fields_.push_back(std::move(f));
  return data;
}

template <class T>
T* FieldRegistry::data(const std::string& name) {
  return const_cast<T*>(std::as_const(*this).data<T>(name));
}

template <class T>
const T* FieldRegistry::data(const std::string& name) const {
  return std::get<kernels::DeviceArray<T>>(find(name).array).data();
}

}  // namespace runaway::host
