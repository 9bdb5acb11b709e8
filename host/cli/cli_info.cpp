// `runaway info`: backend, device, threads and build options.
#include <fmt/core.h>

#include "host/cli/cli.hpp"
#include "kernels/backend.hpp"
#include "meshes/voxelizer.hpp"
#include "runaway/build_info.hpp"

namespace runaway::host {

void add_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Print the backend, device, threads and build options");
  cmd->callback([] {
    auto backend = kernels::make_backend(kernels::BackendChoice::kAuto);
    const kernels::BackendInfo& info = backend->info();
    fmt::print("runaway {} (commit {})\n", build::kVersion, build::kGitCommit);
    fmt::print("backend:        {}\n", info.name);
    if (!backend->selection_note().empty())
      fmt::print("                ({})\n", backend->selection_note());
    fmt::print("device:         {}\n", info.device);
    fmt::print("threads:        {}\n", info.threads);
    if (info.available_memory_bytes > 0)
      fmt::print("memory:         {} available\n",
                 meshes::format_bytes(info.available_memory_bytes));
    fmt::print("build type:     {}\n", build::kBuildType);
    fmt::print("C++ compiler:   {}\n", build::kCxxCompiler);
    if (build::kCudaBackend) {
      fmt::print("CUDA backend:   compiled (nvcc {}, architectures {})\n", build::kCudaCompiler,
                 build::kCudaArchitectures);
    } else {
      fmt::print("CUDA backend:   not compiled\n");
    }
    fmt::print("sanitizers:     {}\n", build::kSanitizers ? "address, undefined" : "off");
  });
}

}  // namespace runaway::host
