// The CUDA backend: BackendImpl instantiated with CudaExec. Only launch mechanics live here;
// the physics comes from the same kernels/*.hpp functors the OpenMP backend compiles.
#include <cuda_runtime.h>
#include <thrust/execution_policy.h>
#include <thrust/functional.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

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

template <class F>
__global__ void interior_kernel(GridShape s, F f) {
  const int i = int(blockIdx.x * blockDim.x + threadIdx.x) + 1;
  const int j = int(blockIdx.y * blockDim.y + threadIdx.y) + 1;
  const int k = int(blockIdx.z * blockDim.z + threadIdx.z) + 1;
  if (i <= s.nx && j <= s.ny && k <= s.nz) f(s.index(i, j, k));
}

template <class F>
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

struct MinOp {
  __host__ __device__ double operator()(double a, double b) const { return a < b ? a : b; }
};
struct MaxOp {
  __host__ __device__ double operator()(double a, double b) const { return a > b ? a : b; }
};

}  // namespace

struct CudaExec {
  cudaStream_t stream = nullptr;

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
  void for_each(Index n, const F& f) const {
    if (n <= 0) return;
    const Index blocks = (n + kBlock1d - 1) / kBlock1d;
    each_kernel<<<unsigned(blocks < 65535 ? blocks : 65535), kBlock1d, 0, stream>>>(n, f);
    check(cudaGetLastError(), "1D kernel launch");
  }

  template <class F>
  void for_each_balanced(Index n, const F& f) const {
    for_each(n,
             f);  // the GPU's warp scheduler balances; compaction to reacting voxels is the lever
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
  double sum_each(Index n, const F& f) const {
    if (n <= 0) return 0.0;
    const double result = thrust::transform_reduce(
        thrust::cuda::par.on(stream), thrust::counting_iterator<Index>(0),
        thrust::counting_iterator<Index>(n), f, 0.0, thrust::plus<double>());
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
  CudaExec exec;
  check(cudaStreamCreate(&exec.stream), "cudaStreamCreate");
  return std::make_unique<BackendImpl<CudaExec>>(exec);
}

}  // namespace runaway::kernels
