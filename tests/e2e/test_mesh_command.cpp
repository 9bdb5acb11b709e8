// `runaway mesh` writes the voxel model a run would use, readable back, and refuses to overwrite.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "io/model.hpp"
#include "support/process.hpp"
#include "support/scratch.hpp"

namespace runaway::testing {
namespace {

namespace fs = std::filesystem;

TEST(MeshCommand, WritesTheVoxelModelAndKeepsAnExistingOne) {
  const ScratchDir scratch("runaway_e2e_mesh");
  const fs::path dir = scratch / "model";
  const std::string log = (scratch / "mesh.log").string();
  const std::string config =
      std::string(RUNAWAY_SOURCE_DIR) + "/examples/module_21700_cylindrical.toml";
  ASSERT_EQ(run({RUNAWAY_CLI, "mesh", config, "-o", dir.string()}, log), 0) << read_text(log);
  const io::ModelData model = io::read_model_file(dir / "model.h5");
  EXPECT_TRUE(fs::exists(dir / "model.xdmf"));
  ASSERT_EQ(model.material.size(), model.grid.voxel_count());
  const int cells = *std::max_element(model.cell.begin(), model.cell.end()) + 1;
  EXPECT_EQ(cells, model.cell_count());
  EXPECT_GT(cells, 1);
  const auto before = fs::last_write_time(dir / "model.h5");
  EXPECT_EQ(run({RUNAWAY_CLI, "mesh", config, "-o", dir.string()}, log), 2);
  EXPECT_EQ(fs::last_write_time(dir / "model.h5"), before);
  EXPECT_EQ(
      run({RUNAWAY_CLI, "mesh", config, "-o", (dir / "bad").string(), "--set", "module.gapp=1"},
          log),
      2);
  EXPECT_FALSE(fs::exists(dir / "bad" / "model.h5"));  // nothing written on bad input
}

}  // namespace
}  // namespace runaway::testing
