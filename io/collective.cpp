#include "io/collective.hpp"

#include <cstring>
#include <utility>

#include "common/error.hpp"

namespace runaway::io {

#if RUNAWAY_HAVE_MPI

namespace {

// The kind and text of a caught exception.
void describe(const std::exception_ptr& error, ErrorKind& kind, std::string& message) {
  kind = ErrorKind::kRuntime;
  try {
    std::rethrow_exception(error);
  } catch (const runaway::Error& e) {
    kind = e.kind();
    message = e.what();
  } catch (const std::exception& e) {
    message = e.what();
  } catch (...) {
    message = "unknown error";
  }
}

}  // namespace

Collective::Collective(MPI_Comm comm) : parallel_(true) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    throw runaway::runtime_error("a parallel run needs MPI_Init before its results are written");
  }
  if (comm == MPI_COMM_NULL) {
    throw runaway::runtime_error("the MPI communicator of the parallel results is not set");
  }
  MPI_Comm_dup(comm, &comm_);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
}

#endif

Collective::Collective(Collective&& other) noexcept {
  *this = std::move(other);
}

Collective& Collective::operator=(Collective&& other) noexcept {
  if (this != &other) {
#if RUNAWAY_HAVE_MPI
    if (comm_ != MPI_COMM_NULL && !finalized()) MPI_Comm_free(&comm_);
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
#endif
    parallel_ = std::exchange(other.parallel_, false);
    rank_ = std::exchange(other.rank_, 0);
    size_ = std::exchange(other.size_, 1);
  }
  return *this;
}

Collective::~Collective() {
#if RUNAWAY_HAVE_MPI
  if (comm_ != MPI_COMM_NULL && !finalized()) MPI_Comm_free(&comm_);
#endif
}

bool Collective::finalized() const {
#if RUNAWAY_HAVE_MPI
  if (!parallel_) return false;
  int finalized = 0;
  MPI_Finalized(&finalized);
  return finalized != 0;
#else
  return false;
#endif
}

void Collective::agree(const std::exception_ptr& local) const {
#if RUNAWAY_HAVE_MPI
  int mine = local ? rank_ : size_;
  int first = size_;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm_);
  if (first == size_) return;  // no rank failed
  ErrorKind kind = ErrorKind::kRuntime;
  std::string message;
  if (rank_ == first) describe(local, kind, message);
  int kind_code = int(kind);
  MPI_Bcast(&kind_code, 1, MPI_INT, first, comm_);
  unsigned long length = message.size();
  MPI_Bcast(&length, 1, MPI_UNSIGNED_LONG, first, comm_);
  message.resize(length);
  MPI_Bcast(message.data(), int(length), MPI_CHAR, first, comm_);
  if (local) std::rethrow_exception(local);
  throw runaway::Error(ErrorKind(kind_code),
                       message + " (on MPI rank " + std::to_string(first) + ")");
#else
  if (local) std::rethrow_exception(local);
#endif
}

std::string Collective::broadcast(std::string text) const {
  if (!parallel_) return text;
  unsigned long length = broadcast<unsigned long>(text.size());
  text.resize(length);
  broadcast_bytes(text.data(), length);
  return text;
}

void Collective::broadcast_bytes(void* data, std::size_t size) const {
#if RUNAWAY_HAVE_MPI
  if (parallel_) MPI_Bcast(data, int(size), MPI_BYTE, 0, comm_);
#else
  (void)data;
  (void)size;
#endif
}

void Collective::gather_bytes(const void* value, void* values, std::size_t size) const {
#if RUNAWAY_HAVE_MPI
  if (parallel_) {
    MPI_Allgather(value, int(size), MPI_BYTE, values, int(size), MPI_BYTE, comm_);
    return;
  }
#endif
  std::memcpy(values, value, size);
}

}  // namespace runaway::io
