#include "host/solver/conduction_solver.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "common/error.hpp"

namespace runaway::host {

using kernels::Index;

namespace {

std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

void require_positive(double value, const std::string& key) {
  if (!std::isfinite(value))
    throw bad_input("must be a finite number", {"", 0, key, number(value)});
  if (value <= 0) throw bad_input("must be greater than zero", {"", 0, key, number(value)});
}

void require_finite_nonnegative(double value, const std::string& key) {
  if (!std::isfinite(value))
    throw bad_input("must be a finite number", {"", 0, key, number(value)});
  if (value < 0) throw bad_input("must not be negative", {"", 0, key, number(value)});
}

const char* const kFaceNames[kernels::kFaceCount] = {"x-", "x+", "y-", "y+", "z-", "z+"};

void validate_boundary(const BoundaryCondition& bc, const std::string& key) {
  if (bc.kind == BoundaryKind::kAdiabatic || bc.kind == BoundaryKind::kHalo) return;
  require_positive(bc.temperature, key + ".temperature");
  if (bc.kind == BoundaryKind::kConvectionRadiation) {
    require_finite_nonnegative(bc.heat_transfer_coefficient, key + ".heat_transfer_coefficient");
    require_finite_nonnegative(bc.emissivity, key + ".emissivity");
    if (bc.emissivity > 1) {
      throw bad_input("an emissivity lies between 0 and 1",
                      {"", 0, key + ".emissivity", number(bc.emissivity)});
    }
  }
}

}  // namespace

int rkl2_stage_count(double dt, double dt_explicit) {
  // Smallest s with (s^2 + s - 2)/4 >= dt/dt_explicit, at least 2.
  const double ratio = dt / dt_explicit;
  int s = int(std::ceil(0.5 * (-1.0 + std::sqrt(9.0 + 16.0 * ratio))));
  if (s < 2) s = 2;
  while ((double(s) * s + s - 2.0) / 4.0 < ratio) ++s;  // guard against round-off in sqrt
  return s;
}

// b_j of RKL2: b_0 = b_1 = b_2 = 1/3, b_j = (j^2 + j - 2) / (2 j (j + 1)).
static double rkl2_b(int j) {
  if (j <= 2) return 1.0 / 3.0;
  return (double(j) * j + j - 2.0) / (2.0 * j * (j + 1.0));
}

double rkl2_first_coefficient(int s) {
  const double w1 = 4.0 / (double(s) * s + s - 2.0);
  return rkl2_b(1) * w1;
}

kernels::Rkl2StageCoefficients rkl2_coefficients(int s, int j, double dt) {
  const double w1 = 4.0 / (double(s) * s + s - 2.0);
  const double bj = rkl2_b(j);
  const double mu = (2.0 * j - 1.0) / j * bj / rkl2_b(j - 1);
  const double nu = -(j - 1.0) / j * bj / rkl2_b(j - 2);
  const double mu_tilde = mu * w1;
  const double gamma_tilde = -(1.0 - rkl2_b(j - 1)) * mu_tilde;
  return {mu, nu, mu_tilde * dt, gamma_tilde * dt};
}

void validate(const ConductionProblem& p) {
  const GridShape& s = p.shape;
  if (s.nx <= 0 || s.ny <= 0 || s.nz <= 0) {
    throw bad_input(
        "every grid dimension must be at least one voxel",
        {"", 0, "grid.shape",
         std::to_string(s.nx) + " x " + std::to_string(s.ny) + " x " + std::to_string(s.nz)});
  }
  require_positive(p.spacing.dx, "grid.dx");
  require_positive(p.spacing.dy, "grid.dy");
  require_positive(p.spacing.dz, "grid.dz");
  if (p.materials.empty() || p.materials.size() > std::size_t(kernels::kMaxMaterials)) {
    throw bad_input("between 1 and 256 materials are needed",
                    {"", 0, "materials", std::to_string(p.materials.size())});
  }
  for (std::size_t m = 0; m < p.materials.size(); ++m) {
    const ThermalMaterial& mat = p.materials[m];
    const std::string key = "materials[" + std::to_string(m) + "]";
    require_positive(mat.density, key + ".density");
    require_positive(mat.heat_capacity, key + ".heat_capacity");
    for (int d = 0; d < 3; ++d) {
      // A transparent gas may conduct nothing (radiation alone crosses it).
      const std::string k_key = key + ".conductivity[" + std::to_string(d) + "]";
      if (mat.transparent) {
        require_finite_nonnegative(mat.conductivity[d], k_key);
      } else {
        require_positive(mat.conductivity[d], k_key);
      }
    }
    require_finite_nonnegative(mat.melting_point, key + ".melting_point");
    if (mat.melts()) {
      require_finite_nonnegative(mat.latent_heat, key + ".latent_heat_of_fusion");
      require_positive(mat.molten_conductivity, key + ".molten_conductivity");
    }
  }
  const auto n = std::size_t(s.interior_size());
  if (!p.material_ids.empty()) {
    if (p.material_ids.size() != n) {
      throw bad_input("one material id per voxel is needed (" + std::to_string(n) + ")",
                      {"", 0, "material_ids", std::to_string(p.material_ids.size())});
    }
    for (std::size_t c = 0; c < n; ++c) {
      if (p.material_ids[c] >= p.materials.size()) {
        throw bad_input(
            "names a material that does not exist",
            {"", 0, "material_ids[" + std::to_string(c) + "]", std::to_string(p.material_ids[c])});
      }
    }
  }
  require_positive(p.initial_temperature, "initial_temperature");
  if (!p.initial_temperatures.empty()) {
    if (p.initial_temperatures.size() != n) {
      throw bad_input(
          "one initial temperature per voxel is needed (" + std::to_string(n) + ")",
          {"", 0, "initial_temperatures", std::to_string(p.initial_temperatures.size())});
    }
    for (std::size_t c = 0; c < n; ++c) {
      require_positive(p.initial_temperatures[c],
                       "initial_temperatures[" + std::to_string(c) + "]");
    }
  }
  if (!p.heat_source.empty()) {
    if (p.heat_source.size() != n) {
      throw bad_input("one heat source value per voxel is needed (" + std::to_string(n) + ")",
                      {"", 0, "heat_source", std::to_string(p.heat_source.size())});
    }
    for (std::size_t c = 0; c < n; ++c) {
      if (!std::isfinite(p.heat_source[c])) {
        throw bad_input("must be a finite number", {"", 0, "heat_source[" + std::to_string(c) + "]",
                                                    number(p.heat_source[c])});
      }
    }
  }
  for (int d = 0; d < 3; ++d) {
    const auto& ell = p.radiative_length[std::size_t(d)];
    const std::string key = "radiative_length[" + std::to_string(d) + "]";
    if (!ell.empty() && ell.size() != n) {
      throw bad_input("one radiative length per voxel is needed (" + std::to_string(n) + ")",
                      {"", 0, key, std::to_string(ell.size())});
    }
    for (std::size_t c = 0; c < ell.size(); ++c) {
      require_finite_nonnegative(ell[c], key + "[" + std::to_string(c) + "]");
    }
  }
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    const auto& ell = p.halo_radiative_length[std::size_t(f)];
    if (p.boundaries[std::size_t(f)].kind != BoundaryKind::kHalo || ell.empty()) continue;
    if (ell.size() != std::size_t(kernels::face_voxel_count(s, f))) {
      throw bad_input("a halo face needs the radiative length of every neighbouring voxel",
                      {"", 0, std::string("halo_radiative_length.") + kFaceNames[f],
                       std::to_string(ell.size())});
    }
  }
  for (int f = 0; f < kernels::kFaceCount; ++f) {
    validate_boundary(p.boundaries[std::size_t(f)], std::string("boundary.") + kFaceNames[f]);
    const auto& halo = p.halo_material_ids[std::size_t(f)];
    if (p.boundaries[std::size_t(f)].kind != BoundaryKind::kHalo) continue;
    if (halo.size() != std::size_t(kernels::face_voxel_count(s, f))) {
      throw bad_input(
          "a halo face needs the material id of every neighbouring voxel",
          {"", 0, std::string("halo_material_ids.") + kFaceNames[f], std::to_string(halo.size())});
    }
    for (std::uint8_t id : halo) {
      if (id >= p.materials.size()) {
        throw bad_input(
            "names a material that does not exist",
            {"", 0, std::string("halo_material_ids.") + kFaceNames[f], std::to_string(id)});
      }
    }
  }
}

std::array<std::vector<double>, 3> radiative_lengths(const ConductionProblem& p) {
  std::array<std::vector<double>, 3> ell{};
  bool any_transparent = false;
  for (const ThermalMaterial& m : p.materials) any_transparent = any_transparent || m.transparent;
  if (!any_transparent) return ell;
  const GridShape& s = p.shape;
  const int n[3] = {s.nx, s.ny, s.nz};
  const double h[3] = {p.spacing.dx, p.spacing.dy, p.spacing.dz};
  auto material = [&](int i, int j, int k) -> const ThermalMaterial& {
    return p
        .materials[p.material_ids.empty() ? 0
                                          : p.material_ids[std::size_t(s.interior_index(i, j, k))]];
  };
  for (int d = 0; d < 3; ++d) {
    auto& out = ell[std::size_t(d)];
    out.assign(std::size_t(s.interior_size()), 0.0);
    const int a_axis = d == 0 ? 1 : 0;  // the two in-plane axes
    const int b_axis = d == 2 ? 1 : 2;
    for (int b = 1; b <= n[b_axis]; ++b) {
      for (int a = 1; a <= n[a_axis]; ++a) {
        // The line of voxels along d through (a, b); position q = 1..n[d] along it.
        auto at = [&](int q, int* ijk) { ijk[d] = q, ijk[a_axis] = a, ijk[b_axis] = b; };
        int q = 1;
        while (q <= n[d]) {
          int ijk[3];
          at(q, ijk);
          if (!material(ijk[0], ijk[1], ijk[2]).transparent) {
            ++q;
            continue;
          }
          int last = q;  // the run of transparent voxels q..last
          while (last + 1 <= n[d]) {
            int next[3];
            at(last + 1, next);
            if (!material(next[0], next[1], next[2]).transparent) break;
            ++last;
          }
          double length = 0;
          if (q > 1 && last < n[d]) {  // bounded by opaque voxels on both ends
            int lo[3], hi[3];
            at(q - 1, lo);
            at(last + 1, hi);
            const double e_a = material(lo[0], lo[1], lo[2]).emissivity;
            const double e_b = material(hi[0], hi[1], hi[2]).emissivity;
            if (e_a > 0 && e_b > 0) {
              length = (last - q + 1) * h[d] / (1.0 / e_a + 1.0 / e_b - 1.0);
            }
          }
          for (int r = q; r <= last; ++r) {
            int v[3];
            at(r, v);
            out[std::size_t(s.interior_index(v[0], v[1], v[2]))] = length;
          }
          q = last + 1;
        }
      }
    }
  }
  return ell;
}

ConductionSolver::ConductionSolver(kernels::Backend& backend, const ConductionProblem& problem,
                                   const Domain& domain)
    : backend_(backend), domain_(domain), shape_(problem.shape), spacing_(problem.spacing) {
  validate(problem);
  const GridShape& s = shape_;
  const auto padded = std::size_t(s.padded_size());
  for (int f = 0; f < kernels::kFaceCount; ++f) faces_.face[f] = problem.boundaries[std::size_t(f)];

  // Material id of each padded voxel; ghosts copy their interior neighbour so that boundary
  // faces get the half-voxel conductance 2k/h^2 of the voxel inside.
  auto material_at = [&](int i, int j, int k) -> const ThermalMaterial& {
    i = i < 1 ? 1 : (i > s.nx ? s.nx : i);
    j = j < 1 ? 1 : (j > s.ny ? s.ny : j);
    k = k < 1 ? 1 : (k > s.nz ? s.nz : k);
    const std::size_t id = problem.material_ids.empty()
                               ? 0
                               : problem.material_ids[std::size_t(s.interior_index(i, j, k))];
    return problem.materials[id];
  };

  // The neighbour across a kHalo face (the voxel beyond interior voxel (i, j, k) on `face`).
  auto halo_material = [&](int face, int i, int j, int k) -> const ThermalMaterial& {
    const int axis = face / 2;
    const std::size_t m = axis == 0   ? std::size_t(k - 1) * std::size_t(s.ny) + std::size_t(j - 1)
                          : axis == 1 ? std::size_t(k - 1) * std::size_t(s.nx) + std::size_t(i - 1)
                                      : std::size_t(j - 1) * std::size_t(s.nx) + std::size_t(i - 1);
    return problem.materials[problem.halo_material_ids[std::size_t(face)][m]];
  };
  auto is_halo = [&](int face) {
    return problem.boundaries[std::size_t(face)].kind == BoundaryKind::kHalo;
  };

  // Radiative lengths: given (a split run slices the global model's), or from this grid.
  bool any_halo = false;
  for (int f = 0; f < kernels::kFaceCount; ++f) any_halo = any_halo || is_halo(f);
  std::array<std::vector<double>, 3> ell = problem.radiative_length;
  if (ell[0].empty() || ell[1].empty() || ell[2].empty()) {
    ell = radiative_lengths(problem);
    if (any_halo && !ell[0].empty()) {
      throw bad_input(
          "a block of a split grid with transparent materials needs the radiative lengths of the "
          "global model (parallel::local_problem slices them)",
          {"", 0, "radiative_length", "empty"});
    }
  }
  const bool has_ell = !ell[0].empty();
  auto ell_at = [&](int d, int i, int j, int k) {
    return has_ell ? ell[std::size_t(d)][std::size_t(s.interior_index(i, j, k))] : 0.0;
  };
  auto halo_ell = [&](int face, int i, int j, int k) {
    const auto& values = problem.halo_radiative_length[std::size_t(face)];
    if (values.empty()) return 0.0;
    const int axis = face / 2;
    const std::size_t m = axis == 0   ? std::size_t(k - 1) * std::size_t(s.ny) + std::size_t(j - 1)
                          : axis == 1 ? std::size_t(k - 1) * std::size_t(s.nx) + std::size_t(i - 1)
                                      : std::size_t(j - 1) * std::size_t(s.nx) + std::size_t(i - 1);
    return values[m];
  };
  std::vector<kernels::VariableFace> variable;

  const double h[3] = {spacing_.dx, spacing_.dy, spacing_.dz};
  std::vector<float> conductance(padded);
  for (int d = 0; d < 3; ++d) {
    std::fill(conductance.begin(), conductance.end(), 0.0f);
    // Face between voxel c - e_d (low) and c; c runs over interior voxels plus the high ghost.
    for (int k = 1; k <= s.nz + (d == 2); ++k) {
      for (int j = 1; j <= s.ny + (d == 1); ++j) {
        for (int i = 1; i <= s.nx + (d == 0); ++i) {
          const int il = i - (d == 0), jl = j - (d == 1), kl = k - (d == 2);
          const bool low_is_ghost = il < 1 || jl < 1 || kl < 1;
          const bool high_is_ghost = i > s.nx || j > s.ny || k > s.nz;
          double k_face = 0;
          if (low_is_ghost && is_halo(2 * d)) {
            k_face = kernels::harmonic_mean(halo_material(2 * d, i, j, k).conductivity[d],
                                            material_at(i, j, k).conductivity[d]);
          } else if (high_is_ghost && is_halo(2 * d + 1)) {
            k_face = kernels::harmonic_mean(material_at(il, jl, kl).conductivity[d],
                                            halo_material(2 * d + 1, il, jl, kl).conductivity[d]);
          } else if (low_is_ghost) {
            k_face = 2.0 * material_at(i, j, k).conductivity[d];  // half voxel to the surface
          } else if (high_is_ghost) {
            k_face = 2.0 * material_at(il, jl, kl).conductivity[d];
          } else {
            k_face = kernels::harmonic_mean(material_at(il, jl, kl).conductivity[d],
                                            material_at(i, j, k).conductivity[d]);
          }
          conductance[std::size_t(s.index(i, j, k))] = float(k_face / (h[d] * h[d]));

          // A face with a transparent side on a gap line, or a side that melts: its G follows
          // the state. On the grid's edge (not shared) only the inside half counts; ell is 0
          // there (a gas run touching the edge exchanges nothing).
          const bool low_halo = low_is_ghost && is_halo(2 * d);
          const bool high_halo = high_is_ghost && is_halo(2 * d + 1);
          const bool low_edge = low_is_ghost && !low_halo;
          const bool high_edge = high_is_ghost && !high_halo;
          kernels::VariableFace f;
          f.conductance_index = s.index(i, j, k);
          f.low = s.index(il, jl, kl);
          f.high = f.conductance_index;
          f.axis = d;
          f.sides = low_edge    ? kernels::VariableFaceSide::kHighOnly
                    : high_edge ? kernels::VariableFaceSide::kLowOnly
                                : kernels::VariableFaceSide::kBoth;
          f.inv_h2 = 1.0 / (h[d] * h[d]);
          const ThermalMaterial& m_low =
              low_halo ? halo_material(2 * d, i, j, k) : material_at(il, jl, kl);
          const ThermalMaterial& m_high =
              high_halo ? halo_material(2 * d + 1, il, jl, kl) : material_at(i, j, k);
          f.k_low = m_low.conductivity[d];
          f.k_high = m_high.conductivity[d];
          f.k_low_molten = m_low.melts() ? m_low.molten_conductivity : f.k_low;
          f.k_high_molten = m_high.melts() ? m_high.molten_conductivity : f.k_high;
          if (!low_edge && !high_edge) {
            f.ell_low = !m_low.transparent ? 0.0
                        : low_halo         ? halo_ell(2 * d, i, j, k)
                                           : ell_at(d, il, jl, kl);
            f.ell_high = !m_high.transparent ? 0.0
                         : high_halo         ? halo_ell(2 * d + 1, il, jl, kl)
                                             : ell_at(d, i, j, k);
          }
          const bool melts = (!low_edge && m_low.melts()) || (!high_edge && m_high.melts());
          if (f.ell_low > 0 || f.ell_high > 0 || melts) variable.push_back(f);
        }
      }
    }
    conductance_[d] = kernels::DeviceArray<float>(backend_, padded);
    conductance_[d].upload(conductance.data());
  }

  std::vector<kernels::MeltVoxel> melt_voxels;
  std::vector<double> inv_heat_capacity(padded, 0.0);
  for (int k = 1; k <= s.nz; ++k) {
    for (int j = 1; j <= s.ny; ++j) {
      for (int i = 1; i <= s.nx; ++i) {
        const ThermalMaterial& m = material_at(i, j, k);
        inv_heat_capacity[std::size_t(s.index(i, j, k))] = 1.0 / (m.density * m.heat_capacity);
        if (m.melts()) {
          melt_voxels.push_back({s.index(i, j, k), m.melting_point, m.density * m.heat_capacity,
                                 m.density * m.latent_heat});
        }
      }
    }
  }
  inv_heat_capacity_ = kernels::DeviceArray<double>(backend_, padded);
  inv_heat_capacity_.upload(inv_heat_capacity.data());

  std::vector<double> t0 =
      problem.initial_temperatures.empty()
          ? std::vector<double>(std::size_t(s.interior_size()), problem.initial_temperature)
          : problem.initial_temperatures;
  t_ = kernels::DeviceArray<double>(backend_, padded);
  t_.upload(pad(t0, problem.initial_temperature).data());
  rate0_ = kernels::DeviceArray<double>(backend_, padded);
  for (auto& stage : stage_) stage = kernels::DeviceArray<double>(backend_, padded);
  if (!problem.heat_source.empty()) {
    heat_source_ = kernels::DeviceArray<double>(backend_, padded);
    heat_source_.upload(pad(problem.heat_source, 0.0).data());
    has_heat_source_ = true;
  }

  view_.shape = s;
  view_.spacing = spacing_;
  for (int d = 0; d < 3; ++d) view_.conductance[d] = conductance_[d].data();
  view_.inv_heat_capacity = inv_heat_capacity_.data();

  variable_face_count_ = kernels::Index(variable.size());
  if (!variable.empty()) {
    variable_faces_ = kernels::DeviceArray<kernels::VariableFace>(backend_, variable.size());
    variable_faces_.upload(variable.data());
  }
  any_variable_faces_ = domain_.max(variable.empty() ? 0.0 : 1.0) > 0;
  // Melting: the materials are the same on every rank, so has_melting_ is too.
  for (const ThermalMaterial& m : problem.materials) has_melting_ = has_melting_ || m.melts();
  melt_voxel_count_ = kernels::Index(melt_voxels.size());
  if (!melt_voxels.empty()) {
    melt_voxels_ = kernels::DeviceArray<kernels::MeltVoxel>(backend_, melt_voxels.size());
    melt_voxels_.upload(melt_voxels.data());
  }
  if (any_variable_faces_ || has_melting_) {
    melt_ = kernels::DeviceArray<double>(backend_, padded);  // zeroed: nothing molten
  }
  refresh_variable_conductances();
  dt_explicit_ = domain_.min(backend_.explicit_time_step_limit(view_));
}

void ConductionSolver::refresh_variable_conductances() {
  if (!any_variable_faces_) return;
  // Both temperatures of every face current: the ghosts, and the halos of shared faces.
  backend_.apply_boundaries(faces_, view_, t_.data());
  exchange_halo(t_.data());
  if (has_melting_) exchange_halo(melt_.data());  // both ranks see a shared face's melt
  backend_.update_variable_conductances(
      {variable_faces_.data(), t_.data(), melt_.data(), conductance_[0].data(),
       conductance_[1].data(), conductance_[2].data()},
      variable_face_count_);
  dt_explicit_ = domain_.min(backend_.explicit_time_step_limit(view_));
}

std::vector<double> ConductionSolver::pad(const std::vector<double>& interior,
                                          double ghost_value) const {
  std::vector<double> padded(std::size_t(shape_.padded_size()), ghost_value);
  for (int k = 1; k <= shape_.nz; ++k) {
    for (int j = 1; j <= shape_.ny; ++j) {
      for (int i = 1; i <= shape_.nx; ++i) {
        padded[std::size_t(shape_.index(i, j, k))] =
            interior[std::size_t(shape_.interior_index(i, j, k))];
      }
    }
  }
  return padded;
}

std::vector<double> ConductionSolver::unpad(const std::vector<double>& padded) const {
  std::vector<double> interior(std::size_t(shape_.interior_size()));
  for (int k = 1; k <= shape_.nz; ++k) {
    for (int j = 1; j <= shape_.ny; ++j) {
      for (int i = 1; i <= shape_.nx; ++i) {
        interior[std::size_t(shape_.interior_index(i, j, k))] =
            padded[std::size_t(shape_.index(i, j, k))];
      }
    }
  }
  return interior;
}

void ConductionSolver::set_boundary(Face face, const BoundaryCondition& bc) {
  if (faces_.face[int(face)].kind == BoundaryKind::kHalo) return;  // another rank's voxels
  validate_boundary(bc, std::string("boundary.") + kFaceNames[int(face)]);
  faces_.face[int(face)] = bc;
}

const BoundaryCondition& ConductionSolver::boundary(Face face) const {
  return faces_.face[int(face)];
}

void ConductionSolver::step(double dt, Integrator integrator) {
  apply_heat_source(0.5 * dt);
  conduct(dt, integrator);
  apply_heat_source(0.5 * dt);
}

void ConductionSolver::apply_heat_source(double dt) {
  if (has_heat_source_) backend_.add_heat_source(view_, heat_source_.data(), t_.data(), dt);
}

void ConductionSolver::conduct(double dt, Integrator integrator) {
  if (!(dt > 0) || !std::isfinite(dt)) {
    throw bad_input("a time step must be a finite number greater than zero",
                    {"", 0, "dt", number(dt)});
  }
  // Gas-gap conductances from the temperatures at the start of the step, frozen for the step.
  refresh_variable_conductances();
  step_dt_ = dt;
  if (integrator == Integrator::kForwardEuler) {
    forward_euler(dt);
  } else {
    rkl2(dt);
  }
  melt();
  time_ += dt;
  stage_sources_.clear();
}

void ConductionSolver::add_stage_sources(double* t, double dt, bool temperatures) {
  bool ghosts_stale = false;
  for (const StageSource& source : stage_sources_) {
    if (source.count == 0) continue;
    if (source.held_kelvin != nullptr) {
      backend_.spread_held_heat({source.voxels, source.held_kelvin, dt / step_dt_, t},
                                source.count);
    } else if (source.power_density != 0) {
      backend_.region_source({source.voxels, view_.inv_heat_capacity, source.power_density, dt, t},
                             source.count);
    } else {
      continue;
    }
    ghosts_stale = ghosts_stale || source.on_boundary;
  }
  if (ghosts_stale && temperatures) backend_.apply_boundaries(faces_, view_, t);
}

void ConductionSolver::forward_euler(double dt) {
  if (dt > dt_explicit_ * (1.0 + 1e-12)) {
    throw bad_input("forward Euler is unstable above the explicit limit " + number(dt_explicit_) +
                        " s; use RKL2 or a smaller step",
                    {"", 0, "dt", number(dt)});
  }
  backend_.apply_boundaries(faces_, view_, t_.data());
  exchange_halo(t_.data());
  backend_.forward_euler(faces_, view_, t_.data(), stage_[0].data(), dt);
  add_stage_sources(stage_[0].data(), dt);
  t_.swap(stage_[0]);
  exchange_halo(t_.data());
  last_stages_ = 1;
  last_time_error_ = 0;
}

// RKL2 super-time-step (Meyer, Balsara & Aslam 2014): s stages, three rotating stage arrays.
// The ghosts of the start temperature are refreshed once (kinetics and sources changed it);
// every stage then writes its own ghosts in the same pass (kernels/conduction.hpp).
// On one CUDA device the whole step is one graph launch (Backend::launch_sequence); a decomposed
// grid exchanges halos after every stage instead, which a graph cannot hold.
void ConductionSolver::rkl2(double dt) {
  const int s = rkl2_stage_count(dt, dt_explicit_);
  const bool decomposed = domain_.size() > 1;
  int prev = 0;
  auto stages = [&] {
    backend_.apply_boundaries(faces_, view_, t_.data());
    if (decomposed) exchange_halo(t_.data());
    backend_.rkl2_first_stage(faces_, view_, t_.data(), rate0_.data(), stage_[0].data(),
                              rkl2_first_coefficient(s) * dt);
    add_stage_sources(stage_[0].data(), rkl2_first_coefficient(s) * dt);
    if (decomposed) exchange_halo(stage_[0].data());
    const double* y_prev2 = t_.data();
    for (int j = 2; j <= s; ++j) {
      const int out = (prev + 1) % 3;
      double* y_prev = stage_[prev].data();
      const kernels::Rkl2StageCoefficients k = rkl2_coefficients(s, j, dt);
      backend_.rkl2_stage(faces_, view_, k, t_.data(), rate0_.data(), y_prev, y_prev2,
                          stage_[out].data());
      // The source term of M(Y) = L(Y) + q/(rho cp), in both of the stage's evaluations.
      add_stage_sources(stage_[out].data(), k.mu_tilde_dt + k.gamma_tilde_dt);
      if (decomposed) exchange_halo(stage_[out].data());
      y_prev2 = y_prev;
      prev = out;
    }
  };
  if (decomposed) {
    stages();
  } else {
    backend_.launch_sequence(stages);
  }
  t_.swap(stage_[prev]);
  last_stages_ = s;
  // stage_[prev] now holds the start temperature; t_ has the ghosts the last stage wrote.
  // The defect y - y0 - dt/2 (M(y0) + M(y)) holds the sources twice over half a step: put them
  // into rate0 (L(y0), which no stage needs any more).
  if (estimate_time_error_) add_stage_sources(rate0_.data(), 2.0, false);
  last_time_error_ = estimate_time_error_
                         ? backend_.max_time_error({view_, stage_[prev].data(), rate0_.data(),
                                                    t_.data(), 0.5 * dt, time_error_skip_})
                         : 0.0;
}

std::vector<double> ConductionSolver::temperature() const {
  std::vector<double> padded(std::size_t(shape_.padded_size()));
  t_.download(padded.data());
  return unpad(padded);
}

void ConductionSolver::exchange_halo(double* field) {
  if (domain_.size() > 1) domain_.exchange_halo(backend_, shape_, field);
}

void ConductionSolver::melt() {
  if (melt_voxel_count_ > 0) {
    backend_.melt({melt_voxels_.data(), t_.data(), melt_.data()}, melt_voxel_count_);
  }
}

double ConductionSolver::local_latent_energy() const {
  if (melt_voxel_count_ == 0) return 0.0;
  return backend_.latent_energy({melt_voxels_.data(), melt_.data(), spacing_.volume()},
                                melt_voxel_count_);
}

double ConductionSolver::thermal_energy() const {
  return domain_.sum(backend_.thermal_energy(view_, t_.data()) + local_latent_energy());
}

double ConductionSolver::latent_energy() const {
  return domain_.sum(local_latent_energy());
}

std::vector<double> ConductionSolver::melt_fraction() const {
  if (!has_melting_) return std::vector<double>(std::size_t(shape_.interior_size()), 0.0);
  std::vector<double> padded(std::size_t(shape_.padded_size()));
  melt_.download(padded.data());
  return unpad(padded);
}
double ConductionSolver::max_temperature() const {
  return domain_.max(backend_.max_temperature(view_, t_.data()));
}
double ConductionSolver::min_temperature() const {
  return domain_.min(backend_.min_temperature(view_, t_.data()));
}

}  // namespace runaway::host
