// Charts as inline SVG for the HTML report (`runaway report`): self-contained text, no image
// library, drawn the same on every machine.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace runaway::host {

struct ChartSeries {
  std::string name;
  std::vector<double> x, y;  // NaN y values break the line
  bool markers = false;      // dots instead of a line
};

// A shaded interval around a series, in its colour: low[i] to high[i] at its x[i] (e.g. the 95 %
// interval of an estimate; non-finite ends leave the point out).
struct ChartBand {
  std::size_t series = 0;
  std::vector<double> low, high;
};

struct ChartSpec {
  std::string title, x_label, y_label;
  std::vector<ChartSeries> series;
  int width = 860, height = 360;                      // px
  double y_min = std::nan(""), y_max = std::nan("");  // a fixed y range; NaN: from the data
  double x_min = std::nan(""), x_max = std::nan("");  // a fixed x range; NaN: from the data
  std::vector<double> x_marks;                        // vertical dashed lines (e.g. the warning)
  std::vector<std::string> x_mark_labels;
  std::vector<ChartBand> bands;  // drawn under the lines
};

// A line (or dot) chart with axes, "nice" ticks and a legend. Series without finite points are
// listed in the legend only.
std::string svg_chart(const ChartSpec& spec);

// Text made safe for HTML and SVG.
std::string html_escape(const std::string& text);

// A colour for the i-th series (a qualitative palette, colour-blind-safe: Okabe and Ito 2008).
std::string series_colour(std::size_t i);

}  // namespace runaway::host
