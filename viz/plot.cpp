#include "viz/plot.hpp"

#include <vtkAxis.h>
#include <vtkChartLegend.h>
#include <vtkChartXY.h>
#include <vtkColorSeries.h>
#include <vtkContextScene.h>
#include <vtkContextView.h>
#include <vtkDoubleArray.h>
#include <vtkPen.h>
#include <vtkPlot.h>
#include <vtkPlotPoints.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTable.h>
#include <vtkTextProperty.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <variant>

#include "common/error.hpp"
#include "viz/offscreen.hpp"
#include "viz/voxel_image.hpp"

namespace runaway::viz {

namespace fs = std::filesystem;

bool is_onset_kind(const std::string& kind) {
  return kind == "runaway" || kind == "onset";
}

namespace {

struct Run {
  std::string label;
  io::CellSeries series;
  io::ProbeSeries probes;  // the monitoring points ([[probe]]), when the pack has any
  std::vector<io::Event> events;
  std::size_t cell_count = 0;
  double end_time = 0;  // s, the last sample or frame
  fs::path default_output_dir;
};

Run load(const fs::path& path, bool allow_incomplete) {
  const io::ResultsReader results = open_results(path, allow_incomplete);
  Run run;
  run.label = run_label(results);
  run.default_output_dir = default_output_dir(results);
  run.series = results.cell_series();
  run.probes = results.probe_series();
  run.events = results.events();
  run.cell_count = run.series.cell_count;
  if (run.cell_count == 0) run.cell_count = std::size_t(std::max(0, results.model().cell_count()));
  if (!run.series.time.empty()) run.end_time = run.series.time.back();
  if (!results.frame_times().empty()) {
    run.end_time = std::max(run.end_time, results.frame_times().back());
  }
  return run;
}

// Each cell's onset time (s), NaN for a cell that did not run away.
std::vector<double> onset_times(const Run& run) {
  std::vector<double> onset(run.cell_count, std::numeric_limits<double>::quiet_NaN());
  for (const auto& e : run.events) {
    if (!is_onset_kind(e.kind) || e.cell < 0 || std::size_t(e.cell) >= onset.size()) continue;
    double& t = onset[std::size_t(e.cell)];
    if (std::isnan(t) || e.time < t) t = e.time;
  }
  return onset;
}

using Colour = std::array<unsigned char, 3>;

// Cells in index order from blue to red, so that the colour order shows the propagation order.
Colour cell_colour(std::size_t cell, std::size_t count) {
  const double s = count > 1 ? double(cell) / double(count - 1) : 0.0;
  const double hue = (1.0 - s) * 240.0;  // degrees: 240 blue .. 0 red
  const double value = 0.85, saturation = 0.9;
  const double c = value * saturation;
  const double h = hue / 60.0;
  const double x = c * (1 - std::abs(std::fmod(h, 2.0) - 1));
  double r = 0, g = 0, b = 0;
  if (h < 1) {
    r = c, g = x;
  } else if (h < 2) {
    r = x, g = c;
  } else if (h < 3) {
    g = c, b = x;
  } else if (h < 4) {
    g = x, b = c;
  } else {
    r = x, b = c;
  }
  const double m = value - c;
  return {static_cast<unsigned char>(std::lround(255 * (r + m))),
          static_cast<unsigned char>(std::lround(255 * (g + m))),
          static_cast<unsigned char>(std::lround(255 * (b + m)))};
}

// Distinct colours for runs and event kinds (ColorBrewer "Set1").
Colour series_colour(std::size_t index) {
  auto colours = vtkSmartPointer<vtkColorSeries>::New();
  colours->SetColorScheme(vtkColorSeries::BREWER_QUALITATIVE_SET1);
  const vtkColor3ub c = colours->GetColorRepeating(int(index));
  return {c.GetRed(), c.GetGreen(), c.GetBlue()};
}

class Chart {
 public:
  Chart(int width, int height, const std::string& title, const std::string& x_title,
        const std::string& y_title) {
    view_->GetRenderWindow()->SetOffScreenRendering(1);
    view_->GetRenderWindow()->SetSize(width, height);
    view_->GetRenderWindow()->SetMultiSamples(0);
    view_->GetRenderer()->SetBackground(1.0, 1.0, 1.0);
    view_->GetScene()->AddItem(chart_);
    chart_->SetTitle(title);
    chart_->GetTitleProperties()->SetFontSize(20);
    chart_->GetTitleProperties()->BoldOn();
    axis(vtkAxis::BOTTOM)->SetTitle(x_title);
    axis(vtkAxis::LEFT)->SetTitle(y_title);
    for (int a : {vtkAxis::BOTTOM, vtkAxis::LEFT}) {
      axis(a)->GetTitleProperties()->SetFontSize(16);
      axis(a)->GetLabelProperties()->SetFontSize(14);
    }
    chart_->SetShowLegend(true);
    chart_->GetLegend()->GetLabelProperties()->SetFontSize(13);
  }

  vtkAxis* axis(int which) { return chart_->GetAxis(which); }
  vtkChartXY& chart() { return *chart_; }

  // A line (or markers only) through (x, y), with its legend label.
  vtkPlot* add(const std::vector<double>& x, const std::vector<double>& y, const std::string& label,
               const Colour& colour, bool line, int marker) {
    auto table = vtkSmartPointer<vtkTable>::New();
    auto xs = vtkSmartPointer<vtkDoubleArray>::New();
    auto ys = vtkSmartPointer<vtkDoubleArray>::New();
    xs->SetName("x");
    ys->SetName(label.c_str());
    for (std::size_t i = 0; i < x.size(); ++i) {
      xs->InsertNextValue(x[i]);
      ys->InsertNextValue(y[i]);
    }
    table->AddColumn(xs);
    table->AddColumn(ys);
    tables_.push_back(table);
    // A line needs two points; one point is drawn as a marker.
    if (x.size() < 2 && line) {
      line = false;
      if (marker == vtkPlotPoints::NONE) marker = vtkPlotPoints::CIRCLE;
    }
    vtkPlot* plot = chart_->AddPlot(line ? vtkChart::LINE : vtkChart::POINTS);
    plot->SetInputData(table, 0, 1);
    plot->SetLabel(label);
    plot->SetColor(colour[0], colour[1], colour[2], 255);
    plot->SetWidth(line ? 2.0f : 1.0f);
    if (auto* points = vtkPlotPoints::SafeDownCast(plot)) {
      points->SetMarkerStyle(marker);
      if (marker != vtkPlotPoints::NONE) points->SetMarkerSize(line ? 8.0f : 11.0f);
    }
    ++plots_;
    return plot;
  }

  // Integer ticks (cell ids) from 0 to count-1 on `which`.
  void integer_axis(int which, std::size_t count) {
    vtkAxis* a = axis(which);
    a->SetBehavior(vtkAxis::FIXED);
    a->SetRange(-0.5, double(count) - 0.5);
    auto ticks = vtkSmartPointer<vtkDoubleArray>::New();
    const std::size_t step = std::max<std::size_t>(1, (count + 19) / 20);
    for (std::size_t c = 0; c < count; c += step) ticks->InsertNextValue(double(c));
    a->SetCustomTickPositions(ticks);
  }

  void fixed_range(int which, double low, double high) {
    if (!(high > low)) high = low + 1;
    axis(which)->SetBehavior(vtkAxis::FIXED);
    axis(which)->SetRange(low, high);
  }

  void write(const fs::path& path) {
    if (plots_ == 0) chart_->SetShowLegend(false);
    view_->GetRenderWindow()->Render();
    write_png(*view_->GetRenderWindow(), path);
    std::printf("wrote %s\n", path.string().c_str());
  }

 private:
  vtkSmartPointer<vtkContextView> view_ = vtkSmartPointer<vtkContextView>::New();
  vtkSmartPointer<vtkChartXY> chart_ = vtkSmartPointer<vtkChartXY>::New();
  std::vector<vtkSmartPointer<vtkTable>> tables_;
  int plots_ = 0;
};

void cell_temperature_chart(const Run& run, const PlotOptions& o, const fs::path& path) {
  const bool hottest = o.series == "max";
  const io::CellSeries& s = run.series;
  std::string title =
      run.label + ": cell temperatures (" + (hottest ? "hottest voxel" : "volume mean") + ")";
  if (s.sample_count() == 0) title += ", no per-cell samples";
  Chart chart(o.width, o.height, title, "time (s)", "temperature (K)");
  for (std::size_t c = 0; c < s.cell_count; ++c) {
    std::vector<double> temperature(s.sample_count());
    for (std::size_t i = 0; i < s.sample_count(); ++i) {
      temperature[i] =
          hottest ? s.max_temperature[i * s.cell_count + c] : s.mean_temperature_at(i, c);
    }
    chart.add(s.time, temperature, "cell " + std::to_string(c), cell_colour(c, s.cell_count), true,
              vtkPlotPoints::NONE);
  }
  // A legend of more than 20 entries hides the curves; the colours still go blue to red.
  if (s.cell_count > 20) chart.chart().SetShowLegend(false);
  chart.chart().GetLegend()->SetHorizontalAlignment(vtkChartLegend::LEFT);
  chart.chart().GetLegend()->SetVerticalAlignment(vtkChartLegend::TOP);
  chart.fixed_range(vtkAxis::BOTTOM, 0.0, run.end_time);
  chart.write(path);
}

// The probes' temperatures (docs/verdicts.md "Probes"), as a test lab's channel plot.
void probe_temperature_chart(const Run& run, const PlotOptions& o, const fs::path& path) {
  const io::ProbeSeries& p = run.probes;
  Chart chart(o.width, o.height, run.label + ": probe temperatures", "time (s)", "temperature (K)");
  const auto& names = std::get<std::vector<std::string>>(p.table.find("name")->values);
  const std::size_t n = p.probe_count();
  for (std::size_t k = 0; k < n; ++k) {
    std::vector<double> temperature(p.time.size());
    for (std::size_t i = 0; i < p.time.size(); ++i) temperature[i] = p.temperature[i * n + k];
    chart.add(p.time, temperature, names[k], series_colour(k), true, vtkPlotPoints::NONE);
  }
  chart.chart().GetLegend()->SetHorizontalAlignment(vtkChartLegend::LEFT);
  chart.chart().GetLegend()->SetVerticalAlignment(vtkChartLegend::TOP);
  chart.fixed_range(vtkAxis::BOTTOM, 0.0, run.end_time);
  chart.write(path);
}

void event_timeline_chart(const Run& run, const PlotOptions& o, const fs::path& path) {
  // Kinds in the order first seen, onset first; whole-pack events (cell -1) are not per cell.
  std::vector<std::string> kinds;
  for (const auto& e : run.events) {
    if (e.cell < 0) continue;
    if (std::find(kinds.begin(), kinds.end(), e.kind) == kinds.end()) kinds.push_back(e.kind);
  }
  std::stable_partition(kinds.begin(), kinds.end(), is_onset_kind);
  std::size_t onsets = 0;
  for (const double t : onset_times(run)) onsets += std::isnan(t) ? 0 : 1;
  std::string title = run.label + ": events per cell, " + std::to_string(onsets) + " of " +
                      std::to_string(run.cell_count) + " cells in runaway";
  Chart chart(o.width, o.height, title, "time (s)", "cell id");
  const int markers[] = {vtkPlotPoints::CIRCLE, vtkPlotPoints::DIAMOND, vtkPlotPoints::SQUARE,
                         vtkPlotPoints::CROSS, vtkPlotPoints::PLUS};
  for (std::size_t k = 0; k < kinds.size(); ++k) {
    std::vector<double> time, cell;
    for (const auto& e : run.events) {
      if (e.cell < 0 || e.kind != kinds[k]) continue;
      time.push_back(e.time);
      cell.push_back(double(e.cell));
    }
    const std::string label = is_onset_kind(kinds[k]) ? "runaway onset" : kinds[k];
    chart.add(time, cell, label, series_colour(k), false, markers[k % 5]);
  }
  chart.integer_axis(vtkAxis::LEFT, std::max<std::size_t>(run.cell_count, 1));
  chart.fixed_range(vtkAxis::BOTTOM, 0.0, run.end_time);
  chart.chart().GetLegend()->SetHorizontalAlignment(vtkChartLegend::RIGHT);
  chart.chart().GetLegend()->SetVerticalAlignment(vtkChartLegend::BOTTOM);
  chart.write(path);
}

void onset_comparison_chart(const std::vector<Run>& runs, const PlotOptions& o,
                            const fs::path& path) {
  Chart chart(o.width, o.height, "runaway onset time per cell", "cell id", "onset time (s)");
  std::size_t cells = 1;
  double latest = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const std::vector<double> onset = onset_times(runs[r]);
    std::vector<double> cell, time;
    for (std::size_t c = 0; c < onset.size(); ++c) {
      if (std::isnan(onset[c])) continue;
      cell.push_back(double(c));
      time.push_back(onset[c]);
      latest = std::max(latest, onset[c]);
    }
    chart.add(cell, time,
              runs[r].label + " (" + std::to_string(cell.size()) +
                  (cell.size() == 1 ? " cell)" : " cells)"),
              series_colour(r), true, vtkPlotPoints::CIRCLE);
    cells = std::max(cells, runs[r].cell_count);
  }
  chart.integer_axis(vtkAxis::BOTTOM, cells);
  chart.fixed_range(vtkAxis::LEFT, 0.0, latest > 0 ? 1.05 * latest : 1.0);
  chart.chart().GetLegend()->SetHorizontalAlignment(vtkChartLegend::LEFT);
  chart.chart().GetLegend()->SetVerticalAlignment(vtkChartLegend::TOP);
  chart.write(path);
}

void runaway_count_chart(const std::vector<Run>& runs, const PlotOptions& o, const fs::path& path) {
  Chart chart(o.width, o.height, "cells in runaway over time", "time (s)", "cells in runaway");
  double end = 0;
  std::size_t cells = 1;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    std::vector<double> onset = onset_times(runs[r]);
    onset.erase(std::remove_if(onset.begin(), onset.end(), [](double t) { return std::isnan(t); }),
                onset.end());
    std::sort(onset.begin(), onset.end());
    // A staircase: one step up at each onset.
    std::vector<double> time{0.0}, count{0.0};
    for (std::size_t i = 0; i < onset.size(); ++i) {
      time.push_back(onset[i]);
      count.push_back(double(i));
      time.push_back(onset[i]);
      count.push_back(double(i + 1));
    }
    time.push_back(runs[r].end_time);
    count.push_back(double(onset.size()));
    chart.add(time, count, runs[r].label, series_colour(r), true, vtkPlotPoints::NONE);
    end = std::max(end, runs[r].end_time);
    cells = std::max(cells, runs[r].cell_count);
  }
  chart.fixed_range(vtkAxis::BOTTOM, 0.0, end);
  chart.fixed_range(vtkAxis::LEFT, 0.0, double(cells) + 0.5);
  chart.chart().GetLegend()->SetHorizontalAlignment(vtkChartLegend::LEFT);
  chart.chart().GetLegend()->SetVerticalAlignment(vtkChartLegend::TOP);
  chart.write(path);
}

}  // namespace

// A `runaway fit` data-vs-fit CSV: temperature_K, rate_data_K_per_s, rate_fit_K_per_s (NaN where
// the fitted model does not reach). Bad input names the file and line.
struct FitCurve {
  std::vector<double> temperature, log_data, fit_temperature, log_fit;
};

FitCurve read_fit_csv(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw bad_input("cannot read the fit CSV", {path.string(), 0, "", ""});
  std::string line;
  std::getline(in, line);
  if (line.rfind("temperature_K,rate_data_K_per_s,rate_fit_K_per_s", 0) != 0) {
    throw bad_input(
        "not a `runaway fit` CSV: expected the header temperature_K,rate_data_K_per_s,"
        "rate_fit_K_per_s,...",
        {path.string(), 1, "", line});
  }
  FitCurve c;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    std::stringstream fields(line);
    std::string t, data, fit;
    std::getline(fields, t, ',');
    std::getline(fields, data, ',');
    std::getline(fields, fit, ',');
    double tv = 0, dv = 0, fv = 0;
    try {
      tv = std::stod(t);
      dv = std::stod(data);
      fv = fit == "nan" || fit.empty() ? std::nan("") : std::stod(fit);
    } catch (const std::exception&) {
      throw bad_input("expected numbers", {path.string(), number, "", line});
    }
    if (!(dv > 0.0)) continue;  // log scale: a rate of 0 is not drawn
    c.temperature.push_back(tv);
    c.log_data.push_back(std::log10(dv));
    if (fv > 0.0) {
      c.fit_temperature.push_back(tv);
      c.log_fit.push_back(std::log10(fv));
    }
  }
  if (c.temperature.empty()) {
    throw bad_input("no rows with a positive rate", {path.string(), 0, "", ""});
  }
  return c;
}

void fit_chart(const fs::path& csv, const PlotOptions& o, const fs::path& path) {
  const FitCurve c = read_fit_csv(csv);
  Chart chart(o.width, o.height, csv.stem().string() + ": ARC self-heating rate, data vs fit",
              "temperature (K)", "log10 self-heating rate (K/s)");
  chart.add(c.temperature, c.log_data, "data", series_colour(0), false, vtkPlotPoints::CIRCLE);
  chart.add(c.fit_temperature, c.log_fit, "fit", series_colour(1), true, vtkPlotPoints::NONE);
  chart.chart().GetLegend()->SetHorizontalAlignment(vtkChartLegend::LEFT);
  chart.chart().GetLegend()->SetVerticalAlignment(vtkChartLegend::TOP);
  chart.write(path);
}

std::vector<fs::path> write_plots(const PlotOptions& o) {
  if (o.results.empty()) throw bad_input("no results given", {"", 0, "RESULTS", ""});
  if (o.series != "mean" && o.series != "max") {
    throw bad_input("expected mean or max", {"", 0, "--series", o.series});
  }
  if (o.width < 200 || o.height < 150 || o.width > 3840 || o.height > 2160) {
    throw bad_input("expected a width of 200 to 3840 and a height of 150 to 2160 pixels",
                    {"", 0, "--size", std::to_string(o.width) + " " + std::to_string(o.height)});
  }
  std::vector<Run> runs;
  std::vector<fs::path> fits;
  std::map<std::string, int> seen;
  for (const auto& path : o.results) {
    if (path.extension() == ".csv") {
      fits.push_back(path);
      continue;
    }
    runs.push_back(load(path, o.allow_incomplete));
    // Runs in directories of the same name get a number.
    const int n = ++seen[runs.back().label];
    if (n > 1) runs.back().label += " #" + std::to_string(n);
  }

  fs::path out = o.output_dir;
  if (out.empty()) {
    if (runs.empty() && fits.size() == 1) {
      out = fits.front().parent_path().empty() ? fs::path(".") : fits.front().parent_path();
    } else {
      out = runs.size() == 1 && fits.empty() ? runs.front().default_output_dir
                                             : fs::path("viz-plots");
    }
  }
  std::error_code error;
  fs::create_directories(out, error);
  if (error) {
    throw runtime_error("cannot create the output directory: " + error.message(),
                        {out.string(), 0, "", ""});
  }

  ensure_display();  // may run this command again under Xvfb

  std::vector<fs::path> written;
  for (const fs::path& csv : fits) {
    written.push_back(out / (csv.stem().string() + "_fit.png"));
    fit_chart(csv, o, written.back());
  }
  for (const Run& run : runs) {
    // File names: plain for one run, prefixed with the run's label for several.
    std::string prefix;
    if (runs.size() > 1) {
      for (char c : run.label)
        prefix += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
      prefix += "_";
    }
    written.push_back(out / (prefix + "cell_temperatures.png"));
    cell_temperature_chart(run, o, written.back());
    written.push_back(out / (prefix + "onset_timeline.png"));
    event_timeline_chart(run, o, written.back());
    if (run.probes.probe_count() > 0) {
      written.push_back(out / (prefix + "probe_temperatures.png"));
      probe_temperature_chart(run, o, written.back());
    }
  }
  if (runs.size() > 1) {
    written.push_back(out / "onset_comparison.png");
    onset_comparison_chart(runs, o, written.back());
    written.push_back(out / "runaway_count_comparison.png");
    runaway_count_chart(runs, o, written.back());
  }
  return written;
}

}  // namespace runaway::viz
