// `runaway uq`: the study's cases through the batch engine, then the answers (docs/uq.md).
#include "host/uq/uq.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "common/error.hpp"
#include "common/files.hpp"
#include "common/text.hpp"
#include "host/batch/case_files.hpp"
#include "host/batch/process_pool.hpp"
#include "host/config/toml_text.hpp"
#include "host/report/svg_chart.hpp"
#include "io/files.hpp"

namespace runaway::host::uq {

namespace fs = std::filesystem;

namespace {

// A number for the report: 3 significant digits, "> end" for a censored value, "—" for none.
std::string shown(double v) {
  if (std::isnan(v)) return "—";
  if (std::isinf(v)) return v > 0 ? "> end" : "< start";
  return fmt::format("{:.3g}", v);
}
std::string interval_text(const Interval& i) {
  return fmt::format("[{}, {}]", shown(i.low), shown(i.high));
}
std::string percent(double v) {
  return std::isnan(v) ? "—" : fmt::format("{:.1f} %", 100 * v);
}
std::string percent_interval(const Interval& i) {
  return fmt::format("[{}, {}]", percent(i.low), percent(i.high));
}
std::string csv_number(double v) {
  return std::isnan(v) ? "" : fmt::format("{}", v);
}

// The onset time of the second cell to run away; +inf when fewer than two did.
double second_onset(const RunSummary& s) {
  std::vector<double> onsets;
  for (const CellOutcome& c : s.cells) {
    if (!std::isnan(c.onset_time)) onsets.push_back(c.onset_time);
  }
  if (onsets.size() < 2) return INFINITY;
  std::sort(onsets.begin(), onsets.end());
  return onsets[1];
}

// verdict_failed: 1 when a [verdict] rule of the run failed, 0 when every rule passed, NaN when
// one is open or not judged (the run too short to decide) or the pack has no [verdict];
// verdict_failed:RULE the same for one rule (docs/verdicts.md).
double verdict_failed(const RunSummary& s, const std::string& name) {
  if (!s.verdicts) return NAN;
  const std::string rule =
      name.size() > std::strlen(kVerdictFailed) ? name.substr(std::strlen(kVerdictFailed) + 1) : "";
  bool failed = false, judged = false;
  for (const RuleVerdict& r : s.verdicts->rules) {
    if (!rule.empty() && r.rule != rule) continue;
    judged = true;
    if (r.overall == Finding::kFail) failed = true;
    if (r.overall == Finding::kOpen || r.overall == Finding::kNotJudged) return NAN;
  }
  if (!judged) return NAN;
  return failed ? 1.0 : 0.0;
}

// The rows of a pack that are independent samples and done, in design order.
std::vector<std::size_t> done_rows(const StudyPlan& plan, const StudyOutcomes& out, std::size_t p) {
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < plan.values.size(); ++r) {
    if (plan.independent[r] && out.status[p][r] == "done") rows.push_back(r);
  }
  return rows;
}

struct PairCounts {
  int both = 0, only_a = 0, only_b = 0, neither = 0;
};

// Paired counts of "more than k cells" between packs a and b over the first `limit` rows done in
// both.
PairCounts pair_counts(const StudyPlan& plan, const StudyOutcomes& out, std::size_t a,
                       std::size_t b, int k, std::size_t limit = SIZE_MAX) {
  PairCounts c;
  std::size_t used = 0;
  for (std::size_t r = 0; r < plan.values.size() && used < limit; ++r) {
    if (!plan.independent[r] || out.status[a][r] != "done" || out.status[b][r] != "done") continue;
    ++used;
    const bool x = out.cells_in_runaway[a][r] > k;
    const bool y = out.cells_in_runaway[b][r] > k;
    if (x && y) ++c.both;
    if (x && !y) ++c.only_a;
    if (!x && y) ++c.only_b;
    if (!x && !y) ++c.neither;
  }
  return c;
}

struct Moments {
  std::size_t n = 0;
  double mean = NAN, std = NAN;
};
Moments moments(const std::vector<double>& v) {
  Moments m;
  m.n = v.size();
  if (v.empty()) return m;
  double sum = 0;
  for (const double x : v) sum += x;
  m.mean = sum / double(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (const double x : v) ss += (x - m.mean) * (x - m.mean);
    m.std = std::sqrt(ss / double(v.size() - 1));
  }
  return m;
}

std::string salib_distribution(const StudyInput& in) {
  const Distribution& d = in.distribution;
  switch (d.kind) {  // SALib's names and bounds: unif [a, b], norm [mean, sd], lognorm [mu, sigma],
                     // truncnorm [a, b, mean, sd], triang [a, b, mode as a fraction of b - a]
    case DistributionKind::kUniform:
      return fmt::format("unif,{},{},,", d.min, d.max);
    case DistributionKind::kNormal:
      return fmt::format("norm,{},{},,", d.mean, d.std);
    case DistributionKind::kLognormal:
      return fmt::format("lognorm,{},{},,", d.mean, d.std);
    case DistributionKind::kTruncatedNormal:
      return fmt::format("truncnorm,{},{},{},{}", d.min, d.max, d.mean, d.std);
    case DistributionKind::kTriangular:
      return fmt::format("triang,{},{},{},", d.min, d.max, (d.mode - d.min) / (d.max - d.min));
    case DistributionKind::kEmpirical:
      return fmt::format("empirical,{},{},,", d.values.front(), d.values.back());
  }
  return ",,,,";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Charts one above the other in one SVG (each a nested <svg> at its offset).
std::string stacked_charts(const std::vector<ChartSpec>& charts) {
  int height = 0, width = 0;
  std::string inner;
  for (const ChartSpec& c : charts) {
    std::string svg = svg_chart(c);
    svg.replace(0, 4, fmt::format("<svg y=\"{}\"", height));
    inner += svg;
    height += c.height;
    width = std::max(width, c.width);
  }
  return fmt::format(
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
             "viewBox=\"0 0 {0} {1}\">\n",
             width, height) +
         inner + "</svg>\n";
}

void write_salib(const Study& study, const StudyPlan& plan, const StudyOutcomes& out,
                 const fs::path& dir) {
  fs::create_directories(dir);
  std::string problem = "name,dist,bound_0,bound_1,bound_2,bound_3,keys,scale,source\n";
  for (const StudyInput& in : study.inputs) {
    problem += in.name + "," + salib_distribution(in) + "," + csv_field(join(in.keys, " ")) + "," +
               (in.scale ? "true" : "false") + "," + csv_field(in.source) + "\n";
  }
  io::write_file_atomically(dir / "problem.csv", problem);
  std::string header;
  for (const StudyInput& in : study.inputs) header += (header.empty() ? "" : ",") + in.name;
  std::string samples = header + "\n", unit = header + "\n";
  for (std::size_t r = 0; r < plan.values.size(); ++r) {
    for (std::size_t i = 0; i < study.inputs.size(); ++i) {
      samples += (i ? "," : "") + fmt::format("{}", plan.values[r][i]);
      unit += (i ? "," : "") + fmt::format("{}", plan.unit[r][i]);
    }
    samples += "\n";
    unit += "\n";
  }
  io::write_file_atomically(dir / "samples.csv", samples);
  io::write_file_atomically(dir / "unit_samples.csv", unit);
  for (std::size_t p = 0; p < study.packs.size(); ++p) {
    std::string text = join(out.quantities, ",") + "\n";
    for (std::size_t r = 0; r < plan.values.size(); ++r) {
      for (std::size_t q = 0; q < out.quantities.size(); ++q) {
        const double v = out.values[p][r][q];
        text += (q ? "," : "") + (std::isnan(v)   ? std::string("nan")
                                  : std::isinf(v) ? std::string("inf")
                                                  : fmt::format("{}", v));
      }
      text += "\n";
    }
    io::write_file_atomically(dir / ("outputs_" + study.packs[p].name + ".csv"), text);
  }
}

}  // namespace

std::vector<double> case_quantities(const std::vector<std::string>& names,
                                    const BatchSummary& summary, const io::Table& table,
                                    std::size_t row) {
  std::vector<double> values(names.size(), NAN);
  const std::optional<RunSummary>& s = summary.cases.at(row).summary;
  if (!s) return values;
  for (std::size_t q = 0; q < names.size(); ++q) {
    if (names[q] == "time_to_second_cell_s") {  // censored (+inf) also when no cell ran away
      const double second = second_onset(*s);
      values[q] = std::isinf(second) ? second : second - s->first_onset;
    } else if (names[q] == "second_onset_s") {
      values[q] = second_onset(*s);
    } else if (names[q].rfind(kVerdictFailed, 0) == 0) {
      values[q] = verdict_failed(*s, names[q]);
    } else if (const io::Column* column = table.find(names[q])) {
      values[q] = std::get<std::vector<double>>(column->values).at(row);
    }
  }
  return values;
}

StudyOutcomes study_outcomes(const Study& study, const StudyPlan& plan,
                             const BatchSummary& summary) {
  StudyOutcomes out;
  out.quantities = study.quantities;
  const std::size_t rows = plan.values.size();
  const std::size_t packs = study.packs.size();
  out.status.assign(packs, std::vector<std::string>(rows, "not_run"));
  out.values.assign(packs, std::vector<std::vector<double>>(
                               rows, std::vector<double>(out.quantities.size(), NAN)));
  out.cells_in_runaway.assign(packs, std::vector<int>(rows, -1));
  const io::Table table = summary_table(summary);
  for (std::size_t row = 0; row < summary.cases.size(); ++row) {
    const CaseResult& c = summary.cases[row];
    if (c.index < 0 || std::size_t(c.index) >= rows * packs) continue;
    const std::size_t p = std::size_t(c.index) / rows;
    const std::size_t r = std::size_t(c.index) % rows;
    out.status[p][r] = c.status;
    if (c.status != "done" || !c.summary) continue;
    out.cells_in_runaway[p][r] = c.summary->cells_in_runaway;
    out.values[p][r] = case_quantities(out.quantities, summary, table, row);
  }
  return out;
}

std::string write_uq_report(const Study& study, const StudyPlan& plan, const StudyOutcomes& out,
                            const fs::path& dir) {
  const std::size_t packs = study.packs.size();
  const std::size_t rows = plan.values.size();
  std::string md = "# Uncertainty study" +
                   (study.description.empty() ? std::string() : ": " + study.description) + "\n\n";
  std::string csv = "pack,estimate,quantity,value,low,high,n,method\n";
  const auto csv_row = [&](const std::string& pack, const std::string& estimate,
                           const std::string& quantity, const Interval& i, std::size_t n,
                           const std::string& method) {
    csv += csv_field(pack) + "," + csv_field(estimate) + "," + csv_field(quantity) + "," +
           csv_number(i.estimate) + "," + csv_number(i.low) + "," + csv_number(i.high) + "," +
           std::to_string(n) + "," + csv_field(method) + "\n";
  };
  md += fmt::format(
      "Study `{}`: {} design, {} samples{}, seed {}; {} runs per pack, {} packs ({}), paired: "
      "every "
      "pack runs the same input values. Written by `runaway uq` (docs/uq.md).\n\n",
      study.file.filename().string(), design_name(study.design), study.samples,
      study.design == Design::kSaltelli ? fmt::format(" (N (d + 2) = {} runs)", rows)
                                        : std::string(),
      study.seed, rows, packs, [&] {
        std::vector<std::string> names;
        for (const StudyPack& p : study.packs) names.push_back(p.name);
        return join(names);
      }());

  md += "## Inputs\n\n| input | config keys | distribution | source |\n|---|---|---|---|\n";
  for (const StudyInput& in : study.inputs) {
    md += fmt::format("| {} | {}{} | {} | {} |\n", in.name, join(in.keys, ", "),
                      in.scale ? " (× the pack's value)" : "", in.distribution.text(), in.source);
  }
  if (!study.correlation.empty()) {
    md += "\nRank correlations (induced on normal scores, Iman & Conover 1982):";
    const std::size_t d = study.inputs.size();
    for (std::size_t i = 0; i < d; ++i) {
      for (std::size_t j = i + 1; j < d; ++j) {
        if (study.correlation[i * d + j] != 0) {
          md += fmt::format(" {}–{} {:g};", study.inputs[i].name, study.inputs[j].name,
                            study.correlation[i * d + j]);
        }
      }
    }
    md += "\n";
  }

  // Cases.
  md += "\n## Cases\n\n| pack | done | failed | not finished |\n|---|---|---|---|\n";
  std::vector<int> failed(packs, 0);
  for (std::size_t p = 0; p < packs; ++p) {
    int done = 0, unfinished = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::string& s = out.status[p][r];
      if (s == "done") {
        ++done;
      } else if (s == "failed" || s == "invalid") {
        ++failed[p];
      } else {
        ++unfinished;
      }
    }
    md += fmt::format("| {} | {} | {} | {} |\n", study.packs[p].name, done, failed[p], unfinished);
  }
  md +=
      "\nFailed and unfinished cases are left out of every estimate below and counted here; the "
      "probability table gives the bounds they could move it to.\n";

  // Probability of propagation.
  md +=
      "\n## Probability of propagation\n\nP(cells in runaway > k) over the independent "
      "samples, with Wilson's 95 % score interval.\n\n"
      "| pack | k | P | 95 % interval | samples | if the failed ones all went the other way |\n"
      "|---|---|---|---|---|---|\n";
  for (const int k : study.beyond) {
    for (std::size_t p = 0; p < packs; ++p) {
      const std::vector<std::size_t> done = done_rows(plan, out, p);
      int yes = 0;
      for (const std::size_t r : done) yes += out.cells_in_runaway[p][r] > k ? 1 : 0;
      const Interval w = wilson_interval(yes, int(done.size()));
      int missing = 0;
      for (std::size_t r = 0; r < rows; ++r) {
        missing += plan.independent[r] && out.status[p][r] != "done" ? 1 : 0;
      }
      const std::string bounds =
          missing == 0
              ? std::string("(none failed)")
              : fmt::format("{} to {}", percent(double(yes) / double(done.size() + missing)),
                            percent(double(yes + missing) / double(done.size() + missing)));
      md += fmt::format("| {} | {} | {} | {} | {} | {} |\n", study.packs[p].name, k,
                        percent(w.estimate), percent_interval(w), done.size(), bounds);
      csv_row(study.packs[p].name, fmt::format("P(cells_in_runaway>{})", k), "cells_in_runaway", w,
              done.size(), "Wilson 95 %");
    }
  }

  // Paired differences.
  if (packs > 1) {
    md += fmt::format(
        "\n## Differences between packs (paired)\n\nThe same samples in both packs: the "
        "difference of the probabilities with Newcombe's paired score interval (Newcombe 1998, "
        "method 10); of the means with a paired bootstrap percentile interval ({} resamples).\n\n"
        "| difference | estimate | 95 % interval | pairs |\n|---|---|---|---|\n",
        study.bootstrap);
    for (std::size_t b = 1; b < packs; ++b) {
      const std::string label = study.packs[0].name + " − " + study.packs[b].name;
      for (const int k : study.beyond) {
        const PairCounts c = pair_counts(plan, out, 0, b, k);
        const Interval d = paired_difference_interval(c.both, c.only_a, c.only_b, c.neither);
        const int n = c.both + c.only_a + c.only_b + c.neither;
        md += fmt::format("| P(> {} cells): {} | {} | {} | {} |\n", k, label, percent(d.estimate),
                          percent_interval(d), n);
        csv_row(label, fmt::format("P(cells_in_runaway>{}) difference", k), "cells_in_runaway", d,
                std::size_t(n), "Newcombe paired 95 %");
      }
      for (std::size_t q = 0; q < out.quantities.size(); ++q) {
        std::vector<double> diffs;
        for (std::size_t r = 0; r < rows; ++r) {
          const double x = out.values[0][r][q];
          const double y = out.values[b][r][q];
          if (plan.independent[r] && std::isfinite(x) && std::isfinite(y)) diffs.push_back(x - y);
        }
        const Interval d = bootstrap_interval(
            diffs.size(),
            [&](const std::vector<std::size_t>& pick) {
              double s = 0;
              for (const std::size_t i : pick) s += diffs[i];
              return pick.empty() ? NAN : s / double(pick.size());
            },
            study.bootstrap, study.seed + 17 + q);
        md += fmt::format("| mean {}: {} | {} | {} | {} |\n", out.quantities[q], label,
                          shown(d.estimate), interval_text(d), diffs.size());
        csv_row(label, "mean difference", out.quantities[q], d, diffs.size(),
                "paired bootstrap 95 %");
      }
    }
  }

  // Time to the second cell and the other quantities.
  md +=
      "\n## Quantities\n\nOver the independent samples that are done; \"> end\" marks a "
      "quantile that lies beyond the end of the run (the second cell had not run away: a "
      "censored value). Mean and standard deviation over the finite values.\n\n"
      "| pack | quantity | finite / done | mean | std | 5 % | median | 95 % |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (std::size_t q = 0; q < out.quantities.size(); ++q) {
    for (std::size_t p = 0; p < packs; ++p) {
      std::vector<double> all, finite;
      for (const std::size_t r : done_rows(plan, out, p)) {
        const double v = out.values[p][r][q];
        if (std::isnan(v)) continue;
        all.push_back(v);
        if (std::isfinite(v)) finite.push_back(v);
      }
      const Moments m = moments(finite);
      const double q05 = quantile(all, 0.05), q50 = quantile(all, 0.5), q95 = quantile(all, 0.95);
      md += fmt::format("| {} | {} | {} / {} | {} | {} | {} | {} | {} |\n", study.packs[p].name,
                        out.quantities[q], finite.size(), all.size(), shown(m.mean), shown(m.std),
                        shown(q05), shown(q50), shown(q95));
      const std::string& pack = study.packs[p].name;
      csv_row(pack, "mean", out.quantities[q], {m.mean, NAN, NAN}, finite.size(), "");
      csv_row(pack, "std", out.quantities[q], {m.std, NAN, NAN}, finite.size(), "");
      csv_row(pack, "quantile 5 %", out.quantities[q], {q05, NAN, NAN}, all.size(), "");
      csv_row(pack, "median", out.quantities[q], {q50, NAN, NAN}, all.size(), "");
      csv_row(pack, "quantile 95 %", out.quantities[q], {q95, NAN, NAN}, all.size(), "");
    }
  }

  // Convergence with the sample count: one chart per estimate (host/report/svg_chart.hpp), the
  // estimate over the first n samples with its interval as a band.
  std::vector<ChartSpec> charts;
  const int k0 = study.beyond.front();
  const auto add_point = [](ChartSpec& chart, std::size_t series, double x, const Interval& i) {
    chart.series[series].x.push_back(x);
    chart.series[series].y.push_back(i.estimate);
    chart.bands[series].low.push_back(i.low);
    chart.bands[series].high.push_back(i.high);
  };
  const auto chart_of = [&](const std::string& title, const std::string& x_label,
                            const std::string& y_label, const std::vector<std::string>& names) {
    ChartSpec chart;
    chart.title = title;
    chart.x_label = x_label;
    chart.y_label = y_label;
    chart.height = 300;
    for (std::size_t i = 0; i < names.size(); ++i) {
      chart.series.push_back({names[i], {}, {}, false});
      chart.bands.push_back({i, {}, {}});
    }
    return chart;
  };
  std::vector<std::string> pack_names;
  for (const StudyPack& p : study.packs) pack_names.push_back(p.name);
  ChartSpec probability =
      chart_of(fmt::format("P(cells in runaway > {}) with its Wilson 95 % interval", k0), "samples",
               "probability", pack_names);
  for (std::size_t p = 0; p < packs; ++p) {
    const std::vector<std::size_t> done = done_rows(plan, out, p);
    int yes = 0;
    for (std::size_t n = 0; n < done.size(); ++n) {
      yes += out.cells_in_runaway[p][done[n]] > k0 ? 1 : 0;
      add_point(probability, p, double(n + 1), wilson_interval(yes, int(n + 1)));
    }
  }
  charts.push_back(std::move(probability));
  if (packs > 1) {
    ChartSpec difference =
        chart_of(fmt::format("{} − {}: P(> {} cells), Newcombe paired 95 % interval",
                             study.packs[0].name, study.packs[1].name, k0),
                 "paired samples", "difference", {"difference"});
    const PairCounts all = pair_counts(plan, out, 0, 1, k0);
    const int pairs = all.both + all.only_a + all.only_b + all.neither;
    for (int n = 1; n <= pairs; ++n) {
      const PairCounts c = pair_counts(plan, out, 0, 1, k0, std::size_t(n));
      add_point(difference, 0, n,
                paired_difference_interval(c.both, c.only_a, c.only_b, c.neither));
    }
    charts.push_back(std::move(difference));
  }
  for (std::size_t q = 0; q < out.quantities.size(); ++q) {
    ChartSpec chart = chart_of("mean " + out.quantities[q] + " ± 1.96 standard errors",
                               "finite values", out.quantities[q], pack_names);
    for (std::size_t p = 0; p < packs; ++p) {
      std::vector<double> seen;
      for (const std::size_t r : done_rows(plan, out, p)) {
        const double v = out.values[p][r][q];
        if (!std::isfinite(v)) continue;
        seen.push_back(v);
        const Moments m = moments(seen);
        const double se = seen.size() > 1 ? m.std / std::sqrt(double(seen.size())) : NAN;
        add_point(chart, p, double(seen.size()), {m.mean, m.mean - kZ95 * se, m.mean + kZ95 * se});
      }
    }
    charts.push_back(std::move(chart));
  }
  io::write_file_atomically(dir / "convergence.svg", stacked_charts(charts));
  md +=
      "\n## Convergence\n\nEach estimate over the first n samples (design order), with its "
      "95 % interval: `convergence.svg`.\n\n![convergence](convergence.svg)\n";

  // Sobol' indices.
  if (study.design == Design::kSaltelli) {
    md += fmt::format(
        "\n## Sobol' indices\n\nFirst-order S1 (Saltelli et al. 2010) and total ST (Jansen 1999) "
        "from the Saltelli design, with bootstrap percentile 95 % intervals ({} resamples over "
        "the base samples). A base sample with a failed, unfinished or censored run is left "
        "out (the count says how many entered). The indicator P(> k cells) is the quantity 1 "
        "when more than k cells ran away, else 0.\n\n"
        "| pack | quantity | input | S1 | S1 95 % | ST | ST 95 % | base samples |\n"
        "|---|---|---|---|---|---|---|---|\n",
        study.bootstrap);
    const std::size_t d = study.inputs.size();
    for (std::size_t p = 0; p < packs; ++p) {
      std::vector<std::pair<std::string, std::vector<double>>> quantities;
      std::vector<double> indicator(rows, NAN);
      for (std::size_t r = 0; r < rows; ++r) {
        if (out.status[p][r] == "done") indicator[r] = out.cells_in_runaway[p][r] > k0 ? 1.0 : 0.0;
      }
      quantities.emplace_back(fmt::format("P(> {} cells)", k0), indicator);
      for (std::size_t q = 0; q < out.quantities.size(); ++q) {
        std::vector<double> y(rows);
        for (std::size_t r = 0; r < rows; ++r) {
          const double v = out.values[p][r][q];
          y[r] = std::isfinite(v) ? v : NAN;
        }
        quantities.emplace_back(out.quantities[q], y);
      }
      for (const auto& [name, y] : quantities) {
        const SobolIndices s = sobol_indices(y, d, study.bootstrap, study.seed + 101);
        for (std::size_t i = 0; i < d; ++i) {
          md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", study.packs[p].name,
                            name, study.inputs[i].name, shown(s.first[i].estimate),
                            interval_text(s.first[i]), shown(s.total[i].estimate),
                            interval_text(s.total[i]), s.base_samples);
          csv_row(study.packs[p].name, "S1 " + study.inputs[i].name, name, s.first[i],
                  s.base_samples, "Saltelli 2010, bootstrap 95 %");
          csv_row(study.packs[p].name, "ST " + study.inputs[i].name, name, s.total[i],
                  s.base_samples, "Jansen 1999, bootstrap 95 %");
        }
      }
    }
  }
  md +=
      "\nFiles: `uq_summary.csv` (these numbers), `summary.csv` (one row per case), "
      "`salib/` (problem, samples and outputs as SALib-style CSV), `convergence.svg`.\n";
  io::write_file_atomically(dir / "uq_summary.md", md);
  io::write_file_atomically(dir / "uq_summary.csv", csv);
  write_salib(study, plan, out, dir / "salib");
  return md;
}

void run_uq(const UqOptions& options) {
  fs::path study_file = options.study_file;
  if (options.collect && study_file.empty()) {
    // DIR/study.toml is a copy; its first line names the study it copies.
    const fs::path copy = options.output_dir / "study.toml";
    if (!fs::exists(copy)) {
      throw bad_input("is not a study directory (no study.toml); runaway uq STUDY -o DIR makes one",
                      ErrorContext{"", 0, "--collect", options.output_dir.string()});
    }
    const std::string first = read_text(copy).substr(0, read_text(copy).find('\n'));
    const std::string prefix = "# A copy of ";
    const auto end = first.rfind(", run by runaway uq");
    if (first.rfind(prefix, 0) != 0 || end == std::string::npos) {
      throw bad_input("does not name its study; give it: runaway uq STUDY -o DIR --collect",
                      ErrorContext{copy.string(), 1, "", ""});
    }
    study_file = first.substr(prefix.size(), end - prefix.size());
  }
  if (study_file.empty()) {
    throw bad_input("give a study file: runaway uq STUDY -o DIR", {"", 0, "STUDY", ""});
  }
  const Study study = load_study(study_file);
  const StudyPlan plan = plan_study(study);
  if (options.dry_run) {
    fmt::print("{}: {} design, {} runs per pack x {} packs = {} cases\n", study.file.string(),
               design_name(study.design), plan.values.size(), study.packs.size(),
               plan.cases.cases.size());
    for (const StudyInput& in : study.inputs) {
      fmt::print("  input {}: {} -> {}{}\n", in.name, in.distribution.text(), join(in.keys),
                 in.scale ? " (x the pack's value)" : "");
    }
    for (const SweepCase& c : plan.cases.cases) {
      fmt::print("  {}\n", c.directory);
      for (std::size_t e = study.fixed.size(); e < c.edits.size(); ++e) {
        fmt::print("      --set {}\n", c.edits[e].text);
      }
    }
    return;
  }
  BatchOptions batch;  // run_cases refuses an empty output directory
  batch.sweep_file = study.file;
  batch.output_dir = options.output_dir;
  batch.jobs = options.jobs;
  batch.slurm = options.slurm;
  batch.executable = options.executable;
  BatchSummary summary;
  if (options.collect) {
    summary = collect_batch(options.output_dir);
    // The folders must be this study's cases, run with the configs it plans now.
    for (const CaseResult& c : summary.cases) {
      const auto planned =
          std::find_if(plan.cases.cases.begin(), plan.cases.cases.end(),
                       [&](const SweepCase& p) { return p.directory == c.directory; });
      const fs::path config = config_file(options.output_dir / c.directory);
      if (planned == plan.cases.cases.end() ||
          (fs::exists(config) && read_text(config) != planned->config_text)) {
        throw bad_input(c.directory + " is not a case of " + study.file.string() +
                            " as it is now (the study or a pack changed since it ran)",
                        ErrorContext{"", 0, "--collect", options.output_dir.string()});
      }
    }
    write_summary(options.output_dir, summary);
  } else {
    summary = run_cases(plan.cases, batch);
    if (options.slurm) return;
    if (batch_signal() != 0) check_batch_finished(summary);  // interrupted: no answers yet
  }
  const StudyOutcomes out = study_outcomes(study, plan, summary);
  const fs::path dir = fs::absolute(options.output_dir).lexically_normal();
  const std::string md = write_uq_report(study, plan, out, dir);
  fmt::print("\n{}\nreport: {} (and uq_summary.csv, convergence.svg, salib/)\n", md,
             (dir / "uq_summary.md").string());
  std::fflush(stdout);
  if (!options.collect) check_batch_finished(summary);
}

}  // namespace runaway::host::uq
