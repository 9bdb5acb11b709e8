#include "host/batch/config_edits.hpp"

#include <cstddef>
#include <sstream>

#include "common/text.hpp"
#include "host/config/config.hpp"

namespace runaway::host {

namespace {

struct KeySegment {
  std::string name;
  std::optional<std::size_t> index;
};

// Removes `path` from `t`; through an array of tables without an index, from every element.
bool remove_path(toml::table& t, const std::vector<KeySegment>& path, std::size_t i) {
  const KeySegment& seg = path[i];
  const bool last = i + 1 == path.size();
  toml::node* child = t.get(seg.name);
  if (child == nullptr) return false;
  if (seg.index) {
    toml::array* a = child->as_array();
    if (a == nullptr || *seg.index >= a->size()) return false;
    if (last) {
      a->erase(a->cbegin() + std::ptrdiff_t(*seg.index));
      return true;
    }
    toml::table* element = a->get(*seg.index)->as_table();
    return element != nullptr && remove_path(*element, path, i + 1);
  }
  if (last) {
    t.erase(seg.name);
    return true;
  }
  if (toml::table* sub = child->as_table()) return remove_path(*sub, path, i + 1);
  bool removed = false;
  if (child->is_array_of_tables()) {
    for (toml::node& element : *child->as_array()) {
      removed = remove_path(*element.as_table(), path, i + 1) || removed;
    }
  }
  return removed;
}

void unset_key(toml::table& root, const ConfigEdit& edit) {
  const ErrorContext context{edit_origin(edit), 0, edit.text, ""};
  std::vector<KeySegment> path;
  std::stringstream parts(edit.text);
  std::string part;
  while (std::getline(parts, part, '.')) {
    KeySegment seg;
    const auto bracket = part.find('[');
    seg.name = part.substr(0, bracket);
    if (bracket != std::string::npos) {
      const std::string digits = part.substr(bracket + 1, part.size() - bracket - 2);
      if (part.back() != ']' || digits.empty() ||
          digits.find_first_not_of("0123456789") != std::string::npos) {
        throw bad_input("bad index in '" + part + "'; write name[0]", context);
      }
      seg.index = std::size_t(std::stoul(digits));
    }
    if (seg.name.empty()) throw bad_input("empty key segment", context);
    path.push_back(seg);
  }
  if (path.empty() || !remove_path(root, path, 0)) {
    throw bad_input("the config does not set this key, so there is nothing to unset", context);
  }
}

}  // namespace

std::string edit_key(const ConfigEdit& e) {
  return e.unset ? e.text : trim(e.text.substr(0, e.text.find('=')));
}
std::string edit_value(const ConfigEdit& e) {
  const auto equals = e.text.find('=');
  return e.unset || equals == std::string::npos ? "" : trim(e.text.substr(equals + 1));
}
std::string edit_origin(const ConfigEdit& e) {
  return (e.unset ? "unset " : "--set ") + e.text;
}

bool key_within(const std::string& a, const std::string& b) {
  if (a.size() < b.size() || a.compare(0, b.size(), b) != 0) return false;
  return a.size() == b.size() || a[b.size()] == '.' || a[b.size()] == '[';
}

void apply_edit(toml::table& table, const ConfigEdit& edit) {
  if (edit.unset) {
    unset_key(table, edit);
  } else {
    apply_override(table, edit.text);
  }
}

std::optional<Error> config_error(const toml::table& base, const std::vector<ConfigEdit>& edits,
                                  const std::string& base_name, std::string* text) {
  try {
    toml::table table = base;
    for (const ConfigEdit& e : edits) apply_edit(table, e);
    parse_pack_config(table, base_name);
    if (text != nullptr) {
      std::ostringstream s;
      s << table;
      *text = s.str();
    }
  } catch (const Error& e) {
    return e;
  }
  return std::nullopt;
}

int blamed_edit(const Error& e, const std::vector<ConfigEdit>& edits) {
  for (std::size_t i = 0; i < edits.size(); ++i) {
    if (e.context().file == edit_origin(edits[i])) return int(i);
  }
  const std::string& key = e.context().key;
  if (key.empty()) return -1;
  for (std::size_t i = edits.size(); i-- > 0;) {
    const std::string k = edit_key(edits[i]);
    if (key_within(key, k) || key_within(k, key)) return int(i);
  }
  return -1;
}

std::string config_message(const Error& e, const std::string& edited_key) {
  const std::string& key = e.context().key;
  if (key.empty() || key == edited_key) return e.message();
  return key + ": " + e.message();
}

}  // namespace runaway::host
