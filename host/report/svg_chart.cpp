#include "host/report/svg_chart.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace runaway::host {

namespace {

// Tick step: 1, 2 or 5 times a power of ten, giving about `count` ticks over `span`.
double nice_step(double span, int count) {
  const double raw = span / count;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * power >= raw) return m * power;
  }
  return 10 * power;
}

std::string tick_text(double v, double step) {
  const int digits = std::max(0, -int(std::floor(std::log10(step))));
  return fmt::format("{:.{}f}", v, digits);
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string series_colour(std::size_t i) {
  static const char* const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                        "#E69F00", "#56B4E9", "#000000", "#F0E442"};
  return palette[i % 8];
}

std::string svg_chart(const ChartSpec& spec) {
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const ChartSeries& s : spec.series) {
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, s.y[i]);
      y1 = std::max(y1, s.y[i]);
    }
  }
  for (const ChartBand& b : spec.bands) {
    if (b.series >= spec.series.size()) continue;
    const std::vector<double>& x = spec.series[b.series].x;
    for (std::size_t i = 0; i < x.size() && i < b.low.size() && i < b.high.size(); ++i) {
      for (double v : {b.low[i], b.high[i]}) {
        if (std::isfinite(x[i]) && std::isfinite(v)) y0 = std::min(y0, v), y1 = std::max(y1, v);
      }
    }
  }
  for (double m : spec.x_marks) {
    if (std::isfinite(m)) x0 = std::min(x0, m), x1 = std::max(x1, m);
  }
  if (!(x0 <= x1)) x0 = 0, x1 = 1;
  if (!(y0 <= y1)) y0 = 0, y1 = 1;
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  if (y1 - y0 < 1e-12) y0 -= 0.5, y1 += 0.5;
  const bool fixed_y =
      std::isfinite(spec.y_min) && std::isfinite(spec.y_max) && spec.y_max > spec.y_min;
  if (fixed_y) y0 = spec.y_min, y1 = spec.y_max;
  const bool fixed_x =
      std::isfinite(spec.x_min) && std::isfinite(spec.x_max) && spec.x_max > spec.x_min;
  if (fixed_x) x0 = spec.x_min, x1 = spec.x_max;
  const double xs = fixed_x ? std::max(1.0, nice_step(x1 - x0, 6)) : nice_step(x1 - x0, 6);
  const double ys = fixed_y ? std::max(1.0, nice_step(y1 - y0, 5)) : nice_step(y1 - y0, 5);
  if (!fixed_x) x0 = std::floor(x0 / xs) * xs, x1 = std::ceil(x1 / xs) * xs;
  if (!fixed_y) y0 = std::floor(y0 / ys) * ys, y1 = std::ceil(y1 / ys) * ys;

  const double left = 70, right = 260, top = 34, bottom = 50;
  const double w = spec.width - left - right, h = spec.height - top - bottom;
  auto px = [&](double x) { return left + (x - x0) / (x1 - x0) * w; };
  auto py = [&](double y) { return top + (1 - (y - y0) / (y1 - y0)) * h; };

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"20\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      spec.width, spec.height, spec.width, spec.height, left, html_escape(spec.title));
  for (double x = std::ceil(x0 / xs - 1e-9) * xs; x <= x1 + xs * 1e-9; x += xs) {
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
        px(x), top, top + h, top + h + 16, tick_text(x, xs));
  }
  for (double y = std::ceil(y0 / ys - 1e-9) * ys; y <= y1 + ys * 1e-9; y += ys) {
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
        left, py(y), left + w, left - 6, py(y) + 4, tick_text(y, ys));
  }
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#333\"/>\n"
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n"
      "<text transform=\"translate(16 {}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
      left, top, w, h, left + w / 2, spec.height - 10, html_escape(spec.x_label), top + h / 2,
      html_escape(spec.y_label));
  for (std::size_t m = 0; m < spec.x_marks.size(); ++m) {
    if (!std::isfinite(spec.x_marks[m])) continue;
    const std::string label = m < spec.x_mark_labels.size() ? spec.x_mark_labels[m] : "";
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#888\" "
        "stroke-dasharray=\"4 3\"/><text x=\"{3:.1f}\" y=\"{4:.1f}\" fill=\"#555\">{5}</text>\n",
        px(spec.x_marks[m]), top, top + h, px(spec.x_marks[m]) + 3, top + 12 + 12 * double(m),
        html_escape(label));
  }
  for (const ChartBand& b : spec.bands) {
    if (b.series >= spec.series.size()) continue;
    const std::vector<double>& x = spec.series[b.series].x;
    std::string points;  // the polygon: along the high ends, back along the low ones
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < x.size() && i < b.low.size() && i < b.high.size(); ++i) {
      if (!std::isfinite(x[i]) || !std::isfinite(b.low[i]) || !std::isfinite(b.high[i])) continue;
      points += fmt::format("{:.1f},{:.1f} ", px(x[i]), py(b.high[i]));
      kept.push_back(i);
    }
    for (auto i = kept.rbegin(); i != kept.rend(); ++i) {
      points += fmt::format("{:.1f},{:.1f} ", px(x[*i]), py(b.low[*i]));
    }
    if (!points.empty()) {
      out += fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"0.18\"/>\n", points,
                         series_colour(b.series));
    }
  }
  for (std::size_t k = 0; k < spec.series.size(); ++k) {
    const ChartSeries& s = spec.series[k];
    const std::string colour = series_colour(k);
    std::string path;
    bool pen_down = false;  // a NaN lifts it: the next point starts a new segment
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        pen_down = false;
        continue;
      }
      if (s.markers) {
        out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"4\" fill=\"{}\"/>\n",
                           px(s.x[i]), py(s.y[i]), colour);
      } else {
        path += fmt::format("{}{:.1f},{:.1f} ", pen_down ? "L" : "M", px(s.x[i]), py(s.y[i]));
        pen_down = true;
      }
    }
    if (!path.empty()) {
      out += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>\n",
                         path, colour);
    }
    const double ly = top + 6 + 16 * double(k);
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"4\" fill=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
        left + w + 10, ly, colour, left + w + 28, ly + 6, html_escape(s.name));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace runaway::host
