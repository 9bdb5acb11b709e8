// Built-in cell chemistries (kernels::Chemistry data with their sources) and the validation every
// chemistry, built-in or from a config file, goes through before it reaches a kernel.
#pragma once

#include <string>
#include <vector>

#include "common/error.hpp"
#include "kernels/chemistry.hpp"

namespace runaway::host {

// The cell a built-in chemistry was published or assumed with: what `runaway cell` simulates
// when no pack is given. SI units.
struct ReferenceCell {
  std::string description;
  double jelly_roll_volume = 0;  // m^3, the reacting volume
  double surface_area = 0;       // m^2, outer surface for oven convection
  double charge_capacity = 0;    // C (1 Ah = 3600 C)
  double voltage = 0;            // V
  double state_of_charge = 1.0;  // [0, 1]
};

// Where a built-in's numbers come from: a paper's model as published, an open re-implementation
// of one (not yet checked against the paper's tables), a variant that adds to a paper's model, or
// a set assembled here from assumptions.
enum class Provenance { kPublished, kOpenReproduction, kVariant, kAssumed };
// "published", "open reproduction", "variant", "assumed".
const char* provenance_name(Provenance provenance);

struct ChemistryEntry {
  kernels::Chemistry chemistry;
  ReferenceCell cell;
  std::string source;  // one line: where the numbers come from
  Provenance provenance = Provenance::kAssumed;
};

// Names of the built-in chemistries, in library order.
std::vector<std::string> chemistry_names();

// The built-in chemistry `name`, validated. Unknown names throw bad_input naming the key of
// `context` (default "chemistry") with a "did you mean" suggestion and the list of names.
const ChemistryEntry& find_chemistry_entry(const std::string& name,
                                           const ErrorContext& context = {});
kernels::Chemistry find_chemistry(const std::string& name, const ErrorContext& context = {});

// Rejects a chemistry that a kernel cannot run or that is physically meaningless: non-finite
// numbers, negative A, Ea or W, orders out of range, fractions outside [0, 1], missing
// time constants. The error names the offending key below context.key (default "chemistry"),
// e.g. "chemistries.foo.reactions[2].activation_energy", and keeps context.file and line.
void validate(const kernels::Chemistry& chemistry, const ErrorContext& context = {});

// The closest of `candidates` to `word` by edit distance, or "" if none is reasonably close.
std::string closest_name(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace runaway::host
