// How `runaway batch` and the demo hand CPUs to cases side by side when OpenMP binds its threads
// (host/batch/process_pool.hpp share_of_cpus): each slot its own block of the process's CPUs.
#include <gtest/gtest.h>
#include <sched.h>

#include <initializer_list>
#include <vector>

#include "host/batch/process_pool.hpp"

namespace runaway::host {
namespace {

cpu_set_t cpus_of(std::initializer_list<int> ids) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const int id : ids) CPU_SET(id, &set);
  return set;
}

std::vector<int> ids_of(const cpu_set_t& set) {
  std::vector<int> ids;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) ids.push_back(cpu);
  }
  return ids;
}

TEST(CpuShares, EachSlotGetsItsOwnBlockOfConsecutiveCpus) {
  const cpu_set_t four = cpus_of({0, 1, 2, 3});
  EXPECT_EQ(ids_of(share_of_cpus(four, 0, 2)), (std::vector<int>{0, 1}));
  EXPECT_EQ(ids_of(share_of_cpus(four, 1, 2)), (std::vector<int>{2, 3}));
  // Three shares of four CPUs: one each, the fourth left over.
  EXPECT_EQ(ids_of(share_of_cpus(four, 2, 3)), (std::vector<int>{2}));
  // The process's own CPUs, whatever their numbers (a Slurm allocation, taskset).
  const cpu_set_t scattered = cpus_of({3, 8, 17});
  EXPECT_EQ(ids_of(share_of_cpus(scattered, 0, 3)), (std::vector<int>{3}));
  EXPECT_EQ(ids_of(share_of_cpus(scattered, 2, 3)), (std::vector<int>{17}));
}

TEST(CpuShares, MoreSlotsThanCpusWrapAndNoSlotIsLeftWithout) {
  const cpu_set_t two = cpus_of({0, 1});
  EXPECT_EQ(ids_of(share_of_cpus(two, 0, 3)), (std::vector<int>{0}));
  EXPECT_EQ(ids_of(share_of_cpus(two, 1, 3)), (std::vector<int>{1}));
  EXPECT_EQ(ids_of(share_of_cpus(two, 2, 3)), (std::vector<int>{0}));
  EXPECT_EQ(ids_of(share_of_cpus(two, 0, 0)), (std::vector<int>{0, 1}));
}

}  // namespace
}  // namespace runaway::host
