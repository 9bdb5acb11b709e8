#include "host/batch/process_pool.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sched.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/files.hpp"
#include "common/text.hpp"
#include "host/batch/batch.hpp"
#include "host/batch/case_files.hpp"
#include "host/run/cpu_sets.hpp"

extern char** environ;

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

std::atomic<int> g_batch_signal{0};
extern "C" void on_batch_signal(int signal) {
  g_batch_signal.store(signal);
}

// Starts `executable args...` with stdin from /dev/null, stdout and stderr into `log`, and the
// environment changed by `environment` ("NAME=value"), on `cpus`. Returns the pid; throws on
// failure.
pid_t spawn(const fs::path& executable, const std::vector<std::string>& args, const fs::path& log,
            const std::vector<std::string>& environment, const cpu_set_t& cpus) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    const bool replaced = std::any_of(environment.begin(), environment.end(), [&](const auto& n) {
      return n.compare(0, name.size() + 1, name + "=") == 0;
    });
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), environment.begin(), environment.end());
  std::vector<char*> envp, argv;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string program = "runaway";
  std::vector<std::string> arguments = args;
  argv.push_back(program.data());
  for (std::string& a : arguments) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  int status = 0;
  {
    const CpusForChildren child_cpus(cpus);
    status = posix_spawn(&pid, executable.c_str(), &actions, nullptr, argv.data(), envp.data());
  }
  posix_spawn_file_actions_destroy(&actions);
  if (status != 0) {
    throw runtime_error("cannot start " + executable.string() + ": " + std::strerror(status));
  }
  return pid;
}

}  // namespace

BatchSignals::BatchSignals() {
  g_batch_signal.store(0);
  struct sigaction action {};
  action.sa_handler = on_batch_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}
BatchSignals::~BatchSignals() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

int batch_signal() {
  return g_batch_signal.load();
}

CaseProcesses::CaseProcesses(fs::path executable, int jobs, std::vector<std::string> gpus)
    : executable_(std::move(executable)), gpus_(std::move(gpus)), busy_(std::size_t(jobs)) {
  // Without GPUs the cases share the CPU cores: one OpenMP team each, unless the user chose.
  const unsigned cores = usable_cores();
  if (jobs > 1 && cores > 0 && std::getenv("OMP_NUM_THREADS") == nullptr) {
    threads_ = std::max(1u, cores / unsigned(jobs));
  }
}

void CaseProcesses::start(const fs::path& case_dir, const std::vector<std::string>& args) {
  const auto slot = std::size_t(std::find(busy_.begin(), busy_.end(), false) - busy_.begin());
  std::vector<std::string> environment;
  if (!gpus_.empty()) environment.push_back("CUDA_VISIBLE_DEVICES=" + gpus_[slot % gpus_.size()]);
  if (threads_ > 0) environment.push_back(fmt::format("OMP_NUM_THREADS={}", threads_));
  cpu_set_t cpus = process_cpus();
  // A bound team starts at its first place: cases side by side would all bind there (one core
  // for every case, measured), so with binding each case gets its slot's own CPUs.
  if (busy_.size() > 1 && openmp_binds_threads()) {
    cpus = share_of_places(process_places(), slot, busy_.size());
  }
  const pid_t pid = spawn(executable_, args, case_dir / kLogFile, environment, cpus);
  children_[pid] = {case_dir, slot, std::chrono::steady_clock::now()};
  busy_[slot] = true;
}

std::optional<CaseProcesses::Finished> CaseProcesses::wait() {
  int status = 0;
  const pid_t pid = waitpid(-1, &status, 0);
  if (pid < 0) {
    if (errno != EINTR) throw runtime_error(std::string("waitpid: ") + std::strerror(errno));
    if (g_batch_signal.load() != 0 && !forwarded_) {
      for (const auto& [child, info] : children_) kill(child, g_batch_signal.load());
      forwarded_ = true;
      fmt::print(
          "runaway: interrupted; waiting for {} running case(s) to write their "
          "checkpoints\n",
          children_.size());
      std::fflush(stdout);
    }
    return std::nullopt;
  }
  const auto found = children_.find(pid);
  if (found == children_.end()) return std::nullopt;  // not one of ours
  const Child child = found->second;
  children_.erase(found);
  busy_[child.slot] = false;
  return Finished{child.case_dir, status, seconds_since(child.start), forwarded_};
}

std::string failure_text(const fs::path& log, int wait_status) {
  std::istringstream lines(read_text(log));
  std::string line, error;
  const std::string prefix = "runaway: error: ";
  while (std::getline(lines, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) error = line.substr(prefix.size());
  }
  if (!error.empty()) return error;
  if (WIFSIGNALED(wait_status)) {
    return fmt::format("runaway run was killed by signal {} ({})", WTERMSIG(wait_status),
                       strsignal(WTERMSIG(wait_status)));
  }
  return fmt::format("runaway run exited with status {} (see {})", WEXITSTATUS(wait_status),
                     log.string());
}

unsigned usable_cores() {
  const cpu_set_t allowed = process_cpus();
  if (CPU_COUNT(&allowed) > 0) return unsigned(CPU_COUNT(&allowed));
  return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<std::string> visible_gpus() {
  std::vector<std::string> gpus;
  if (const char* visible = std::getenv("CUDA_VISIBLE_DEVICES")) {
    std::stringstream list(visible);
    std::string id;
    while (std::getline(list, id, ',')) {
      id = trim(id);
      if (id.empty() || id == "-1" || id == "NoDevFiles") break;
      gpus.push_back(id);
    }
    return gpus;
  }
  FILE* pipe = popen("nvidia-smi -L 2>/dev/null", "r");
  if (pipe == nullptr) return gpus;
  char line[512];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    if (std::strncmp(line, "GPU ", 4) == 0) gpus.push_back(std::to_string(gpus.size()));
  }
  pclose(pipe);
  return gpus;
}

}  // namespace runaway::host
