#include "host/bench/stream_triad.hpp"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>

#include "common/clock.hpp"

namespace runaway::host {

namespace {
double measure() {
  const std::ptrdiff_t n = std::ptrdiff_t(1) << 24;  // 16 Mi doubles = 128 MiB per array
  // Uninitialised storage, so that the parallel loop below is the first touch of every page.
  std::unique_ptr<double[]> a(new double[std::size_t(n)]);
  std::unique_ptr<double[]> b(new double[std::size_t(n)]);
  std::unique_ptr<double[]> c(new double[std::size_t(n)]);
  double* pa = a.get();
  double* pb = b.get();
  double* pc = c.get();
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) pa[i] = 0.0, pb[i] = 1.0, pc[i] = 2.0;  // first touch
  const double scalar = 3.0;
  double best = 1e30;
  for (int repeat = 0; repeat < 10; ++repeat) {
    const auto start = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(static)
    for (std::ptrdiff_t i = 0; i < n; ++i) pa[i] = pb[i] + scalar * pc[i];
    const double seconds = seconds_since(start);
    best = std::min(best, seconds);
  }
  volatile double sink = pa[n / 2];  // keep the loop
  (void)sink;
  return 24.0 * double(n) / best;
}
}  // namespace

double stream_triad_bytes_per_second() {
  static const double bandwidth = measure();
  return bandwidth;
}

}  // namespace runaway::host
