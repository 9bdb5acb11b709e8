// Finite-volume heat conduction on the voxel grid: the physics both backends share.
//
//   rho cp dT/dt = div(K grad T)                                   (heat equation, docs/physics.md)
//
// Discretised with a 7-point stencil. The conductance of the face between voxels a and b along
// axis d is G = k_f / h_d^2 with the harmonic mean k_f = 2 k_a k_b / (k_a + k_b), exact for
// layered media. G is precomputed per face in fp32 (docs/design.md §3.3: it makes the CPU loop
// vectorise); because both voxels of a face read the same stored G, the discrete scheme
// conserves energy to round-off whatever the rounding of G.
//
// Boundary faces use the same stencil: the ghost voxel holds the *surface* temperature and the
// face conductance is the half-voxel one, 2k/h^2. The ghost follows from the face's boundary
// condition (fixed temperature, or a convection + radiation balance solved for the surface
// temperature) and the voxel next to it. Adiabatic faces mirror the voxel into its ghost, so their
// flux is exactly zero and a face can change its condition during a run (an oven, a heater).
// Faces shared with another MPI rank (kHalo) are left alone: the halo exchange fills them.
//
// One pass per RKL2 stage (docs/design.md §5.2): a stage writes its new values *and* the ghosts
// that follow from them (WithBoundaryGhosts), so the next stage finds its input complete and no
// separate boundary pass reads the field again. Only the start of a step refreshes the ghosts
// with its own small pass (BoundaryGhostUpdate), because kinetics and sources change T between
// steps.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/grid.hpp"
#include "kernels/hd.hpp"

namespace runaway::kernels {

// Stefan-Boltzmann constant, W/(m^2 K^4) (CODATA 2018; exact since the 2019 SI redefinition).
inline constexpr double kStefanBoltzmann = 5.670374419e-8;

// What one solver needs to evaluate the conduction operator L(T) = div(K grad T) / (rho cp).
struct ConductionView {
  GridShape shape;
  Spacing spacing;
  const float* conductance[3] = {nullptr, nullptr, nullptr};  // G of the low face of each voxel,
                                                              // W/(m^3 K), padded arrays
  const double* inv_heat_capacity = nullptr;  // 1 / (rho cp) per voxel, m^3 K / J, padded
};

enum class BoundaryKind : int {
  kAdiabatic = 0,
  kFixedTemperature,
  kConvectionRadiation,
  kHalo  // shared with a neighbouring rank: the ghost is its voxel, set by the halo exchange
};

// One face's condition. kConvectionRadiation covers convection only (emissivity 0), radiation
// only (heat_transfer_coefficient 0) and both, to the same ambient temperature.
struct BoundaryCondition {
  BoundaryKind kind = BoundaryKind::kAdiabatic;
  double temperature = 298.15;           // fixed surface or ambient temperature, K
  double heat_transfer_coefficient = 0;  // h, W/(m^2 K)
  double emissivity = 0;                 // epsilon of the surface, radiating to `temperature`
};

struct BoundaryFaces {
  BoundaryCondition face[kFaceCount];
};

// Harmonic mean of two conductivities: the exact conductivity of two equal half-voxels in series.
// Zero when both are zero (a non-conducting gas with no radiation across it).
RUNAWAY_HD inline double harmonic_mean(double a, double b) {
  const double sum = a + b;
  return sum > 0 ? 2.0 * a * b / sum : 0.0;
}

// L(T) at padded index c: (1/rho cp) * sum over the six faces of G_f (T_neighbour - T), in K/s.
RUNAWAY_HD inline double conduction_rate(const ConductionView& v, const double* t, Index c) {
  const Index sy = v.shape.stride_y();
  const Index sz = v.shape.stride_z();
  const double tc = t[c];
  const float* gx = v.conductance[0];
  const float* gy = v.conductance[1];
  const float* gz = v.conductance[2];
  const double flux = double(gx[c]) * (t[c - 1] - tc) + double(gx[c + 1]) * (t[c + 1] - tc) +
                      double(gy[c]) * (t[c - sy] - tc) + double(gy[c + sy]) * (t[c + sy] - tc) +
                      double(gz[c]) * (t[c - sz] - tc) + double(gz[c + sz]) * (t[c + sz] - tc);
  return v.inv_heat_capacity[c] * flux;
}

// Surface temperature Ts of a face whose half-voxel conducts a (T - Ts) [a = 2k/h, W/(m^2 K)]
// into convection h (Ts - Ta) plus radiation eps sigma (Ts^4 - Ta^4). The residual is concave and
// decreasing in Ts, so Newton from Ts = T converges monotonically (at most one overshoot).
RUNAWAY_HD inline double robin_surface_temperature(double t_voxel, double a, double h, double eps,
                                                   double t_ambient) {
  if (!(a > 0)) return t_voxel;  // a non-conducting gas: the face carries nothing
  const double es = eps * kStefanBoltzmann;
  const double ta4 = t_ambient * t_ambient * t_ambient * t_ambient;
  double ts = t_voxel;
  for (int iteration = 0; iteration < 30; ++iteration) {
    const double ts3 = ts * ts * ts;
    const double residual = a * (t_voxel - ts) - h * (ts - t_ambient) - es * (ts3 * ts - ta4);
    const double slope = -a - h - 4.0 * es * ts3;
    const double change = residual / slope;
    ts -= change;
    if (std::fabs(change) <= 1e-12 * ts) break;
  }
  return ts;
}

// The ghost value of a face: the surface temperature for a voxel at t_voxel whose boundary face
// has conductance g (2k/h^2) across a voxel of normal edge h_normal. Not for kHalo faces, whose
// ghost belongs to the neighbouring rank (it returns t_voxel there).
RUNAWAY_HD inline double boundary_ghost_value(const BoundaryCondition& bc, double t_voxel, double g,
                                              double h_normal) {
  switch (bc.kind) {
    case BoundaryKind::kAdiabatic:
      return t_voxel;
    case BoundaryKind::kFixedTemperature:
      return bc.temperature;
    case BoundaryKind::kConvectionRadiation:
      return robin_surface_temperature(t_voxel, g * h_normal, bc.heat_transfer_coefficient,
                                       bc.emissivity, bc.temperature);
    case BoundaryKind::kHalo:
      break;
  }
  return t_voxel;
}

// Writes the ghost of face `face` next to interior voxel c (which must lie on that face) from
// t[c]. Each ghost has exactly one interior neighbour, so concurrent calls never collide.
RUNAWAY_HD inline void write_face_ghost(const BoundaryFaces& faces, const ConductionView& v,
                                        int face, Index c, double* t) {
  const BoundaryCondition& bc = faces.face[face];
  if (bc.kind == BoundaryKind::kHalo) return;
  const int axis = face / 2;
  const bool plus = (face % 2) == 1;
  const Index stride = axis == 0 ? 1 : (axis == 1 ? v.shape.stride_y() : v.shape.stride_z());
  const Index ghost = plus ? c + stride : c - stride;
  const double h_normal = axis == 0 ? v.spacing.dx : (axis == 1 ? v.spacing.dy : v.spacing.dz);
  const double g = double(v.conductance[axis][plus ? ghost : c]);  // 2k/h^2 on boundary faces
  t[ghost] = boundary_ghost_value(bc, t[c], g, h_normal);
}

// Writes every ghost next to interior voxel (i, j, k) at padded index c (none for inner voxels).
RUNAWAY_HD inline void write_voxel_ghosts(const BoundaryFaces& faces, const ConductionView& v,
                                          int i, int j, int k, Index c, double* t) {
  const GridShape& s = v.shape;
  if (i == 1) write_face_ghost(faces, v, 0, c, t);
  if (i == s.nx) write_face_ghost(faces, v, 1, c, t);
  if (j == 1) write_face_ghost(faces, v, 2, c, t);
  if (j == s.ny) write_face_ghost(faces, v, 3, c, t);
  if (k == 1) write_face_ghost(faces, v, 4, c, t);
  if (k == s.nz) write_face_ghost(faces, v, 5, c, t);
}

// Refreshes the ghost voxels of one face from its boundary condition (the start of a step).
struct BoundaryGhostUpdate {
  ConductionView v;
  BoundaryFaces faces;
  int face;  // Face as int
  double* t;

  // m runs over the voxels of the face, the first in-face axis fastest.
  RUNAWAY_HD void operator()(Index m) const {
    const GridShape& shape = v.shape;
    const int axis = face / 2;
    const bool plus = (face % 2) == 1;
    const int n_first = axis == 0 ? shape.ny : shape.nx;
    const int a = 1 + int(m % n_first);
    const int b = 1 + int(m / n_first);
    int i = 0;
    int j = 0;
    int k = 0;
    if (axis == 0) {
      i = plus ? shape.nx : 1, j = a, k = b;
    } else if (axis == 1) {
      i = a, j = plus ? shape.ny : 1, k = b;
    } else {
      i = a, j = b, k = plus ? shape.nz : 1;
    }
    write_face_ghost(faces, v, face, shape.index(i, j, k), t);
  }
};

// A stage update f followed, at boundary voxels, by the ghosts of its output array: the fused
// pass. Exec::for_interior_fused calls f(c) for every interior voxel and ghosts(i, j, k, c) for
// those on the box's faces, after f(c) in the same thread.
template <class F>
struct WithBoundaryGhosts {
  F f;
  BoundaryFaces faces;
  double* out;  // the array f writes
  RUNAWAY_HD void operator()(Index c) const { f(c); }
  RUNAWAY_HD void ghosts(int i, int j, int k, Index c) const {
    write_voxel_ghosts(faces, f.v, i, j, k, c, out);
  }
};

// Number of voxels on a face.
RUNAWAY_HD inline Index face_voxel_count(const GridShape& s, int face) {
  const int axis = face / 2;
  return axis == 0 ? Index(s.ny) * s.nz : (axis == 1 ? Index(s.nx) * s.nz : Index(s.nx) * s.ny);
}

// out = T + dt L(T): forward Euler, the reference integrator.
struct ForwardEulerUpdate {
  ConductionView v;
  const double* t;
  double* out;
  double dt;
  RUNAWAY_HD void operator()(Index c) const { out[c] = t[c] + dt * conduction_rate(v, t, c); }
};

// RKL2 coefficients of stage j (Meyer, Balsara & Aslam 2014, J. Comput. Phys. 257, 594, eq. 17),
// with mu_tilde and gamma_tilde already multiplied by the step dt.
struct Rkl2StageCoefficients {
  double mu = 0;
  double nu = 0;
  double mu_tilde_dt = 0;
  double gamma_tilde_dt = 0;
};

// Stage 1: rate0 = L(Y0), Y1 = Y0 + mu_tilde_1 dt rate0.
struct Rkl2FirstStage {
  ConductionView v;
  const double* y0;
  double* rate0;
  double* y1;
  double mu_tilde_dt;
  RUNAWAY_HD void operator()(Index c) const {
    const double r = conduction_rate(v, y0, c);
    rate0[c] = r;
    y1[c] = y0[c] + mu_tilde_dt * r;
  }
};

// Stage j >= 2:
//   Y_j = mu Y_{j-1} + nu Y_{j-2} + (1 - mu - nu) Y0 + mu_tilde dt L(Y_{j-1}) + gamma_tilde dt
//   L(Y0)
struct Rkl2Stage {
  ConductionView v;
  Rkl2StageCoefficients k;
  const double* y0;
  const double* rate0;
  const double* y_prev;
  const double* y_prev2;
  double* y_out;
  RUNAWAY_HD void operator()(Index c) const {
    y_out[c] = k.mu * y_prev[c] + k.nu * y_prev2[c] + (1.0 - k.mu - k.nu) * y0[c] +
               k.mu_tilde_dt * conduction_rate(v, y_prev, c) + k.gamma_tilde_dt * rate0[c];
  }
};

// The local time error of an RKL2 step at voxel c, estimated by the step's trapezoidal defect
//   | y_s - y_0 - dt/2 (L(y_0) + L(y_s)) |
// from what the step leaves behind (y_0, L(y_0) and y_s with its ghosts), so it costs one stencil
// pass with no write. For a mode of eigenvalue lambda, z = lambda dt, RKL2 advances by
// R(z) = 1 + z + z^2/2 + c3 z^3 + ..., c3 ~ 0.11 (0 for s = 2), with local error (c3 - 1/6) z^3;
// the defect is (c3 - 1/4) z^3: 1.5-2.5x that error, third order like it (docs/design.md §5.5).
// Stiff content (|z| >> 1) it overestimates by ~|z|, which is conservative. Voxels whose `skip`
// flag is set (padded grid; nullptr: none) count 0.
struct Rkl2TimeError {
  ConductionView v;
  const double* y0;     // the step's start temperature
  const double* rate0;  // L(y0)
  const double* y;      // the step's result, ghosts current
  double half_dt;
  const std::uint8_t* skip = nullptr;
  RUNAWAY_HD double operator()(Index c) const {
    if (skip != nullptr && skip[c] != 0) return 0.0;
    return std::fabs(y[c] - y0[c] - half_dt * (rate0[c] + conduction_rate(v, y, c)));
  }
};

// T += dt q / (rho cp): a volumetric heat source over one (split) step.
struct HeatSourceUpdate {
  ConductionView v;
  const double* heat_source;  // W/m^3, padded
  double* t;
  double dt;
  RUNAWAY_HD void operator()(Index c) const {
    t[c] += dt * v.inv_heat_capacity[c] * heat_source[c];
  }
};

// rho cp T V of one voxel, J.
struct ThermalEnergyOfVoxel {
  ConductionView v;
  const double* t;
  RUNAWAY_HD double operator()(Index c) const {
    return t[c] / v.inv_heat_capacity[c] * v.spacing.volume();
  }
};

// Forward-Euler stability limit of one voxel: rho cp / sum of its six face conductances
// (Gershgorin bound of the discrete operator).
struct ExplicitStepOfVoxel {
  ConductionView v;
  RUNAWAY_HD double operator()(Index c) const {
    const Index sy = v.shape.stride_y();
    const Index sz = v.shape.stride_z();
    const double g = double(v.conductance[0][c]) + double(v.conductance[0][c + 1]) +
                     double(v.conductance[1][c]) + double(v.conductance[1][c + sy]) +
                     double(v.conductance[2][c]) + double(v.conductance[2][c + sz]);
    return g > 0 ? 1.0 / (v.inv_heat_capacity[c] * g) : 1e300;
  }
};

// A face whose conductance depends on the current state: one side (or both) is a transparent gas
// on a gap line (radiative length ell > 0), or a material that melts. Each side's conductivity is
//   k' = k_side + ell * k_rad,   k_rad = sigma (T_l^2 + T_h^2)(T_l + T_h),
// with k_side the molten conductivity once the side's melt fraction reached 1, and
// G = harmonic_mean(k'_l, k'_h) / h^2 (docs/physics.md "Gaps between cells", "Cans that melt").
// Along a gas line G (T_l - T_h) sums to sigma (T_a^4 - T_b^4) ell / L: the parallel-plate
// exchange between the bounding surfaces, exactly, at steady state. A face on the grid's edge
// (not shared with another rank) has only its inside half: G = 2 k'_inside / h^2.
enum class VariableFaceSide : int { kBoth = 0, kHighOnly, kLowOnly };

struct VariableFace {
  Index conductance_index = 0;  // where G is stored: the padded index of the high voxel
  Index low = 0;                // padded indices of the two voxels (one is a ghost on a
  Index high = 0;               // face shared with another rank or on the grid's edge)
  int axis = 0;
  VariableFaceSide sides = VariableFaceSide::kBoth;
  double k_low = 0;  // material conductivities along `axis`, W/(m K)
  double k_high = 0;
  double k_low_molten = 0;   // the same once fully molten (= k_low for a material that does
  double k_high_molten = 0;  // not melt)
  double ell_low = 0;        // radiative lengths (0 on an opaque side), m
  double ell_high = 0;
  double inv_h2 = 0;  // 1 / h_axis^2, 1/m^2
};

RUNAWAY_HD inline double variable_face_conductance(const VariableFace& f, double t_low,
                                                   double t_high, double melt_low,
                                                   double melt_high) {
  const double k_rad =
      kStefanBoltzmann * (t_low * t_low + t_high * t_high) * (t_low + t_high);  // W/(m^3 K)
  const double k_low = (melt_low >= 1.0 ? f.k_low_molten : f.k_low) + f.ell_low * k_rad;
  const double k_high = (melt_high >= 1.0 ? f.k_high_molten : f.k_high) + f.ell_high * k_rad;
  if (f.sides == VariableFaceSide::kHighOnly) return 2.0 * k_high * f.inv_h2;
  if (f.sides == VariableFaceSide::kLowOnly) return 2.0 * k_low * f.inv_h2;
  return harmonic_mean(k_low, k_high) * f.inv_h2;
}

// Recomputes G of variable face m from the current state (the start of a step; G is then
// frozen for the step: a lagged nonlinearity). Each face owns its own G entry, so no collisions.
struct VariableConductanceUpdate {
  const VariableFace* faces;
  const double* t;     // padded, ghosts (halo) current
  const double* melt;  // melt fraction, padded, halo current
  float* conductance_x;
  float* conductance_y;
  float* conductance_z;
  RUNAWAY_HD void operator()(Index m) const {
    const VariableFace& f = faces[m];
    float* g = f.axis == 0 ? conductance_x : (f.axis == 1 ? conductance_y : conductance_z);
    g[f.conductance_index] =
        float(variable_face_conductance(f, t[f.low], t[f.high], melt[f.low], melt[f.high]));
  }
};

// A voxel of a material that melts.
struct MeltVoxel {
  Index voxel = 0;           // padded index
  double melting_point = 0;  // K
  double rho_cp = 0;         // J/(m^3 K)
  double rho_latent = 0;     // rho L, J/m^3
};

// The enthalpy split after a conduction step: a voxel above its melting point turns its excess
// sensible heat rho cp (T - T_m) into melt fraction, T held at T_m, until rho L is paid; what is
// left heats the molten voxel. rho cp T + rho L f is unchanged (to round-off). No refreezing.
struct MeltUpdate {
  const MeltVoxel* voxels;
  double* t;     // padded
  double* melt;  // padded, 0..1
  RUNAWAY_HD void operator()(Index m) const {
    const MeltVoxel& v = voxels[m];
    const double f = melt[v.voxel];
    const double temperature = t[v.voxel];
    if (f >= 1.0 || !(temperature > v.melting_point)) return;
    const double excess = v.rho_cp * (temperature - v.melting_point);  // J/m^3
    const double needed = (1.0 - f) * v.rho_latent;
    if (excess < needed) {
      melt[v.voxel] = f + excess / v.rho_latent;
      t[v.voxel] = v.melting_point;
    } else {
      melt[v.voxel] = 1.0;
      t[v.voxel] = v.melting_point + (excess - needed) / v.rho_cp;
    }
  }
};

// rho L f V of melt voxel m, J: the latent heat it holds.
struct LatentEnergyOfVoxel {
  const MeltVoxel* voxels;
  const double* melt;
  double volume;
  RUNAWAY_HD double operator()(Index m) const {
    return voxels[m].rho_latent * melt[voxels[m].voxel] * volume;
  }
};

struct Fill {
  double* p;
  double value;
  RUNAWAY_HD void operator()(Index m) const { p[m] = value; }
};

struct ValueOfVoxel {
  const double* t;
  RUNAWAY_HD double operator()(Index c) const { return t[c]; }
};

}  // namespace runaway::kernels
