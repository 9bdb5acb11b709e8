// Running the `runaway` CLI from tests: spawn, signal, wait, capture.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "common/files.hpp"

extern char** environ;

namespace runaway::testing {

// Starts `args` (args[0] is the program) with stdout and stderr sent to `log`; returns the pid.
inline pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

// A waitpid status as a shell gives it: the exit code, or 128 + signal if a signal ended it.
inline int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Waits for pid; returns its exit_code.
inline int wait_for(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return -1;
  return exit_code(status);
}

// Waits until `ready()` holds while pid still runs, polling every 5 ms, with no deadline (a slow
// machine cannot fail a test by it; ctest's timeout ends a hang). Returns true when ready; false
// when pid ended first, its code (as wait_for's) in *ended.
inline bool wait_while_running(pid_t pid, const std::function<bool()>& ready, int* ended) {
  while (!ready()) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      *ended = exit_code(status);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

inline int run(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = spawn(args, log);
  return pid < 0 ? -1 : wait_for(pid);
}

// The file's text ("" when it cannot be read).
using ::runaway::read_text;

}  // namespace runaway::testing
