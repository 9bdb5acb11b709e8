// `runaway batch --slurm`: cases.txt (each runnable case's `runaway run` arguments) and the Slurm
// job array script that runs line i+1 of it in array task i.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "host/batch/batch.hpp"

namespace runaway::host {

// cases.txt: per runnable case its directory, a tab, and its `runaway run` arguments quoted for
// the shell (the Slurm script runs line i+1 in array task i).
std::string cases_text(const std::vector<SweepCase>& cases, const std::filesystem::path& dir);

// DIR/batch.slurm: a job array of `cases` tasks, one case and one GPU each, running
// `executable` (its link resolved) on the lines of DIR/cases.txt; `command` (batch, uq) made
// them.
std::string slurm_script(const std::filesystem::path& dir, const std::filesystem::path& executable,
                         std::size_t cases, const std::filesystem::path& sweep_file,
                         const std::string& command = "batch");

}  // namespace runaway::host
