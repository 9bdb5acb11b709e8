// `runaway bench --verify`: a fixed-size self-check for benchmark harnesses (HeCBench, ReFrame,
// CloverLeaf-style): two cases with known answers, one `FOM:` line and PASS or FAIL.
//
//   conduction  a 64^3 box, adiabatic walls, T = 300 K + 10 K cos(pi x/L) cos(pi y/L) cos(pi z/L):
//               the mode decays as exp(-3 alpha pi^2 t / L^2); RKL2 steps to t = L^2/(6 alpha pi^2)
//   kinetics    feng2015-ncm adiabatic from 480 K until every reactant is used: the heat released
//               is sum_i H_i W_i c_i0 (tests/verification/test_kinetics_energy.cpp's answer)
//
// The figure of merit is the conduction stage's throughput, voxel-stage updates per second.
#pragma once

#include <string>
#include <vector>

namespace runaway::host::bench {

struct VerifyCase {
  std::string name;
  double error = 0;  // the measured error, in `unit`
  double limit = 0;  // the largest error that passes
  std::string unit;
  std::string what;  // one line: the case and its answer
  bool pass() const { return error <= limit; }
};

struct VerifyResult {
  std::vector<VerifyCase> cases;
  double voxel_stage_updates_per_second = 0;  // the FOM
  double bandwidth_fraction = 0;              // of STREAM triad measured in the same process
  bool pass() const;
};

// Runs both cases on the default backend. `tolerance_scale` multiplies every limit (1: the
// published limits; a test sets it to 0 to see FAIL).
VerifyResult verify(double tolerance_scale = 1.0);

// The lines a harness greps: one per case, `FOM: ...`, then `PASS` or `FAIL`.
std::string verify_text(const VerifyResult& result);

}  // namespace runaway::host::bench
