// What `runaway cell` simulates, from what a lab has: a chemistry (built in, or from a TOML file
// with the packs' [chemistries] schema: a chemistry file or a whole pack) with `--set` overrides of
// its keys, and a cell (the chemistry's reference cell, or a cell type of the library or of the
// pack file) with size overrides. Every input goes through the packs' parser and checks, so a
// chemistry behaves in `runaway cell` exactly as in a pack (density overrides scale the reactant
// contents, bad keys name the file, line and key).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/chemistry/chemistry_library.hpp"
#include "kernels/chemistry.hpp"

namespace runaway::host {

struct CellTestRequest {
  std::string file;       // a chemistry file or a pack; empty: the built-ins only
  std::string chemistry;  // its name; empty: the cell type's
  std::string cell_type;  // empty: the chemistry's reference cell
  // "KEY=VALUE" overrides of the chemistry's keys (density=2580, reactions.sei.gas_yield=10).
  std::vector<std::string> chemistry_overrides;
  // The cell's size and charge; unset: the reference cell's or the cell type's.
  std::optional<double> jelly_roll_volume;  // m^3
  std::optional<double> surface_area;       // m^2
  std::optional<double> capacity_ah;        // A h
  std::optional<double> voltage;            // V
  std::optional<double> state_of_charge;    // [0, 1]
};

struct CellTestInput {
  kernels::Chemistry chemistry;
  ReferenceCell cell;
  std::string chemistry_origin;  // e.g. "built-in", "cells.toml", "pack.toml (base nrel-lco)"
  std::string base;              // the library chemistry it builds on; empty: a custom set
};

// Resolves a request; throws bad_input naming the file, line and key (or the CLI flag) of what
// is wrong or missing.
CellTestInput resolve_cell_test_input(const CellTestRequest& request);

}  // namespace runaway::host
