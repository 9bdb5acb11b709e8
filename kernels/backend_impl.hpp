// BackendImpl<Exec>: the backend entry points written once. Exec supplies only the launch
// mechanics (loops or <<<>>> launches, reductions, memory); the physics is the functors of
// kernels/*.hpp. Included by exactly two translation units: backend_omp.cpp and backend_cuda.cu.
#pragma once

#include <utility>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/conduction.hpp"
#include "kernels/halo.hpp"

namespace runaway::kernels {

template <class Exec>
class BackendImpl final : public Backend {
 public:
  explicit BackendImpl(Exec exec) : exec_(std::move(exec)), info_(exec_.describe()) {}

  const BackendInfo& info() const override { return info_; }

  void* allocate(std::size_t bytes) override { return exec_.allocate(bytes); }
  void deallocate(void* pointer) noexcept override { exec_.deallocate(pointer); }
  void* allocate_pinned(std::size_t bytes) override { return exec_.allocate_pinned(bytes); }
  void deallocate_pinned(void* pointer) noexcept override { exec_.deallocate_pinned(pointer); }
  void copy_to_device(void* device, const void* host, std::size_t bytes) override {
    transfers_.host_to_device += bytes;
    exec_.copy_to_device(device, host, bytes);
  }
  void copy_to_host(void* host, const void* device, std::size_t bytes) override {
    transfers_.device_to_host += bytes;
    exec_.copy_to_host(host, device, bytes);
  }
  void copy_on_device(void* destination, const void* source, std::size_t bytes) override {
    exec_.copy_on_device(destination, source, bytes);
  }
  void synchronize() override { exec_.synchronize(); }
  void launch_sequence(const std::function<void()>& launches) override {
    exec_.launch_sequence(launches);
  }
  int team_size() const override { return exec_.team_size(); }
  void set_team_size(int threads) override { exec_.set_team_size(threads); }
  std::vector<int> team_thread_ids() override { return exec_.team_thread_ids(); }

  void apply_boundaries(const BoundaryFaces& faces, const ConductionView& view,
                        double* temperature) override {
    for (int f = 0; f < kFaceCount; ++f) {
      if (faces.face[f].kind == BoundaryKind::kHalo) continue;
      exec_.for_each(face_voxel_count(view.shape, f),
                     BoundaryGhostUpdate{view, faces, f, temperature});
    }
  }
  void forward_euler(const BoundaryFaces& faces, const ConductionView& view,
                     const double* temperature, double* out, double dt) override {
    exec_.for_interior_fused(view.shape, WithBoundaryGhosts<ForwardEulerUpdate>{
                                             {view, temperature, out, dt}, faces, out});
  }
  void rkl2_first_stage(const BoundaryFaces& faces, const ConductionView& view, const double* y0,
                        double* rate0, double* y1, double mu_tilde_dt) override {
    exec_.for_interior_fused(view.shape, WithBoundaryGhosts<Rkl2FirstStage>{
                                             {view, y0, rate0, y1, mu_tilde_dt}, faces, y1});
  }
  void rkl2_stage(const BoundaryFaces& faces, const ConductionView& view,
                  const Rkl2StageCoefficients& c, const double* y0, const double* rate0,
                  const double* y_prev, const double* y_prev2, double* y_out) override {
    exec_.for_interior_fused(
        view.shape,
        WithBoundaryGhosts<Rkl2Stage>{{view, c, y0, rate0, y_prev, y_prev2, y_out}, faces, y_out});
  }
  void add_heat_source(const ConductionView& view, const double* heat_source, double* temperature,
                       double dt) override {
    exec_.for_interior(view.shape, HeatSourceUpdate{view, heat_source, temperature, dt});
  }
  double thermal_energy(const ConductionView& view, const double* temperature) override {
    return exec_.sum_interior(view.shape, ThermalEnergyOfVoxel{view, temperature});
  }
  void update_variable_conductances(const VariableConductanceUpdate& update, Index count) override {
    if (count > 0) exec_.for_each(count, update);
  }
  void melt(const MeltUpdate& update, Index count) override {
    if (count > 0) exec_.for_each(count, update);
  }
  double latent_energy(const LatentEnergyOfVoxel& latent, Index count) override {
    return count > 0 ? exec_.sum_each(count, latent).value() : 0.0;
  }
  double explicit_time_step_limit(const ConductionView& view) override {
    return exec_.min_interior(view.shape, ExplicitStepOfVoxel{view});
  }
  double max_time_error(const Rkl2TimeError& error) override {
    return exec_.max_interior(error.v.shape, error);
  }
  double max_temperature(const ConductionView& view, const double* temperature) override {
    return exec_.max_interior(view.shape, ValueOfVoxel{temperature});
  }
  double min_temperature(const ConductionView& view, const double* temperature) override {
    return exec_.min_interior(view.shape, ValueOfVoxel{temperature});
  }

  void kinetics(const KineticsUpdate& update, Index count) override {
    exec_.for_each_balanced(count, update);
  }
  Index select_reacting(const MarkReacting& mark, Index count, Index* list) override {
    if (count <= 0) return 0;
    exec_.for_each(count, mark);
    return exec_.compact_by_class(count, mark.reacting, kCostClasses, list);
  }
  void region_source(const RegionSourceUpdate& update, Index count) override {
    exec_.for_each(count, update);
  }
  void gather_voxels(const GatherVoxels& gather, Index count) override {
    exec_.for_each(count, gather);
  }
  void deposit_heat(const DepositHeat& deposit, Index count) override {
    exec_.for_each(count, deposit);
  }
  void spread_held_heat(const SpreadHeldHeat& spread, Index count) override {
    exec_.for_each(count, spread);
  }
  void clear_held_heat(const ClearHeldHeat& clear, Index count) override {
    exec_.for_each(count, clear);
  }
  void surface_heat_flow(const SurfaceHeatFlow& flow, Index count) override {
    if (count > 0) exec_.for_each(count, flow);
  }
  void segment_sums(const SegmentSums& sums, Index segments) override {
    if (segments > 0) exec_.for_each(segments, sums);
  }
  void cell_statistics(const CellStatisticsReduce& chunks, Index chunk_count,
                       const CellStatisticsCombine& combine, Index cells) override {
    exec_.for_each(chunk_count, chunks);
    exec_.for_each(cells, combine);
  }
  double max_temperature_change(const ActiveTemperatureChange& change, Index count) override {
    return count > 0 ? exec_.max_each(count, change) : 0.0;
  }
  void gather_active(const GatherActive& gather, Index count) override {
    exec_.for_each(count, gather);
  }
  void fill(double* p, Index n, double value) override { exec_.for_each(n, Fill{p, value}); }

  void pack_face(const GridShape& shape, int face, const double* field, double* buffer) override {
    exec_.for_each(face_voxel_count(shape, face), PackFace{shape, face, field, buffer});
  }
  void unpack_face(const GridShape& shape, int face, const double* buffer, double* field) override {
    exec_.for_each(face_voxel_count(shape, face), UnpackFace{shape, face, buffer, field});
  }

 private:
  Exec exec_;
  BackendInfo info_;
};

}  // namespace runaway::kernels
