// A build without MPI started by mpirun as several processes would run the whole job in every
// process, into the same files: it must refuse, naming the fix.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/process.hpp"

namespace runaway::testing {
namespace {

TEST(MpiLaunch, BuildWithoutMpiRefusesToRunAsSeveralRanks) {
#if RUNAWAY_HAVE_MPI
  GTEST_SKIP() << "this build has MPI; tests/mpi cover it";
#else
  const std::string log = (std::filesystem::temp_directory_path() /
                           ("runaway_mpi_launch_" + std::to_string(getpid()) + ".log"))
                              .string();
  ::setenv("OMPI_COMM_WORLD_SIZE", "4", 1);  // what Open MPI's mpirun sets for -np 4
  const int code = run({RUNAWAY_CLI, "info"}, log);
  ::unsetenv("OMPI_COMM_WORLD_SIZE");
  const std::string text = read_text(log);
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("one of 4 processes"), std::string::npos) << text;
  EXPECT_NE(text.find("-DRUNAWAY_MPI=ON"), std::string::npos) << text;
  // One process is fine.
  EXPECT_EQ(run({RUNAWAY_CLI, "info"}, log), 0) << read_text(log);
  std::filesystem::remove(log);
#endif
}

}  // namespace
}  // namespace runaway::testing
