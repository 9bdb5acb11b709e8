#include "host/batch/slurm.hpp"

#include <fmt/core.h>

#include "common/text.hpp"
#include "host/batch/case_files.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

std::string cases_text(const std::vector<SweepCase>& cases, const fs::path& dir) {
  std::string out;
  for (const SweepCase& c : cases) {
    if (!c.invalid.empty()) continue;
    std::string line = c.directory + "\t";
    for (const std::string& a : run_arguments(dir / c.directory)) {
      line += (line.back() == '\t' ? "" : " ") + shell_quoted(a);
    }
    out += line + "\n";
  }
  return out;
}

std::string slurm_script(const fs::path& dir, const fs::path& executable, std::size_t cases,
                         const fs::path& sweep_file, const std::string& command) {
  std::error_code error;
  fs::path binary = fs::read_symlink(executable, error);
  if (error) binary = fs::absolute(executable);
  std::string out = "#!/bin/bash\n";
  out += "# Slurm job array of `runaway " + command + " " + sweep_file.string() + "`:\n";
  out += "# task i runs line i+1 of cases.txt with `runaway run`, one case and one GPU per task.\n";
  out += "#   submit:      sbatch " + (dir / kSlurmFile).string() + "\n";
  out += "#   afterwards:  runaway " + command + " --collect " + dir.string() + "\n";
  out +=
      "# A case whose results.h5 is complete is skipped; one with a checkpoint continues from "
      "it.\n";
  out += "# Add your cluster's --partition, --account and --time below.\n";
  out += "#SBATCH --job-name=runaway-" + command + "\n";
  out += fmt::format("#SBATCH --array=0-{}\n", cases - 1);
  out += "#SBATCH --ntasks=1\n";
  out += "#SBATCH --gres=gpu:1\n";
  out += "#SBATCH --output=" + (dir / "slurm-%A_%a.out").string() + "\n";
  out += "set -euo pipefail\n";
  // On CPU nodes each task's OpenMP team is the cores Slurm gave it (add --cpus-per-task).
  out +=
      "if [ -n \"${SLURM_CPUS_PER_TASK:-}\" ] && [ -z \"${OMP_NUM_THREADS:-}\" ]; then\n"
      "  export OMP_NUM_THREADS=\"$SLURM_CPUS_PER_TASK\"\n"
      "fi\n\n";
  out += "RUNAWAY=\"${RUNAWAY:-" + binary.string() + "}\"\n";
  out += "BATCH_DIR=" + shell_quoted(dir.string()) + "\n";
  out += R"SH(line=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "$BATCH_DIR/cases.txt")
if [ -z "$line" ]; then
  echo "no line $((SLURM_ARRAY_TASK_ID + 1)) in $BATCH_DIR/cases.txt" >&2
  exit 2
fi
case_name=${line%%$'\t'*}
case_dir="$BATCH_DIR/$case_name"
# `runaway compare` refuses an incomplete results.h5: it checks that the case is finished.
if [ -f "$case_dir/results.h5" ] && "$RUNAWAY" compare "$case_dir" > /dev/null 2>&1; then
  echo "$case_name: results complete, skipped"
  exit 0
fi
if [ -f "$case_dir/checkpoint.h5" ]; then
  set -- run --restart "$case_dir/checkpoint.h5" -q
else
  eval "set -- ${line#*$'\t'}"  # the arguments, shell-quoted by runaway batch
fi
rm -f "$case_dir/error.txt"
echo "$case_name: runaway $* (GPU ${CUDA_VISIBLE_DEVICES:-none})"
status=0
"$RUNAWAY" "$@" > "$case_dir/run.log" 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
  error=$(sed -n 's/^runaway: error: //p' "$case_dir/run.log" | tail -n 1)
  echo "${error:-runaway run exited with status $status (see $case_dir/run.log)}" > "$case_dir/error.txt"
  cat "$case_dir/error.txt" >&2
fi
exit "$status"
)SH";
  return out;
}

}  // namespace runaway::host
