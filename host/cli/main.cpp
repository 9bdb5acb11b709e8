// runaway: thermal-runaway propagation in battery packs. The CLI lists its subcommands here;
// each one lives in host/cli/cli_<name>.cpp.
#include <sys/auxv.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#if RUNAWAY_HAVE_MPI
#include <mpi.h>

#include "parallel/run_partition.hpp"
#endif

#include "common/error.hpp"
#include "host/cli/cli.hpp"
#include "host/run/cpu_sets.hpp"

namespace {

// OpenMP threads waiting at a barrier spin 30000 times (GOMP_SPINCOUNT), then sleep, unless the
// user chose (OMP_WAIT_POLICY or GOMP_SPINCOUNT). Measured on 2 cores (docs/performance.md
// "Waiting at barriers"): with libgomp's default, 300000, a fixed two-thread team beside a
// parallel build took twice as long; passive waiting (no spin) cost 20-30 % on an idle machine;
// 30000 was as fast as the default idle and near passive beside the build. libgomp reads the
// variables in its initialiser, before main, and glibc's initialiser undoes a setenv made earlier
// still (from the pre-initialisers), so the process sets the variable and starts itself again.
void default_openmp_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  // Under valgrind the started process would run outside the tool (it follows no exec by default).
  const char* preload = std::getenv("LD_PRELOAD");
  if (preload != nullptr && std::string(preload).find("vgpreload") != std::string::npos) return;
  // Started through the dynamic loader (ld.so ./runaway ...), /proc/self/exe is the loader, which
  // the kernel then did not load as an interpreter: no interpreter base address.
  if (getauxval(AT_BASE) == 0) return;
  {
    // An exec keeps the thread's mask, which libgomp may have bound to one place: the process
    // started again would run its whole team there. A bound process that cannot widen its mask
    // keeps its places and libgomp's wait (`runaway info` says so); an unbound one has its mask.
    const runaway::host::CpusForChildren every_cpu(runaway::host::process_cpus());
    const bool every_place = every_cpu.holds() || !runaway::host::openmp_binds_threads();
    if (every_place && setenv("GOMP_SPINCOUNT", runaway::host::kDefaultSpinCount, 1) == 0 &&
        setenv(runaway::host::kDefaultSpinCountMarker, runaway::host::kDefaultSpinCount, 1) == 0) {
      execv("/proc/self/exe", argv);
    }
  }
  // No /proc, exec refused, or a bound mask that could not be widened: go on as libgomp started
  // (the guard gave the mask back), and say nothing was set.
  unsetenv("GOMP_SPINCOUNT");
  unsetenv(runaway::host::kDefaultSpinCountMarker);
}

// `partitioner` splits runs over the ranks of an MPI build (null: not split).
int run(int argc, char** argv, const runaway::host::Partitioner* partitioner) {
  CLI::App app{"runaway: GPU-accelerated thermal-runaway propagation in battery packs"};
  app.require_subcommand(1);
  runaway::host::add_info_command(app);
  runaway::host::add_run_commands(app, partitioner);
  runaway::host::add_mesh_command(app);
  runaway::host::add_compare_command(app);
  runaway::host::add_batch_command(app);
  runaway::host::add_report_command(app);
  runaway::host::add_uq_commands(app);
  runaway::host::add_check_command(app);
  runaway::host::add_cell_command(app);
  runaway::host::add_fit_command(app);
  runaway::host::add_conduction_demo_command(app);
  runaway::host::add_bench_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand that ran and failed
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // CLI usage errors are bad input
  }
  return 0;
}

#if !RUNAWAY_HAVE_MPI
// How many processes mpirun (Open MPI, MPICH/PMI) started, from their environment; 1 if none.
int launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* value = std::getenv(name)) return std::atoi(value);
  }
  return 1;
}
#endif

int run_reporting_errors(int argc, char** argv,
                         const runaway::host::Partitioner* partitioner = nullptr) {
  try {
    return run(argc, argv, partitioner);
  } catch (const runaway::Error& e) {
    std::fprintf(stderr, "runaway: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "runaway: error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "runaway: error: unknown failure\n");
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  default_openmp_waiting(argv);
#if RUNAWAY_HAVE_MPI
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    std::fprintf(stderr, "runaway: error: MPI could not start (is the MPI runtime installed?)\n");
    return 1;
  }
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  const runaway::parallel::MpiPartitioner partitioner;
  const int code = run_reporting_errors(argc, argv, &partitioner);
  // A failure on one rank of several: the others may wait in a collective, so end them all.
  if (code != 0 && ranks > 1) MPI_Abort(MPI_COMM_WORLD, code);
  MPI_Finalize();
  return code;
#else
  if (launched_ranks() > 1) {
    std::fprintf(stderr,
                 "runaway: error: started as one of %d processes (mpirun/srun), but this build has "
                 "no MPI; every process would run the whole job into the same files. Build with "
                 "-DRUNAWAY_MPI=ON (scripts/build build-mpi -DRUNAWAY_MPI=ON) or run one process\n",
                 launched_ranks());
    return 2;
  }
  return run_reporting_errors(argc, argv);
#endif
}
