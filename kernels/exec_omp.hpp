// OpenMP launch mechanics for BackendImpl: loops over interior voxels with x innermost (so the
// stencil vectorises), reductions, and plain host memory.
#pragma once

#include <omp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <vector>

#include "kernels/backend.hpp"
#include "kernels/grid.hpp"

namespace runaway::kernels {

struct OmpExec {
  BackendInfo describe() const;

  template <class F>
  void for_interior(const GridShape& s, const F& f) const {
#pragma omp parallel for collapse(2) schedule(static)
    for (int k = 1; k <= s.nz; ++k) {
      for (int j = 1; j <= s.ny; ++j) {
        const Index row = s.index(0, j, k);
#pragma omp simd
        for (int i = 1; i <= s.nx; ++i) f(row + i);
      }
    }
  }

  // for_interior, then the ghosts of each row's boundary voxels while the row is in cache: the
  // x faces' two voxels always, the whole row when it lies on a y or z face.
  template <class F>
  void for_interior_fused(const GridShape& s, const F& f) const {
#pragma omp parallel for collapse(2) schedule(static)
    for (int k = 1; k <= s.nz; ++k) {
      for (int j = 1; j <= s.ny; ++j) {
        const Index row = s.index(0, j, k);
#pragma omp simd
        for (int i = 1; i <= s.nx; ++i) f(row + i);
        if (j == 1 || j == s.ny || k == 1 || k == s.nz) {
          for (int i = 1; i <= s.nx; ++i) f.ghosts(i, j, k, row + i);
        } else {
          f.ghosts(1, j, k, row + 1);
          if (s.nx > 1) f.ghosts(s.nx, j, k, row + s.nx);
        }
      }
    }
  }

  template <class F>
  void for_each(Index n, const F& f) const {
#pragma omp parallel for schedule(static)
    for (Index m = 0; m < n; ++m) f(m);
  }

  // For work whose cost varies by element (stiff kinetics: a voxel in runaway takes hundreds
  // of sub-steps, a quiet one a few): dynamic chunks keep both cores busy.
  template <class F>
  void for_each_balanced(Index n, const F& f) const {
#pragma omp parallel for schedule(dynamic, 64)
    for (Index m = 0; m < n; ++m) f(m);
  }

  // Writes the indices m < n with flags[m] != 0 to out, in increasing order; returns how many.
  // Each thread counts its static share, a prefix sum places the shares, then each writes its own.
  Index compact(Index n, const std::uint8_t* flags, Index* out) const {
    const int max_threads = omp_get_max_threads();
    std::vector<Index> offset(std::size_t(max_threads) + 1, 0);
    int used = 1;
#pragma omp parallel num_threads(max_threads)
    {
      const int t = omp_get_thread_num();
      const int threads = omp_get_num_threads();
      const Index begin = n * t / threads;
      const Index end = n * (t + 1) / threads;
      Index count = 0;
      for (Index m = begin; m < end; ++m) count += flags[m] != 0;
      offset[std::size_t(t) + 1] = count;
#pragma omp barrier
#pragma omp single
      {
        used = threads;
        for (int i = 0; i < threads; ++i) offset[std::size_t(i) + 1] += offset[std::size_t(i)];
      }
      Index o = offset[std::size_t(t)];
      for (Index m = begin; m < end; ++m) {
        if (flags[m] != 0) out[o++] = m;
      }
    }
    return offset[std::size_t(used)];
  }

  // Writes the indices m < n with flags[m] != 0 to out, grouped by flags[m] from `classes` down
  // to 1 (heaviest first, kernels/coupling.hpp cost_class), increasing within a group; returns
  // how many. One parallel region: per-thread counts per class, a prefix sum, the writes.
  Index compact_by_class(Index n, const std::uint8_t* flags, int classes, Index* out) const {
    const int max_threads = omp_get_max_threads();
    const auto width = std::size_t(classes) + 1;
    std::vector<Index> offset(std::size_t(max_threads) * width, 0);  // [thread][class]
    Index total = 0;
#pragma omp parallel num_threads(max_threads)
    {
      const int t = omp_get_thread_num();
      const int threads = omp_get_num_threads();
      const Index begin = n * t / threads;
      const Index end = n * (t + 1) / threads;
      Index* mine = offset.data() + std::size_t(t) * width;
      for (Index m = begin; m < end; ++m) {
        const int c = flags[m] < classes ? flags[m] : classes;
        if (c > 0) ++mine[c];
      }
#pragma omp barrier
#pragma omp single
      {
        Index next = 0;
        for (int c = classes; c >= 1; --c) {
          for (int i = 0; i < threads; ++i) {
            Index& slot = offset[std::size_t(i) * width + std::size_t(c)];
            const Index count = slot;
            slot = next;
            next += count;
          }
        }
        total = next;
      }
      for (Index m = begin; m < end; ++m) {
        const int c = flags[m] < classes ? flags[m] : classes;
        if (c > 0) out[mine[c]++] = m;
      }
    }
    return total;
  }

  template <class F>
  CompensatedSum sum_each(Index n, const F& f) const {
    std::vector<CompensatedSum> partial(static_cast<std::size_t>(omp_get_max_threads()));
#pragma omp parallel
    {
      CompensatedSum mine;
#pragma omp for schedule(static)
      for (Index m = 0; m < n; ++m) mine.add(f(m));
      partial[std::size_t(omp_get_thread_num())] = mine;
    }
    CompensatedSum total;
    for (const CompensatedSum& p : partial) total.add(p);
    return total;
  }

  template <class F>
  double max_each(Index n, const F& f) const {
    double highest = -std::numeric_limits<double>::infinity();
#pragma omp parallel for schedule(static) reduction(max : highest)
    for (Index m = 0; m < n; ++m) highest = std::max(highest, f(m));
    return highest;
  }

  // Compensated partial sums, so that the total does not depend on the team's size.
  template <class F>
  double sum_interior(const GridShape& s, const F& f) const {
    std::vector<CompensatedSum> partial(static_cast<std::size_t>(omp_get_max_threads()));
#pragma omp parallel
    {
      CompensatedSum mine;
#pragma omp for collapse(2) schedule(static)
      for (int k = 1; k <= s.nz; ++k) {
        for (int j = 1; j <= s.ny; ++j) {
          const Index row = s.index(0, j, k);
          for (int i = 1; i <= s.nx; ++i) mine.add(f(row + i));
        }
      }
      partial[std::size_t(omp_get_thread_num())] = mine;
    }
    CompensatedSum total;
    for (const CompensatedSum& p : partial) total.add(p);
    return total.value();
  }

  template <class F>
  double min_interior(const GridShape& s, const F& f) const {
    double lowest = std::numeric_limits<double>::infinity();
#pragma omp parallel for collapse(2) schedule(static) reduction(min : lowest)
    for (int k = 1; k <= s.nz; ++k) {
      for (int j = 1; j <= s.ny; ++j) {
        const Index row = s.index(0, j, k);
        for (int i = 1; i <= s.nx; ++i) lowest = std::min(lowest, f(row + i));
      }
    }
    return lowest;
  }

  template <class F>
  double max_interior(const GridShape& s, const F& f) const {
    double highest = -std::numeric_limits<double>::infinity();
#pragma omp parallel for collapse(2) schedule(static) reduction(max : highest)
    for (int k = 1; k <= s.nz; ++k) {
      for (int j = 1; j <= s.ny; ++j) {
        const Index row = s.index(0, j, k);
        for (int i = 1; i <= s.nx; ++i) highest = std::max(highest, f(row + i));
      }
    }
    return highest;
  }

  // 64-byte aligned so that rows of doubles start on cache lines; first touch in parallel so
  // pages land near the threads that use them.
  void* allocate(std::size_t bytes) const {
    const std::size_t rounded = (bytes + 63) / 64 * 64;
    void* p = std::aligned_alloc(64, rounded == 0 ? 64 : rounded);
    if (p == nullptr) throw std::bad_alloc();
    auto* bytes_ptr = static_cast<unsigned char*>(p);
    const Index chunks = Index(rounded / 4096) + 1;
#pragma omp parallel for schedule(static)
    for (Index m = 0; m < chunks; ++m) {
      const std::size_t begin = std::size_t(m) * 4096;
      if (begin < rounded)
        std::memset(bytes_ptr + begin, 0, std::min<std::size_t>(4096, rounded - begin));
    }
    return p;
  }
  void deallocate(void* p) const noexcept {
    std::free(p);
  }
  // Host memory is all the OpenMP backend has: nothing to pin.
  void* allocate_pinned(std::size_t bytes) const {
    return allocate(bytes);
  }
  void deallocate_pinned(void* p) const noexcept {
    deallocate(p);
  }
  void copy_to_device(void* d, const void* h, std::size_t n) const {
    copy(d, h, n);
  }
  void copy_to_host(void* h, const void* d, std::size_t n) const {
    copy(h, d, n);
  }
  void copy_on_device(void* d, const void* s, std::size_t n) const {
    copy(d, s, n);
  }
  void synchronize() const {}
  template <class F>
  void launch_sequence(const F& launches) const {
    launches();
  }

  // The team of every following parallel region: omp_set_num_threads, a setting of the thread
  // that launches them (the solver thread). libgomp may end the threads a smaller team leaves
  // out and start new ones when it grows, so the ids are read again after each change.
  int team_size() const {
    return omp_get_max_threads();
  }
  void set_team_size(int threads) const {
    omp_set_num_threads(std::max(1, threads));
  }
  std::vector<int> team_thread_ids() const {
    std::vector<int> ids(std::size_t(omp_get_max_threads()), 0);
#pragma omp parallel num_threads(int(ids.size()))
    ids[std::size_t(omp_get_thread_num())] = int(syscall(SYS_gettid));
    return ids;
  }

 private:
  static void copy(void* d, const void* s, std::size_t n) {
    if (n > 0) std::memcpy(d, s, n);
  }
};

}  // namespace runaway::kernels
