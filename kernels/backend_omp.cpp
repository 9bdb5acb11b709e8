// The OpenMP backend: BackendImpl instantiated with OmpExec.
#include <omp.h>

#include <fstream>
#include <memory>
#include <string>

#include "kernels/backend_impl.hpp"
#include "kernels/exec_omp.hpp"

namespace runaway::kernels {

namespace {
std::string cpu_model_name() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown CPU";
}
}  // namespace

BackendInfo OmpExec::describe() const {
  BackendInfo info;
  info.kind = BackendKind::kOpenMP;
  info.name = "openmp";
  info.device = cpu_model_name();
  info.threads = omp_get_max_threads();
  return info;
}

std::unique_ptr<Backend> make_openmp_backend() {
  return std::make_unique<BackendImpl<OmpExec>>(OmpExec{});
}

}  // namespace runaway::kernels
