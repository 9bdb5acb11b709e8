// MpiDomain: host::Domain over MPI (docs/design.md §9.2). The global interior grid is cut into a
// Cartesian grid of blocks, one per rank, each with one ghost layer whose shared faces are filled
// by a halo exchange after every RKL2 stage.
//
// Decomposition rule (docs/decisions.md):
// - every block is at least kMinBlockVoxels thick along each split axis, and blocks along an axis
//   differ by at most one voxel;
// - MPI_Dims_create factors the rank count over the axes that are at least 2 x kMinBlockVoxels
//   long, the largest factor going to the longest axis (ties: z before y before x, because z
//   faces are contiguous in memory and pack fastest);
// - if that factorisation leaves a block too thin (a long, thin grid), the factorisation that
//   fits with the least shared face area is taken instead;
// - if none fits, the constructor throws runaway::bad_input naming the grid and the rank count,
//   on every rank (the rule depends only on the grid and the rank count, so every rank decides
//   alike and none waits for another).
//
// Halo exchange: for each face with a neighbour, PackFace copies the block's boundary layer into
// a contiguous buffer, MPI_Irecv/MPI_Isend swap the buffers with the neighbour, and UnpackFace
// writes the received layer into the ghosts (kernels/halo.hpp). Faces only: the 7-point stencil
// reads no edge or corner ghost. Buffers are backend arrays allocated on first use and reused.
// On the OpenMP backend they are host memory and go to MPI directly; on the CUDA backend they go
// to MPI directly when the MPI is CUDA-aware (MPIX_Query_cuda_support), otherwise through
// page-locked host staging buffers (Backend::allocate_pinned, cudaMallocHost).
//
// Reductions: MPI_Allreduce. Compensated sums (kernels/exact_sum.hpp) travel as pairs of doubles
// and add with their own operation, so a sum over ranks equals the single grid's sum. min and max
// treat NaN as "no value" (like std::fmin/fmax and like the backends' own reductions, which skip
// NaN voxels): the result is the extreme of the ranks that have a number, NaN only if none has. So
// a per-cell quantity that is NaN until it happens (an onset time) reduces to the earliest rank's
// value. Checks for a broken (NaN) field must use sum, which propagates NaN, or all_ok.
//
// An MpiDomain must be destroyed before MPI_Finalize, and its halo buffers released (the
// ConductionSolver does this when destroyed; see release_halo_buffers) before their backend.
// MPI errors keep MPI's default handler: they abort every rank rather than leave ranks waiting.
#pragma once

#include <mpi.h>

#include <array>
#include <cstdint>
#include <vector>

#include "host/solver/domain.hpp"
#include "kernels/backend.hpp"
#include "kernels/grid.hpp"
#include "parallel/partition.hpp"

namespace runaway::parallel {

// Thinnest block along a split axis. One voxel would be correct (the stencil needs one ghost) but
// such a block has no voxel that is not next to two halos: it exchanges as many values per stage
// as it computes. Fewer ranks would run faster, so such a rank count is refused.
inline constexpr int kMinBlockVoxels = 2;

// Time and volume of the halo exchanges of one MpiDomain.
struct HaloStatistics {
  std::uint64_t exchanges = 0;   // exchange_halo calls (one per RKL2 stage on a decomposed grid)
  std::uint64_t bytes_sent = 0;  // by this rank; as many are received
  double seconds = 0;            // wall time in exchange_halo: pack, MPI, waiting, unpack
};

// How halo buffers reach MPI: kAuto stages through pinned host memory exactly when the backend
// is CUDA and MPI is not CUDA-aware; the others force one way (tests run the staged path on the
// OpenMP backend).
enum class HaloTransport { kAuto, kDirect, kStaged };

class MpiDomain final : public host::Domain {
 public:
  // Collective over `comm`. Throws runaway::bad_input on every rank when the rank count does
  // not fit the grid (see the rule above).
  explicit MpiDomain(const kernels::GridShape& global, MPI_Comm comm = MPI_COMM_WORLD);
  ~MpiDomain() override;
  MpiDomain(const MpiDomain&) = delete;
  MpiDomain& operator=(const MpiDomain&) = delete;

  // Ranks per axis (x, y, z) that the rule chooses for `ranks` processes on `global`; throws
  // runaway::bad_input when they do not fit. Needs MPI to be initialised (MPI_Dims_create), not
  // `ranks` processes.
  static std::array<int, 3> process_grid(const kernels::GridShape& global, int ranks);

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  MPI_Comm communicator() const { return cart_; }

  const kernels::GridShape& global_shape() const { return global_; }
  const host::Block& block() const { return block_; }
  const std::array<int, 3>& ranks_per_axis() const { return dims_; }
  const std::array<int, 3>& coordinates() const { return coords_; }
  // The rank across each face, kNoNeighbour on the faces of the grid.
  const FaceNeighbours& neighbours() const { return neighbours_; }

  void sum(double* values, std::size_t count) const override;
  void sum(kernels::CompensatedSum* values, std::size_t count) const override;
  void max(double* values, std::size_t count) const override;
  void min(double* values, std::size_t count) const override;
  using Domain::max;
  using Domain::min;
  using Domain::sum;

  void exchange_halo(kernels::Backend& backend, const kernels::GridShape& local,
                     double* field) const override;
  void release_halo_buffers(kernels::Backend& backend) const override;

  std::vector<double> gather(const std::vector<std::int64_t>& index,
                             const std::vector<double>& values,
                             std::size_t global_count) const override;
  bool all_ok(bool ok) const override;

  // Whether halo buffers go to MPI in device memory when the backend is CUDA.
  static bool cuda_aware_mpi();
  // Takes effect at the next exchange.
  void set_halo_transport(HaloTransport transport) const;
  // Whether the last exchange staged through host memory.
  bool halo_staged() const { return staged_; }
  const HaloStatistics& halo_statistics() const { return halo_stats_; }
  void reset_halo_statistics() const { halo_stats_ = {}; }

 private:
  // One face's buffers: in backend memory, plus pinned host staging when MPI cannot read device
  // memory.
  struct FaceBuffers {
    kernels::DeviceArray<double> send;
    kernels::DeviceArray<double> receive;
    kernels::PinnedArray<double> send_host;
    kernels::PinnedArray<double> receive_host;
  };
  void prepare_buffers(kernels::Backend& backend, const kernels::GridShape& local) const;

  kernels::GridShape global_;
  MPI_Comm cart_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  std::array<int, 3> dims_{1, 1, 1};
  std::array<int, 3> coords_{0, 0, 0};
  host::Block block_;
  FaceNeighbours neighbours_{kNoNeighbour, kNoNeighbour, kNoNeighbour,
                             kNoNeighbour, kNoNeighbour, kNoNeighbour};
  MPI_Op nan_min_ = MPI_OP_NULL;
  MPI_Op nan_max_ = MPI_OP_NULL;
  MPI_Op compensated_plus_ = MPI_OP_NULL;
  MPI_Datatype compensated_type_ = MPI_DATATYPE_NULL;  // a CompensatedSum: two doubles

  // Halo buffers, made by the first exchange with a backend and shape (mutable: the Domain
  // interface is const, and these are caches).
  mutable kernels::Backend* buffer_backend_ = nullptr;
  mutable kernels::GridShape buffer_shape_;
  mutable bool staged_ = false;
  mutable HaloTransport transport_ = HaloTransport::kAuto;
  mutable std::array<FaceBuffers, kernels::kFaceCount> buffers_;
  mutable HaloStatistics halo_stats_;
};

}  // namespace runaway::parallel
