// The MPI ranks that write one file together, and how an error on one of them becomes an error
// on all of them, so that no rank waits forever in a collective call that the others have left.
// Internal to io/.
//
// A default-constructed Collective is one process (a serial run, or a build without MPI): then
// every call below is a plain call, and exceptions pass through unchanged.
#pragma once

#if RUNAWAY_HAVE_MPI
#include <mpi.h>
#endif

#include <cstddef>
#include <exception>
#include <string>
#include <type_traits>
#include <vector>

namespace runaway::io {

class Collective {
 public:
  Collective() = default;
#if RUNAWAY_HAVE_MPI
  // Every rank of `comm` together: works on a duplicate of `comm`, so that its messages never
  // meet the caller's.
  explicit Collective(MPI_Comm comm);
  MPI_Comm comm() const {
    return comm_;
  }
#endif
  Collective(Collective&& other) noexcept;
  Collective& operator=(Collective&& other) noexcept;
  Collective(const Collective&) = delete;
  Collective& operator=(const Collective&) = delete;
  ~Collective();

  bool parallel() const {
    return parallel_;
  }
  int rank() const {
    return rank_;
  }
  int size() const {
    return size_;
  }
  bool is_root() const {
    return rank_ == 0;
  }
  // MPI has been finalized: no collective call can be made any more.
  bool finalized() const;

  // Runs `step` on every rank. If it throws on any rank, it throws on every rank: where it
  // failed, the original exception; elsewhere a runaway::Error of the same kind with the
  // message of the lowest failing rank.
  template <class Step>
  void all(Step&& step) {
    if (!parallel_) {
      step();
      return;
    }
    agree(attempt(step));
  }

  // Runs `step` on rank 0 only; its failure is every rank's failure, as in all().
  template <class Step>
  void on_root(Step&& step) {
    if (!parallel_) {
      step();
      return;
    }
    agree(is_root() ? attempt(step) : std::exception_ptr());
  }

  // Rank 0's value, on every rank.
  template <class T>
  T broadcast(T value) const {
    static_assert(std::is_trivially_copyable_v<T>, "broadcast bytes of plain values");
    broadcast_bytes(&value, sizeof(T));
    return value;
  }
  std::string broadcast(std::string text) const;

  // Every rank's value, in rank order, on every rank.
  template <class T>
  std::vector<T> gather(const T& value) const {
    static_assert(std::is_trivially_copyable_v<T>, "gather bytes of plain values");
    std::vector<T> values(std::size_t(size_), value);
    gather_bytes(&value, values.data(), sizeof(T));
    return values;
  }

 private:
  template <class Step>
  static std::exception_ptr attempt(Step& step) {
    try {
      step();
    } catch (...) {
      return std::current_exception();
    }
    return nullptr;
  }
  void agree(const std::exception_ptr& local) const;
  void broadcast_bytes(void* data, std::size_t size) const;
  void gather_bytes(const void* value, void* values, std::size_t size) const;

  bool parallel_ = false;
  int rank_ = 0;
  int size_ = 1;
#if RUNAWAY_HAVE_MPI
  MPI_Comm comm_ = MPI_COMM_NULL;
#endif
};

}  // namespace runaway::io
