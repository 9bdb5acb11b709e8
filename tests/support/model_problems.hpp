// A small voxel model for the results-file tests: a different voxel size per axis (so that swapped
// axes show), three materials in a repeating pattern, two cells and a bottom layer outside cells.
#pragma once

#include <cstdint>

#include "io/model.hpp"

namespace runaway::testing {

inline io::ModelData patterned_model(int nx, int ny, int nz) {
  io::ModelData model;
  model.grid = {nx, ny, nz, 1.0e-3, 2.0e-3, 3.0e-3, -0.01, 0.02, 0.5};
  model.material.resize(model.grid.voxel_count());
  model.cell.resize(model.grid.voxel_count());
  for (int k = 0; k < nz; ++k) {
    for (int j = 0; j < ny; ++j) {
      for (int i = 0; i < nx; ++i) {
        const auto v = model.grid.index(i, j, k);
        model.material[v] = std::uint8_t((i + 2 * j + 3 * k) % 3);
        model.cell[v] = k == 0 ? -1 : (i < nx / 2 ? 0 : 1);
      }
    }
  }
  return model;
}

}  // namespace runaway::testing
