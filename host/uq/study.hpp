// An uncertainty study (`runaway uq`, docs/uq.md): base packs (e.g. liquid and semi-solid
// twins), uncertain inputs given by config keys and distributions, their correlations, the
// design (Latin hypercube, Sobol', Saltelli, random; seeded), the sample count and the
// quantities of interest. Every base pack runs the same samples (a paired comparison), each
// case through the batch engine (host/batch/batch.hpp).
//
//   Study study = load_study("study.toml");     // the file, checked: throws bad input
//   StudyPlan plan = plan_study(study);          // design, values, every case validated
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "host/batch/batch.hpp"
#include "host/uq/distribution.hpp"
#include "host/uq/sampling.hpp"

namespace runaway::host::uq {

enum class Design { kLatinHypercube, kSobol, kSaltelli, kRandom };
const char* design_name(Design design);

struct StudyPack {
  std::string name;  // "liquid": a summary value and part of the case folders' names
  std::filesystem::path file;
  int line = 0;
};

struct StudyInput {
  std::string name;               // a summary column
  std::vector<std::string> keys;  // config keys; "chemistries.*." and "reactions.*." expand
  bool scale = false;             // the value multiplies each key's value in the base pack
  Distribution distribution;
  std::string source;  // where the distribution comes from, or "ASSUMED ..."
  int line = 0;
};

struct Study {
  std::filesystem::path file;
  std::string text;
  std::string description;
  std::vector<StudyPack> packs;
  std::vector<StudyInput> inputs;
  std::vector<double> correlation;  // inputs x inputs, row-major; empty: independent
  Design design = Design::kLatinHypercube;
  std::size_t samples = 0;  // N: rows of the design (Saltelli: base samples, N (d + 2) rows)
  std::uint64_t seed = 1;
  std::vector<std::string> quantities;  // summary columns and derived quantities
  std::vector<int> beyond = {1};        // P(cells in runaway > k) for each k
  int bootstrap = 1000;                 // resamples of bootstrap intervals
  std::vector<ConfigEdit> fixed;        // edits every case gets first
};

// Reads and checks a study file. Throws bad input naming the file, line and key.
Study load_study(const std::filesystem::path& file);

// The quantities a study may ask for: every numeric column of the batch summary, and
// time_to_second_cell_s (second onset - first onset), second_onset_s and verdict_failed (also
// verdict_failed:RULE, for one rule of the packs' [verdict]).
std::vector<std::string> quantity_names();

struct StudyPlan {
  Points unit;                              // the design, one row per run of a pack
  std::vector<std::vector<double>> values;  // the inputs' values per row (before scaling)
  std::vector<bool> independent;            // rows that are independent samples (not AB_i)
  CasePlan cases;                           // packs x rows, pack-major
};

// The design, the values and every case (each pack with each row), each validated with the
// config's parser: a value the config rejects is an error naming the study file, the input's
// line and key.
StudyPlan plan_study(const Study& study);

// One case's config text: a pack with [fixed] and the inputs at `values` (what `runaway
// uq-dakota` runs for Dakota's parameters). Throws bad input when the config rejects it.
std::string study_case_config(const Study& study, std::size_t pack,
                              const std::vector<double>& values);

}  // namespace runaway::host::uq
