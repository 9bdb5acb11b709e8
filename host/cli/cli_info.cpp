// `runaway info`: backend, device, threads and build options.
#include <fmt/core.h>

#include <cstdlib>
#include <string>

#include "host/cli/cli.hpp"
#include "kernels/backend.hpp"
#include "meshes/voxelizer.hpp"
#include "runaway/build_info.hpp"

namespace runaway::host {
namespace {

// How this process's OpenMP threads wait at a barrier, and who chose it.
std::string openmp_waiting() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  const char* set_by_runaway = std::getenv(kDefaultSpinCountMarker);
  if (spin != nullptr && policy == nullptr && set_by_runaway != nullptr &&
      std::string(spin) == set_by_runaway)
    return fmt::format("GOMP_SPINCOUNT={}: spin, then sleep (runaway's default)", spin);
  std::string chosen;
  if (policy != nullptr) chosen = fmt::format("OMP_WAIT_POLICY={}", policy);
  if (spin != nullptr)
    chosen += fmt::format("{}GOMP_SPINCOUNT={}", chosen.empty() ? "" : ", ", spin);
  if (chosen.empty()) return "the OpenMP runtime's default (runaway could not set its own)";
  return chosen + " (set by the user)";
}

}  // namespace

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
    fmt::print("OpenMP waiting: {}\n", openmp_waiting());
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
