// The backend interface: the same small set of entry points, with identical signatures, for
// CUDA and for OpenMP (TeaLeaf style). Host code decides *what* to solve; a Backend decides
// *where*. Both implementations are one template, BackendImpl<Exec> in backend_impl.hpp,
// instantiated once with OmpExec (backend_omp.cpp) and once with CudaExec (backend_cuda.cu), so
// the physics functors in kernels/*.hpp are compiled by both and never forked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kernels/conduction.hpp"
#include "kernels/coupling.hpp"
#include "kernels/exact_sum.hpp"
#include "kernels/grid.hpp"
#include "kernels/heat_pathways.hpp"
#include "kernels/vent_plume.hpp"

namespace runaway::kernels {

enum class BackendKind { kOpenMP, kCuda };
enum class BackendChoice { kAuto, kOpenMP, kCuda };

struct BackendInfo {
  BackendKind kind = BackendKind::kOpenMP;
  std::string name;                            // "openmp" or "cuda"
  std::string device;                          // CPU model or GPU name
  int threads = 1;                             // OpenMP threads or GPU multiprocessors
  double peak_bandwidth_bytes_per_second = 0;  // from device properties (GPU), 0 if unknown
  // Memory free for allocation when the backend was made: free device memory (GPU), MemAvailable
  // of /proc/meminfo (CPU); 0 if unknown. Sizes `runaway bench --size L`.
  double available_memory_bytes = 0;
};

// Bytes moved between host and device, counted so tests can assert that a time step moves no
// field arrays (only scalars).
struct TransferCounters {
  std::uint64_t host_to_device = 0;
  std::uint64_t device_to_host = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const BackendInfo& info() const = 0;

  // --- memory -------------------------------------------------------------------------------
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void deallocate(void* pointer) noexcept = 0;
  // Page-locked host memory for buffers that cross between host and device every step (halo
  // staging when MPI cannot read device memory): the GPU copies it by DMA at full bus speed,
  // without the driver's bounce through its own pinned buffer. Ordinary memory on OpenMP.
  virtual void* allocate_pinned(std::size_t bytes) = 0;
  virtual void deallocate_pinned(void* pointer) noexcept = 0;
  virtual void copy_to_device(void* device, const void* host, std::size_t bytes) = 0;
  virtual void copy_to_host(void* host, const void* device, std::size_t bytes) = 0;
  virtual void copy_on_device(void* destination, const void* source, std::size_t bytes) = 0;
  virtual void synchronize() = 0;
  // Runs `launches`, a sequence of kernel launches with no copy or host synchronisation in it
  // (an RKL2 step), as one unit: the CUDA backend captures it into a CUDA Graph and launches that
  // (updating the previous graph in place when only kernel arguments changed), so a step of s
  // stages costs one launch instead of s + 6; the OpenMP backend just runs it.
  virtual void launch_sequence(const std::function<void()>& launches) = 0;
  // The OpenMP team that runs each loop: its size now, a new size for the loops from here on
  // (an OpenMP setting of the calling thread, not state of the backend: it outlives the
  // backend), and its threads' kernel ids (gettid), for reading their run-queue waits from /proc
  // (host/run/thread_team.hpp). Results do not depend on the team's size (sums are exact,
  // kernels/exact_sum.hpp), so a run may change it between steps. A GPU backend has no team:
  // 0, nothing, none.
  virtual int team_size() const = 0;
  virtual void set_team_size(int threads) = 0;
  virtual std::vector<int> team_thread_ids() = 0;
  const TransferCounters& transfers() const { return transfers_; }
  // Why this backend was chosen (e.g. "no CUDA device: ..."), empty when it was asked for.
  const std::string& selection_note() const { return selection_note_; }
  void set_selection_note(std::string note) { selection_note_ = std::move(note); }

  // --- conduction entry points (kernels/conduction.hpp) ---------------------------------------
  // Writes surface temperatures into the ghost layer of `temperature` from the boundary
  // conditions of the six faces.
  virtual void apply_boundaries(const BoundaryFaces& faces, const ConductionView& view,
                                double* temperature) = 0;
  // The stage updates below are fused passes: each also writes the ghosts of its output array
  // from `faces`, so the input of the next stage is complete (kHalo ghosts excepted).
  // out = T + dt L(T)
  virtual void forward_euler(const BoundaryFaces& faces, const ConductionView& view,
                             const double* temperature, double* out, double dt) = 0;
  // RKL2 stage 1: rate0 = L(Y0); y1 = Y0 + mu_tilde_1 dt rate0
  virtual void rkl2_first_stage(const BoundaryFaces& faces, const ConductionView& view,
                                const double* y0, double* rate0, double* y1,
                                double mu_tilde_dt) = 0;
  // RKL2 stage j >= 2 (Meyer, Balsara & Aslam 2014, eq. 17).
  virtual void rkl2_stage(const BoundaryFaces& faces, const ConductionView& view,
                          const Rkl2StageCoefficients& c, const double* y0, const double* rate0,
                          const double* y_prev, const double* y_prev2, double* y_out) = 0;
  // T += dt q / (rho cp)
  virtual void add_heat_source(const ConductionView& view, const double* heat_source,
                               double* temperature, double dt) = 0;
  // Sum over interior voxels of rho cp T V (J).
  virtual double thermal_energy(const ConductionView& view, const double* temperature) = 0;
  // G of `count` state-dependent faces from the current temperatures and melt (gas gaps, melt).
  virtual void update_variable_conductances(const VariableConductanceUpdate& update,
                                            Index count) = 0;
  // The enthalpy split of `count` melting voxels, and the latent heat they hold (J).
  virtual void melt(const MeltUpdate& update, Index count) = 0;
  virtual double latent_energy(const LatentEnergyOfVoxel& latent, Index count) = 0;
  // Largest stable forward-Euler step: min over voxels of rho cp / sum of face conductances.
  virtual double explicit_time_step_limit(const ConductionView& view) = 0;
  // Largest estimated local time error of an RKL2 step over the interior (Rkl2TimeError).
  virtual double max_time_error(const Rkl2TimeError& error) = 0;
  // Largest and smallest interior temperature.
  virtual double max_temperature(const ConductionView& view, const double* temperature) = 0;
  virtual double min_temperature(const ConductionView& view, const double* temperature) = 0;

  // --- coupled-step entry points (kernels/coupling.hpp) -------------------------------------
  // Kinetics over `count` active voxels: the update's subset, or the first `count` (a half step
  // of the Strang splitting).
  virtual void kinetics(const KineticsUpdate& update, Index count) = 0;
  // Marks the reacting voxels among `count` active ones (mark.reacting) and writes their
  // active indices, in order, to `list`; returns how many there are.
  virtual Index select_reacting(const MarkReacting& mark, Index count, Index* list) = 0;
  // A heat source over `count` region voxels.
  virtual void region_source(const RegionSourceUpdate& update, Index count) = 0;
  // A vent plume (kernels/vent_plume.hpp): the temperatures its faces see, and the heat it
  // gave its voxels.
  virtual void gather_voxels(const GatherVoxels& gather, Index count) = 0;
  virtual void deposit_heat(const DepositHeat& deposit, Index count) = 0;
  // The plumes' held heat, spread over a conduction step's stages, then cleared.
  virtual void spread_held_heat(const SpreadHeldHeat& spread, Index count) = 0;
  virtual void clear_held_heat(const ClearHeldHeat& clear, Index count) = 0;
  // Heat pathways into cells (kernels/heat_pathways.hpp): each surface face's joules over a step,
  // then each segment's (a cell's pathway's) compensated sum.
  virtual void surface_heat_flow(const SurfaceHeatFlow& flow, Index count) = 0;
  virtual void segment_sums(const SegmentSums& sums, Index segments) = 0;
  // Per-cell statistics: a reduction per chunk of the active list, then one per cell.
  virtual void cell_statistics(const CellStatisticsReduce& chunks, Index chunk_count,
                               const CellStatisticsCombine& combine, Index cells) = 0;
  // Largest |T_new - T_old| over `count` active voxels not yet in runaway (0 if none).
  virtual double max_temperature_change(const ActiveTemperatureChange& change, Index count) = 0;
  // out[m] = t[voxel[m]] over `count` active voxels.
  virtual void gather_active(const GatherActive& gather, Index count) = 0;
  // p[0..n) = value
  virtual void fill(double* p, Index n, double value) = 0;

  // --- halo exchange entry points (kernels/halo.hpp) ----------------------------------------
  // buffer[m] = the boundary layer of `field` (padded) on `face`, face_voxel_count(shape, face)
  // entries, first in-face axis fastest.
  virtual void pack_face(const GridShape& shape, int face, const double* field, double* buffer) = 0;
  // The ghost layer of `field` beyond `face` from buffer, in the same order.
  virtual void unpack_face(const GridShape& shape, int face, const double* buffer,
                           double* field) = 0;

 protected:
  TransferCounters transfers_;

 private:
  std::string selection_note_;
};

// Chooses CUDA when built with it and a device answers, OpenMP otherwise (or as asked).
// Throws runaway::Error when CUDA is asked for but cannot be used.
std::unique_ptr<Backend> make_backend(BackendChoice choice = BackendChoice::kAuto);
std::unique_ptr<Backend> make_openmp_backend();
bool cuda_backend_compiled();

// Where a BackendArray lives: device memory (Backend::allocate), or page-locked host memory
// (Backend::allocate_pinned) for staging that crosses the bus every step.
enum class ArrayMemory { kDevice, kPinnedHost };

// An array in backend memory; moves, never copies.
template <class T, ArrayMemory Memory>
class BackendArray {
 public:
  BackendArray() = default;
  BackendArray(Backend& backend, std::size_t count)
      : backend_(&backend),
        data_(static_cast<T*>(allocate(backend, count * sizeof(T)))),
        count_(count) {}
  BackendArray(BackendArray&& other) noexcept { swap(other); }
  BackendArray& operator=(BackendArray&& other) noexcept {
    BackendArray(std::move(other)).swap(*this);
    return *this;
  }
  BackendArray(const BackendArray&) = delete;
  BackendArray& operator=(const BackendArray&) = delete;
  ~BackendArray() {
    if (data_ == nullptr) return;
    if constexpr (Memory == ArrayMemory::kDevice) {
      backend_->deallocate(data_);
    } else {
      backend_->deallocate_pinned(data_);
    }
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return count_; }
  std::size_t bytes() const { return count_ * sizeof(T); }
  // Copies between a device array and host memory (counted in Backend::transfers).
  void upload(const T* host) {
    static_assert(Memory == ArrayMemory::kDevice, "pinned arrays are host memory already");
    backend_->copy_to_device(data_, host, bytes());
  }
  void download(T* host) const {
    static_assert(Memory == ArrayMemory::kDevice, "pinned arrays are host memory already");
    backend_->copy_to_host(host, data_, bytes());
  }
  void download_element(std::size_t i, T* host) const {
    static_assert(Memory == ArrayMemory::kDevice, "pinned arrays are host memory already");
    backend_->copy_to_host(host, data_ + i, sizeof(T));
  }
  void swap(BackendArray& other) noexcept {
    std::swap(backend_, other.backend_);
    std::swap(data_, other.data_);
    std::swap(count_, other.count_);
  }

 private:
  static void* allocate(Backend& backend, std::size_t bytes) {
    if constexpr (Memory == ArrayMemory::kDevice) {
      return backend.allocate(bytes);
    } else {
      return backend.allocate_pinned(bytes);
    }
  }

  Backend* backend_ = nullptr;
  T* data_ = nullptr;
  std::size_t count_ = 0;
};

template <class T>
using DeviceArray = BackendArray<T, ArrayMemory::kDevice>;
template <class T>
using PinnedArray = BackendArray<T, ArrayMemory::kPinnedHost>;

}  // namespace runaway::kernels
