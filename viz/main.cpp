// runaway-viz: pictures of runaway results (docs/visualization.md). It reads results.h5 through
// runaway::io::ResultsReader and draws with VTK; the solver never links VTK (docs/design.md §1).
// Exit codes as the solver's CLI: 0 success, 1 runtime failure, 2 bad input.
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>

#include "common/error.hpp"
#include "viz/fronts.hpp"
#include "viz/offscreen.hpp"
#include "viz/paraview_script.hpp"
#include "viz/plot.hpp"
#include "viz/render.hpp"

namespace {

using namespace runaway::viz;

constexpr const char* kIncompleteHelp =
    "read a results file without the 'complete' mark (a run going on, stopped or killed)";

void add_fronts_command(CLI::App& app, FrontsOptions& o) {
  CLI::App* command = app.add_subcommand(
      "fronts",
      "runaway front surfaces: arrival_time = t and T = threshold at every frame time, as .vtp "
      "files with .pvd time series for ParaView and fronts_summary.csv");
  command->add_option("RESULTS", o.results, "results.h5 or the run directory")->required();
  command->add_option("-o,--output", o.output_dir, "output directory (default: RUN/viz)");
  command
      ->add_option("--threshold", o.temperature_threshold,
                   "temperature of the temperature front, K")
      ->capture_default_str();
  command->add_flag("--incomplete", o.allow_incomplete, kIncompleteHelp);
  command->callback([&o] {
    const auto rows = write_fronts(o);
    std::printf("%-12s %5s %12s %9s %12s %14s\n", "surface", "frame", "time (s)", "triangles",
                "area (m^2)", "mean r (m)");
    for (const auto& r : rows) {
      if (r.triangles == 0) continue;
      std::printf("%-12s %5zu %12.6g %9zu %12.6g %14.6g\n", r.surface.c_str(), r.frame, r.time,
                  r.triangles, r.area, r.mean_radius);
    }
    std::printf(
        "wrote fronts_arrival.pvd, fronts_temperature.pvd and fronts_summary.csv "
        "(%zu surfaces)\n",
        rows.size());
  });
}

void add_render_command(CLI::App& app, RenderOptions& o) {
  CLI::App* command = app.add_subcommand(
      "render",
      "PNG images of the battery cells coloured by a field, with the runaway front and the cell "
      "outlines, rendered off-screen (under xvfb-run when there is no X display)");
  command->add_option("RESULTS", o.results, "results.h5 or the run directory")->required();
  command->add_option("-o,--output", o.output_dir, "output directory (default: RUN/viz)");
  command->add_option("-t,--time", o.times,
                      "time(s) to draw, s; the nearest frame is drawn (default: the last frame)");
  command->add_flag("--every-frame", o.every_frame,
                    "draw every frame, and make an mp4 of them when ffmpeg is on PATH");
  command->add_option("--field", o.field, "field to colour by")->capture_default_str();
  command
      ->add_option("--range", o.range,
                   "MIN MAX of the colour map, in the field's units (default: the field's "
                   "range over the battery cells in the frames drawn)")
      ->expected(2);
  command->add_option("--cut", o.cut, "x, y, z: show the cells cut open at their mid-plane; none")
      ->capture_default_str();
  command->add_option("--view", o.view, "iso, top (from +z), front (from -y), side (from +x)")
      ->capture_default_str();
  command->add_option("--size", "WIDTH HEIGHT of the images, pixels (default: 1280 800)")
      ->expected(2);
  command->add_flag("!--no-front", o.front, "leave out the runaway front");
  command->add_flag("!--no-video", o.video, "no mp4, even when ffmpeg is there");
  command->add_option("--fps", o.frame_rate, "frames per second of the mp4")->capture_default_str();
  command->add_flag("--incomplete", o.allow_incomplete, kIncompleteHelp);
  command->callback([&o, command] {
    const auto* size_option = command->get_option("--size");
    if (size_option->count() > 0) {
      const auto values = size_option->as<std::vector<int>>();
      o.width = values.at(0);
      o.height = values.at(1);
    }
    render_images(o);
  });
}

void add_plot_command(CLI::App& app, PlotOptions& o) {
  CLI::App* command = app.add_subcommand(
      "plot",
      "PNG charts: each cell's temperature history and the event timeline per run; with several "
      "runs, onset time per cell and cells in runaway over time compared; a `runaway fit` CSV: "
      "self-heating rate vs temperature, data vs fit");
  command
      ->add_option("RESULTS", o.results,
                   "results.h5 files or run directories, or `runaway fit` data-vs-fit CSVs")
      ->required()
      ->expected(1, -1);
  command->add_option("-o,--output", o.output_dir,
                      "output directory (default: RUN/viz for one run, ./viz-plots for several)");
  command
      ->add_option("--series", o.series,
                   "cell temperature to plot: mean (volume mean) or max (hottest voxel)")
      ->capture_default_str();
  command->add_option("--size", "WIDTH HEIGHT of the charts, pixels (default: 1200 700)")
      ->expected(2);
  command->add_flag("--incomplete", o.allow_incomplete, kIncompleteHelp);
  command->callback([&o, command] {
    const auto* size_option = command->get_option("--size");
    if (size_option->count() > 0) {
      const auto values = size_option->as<std::vector<int>>();
      o.width = values.at(0);
      o.height = values.at(1);
    }
    write_plots(o);
  });
}

void add_paraview_command(CLI::App& app, ParaviewOptions& o) {
  CLI::App* command = app.add_subcommand(
      "paraview",
      "write a pvpython script that opens results.xdmf in ParaView with the cells coloured by "
      "temperature, the runaway front and the voxels above the onset temperature");
  command->add_option("RESULTS", o.results, "results.h5 or the run directory")->required();
  command->add_option("-o,--output", o.script, "the script (default: RUN/viz/paraview_view.py)");
  command->add_option("--threshold",
                      "show voxels above this temperature, K (default: the median cell "
                      "temperature at runaway onset, else 473.15)");
  command->add_flag("--incomplete", o.allow_incomplete, kIncompleteHelp);
  command->callback([&o, command] {
    const auto* threshold = command->get_option("--threshold");
    if (threshold->count() > 0) o.onset_temperature = threshold->as<double>();
    const auto script = write_paraview_script(o);
    std::printf(
        "wrote %s\nrun: pvpython --force-offscreen-rendering %s view.png   or   "
        "paraview --script=%s\n",
        script.string().c_str(), script.string().c_str(), script.string().c_str());
  });
}

void add_probe_command(CLI::App& app, std::string& file, std::vector<int>& pixels) {
  CLI::App* command = app.add_subcommand(
      "probe-png",
      "print a PNG's size, colour count, most common colour and the RGB of pixels X Y (x from "
      "the left, y from the top); for tests and scripts");
  command->add_option("FILE", file, "the PNG")->required();
  command->add_option("PIXELS", pixels, "X Y pairs");
  command->callback([&file, &pixels] {
    if (pixels.size() % 2 != 0) {
      throw runaway::bad_input("expected X Y pairs", {"", 0, "PIXELS", ""});
    }
    std::vector<std::pair<int, int>> at;
    for (std::size_t i = 0; i + 1 < pixels.size(); i += 2)
      at.emplace_back(pixels[i], pixels[i + 1]);
    const PngProbe probe = probe_png(file, at);
    std::printf("size=%d %d\n", probe.width, probe.height);
    std::printf("distinct_colors=%zu\n", probe.distinct_colors);
    std::printf("most_common=%d %d %d\n", probe.most_common[0], probe.most_common[1],
                probe.most_common[2]);
    std::printf("most_common_fraction=%.6f\n", probe.most_common_fraction);
    for (std::size_t i = 0; i < at.size(); ++i) {
      std::printf("pixel_%d_%d=%d %d %d\n", at[i].first, at[i].second, probe.pixels[i][0],
                  probe.pixels[i][1], probe.pixels[i][2]);
    }
  });
}

int run(int argc, char** argv) {
  CLI::App app{
      "runaway-viz: runaway fronts, rendered images, charts and a ParaView view of "
      "runaway results"};
  app.require_subcommand(1);
  FrontsOptions fronts;
  RenderOptions render;
  PlotOptions plot;
  ParaviewOptions paraview;
  std::string probe_file;
  std::vector<int> probe_pixels;
  add_fronts_command(app, fronts);
  add_render_command(app, render);
  add_plot_command(app, plot);
  add_paraview_command(app, paraview);
  add_probe_command(app, probe_file, probe_pixels);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // CLI usage errors are bad input
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  runaway::viz::remember_command_line(argc, argv);
  try {
    return run(argc, argv);
  } catch (const runaway::Error& e) {
    std::fprintf(stderr, "runaway-viz: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "runaway-viz: error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "runaway-viz: error: unknown failure\n");
    return 1;
  }
}
