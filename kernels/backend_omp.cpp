// The OpenMP backend: BackendImpl instantiated with OmpExec.
#include <omp.h>

#include <cstdlib>
#include <cstring>
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

// MemAvailable of /proc/meminfo in bytes (the kernel's estimate of what can be allocated without
// swapping), 0 if unknown.
double available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string line;
  while (std::getline(meminfo, line)) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      return std::strtod(line.c_str() + std::strlen("MemAvailable:"), nullptr) * 1024.0;  // kB
    }
  }
  return 0;
}
}  // namespace

BackendInfo OmpExec::describe() const {
  BackendInfo info;
  info.kind = BackendKind::kOpenMP;
  info.name = "openmp";
  info.device = cpu_model_name();
  info.threads = omp_get_max_threads();
  info.available_memory_bytes = available_memory_bytes();
  return info;
}

std::unique_ptr<Backend> make_openmp_backend() {
  return std::make_unique<BackendImpl<OmpExec>>(OmpExec{});
}

}  // namespace runaway::kernels
