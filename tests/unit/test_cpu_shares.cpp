// How `runaway batch` and the demo hand CPUs to cases side by side when OpenMP binds its threads
// (host/run/cpu_sets.hpp share_of_places): each slot its own block of whole places.
#include <gtest/gtest.h>
#include <sched.h>

#include <vector>

#include "host/run/cpu_sets.hpp"

namespace runaway::host {
namespace {

std::vector<int> ids_of(const cpu_set_t& set) {
  std::vector<int> ids;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) ids.push_back(cpu);
  }
  return ids;
}

TEST(CpuShares, EachSlotGetsItsOwnBlockOfWholePlaces) {
  // OMP_PLACES=cores on 4 cores with 2 hardware threads each, numbered as Intel does: a core's
  // threads are i and i + 4. Split by CPU number, both slots would share every core.
  const std::vector<std::vector<int>> cores = {{0, 4}, {1, 5}, {2, 6}, {3, 7}};
  EXPECT_EQ(ids_of(share_of_places(cores, 0, 2)), (std::vector<int>{0, 1, 4, 5}));
  EXPECT_EQ(ids_of(share_of_places(cores, 1, 2)), (std::vector<int>{2, 3, 6, 7}));
  // Three slots of four places: one place each, the fourth left over.
  EXPECT_EQ(ids_of(share_of_places(cores, 2, 3)), (std::vector<int>{2, 6}));
  // The process's own CPUs, whatever their numbers (a Slurm allocation, taskset).
  const std::vector<std::vector<int>> scattered = {{3}, {8}, {17}};
  EXPECT_EQ(ids_of(share_of_places(scattered, 0, 3)), (std::vector<int>{3}));
  EXPECT_EQ(ids_of(share_of_places(scattered, 2, 3)), (std::vector<int>{17}));
}

TEST(CpuShares, MoreSlotsThanPlacesWrapAndNoSlotIsLeftWithout) {
  const std::vector<std::vector<int>> two = {{0}, {1}};
  EXPECT_EQ(ids_of(share_of_places(two, 0, 3)), (std::vector<int>{0}));
  EXPECT_EQ(ids_of(share_of_places(two, 1, 3)), (std::vector<int>{1}));
  EXPECT_EQ(ids_of(share_of_places(two, 2, 3)), (std::vector<int>{0}));
  EXPECT_EQ(ids_of(share_of_places(two, 0, 1)), (std::vector<int>{0, 1}));
}

}  // namespace
}  // namespace runaway::host
