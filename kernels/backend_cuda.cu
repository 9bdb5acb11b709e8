// The CUDA backend: BackendImpl instantiated with CudaExec. Only launch mechanics live here;
// the physics comes from the same kernels/*.hpp functors the OpenMP backend compiles.
#include <cuda_runtime.h>
#include <thrust/copy.h>
#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include <cstdlib>
#include <limits>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "kernels/backend_impl.hpp"

namespace runaway::kernels {

namespace {

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    throw runaway::runtime_error(std::string("CUDA error in ") + what + ": " +
                                 cudaGetErrorString(status));
  }
}

// Block shape for the 7-point stencil: 32 voxels along x (coalesced rows), 4 along y, 2 along z.
constexpr int kBlockX = 32;
constexpr int kBlockY = 4;
constexpr int kBlockZ = 2;
constexpr int kBlock1d = 256;
// The stiff kinetics: at 146-150 registers a thread (ptxas, sm_80/sm_90) an SM's registers hold
// 12 warps (3 per sub-partition), so 4-warp blocks keep 12 resident (19 %) where 256-thread
// blocks keep 8.
constexpr int kBlockBalanced = 128;

template <class F>
__global__ void interior_kernel(GridShape s, F f) {
  const int i = int(blockIdx.x * blockDim.x + threadIdx.x) + 1;
  const int j = int(blockIdx.y * blockDim.y + threadIdx.y) + 1;
  const int k = int(blockIdx.z * blockDim.z + threadIdx.z) + 1;
  if (i <= s.nx && j <= s.ny && k <= s.nz) f(s.index(i, j, k));
}

// The fused stage: the update, then the ghosts a boundary voxel owns (kernels/conduction.hpp).
// 54 registers (ptxas, sm_80/sm_90): 50 % occupancy with 256-thread blocks. Capping it with
// __launch_bounds__(256, 5) spills on sm_90 and keeping the ghost path out of line costs more
// registers, so it is left to ptxas (scripts/ptxas-report gates >= 50 %).
template <class F>
__global__ void interior_fused_kernel(GridShape s, F f) {
  const int i = int(blockIdx.x * blockDim.x + threadIdx.x) + 1;
  const int j = int(blockIdx.y * blockDim.y + threadIdx.y) + 1;
  const int k = int(blockIdx.z * blockDim.z + threadIdx.z) + 1;
  if (i > s.nx || j > s.ny || k > s.nz) return;
  const Index c = s.index(i, j, k);
  f(c);
  if (i == 1 || i == s.nx || j == 1 || j == s.ny || k == 1 || k == s.nz) f.ghosts(i, j, k, c);
}

// One element per thread, grid-stride. The block size is a template argument so that ptxas's
// report names it (scripts/ptxas-report judges occupancy at that size).
template <int Block, class F>
__global__ void each_kernel(Index n, F f) {
  for (Index m = Index(blockIdx.x) * blockDim.x + threadIdx.x; m < n;
       m += Index(gridDim.x) * blockDim.x) {
    f(m);
  }
}

// Maps a compact interior index to the padded index and evaluates f there.
template <class F>
struct AtInterior {
  GridShape s;
  F f;
  __host__ __device__ double operator()(Index m) const {
    const int i = int(m % s.nx) + 1;
    const int j = int((m / s.nx) % s.ny) + 1;
    const int k = int(m / (Index(s.nx) * s.ny)) + 1;
    return f(s.index(i, j, k));
  }
};

struct IsSet {
  __host__ __device__ bool operator()(std::uint8_t flag) const { return flag != 0; }
};

// flag == value, or >= value for the highest class.
struct InClass {
  std::uint8_t value;
  bool or_above;
  __host__ __device__ bool operator()(std::uint8_t flag) const {
    return flag == value || (or_above && flag > value);
  }
};

// A term of a compensated sum.
template <class F>
struct AsCompensated {
  F f;
  __host__ __device__ CompensatedSum operator()(Index m) const { return {f(m), 0.0}; }
};

struct MinOp {
  __host__ __device__ double operator()(double a, double b) const { return a < b ? a : b; }
};
struct MaxOp {
  __host__ __device__ double operator()(double a, double b) const { return a > b ? a : b; }
};

}  // namespace

// The instantiated graph of the last launch sequence, shared by copies of the CudaExec.
struct GraphCache {
  cudaGraphExec_t exec = nullptr;
  GraphCache() = default;
  GraphCache(const GraphCache&) = delete;
  GraphCache& operator=(const GraphCache&) = delete;
  ~GraphCache() {
    if (exec != nullptr) cudaGraphExecDestroy(exec);
  }
};

struct CudaExec {
  cudaStream_t stream = nullptr;
  std::shared_ptr<GraphCache> graph = std::make_shared<GraphCache>();

  // Captures the launches into a graph; reuses the instantiated graph when the topology is the
  // same (same stage count: only coefficients and pointers differ, which cudaGraphExecUpdate
  // patches), re-instantiates otherwise.
  template <class F>
  void launch_sequence(const F& launches) const {
    cudaGraph_t captured = nullptr;
    check(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal), "begin capture");
    try {
      launches();
    } catch (...) {
      cudaStreamEndCapture(stream, &captured);
      if (captured != nullptr) cudaGraphDestroy(captured);
      throw;
    }
    check(cudaStreamEndCapture(stream, &captured), "end capture");
    if (graph->exec != nullptr) {
      cudaGraphExecUpdateResultInfo info{};
      if (cudaGraphExecUpdate(graph->exec, captured, &info) != cudaSuccess) {
        cudaGetLastError();  // clear the update's error: a new topology, instantiate afresh
        cudaGraphExecDestroy(graph->exec);
        graph->exec = nullptr;
      }
    }
    if (graph->exec == nullptr) {
      const cudaError_t status = cudaGraphInstantiate(&graph->exec, captured, 0);
      cudaGraphDestroy(captured);
      check(status, "cudaGraphInstantiate");
    } else {
      cudaGraphDestroy(captured);
    }
    check(cudaGraphLaunch(graph->exec, stream), "cudaGraphLaunch");
  }

  // No CPU team to resize: the GPU's work is not shared with other processes' threads.
  int team_size() const { return 0; }
  void set_team_size(int /*threads*/) const {}
  std::vector<int> team_thread_ids() const { return {}; }

  BackendInfo describe() const {
    BackendInfo info;
    info.kind = BackendKind::kCuda;
    info.name = "cuda";
    int device = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    cudaDeviceProp prop{};
    check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
    info.device = prop.name;
    info.threads = prop.multiProcessorCount;
    int clock_khz = 0;
    int bus_bits = 0;
    cudaDeviceGetAttribute(&clock_khz, cudaDevAttrMemoryClockRate, device);
    cudaDeviceGetAttribute(&bus_bits, cudaDevAttrGlobalMemoryBusWidth, device);
    // Double data rate: two transfers per clock.
    info.peak_bandwidth_bytes_per_second = 2.0 * clock_khz * 1e3 * bus_bits / 8.0;
    std::size_t free_bytes = 0;
    std::size_t total_bytes = 0;
    check(cudaMemGetInfo(&free_bytes, &total_bytes), "cudaMemGetInfo");
    info.available_memory_bytes = double(free_bytes);
    return info;
  }

  template <class F>
  void for_interior(const GridShape& s, const F& f) const {
    const dim3 block(kBlockX, kBlockY, kBlockZ);
    const dim3 grid((s.nx + kBlockX - 1) / kBlockX, (s.ny + kBlockY - 1) / kBlockY,
                    (s.nz + kBlockZ - 1) / kBlockZ);
    interior_kernel<<<grid, block, 0, stream>>>(s, f);
    check(cudaGetLastError(), "interior kernel launch");
  }

  template <class F>
  void for_interior_fused(const GridShape& s, const F& f) const {
    const dim3 block(kBlockX, kBlockY, kBlockZ);
    const dim3 grid((s.nx + kBlockX - 1) / kBlockX, (s.ny + kBlockY - 1) / kBlockY,
                    (s.nz + kBlockZ - 1) / kBlockZ);
    interior_fused_kernel<<<grid, block, 0, stream>>>(s, f);
    check(cudaGetLastError(), "fused interior kernel launch");
  }

  template <int Block = kBlock1d, class F>
  void for_each(Index n, const F& f) const {
    if (n <= 0) return;
    const Index blocks = (n + Block - 1) / Block;
    each_kernel<Block><<<unsigned(blocks < 65535 ? blocks : 65535), Block, 0, stream>>>(n, f);
    check(cudaGetLastError(), "1D kernel launch");
  }

  // The GPU's warp schedulers balance; ordering the reacting voxels by cost class gives a
  // warp's lanes similar work (compact_by_class).
  template <class F>
  void for_each_balanced(Index n, const F& f) const {
    for_each<kBlockBalanced>(n, f);
  }

  // As OmpExec::compact_by_class: one stream compaction per class, heaviest first (a handful of
  // small kernels per half step).
  Index compact_by_class(Index n, const std::uint8_t* flags, int classes, Index* out) const {
    Index written = 0;
    for (int c = classes; c >= 1; --c) {
      Index* end =
          thrust::copy_if(thrust::cuda::par.on(stream), thrust::counting_iterator<Index>(0),
                          thrust::counting_iterator<Index>(n), flags, out + written,
                          InClass{std::uint8_t(c), c == classes});
      check(cudaGetLastError(), "compaction by class");
      written = Index(end - out);
    }
    return written;
  }

  Index compact(Index n, const std::uint8_t* flags, Index* out) const {
    Index* end = thrust::copy_if(thrust::cuda::par.on(stream), thrust::counting_iterator<Index>(0),
                                 thrust::counting_iterator<Index>(n), flags, out, IsSet{});
    check(cudaGetLastError(), "compaction");
    return Index(end - out);
  }

  template <class F, class Op>
  double reduce_interior(const GridShape& s, const F& f, double init, Op op) const {
    const double result = thrust::transform_reduce(
        thrust::cuda::par.on(stream), thrust::counting_iterator<Index>(0),
        thrust::counting_iterator<Index>(s.interior_size()), AtInterior<F>{s, f}, init, op);
    check(cudaGetLastError(), "reduction");
    return result;
  }
  template <class F>
  CompensatedSum sum_each(Index n, const F& f) const {
    if (n <= 0) return {};
    const CompensatedSum result =
        thrust::transform_reduce(thrust::cuda::par.on(stream), thrust::counting_iterator<Index>(0),
                                 thrust::counting_iterator<Index>(n), AsCompensated<F>{f},
                                 CompensatedSum{}, CompensatedPlus{});
    check(cudaGetLastError(), "reduction");
    return result;
  }

  template <class F>
  double max_each(Index n, const F& f) const {
    if (n <= 0) return -std::numeric_limits<double>::infinity();
    const double result = thrust::transform_reduce(
        thrust::cuda::par.on(stream), thrust::counting_iterator<Index>(0),
        thrust::counting_iterator<Index>(n), f, -std::numeric_limits<double>::infinity(), MaxOp{});
    check(cudaGetLastError(), "reduction");
    return result;
  }

  template <class F>
  double sum_interior(const GridShape& s, const F& f) const {
    return reduce_interior(s, f, 0.0, thrust::plus<double>());
  }
  template <class F>
  double min_interior(const GridShape& s, const F& f) const {
    return reduce_interior(s, f, std::numeric_limits<double>::infinity(), MinOp{});
  }
  template <class F>
  double max_interior(const GridShape& s, const F& f) const {
    return reduce_interior(s, f, -std::numeric_limits<double>::infinity(), MaxOp{});
  }

  void* allocate(std::size_t bytes) const {
    void* p = nullptr;
    check(cudaMalloc(&p, bytes == 0 ? 1 : bytes), "cudaMalloc");
    check(cudaMemsetAsync(p, 0, bytes, stream), "cudaMemsetAsync");
    return p;
  }
  void deallocate(void* p) const noexcept { cudaFree(p); }
  void* allocate_pinned(std::size_t bytes) const {
    void* p = nullptr;
    check(cudaMallocHost(&p, bytes == 0 ? 1 : bytes), "cudaMallocHost");
    return p;
  }
  void deallocate_pinned(void* p) const noexcept { cudaFreeHost(p); }
  void copy_to_device(void* d, const void* h, std::size_t n) const {
    check(cudaMemcpyAsync(d, h, n, cudaMemcpyHostToDevice, stream), "copy to device");
    synchronize();
  }
  void copy_to_host(void* h, const void* d, std::size_t n) const {
    check(cudaMemcpyAsync(h, d, n, cudaMemcpyDeviceToHost, stream), "copy to host");
    synchronize();
  }
  void copy_on_device(void* d, const void* s, std::size_t n) const {
    check(cudaMemcpyAsync(d, s, n, cudaMemcpyDeviceToDevice, stream), "copy on device");
  }
  void synchronize() const { check(cudaStreamSynchronize(stream), "cudaStreamSynchronize"); }
};

// Returns nullptr, with the reason in why_not, when no CUDA device answers.
std::unique_ptr<Backend> make_cuda_backend(std::string& why_not) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    why_not = std::string("no CUDA device: ") + cudaGetErrorString(status);
    return nullptr;
  }
  if (count == 0) {
    why_not = "no CUDA device found";
    return nullptr;
  }
  // One rank per GPU: a process started by mpirun or srun takes device local rank % devices.
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    if (const char* value = std::getenv(name)) {
      check(cudaSetDevice(std::atoi(value) % count), "cudaSetDevice");
      break;
    }
  }
  CudaExec exec;
  check(cudaStreamCreate(&exec.stream), "cudaStreamCreate");
  return std::make_unique<BackendImpl<CudaExec>>(exec);
}

}  // namespace runaway::kernels
