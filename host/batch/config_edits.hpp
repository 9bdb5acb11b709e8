// The edits a sweep makes to its base config (ConfigEdit: --set or unset) and what the config
// says about them: applying them, and finding the edit a config error is about.
#pragma once

#include <toml++/toml.h>

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "host/batch/batch.hpp"

namespace runaway::host {

// The dotted key an edit sets or removes, and the value it sets ("" for unset).
std::string edit_key(const ConfigEdit& e);
std::string edit_value(const ConfigEdit& e);
// Where the config's messages say an edit came from.
std::string edit_origin(const ConfigEdit& e);

// `a` is `b` or a key inside it (module.barrier inside module; module[1].gap inside module).
bool key_within(const std::string& a, const std::string& b);

// Applies one edit: apply_override, or the removal of the key (bad input when it is not set).
void apply_edit(toml::table& table, const ConfigEdit& edit);

// Applies `edits` to a copy of `base` and parses it: the config's error, if any, and otherwise
// the edited config as TOML text in `text`.
std::optional<Error> config_error(const toml::table& base, const std::vector<ConfigEdit>& edits,
                                  const std::string& base_name, std::string* text = nullptr);

// The edit an error of the config is about: the one whose --set (or unset) it names, else the
// last one whose key contains, or is contained in, the error's key. -1 when none.
int blamed_edit(const Error& e, const std::vector<ConfigEdit>& edits);

// What the config said, with its own key when it is not the edited one.
std::string config_message(const Error& e, const std::string& edited_key);

}  // namespace runaway::host
