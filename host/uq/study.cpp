// Reading a study file (load_study) and planning its cases (plan_study): everything a user can
// get wrong is reported before any case directory exists, naming the study file, line and key.
#include "host/uq/study.hpp"

#include <fmt/core.h>

#include <toml++/toml.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/files.hpp"
#include "common/text.hpp"
#include "host/batch/case_files.hpp"
#include "host/batch/config_edits.hpp"
#include "host/chemistry/chemistry_library.hpp"
#include "host/config/chemistry_fields.hpp"
#include "host/config/config.hpp"
#include "host/config/toml_text.hpp"
#include "io/summary_table.hpp"

namespace runaway::host::uq {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxRuns = 100000;  // runs per pack; more is almost surely a typo

const std::map<std::string, Design> kDesigns{{"latin_hypercube", Design::kLatinHypercube},
                                             {"sobol", Design::kSobol},
                                             {"saltelli", Design::kSaltelli},
                                             {"random", Design::kRandom}};

const std::map<std::string, DistributionKind> kDistributions{
    {"normal", DistributionKind::kNormal},
    {"lognormal", DistributionKind::kLognormal},
    {"uniform", DistributionKind::kUniform},
    {"truncated_normal", DistributionKind::kTruncatedNormal},
    {"triangular", DistributionKind::kTriangular},
    {"empirical", DistributionKind::kEmpirical}};

template <class Map>
std::vector<std::string> names_of(const Map& map) {
  std::vector<std::string> names;
  names.reserve(map.size());
  for (const auto& entry : map) names.push_back(entry.first);
  return names;
}

// The parameters each distribution takes (besides `distribution`).
std::vector<std::string> parameters_of(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::kNormal:
      return {"mean", "std"};
    case DistributionKind::kLognormal:
      return {"mu", "sigma"};
    case DistributionKind::kUniform:
      return {"min", "max"};
    case DistributionKind::kTruncatedNormal:
      return {"mean", "std", "min", "max"};
    case DistributionKind::kTriangular:
      return {"min", "mode", "max"};
    case DistributionKind::kEmpirical:
      return {"file", "column", "where", "relative"};
  }
  return {};
}

// The nodes of a table in file order (toml++ keeps tables sorted by key).
std::vector<std::pair<std::string, const toml::node*>> in_file_order(const toml::table& t) {
  std::vector<std::pair<std::string, const toml::node*>> out;
  for (const auto& [k, v] : t) out.emplace_back(std::string(k.str()), &v);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return line_of(*a.second) < line_of(*b.second);
  });
  return out;
}

class StudyReader : public InputFileReader {
 public:
  using InputFileReader::InputFileReader;

  double number(const toml::table& t, const std::string& where, const std::string& name) const {
    const toml::node* n = t.get(name);
    if (n == nullptr) fail(line_of(t), where, "needs '" + name + "' (a number)");
    const std::optional<double> v = number_of(*n);
    if (!v || !std::isfinite(*v)) {
      fail(line_of(*n), where + "." + name, "expected a finite number", toml_text(*n));
    }
    return *v;
  }

  std::string text(const toml::table& t, const std::string& where, const std::string& name) const {
    const toml::node* n = t.get(name);
    if (n == nullptr || !n->is_string() || n->as_string()->get().empty()) {
      fail(n ? line_of(*n) : line_of(t), where + "." + name, "expected a text value");
    }
    return n->as_string()->get();
  }

  // [fixed]: each leaf an edit, nested tables joined with dots.
  void edits(const toml::table& t, const std::string& prefix, std::vector<ConfigEdit>& out) const {
    for (const auto& [name, node] : in_file_order(t)) {
      std::string key = prefix;
      key += prefix.empty() ? name : "." + name;
      if (const toml::table* sub = node->as_table(); sub != nullptr && !sub->empty()) {
        edits(*sub, key, out);
      } else {
        out.push_back({key + "=" + toml_text(*node), false, line_of(*node)});
      }
    }
  }

  Distribution distribution(const toml::table& t, const std::string& where) const {
    const std::string kind_name = text(t, where, "distribution");
    const auto kind = kDistributions.find(kind_name);
    if (kind == kDistributions.end()) {
      const std::string suggestion = closest_name(kind_name, names_of(kDistributions));
      fail(line_of(*t.get("distribution")), where + ".distribution",
           "unknown distribution" + (suggestion.empty()
                                         ? "; one of " + join(names_of(kDistributions))
                                         : "; did you mean '" + suggestion + "'?"),
           quoted(kind_name));
    }
    std::vector<std::string> allowed = {"distribution", "key", "keys", "scale", "source"};
    for (const std::string& p : parameters_of(kind->second)) allowed.push_back(p);
    check_keys(t, where, allowed);
    Distribution d;
    d.kind = kind->second;
    const auto positive = [&](const char* name) {
      const double v = number(t, where, name);
      if (!(v > 0)) fail(line_of(*t.get(name)), where + "." + name, "must be > 0", float_text(v));
      return v;
    };
    const auto ordered = [&](double low, double high, const char* name) {
      if (!(low < high)) {
        fail(line_of(*t.get(name)), where + "." + name, fmt::format("must be above min ({})", low),
             float_text(high));
      }
    };
    switch (d.kind) {
      case DistributionKind::kNormal:
        d.mean = number(t, where, "mean");
        d.std = positive("std");
        break;
      case DistributionKind::kLognormal:
        d.mean = number(t, where, "mu");
        d.std = positive("sigma");
        break;
      case DistributionKind::kUniform:
        d.min = number(t, where, "min");
        d.max = number(t, where, "max");
        ordered(d.min, d.max, "max");
        break;
      case DistributionKind::kTruncatedNormal:
        d.mean = number(t, where, "mean");
        d.std = positive("std");
        d.min = number(t, where, "min");
        d.max = number(t, where, "max");
        ordered(d.min, d.max, "max");
        break;
      case DistributionKind::kTriangular:
        d.min = number(t, where, "min");
        d.mode = number(t, where, "mode");
        d.max = number(t, where, "max");
        ordered(d.min, d.max, "max");
        if (d.mode < d.min || d.mode > d.max) {
          fail(line_of(*t.get("mode")), where + ".mode", "must lie between min and max",
               float_text(d.mode));
        }
        break;
      case DistributionKind::kEmpirical:
        d.values = empirical(t, where);
        break;
    }
    return d;
  }

  // The values of a CSV column, rows filtered by `where = { column = value }`; with relative =
  // true divided by their mean (a factor around 1).
  std::vector<double> empirical(const toml::table& t, const std::string& where) const {
    fs::path csv = text(t, where, "file");
    if (csv.is_relative()) csv = fs::absolute(file_).parent_path() / csv;
    csv = csv.lexically_normal();
    const int file_line = line_of(*t.get("file"));
    if (!fs::is_regular_file(csv)) {
      fail(file_line, where + ".file", "no such CSV file: " + csv.string());
    }
    std::ifstream in(csv);
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::vector<std::string> fields;
      std::stringstream s(line);
      for (std::string f; std::getline(s, f, ',');) fields.push_back(trim(f));
      if (!line.empty() && line.back() == ',') fields.emplace_back();
      rows.push_back(std::move(fields));
    }
    if (rows.size() < 2) fail(file_line, where + ".file", "the CSV file has no data rows");
    const std::vector<std::string>& header = rows.front();
    const auto column_of = [&](const std::string& name, int line, const std::string& key) {
      const auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end()) {
        const std::string suggestion = closest_name(name, header);
        fail(line, key,
             "no column '" + name + "' in " + csv.filename().string() +
                 (suggestion.empty() ? "; columns: " + join(header)
                                     : "; did you mean '" + suggestion + "'?"));
      }
      return std::size_t(it - header.begin());
    };
    const std::string column_name = text(t, where, "column");
    const std::size_t column = column_of(column_name, line_of(*t.get("column")), where + ".column");
    std::vector<std::pair<std::size_t, std::string>> filters;
    if (const toml::node* w = t.get("where")) {
      const toml::table* filter = w->as_table();
      if (filter == nullptr) {
        fail(line_of(*w), where + ".where",
             "expected a table of column = value, e.g. where = { soc_percent = 100 }");
      }
      for (const auto& [k, v] : *filter) {
        filters.emplace_back(column_of(std::string(k.str()), line_of(v), where + ".where"),
                             display_text(v));
      }
    }
    std::vector<double> values;
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const auto& row = rows[r];
      const bool kept = std::all_of(filters.begin(), filters.end(), [&](const auto& f) {
        if (f.first >= row.size()) return false;
        char* end = nullptr;
        const double a = std::strtod(row[f.first].c_str(), &end);
        const bool numeric = !row[f.first].empty() && *end == '\0';
        const double b = std::strtod(f.second.c_str(), &end);
        return numeric && *end == '\0' ? a == b : row[f.first] == f.second;
      });
      if (!kept || column >= row.size() || row[column].empty()) continue;
      char* end = nullptr;
      const double v = std::strtod(row[column].c_str(), &end);
      if (*end != '\0' || !std::isfinite(v)) {
        fail(line_of(*t.get("column")), where + ".column",
             fmt::format("{} line {}: not a number", csv.filename().string(), r + 1), row[column]);
      }
      values.push_back(v);
    }
    if (values.size() < 2) {
      fail(line_of(*t.get("column")), where + ".column",
           fmt::format("{} rows with a value ({} needs at least 2)", values.size(), column_name));
    }
    if (const toml::node* relative = t.get("relative")) {
      if (!relative->is_boolean())
        fail(line_of(*relative), where + ".relative", "expected true or false");
      if (relative->as_boolean()->get()) {
        double mean = 0;
        for (const double v : values) mean += v / double(values.size());
        for (double& v : values) v /= mean;
      }
    }
    std::sort(values.begin(), values.end());
    return values;
  }

  StudyInput input(const std::string& name, const toml::node& node) const {
    const std::string where = "inputs." + name;
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      fail(line_of(node), where,
           "expected a table: key = \"config.key\", distribution = \"normal\", mean, std, "
           "source");
    }
    StudyInput in;
    in.name = name;
    in.line = line_of(node);
    if (name.find_first_of("/,\" ") != std::string::npos) {
      fail(in.line, where, "an input's name must not contain '/', ',', quotes or spaces");
    }
    const toml::node* key = t->get("key");
    const toml::node* keys = t->get("keys");
    if ((key == nullptr) == (keys == nullptr)) {
      fail(in.line, where, "give the config key it sets: key = \"dotted.key\" or keys = [...]");
    }
    const auto add_key = [&](const toml::node& k) {
      if (!k.is_string() || k.as_string()->get().empty()) {
        fail(line_of(k), where + ".key", "expected a config key as text", toml_text(k));
      }
      in.keys.push_back(k.as_string()->get());
    };
    if (key != nullptr) add_key(*key);
    if (keys != nullptr) {
      if (!keys->is_array() || keys->as_array()->empty()) {
        fail(line_of(*keys), where + ".keys", "expected a list of config keys");
      }
      for (const toml::node& k : *keys->as_array()) add_key(k);
    }
    if (const toml::node* scale = t->get("scale")) {
      if (!scale->is_boolean()) fail(line_of(*scale), where + ".scale", "expected true or false");
      in.scale = scale->as_boolean()->get();
    }
    in.distribution = distribution(*t, where);
    const toml::node* source = t->get("source");
    if (source == nullptr || !source->is_string() || trim(source->as_string()->get()).empty()) {
      fail(in.line, where + ".source",
           "say where the distribution comes from (a reference), or that it is ASSUMED: "
           "source = \"ASSUMED ...\"");
    }
    in.source = source->as_string()->get();
    return in;
  }
};

}  // namespace

namespace {

// The columns a batch summary can have: those of a done case whose pack has a [verdict] (its
// rule's finding and the times that decide it, docs/batch.md), with no rows of interest.
io::Table summary_columns() {
  CaseResult c;
  c.status = "done";
  c.summary = RunSummary{};
  c.summary->verdicts = VerdictReport{};
  c.summary->verdicts->rules.emplace_back();
  c.summary->verdicts->rules.back().rule = "any";
  BatchSummary s;
  s.cases.push_back(c);
  return summary_table(s);
}

}  // namespace

const char* design_name(Design design) {
  for (const auto& [name, d] : kDesigns) {
    if (d == design) return name.c_str();
  }
  return "?";
}

std::vector<std::string> quantity_names() {
  std::vector<std::string> names = {"time_to_second_cell_s", "second_onset_s", "verdict_failed"};
  for (const io::Column& c : summary_columns().columns) {
    if (std::holds_alternative<std::vector<double>>(c.values) && c.name != "wall_time_s") {
      names.push_back(c.name);
    }
  }
  names.emplace_back("wall_time_s");
  return names;
}

Study load_study(const fs::path& file) {
  if (!fs::is_regular_file(file)) {
    throw bad_input("cannot open the study file", ErrorContext{file.string(), 0, "", ""});
  }
  Study study;
  study.file = file;
  study.text = read_text(file);
  const StudyReader r(file);
  toml::table t;
  try {
    t = toml::parse(study.text, file.string());
  } catch (const toml::parse_error& e) {
    r.fail(int(e.source().begin.line), "", "TOML syntax error: " + std::string(e.description()));
  }
  r.check_keys(t, "",
               {"description", "packs", "sampling", "samples", "seed", "quantities",
                "propagation_beyond", "bootstrap", "fixed", "inputs", "correlations"});
  study.description = t["description"].value_or(std::string());

  // Packs, in file order.
  const toml::table* packs = t["packs"].as_table();
  if (packs == nullptr || packs->empty()) {
    r.fail(t.get("packs") ? line_of(*t.get("packs")) : 0, "packs",
           "the study needs [packs]: name = \"pack.toml\" (relative to the study file), e.g. "
           "liquid = \"...liquid.toml\", semi_solid = \"...semisolid.toml\"");
  }
  for (const auto& [name, node] : in_file_order(*packs)) {
    StudyPack p;
    p.name = name;
    p.line = line_of(*node);
    if (name.find_first_not_of(
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
        std::string::npos) {
      r.fail(p.line, "packs." + name, "a pack's name may hold letters, digits, '_' and '-' only");
    }
    if (!node->is_string()) r.fail(p.line, "packs." + name, "expected the pack file's path");
    p.file = node->as_string()->get();
    if (p.file.is_relative()) p.file = fs::absolute(file).parent_path() / p.file;
    p.file = p.file.lexically_normal();
    if (!fs::is_regular_file(p.file)) {
      r.fail(p.line, "packs." + name, "no such config file: " + p.file.string(), toml_text(*node));
    }
    study.packs.push_back(p);
  }

  // The design.
  if (const toml::node* s = t.get("sampling")) {
    const std::string name = s->value_or(std::string());
    const auto d = kDesigns.find(name);
    if (d == kDesigns.end()) {
      const std::string suggestion = closest_name(name, names_of(kDesigns));
      r.fail(line_of(*s), "sampling",
             "expected one of " + join(names_of(kDesigns)) +
                 (suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?"),
             toml_text(*s));
    }
    study.design = d->second;
  }
  const auto integer = [&](const char* key, std::int64_t low, std::int64_t high) {
    const toml::node* n = t.get(key);
    if (n == nullptr) return std::optional<std::int64_t>();
    if (!n->is_integer() || n->as_integer()->get() < low || n->as_integer()->get() > high) {
      r.fail(line_of(*n), key, fmt::format("expected a whole number from {} to {}", low, high),
             toml_text(*n));
    }
    return std::optional<std::int64_t>(n->as_integer()->get());
  };
  const auto samples = integer("samples", 2, std::int64_t(kMaxRuns));
  if (!samples) {
    r.fail(0, "samples", "the study needs samples = N (the design's rows; Saltelli: N (d + 2))");
  }
  study.samples = std::size_t(*samples);
  study.seed = std::uint64_t(integer("seed", 0, std::int64_t(1) << 62).value_or(1));
  study.bootstrap = int(integer("bootstrap", 0, 100000).value_or(1000));

  // Quantities of interest.
  const std::vector<std::string> known = quantity_names();
  study.quantities = {"cells_in_runaway", "time_to_second_cell_s", "peak_temperature_K"};
  if (const toml::node* q = t.get("quantities")) {
    if (!q->is_array() || q->as_array()->empty()) {
      r.fail(line_of(*q), "quantities",
             "expected a list of summary columns, e.g. "
             "[\"cells_in_runaway\", \"peak_temperature_K\"]");
    }
    study.quantities.clear();
    for (const toml::node& n : *q->as_array()) {
      const std::string name = n.value_or(std::string());
      const bool verdict = name == "verdict_failed" || name.rfind("verdict_failed:", 0) == 0;
      if (!verdict && std::find(known.begin(), known.end(), name) == known.end()) {
        const std::string suggestion = closest_name(name, known);
        r.fail(line_of(n) ? line_of(n) : line_of(*q), "quantities",
               "not a numeric summary column" + (suggestion.empty()
                                                     ? "; one of " + join(known)
                                                     : "; did you mean '" + suggestion + "'?"),
               toml_text(n));
      }
      study.quantities.push_back(name);
    }
  }
  if (const toml::node* b = t.get("propagation_beyond")) {
    study.beyond.clear();
    const auto add = [&](const toml::node& n) {
      if (!n.is_integer() || n.as_integer()->get() < 0) {
        r.fail(line_of(*b), "propagation_beyond",
               "expected whole numbers of cells k >= 0 (P(cells in runaway > k))", toml_text(n));
      }
      study.beyond.push_back(int(n.as_integer()->get()));
    };
    if (const toml::array* list = b->as_array()) {
      for (const toml::node& n : *list) add(n);
    } else {
      add(*b);
    }
    if (study.beyond.empty()) r.fail(line_of(*b), "propagation_beyond", "empty list");
  }

  if (const toml::node* fixed = t.get("fixed")) {
    if (!fixed->is_table()) r.fail(line_of(*fixed), "fixed", "expected a table of config keys");
    r.edits(*fixed->as_table(), "", study.fixed);
  }

  // Inputs, in file order; their names become summary columns.
  const toml::table* inputs = t["inputs"].as_table();
  if (inputs == nullptr || inputs->empty()) {
    r.fail(t.get("inputs") ? line_of(*t.get("inputs")) : 0, "inputs",
           "the study needs [inputs.NAME] tables: key, distribution and its parameters, source");
  }
  std::set<std::string> taken;
  for (const io::Column& c : summary_columns().columns) taken.insert(c.name);
  taken.insert("pack");
  taken.insert("sample");
  for (const auto& [name, node] : in_file_order(*inputs)) {
    StudyInput in = r.input(name, *node);
    if (!taken.insert(in.name).second) {
      r.fail(in.line, "inputs." + name, "the name is a summary column or used twice; rename it");
    }
    for (const ConfigEdit& f : study.fixed) {
      for (const std::string& k : in.keys) {
        if (key_within(edit_key(f), k) || key_within(k, edit_key(f))) {
          r.fail(f.line, edit_key(f), "is both in [fixed] and an input (" + name + ")");
        }
      }
    }
    study.inputs.push_back(std::move(in));
  }

  // Correlations: [["a", "b", 0.5], ...], rank correlations of the pairs named.
  if (const toml::node* c = t.get("correlations")) {
    const std::size_t d = study.inputs.size();
    study.correlation.assign(d * d, 0.0);
    for (std::size_t i = 0; i < d; ++i) study.correlation[i * d + i] = 1.0;
    const toml::array* pairs = c->as_array();
    if (pairs == nullptr) {
      r.fail(line_of(*c), "correlations",
             "expected a list of [\"input a\", \"input b\", rank correlation]");
    }
    const auto index_of = [&](const toml::node& n, int line) {
      const std::string name = n.value_or(std::string());
      for (std::size_t i = 0; i < d; ++i) {
        if (study.inputs[i].name == name) return i;
      }
      std::vector<std::string> names;
      for (const StudyInput& in : study.inputs) names.push_back(in.name);
      r.fail(line, "correlations", "no input named '" + name + "'; inputs: " + join(names));
    };
    for (const toml::node& p : *pairs) {
      const int line = line_of(p) ? line_of(p) : line_of(*c);
      const toml::array* a = p.as_array();
      if (a == nullptr || a->size() != 3 || !number_of(*a->get(2))) {
        r.fail(line, "correlations", "expected [\"input a\", \"input b\", rank correlation]",
               toml_text(p));
      }
      const std::size_t i = index_of(*a->get(0), line);
      const std::size_t j = index_of(*a->get(1), line);
      const double rho = *number_of(*a->get(2));
      if (i == j || !(std::fabs(rho) < 1)) {
        r.fail(line, "correlations", "two different inputs and a correlation between -1 and 1",
               toml_text(p));
      }
      study.correlation[i * d + j] = study.correlation[j * d + i] = rho;
    }
    const Eigen::Map<const Eigen::MatrixXd> m(study.correlation.data(), Eigen::Index(d),
                                              Eigen::Index(d));
    if (Eigen::LLT<Eigen::MatrixXd>(m).info() != Eigen::Success) {
      r.fail(line_of(*c), "correlations",
             "the correlations are inconsistent (the matrix is not positive definite)");
    }
    if (study.design == Design::kSaltelli) {
      r.fail(line_of(*c), "correlations",
             "Sobol' indices (sampling = \"saltelli\") need independent inputs; remove the "
             "correlations or choose latin_hypercube");
    }
  }
  const std::size_t runs =
      study.samples * (study.design == Design::kSaltelli ? study.inputs.size() + 2 : 1);
  if (runs > kMaxRuns) {
    r.fail(line_of(*t.get("samples")), "samples",
           fmt::format("{} runs per pack is more than {}", runs, kMaxRuns));
  }
  return study;
}

namespace {

// A config key of an input in one pack, with the pack's own value of it (NaN when it has none).
struct Target {
  std::string key;
  double nominal = NAN;
};

struct PreparedPack {
  toml::table base;
  std::string base_name;
  std::vector<std::vector<Target>> targets;  // per input
};

// The value at `path` in `t` (dotted, name[i] indexes), when it is a number.
std::optional<double> table_number(const toml::table& t, const std::string& path) {
  const toml::node_view<const toml::node> n = toml::at_path(t, path);
  return n ? number_of(*n.node()) : std::nullopt;
}

PreparedPack prepare_pack(const Study& study, std::size_t p) {
  const StudyPack& pack = study.packs[p];
  PreparedPack out;
  out.base_name = pack.file.string();
  out.base = load_config_table(out.base_name);
  const std::string study_name = study.file.string();
  if (auto e = config_error(out.base, study.fixed, out.base_name)) {
    const int blamed = blamed_edit(*e, study.fixed);
    if (blamed < 0) throw *e;
    const ConfigEdit& edit = study.fixed[std::size_t(blamed)];
    throw bad_input("[fixed] in pack " + pack.name + ": " + config_message(*e, edit_key(edit)),
                    ErrorContext{study_name, edit.line, edit_key(edit), edit_value(edit)});
  }
  toml::table fixed = out.base;
  for (const ConfigEdit& e : study.fixed) apply_edit(fixed, e);
  const PackConfig config = parse_pack_config(fixed, out.base_name);
  for (const StudyInput& in : study.inputs) {
    std::vector<Target> targets;
    const auto fail = [&](const std::string& key, const std::string& message) {
      throw bad_input(message, ErrorContext{study_name, in.line, key, ""});
    };
    for (const std::string& key : in.keys) {
      const std::string any_chemistry = "chemistries.*.";
      if (key.rfind(any_chemistry, 0) == 0) {
        const std::string rest = key.substr(any_chemistry.size());
        if (config.chemistries.empty()) fail(key, "pack " + pack.name + " has no chemistries");
        for (const PackChemistry& c : config.chemistries) {
          const std::string any_reaction = "reactions.*.";
          if (rest.rfind(any_reaction, 0) == 0) {
            const std::string field = rest.substr(any_reaction.size());
            if (c.chemistry.reaction_count == 0) {
              fail(key, "chemistry " + c.name + " of pack " + pack.name + " has no reactions");
            }
            for (int i = 0; i < c.chemistry.reaction_count; ++i) {
              const std::string sub =
                  "reactions." + std::string(c.chemistry.reactions[i].name) + "." + field;
              targets.push_back({"chemistries." + c.name + "." + sub,
                                 chemistry_number(c.chemistry, sub).value_or(NAN)});
            }
          } else {
            targets.push_back({"chemistries." + c.name + "." + rest,
                               chemistry_number(c.chemistry, rest).value_or(NAN)});
          }
        }
        continue;
      }
      Target target{key, table_number(fixed, key).value_or(NAN)};
      for (const PackChemistry& c : config.chemistries) {
        const std::string prefix = "chemistries." + c.name + ".";
        if (std::isnan(target.nominal) && key.rfind(prefix, 0) == 0) {
          target.nominal = chemistry_number(c.chemistry, key.substr(prefix.size())).value_or(NAN);
        }
      }
      targets.push_back(target);
    }
    if (in.scale) {
      for (const Target& target : targets) {
        if (std::isnan(target.nominal)) {
          fail(target.key, "scale = true multiplies the pack's value of the key, and pack " +
                               pack.name + " has no number there");
        }
      }
    }
    out.targets.push_back(std::move(targets));
  }
  return out;
}

std::vector<ConfigEdit> input_edits(const Study& study, const PreparedPack& pack,
                                    const std::vector<double>& values) {
  std::vector<ConfigEdit> edits = study.fixed;
  for (std::size_t i = 0; i < study.inputs.size(); ++i) {
    for (const Target& target : pack.targets[i]) {
      const double v = study.inputs[i].scale ? target.nominal * values[i] : values[i];
      edits.push_back({target.key + "=" + float_text(v), false, study.inputs[i].line});
    }
  }
  return edits;
}

// Why the config rejects these values, naming the input; nothing when it takes them.
std::optional<Error> rejected(const Study& study, const PreparedPack& pack,
                              const std::vector<double>& values, std::string* text) {
  const std::vector<ConfigEdit> edits = input_edits(study, pack, values);
  std::optional<Error> e = config_error(pack.base, edits, pack.base_name, text);
  if (!e) return std::nullopt;
  const int blamed = blamed_edit(*e, edits);
  if (blamed < 0) return e;
  const ConfigEdit& edit = edits[std::size_t(blamed)];
  std::string input;
  for (const StudyInput& in : study.inputs) {
    if (in.line == edit.line && std::size_t(blamed) >= study.fixed.size()) input = in.name;
  }
  return bad_input(
      (input.empty() ? "" : "input " + input + ": ") + config_message(*e, edit_key(edit)),
      ErrorContext{study.file.string(), edit.line, edit_key(edit), edit_value(edit)});
}

std::string case_file_text(const Study& study, const SweepCase& c, std::size_t pack,
                           std::size_t row, const std::vector<double>& values) {
  std::string out =
      "# One case of a `runaway uq` study (docs/uq.md). The .toml named like this folder is the\n"
      "# pack with these edits; `runaway run` runs it into this folder. --collect reads this "
      "file.\n";
  out += fmt::format("case = {}\n", c.index);
  out += "study = " + quoted(fs::absolute(study.file).lexically_normal().string()) + "\n";
  out += "base = " + quoted(study.packs[pack].file.string()) + "\n";
  std::vector<std::string> names = {quoted("pack"), quoted("sample")};
  std::vector<std::string> shown = {quoted(study.packs[pack].name), std::to_string(row)};
  for (std::size_t i = 0; i < study.inputs.size(); ++i) {
    names.push_back(quoted(study.inputs[i].name));
    shown.push_back(float_text(values[i]));
  }
  std::vector<std::string> set;
  for (const ConfigEdit& e : c.edits) set.push_back(quoted(e.text));
  out += "parameters = [" + join(names) + "]\n";
  out += "values = [" + join(shown) + "]\n";
  out += "set = [" + join(set) + "]\n";
  return out;
}

}  // namespace

StudyPlan plan_study(const Study& study) {
  StudyPlan plan;
  const std::size_t d = study.inputs.size();
  switch (study.design) {
    case Design::kLatinHypercube:
      plan.unit = latin_hypercube(study.samples, d, study.seed);
      break;
    case Design::kRandom:
      plan.unit = random_points(study.samples, d, study.seed);
      break;
    case Design::kSobol:
      plan.unit = sobol_points(study.samples, d, study.seed);
      break;
    case Design::kSaltelli:
      plan.unit = saltelli_design(study.samples, d, study.seed);
      break;
  }
  if (!study.correlation.empty()) {
    induce_correlation(plan.unit, study.correlation,
                       study.design == Design::kLatinHypercube || study.design == Design::kRandom);
  }
  for (std::size_t r = 0; r < plan.unit.size(); ++r) {
    std::vector<double> v(d);
    for (std::size_t i = 0; i < d; ++i)
      v[i] = study.inputs[i].distribution.quantile(plan.unit[r][i]);
    plan.values.push_back(std::move(v));
    // Saltelli: A_j and B_j are the independent samples, AB_ij mix them.
    plan.independent.push_back(study.design != Design::kSaltelli || r % (d + 2) == 0 ||
                               r % (d + 2) == d + 1);
  }

  plan.cases.command = "uq";
  plan.cases.input_file = study.file;
  plan.cases.input_copy = "study.toml";
  plan.cases.input_text = study.text;
  const std::size_t rows = plan.values.size();
  const std::size_t total = rows * study.packs.size();
  const std::size_t digits = std::max<std::size_t>(4, std::to_string(total - 1).size());
  for (std::size_t p = 0; p < study.packs.size(); ++p) {
    const PreparedPack pack = prepare_pack(study, p);
    // Each input alone at its median, then every case.
    std::vector<double> medians(d);
    for (std::size_t i = 0; i < d; ++i) medians[i] = study.inputs[i].distribution.quantile(0.5);
    if (auto e = rejected(study, pack, medians, nullptr)) throw *e;
    for (std::size_t r = 0; r < rows; ++r) {
      SweepCase c;
      c.index = int(p * rows + r);
      c.directory = fmt::format("case_{:0{}}_{}", c.index, digits, study.packs[p].name);
      c.edits = input_edits(study, pack, plan.values[r]);
      std::string text;
      if (auto e = rejected(study, pack, plan.values[r], &text)) {
        throw bad_input(fmt::format("sample {} of pack {} is not a valid config: {}; narrow or "
                                    "truncate the input's distribution",
                                    r, study.packs[p].name, e->message()),
                        e->context());
      }
      c.config_text = case_config_text(pack.base_name, c.edits, text, "uq");
      plan.cases.case_files.push_back(case_file_text(study, c, p, r, plan.values[r]));
      plan.cases.cases.push_back(std::move(c));
    }
  }
  return plan;
}

std::string study_case_config(const Study& study, std::size_t pack,
                              const std::vector<double>& values) {
  const PreparedPack prepared = prepare_pack(study, pack);
  std::string text;
  if (auto e = rejected(study, prepared, values, &text)) throw *e;
  return case_config_text(prepared.base_name, input_edits(study, prepared, values), text, "uq");
}

}  // namespace runaway::host::uq
