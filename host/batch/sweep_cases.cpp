// The cases of a sweep (plan_cases): every combination of its axes, named, edited into the base
// config and validated by the config's parser.
#include <fmt/core.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>

#include "common/error.hpp"
#include "common/text.hpp"
#include "host/batch/batch.hpp"
#include "host/batch/case_files.hpp"
#include "host/batch/config_edits.hpp"
#include "host/config/config.hpp"

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

// A piece of a case's directory name: letters, digits and . - + only.
std::string name_part(const std::string& s, std::size_t limit) {
  std::string out;
  for (const char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+') {
      out += c;
    } else if (c == ' ' || c == '[' || c == ']' || c == '{' || c == '}' || c == '"') {
      continue;
    } else if (out.empty() || out.back() != '_') {
      out += '_';
    }
  }
  if (out.size() > limit) out.resize(limit);
  return out.empty() ? "_" : out;
}

// Short axis names for directory names: the last key segment, or its last word when long.
std::vector<std::string> short_names(const std::vector<SweepAxis>& axes) {
  std::vector<std::string> names;
  for (const SweepAxis& a : axes) {
    std::string n = a.name;
    if (!a.is_variant) {
      const auto dot = n.rfind('.');
      n = n.substr(dot == std::string::npos ? 0 : dot + 1);
      n = n.substr(0, n.find('['));
      const auto underscore = n.rfind('_');
      if (n.size() > 12 && underscore != std::string::npos) n = n.substr(underscore + 1);
    }
    names.push_back(n);
  }
  std::vector<std::string> unique = names;
  for (std::size_t i = 0; i < names.size(); ++i) {  // clashing short names: the whole key
    for (std::size_t j = 0; j < names.size(); ++j) {
      if (i != j && names[i] == names[j]) unique[i] = axes[i].name;
    }
  }
  for (std::string& n : unique) n = name_part(n, 40);
  return unique;
}

}  // namespace

std::vector<SweepCase> plan_cases(const Sweep& sweep) {
  const std::string base_name = sweep.base.string();
  const toml::table base = load_config_table(base_name);  // its errors name the base file
  const std::string sweep_name = sweep.file.string();
  auto context = [&](const ConfigEdit& e) {
    return ErrorContext{sweep_name, e.line, edit_key(e), edit_value(e)};
  };

  // 1. The base with [fixed].
  if (auto e = config_error(base, sweep.fixed, base_name)) {
    const int blamed = blamed_edit(*e, sweep.fixed);
    if (blamed < 0) throw *e;
    const ConfigEdit& edit = sweep.fixed[std::size_t(blamed)];
    throw bad_input("[fixed]: " + config_message(*e, edit_key(edit)), context(edit));
  }

  // 2. Every value of every axis on its own: unknown keys, bad values.
  for (const SweepAxis& axis : sweep.axes) {
    for (const SweepPoint& p : axis.points) {
      std::vector<ConfigEdit> edits = sweep.fixed;
      edits.insert(edits.end(), p.edits.begin(), p.edits.end());
      const auto e = config_error(base, edits, base_name);
      if (!e) continue;
      const int blamed = blamed_edit(*e, edits);
      if (blamed >= 0 && std::size_t(blamed) >= sweep.fixed.size()) {
        const ConfigEdit& edit = edits[std::size_t(blamed)];
        throw bad_input(config_message(*e, edit_key(edit)), context(edit));
      }
      const std::string key = axis.is_variant ? "variants." + axis.name + "." + p.text : axis.name;
      throw bad_input("with this value the config is invalid: " + std::string(e->what()),
                      ErrorContext{sweep_name, p.line, key, axis.is_variant ? "" : p.text});
    }
  }

  // 3. Every case: the edited config, or why it is invalid.
  std::size_t count = sweep.mode == SweepMode::kZip ? sweep.axes.front().points.size() : 1;
  if (sweep.mode == SweepMode::kCartesian) {
    for (const SweepAxis& a : sweep.axes) count *= a.points.size();
  }
  const std::vector<std::string> short_name = short_names(sweep.axes);
  const std::size_t digits = std::max<std::size_t>(3, std::to_string(count - 1).size());
  std::vector<SweepCase> cases(count);
  for (std::size_t i = 0; i < count; ++i) {
    SweepCase& c = cases[i];
    c.index = int(i);
    c.point.resize(sweep.axes.size());
    std::size_t rest = i;
    for (std::size_t a = sweep.axes.size(); a-- > 0;) {  // the last axis varies fastest
      const std::size_t n = sweep.axes[a].points.size();
      c.point[a] = sweep.mode == SweepMode::kZip ? i : rest % n;
      rest /= n;
    }
    std::string name = fmt::format("case_{:0{}}", i, digits);
    std::vector<std::string> labels;
    c.edits = sweep.fixed;
    for (std::size_t a = 0; a < sweep.axes.size(); ++a) {
      const SweepPoint& p = sweep.axes[a].points[c.point[a]];
      c.edits.insert(c.edits.end(), p.edits.begin(), p.edits.end());
      name += "_" + short_name[a] + "=" + name_part(p.text, 24);
      labels.push_back(sweep.axes[a].name + " = " + p.text);
    }
    if (name.size() > 150) name.resize(150);
    c.directory = name;
    std::string text;
    const auto e = config_error(base, c.edits, base_name, &text);
    if (!e) {
      c.config_text = case_config_text(base_name, c.edits, text);
      continue;
    }
    const int blamed = blamed_edit(*e, c.edits);
    const std::string detail = blamed >= 0
                                   ? edit_key(c.edits[std::size_t(blamed)]) + ": " +
                                         config_message(*e, edit_key(c.edits[std::size_t(blamed)]))
                                   : std::string(e->what());
    if (sweep.skip_invalid) {
      c.invalid = "the config rejects this combination: " + detail;
      continue;
    }
    throw bad_input(
        "case " + std::to_string(i) + " (" + join(labels) + ") is not a valid config: " + detail +
            "; change the sweep, or set skip_invalid = true to record such cases "
            "as invalid and run the others",
        blamed >= 0 ? context(c.edits[std::size_t(blamed)]) : ErrorContext{sweep_name, 0, "", ""});
  }
  return cases;
}

std::string case_config_text(const std::string& base_name, const std::vector<ConfigEdit>& edits,
                             const std::string& text, const std::string& command) {
  std::string out = "# Written by runaway " + command + " (see case.toml): " + base_name +
                    "\n# with these edits. Change the " + (command == "batch" ? "sweep" : "study") +
                    ", not this file.\n";
  for (const ConfigEdit& edit : edits) {
    out += edit.unset ? "#   unset " : "#   --set ";
    out += edit.text + "\n";
  }
  return out + "\n" + text + "\n";
}

std::vector<std::string> run_arguments(const fs::path& case_dir) {
  return {"run", config_file(case_dir).string(), "-o", case_dir.string(), "--overwrite", "-q"};
}

}  // namespace runaway::host
