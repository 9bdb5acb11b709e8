// The numbers of a chemistry by their config keys (docs/config.md, [chemistries.NAME]), read
// from a resolved chemistry: what a library chemistry has where its pack file says nothing.
#pragma once

#include <optional>
#include <string>

#include "kernels/chemistry.hpp"

namespace runaway::host {

// A number of a resolved chemistry by its key under chemistries.NAME: a constant
// ("ejecta_heat_share") or a reaction's field ("reactions.sei.heat_of_reaction"); nothing when
// the chemistry has no such number. `runaway uq` scales library values with it.
std::optional<double> chemistry_number(const kernels::Chemistry& chemistry, const std::string& key);

}  // namespace runaway::host
