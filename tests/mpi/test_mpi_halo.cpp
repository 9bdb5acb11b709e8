// The halo exchange: a field whose value encodes each voxel's global (i, j, k) must, after one
// exchange, hold in every ghost of a shared face exactly the neighbour's encoded value, and
// nothing else may change (physical-face ghosts, edges and corners keep their marker). Also: the
// halo material ids of local_input name the same voxels the exchange fills. Both transports:
// buffers straight to MPI, and staged through pinned host memory.
#include <gtest/gtest.h>
#include <mpi.h>

#include <memory>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/halo.hpp"
#include "parallel/mpi_domain.hpp"
#include "parallel/partition.hpp"

namespace runaway::parallel {
namespace {

using kernels::GridShape;

constexpr double kUntouched = -1.0;

// The value of global interior voxel (gi, gj, gk), 0-based: distinct for every voxel.
double encode(std::int64_t gi, std::int64_t gj, std::int64_t gk) {
  return 1.0 + double(gi) + 1e3 * double(gj) + 1e6 * double(gk);
}

class HaloExchange : public ::testing::TestWithParam<GridShape> {};

// One exchange on `global` through `transport`, checked ghost by ghost.
void exchange_and_check(const GridShape& global, HaloTransport transport) {
  std::unique_ptr<kernels::Backend> backend = kernels::make_openmp_backend();  // outlives domain
  MpiDomain domain(global);
  domain.set_halo_transport(transport);
  const host::Block& b = domain.block();
  const GridShape local = b.shape();

  std::vector<double> field(std::size_t(local.padded_size()), kUntouched);
  for (int k = 1; k <= local.nz; ++k)
    for (int j = 1; j <= local.ny; ++j)
      for (int i = 1; i <= local.nx; ++i)
        field[std::size_t(local.index(i, j, k))] =
            encode(b.offset[0] + i - 1, b.offset[1] + j - 1, b.offset[2] + k - 1);
  kernels::DeviceArray<double> device(*backend, field.size());
  device.upload(field.data());
  const kernels::TransferCounters before = backend->transfers();
  domain.exchange_halo(*backend, local, device.data());
  const kernels::TransferCounters moved{
      backend->transfers().host_to_device - before.host_to_device,
      backend->transfers().device_to_host - before.device_to_host};
  std::vector<double> after(field.size());
  device.download(after.data());

  std::uint64_t expected_bytes = 0;
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    if (domain.neighbours()[std::size_t(f)] != kNoNeighbour)
      expected_bytes += std::uint64_t(kernels::face_voxel_count(local, f)) * sizeof(double);
  }
  EXPECT_EQ(domain.halo_statistics().bytes_sent, expected_bytes);
  EXPECT_EQ(domain.halo_statistics().exchanges, 1u);
  // Staged: every face goes down to pinned host memory and comes back up; direct: nothing moves.
  const bool staged = transport == HaloTransport::kStaged;
  EXPECT_EQ(domain.halo_staged(), staged);
  EXPECT_EQ(moved.device_to_host, staged ? expected_bytes : 0u);
  EXPECT_EQ(moved.host_to_device, staged ? expected_bytes : 0u);

  int wrong = 0;
  for (int k = 0; k <= local.nz + 1; ++k) {
    for (int j = 0; j <= local.ny + 1; ++j) {
      for (int i = 0; i <= local.nx + 1; ++i) {
        const int coord[3] = {i, j, k};
        const int n[3] = {local.nx, local.ny, local.nz};
        int outside = 0;
        int face = -1;
        for (int d = 0; d < 3; ++d) {
          if (coord[d] == 0) ++outside, face = 2 * d;
          if (coord[d] == n[d] + 1) ++outside, face = 2 * d + 1;
        }
        double expected = field[std::size_t(local.index(i, j, k))];  // interior: unchanged
        if (outside == 1 && domain.neighbours()[std::size_t(face)] != kNoNeighbour) {
          expected = encode(b.offset[0] + i - 1, b.offset[1] + j - 1, b.offset[2] + k - 1);
        }
        const double got = after[std::size_t(local.index(i, j, k))];
        if (got != expected && ++wrong <= 5) {
          ADD_FAILURE() << "rank " << domain.rank() << " padded (" << i << ", " << j << ", " << k
                        << "): " << got << ", expected " << expected;
        }
      }
    }
  }
  EXPECT_EQ(wrong, 0);
}

TEST_P(HaloExchange, GhostsOfSharedFacesHoldTheNeighboursVoxels) {
  exchange_and_check(GetParam(), HaloTransport::kAuto);  // direct on the OpenMP backend
}

// The path of a CUDA backend whose MPI is not CUDA-aware: through pinned host buffers.
TEST_P(HaloExchange, StagedThroughPinnedHostMemoryGivesTheSameGhosts) {
  exchange_and_check(GetParam(), HaloTransport::kStaged);
}

// Each shared face's halo material id m is the global material of the voxel whose value the
// exchange writes into ghost m (kernels::face_ghost), so conductances match the single grid's.
TEST_P(HaloExchange, HaloMaterialIdsNameTheVoxelsAcrossTheFace) {
  const GridShape global = GetParam();
  MpiDomain domain(global);
  host::ConductionProblem p;
  p.shape = global;
  p.spacing = {1e-3, 1e-3, 1e-3};
  p.materials.assign(7, {1000, 1000, {1, 1, 1}, 0, -1});
  p.material_ids.resize(std::size_t(global.interior_size()));
  for (std::size_t c = 0; c < p.material_ids.size(); ++c) {
    p.material_ids[c] = std::uint8_t((c * 2654435761u >> 7) % 7);
  }
  const host::Block& b = domain.block();
  const host::ConductionProblem local = local_problem(p, b, domain.neighbours());
  const GridShape& s = local.shape;
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    const bool shared = domain.neighbours()[std::size_t(f)] != kNoNeighbour;
    EXPECT_EQ(local.boundaries[std::size_t(f)].kind == kernels::BoundaryKind::kHalo, shared);
    if (!shared) continue;
    const auto& ids = local.halo_material_ids[std::size_t(f)];
    ASSERT_EQ(ids.size(), std::size_t(kernels::face_voxel_count(s, f)));
    for (kernels::Index m = 0; m < kernels::face_voxel_count(s, f); ++m) {
      const kernels::Index ghost = kernels::face_ghost(s, f, m);
      const auto i = int(ghost % s.stride_y());
      const auto j = int((ghost / s.stride_y()) % (s.ny + 2));
      const auto k = int(ghost / s.stride_z());
      const std::int64_t g =
          (std::int64_t(b.offset[2] + k - 1) * global.ny + b.offset[1] + j - 1) * global.nx +
          b.offset[0] + i - 1;
      EXPECT_EQ(ids[std::size_t(m)], p.material_ids[std::size_t(g)]) << "face " << f << " m " << m;
    }
  }
}

// Odd, unequal sizes: blocks differ by a voxel, and on 4 ranks two axes are split (which two
// depends on the shape, so the three shapes cover x, y and z faces).
INSTANTIATE_TEST_SUITE_P(Grids, HaloExchange,
                         ::testing::Values(GridShape{13, 11, 9}, GridShape{5, 7, 16},
                                           GridShape{16, 5, 7}, GridShape{6, 6, 6}));

}  // namespace
}  // namespace runaway::parallel
