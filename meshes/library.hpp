// Built-in materials and cell types. Every entry names its source; UNVERIFIED marks numbers
// taken from secondary or open re-implementations, or representative values not yet checked
// against a primary source. A pack file may override any field or add its own entries
// (docs/config.md).
#pragma once

#include <string>
#include <vector>

#include "meshes/pack.hpp"

namespace runaway::meshes {

const std::vector<MaterialSpec>& library_materials();
const std::vector<CellType>& library_cells();

// nullptr when there is no entry of that name.
const MaterialSpec* find_library_material(const std::string& name);
const CellType* find_library_cell(const std::string& name);

}  // namespace runaway::meshes
