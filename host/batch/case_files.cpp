#include "host/batch/case_files.hpp"

#include <fmt/core.h>

#include <toml++/toml.h>
#include <cstdint>

#include "common/error.hpp"
#include "common/text.hpp"
#include "host/config/toml_text.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

fs::path config_file(const fs::path& case_dir) {
  return case_dir / (case_dir.filename().string() + ".toml");
}

std::string case_toml(const Sweep& sweep, const SweepCase& c) {
  std::string out =
      "# One case of a `runaway batch` sweep (docs/batch.md). The .toml named like this folder is\n"
      "# the base config with these edits; `runaway run` runs it into this folder. --collect\n"
      "# reads this file.\n";
  out += fmt::format("case = {}\n", c.index);
  out += "sweep = " + quoted(fs::absolute(sweep.file).lexically_normal().string()) + "\n";
  out += "base = " + quoted(sweep.base.string()) + "\n";
  std::vector<std::string> names, values, set, unset;
  for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
    const SweepPoint& p = sweep.axes[a].points[c.point[a]];
    names.push_back(quoted(sweep.axes[a].name));
    values.push_back(p.number ? float_text(*p.number) : quoted(p.text));
  }
  for (const ConfigEdit& e : c.edits) (e.unset ? unset : set).push_back(quoted(e.text));
  out += "parameters = [" + join(names) + "]\n";
  out += "values = [" + join(values) + "]\n";
  out += "set = [" + join(set) + "]\n";
  if (!unset.empty()) out += "unset = [" + join(unset) + "]\n";
  if (!c.invalid.empty()) out += "invalid = " + quoted(c.invalid) + "\n";
  return out;
}

CaseRecord read_case_toml(const fs::path& file) {
  toml::table t;
  try {
    t = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw bad_input("not a case file of runaway batch: " + std::string(e.description()),
                    ErrorContext{file.string(), int(e.source().begin.line), "", ""});
  }
  auto fail = [&](const std::string& key, const std::string& message) {
    throw bad_input(message + " (a case.toml written by runaway batch has it)",
                    ErrorContext{file.string(), 0, key, ""});
  };
  CaseRecord r;
  const auto index = t["case"].value<std::int64_t>();
  if (!index || *index < 0) fail("case", "missing or not a case number");
  r.index = int(*index);
  const toml::array* names = t["parameters"].as_array();
  const toml::array* values = t["values"].as_array();
  if (names == nullptr || values == nullptr || names->size() != values->size()) {
    fail("parameters", "missing, or not as many as `values`");
  }
  for (std::size_t i = 0; i < names->size(); ++i) {
    const auto name = names->get(i)->value<std::string>();
    if (!name) fail("parameters", "expected parameter names");
    r.parameters.push_back(*name);
    r.text.push_back(display_text(*values->get(i)));
    r.number.push_back(number_of(*values->get(i)));
  }
  r.invalid = t["invalid"].value_or(std::string());
  return r;
}

}  // namespace runaway::host
