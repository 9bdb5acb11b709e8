#include "host/solver/field_registry.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace runaway::host {

using kernels::Index;

FieldRegistry::FieldRegistry(kernels::Backend& backend, const Domain& domain,
                             const Placement& placement, const kernels::GridShape& shape,
                             std::vector<Index> active_voxel)
    : backend_(backend),
      domain_(domain),
      placement_(placement),
      shape_(shape),
      active_voxel_(std::move(active_voxel)),
      capacity_(std::max<Index>(Index(active_voxel_.size()), 1)) {}

void FieldRegistry::add_external(const std::string& name, std::function<double*()> data,
                                 FieldLayout layout) {
  Field f;
  f.name = name;
  f.layout = layout;
  f.checkpointed = true;
  f.external = std::move(data);
  fields_.push_back(std::move(f));
}

const FieldRegistry::Field& FieldRegistry::find(const std::string& name) const {
  for (const Field& f : fields_) {
    if (f.name == name) return f;
  }
  throw runtime_error("no field named '" + name + "' in the simulation's registry");
}

std::size_t FieldRegistry::local_size(const Field& f) const {
  return f.layout == FieldLayout::kGrid ? std::size_t(shape_.padded_size())
                                        : std::size_t(f.rows) * std::size_t(capacity_);
}

std::size_t FieldRegistry::global_size(const Field& f) const {
  if (!placement_.decomposed()) return local_size(f);
  return f.layout == FieldLayout::kGrid
             ? std::size_t(placement_.global_shape.padded_size())
             : std::size_t(f.rows) *
                   std::size_t(std::max<std::int64_t>(placement_.global_active_count, 1));
}

kernels::KineticsView FieldRegistry::kinetics_view(const kernels::Chemistry* chemistries) {
  kernels::KineticsView v;
  v.count = capacity_;
  v.voxel = data<Index>("active_voxel");
  v.cell = data<std::int32_t>("active_cell");
  v.chemistry = data<std::uint8_t>("active_chemistry");
  v.chemistries = chemistries;
  v.remaining = data<double>("remaining");
  v.electrolyte_left = data<double>("electrolyte_left");
  v.substep_hint = data<float>("substep_hint");
  v.substeps = data<std::int32_t>("kinetics_substeps");
  v.heat_release_rate = data<double>("heat_release_rate");
  v.self_heating_rate = data<double>("self_heating_rate");
  v.arrival_time = data<double>("arrival_time");
  v.heat_released = data<double>("heat_released");
  v.vented_mass = data<double>("vented_mass");
  v.gas_generated = data<double>("gas_generated");
  v.step_heat_kept = data<double>("step_heat_kept");
  v.ejected_heat = data<double>("ejected_heat");
  v.vent_heat = data<double>("vent_heat");
  v.electrolyte_decomposed = data<double>("electrolyte_decomposed");
  v.in_runaway = data<std::uint8_t>("in_runaway");
  return v;
}

namespace {
// A field's values on the host as doubles (every element type converts exactly).
template <class T>
std::vector<double> download_as_double(const kernels::DeviceArray<T>& a) {
  std::vector<T> host(a.size());
  a.download(host.data());
  return std::vector<double>(host.begin(), host.end());
}
}  // namespace

std::vector<double> FieldRegistry::host_values(const std::string& name) const {
  return std::visit([](const auto& a) { return download_as_double(a); }, find(name).array);
}

std::vector<double> FieldRegistry::interior_field(const std::string& name, double outside,
                                                  int row) const {
  const std::vector<double> values = host_values(name);
  const auto offset = std::ptrdiff_t(row) * std::ptrdiff_t(capacity_);
  return interior_values(std::vector<double>(values.begin() + offset,
                                             values.begin() + offset + std::ptrdiff_t(capacity_)),
                         outside);
}

std::vector<double> FieldRegistry::interior_values(const std::vector<double>& per_active,
                                                   double outside) const {
  std::vector<double> field(std::size_t(shape_.interior_size()), outside);
  for (std::size_t m = 0; m < active_voxel_.size(); ++m) {
    const Index c = active_voxel_[m];
    const int i = int(c % shape_.stride_y());
    const int j = int((c / shape_.stride_y()) % (shape_.ny + 2));
    const int k = int(c / shape_.stride_z());
    field[std::size_t(shape_.interior_index(i, j, k))] = per_active[m];
  }
  return field;
}

std::vector<double> FieldRegistry::gather(const Field& f, const std::vector<double>& local) const {
  const Placement& p = placement_;
  std::vector<std::int64_t> index;
  std::vector<double> values;
  if (f.layout == FieldLayout::kGrid) {
    for (int k = 1; k <= shape_.nz; ++k) {
      for (int j = 1; j <= shape_.ny; ++j) {
        for (int i = 1; i <= shape_.nx; ++i) {
          index.push_back(p.global_shape.index(i + p.block.offset[0], j + p.block.offset[1],
                                               k + p.block.offset[2]));
          values.push_back(local[std::size_t(shape_.index(i, j, k))]);
        }
      }
    }
  } else {
    const auto global_n = std::size_t(std::max<std::int64_t>(p.global_active_count, 1));
    for (int r = 0; r < f.rows; ++r) {
      for (std::size_t m = 0; m < active_voxel_.size(); ++m) {
        index.push_back(std::int64_t(std::size_t(r) * global_n) + p.active_position[m]);
        values.push_back(local[std::size_t(r) * std::size_t(capacity_) + m]);
      }
    }
  }
  return domain_.gather(index, values, global_size(f));
}

std::vector<double> FieldRegistry::pick(const Field& f, const std::vector<double>& global) const {
  const Placement& p = placement_;
  std::vector<double> local(local_size(f), 0.0);
  if (f.layout == FieldLayout::kGrid) {
    for (int k = 0; k <= shape_.nz + 1; ++k) {
      for (int j = 0; j <= shape_.ny + 1; ++j) {
        for (int i = 0; i <= shape_.nx + 1; ++i) {
          local[std::size_t(shape_.index(i, j, k))] = global[std::size_t(p.global_shape.index(
              i + p.block.offset[0], j + p.block.offset[1], k + p.block.offset[2]))];
        }
      }
    }
  } else {
    const auto global_n = std::size_t(std::max<std::int64_t>(p.global_active_count, 1));
    for (int r = 0; r < f.rows; ++r) {
      for (std::size_t m = 0; m < active_voxel_.size(); ++m) {
        local[std::size_t(r) * std::size_t(capacity_) + m] =
            global[std::size_t(r) * global_n + std::size_t(p.active_position[m])];
      }
    }
  }
  return local;
}

namespace {
auto& snapshot_map(SimulationSnapshot& s, double*) {
  return s.doubles;
}
auto& snapshot_map(SimulationSnapshot& s, float*) {
  return s.floats;
}
auto& snapshot_map(SimulationSnapshot& s, std::uint8_t*) {
  return s.bytes;
}
auto& snapshot_map(SimulationSnapshot& s, std::int32_t*) {
  return s.ints;
}
const auto& snapshot_map(const SimulationSnapshot& s, double*) {
  return s.doubles;
}
const auto& snapshot_map(const SimulationSnapshot& s, float*) {
  return s.floats;
}
const auto& snapshot_map(const SimulationSnapshot& s, std::uint8_t*) {
  return s.bytes;
}
const auto& snapshot_map(const SimulationSnapshot& s, std::int32_t*) {
  return s.ints;
}
}  // namespace

void FieldRegistry::write(SimulationSnapshot& snapshot) const {
  for (const Field& f : fields_) {
    if (!f.checkpointed) continue;
    if (f.external) {
      std::vector<double> values(local_size(f));
      backend_.copy_to_host(values.data(), f.external(), values.size() * sizeof(double));
      snapshot.doubles[f.name] = placement_.decomposed() ? gather(f, values) : std::move(values);
      continue;
    }
    std::visit(
        [&](const auto& a) {
          using T = std::remove_const_t<std::remove_pointer_t<decltype(a.data())>>;
          if constexpr (std::is_same_v<T, Index>) {
            throw runtime_error("index field '" + f.name + "' cannot be checkpointed");
          } else {
            std::vector<T> values(a.size());
            a.download(values.data());
            if (placement_.decomposed()) {
              const std::vector<double> global =
                  gather(f, std::vector<double>(values.begin(), values.end()));
              values.assign(global.begin(), global.end());
            }
            snapshot_map(snapshot, static_cast<T*>(nullptr))[f.name] = std::move(values);
          }
        },
        f.array);
  }
}

void FieldRegistry::read(const SimulationSnapshot& snapshot) {
  for (Field& f : fields_) {
    if (!f.checkpointed) continue;
    const std::size_t expected = global_size(f);
    auto missing = [&] {
      return bad_input("the checkpoint does not fit this model: array '" + f.name +
                           "' is missing or has the wrong size",
                       {"", 0, "checkpoint", f.name});
    };
    if (f.external) {
      const auto it = snapshot.doubles.find(f.name);
      if (it == snapshot.doubles.end() || it->second.size() != expected) throw missing();
      const std::vector<double> values = placement_.decomposed() ? pick(f, it->second) : it->second;
      backend_.copy_to_device(f.external(), values.data(), values.size() * sizeof(double));
      continue;
    }
    std::visit(
        [&](auto& a) {
          using T = std::remove_pointer_t<decltype(a.data())>;
          if constexpr (!std::is_same_v<T, Index>) {
            const auto& map = snapshot_map(snapshot, static_cast<T*>(nullptr));
            const auto it = map.find(f.name);
            if (it == map.end() || it->second.size() != expected) throw missing();
            if (placement_.decomposed()) {
              const std::vector<double> local =
                  pick(f, std::vector<double>(it->second.begin(), it->second.end()));
              const std::vector<T> values(local.begin(), local.end());
              a.upload(values.data());
            } else {
              a.upload(it->second.data());
            }
          }
        },
        f.array);
  }
}

}  // namespace runaway::host
