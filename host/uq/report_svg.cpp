#include "host/uq/report_svg.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace runaway::host::uq {

namespace {

constexpr const char* kColours[] = {"#1f77b4", "#d62728", "#2ca02c",
                                    "#9467bd", "#ff7f0e", "#8c564b"};

std::string escaped(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

// About five round ticks from lo to hi.
std::vector<double> ticks(double lo, double hi) {
  const double span = hi - lo;
  const double raw = span / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push_back(t);
  return out;
}

}  // namespace

std::string svg_chart(const std::string& title, const std::string& x_label,
                      const std::vector<ChartPanel>& panels) {
  const double width = 820, panel_height = 230, left = 80, right = 190, top = 40, gap = 60;
  const double plot_w = width - left - right;
  const double plot_h = panel_height - 40;
  const double height = top + double(panels.size()) * (panel_height + gap);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{3}</text>\n",
      width, height, left, escaped(title));
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const ChartPanel& panel = panels[p];
    const double y0 = top + double(p) * (panel_height + gap) + 20;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (const ChartSeries& s : panel.series) {
      for (std::size_t i = 0; i < s.x.size(); ++i) {
        xmin = std::min(xmin, s.x[i]);
        xmax = std::max(xmax, s.x[i]);
        for (const double v :
             {s.y[i], s.low.empty() ? s.y[i] : s.low[i], s.high.empty() ? s.y[i] : s.high[i]}) {
          if (std::isfinite(v)) {
            ymin = std::min(ymin, v);
            ymax = std::max(ymax, v);
          }
        }
      }
    }
    if (!std::isfinite(xmin) || !std::isfinite(ymin)) continue;
    if (xmax <= xmin) xmax = xmin + 1;
    if (ymax <= ymin) {
      ymin -= 0.5;
      ymax += 0.5;
    }
    const auto px = [&](double x) { return left + (x - xmin) / (xmax - xmin) * plot_w; };
    const auto py = [&](double y) { return y0 + plot_h - (y - ymin) / (ymax - ymin) * plot_h; };
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text>\n", left, y0 - 6,
                       escaped(panel.title));
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n",
        left, y0, plot_w, plot_h);
    for (const double t : ticks(ymin, ymax)) {
      svg += fmt::format(
          "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
          "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\">{5:g}</text>\n",
          left, left + plot_w, py(t), left - 6, py(t) + 4, t);
    }
    for (const double t : ticks(xmin, xmax)) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{:g}</text>\n", px(t),
                         y0 + plot_h + 16, t);
    }
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n"
        "<text transform=\"translate({},{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
        left + plot_w / 2, y0 + plot_h + 32, escaped(x_label), left - 52, y0 + plot_h / 2,
        escaped(panel.y_label));
    for (std::size_t s = 0; s < panel.series.size(); ++s) {
      const ChartSeries& series = panel.series[s];
      const char* colour = kColours[s % std::size(kColours)];
      if (!series.low.empty()) {
        std::string band;
        for (std::size_t i = 0; i < series.x.size(); ++i) {
          if (std::isfinite(series.high[i])) {
            band += fmt::format("{:.1f},{:.1f} ", px(series.x[i]), py(series.high[i]));
          }
        }
        for (std::size_t i = series.x.size(); i-- > 0;) {
          if (std::isfinite(series.low[i])) {
            band += fmt::format("{:.1f},{:.1f} ", px(series.x[i]), py(series.low[i]));
          }
        }
        svg += fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.18\"/>\n", band,
                           colour);
      }
      std::string line;
      for (std::size_t i = 0; i < series.x.size(); ++i) {
        if (std::isfinite(series.y[i])) {
          line += fmt::format("{:.1f},{:.1f} ", px(series.x[i]), py(series.y[i]));
        }
      }
      svg += fmt::format(
          "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.8\"/>\n", line,
          colour);
      const double ly = y0 + 14 + 18 * double(s);
      svg += fmt::format(
          "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"3\"/>"
          "<text x=\"{4}\" y=\"{5}\">{6}</text>\n",
          left + plot_w + 12, left + plot_w + 32, ly, colour, left + plot_w + 38, ly + 4,
          escaped(series.name));
    }
  }
  return svg + "</svg>\n";
}

}  // namespace runaway::host::uq
