// The results grid as VTK image data, and what every subcommand needs to pick frames and read
// fields. Voxels are VTK cells: an image of nx+1, ny+1, nz+1 points whose origin is the domain's
// minimum corner carries the voxel values as cell data (as results.xdmf shows them). Iso-surfaces
// use a second image whose points are the voxel centres, where the values are known, so a
// contour interpolates between known values instead of between corner averages.
#pragma once

#include <vtkSmartPointer.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "io/model.hpp"
#include "io/results_reader.hpp"

class vtkImageData;
class vtkPolyData;

namespace runaway::viz {

// Opens results.h5 (or the run directory holding it). A missing, foreign, corrupt or (unless
// `allow_incomplete`) incomplete file is a runaway::Error of kind bad input.
io::ResultsReader open_results(const std::filesystem::path& path, bool allow_incomplete);

// The run's name for titles and legends: the run directory's name.
std::string run_label(const io::ResultsReader& results);

// Where output goes when the user gives no -o: <run directory>/viz.
std::filesystem::path default_output_dir(const io::ResultsReader& results);

// Throws bad input naming the fields the file has when `name` is not one of them.
void require_field(const io::ResultsReader& results, const std::string& name);

// The frame nearest to `time` (s). A time before the first frame or after the last one is bad
// input naming the run's time span.
std::size_t frame_at_time(const io::ResultsReader& results, double time);

// Voxels as cells: dims n+1, origin at the domain's corner, no arrays yet.
vtkSmartPointer<vtkImageData> voxel_cell_image(const io::GridInfo& grid);
// Points at voxel centres: dims n, origin at the centre of voxel (0, 0, 0), no arrays yet.
vtkSmartPointer<vtkImageData> voxel_centre_image(const io::GridInfo& grid);

// Adds `values` ([z][y][x], x fastest) as the named cell array or point array.
void add_cell_array(vtkImageData& image, const std::string& name,
                    const std::vector<double>& values);
void add_cell_array(vtkImageData& image, const std::string& name,
                    const std::vector<std::int32_t>& values);
void add_point_array(vtkImageData& image, const std::string& name,
                     const std::vector<double>& values);

// arrival_time holds NaN where runaway has not arrived; contours need a number there. This one
// stands for "never": far after the run (the last frame time plus 1000 times the run's span,
// at least 1000 s), so that a front closes against a voxel the front never reaches within a
// thousandth of a voxel spacing from the last arrived voxel's centre, at every time.
double never_arrived_time(const std::vector<double>& frame_times);

// The arrival-time field of the last frame, ready for contours at frame times. A not-arrived
// voxel of a battery cell (cell id >= 0) next to arrived ones gets the time the front would
// reach it, extrapolated linearly from the two arrived voxels behind it along the grid axis on
// which the arrival time rises fastest (the axis nearest to the front's direction of travel),
// but not before the last frame; without two arrived voxels behind it, the last frame time plus
// one frame interval. So the front at the last frame time lies where it was heading, not pulled
// back to the arrived voxels (with "one interval later" alone, a spherical front of 16 voxels
// radius came out 2 % small). Every other not-arrived voxel (outside the cells, or not next to
// the front) gets never_arrived_time().
std::vector<double> arrival_for_contours(const io::GridInfo& grid,
                                         const std::vector<std::int32_t>& cell,
                                         std::vector<double> arrival,
                                         const std::vector<double>& frame_times);

// The iso-surface `value` of the point array `name` of `image`: triangles, with normals and the
// array's value on the points. Empty when the value is outside the data.
vtkSmartPointer<vtkPolyData> iso_surface(vtkImageData& image, const std::string& name,
                                         double value);

// Each battery cell's voxel bounding box as {xmin, xmax, ymin, ymax, zmin, zmax} in m, index =
// cell id; a cell without voxels gets an empty box (xmin > xmax).
std::vector<std::vector<double>> cell_boxes(const io::ModelData& model);

}  // namespace runaway::viz
