#include "host/report/report.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <sstream>
#include <system_error>

#include "common/error.hpp"
#include "common/files.hpp"
#include "host/config/config.hpp"
#include "host/report/svg_chart.hpp"
#include "host/run/compare.hpp"
#include "host/run/cpu_sets.hpp"
#include "host/run/run_case.hpp"
#include "host/verdict/verdict_results.hpp"
#include "io/files.hpp"
#include "io/results_reader.hpp"
#include "runaway/build_info.hpp"

extern char** environ;

namespace runaway::host {

namespace fs = std::filesystem;

namespace {

std::string number(double v, int digits) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : std::string("-");
}

// 64-bit FNV-1a of the config text: names the exact input in the provenance.
std::string text_hash(const std::string& text) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

std::string base64(const std::string& bytes) {
  static const char* const table =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= std::uint8_t(bytes[i + 2]);
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? table[n & 63] : '=';
  }
  return out;
}

// Blue (early) to red (late), the cool-warm map's ends; grey for a cell that never ran away.
std::string onset_colour(double t, double first, double last) {
  if (!std::isfinite(t)) return "#c8c8c8";
  const double u = last > first ? std::clamp((t - first) / (last - first), 0.0, 1.0) : 0.0;
  const auto mix = [u](int a, int b) { return int(std::lround(a + (b - a) * u)); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(59, 180), mix(76, 4), mix(192, 38));
}

// runaway-viz: next to this runaway (install), in the build tree's viz/, then on PATH.
fs::path find_viz(const fs::path& given) {
  if (!given.empty()) return given;
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (const fs::path& p : {self.parent_path() / "runaway-viz",
                              self.parent_path().parent_path() / "viz" / "runaway-viz"}) {
      if (::access(p.c_str(), X_OK) == 0) return p;
    }
  }
  if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    std::size_t start = 0;
    while (start <= dirs.size()) {
      const std::size_t end = std::min(dirs.find(':', start), dirs.size());
      fs::path p = fs::path(dirs.substr(start, end - start)) / "runaway-viz";
      if (::access(p.c_str(), X_OK) == 0) return p;
      start = end + 1;
    }
  }
  return {};
}

// Runs a program, its output into `log`; true when it exits with 0.
bool run_program(const std::vector<std::string>& args, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = 0;
  int started = 0;
  {
    const CpusForChildren every_cpu(process_cpus());  // not the place libgomp bound this thread to
    started = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  }
  posix_spawn_file_actions_destroy(&actions);
  if (started != 0) return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return false;
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct Run {
  fs::path path;
  RunSummary summary;
  PackConfig config;
  io::ModelData model;
  io::CellSeries cells;
  io::ProbeSeries probes;
  io::ProvenanceRecord provenance;
  std::string config_text;
};

Run load_run(const fs::path& path) {
  Run run;
  run.summary = summarize_results(path);  // refuses an incomplete or foreign file
  io::ResultsReader reader(path);
  run.path = reader.path();
  run.config_text = reader.config_text();
  run.config = parse_pack_config(parse_config_text(run.config_text, run.path.string()),
                                 reader.config_path());
  run.model = reader.model();
  run.cells = reader.cell_series();
  run.probes = reader.probe_series();
  run.provenance = reader.provenance();
  return run;
}

// The pack seen from above (x-y) and from the front (x-z): each cell's voxel box, coloured by
// its onset, the triggered cells outlined, the probes marked.
std::string pack_picture(const Run& run) {
  const io::GridInfo& g = run.model.grid;
  const std::size_t cells = std::size_t(run.model.cell_count());
  std::vector<std::array<int, 6>> box(cells, {g.nx, -1, g.ny, -1, g.nz, -1});
  for (int k = 0; k < g.nz; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::int32_t c = run.model.cell[g.index(i, j, k)];
        if (c < 0) continue;
        auto& b = box[std::size_t(c)];
        b = {std::min(b[0], i), std::max(b[1], i), std::min(b[2], j),
             std::max(b[3], j), std::min(b[4], k), std::max(b[5], k)};
      }
    }
  }
  std::vector<bool> triggered(cells, false);
  for (const HeaterTrigger& h : run.config.heaters) triggered[std::size_t(h.cell)] = true;
  for (const NailTrigger& n : run.config.nails) triggered[std::size_t(n.cell)] = true;
  const RunSummary& s = run.summary;
  const double lx = g.nx * g.dx, ly = g.ny * g.dy, lz = g.nz * g.dz;
  const double scale = std::min(700.0 / lx, 260.0 / std::max(ly, lz));
  std::string out;
  for (int view = 0; view < 2; ++view) {  // 0: top (x-y), 1: front (x-z)
    const double height = (view == 0 ? ly : lz) * scale;
    out += fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
        "font-family=\"sans-serif\" font-size=\"10\"><rect x=\"0\" y=\"14\" width=\"{:.1f}\" "
        "height=\"{:.1f}\" fill=\"#f4f6fa\" stroke=\"#333\"/><text x=\"2\" y=\"11\">{}</text>\n",
        lx * scale + 2, height + 16, lx * scale, height,
        view == 0 ? "from above (x right, y up)" : "from the front (x right, z up)");
    for (std::size_t c = 0; c < cells; ++c) {
      const auto& b = box[c];
      if (b[1] < b[0]) continue;
      const double x = b[0] * g.dx * scale, w = (b[1] - b[0] + 1) * g.dx * scale;
      const int a0 = view == 0 ? b[2] : b[4], a1 = view == 0 ? b[3] : b[5];
      const double d = view == 0 ? g.dy : g.dz;
      const double y = 14 + height - (a1 + 1) * d * scale, h = (a1 - a0 + 1) * d * scale;
      const double onset = c < s.cells.size() ? s.cells[c].onset_time : NAN;
      out += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\" "
          "stroke=\"{}\" stroke-width=\"{}\"><title>cell {}: onset {} s</title></rect>\n",
          x, y, w, h, onset_colour(onset, s.first_onset, s.last_onset),
          triggered[c] ? "#d00" : "#333", triggered[c] ? 2.5 : 0.6, c, number(onset, 1));
      if (w > 9) {
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                           x + w / 2, y + h / 2 + 3, c);
      }
    }
    for (const ProbeConfig& p : run.config.probes) {
      double px = NAN, py = NAN;
      if (p.kind == ProbeKind::kPoint) {
        px = p.position[0] - g.origin_x;
        py = view == 0 ? p.position[1] - g.origin_y : p.position[2] - g.origin_z;
      } else if (p.kind == ProbeKind::kCellSurface && box[std::size_t(p.cell)][1] >= 0) {
        const auto& b = box[std::size_t(p.cell)];
        const double lo[3] = {b[0] * g.dx, b[2] * g.dy, b[4] * g.dz};
        const double hi[3] = {(b[1] + 1) * g.dx, (b[3] + 1) * g.dy, (b[5] + 1) * g.dz};
        double c3[3] = {(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2};
        const int axis = int(p.face) / 2;
        c3[axis] = int(p.face) % 2 == 1 ? hi[axis] : lo[axis];
        px = c3[0];
        py = view == 0 ? c3[1] : c3[2];
      } else if (p.kind == ProbeKind::kRegion) {
        px = (p.min[0] + p.max[0]) / 2 - g.origin_x;
        py = view == 0 ? (p.min[1] + p.max[1]) / 2 - g.origin_y
                       : (p.min[2] + p.max[2]) / 2 - g.origin_z;
      }
      if (!std::isfinite(px)) continue;
      out += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"#E69F00\" stroke=\"#000\">"
          "<title>probe {}</title></circle>\n",
          px * scale, 14 + height - py * scale, html_escape(p.name));
    }
    out += "</svg>\n";
  }
  return out;
}

std::string triggers_text(const PackConfig& c) {
  std::string out = "<ul>";
  for (const HeaterTrigger& h : c.heaters) {
    out += fmt::format("<li>heater: {:.0f} W on face {} of cell {} from {:.0f} s for {:.0f} s</li>",
                       h.power, meshes::to_string(h.face), h.cell, h.start_time, h.duration);
  }
  for (const NailTrigger& n : c.nails) {
    out += fmt::format("<li>nail: internal short of cell {} at {:.1f} s</li>", n.cell, n.time);
  }
  if (c.oven) {
    out += fmt::format("<li>oven: ramp {:.3f} K/s from {:.1f} K to {:.1f} K</li>",
                       c.oven->ramp_rate, c.oven->start_temperature, c.oven->hold_temperature);
  }
  return out + "</ul>\n";
}

std::string onset_chart(const Run& run) {
  ChartSpec spec;
  spec.title = "Runaway onset of each cell (the model's onset)";
  spec.x_label = "time (s)";
  spec.y_label = "cell";
  ChartSeries dots{"onset", {}, {}, true};
  for (std::size_t c = 0; c < run.summary.cells.size(); ++c) {
    dots.x.push_back(run.summary.cells[c].onset_time);
    dots.y.push_back(double(c));
  }
  spec.series.push_back(dots);
  spec.y_min = -0.5;
  spec.y_max = double(run.summary.cells.size()) - 0.5;
  if (run.summary.verdicts) {
    spec.x_marks = {run.summary.verdicts->warning};
    spec.x_mark_labels = {"warning"};
  }
  return svg_chart(spec);
}

std::string probe_chart(const Run& run) {
  const io::ProbeSeries& p = run.probes;
  ChartSpec spec;
  spec.title = "Probe temperatures";
  spec.x_label = "time (s)";
  spec.y_label = "temperature (K)";
  if (p.probe_count() == 0) {
    // No probes: the cells' hottest voxels stand in.
    spec.title = "Hottest voxel of each cell (the pack has no probes)";
    const std::size_t n = run.cells.cell_count;
    for (std::size_t c = 0; c < n && c < 8; ++c) {
      ChartSeries s{fmt::format("cell {}", c), run.cells.time, {}, false};
      for (std::size_t t = 0; t < run.cells.time.size(); ++t)
        s.y.push_back(run.cells.max_temperature[t * n + c]);
      spec.series.push_back(s);
    }
  } else {
    const auto& names = std::get<std::vector<std::string>>(p.table.find("name")->values);
    for (std::size_t k = 0; k < p.probe_count(); ++k) {
      ChartSeries s{names[k], p.time, {}, false};
      for (std::size_t t = 0; t < p.time.size(); ++t)
        s.y.push_back(p.temperature[t * p.probe_count() + k]);
      spec.series.push_back(s);
    }
  }
  if (run.summary.verdicts) {
    spec.x_marks = {run.summary.verdicts->initiating_runaway, run.summary.verdicts->warning};
    spec.x_mark_labels = {"runaway confirmed", "warning"};
  }
  return svg_chart(spec);
}

std::string heat_table(const RunSummary& s) {
  std::string out =
      "<table class=\"heat\"><tr><th>cell</th><th>onset (s)</th><th>peak T (K)</th><th>heat into "
      "pack (kJ)</th><th>kept in body (kJ)</th><th>carried by ejecta (kJ)</th><th>plume heat "
      "received (kJ)</th><th>in by gas conduction (kJ)</th><th>in by gap radiation (kJ)</th>"
      "<th>in from solids (kJ)</th><th>in from cells (kJ)</th><th>in from plume fire "
      "(kJ)</th></tr>\n";
  for (std::size_t c = 0; c < s.cells.size(); ++c) {
    const CellOutcome& o = s.cells[c];
    out += fmt::format(
        "<tr><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        c, html_escape(o.name), number(o.onset_time, 1), number(o.peak_temperature, 1),
        number(o.heat_released * 1e-3, 1), number(o.heat_kept_in_body * 1e-3, 1),
        number(o.heat_carried_by_ejecta * 1e-3, 1), number(o.plume_heat_received * 1e-3, 1),
        number(o.heat_in_gas_conduction * 1e-3, 1), number(o.heat_in_gap_radiation * 1e-3, 1),
        number(o.heat_in_solid_contact * 1e-3, 1), number(o.heat_in_cell_contact * 1e-3, 1),
        number(o.plume_fire_heat_received * 1e-3, 1));
  }
  return out + "</table>\n";
}

std::string verdict_html(const VerdictReport& v, const std::string& id) {
  std::string out = fmt::format(
      "<p>Runaway of the initiating cell {} confirmed (GB 38031-2025 C.5.3.7) at {} s; "
      "thermal-event warning at {} s; first neighbour runaway {} s; burning plume out of the "
      "pack {} s; vent gas out of the pack {} s; every probe at or below the cool temperature "
      "since {} s. Runaway stayed in the initiating cell: <b>{}</b>; in its module: <b>{}</b> "
      "(over the simulated time).</p>\n",
      v.initiating_cell, number(v.initiating_runaway, 1), number(v.warning, 1),
      number(v.first_neighbour_runaway, 1), number(v.flame_out, 1), number(v.hot_gas_out, 1),
      number(v.cool, 1), v.contained_in_cell ? "yes" : "no", v.contained_in_module ? "yes" : "no");
  out += fmt::format(
      "<table class=\"verdict\" id=\"{}\"><tr><th>rule</th><th>clause</th><th>what the rule "
      "asks</th><th>finding</th><th>figures that decided it</th></tr>\n",
      id);
  for (const RuleVerdict& r : v.rules) {
    out += fmt::format(
        "<tr class=\"rule\"><td>{}</td><td colspan=\"2\">{}</td><td class=\"{}\">{}</td>"
        "<td></td></tr>\n",
        r.rule, html_escape(r.title), to_string(r.overall)[0] == 'n' ? "nj" : to_string(r.overall),
        to_string(r.overall));
    for (const Criterion& c : r.criteria) {
      out += fmt::format(
          "<tr><td></td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n",
          html_escape(c.clause), html_escape(c.text),
          c.finding == Finding::kNotJudged ? "nj" : to_string(c.finding), to_string(c.finding),
          html_escape(c.figures));
    }
  }
  return out + "</table>\n";
}

std::string provenance_html(const Run& run) {
  const io::ProvenanceRecord& p = run.provenance;
  return fmt::format(
      "<table class=\"provenance\"><tr><th>results</th><td>{}</td></tr><tr><th>runaway "
      "version</th><td>{}</td></tr><tr><th>commit</th><td>{}</td></tr><tr><th>backend</th>"
      "<td>{} on {}</td></tr><tr><th>config</th><td>{} (FNV-1a 64 of the stored input: {})</td>"
      "</tr><tr><th>command</th><td><code>{}</code></td></tr><tr><th>run</th><td>{} to {}, "
      "{:.1f} s wall, {} restarts</td></tr></table>\n",
      html_escape(run.path.string()), html_escape(p.provenance.version),
      html_escape(p.provenance.git_commit), html_escape(p.provenance.backend),
      html_escape(p.provenance.device), html_escape(run.config.file), text_hash(run.config_text),
      html_escape(p.provenance.command_line), html_escape(p.start_date), html_escape(p.end_date),
      p.wall_time, p.restart_count);
}

// Pictures from runaway-viz render (the pack's temperature and front) at up to three times.
std::string renders(const Run& run, const fs::path& viz, const fs::path& scratch,
                    std::vector<std::string>& notes) {
  std::vector<double> times;
  const double end = run.summary.end_time;
  const double first = run.summary.first_onset;
  if (std::isfinite(first)) times.push_back(first);
  if (std::isfinite(run.summary.last_onset) && run.summary.last_onset > first + 1)
    times.push_back(run.summary.last_onset);
  times.push_back(end);
  std::vector<std::string> args{
      viz.string(), "render", run.path.string(), "-o",    scratch.string(), "--size",
      "900",        "560",    "--no-video",      "--time"};
  for (double t : times) args.push_back(fmt::format("{:.3f}", t));
  const fs::path log = scratch / "render.log";
  fs::create_directories(scratch);
  if (!run_program(args, log)) {
    notes.push_back("3D pictures of " + run.summary.name +
                    " left out: runaway-viz render failed (" + read_text(log).substr(0, 300) + ")");
    return "";
  }
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(scratch)) {
    if (entry.path().extension() == ".png") images.push_back(entry.path());
  }
  std::sort(images.begin(), images.end());
  std::string out = "<div class=\"images\">";
  for (std::size_t i = 0; i < images.size(); ++i) {
    out += fmt::format(
        "<figure><img alt=\"temperature and runaway front\" src=\"data:image/png;base64,{}\"/>"
        "<figcaption>temperature and runaway front, frame nearest {} s</figcaption></figure>",
        base64(read_text(images[i])), i < times.size() ? number(times[i], 1) : "?");
  }
  return out + "</div>\n";
}

constexpr const char* kStyle = R"(<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { border-bottom: 2px solid #333; } h2 { border-bottom: 1px solid #999; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
td, th { border: 1px solid #bbb; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef; } tr.rule td { font-weight: bold; background: #f6f6f6; }
td.pass { background: #c8f0c8; } td.fail { background: #f6b8b8; } td.open { background: #fde7a8; }
td.nj { background: #e4e4e4; } figure { display: inline-block; margin: 0.3em; }
img { max-width: 520px; border: 1px solid #ccc; } .note { color: #a33; }
</style>
)";

}  // namespace

std::string markdown_to_html(const std::string& markdown) {
  std::string out;
  bool in_table = false;
  std::size_t start = 0;
  while (start < markdown.size()) {
    std::size_t end = markdown.find('\n', start);
    if (end == std::string::npos) end = markdown.size();
    const std::string line = markdown.substr(start, end - start);
    start = end + 1;
    if (line.rfind('|', 0) == 0) {
      if (line.find("---") != std::string::npos &&
          line.find_first_not_of("|- ") == std::string::npos)
        continue;  // the header rule
      std::vector<std::string> cells;
      std::size_t p = 1;
      while (p < line.size()) {
        const std::size_t q = line.find('|', p);
        if (q == std::string::npos) break;
        std::string cell = line.substr(p, q - p);
        cell.erase(0, cell.find_first_not_of(' '));
        cell.erase(cell.find_last_not_of(' ') + 1);
        cells.push_back(cell);
        p = q + 1;
      }
      const char* tag = in_table ? "td" : "th";
      if (!in_table) out += "<table class=\"compare\">";
      out += "<tr>";
      for (const std::string& c : cells) out += fmt::format("<{0}>{1}</{0}>", tag, html_escape(c));
      out += "</tr>\n";
      in_table = true;
      continue;
    }
    if (in_table) out += "</table>\n";
    in_table = false;
    if (line.empty()) continue;
    if (line.rfind("## ", 0) == 0) {
      out += "<h3>" + html_escape(line.substr(3)) + "</h3>\n";
    } else if (line.rfind("# ", 0) == 0) {
      continue;  // the document's own title: the report has its headings
    } else {
      // **bold** pairs, the only inline markup compare_markdown writes.
      std::string text = html_escape(line);
      for (bool open = true;; open = !open) {
        const std::size_t at = text.find("**");
        if (at == std::string::npos) break;
        text.replace(at, 2, open ? "<b>" : "</b>");
      }
      out += "<p>" + text + "</p>\n";
    }
  }
  if (in_table) out += "</table>\n";
  return out;
}

std::vector<std::string> write_report(const ReportOptions& options) {
  if (options.runs.empty()) throw bad_input("give at least one run: runaway report RUN [RUN...]");
  if (options.output.empty()) throw bad_input("say where the report goes: -o report.html");
  std::vector<Run> runs;
  for (const fs::path& p : options.runs) runs.push_back(load_run(p));
  std::vector<std::string> notes;
  const fs::path viz = options.images ? find_viz(options.viz) : fs::path();
  if (options.images && viz.empty()) {
    notes.push_back("3D pictures left out: runaway-viz not found next to runaway or on PATH");
  }
  const fs::path scratch =
      options.output.parent_path().empty() ? fs::path(".") : options.output.parent_path();
  const fs::path render_dir = scratch / (options.output.filename().string() + ".renders");

  std::string body;
  std::string title = "Thermal-propagation report: ";
  for (std::size_t i = 0; i < runs.size(); ++i) title += (i ? ", " : "") + runs[i].summary.name;
  if (runs.size() > 1) {
    std::vector<RunSummary> summaries;
    ChartSpec onsets;
    onsets.title = "Onset by cell, run against run";
    onsets.x_label = "cell";
    onsets.y_label = "onset (s)";
    for (const Run& r : runs) {
      summaries.push_back(r.summary);
      ChartSeries s{r.summary.name, {}, {}, true};
      for (std::size_t c = 0; c < r.summary.cells.size(); ++c) {
        s.x.push_back(double(c));
        s.y.push_back(r.summary.cells[c].onset_time);
      }
      onsets.series.push_back(s);
      onsets.x_min = -0.5;
      onsets.x_max = std::max(std::isfinite(onsets.x_max) ? onsets.x_max : 0.0,
                              double(r.summary.cells.size()) - 0.5);
    }
    // The per-run rows first; the per-cell rows (a dozen per cell) folded away below them.
    std::string runs_table, cells_table, header;
    int table_lines = 0;
    std::istringstream compared(compare_markdown(summaries));
    for (std::string line; std::getline(compared, line);) {
      const bool row = line.rfind('|', 0) == 0;
      table_lines += row ? 1 : 0;
      if (row && table_lines <= 2) {
        header += line + "\n";
      } else if (row && line.rfind("| cell ", 0) == 0) {
        cells_table += line + "\n";
      } else if (table_lines > 0) {  // the title above the table is the report's heading
        runs_table += line + "\n";
      }
    }
    body += "<h2 id=\"comparison\">Comparison of the runs</h2>\n" + svg_chart(onsets) +
            markdown_to_html(header + runs_table) +
            "<details><summary>Per-cell comparison</summary>\n" +
            markdown_to_html(header + cells_table) + "</details>\n";
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const Run& run = runs[i];
    const RunSummary& s = run.summary;
    body += fmt::format("<h2 id=\"run{}\">{}</h2>\n<p>{}</p>\n<p><b>{}</b></p>\n", i,
                        html_escape(s.name), html_escape(run.config.description),
                        html_escape(s.verdict));
    body += "<h3>The pack</h3>\n" + pack_picture(run);
    body += "<h3>Triggers</h3>\n" + triggers_text(run.config);
    body += "<h3>Verdicts</h3>\n";
    body += s.verdicts ? verdict_html(*s.verdicts, fmt::format("verdict-{}", i))
                       : "<p>The pack has no [verdict]: no rule judged it.</p>\n";
    body += "<h3>Onset timeline</h3>\n" + onset_chart(run);
    body += "<h3>Probes</h3>\n" + probe_chart(run);
    if (!viz.empty()) {
      body += "<h3>Temperature and runaway front</h3>\n" +
              renders(run, viz, render_dir / std::to_string(i), notes);
    }
    body += "<h3>Heat budget per cell</h3>\n" + heat_table(s);
    body += "<h3>Provenance</h3>\n" + provenance_html(run);
  }
  std::error_code ignored;
  fs::remove_all(render_dir, ignored);

  std::string notes_html;
  for (const std::string& n : notes) notes_html += "<p class=\"note\">" + html_escape(n) + "</p>\n";
  const std::time_t now = std::time(nullptr);
  char date[32] = "";
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  const std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>\n{1}"
      "</head><body>\n<h1>{0}</h1>\n<p>Written {2} by runaway {3} ({4}): <code>{5}</code>. The "
      "rules as implemented and what the model cannot judge: docs/verdicts.md.</p>\n{6}{7}"
      "</body></html>\n",
      html_escape(title), kStyle, date, build::kVersion, build::kGitCommit,
      html_escape(options.command_line), notes_html, body);
  io::write_file_atomically(options.output, html);
  return notes;
}

}  // namespace runaway::host
