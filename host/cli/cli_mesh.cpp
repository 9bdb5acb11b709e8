// `runaway mesh`: a pack config voxelized into model.h5 + model.xdmf, to inspect in ParaView.
#include <fmt/core.h>

#include <filesystem>
#include <string>
#include <vector>

#include "host/cli/cli.hpp"
#include "host/config/config.hpp"
#include "host/run/run_case.hpp"
#include "io/model.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

void add_mesh_command(CLI::App& app) {
  static std::string mesh_config, mesh_output;
  static std::vector<std::string> mesh_overrides;
  static bool mesh_overwrite = false;
  auto* mesh = app.add_subcommand(
      "mesh", "Voxelize a pack config and write model.h5 + model.xdmf to inspect in ParaView");
  mesh->add_option("config", mesh_config, "Pack config (TOML)")->required();
  mesh->add_option("-o,--output", mesh_output, "Directory for model.h5 and model.xdmf")->required();
  mesh->add_option("--set", mesh_overrides, "Override a config key");
  mesh->add_flag("--overwrite", mesh_overwrite, "Replace an existing model file");
  mesh->callback([] {
    const PackConfig config = load_pack_config(mesh_config, mesh_overrides);
    const meshes::VoxelModel model = build_voxel_model(config);
    fs::create_directories(mesh_output);
    const fs::path file = fs::path(mesh_output) / "model.h5";
    io::write_model_file(file, model_data(config, model), mesh_overwrite);
    fmt::print("wrote {} and model.xdmf: {} x {} x {} voxels, {} cells, {} materials\n",
               file.string(), model.shape.nx, model.shape.ny, model.shape.nz, model.cells.size(),
               model.materials.size());
  });
}

}  // namespace runaway::host
