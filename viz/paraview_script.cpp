#include "viz/paraview_script.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include "common/error.hpp"
#include "viz/plot.hpp"
#include "viz/voxel_image.hpp"

namespace runaway::viz {

namespace fs = std::filesystem;

namespace {

// The script, with @NAME@ placeholders filled in by write_paraview_script.
constexpr const char* kTemplate = R"PY(#!/usr/bin/env pvpython
"""ParaView view of the runaway run @LABEL@, written by `runaway-viz paraview`.

A picture (off-screen; without an X display run it under
`xvfb-run -a -s "-screen 0 1280x1024x24 -noreset"`; without -noreset pvpython can abort with
"bad X server connection"):
    pvpython --force-offscreen-rendering @SCRIPT_NAME@ view.png [TIME_S]
Interactive:
    paraview --script=@SCRIPT_NAME@

What it shows (ParaView 5.11):
  - "battery cells": the voxels with a cell id >= 0, coloured by temperature (K, "Cool to Warm",
    fixed to the run's range so that a colour means the same temperature at every time step),
    translucent, so that what is inside shows through;
  - "above onset": the cells' voxels hotter than the onset temperature at the current time,
    opaque, in the same colours;
  - "runaway front": isosurfaces of arrival_time (s) at several times, taken from the last
    frame and coloured by arrival time: each surface is where the front was at that time.
results.xdmf is read with the "XDMF Reader"; ParaView's Xdmf3 readers mis-join the relative
HDF5 path inside it (docs/output-format.md). Every setting below is a plain ParaView property:
change it in the Properties panel or here.
"""
import os
import sys

from paraview.simple import (CellDatatoPointData, ColorBy, Contour, ForceTime, GetActiveCamera,
                             GetActiveViewOrCreate, GetAnimationScene, GetColorTransferFunction,
                             GetScalarBar, PythonCalculator, Render, ResetCamera, SaveScreenshot,
                             SetActiveSource, Show, Threshold, XDMFReader)

LABEL = @LABEL_PY@
try:
    HERE = os.path.dirname(os.path.abspath(__file__))
except NameError:  # run from ParaView's Python shell
    HERE = os.getcwd()
# results.xdmf relative to this script, so that the run directory can move; else where it was.
XDMF = os.path.normpath(os.path.join(HERE, @XDMF_RELATIVE@))
if not os.path.exists(XDMF):
    XDMF = @XDMF_ABSOLUTE@
TEMPERATURE_RANGE = (@T_MIN@, @T_MAX@)  # K, over the run's battery cells
ONSET_TEMPERATURE = @T_ONSET@  # K, @T_ONSET_SOURCE@
FRONT_TIMES = [@FRONT_TIMES@]  # s, isochrones of the runaway front
NOT_ARRIVED = @NOT_ARRIVED@  # s, far after the run: stands for NaN (never arrived)
FIRST_TIME, LAST_TIME = @T_FIRST@, @T_LAST@  # s, the first and last frames
CELL_BOUNDS = (@CELL_BOUNDS@)  # m, xmin xmax ymin ymax zmin zmax of the battery cells
IMAGE_SIZE = [1280, 800]  # pixels of a screenshot


def style_bar(bar, title, units, corner):
    bar.Title = title
    bar.ComponentTitle = units
    bar.WindowLocation = corner
    bar.TitleFontSize = 16
    bar.LabelFontSize = 14
    bar.ScalarBarLength = 0.4
    bar.AutomaticLabelFormat = 0
    bar.LabelFormat = "%-#.4g"
    bar.RangeLabelFormat = "%-#.4g"


def show_view(time):
    reader = XDMFReader(registrationName="results.xdmf", FileNames=[XDMF])
    reader.CellArrayStatus = list(reader.CellArrayStatus)  # every field, material and cell id
    view = GetActiveViewOrCreate("RenderView")
    view.ViewSize = IMAGE_SIZE
    view.OrientationAxesVisibility = 1
    scene = GetAnimationScene()
    scene.UpdateAnimationUsingDataTimeSteps()
    scene.AnimationTime = time
    view.ViewTime = time

    temperature_colours = GetColorTransferFunction("temperature")
    temperature_colours.ApplyPreset("Cool to Warm", True)
    temperature_colours.AutomaticRescaleRangeMode = "Never"

    cells = Threshold(registrationName="battery cells", Input=reader)
    cells.Scalars = ["CELLS", "cell"]
    cells.LowerThreshold = 0
    cells.UpperThreshold = 1e9
    cells.ThresholdMethod = "Between"
    cells_display = Show(cells, view)
    ColorBy(cells_display, ("CELLS", "temperature"))
    cells_display.LookupTable = temperature_colours
    cells_display.Opacity = 0.35
    cells_display.SetScalarBarVisibility(view, True)

    hot = Threshold(registrationName="above onset", Input=cells)
    hot.Scalars = ["CELLS", "temperature"]
    hot.LowerThreshold = ONSET_TEMPERATURE
    hot.UpperThreshold = 1e9
    hot.ThresholdMethod = "Between"
    hot_display = Show(hot, view)
    ColorBy(hot_display, ("CELLS", "temperature"))
    hot_display.LookupTable = temperature_colours

    front = None
    if FRONT_TIMES:
        last = ForceTime(registrationName="last frame", Input=reader)
        last.ForcedTime = LAST_TIME
        last.IgnorePipelineTime = 1
        filled = PythonCalculator(registrationName="arrival time without NaN", Input=last)
        filled.ArrayAssociation = "Cell Data"
        filled.ArrayName = "arrival"
        filled.Expression = "numpy.where(numpy.isnan(arrival_time), %r, arrival_time)" % (
            NOT_ARRIVED)
        points = CellDatatoPointData(registrationName="arrival time at points", Input=filled)
        front = Contour(registrationName="runaway front", Input=points)
        front.ContourBy = ["POINTS", "arrival"]
        front.Isosurfaces = FRONT_TIMES
        front.ComputeScalars = 1
        front_display = Show(front, view)
        ColorBy(front_display, ("POINTS", "arrival"))
        arrival_colours = GetColorTransferFunction("arrival")
        arrival_colours.ApplyPreset("Viridis (matplotlib)", True)
        arrival_colours.AutomaticRescaleRangeMode = "Never"
        front_display.LookupTable = arrival_colours
        front_display.SetScalarBarVisibility(view, True)

    # Fixed colour ranges, set after ColorBy (which rescales to the data at the current time).
    temperature_colours.RescaleTransferFunction(*TEMPERATURE_RANGE)
    style_bar(GetScalarBar(temperature_colours, view), "temperature", "(K)",
              "Upper Right Corner")
    if front is not None:
        arrival_colours.RescaleTransferFunction(FRONT_TIMES[0], max(FRONT_TIMES[-1],
                                                                    FRONT_TIMES[0] + 1e-9))
        style_bar(GetScalarBar(arrival_colours, view), "runaway front: arrival time", "(s)",
                  "Upper Left Corner")

    # Seen from the front left and above, z up, the battery cells filling the view.
    centre = [0.5 * (CELL_BOUNDS[2 * a] + CELL_BOUNDS[2 * a + 1]) for a in range(3)]
    size = max(CELL_BOUNDS[2 * a + 1] - CELL_BOUNDS[2 * a] for a in range(3))
    view.CameraFocalPoint = centre
    view.CameraPosition = [centre[0] + 0.55 * size, centre[1] - 1.0 * size,
                           centre[2] + 0.75 * size]
    view.CameraViewUp = [0.0, 0.0, 1.0]
    ResetCamera(view)
    GetActiveCamera().Dolly(1.15)
    SetActiveSource(cells)
    Render(view)

    hot.UpdatePipeline(time)
    points_on_front = 0
    if front is not None:
        front.UpdatePipeline(time)
        points_on_front = front.GetDataInformation().GetNumberOfPoints()
    print("view: %s at t = %g s (frames %g s to %g s)" % (LABEL, time, FIRST_TIME, LAST_TIME))
    print("front: %d isochrones, %d points" % (len(FRONT_TIMES), points_on_front))
    print("above onset: %d voxels above %g K" % (hot.GetDataInformation().GetNumberOfCells(),
                                                 ONSET_TEMPERATURE))
    return view


def main(argv):
    screenshot = argv[1] if len(argv) > 1 and argv[1] else None
    time = LAST_TIME
    if len(argv) > 2:
        time = float(argv[2])
        if not FIRST_TIME <= time <= LAST_TIME:
            sys.stderr.write("time %g s is outside the run (%g s to %g s)\n"
                             % (time, FIRST_TIME, LAST_TIME))
            return 2
    view = show_view(time)
    if screenshot:
        SaveScreenshot(screenshot, view, ImageResolution=IMAGE_SIZE)
        print("screenshot: " + screenshot)
    return 0


# pvpython passes the arguments after the script; ParaView's GUI (--script) passes none.
status = main(getattr(sys, "argv", []))
if status:
    sys.exit(status)
)PY";

std::string python_string(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '\\' || c == '"') quoted += '\\';
    if (c == '\n') {
      quoted += "\\n";
      continue;
    }
    quoted += c;
  }
  return quoted + "\"";
}

std::string number(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.10g", value);
  std::string s = text;
  // A Python float literal, never an int, so that the script's arithmetic is in floats.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

void replace_all(std::string& text, const std::string& key, const std::string& value) {
  for (std::size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
}

}  // namespace

fs::path write_paraview_script(const ParaviewOptions& o) {
  const io::ResultsReader results = open_results(o.results, o.allow_incomplete);
  const std::vector<double>& times = results.frame_times();
  if (times.empty()) {
    throw bad_input("the results have no frames yet", {results.path().string(), 0, "", ""});
  }
  const fs::path xdmf = fs::absolute(results.path()).parent_path() / io::kResultsXdmfFileName;
  std::error_code error;
  if (!fs::exists(xdmf, error)) {
    throw bad_input(std::string("no ") + io::kResultsXdmfFileName +
                        " beside the results: ParaView reads the run through it",
                    {xdmf.string(), 0, "", ""});
  }
  if (!results.has_field("temperature")) {
    throw bad_input("the results have no temperature field; add it to [output] fields",
                    {results.path().string(), 0, "", ""});
  }
  if (o.onset_temperature && (!std::isfinite(*o.onset_temperature) || *o.onset_temperature <= 0)) {
    throw bad_input("expected a temperature in K above 0", {"", 0, "--threshold", ""});
  }

  const io::ModelData model = results.model();
  bool any_cell = false;
  for (std::int32_t c : model.cell) any_cell = any_cell || c >= 0;

  // The temperature range over the battery cells: the first frame and the hottest voxel of the
  // per-cell series (which samples more often than frames), else the last frame.
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (std::size_t f : {std::size_t(0), times.size() - 1}) {
    const std::vector<double> temperature = results.read_field("temperature", f);
    for (std::size_t v = 0; v < temperature.size(); ++v) {
      if ((any_cell && model.cell[v] < 0) || !std::isfinite(temperature[v])) continue;
      low = std::min(low, temperature[v]);
      high = std::max(high, temperature[v]);
    }
  }
  const io::CellSeries series = results.cell_series();
  for (double t : series.max_temperature) {
    if (std::isfinite(t)) high = std::max(high, t);
  }
  if (!(low < high)) {
    if (!(low <= high)) low = high = 298.15;
    low -= 0.5;
    high += 0.5;
  }

  // The onset temperature: given, else the median cell temperature at onset, else 200 degC.
  double onset = 473.15;
  std::string onset_source = "the default (no runaway onset in the run)";
  if (o.onset_temperature) {
    onset = *o.onset_temperature;
    onset_source = "given with --threshold";
  } else {
    std::vector<double> at_onset;
    for (const auto& e : results.events()) {
      if (is_onset_kind(e.kind) && e.cell >= 0 && std::isfinite(e.temperature)) {
        at_onset.push_back(e.temperature);
      }
    }
    if (!at_onset.empty()) {
      std::sort(at_onset.begin(), at_onset.end());
      onset = at_onset[at_onset.size() / 2];
      onset_source = "the median cell temperature at runaway onset (" +
                     std::to_string(at_onset.size()) + " cells)";
    }
  }

  // Isochrones: up to 8 times, evenly spaced from the first arrival to the last frame.
  std::vector<double> front_times;
  if (results.has_field("arrival_time")) {
    double first = std::numeric_limits<double>::infinity();
    for (double a : results.read_field("arrival_time", times.size() - 1)) {
      if (std::isfinite(a)) first = std::min(first, a);
    }
    if (std::isfinite(first)) {
      const double last = times.back();
      const int count = last > first ? 8 : 1;
      for (int i = 0; i < count; ++i) {
        front_times.push_back(count == 1 ? first : first + (last - first) * (i + 0.5) / count);
      }
    }
  }

  std::vector<double> bounds = {
      model.grid.origin_x, model.grid.origin_x + model.grid.nx * model.grid.dx,
      model.grid.origin_y, model.grid.origin_y + model.grid.ny * model.grid.dy,
      model.grid.origin_z, model.grid.origin_z + model.grid.nz * model.grid.dz};
  if (any_cell) {
    bounds = {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
              std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
              std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    for (const auto& box : cell_boxes(model)) {
      if (box[0] > box[1]) continue;
      for (std::size_t a = 0; a < 3; ++a) {
        bounds[2 * a] = std::min(bounds[2 * a], box[2 * a]);
        bounds[2 * a + 1] = std::max(bounds[2 * a + 1], box[2 * a + 1]);
      }
    }
  }

  fs::path script = o.script.empty() ? default_output_dir(results) / "paraview_view.py" : o.script;
  script = fs::absolute(script);
  fs::create_directories(script.parent_path(), error);
  if (error) {
    throw runtime_error("cannot create the directory: " + error.message(),
                        {script.parent_path().string(), 0, "", ""});
  }

  std::string text = kTemplate;
  auto join = [](const std::vector<double>& values) {
    std::string list;
    for (double v : values) list += (list.empty() ? "" : ", ") + number(v);
    return list;
  };
  replace_all(text, "@LABEL_PY@", python_string(run_label(results)));
  replace_all(text, "@LABEL@", run_label(results));
  replace_all(text, "@SCRIPT_NAME@", script.filename().string());
  replace_all(text, "@XDMF_RELATIVE@",
              python_string(fs::relative(xdmf, script.parent_path(), error).string()));
  replace_all(text, "@XDMF_ABSOLUTE@", python_string(xdmf.lexically_normal().string()));
  replace_all(text, "@T_MIN@", number(low));
  replace_all(text, "@T_MAX@", number(high));
  replace_all(text, "@T_ONSET@", number(onset));
  replace_all(text, "@T_ONSET_SOURCE@", onset_source);
  replace_all(text, "@FRONT_TIMES@", join(front_times));
  replace_all(text, "@NOT_ARRIVED@", number(never_arrived_time(times)));
  replace_all(text, "@T_FIRST@", number(times.front()));
  replace_all(text, "@T_LAST@", number(times.back()));
  replace_all(text, "@CELL_BOUNDS@", join(bounds));

  std::ofstream out(script);
  out << text;
  out.close();
  if (!out) throw runtime_error("cannot write the script", {script.string(), 0, "", ""});
  return script;
}

}  // namespace runaway::viz
