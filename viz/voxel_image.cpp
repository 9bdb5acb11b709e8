#include "viz/voxel_image.hpp"

#include <vtkCellData.h>
#include <vtkContourFilter.h>
#include <vtkDoubleArray.h>
#include <vtkImageData.h>
#include <vtkIntArray.h>
#include <vtkPointData.h>
#include <vtkPolyData.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "common/error.hpp"

namespace runaway::viz {

namespace fs = std::filesystem;

io::ResultsReader open_results(const fs::path& path, bool allow_incomplete) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    throw bad_input(
        "no such results file or run directory; give results.h5 or the directory "
        "`runaway run -o DIR` wrote",
        {path.string(), 0, "", ""});
  }
  if (fs::is_directory(path, error) && !fs::exists(path / io::kResultsFileName, error)) {
    throw bad_input(std::string("the directory has no ") + io::kResultsFileName +
                        "; give results.h5 or the directory `runaway run -o DIR` wrote",
                    {path.string(), 0, "", ""});
  }
  return io::ResultsReader(path, allow_incomplete);
}

std::string run_label(const io::ResultsReader& results) {
  const fs::path dir = fs::absolute(results.path()).lexically_normal().parent_path();
  const std::string name = dir.filename().string();
  return name.empty() ? std::string("run") : name;
}

fs::path default_output_dir(const io::ResultsReader& results) {
  return results.path().parent_path() / "viz";
}

void require_field(const io::ResultsReader& results, const std::string& name) {
  if (results.has_field(name)) return;
  std::string known;
  for (const auto& field : results.fields()) known += (known.empty() ? "" : ", ") + field.name;
  throw bad_input("unknown field; " + results.path().string() + " has " +
                      (known.empty() ? std::string("no fields") : known),
                  {"", 0, "--field", name});
}

std::size_t frame_at_time(const io::ResultsReader& results, double time) {
  const std::vector<double>& times = results.frame_times();
  if (times.empty()) {
    throw bad_input("the results have no frames yet", {results.path().string(), 0, "", ""});
  }
  const double span = times.back() - times.front();
  const double tolerance = 1e-9 * std::max(1.0, std::abs(times.back())) + 1e-6 * span;
  if (!std::isfinite(time) || time < times.front() - tolerance || time > times.back() + tolerance) {
    std::ostringstream message;
    message << "time outside the run: its frames go from " << times.front() << " s to "
            << times.back() << " s";
    std::ostringstream value;
    value << time;
    throw bad_input(message.str(), {"", 0, "--time", value.str()});
  }
  std::size_t best = 0;
  for (std::size_t f = 1; f < times.size(); ++f) {
    if (std::abs(times[f] - time) < std::abs(times[best] - time)) best = f;
  }
  return best;
}

vtkSmartPointer<vtkImageData> voxel_cell_image(const io::GridInfo& grid) {
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(grid.nx + 1, grid.ny + 1, grid.nz + 1);
  image->SetOrigin(grid.origin_x, grid.origin_y, grid.origin_z);
  image->SetSpacing(grid.dx, grid.dy, grid.dz);
  return image;
}

vtkSmartPointer<vtkImageData> voxel_centre_image(const io::GridInfo& grid) {
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(grid.nx, grid.ny, grid.nz);
  image->SetOrigin(grid.origin_x + 0.5 * grid.dx, grid.origin_y + 0.5 * grid.dy,
                   grid.origin_z + 0.5 * grid.dz);
  image->SetSpacing(grid.dx, grid.dy, grid.dz);
  return image;
}

namespace {

template <class Array, class T>
vtkSmartPointer<Array> make_array(const std::string& name, const std::vector<T>& values) {
  auto array = vtkSmartPointer<Array>::New();
  array->SetName(name.c_str());
  array->SetNumberOfTuples(vtkIdType(values.size()));
  // VTK image data is x fastest, then y, then z: the order of the results arrays.
  std::copy(values.begin(), values.end(), array->GetPointer(0));
  return array;
}

void check_size(vtkImageData& image, std::size_t count, bool cells, const std::string& name) {
  const auto expected = std::size_t(cells ? image.GetNumberOfCells() : image.GetNumberOfPoints());
  if (count != expected) {
    throw runtime_error("array " + name + " has " + std::to_string(count) + " values for " +
                        std::to_string(expected) + (cells ? " voxels" : " points"));
  }
}

}  // namespace

void add_cell_array(vtkImageData& image, const std::string& name,
                    const std::vector<double>& values) {
  check_size(image, values.size(), true, name);
  image.GetCellData()->AddArray(make_array<vtkDoubleArray>(name, values));
}

void add_cell_array(vtkImageData& image, const std::string& name,
                    const std::vector<std::int32_t>& values) {
  check_size(image, values.size(), true, name);
  image.GetCellData()->AddArray(make_array<vtkIntArray>(name, values));
}

void add_point_array(vtkImageData& image, const std::string& name,
                     const std::vector<double>& values) {
  check_size(image, values.size(), false, name);
  image.GetPointData()->AddArray(make_array<vtkDoubleArray>(name, values));
}

double never_arrived_time(const std::vector<double>& frame_times) {
  if (frame_times.empty()) return 1000.0;
  const double span = frame_times.back() - frame_times.front();
  return frame_times.back() + 1000.0 * std::max(span, 1.0);
}

std::vector<double> arrival_for_contours(const io::GridInfo& g,
                                         const std::vector<std::int32_t>& cell,
                                         std::vector<double> arrival,
                                         const std::vector<double>& frame_times) {
  const double never = never_arrived_time(frame_times);
  const double last = frame_times.empty() ? 0.0 : frame_times.back();
  // Next to arrived voxels without a speed to extrapolate: one frame interval after the run.
  const double interval =
      frame_times.size() > 1 ? frame_times.back() - frame_times[frame_times.size() - 2] : 1.0;
  const double next = last + (interval > 0 ? interval : 1.0);
  const double just_after = last + 1e-3 * (next - last);
  const std::vector<double> known = arrival;
  const int n[3] = {g.nx, g.ny, g.nz};
  for (int k = 0; k < g.nz; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::size_t v = g.index(i, j, k);
        double& value = arrival[v];
        if (!std::isnan(value)) continue;
        value = never;
        if (cell[v] < 0) continue;
        // Extrapolate along the axis on which the arrival time rises fastest towards this
        // voxel: the one nearest to the front's direction of travel.
        bool next_to_front = false;
        double rise = -std::numeric_limits<double>::infinity();
        double heading = next;
        for (int axis = 0; axis < 3; ++axis) {
          for (int step : {-1, 1}) {
            int p1[3] = {i, j, k}, p2[3] = {i, j, k};
            p1[axis] += step;
            p2[axis] += 2 * step;
            if (p1[axis] < 0 || p1[axis] >= n[axis]) continue;
            const double a1 = known[g.index(p1[0], p1[1], p1[2])];
            if (std::isnan(a1)) continue;
            next_to_front = true;
            if (p2[axis] < 0 || p2[axis] >= n[axis]) continue;
            const double a2 = known[g.index(p2[0], p2[1], p2[2])];
            if (!std::isnan(a2) && a1 - a2 > rise) {
              rise = a1 - a2;
              heading = a1 + rise;
            }
          }
        }
        // It has not arrived by the last frame, so not before it.
        if (next_to_front) value = std::max(heading, just_after);
      }
    }
  }
  return arrival;
}

vtkSmartPointer<vtkPolyData> iso_surface(vtkImageData& image, const std::string& name,
                                         double value) {
  image.GetPointData()->SetActiveScalars(name.c_str());
  auto contour = vtkSmartPointer<vtkContourFilter>::New();
  contour->SetInputData(&image);
  contour->SetInputArrayToProcess(0, 0, 0, vtkDataObject::FIELD_ASSOCIATION_POINTS, name.c_str());
  contour->SetValue(0, value);
  contour->ComputeNormalsOn();
  contour->ComputeScalarsOn();
  contour->Update();
  auto surface = vtkSmartPointer<vtkPolyData>::New();
  surface->ShallowCopy(contour->GetOutput());
  return surface;
}

std::vector<std::vector<double>> cell_boxes(const io::ModelData& model) {
  const io::GridInfo& g = model.grid;
  const int count = model.cell_count();
  constexpr int kBig = std::numeric_limits<int>::max();
  // Voxel index ranges per cell: i0, i1, j0, j1, k0, k1 (inclusive).
  std::vector<std::vector<int>> range(std::size_t(std::max(count, 0)),
                                      std::vector<int>{kBig, -1, kBig, -1, kBig, -1});
  for (int k = 0; k < g.nz; ++k) {
    for (int j = 0; j < g.ny; ++j) {
      for (int i = 0; i < g.nx; ++i) {
        const std::int32_t c = model.cell[g.index(i, j, k)];
        if (c < 0 || c >= count) continue;
        auto& r = range[std::size_t(c)];
        r[0] = std::min(r[0], i);
        r[1] = std::max(r[1], i);
        r[2] = std::min(r[2], j);
        r[3] = std::max(r[3], j);
        r[4] = std::min(r[4], k);
        r[5] = std::max(r[5], k);
      }
    }
  }
  std::vector<std::vector<double>> boxes;
  for (const auto& r : range) {
    if (r[1] < 0) {
      boxes.push_back({1, 0, 1, 0, 1, 0});
      continue;
    }
    boxes.push_back({g.origin_x + r[0] * g.dx, g.origin_x + (r[1] + 1) * g.dx,
                     g.origin_y + r[2] * g.dy, g.origin_y + (r[3] + 1) * g.dy,
                     g.origin_z + r[4] * g.dz, g.origin_z + (r[5] + 1) * g.dz});
  }
  return boxes;
}

}  // namespace runaway::viz
