// Which way heat enters each cell (docs/physics.md "Heat pathways"): the flux through every face
// between a cell's voxel and what is not that cell, over a step, split by what lies across it —
// gas (its conduction and, across a radiating gap, its radiation), another solid (barrier, plate,
// busbar), another cell, or the model's boundary. Evaluated with the step's conductances and its
// end temperatures (a first-order estimate of the step's integral; a diagnostic, it feeds nothing
// back). The plume's deposits are booked where they are made (kernels/vent_plume.hpp).
#pragma once

#include "kernels/exact_sum.hpp"
#include "kernels/grid.hpp"
#include "kernels/hd.hpp"

namespace runaway::kernels {

enum class HeatPathway : int {
  kGasConduction = 0,  // across gas: its conduction share (gaps, the air around cells)
  kGapRadiation,       // across a radiating gas gap: its radiation share
  kSolidContact,       // from solids outside cells (barriers, plates, busbars, walls)
  kCellContact,        // from another cell touching it
  kBoundary,           // through the model's boundary (its conditions)
};
inline constexpr int kHeatPathwayCount = 5;

// A face of a cell's surface. The other side is categorised once: kGasConduction (gas, whose
// radiation share is split off at run time), kSolidContact, kCellContact or kBoundary.
struct CellSurfaceFace {
  Index voxel = 0;              // padded index of the cell's voxel
  Index other = 0;              // padded index across the face (a ghost on the boundary)
  Index conductance_index = 0;  // where the face's G is stored (the higher of the two indices)
  int axis = 0;
  int category = 0;   // a HeatPathway, kGapRadiation excluded
  double k_cell = 0;  // conductivity of the cell's voxel along `axis`, W/(m K)
  double k_gas = 0;   // conduction of the gas across (0 unless kGasConduction), W/(m K)
  double h2 = 0;      // h_axis^2, m^2
};

// The radiative share of a gas face's flux. The face conducts G = harmonic(k_cell, k_side) / h^2
// with k_side = k_gas + k_rad (conduction and radiation in parallel in the gas, in series with
// the cell's half voxel), so k_side = G h^2 k_cell / (2 k_cell - G h^2) and the radiation carries
// (k_side - k_gas) / k_side of the flux.
RUNAWAY_HD inline double gap_radiation_share(double g, double h2, double k_cell, double k_gas) {
  const double series = g * h2;  // harmonic mean of the two sides, W/(m K)
  const double denominator = 2.0 * k_cell - series;
  if (!(denominator > 0.0) || !(series > 0.0)) return 0.0;
  const double k_side = series * k_cell / denominator;
  const double share = (k_side - k_gas) / k_side;
  return share > 1e-12 ? (share < 1.0 ? share : 1.0) : 0.0;  // round-off of a pure-gas face: 0
}

// The joules each face let into its cell over a step: conducted[m] and radiated[m] (radiated may
// point `count` entries after conducted, so that one pass of SegmentSums sums both).
struct SurfaceHeatFlow {
  const CellSurfaceFace* faces;
  const float* conductance_x;
  const float* conductance_y;
  const float* conductance_z;
  const double* t;   // padded, ghosts current
  double volume_dt;  // voxel volume x step, m^3 s
  double* conducted;
  double* radiated;
  RUNAWAY_HD void operator()(Index m) const {
    const CellSurfaceFace& f = faces[m];
    const float* g = f.axis == 0 ? conductance_x : (f.axis == 1 ? conductance_y : conductance_z);
    const double conductance = double(g[f.conductance_index]);
    const double joules = volume_dt * conductance * (t[f.other] - t[f.voxel]);
    const double share = f.category == int(HeatPathway::kGasConduction)
                             ? gap_radiation_share(conductance, f.h2, f.k_cell, f.k_gas)
                             : 0.0;
    radiated[m] = joules * share;
    conducted[m] = joules - radiated[m];
  }
};

// Sums values[begin[s] .. end[s]) into out[s], one segment (a cell's pathway) per index, in order:
// the same on any thread count.
struct SegmentSums {
  const Index* begin;
  const Index* end;
  const double* values;
  CompensatedSum* out;
  RUNAWAY_HD void operator()(Index s) const {
    CompensatedSum sum;
    for (Index m = begin[s]; m < end[s]; ++m) sum.add(values[m]);
    out[s] = sum;
  }
};

}  // namespace runaway::kernels
