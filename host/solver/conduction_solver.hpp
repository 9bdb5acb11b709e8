// The heat-conduction solver: a voxel grid of materials, six boundary faces, an optional
// volumetric heat source, advanced by forward Euler (the reference) or RKL2 super-time-stepping.
// Where it runs is the Backend's business; this class only decides what to solve.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "host/solver/domain.hpp"
#include "kernels/backend.hpp"
#include "kernels/conduction.hpp"
#include "kernels/grid.hpp"
#include "kernels/material.hpp"

namespace runaway::host {

using kernels::BoundaryCondition;
using kernels::BoundaryKind;
using kernels::Face;
using kernels::GridShape;
using kernels::Spacing;
using kernels::ThermalMaterial;

inline BoundaryCondition adiabatic() {
  return {};
}
inline BoundaryCondition fixed_temperature(double kelvin) {
  return {BoundaryKind::kFixedTemperature, kelvin, 0.0, 0.0};
}
inline BoundaryCondition convection(double h, double ambient, double emissivity = 0.0) {
  return {BoundaryKind::kConvectionRadiation, ambient, h, emissivity};
}
inline BoundaryCondition radiation(double emissivity, double ambient) {
  return {BoundaryKind::kConvectionRadiation, ambient, 0.0, emissivity};
}

// Everything the conduction solver needs, on the host, in SI units. Voxel arrays are interior
// only ([z][y][x], nx*ny*nz entries); the solver adds the ghost layer.
struct ConductionProblem {
  GridShape shape;
  Spacing spacing;
  std::vector<ThermalMaterial> materials;  // at most 256
  std::vector<std::uint8_t> material_ids;  // one per voxel; empty means material 0 everywhere
  std::array<BoundaryCondition, kernels::kFaceCount> boundaries{};  // all adiabatic by default
  double initial_temperature = 298.15;       // K, used when initial_temperatures is empty
  std::vector<double> initial_temperatures;  // K per voxel, optional
  std::vector<double> heat_source;           // W/m^3 per voxel, optional
  // For each face of kind kHalo (shared with another rank): the material ids of the neighbour's
  // voxels across it, first in-face axis fastest ((y, z) for x faces, (x, z) for y, (x, y) for
  // z), so the conductance of the shared face is the harmonic mean a single grid would use.
  std::array<std::vector<std::uint8_t>, kernels::kFaceCount> halo_material_ids{};
  // Radiative length ell of every voxel along each axis (m, interior arrays like material_ids):
  // L / (1/e_a + 1/e_b - 1) for a transparent voxel on a run of transparent voxels of length L
  // bounded by opaque voxels of emissivities e_a, e_b along that axis; 0 elsewhere (opaque
  // voxels, runs touching the edge of the grid). A property of the whole model: a split run
  // computes it on the global grid (radiative_lengths) and slices it. Empty: computed by the
  // solver from this problem's own grid (a single grid only), or no transparent material.
  std::array<std::vector<double>, 3> radiative_length{};
  // For each kHalo face: ell, along the face's normal axis, of the neighbour's voxels across it
  // (order of halo_material_ids). Needed when radiative_length is given.
  std::array<std::vector<double>, kernels::kFaceCount> halo_radiative_length{};
};

// The radiative lengths of every voxel of `problem`'s grid along x, y, z (see
// ConductionProblem::radiative_length); three empty arrays when no material is transparent.
std::array<std::vector<double>, 3> radiative_lengths(const ConductionProblem& problem);

enum class Integrator { kForwardEuler, kRkl2 };

// Number of RKL2 stages s for a step dt: the smallest s >= 2 with dt <= dt_explicit (s^2+s-2)/4
// (Meyer, Balsara & Aslam 2014, eq. 20).
int rkl2_stage_count(double dt, double dt_explicit);
// Coefficients of stage j (2 <= j <= s) of an s-stage RKL2 step of size dt.
kernels::Rkl2StageCoefficients rkl2_coefficients(int s, int j, double dt);
// mu_tilde_1 of an s-stage RKL2 step: 4 / (3 (s^2 + s - 2)).
double rkl2_first_coefficient(int s);

// Throws runaway::Error (bad input) naming the first invalid value.
void validate(const ConductionProblem& problem);

class ConductionSolver {
 public:
  // `domain`: this rank's part of a decomposed grid (problem is then the rank's block, its shared
  // faces kHalo); the serial domain by default.
  ConductionSolver(kernels::Backend& backend, const ConductionProblem& problem,
                   const Domain& domain = serial_domain());
  ~ConductionSolver() { domain_.release_halo_buffers(backend_); }

  // Advances by dt: heat source dt/2, conduction dt, heat source dt/2 (Strang splitting).
  void step(double dt, Integrator integrator = Integrator::kRkl2);
  // Advances conduction alone by dt with no source (used by the coupled driver's splitting).
  void conduct(double dt, Integrator integrator = Integrator::kRkl2);
  // Adds dt q/(rho cp) from the problem's heat source, if any.
  void apply_heat_source(double dt);

  // A heat source over a list of this rank's voxels (a heater pad), held over the next conduct():
  // added inside every RKL2 stage, as the method's source term, rather than split around the
  // step. A heated pad's exchange with its neighbours is stiff: a split kick left the pad
  // dt/2 q/(rho cp) away from the quasi-steady state it sits in at every step's end, and the cell
  // beside it ~1 K too hot at 0.5 s steps. Cleared by conduct().
  struct StageSource {
    const kernels::Index* voxels = nullptr;  // padded indices
    kernels::Index count = 0;
    double power_density = 0;  // W/m^3
    // Whether a voxel lies on the grid's outer faces: its boundary ghost, which each stage writes
    // from the stage's own values, must then be written again with the source added.
    bool on_boundary = false;
    // Instead of power_density: the kelvin each voxel gains over the whole step, per padded
    // voxel (a plume's held heat, kernels::SpreadHeldHeat).
    const double* held_kelvin = nullptr;
  };
  void add_stage_source(const StageSource& source) { stage_sources_.push_back(source); }

  // Makes every RKL2 step estimate its local time error (kernels::Rkl2TimeError), ignoring the
  // voxels whose padded flag in `skip` is set (nullptr: none); read it with last_time_error().
  void estimate_time_error(const std::uint8_t* skip) {
    estimate_time_error_ = true;
    time_error_skip_ = skip;
  }
  // This rank's largest estimated local time error of the last step, K (0 if not estimated, or
  // after a forward-Euler step, whose own error the explicit limit keeps small).
  double last_time_error() const { return last_time_error_; }

  void set_boundary(Face face, const BoundaryCondition& bc);
  const BoundaryCondition& boundary(Face face) const;
  const kernels::BoundaryFaces& boundaries() const { return faces_; }

  double time() const { return time_; }
  void set_time(double time) { time_ = time; }  // restart from a checkpoint
  double explicit_time_step() const { return dt_explicit_; }
  int last_stage_count() const { return last_stages_; }
  // Faces of this rank whose conductance follows the state (gas gaps, melting voxels).
  kernels::Index variable_face_count() const { return variable_face_count_; }
  // Interior temperatures ([z][y][x]), copied from the backend.
  std::vector<double> temperature() const;
  // Total energy over the interior (of every rank), J: rho cp T V plus the latent heat held by
  // melting voxels, rho L f V (docs/physics.md "Cans that melt").
  double thermal_energy() const;
  // The latent part alone, J.
  double latent_energy() const;
  // Melt fraction per voxel (0..1, interior [z][y][x]); zeros when nothing can melt.
  std::vector<double> melt_fraction() const;
  // Whether any material melts; then melt_data() is the padded melt-fraction field (checkpoint).
  bool has_melting() const { return has_melting_; }
  double* melt_data() { return melt_.data(); }
  double max_temperature() const;
  double min_temperature() const;

  const GridShape& shape() const { return shape_; }
  const Spacing& spacing() const { return spacing_; }
  kernels::Backend& backend() { return backend_; }
  const Domain& domain() const { return domain_; }
  const kernels::ConductionView& view() const { return view_; }
  double* temperature_data() { return t_.data(); }
  const double* temperature_data() const { return t_.data(); }

  // Ghost-padded field from an interior array, and back.
  std::vector<double> pad(const std::vector<double>& interior, double ghost_value) const;
  std::vector<double> unpad(const std::vector<double>& padded) const;

 private:
  void rkl2(double dt);
  void forward_euler(double dt);
  void exchange_halo(double* field);
  // Recomputes the G of the temperature-dependent faces from the current temperatures (ghosts
  // and halos refreshed first) and, when any rank has such faces, the explicit step limit.
  void refresh_variable_conductances();
  // The enthalpy split of melting voxels after a conduction step.
  void melt();
  double local_latent_energy() const;

  kernels::Backend& backend_;
  const Domain& domain_;
  GridShape shape_;
  Spacing spacing_;
  kernels::BoundaryFaces faces_{};
  kernels::DeviceArray<float> conductance_[3];
  kernels::DeviceArray<double> inv_heat_capacity_;
  kernels::DeviceArray<double> t_;
  kernels::DeviceArray<double> rate0_;
  kernels::DeviceArray<double> stage_[3];
  kernels::DeviceArray<double> heat_source_;
  bool has_heat_source_ = false;
  std::vector<StageSource> stage_sources_;
  double step_dt_ = 0;  // of the conduct() under way: a held source's share of each stage
  // Adds dt q/(rho cp) of the stage sources to `t`; for a temperature field (not a rate), also
  // writes the boundary ghosts of sources on the grid's faces again.
  void add_stage_sources(double* t, double dt, bool temperatures = true);
  kernels::DeviceArray<kernels::VariableFace> variable_faces_;
  kernels::Index variable_face_count_ = 0;
  bool any_variable_faces_ = false;  // on any rank
  kernels::DeviceArray<kernels::MeltVoxel> melt_voxels_;
  kernels::Index melt_voxel_count_ = 0;
  kernels::DeviceArray<double> melt_;  // melt fraction, padded (halo exchanged)
  bool has_melting_ = false;
  kernels::ConductionView view_;
  double dt_explicit_ = 0;
  double time_ = 0;
  int last_stages_ = 0;
  bool estimate_time_error_ = false;
  const std::uint8_t* time_error_skip_ = nullptr;
  double last_time_error_ = 0;
};

}  // namespace runaway::host
