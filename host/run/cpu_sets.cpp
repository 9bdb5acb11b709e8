#include "host/run/cpu_sets.hpp"

#include <omp.h>

#include <algorithm>

namespace runaway::host {

namespace {

cpu_set_t thread_mask() {
  cpu_set_t mask;
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) CPU_ZERO(&mask);
  return mask;
}

}  // namespace

std::vector<std::vector<int>> process_places() {
  std::vector<std::vector<int>> places;
  for (int place = 0; place < omp_get_num_places(); ++place) {
    std::vector<int> cpus(std::size_t(std::max(0, omp_get_place_num_procs(place))));
    omp_get_place_proc_ids(place, cpus.data());
    places.push_back(std::move(cpus));
  }
  if (!places.empty()) return places;
  const cpu_set_t mask = thread_mask();
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &mask)) places.push_back({cpu});
  }
  return places;
}

cpu_set_t process_cpus() {
  cpu_set_t cpus = thread_mask();
  for (const std::vector<int>& place : process_places()) {
    for (const int cpu : place) {
      if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_SET(cpu, &cpus);
    }
  }
  return cpus;
}

bool openmp_binds_threads() {
  return omp_get_proc_bind() != omp_proc_bind_false;
}

cpu_set_t share_of_places(const std::vector<std::vector<int>>& places, std::size_t share,
                          std::size_t shares) {
  cpu_set_t mine;
  CPU_ZERO(&mine);
  if (places.empty()) return mine;
  const std::size_t size =
      std::max<std::size_t>(1, places.size() / std::max<std::size_t>(1, shares));
  for (std::size_t i = 0; i < size; ++i) {
    for (const int cpu : places[(share * size + i) % places.size()]) {
      if (cpu >= 0 && cpu < CPU_SETSIZE) CPU_SET(cpu, &mine);
    }
  }
  return mine;
}

CpusForChildren::CpusForChildren(const cpu_set_t& cpus) {
  if (sched_getaffinity(0, sizeof own_, &own_) != 0) return;
  if (CPU_COUNT(&cpus) == 0 || CPU_EQUAL(&cpus, &own_)) {
    holds_ = true;
    return;
  }
  changed_ = sched_setaffinity(0, sizeof cpus, &cpus) == 0;
  holds_ = changed_;
}

CpusForChildren::~CpusForChildren() {
  if (changed_) sched_setaffinity(0, sizeof own_, &own_);
}

}  // namespace runaway::host
