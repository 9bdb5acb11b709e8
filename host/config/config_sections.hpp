// The sections of a pack config, each read by its own parser (config_sections.cpp) for
// parse_pack_config: materials, chemistries, cell types, modules, boundaries and triggers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host/config/config.hpp"
#include "host/config/config_reader.hpp"
#include "meshes/library.hpp"

namespace runaway::host::config_detail {

std::vector<std::string> names_of_materials(const meshes::PackDescription& pack);
// [materials.NAME]: library materials, overridden or new.
void parse_materials(Reader& r, const toml::table* section, meshes::PackDescription& pack);

std::vector<std::string> library_chemistry_list();
// The built-in chemistry of that name, or nullptr.
const kernels::Chemistry* find_library_chemistry(const std::string& name);
// [chemistries.NAME]: a library chemistry with overrides, or a custom reaction set.
PackChemistry parse_chemistry(Reader& r, const Scope& s, const std::string& name);

// [cell_types.NAME]: the library cells, overridden or new, into `types`.
void parse_cell_types(Reader& r, const toml::table* section,
                      std::map<std::string, meshes::CellType>& types);

// One [module] (or [[module]] element).
meshes::ModuleLayout parse_module(Reader& r, const Scope& s, const std::string& default_name,
                                  const std::map<std::string, meshes::CellType>& types);

// [[solids]]: generic solid boxes (lids, covers, channel walls), named, with known materials and
// min < max on every axis; their placement is checked with the modules' layout.
void parse_solids(Reader& r, const toml::node* node, meshes::PackDescription& pack,
                  const std::vector<std::string>& material_names);

// One boundary condition ([boundary.default], [boundary.x_minus], ...).
kernels::BoundaryCondition parse_boundary(Reader& r, const Scope& s);
// The faces of [boundary], in the order of kernels' faces.
inline const char* const kFaceKeys[] = {"x_minus", "x_plus",  "y_minus",
                                        "y_plus",  "z_minus", "z_plus"};

// [[trigger]]: heaters, nails and the oven.
void parse_triggers(Reader& r, const toml::node* node, PackConfig& config, int cell_count);

// [[probe]]: monitoring points (after the modules and triggers: they name cells).
void parse_probes(Reader& r, const toml::node* node, PackConfig& config);
// [verdict]: the rule sets and their parameters (after the probes and triggers).
void parse_verdict(Reader& r, const toml::table* section, PackConfig& config);

}  // namespace runaway::host::config_detail
