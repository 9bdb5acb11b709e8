#include "viz/fronts.hpp"

#include <vtkCellArray.h>
#include <vtkIdList.h>
#include <vtkImageData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkXMLPolyDataWriter.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "common/error.hpp"
#include "viz/voxel_image.hpp"

namespace runaway::viz {

namespace fs = std::filesystem;

namespace {

double triangle_area(const double* a, const double* b, const double* c) {
  const double u[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
  const double v[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
  const double n[3] = {u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                       u[0] * v[1] - u[1] * v[0]};
  return 0.5 * std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
}

// Area, area-weighted centroid and radii (distances from the centroid) of a triangulated
// surface.
void measure(vtkPolyData& surface, FrontSummary& summary) {
  struct Triangle {
    double corner[3][3];
    double area;
  };
  std::vector<Triangle> triangles;
  vtkPoints* points = surface.GetPoints();
  vtkCellArray* polys = surface.GetPolys();
  auto ids = vtkSmartPointer<vtkIdList>::New();
  if (points != nullptr && polys != nullptr) {
    for (polys->InitTraversal(); polys->GetNextCell(ids) != 0;) {
      if (ids->GetNumberOfIds() != 3) continue;  // contours are triangles
      Triangle t{};
      for (int c = 0; c < 3; ++c) points->GetPoint(ids->GetId(c), t.corner[c]);
      t.area = triangle_area(t.corner[0], t.corner[1], t.corner[2]);
      triangles.push_back(t);
    }
  }
  summary.triangles = triangles.size();
  summary.area = 0;
  double weighted[3] = {0, 0, 0};
  for (const Triangle& t : triangles) {
    summary.area += t.area;
    for (int d = 0; d < 3; ++d) {
      weighted[d] += t.area * (t.corner[0][d] + t.corner[1][d] + t.corner[2][d]) / 3.0;
    }
  }
  if (summary.area <= 0) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    summary.centroid[0] = summary.centroid[1] = summary.centroid[2] = nan;
    summary.mean_radius = summary.min_radius = summary.max_radius = nan;
    return;
  }
  for (int d = 0; d < 3; ++d) summary.centroid[d] = weighted[d] / summary.area;
  const auto distance = [&](const double* p) {
    const double dx = p[0] - summary.centroid[0];
    const double dy = p[1] - summary.centroid[1];
    const double dz = p[2] - summary.centroid[2];
    return std::sqrt(dx * dx + dy * dy + dz * dz);
  };
  // The corners lie on the interpolated iso-surface; the triangles' interiors cut inside it.
  double weighted_radius = 0;
  summary.min_radius = std::numeric_limits<double>::infinity();
  summary.max_radius = 0;
  for (const Triangle& t : triangles) {
    double sum = 0;
    for (const auto& corner : t.corner) {
      const double r = distance(corner);
      sum += r;
      summary.min_radius = std::min(summary.min_radius, r);
      summary.max_radius = std::max(summary.max_radius, r);
    }
    weighted_radius += t.area * sum / 3.0;
  }
  summary.mean_radius = weighted_radius / summary.area;
}

void write_vtp(vtkPolyData& surface, const fs::path& path) {
  auto writer = vtkSmartPointer<vtkXMLPolyDataWriter>::New();
  writer->SetInputData(&surface);
  writer->SetFileName(path.string().c_str());
  writer->SetDataModeToAppended();
  writer->SetCompressorTypeToZLib();
  if (writer->Write() != 1) throw runtime_error("cannot write " + path.string());
}

// A ParaView data collection: one .vtp per time step, named relative to the .pvd.
void write_pvd(const fs::path& path, const std::vector<FrontSummary>& rows) {
  std::ofstream out(path);
  out.precision(17);
  out << "<?xml version=\"1.0\"?>\n"
      << "<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">\n"
      << "  <Collection>\n";
  for (const auto& row : rows) {
    out << "    <DataSet timestep=\"" << row.time << "\" group=\"\" part=\"0\" file=\"" << row.file
        << "\"/>\n";
  }
  out << "  </Collection>\n</VTKFile>\n";
  if (!out) throw runtime_error("cannot write " + path.string());
}

void write_summary_csv(const fs::path& path, const std::vector<FrontSummary>& rows) {
  std::ofstream out(path);
  out.precision(10);
  out << "surface,frame,time_s,iso_value,iso_units,triangles,area_m2,centroid_x_m,centroid_y_m,"
         "centroid_z_m,mean_radius_m,min_radius_m,max_radius_m,region_volume_m3,file\n";
  for (const auto& r : rows) {
    out << r.surface << ',' << r.frame << ',' << r.time << ',' << r.iso_value << ','
        << (r.surface == "arrival" ? "s" : "K") << ',' << r.triangles << ',' << r.area << ','
        << r.centroid[0] << ',' << r.centroid[1] << ',' << r.centroid[2] << ',' << r.mean_radius
        << ',' << r.min_radius << ',' << r.max_radius << ',' << r.region_volume << ',' << r.file
        << '\n';
  }
  if (!out) throw runtime_error("cannot write " + path.string());
}

fs::path prepare_dir(const fs::path& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw runtime_error("cannot create the output directory: " + error.message(),
                        {dir.string(), 0, "", ""});
  }
  return dir;
}

std::string frame_file(const std::string& folder, std::size_t frame) {
  char name[32];
  std::snprintf(name, sizeof name, "frame_%04zu.vtp", frame);
  return folder + "/" + name;
}

}  // namespace

std::vector<FrontSummary> write_fronts(const FrontsOptions& options) {
  const io::ResultsReader results = open_results(options.results, options.allow_incomplete);
  const std::vector<double>& times = results.frame_times();
  if (times.empty()) {
    throw bad_input("the results have no frames yet", {results.path().string(), 0, "", ""});
  }
  if (!std::isfinite(options.temperature_threshold) || options.temperature_threshold <= 0) {
    throw bad_input("expected a temperature in K above 0", {"", 0, "--threshold", ""});
  }
  const bool has_arrival = results.has_field("arrival_time");
  const bool has_temperature = results.has_field("temperature");
  if (!has_arrival && !has_temperature) {
    throw bad_input(
        "the results hold neither arrival_time nor temperature; add them to "
        "[output] fields",
        {results.path().string(), 0, "", ""});
  }
  const fs::path out =
      prepare_dir(options.output_dir.empty() ? default_output_dir(results) : options.output_dir);
  const io::GridInfo& grid = results.grid();
  const double voxel_volume = grid.dx * grid.dy * grid.dz;
  std::vector<FrontSummary> all;

  if (has_arrival) {
    // The last frame knows every arrival so far; the front at time t is where it equals t.
    const std::vector<double> arrival = results.read_field("arrival_time", times.size() - 1);
    auto image = voxel_centre_image(grid);
    add_point_array(*image, "arrival_time",
                    arrival_for_contours(grid, results.model().cell, arrival, times));
    prepare_dir(out / "fronts_arrival");
    std::vector<FrontSummary> rows;
    for (std::size_t f = 0; f < times.size(); ++f) {
      FrontSummary row;
      row.surface = "arrival";
      row.frame = f;
      row.time = row.iso_value = times[f];
      row.file = frame_file("fronts_arrival", f);
      auto surface = iso_surface(*image, "arrival_time", times[f]);
      measure(*surface, row);
      std::size_t behind = 0;
      for (double a : arrival) behind += (a <= times[f]) ? 1 : 0;  // NaN compares false
      row.region_volume = double(behind) * voxel_volume;
      write_vtp(*surface, out / row.file);
      rows.push_back(row);
    }
    write_pvd(out / "fronts_arrival.pvd", rows);
    all.insert(all.end(), rows.begin(), rows.end());
  }

  if (has_temperature) {
    prepare_dir(out / "fronts_temperature");
    std::vector<FrontSummary> rows;
    for (std::size_t f = 0; f < times.size(); ++f) {
      const std::vector<double> temperature = results.read_field("temperature", f);
      auto image = voxel_centre_image(grid);
      add_point_array(*image, "temperature", temperature);
      FrontSummary row;
      row.surface = "temperature";
      row.frame = f;
      row.time = times[f];
      row.iso_value = options.temperature_threshold;
      row.file = frame_file("fronts_temperature", f);
      auto surface = iso_surface(*image, "temperature", options.temperature_threshold);
      measure(*surface, row);
      std::size_t behind = 0;
      for (double t : temperature) behind += (t >= options.temperature_threshold) ? 1 : 0;
      row.region_volume = double(behind) * voxel_volume;
      write_vtp(*surface, out / row.file);
      rows.push_back(row);
    }
    write_pvd(out / "fronts_temperature.pvd", rows);
    all.insert(all.end(), rows.begin(), rows.end());
  }
  write_summary_csv(out / "fronts_summary.csv", all);
  return all;
}

}  // namespace runaway::viz
