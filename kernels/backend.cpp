// Backend selection: CUDA when compiled in and a device answers, OpenMP otherwise.
#include <memory>
#include <string>

#include "common/error.hpp"
#include "kernels/backend.hpp"

namespace runaway::kernels {

#ifdef RUNAWAY_HAVE_CUDA
std::unique_ptr<Backend> make_cuda_backend(std::string& why_not);
bool cuda_backend_compiled() {
  return true;
}
#else
bool cuda_backend_compiled() {
  return false;
}
#endif

std::unique_ptr<Backend> make_backend(BackendChoice choice) {
  std::string why_not = "this build has no CUDA backend (configure with nvcc present)";
#ifdef RUNAWAY_HAVE_CUDA
  if (choice != BackendChoice::kOpenMP) {
    auto cuda = make_cuda_backend(why_not);
    if (cuda) return cuda;
  }
#endif
  if (choice == BackendChoice::kCuda) {
    throw runaway::runtime_error("the CUDA backend was requested but cannot be used: " + why_not);
  }
  auto omp = make_openmp_backend();
  if (choice == BackendChoice::kAuto) {
    omp->set_selection_note(why_not);
  }
  return omp;
}

}  // namespace runaway::kernels
