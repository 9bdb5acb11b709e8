// The vent plume outside the cell: what a venting cell's ejecta and its fire do to the pack
// (docs/physics.md "The vent plume"). The host traces each cell's plume path through the pack's
// gas once (host/solver/vent_plume.*); these functions hold the physics of a step:
//
//   stream      the ejecta enthalpy and the convective share of the fire leave the vent as hot gas
//               at the flame temperature T_f, with the air it entrains: capacity rate
//               C = H_dot / (T_f - T_ambient), W/K (ASSUMED: the plume mixes to T_f at the vent).
//   path nodes  the stream crosses the path's nodes in order (rise column, then ceiling-jet rings);
//               h follows from a flat-plate correlation at the node's velocity and distance from
//               the vent; at a node of surface conductance UA = h sum A and mean surface
//               temperature Ts it
//               gives Q = C (T_in - Ts)(1 - exp(-UA / C)) (a heat exchanger of effectiveness
//               1 - exp(-NTU)), shared among the faces as h A (T_in - T_face); T_out = T_in - Q/C.
//   radiation   the fire radiates chi_r of its heat from a point source (the point-source model of
//               fire engineering): a face of area A at distance R, its normal at angle theta to the
//               source, takes A cos(theta) / (4 pi R^2) of it when it sees the source, at most
//               the net exchange with a black flame at T_f, sigma (T_f^4 - T_s^4) A.
//   oxygen      the fire burns only while its gas region holds oxygen: 13.1 MJ per kg of O2
//               consumed (Huggett 1980); an open region (one reaching the pack's outside) never
//               runs out.
// Whatever no surface takes leaves the pack ("carried out"), so the plume's energy closes exactly.
#pragma once

#include <cmath>

#include "kernels/conduction.hpp"  // kStefanBoltzmann
#include "kernels/grid.hpp"
#include "kernels/hd.hpp"

namespace runaway::kernels {

// Heat released per kg of oxygen consumed, J/kg: 13.1 MJ/kg within about 5 % for most organic
// fuels (C. Huggett, "Estimation of rate of heat release by means of oxygen consumption
// measurements", Fire and Materials 4 (1980) 61-65).
inline constexpr double kHeatPerOxygenMass = 13.1e6;
// Mass fraction of oxygen in dry air, 0.2314 (U.S. Standard Atmosphere 1976: 20.95 % by volume).
inline constexpr double kOxygenMassFractionOfAir = 0.2314;

// The capacity rate of the stream, W/K, that carries `enthalpy_rate` W from the ambient to the
// flame temperature; 0 when there is nothing to carry.
RUNAWAY_HD inline double plume_capacity_rate(double enthalpy_rate, double flame_temperature,
                                             double ambient_temperature) {
  const double rise = flame_temperature - ambient_temperature;
  return enthalpy_rate > 0.0 && rise > 0.0 ? enthalpy_rate / rise : 0.0;
}

// Heat the stream gives a node, W: C (T_in - Ts)(1 - exp(-UA/C)) with Ts = ua_ts / ua, the
// conductance-weighted surface temperature. Negative when the surfaces are hotter than the gas.
RUNAWAY_HD inline double plume_node_heat(double capacity_rate, double t_in, double ua,
                                         double ua_ts) {
  if (!(capacity_rate > 0.0) || !(ua > 0.0)) return 0.0;
  const double effectiveness = -std::expm1(-ua / capacity_rate);
  return capacity_rate * effectiveness * (t_in - ua_ts / ua);
}

// The share of a node's heat rate one face takes per W/K of its conductance and K of its gap:
// face power = factor * hA (T_in - T_face), with factor = C (1 - exp(-UA/C)) / UA, so the faces
// of a node add up to plume_node_heat exactly.
RUNAWAY_HD inline double plume_face_factor(double capacity_rate, double ua) {
  if (!(capacity_rate > 0.0) || !(ua > 0.0)) return 0.0;
  return capacity_rate * -std::expm1(-ua / capacity_rate) / ua;
}

// The share of a point source's radiation a face of `area` takes: A cos(theta) / (4 pi R^2), with
// `cos_theta` between the face's outward normal and the direction to the source (0 if behind).
RUNAWAY_HD inline double point_source_share(double area, double cos_theta, double distance) {
  constexpr double kFourPi = 12.566370614359172;
  if (!(cos_theta > 0.0) || !(distance > 0.0)) return 0.0;
  return area * cos_theta / (kFourPi * distance * distance);
}

// The most a face of `area` can take from the flame's radiation over dt, J: the net exchange with
// a black flame at T_f filling its view, sigma (T_f^4 - T_s^4) A dt. The point source's
// A cos / (4 pi R^2) grows without bound as R -> 0 (a plate just above a vent); a real flame
// spreads its emission over its surface instead.
RUNAWAY_HD inline double flame_radiation_limit(double flame_temperature, double surface_temperature,
                                               double area, double dt) {
  const double tf2 = flame_temperature * flame_temperature;
  const double ts2 = surface_temperature * surface_temperature;
  const double net = kStefanBoltzmann * (tf2 * tf2 - ts2 * ts2);
  return net > 0.0 ? net * area * dt : 0.0;
}

// The plume gas, taken as air at 1200 K (Incropera & DeWitt, Fundamentals of Heat and Mass
// Transfer, Table A.4; UNVERIFIED transcription): the stream leaves the vent near T_f.
inline constexpr double kPlumeGasDensity = 0.2902;       // kg/m^3
inline constexpr double kPlumeGasHeatCapacity = 1179.0;  // J/(kg K)
inline constexpr double kPlumeGasViscosity = 4.822e-5;   // Pa s
inline constexpr double kPlumeGasConductivity = 0.0763;  // W/(m K)
inline constexpr double kPlumeGasPrandtl = 0.745;
// Where a flat plate's boundary layer turns turbulent, Re_x (Incropera & DeWitt, section 7.2).
inline constexpr double kTransitionReynolds = 5e5;

// The heat-transfer coefficient, W/(m^2 K), of the stream over a node's surfaces: forced
// convection over a flat plate at the distance x the gas has run from the vent, at the velocity
// u = mdot / (rho A_flow) its mass flow has through the node's cross-section. Local Nusselt
// numbers (Incropera & DeWitt eqs. 7.30 and 7.36): 0.332 Re_x^1/2 Pr^1/3 laminar,
// 0.0296 Re_x^4/5 Pr^1/3 turbulent. The plate correlation is ASSUMED for the rise column and the
// ceiling jet alike (an impinging jet transfers more near its stagnation point).
RUNAWAY_HD inline double plume_heat_transfer_coefficient(double mass_flow, double flow_area,
                                                         double distance) {
  if (!(mass_flow > 0.0) || !(flow_area > 0.0) || !(distance > 0.0)) return 0.0;
  const double velocity = mass_flow / (kPlumeGasDensity * flow_area);
  const double reynolds = kPlumeGasDensity * velocity * distance / kPlumeGasViscosity;
  const double prandtl = std::cbrt(kPlumeGasPrandtl);
  const double nusselt = reynolds < kTransitionReynolds
                             ? 0.332 * std::sqrt(reynolds) * prandtl
                             : 0.0296 * std::pow(reynolds, 0.8) * prandtl;
  return nusselt * kPlumeGasConductivity / distance;
}

// Combustion heat a gas region's oxygen still allows, J (unlimited for an open region).
RUNAWAY_HD inline double oxygen_limited_heat(double wanted, double oxygen_left, bool open) {
  if (open) return wanted;
  const double allowed = oxygen_left > 0.0 ? oxygen_left * kHeatPerOxygenMass : 0.0;
  return wanted < allowed ? wanted : allowed;
}

// Copies field[voxel[m]] to out[m]: the temperatures a plume's faces see.
struct GatherVoxels {
  const Index* voxel;
  const double* field;
  double* out;
  RUNAWAY_HD void operator()(Index m) const { out[m] = field[voxel[m]]; }
};

// T[voxel[m]] += joules[m] / (V rho cp): the heat a plume gave each of its (distinct) voxels.
struct DepositHeat {
  const Index* voxel;
  const double* joules;
  const double* inv_heat_capacity;
  double inv_voxel_volume;  // 1/m^3
  double* t;
  RUNAWAY_HD void operator()(Index m) const {
    const Index c = voxel[m];
    t[c] += joules[m] * inv_voxel_volume * inv_heat_capacity[c];
  }
};

// A plume's heat reaches the solid over the next conduction step, as a source of its RKL2
// stages, not as a kick at the step's end: a kicked surface voxel sat up to
// max_temperature_change too hot when the next kinetics half step began, and a neighbour's top
// corner ran away from that kick ~1.6 s early at the default steps (docs/performance.md).
// DepositHeat adds a step's joules, as kelvin, to `held` (a grid field); each stage then adds
// `share` (its weight / the step) of it, and the step ends with it cleared.
struct SpreadHeldHeat {
  const Index* voxel;  // padded indices, each once
  const double* held;  // K per padded voxel
  double share;
  double* t;
  RUNAWAY_HD void operator()(Index m) const {
    const Index c = voxel[m];
    t[c] += share * held[c];
  }
};

struct ClearHeldHeat {
  const Index* voxel;
  double* held;
  RUNAWAY_HD void operator()(Index m) const { held[voxel[m]] = 0.0; }
};

}  // namespace runaway::kernels
