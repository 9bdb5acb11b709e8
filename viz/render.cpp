#include "viz/render.hpp"

#include <sys/wait.h>
#include <unistd.h>
#include <vtkActor.h>
#include <vtkAppendPolyData.h>
#include <vtkCamera.h>
#include <vtkCellData.h>
#include <vtkColorTransferFunction.h>
#include <vtkDataSetSurfaceFilter.h>
#include <vtkExtractVOI.h>
#include <vtkImageData.h>
#include <vtkLookupTable.h>
#include <vtkOutlineSource.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkScalarBarActor.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkThreshold.h>
#include <vtkUnstructuredGrid.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "common/error.hpp"
#include "viz/offscreen.hpp"
#include "viz/voxel_image.hpp"

namespace runaway::viz {

namespace fs = std::filesystem;

namespace {

// Colours of the scene (RGB, 0..1): ParaView's default background, so that the picture looks
// like the ParaView view a user opens next; a green front, a colour the colour map never uses.
constexpr double kBackground[3] = {0.32, 0.34, 0.43};
constexpr double kFrontColour[3] = {0.30, 0.90, 0.10};
constexpr double kFrontOpacity = 0.35;
// The pack's share of the image width; the colour bar has the rest, on the right.
constexpr double kModelWidth = 0.86;
constexpr double kOutlineColour[3] = {0.0, 0.0, 0.0};
constexpr double kTextColour[3] = {1.0, 1.0, 1.0};

// Moreland's "Cool to Warm" diverging map (ParaView's default): blue at the minimum, red at the
// maximum, light grey in the middle.
vtkSmartPointer<vtkLookupTable> cool_to_warm(double low, double high) {
  auto colours = vtkSmartPointer<vtkColorTransferFunction>::New();
  colours->SetColorSpaceToDiverging();
  colours->AddRGBPoint(0.0, 0.231373, 0.298039, 0.752941);
  colours->AddRGBPoint(1.0, 0.705882, 0.0156863, 0.14902);
  auto table = vtkSmartPointer<vtkLookupTable>::New();
  table->SetNumberOfTableValues(256);
  for (int i = 0; i < 256; ++i) {
    double rgb[3];
    colours->GetColor(double(i) / 255.0, rgb);
    table->SetTableValue(i, rgb[0], rgb[1], rgb[2], 1.0);
  }
  table->SetTableRange(low, high);
  return table;
}

struct Scene {
  vtkSmartPointer<vtkRenderer> renderer = vtkSmartPointer<vtkRenderer>::New();  // the pack
  vtkSmartPointer<vtkRenderer> legend = vtkSmartPointer<vtkRenderer>::New();    // colour bar
  vtkSmartPointer<vtkRenderWindow> window = vtkSmartPointer<vtkRenderWindow>::New();
  vtkSmartPointer<vtkPolyDataMapper> cells_mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  vtkSmartPointer<vtkActor> cells = vtkSmartPointer<vtkActor>::New();
  vtkSmartPointer<vtkPolyDataMapper> front_mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  vtkSmartPointer<vtkActor> front = vtkSmartPointer<vtkActor>::New();
  vtkSmartPointer<vtkTextActor> title = vtkSmartPointer<vtkTextActor>::New();
};

// Voxel index range (inclusive) of all battery cells; the whole grid when there are none.
std::array<int, 6> cells_index_range(const io::ModelData& model) {
  const io::GridInfo& g = model.grid;
  std::array<int, 6> r = {g.nx, -1, g.ny, -1, g.nz, -1};
  for (int k = 0; k < g.nz; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        if (model.cell[g.index(i, j, k)] < 0) continue;
        r[0] = std::min(r[0], i);
        r[1] = std::max(r[1], i);
        r[2] = std::min(r[2], j);
        r[3] = std::max(r[3], j);
        r[4] = std::min(r[4], k);
        r[5] = std::max(r[5], k);
      }
    }
  }
  if (r[1] < 0) r = {0, g.nx - 1, 0, g.ny - 1, 0, g.nz - 1};
  return r;
}

// The battery cells' surfaces (after the cut) with the field as cell data.
vtkSmartPointer<vtkPolyData> cell_surfaces(const io::GridInfo& grid,
                                           const std::vector<std::int32_t>& cell,
                                           const std::string& field,
                                           const std::vector<double>& values,
                                           const std::array<int, 6>& voi) {
  auto image = voxel_cell_image(grid);
  add_cell_array(*image, field, values);
  add_cell_array(*image, "cell", cell);
  auto extract = vtkSmartPointer<vtkExtractVOI>::New();
  extract->SetInputData(image);
  extract->SetVOI(voi[0], voi[1], voi[2], voi[3], voi[4], voi[5]);  // point indices
  auto threshold = vtkSmartPointer<vtkThreshold>::New();
  threshold->SetInputConnection(extract->GetOutputPort());
  threshold->SetInputArrayToProcess(0, 0, 0, vtkDataObject::FIELD_ASSOCIATION_CELLS, "cell");
  threshold->SetLowerThreshold(0);
  threshold->SetUpperThreshold(double(std::numeric_limits<std::int32_t>::max()));
  threshold->SetThresholdFunction(vtkThreshold::THRESHOLD_BETWEEN);
  auto surface = vtkSmartPointer<vtkDataSetSurfaceFilter>::New();
  surface->SetInputConnection(threshold->GetOutputPort());
  surface->Update();
  auto result = vtkSmartPointer<vtkPolyData>::New();
  result->ShallowCopy(surface->GetOutput());
  return result;
}

// Each cell's bounding box, clipped to the region the cut keeps.
vtkSmartPointer<vtkPolyData> cell_outlines(const io::ModelData& model,
                                           const std::array<double, 6>& kept) {
  auto append = vtkSmartPointer<vtkAppendPolyData>::New();
  int count = 0;
  for (auto box : cell_boxes(model)) {
    for (std::size_t a = 0; a < 3; ++a) {
      box[2 * a] = std::max(box[2 * a], kept[2 * a]);
      box[2 * a + 1] = std::min(box[2 * a + 1], kept[2 * a + 1]);
    }
    if (box[0] >= box[1] || box[2] >= box[3] || box[4] >= box[5]) continue;
    auto outline = vtkSmartPointer<vtkOutlineSource>::New();
    outline->SetBounds(box[0], box[1], box[2], box[3], box[4], box[5]);
    outline->Update();
    append->AddInputData(outline->GetOutput());
    ++count;
  }
  auto result = vtkSmartPointer<vtkPolyData>::New();
  if (count > 0) {
    append->Update();
    result->ShallowCopy(append->GetOutput());
  }
  return result;
}

void place_camera(vtkRenderer& renderer, const std::string& view, const std::string& cut,
                  const double bounds[6]) {
  double direction[3] = {0.55, -1.0, 0.75};  // iso: from the front right, above
  double up[3] = {0, 0, 1};
  if (view == "iso") {
    if (cut == "x") {  // look at the cut face, which faces +x
      direction[0] = 1.0;
      direction[1] = -0.55;
    }
    if (cut == "z") direction[2] = 1.4;  // the cut face faces +z
  } else if (view == "top") {
    direction[0] = 0;
    direction[1] = 0;
    direction[2] = 1;
    up[1] = 1;
    up[2] = 0;
  } else if (view == "front") {
    direction[0] = 0;
    direction[2] = 0;
  } else if (view == "side") {
    direction[0] = 1;
    direction[1] = 0;
    direction[2] = 0;
  }
  const double centre[3] = {0.5 * (bounds[0] + bounds[1]), 0.5 * (bounds[2] + bounds[3]),
                            0.5 * (bounds[4] + bounds[5])};
  vtkCamera* camera = renderer.GetActiveCamera();
  camera->SetFocalPoint(centre);
  camera->SetPosition(centre[0] + direction[0], centre[1] + direction[1], centre[2] + direction[2]);
  camera->SetViewUp(up);
  renderer.ResetCamera(bounds);
  if (view == "iso") camera->Zoom(1.3);
}

std::string format_time(double time) {
  char text[64];
  std::snprintf(text, sizeof text, "%.4g s", time);
  return text;
}

// ffmpeg -framerate R -i DIR/<field>_frame%04d.png ... animation.mp4; false when it failed.
bool make_video(const std::string& ffmpeg, const fs::path& dir, const std::string& field,
                double frame_rate, const fs::path& output) {
  const std::string pattern = (dir / (field + "_frame%04d.png")).string();
  const std::string rate = std::to_string(frame_rate);
  // yuv420p for players that cannot show other pixel formats; it needs even sizes.
  std::vector<std::string> arguments = {ffmpeg, "-nostdin", "-y", "-loglevel", "error"};
  for (const std::string& a : {std::string("-framerate"), rate, std::string("-i"), pattern}) {
    arguments.push_back(a);
  }
  for (const char* a :
       {"-vf", "scale=trunc(iw/2)*2:trunc(ih/2)*2", "-c:v", "libx264", "-pix_fmt", "yuv420p"}) {
    arguments.emplace_back(a);
  }
  arguments.push_back(output.string());
  std::vector<char*> pointers;
  pointers.reserve(arguments.size() + 1);
  for (auto& a : arguments) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  std::fflush(stdout);
  const pid_t child = ::fork();
  if (child < 0) return false;
  if (child == 0) {
    ::execv(ffmpeg.c_str(), pointers.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(child, &status, 0) < 0) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

std::vector<fs::path> render_images(const RenderOptions& o) {
  const io::ResultsReader results = open_results(o.results, o.allow_incomplete);
  require_field(results, o.field);
  const std::vector<double>& times = results.frame_times();
  if (times.empty()) {
    throw bad_input("the results have no frames yet", {results.path().string(), 0, "", ""});
  }
  if (o.cut != "x" && o.cut != "y" && o.cut != "z" && o.cut != "none") {
    throw bad_input("expected x, y, z or none", {"", 0, "--cut", o.cut});
  }
  if (o.view != "iso" && o.view != "top" && o.view != "front" && o.view != "side") {
    throw bad_input("expected iso, top, front or side", {"", 0, "--view", o.view});
  }
  if (o.width < 16 || o.height < 16 || o.width > 3840 || o.height > 2160) {
    throw bad_input("expected a width of 16 to 3840 and a height of 16 to 2160 pixels",
                    {"", 0, "--size", std::to_string(o.width) + " " + std::to_string(o.height)});
  }
  if (!o.range.empty() && (o.range.size() != 2 || !std::isfinite(o.range[0]) ||
                           !std::isfinite(o.range[1]) || o.range[0] >= o.range[1])) {
    throw bad_input("expected two finite numbers MIN MAX with MIN < MAX", {"", 0, "--range", ""});
  }
  if (!(o.frame_rate > 0)) throw bad_input("expected a positive number", {"", 0, "--fps", ""});

  // The frames to draw, in order, each once.
  std::vector<std::size_t> frames;
  if (o.every_frame) {
    for (std::size_t f = 0; f < times.size(); ++f) frames.push_back(f);
  } else if (o.times.empty()) {
    frames.push_back(times.size() - 1);
  } else {
    for (double t : o.times) {
      const std::size_t f = frame_at_time(results, t);
      if (std::find(frames.begin(), frames.end(), f) == frames.end()) frames.push_back(f);
      if (std::abs(times[f] - t) > 1e-9 * std::max(1.0, std::abs(t))) {
        std::printf("--time %g: drawing the nearest frame, %zu at %g s\n", t, f, times[f]);
      }
    }
  }

  const io::ModelData model = results.model();
  const io::GridInfo& grid = model.grid;
  bool any_cell = false;
  for (std::int32_t c : model.cell) any_cell = any_cell || c >= 0;

  // The colour range: given, or the field's range over the battery cells in the frames drawn.
  double low = 0, high = 0;
  if (o.range.size() == 2) {
    low = o.range[0];
    high = o.range[1];
  } else {
    low = std::numeric_limits<double>::infinity();
    high = -low;
    for (std::size_t f : frames) {
      const std::vector<double> values = results.read_field(o.field, f);
      for (std::size_t v = 0; v < values.size(); ++v) {
        if ((any_cell && model.cell[v] < 0) || !std::isfinite(values[v])) continue;
        low = std::min(low, values[v]);
        high = std::max(high, values[v]);
      }
    }
    if (!(low <= high)) low = high = 0;  // all NaN (e.g. arrival_time before any onset)
    if (high - low < 1e-12 * std::max(1.0, std::abs(high))) {
      low -= 0.5;
      high += 0.5;
    }
  }
  std::string units;
  for (const auto& field : results.fields()) {
    if (field.name == o.field) units = field.units;
  }

  // The cut hides the half of the cells nearer the camera of the iso view: the cells keep the
  // voxels below their mid-plane normal to x or z (seen from +x, +z) and above it normal to y
  // (seen from -y), so that x (or y) runs to the right in the picture.
  const std::array<int, 6> cells_range = cells_index_range(model);
  std::array<int, 6> voi = {0, grid.nx, 0, grid.ny, 0, grid.nz};  // point indices
  if (o.cut != "none") {
    const std::size_t axis = o.cut == "x" ? 0 : o.cut == "y" ? 1 : 2;
    const int mid = (cells_range[2 * axis] + cells_range[2 * axis + 1] + 1) / 2;
    if (axis == 1) {
      voi[2 * axis] = std::min(mid, cells_range[2 * axis + 1]);
    } else {
      voi[2 * axis + 1] = std::max(mid, cells_range[2 * axis] + 1);
    }
  }
  const double spacing[3] = {grid.dx, grid.dy, grid.dz};
  const double origin[3] = {grid.origin_x, grid.origin_y, grid.origin_z};
  std::array<double, 6> kept{};  // m, the region the cut keeps
  for (std::size_t a = 0; a < 3; ++a) {
    kept[2 * a] = origin[a] + voi[2 * a] * spacing[a];
    kept[2 * a + 1] = origin[a] + voi[2 * a + 1] * spacing[a];
  }
  const double cell_bounds[6] = {
      grid.origin_x + cells_range[0] * grid.dx, grid.origin_x + (cells_range[1] + 1) * grid.dx,
      grid.origin_y + cells_range[2] * grid.dy, grid.origin_y + (cells_range[3] + 1) * grid.dy,
      grid.origin_z + cells_range[4] * grid.dz, grid.origin_z + (cells_range[5] + 1) * grid.dz};

  // The front at frame time t: arrival_time = t on the last frame (as `runaway-viz fronts`).
  vtkSmartPointer<vtkImageData> arrival;
  if (o.front && results.has_field("arrival_time")) {
    arrival = voxel_centre_image(grid);
    add_point_array(
        *arrival, "arrival_time",
        arrival_for_contours(grid, model.cell, results.read_field("arrival_time", times.size() - 1),
                             times));
  }

  const fs::path out = o.output_dir.empty() ? default_output_dir(results) : o.output_dir;
  std::error_code error;
  fs::create_directories(out, error);
  if (error) {
    throw runtime_error("cannot create the output directory: " + error.message(),
                        {out.string(), 0, "", ""});
  }

  ensure_display();  // may run this command again under Xvfb

  Scene scene;
  scene.window->SetOffScreenRendering(1);
  scene.window->SetSize(o.width, o.height);
  scene.window->SetMultiSamples(0);  // exact colours: no blending at voxel edges
  scene.window->AddRenderer(scene.renderer);
  scene.window->AddRenderer(scene.legend);
  scene.renderer->SetViewport(0.0, 0.0, kModelWidth, 1.0);
  scene.legend->SetViewport(kModelWidth, 0.0, 1.0, 1.0);
  scene.renderer->SetBackground(kBackground[0], kBackground[1], kBackground[2]);
  scene.legend->SetBackground(kBackground[0], kBackground[1], kBackground[2]);

  auto table = cool_to_warm(low, high);
  scene.cells_mapper->SetLookupTable(table);
  scene.cells_mapper->SetScalarModeToUseCellFieldData();
  scene.cells_mapper->SelectColorArray(o.field.c_str());
  scene.cells_mapper->SetScalarRange(low, high);
  scene.cells_mapper->ScalarVisibilityOn();
  scene.cells->SetMapper(scene.cells_mapper);
  // Unlit: a face's colour is exactly the colour bar's colour for its value.
  scene.cells->GetProperty()->LightingOff();
  scene.renderer->AddActor(scene.cells);

  scene.front_mapper->ScalarVisibilityOff();
  scene.front->SetMapper(scene.front_mapper);
  scene.front->GetProperty()->SetColor(kFrontColour[0], kFrontColour[1], kFrontColour[2]);
  scene.front->GetProperty()->SetOpacity(kFrontOpacity);
  scene.front->GetProperty()->SetSpecular(0.3);
  if (arrival) scene.renderer->AddActor(scene.front);

  auto outline_mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  outline_mapper->SetInputData(cell_outlines(model, kept));
  auto outlines = vtkSmartPointer<vtkActor>::New();
  outlines->SetMapper(outline_mapper);
  outlines->GetProperty()->SetColor(kOutlineColour[0], kOutlineColour[1], kOutlineColour[2]);
  outlines->GetProperty()->SetLineWidth(1.5);
  outlines->GetProperty()->LightingOff();
  scene.renderer->AddActor(outlines);

  auto bar = vtkSmartPointer<vtkScalarBarActor>::New();
  bar->SetLookupTable(table);
  const std::string bar_title = o.field + (units.empty() ? "" : " (" + units + ")");
  bar->SetTitle(bar_title.c_str());
  bar->SetNumberOfLabels(5);
  bar->SetLabelFormat("%-#6.4g");
  bar->SetPosition(0.08, 0.08);
  bar->SetWidth(0.84);
  bar->SetHeight(0.84);
  bar->UnconstrainedFontSizeOn();
  bar->GetTitleTextProperty()->SetFontSize(18);
  bar->GetTitleTextProperty()->SetColor(kTextColour[0], kTextColour[1], kTextColour[2]);
  bar->GetLabelTextProperty()->SetFontSize(16);
  bar->GetLabelTextProperty()->SetColor(kTextColour[0], kTextColour[1], kTextColour[2]);
  bar->GetTitleTextProperty()->ShadowOff();
  bar->GetLabelTextProperty()->ShadowOff();
  scene.legend->AddViewProp(bar);

  scene.title->GetTextProperty()->SetFontSize(20);
  scene.title->GetTextProperty()->SetColor(kTextColour[0], kTextColour[1], kTextColour[2]);
  scene.title->GetTextProperty()->SetVerticalJustificationToTop();
  scene.title->SetPosition(12, o.height - 12);
  scene.renderer->AddViewProp(scene.title);

  place_camera(*scene.renderer, o.view, o.cut, cell_bounds);

  const std::string label = run_label(results);
  std::vector<fs::path> written;
  for (std::size_t f : frames) {
    scene.cells_mapper->SetInputData(
        cell_surfaces(grid, model.cell, o.field, results.read_field(o.field, f), voi));
    std::string caption = label + ": " + o.field + " at t = " + format_time(times[f]) + " (frame " +
                          std::to_string(f) + " of " + std::to_string(times.size()) + ")";
    if (arrival) {
      auto surface = iso_surface(*arrival, "arrival_time", times[f]);
      scene.front_mapper->SetInputData(surface);
      if (surface->GetNumberOfPoints() > 0) {
        caption += "\ngreen: runaway front (arrival time = t)";
      }
    }
    if (o.cut != "none") caption += "\ncells cut open at their mid-plane normal to " + o.cut;
    scene.title->SetInput(caption.c_str());
    char name[64];
    std::snprintf(name, sizeof name, "_frame%04zu.png", f);
    const fs::path path = out / (o.field + name);
    write_png(*scene.window, path);
    std::printf("wrote %s (t = %s)\n", path.string().c_str(), format_time(times[f]).c_str());
    written.push_back(path);
  }

  if (o.every_frame && o.video && frames.size() > 1) {
    const std::string ffmpeg = find_program("ffmpeg");
    const fs::path video = out / (o.field + ".mp4");
    if (ffmpeg.empty()) {
      std::printf(
          "no mp4: ffmpeg is not on PATH (Debian: ffmpeg); the PNG frames are the "
          "animation\n");
    } else if (make_video(ffmpeg, out, o.field, o.frame_rate, video)) {
      std::printf("wrote %s\n", video.string().c_str());
      written.push_back(video);
    } else {
      throw runtime_error("ffmpeg could not make the mp4 from the PNG frames",
                          {video.string(), 0, "", ""});
    }
  }
  return written;
}

}  // namespace runaway::viz
