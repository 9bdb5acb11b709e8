#include "parallel/mpi_domain.hpp"

#if __has_include(<mpi-ext.h>)
#include <mpi-ext.h>  // OpenMPI: MPIX_CUDA_AWARE_SUPPORT, MPIX_Query_cuda_support
#endif

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "kernels/conduction.hpp"

namespace runaway::parallel {

namespace {

std::string shape_text(const kernels::GridShape& s) {
  return std::to_string(s.nx) + " x " + std::to_string(s.ny) + " x " + std::to_string(s.nz);
}

// Element-wise min and max for MPI_Allreduce that skip NaN (std::fmin/fmax): see the header.
void nan_skipping_min(void* in, void* inout, int* count, MPI_Datatype* /*type*/) {
  const auto* a = static_cast<const double*>(in);
  auto* b = static_cast<double*>(inout);
  for (int m = 0; m < *count; ++m) b[m] = std::fmin(a[m], b[m]);
}
void nan_skipping_max(void* in, void* inout, int* count, MPI_Datatype* /*type*/) {
  const auto* a = static_cast<const double*>(in);
  auto* b = static_cast<double*>(inout);
  for (int m = 0; m < *count; ++m) b[m] = std::fmax(a[m], b[m]);
}

// Element-wise a + b of compensated sums.
void compensated_plus(void* in, void* inout, int* count, MPI_Datatype* /*type*/) {
  const auto* a = static_cast<const kernels::CompensatedSum*>(in);
  auto* b = static_cast<kernels::CompensatedSum*>(inout);
  for (int m = 0; m < *count; ++m) b[m].add(a[m]);
}

int to_mpi_count(std::size_t count, const char* what) {
  if (count > std::size_t(INT_MAX)) {
    throw runaway::runtime_error(std::string(what) + ": " + std::to_string(count) +
                                 " values exceed what one MPI message can carry");
  }
  return int(count);
}

}  // namespace

std::array<int, 3> MpiDomain::process_grid(const kernels::GridShape& global, int ranks) {
  const int length[3] = {global.nx, global.ny, global.nz};
  const std::string what = std::to_string(ranks) + " MPI ranks on the grid " + shape_text(global);
  if (global.nx < 1 || global.ny < 1 || global.nz < 1) {
    throw bad_input(what + ": every grid dimension must be at least one voxel");
  }
  if (ranks < 1) throw bad_input(what + ": at least one rank is needed");
  auto fits = [&](const std::array<int, 3>& dims) {
    for (int d = 0; d < 3; ++d) {
      const int p = dims[std::size_t(d)];
      if (p > 1 && length[d] / p < kMinBlockVoxels) return false;
    }
    return true;
  };

  // MPI's balanced factorisation over the splittable axes, the largest factor on the longest
  // axis (ties: z, y, x).
  std::vector<int> axes;
  for (int d = 2; d >= 0; --d) {
    if (length[d] >= 2 * kMinBlockVoxels) axes.push_back(d);
  }
  std::stable_sort(axes.begin(), axes.end(), [&](int a, int b) { return length[a] > length[b]; });
  std::array<int, 3> dims{1, 1, 1};
  if (ranks == 1) return dims;
  if (!axes.empty()) {
    int factors[3] = {0, 0, 0};
    MPI_Dims_create(ranks, int(axes.size()), factors);  // non-increasing
    for (std::size_t a = 0; a < axes.size(); ++a) dims[std::size_t(axes[a])] = factors[a];
    if (fits(dims)) return dims;
  }
  // It does not fit (a long thin grid): the factorisation that fits with the least shared face
  // area, if there is one.
  bool found = false;
  double best_area = 0;
  for (int px = 1; px <= ranks; ++px) {
    if (ranks % px != 0) continue;
    for (int py = 1; py <= ranks / px; ++py) {
      if ((ranks / px) % py != 0) continue;
      const std::array<int, 3> candidate{px, py, ranks / px / py};
      if (!fits(candidate)) continue;
      const double area = double(px - 1) * length[1] * length[2] +
                          double(py - 1) * length[0] * length[2] +
                          double(candidate[2] - 1) * length[0] * length[1];
      if (!found || area < best_area) dims = candidate, best_area = area, found = true;
    }
  }
  if (found) return dims;
  auto most_blocks = [](int n) { return std::int64_t(std::max(1, n / kMinBlockVoxels)); };
  const std::int64_t most =
      most_blocks(length[0]) * most_blocks(length[1]) * most_blocks(length[2]);
  throw bad_input(what + " do not fit: an axis of n voxels splits into at most n/" +
                  std::to_string(kMinBlockVoxels) + " blocks (each at least " +
                  std::to_string(kMinBlockVoxels) +
                  " voxels thick), and no split of the ranks over x, y and z does that (at most " +
                  std::to_string(most) + " ranks could fit); run on fewer ranks");
}

MpiDomain::MpiDomain(const kernels::GridShape& global, MPI_Comm comm) : global_(global) {
  MPI_Comm_size(comm, &size_);
  dims_ = process_grid(global, size_);  // the same answer, or the same error, on every rank

  // MPI orders Cartesian ranks row-major (last dimension fastest): give it (z, y, x) so that
  // neighbours along x have consecutive ranks, like voxels. No reordering: rank 0 stays rank 0.
  int mpi_dims[3] = {dims_[2], dims_[1], dims_[0]};
  int periodic[3] = {0, 0, 0};
  MPI_Cart_create(comm, 3, mpi_dims, periodic, 0, &cart_);
  MPI_Comm_rank(cart_, &rank_);
  int c[3] = {0, 0, 0};
  MPI_Cart_coords(cart_, rank_, 3, c);
  coords_ = {c[2], c[1], c[0]};
  block_ = block_of(global, dims_, coords_);
  for (int d = 0; d < 3; ++d) {
    int low = MPI_PROC_NULL;
    int high = MPI_PROC_NULL;
    MPI_Cart_shift(cart_, 2 - d, 1, &low, &high);
    neighbours_[std::size_t(2 * d)] = low == MPI_PROC_NULL ? kNoNeighbour : low;
    neighbours_[std::size_t(2 * d + 1)] = high == MPI_PROC_NULL ? kNoNeighbour : high;
  }
  MPI_Op_create(&nan_skipping_min, 1, &nan_min_);
  MPI_Op_create(&nan_skipping_max, 1, &nan_max_);
  MPI_Op_create(&compensated_plus, 1, &compensated_plus_);
  static_assert(sizeof(kernels::CompensatedSum) == 2 * sizeof(double));
  MPI_Type_contiguous(2, MPI_DOUBLE, &compensated_type_);
  MPI_Type_commit(&compensated_type_);
}

MpiDomain::~MpiDomain() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (nan_min_ != MPI_OP_NULL) MPI_Op_free(&nan_min_);
  if (nan_max_ != MPI_OP_NULL) MPI_Op_free(&nan_max_);
  if (compensated_plus_ != MPI_OP_NULL) MPI_Op_free(&compensated_plus_);
  if (compensated_type_ != MPI_DATATYPE_NULL) MPI_Type_free(&compensated_type_);
  if (cart_ != MPI_COMM_NULL) MPI_Comm_free(&cart_);
}

void MpiDomain::sum(double* values, std::size_t count) const {
  MPI_Allreduce(MPI_IN_PLACE, values, to_mpi_count(count, "sum"), MPI_DOUBLE, MPI_SUM, cart_);
}
void MpiDomain::sum(kernels::CompensatedSum* values, std::size_t count) const {
  MPI_Allreduce(MPI_IN_PLACE, values, to_mpi_count(count, "sum"), compensated_type_,
                compensated_plus_, cart_);
}
void MpiDomain::max(double* values, std::size_t count) const {
  MPI_Allreduce(MPI_IN_PLACE, values, to_mpi_count(count, "max"), MPI_DOUBLE, nan_max_, cart_);
}
void MpiDomain::min(double* values, std::size_t count) const {
  MPI_Allreduce(MPI_IN_PLACE, values, to_mpi_count(count, "min"), MPI_DOUBLE, nan_min_, cart_);
}

bool MpiDomain::all_ok(bool ok) const {
  int value = ok ? 1 : 0;
  MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT, MPI_LAND, cart_);
  return value != 0;
}

std::vector<double> MpiDomain::gather(const std::vector<std::int64_t>& index,
                                      const std::vector<double>& values,
                                      std::size_t global_count) const {
  // Checked on every rank before any data moves, so a bad call throws everywhere.
  bool fits = index.size() == values.size() && global_count <= std::size_t(INT_MAX);
  for (std::size_t m = 0; fits && m < index.size(); ++m) {
    fits = index[m] >= 0 && std::size_t(index[m]) < global_count;
  }
  if (!all_ok(fits)) {
    throw runaway::runtime_error("gather: a rank's positions do not fit an array of " +
                                 std::to_string(global_count) + " values");
  }
  const int count = int(index.size());
  std::vector<int> counts(is_root() ? std::size_t(size_) : 0);
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, cart_);
  std::vector<int> offsets(counts.size(), 0);
  std::size_t total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    offsets[r] = int(total);
    total += std::size_t(counts[r]);
  }
  if (total > std::size_t(INT_MAX)) total = std::size_t(INT_MAX);  // ranks overlap; MPI errs
  std::vector<std::int64_t> all_index(total);
  std::vector<double> all_values(total);
  MPI_Gatherv(index.data(), count, MPI_INT64_T, all_index.data(), counts.data(), offsets.data(),
              MPI_INT64_T, 0, cart_);
  MPI_Gatherv(values.data(), count, MPI_DOUBLE, all_values.data(), counts.data(), offsets.data(),
              MPI_DOUBLE, 0, cart_);
  if (!is_root()) return {};
  std::vector<double> out(global_count, 0.0);
  for (std::size_t m = 0; m < total; ++m) out[std::size_t(all_index[m])] = all_values[m];
  return out;
}

bool MpiDomain::cuda_aware_mpi() {
#if defined(MPIX_CUDA_AWARE_SUPPORT)
  return MPIX_Query_cuda_support() == 1;
#else
  return false;
#endif
}

void MpiDomain::prepare_buffers(kernels::Backend& backend, const kernels::GridShape& local) const {
  if (buffer_backend_ == &backend && buffer_shape_.nx == local.nx && buffer_shape_.ny == local.ny &&
      buffer_shape_.nz == local.nz) {
    return;
  }
  if (buffer_backend_ != nullptr) release_halo_buffers(*buffer_backend_);
  switch (transport_) {
    case HaloTransport::kAuto:
      staged_ = backend.info().kind == kernels::BackendKind::kCuda && !cuda_aware_mpi();
      break;
    case HaloTransport::kDirect:
      staged_ = false;
      break;
    case HaloTransport::kStaged:
      staged_ = true;
      break;
  }
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    if (neighbours_[std::size_t(f)] == kNoNeighbour) continue;
    const auto count = std::size_t(kernels::face_voxel_count(local, f));
    to_mpi_count(count, "halo face");
    FaceBuffers& b = buffers_[std::size_t(f)];
    b.send = kernels::DeviceArray<double>(backend, count);
    b.receive = kernels::DeviceArray<double>(backend, count);
    if (staged_) {
      b.send_host = kernels::PinnedArray<double>(backend, count);
      b.receive_host = kernels::PinnedArray<double>(backend, count);
    }
  }
  buffer_backend_ = &backend;
  buffer_shape_ = local;
}

void MpiDomain::set_halo_transport(HaloTransport transport) const {
  if (transport == transport_) return;
  transport_ = transport;
  if (buffer_backend_ != nullptr) release_halo_buffers(*buffer_backend_);  // remade next time
}

void MpiDomain::release_halo_buffers(kernels::Backend& backend) const {
  if (buffer_backend_ != &backend) return;
  for (FaceBuffers& b : buffers_) b = FaceBuffers{};
  buffer_backend_ = nullptr;
  buffer_shape_ = {};
}

// Pack every face, wait for the packing (the backend's stream), post every receive, send, wait,
// unpack. Receives are posted only after the stream is idle: the previous exchange's unpack may
// still be reading a receive buffer until then. A message crossing the sender's face f is
// tagged f, so the receiver expects tag f ^ 1 (its own face's opposite) on face f.
void MpiDomain::exchange_halo(kernels::Backend& backend, const kernels::GridShape& local,
                              double* field) const {
  const double start = MPI_Wtime();
  prepare_buffers(backend, local);
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    if (neighbours_[std::size_t(f)] == kNoNeighbour) continue;
    backend.pack_face(local, f, field, buffers_[std::size_t(f)].send.data());
  }
  if (staged_) {
    for (int f = 0; f < kernels::kFaceCount; ++f) {
      FaceBuffers& b = buffers_[std::size_t(f)];
      if (neighbours_[std::size_t(f)] != kNoNeighbour) b.send.download(b.send_host.data());
    }
  } else {
    backend.synchronize();  // packed data must be in memory before MPI reads it
  }
  MPI_Request requests[2 * kernels::kFaceCount];
  int pending = 0;
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    const int neighbour = neighbours_[std::size_t(f)];
    if (neighbour == kNoNeighbour) continue;
    FaceBuffers& b = buffers_[std::size_t(f)];
    double* receive = staged_ ? b.receive_host.data() : b.receive.data();
    MPI_Irecv(receive, int(b.receive.size()), MPI_DOUBLE, neighbour, f ^ 1, cart_,
              &requests[pending++]);
  }
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    const int neighbour = neighbours_[std::size_t(f)];
    if (neighbour == kNoNeighbour) continue;
    FaceBuffers& b = buffers_[std::size_t(f)];
    const double* send = staged_ ? b.send_host.data() : b.send.data();
    MPI_Isend(send, int(b.send.size()), MPI_DOUBLE, neighbour, f, cart_, &requests[pending++]);
    halo_stats_.bytes_sent += b.send.bytes();
  }
  MPI_Waitall(pending, requests, MPI_STATUSES_IGNORE);
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    if (neighbours_[std::size_t(f)] == kNoNeighbour) continue;
    FaceBuffers& b = buffers_[std::size_t(f)];
    if (staged_) b.receive.upload(b.receive_host.data());
    backend.unpack_face(local, f, b.receive.data(), field);
  }
  halo_stats_.exchanges += 1;
  halo_stats_.seconds += MPI_Wtime() - start;
}

}  // namespace runaway::parallel
