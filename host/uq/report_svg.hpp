// A small SVG line chart with uncertainty bands, written without a plotting library: the
// convergence plot of `runaway uq` (docs/uq.md).
#pragma once

#include <string>
#include <vector>

namespace runaway::host::uq {

struct ChartSeries {
  std::string name;
  std::vector<double> x, y, low, high;  // low/high empty: no band
};

struct ChartPanel {
  std::string title;
  std::string y_label;
  std::vector<ChartSeries> series;
};

// Panels stacked vertically, x shared in spirit (each panel scales its own axes).
std::string svg_chart(const std::string& title, const std::string& x_label,
                      const std::vector<ChartPanel>& panels);

}  // namespace runaway::host::uq
