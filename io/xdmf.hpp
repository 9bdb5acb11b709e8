// XDMF 2.0 sidecars that let ParaView's "XDMF Reader" and its Xdmf3 readers open results.h5 and
// model.h5 (docs/design.md §8.1): a 3DCoRectMesh with ORIGIN_DXDYDZ geometry in Z Y X order,
// cell-centred attributes (so the topology counts points: nz+1 ny+1 nx+1), a temporal collection
// with one grid per frame whose attributes are the 3-D views /xdmf/<field>/<frame> (virtual
// datasets onto frame f of the 4-D /fields datasets; the Xdmf3 readers cannot read HyperSlab
// items). The HDF5 file is named relative to the XDMF file, so a run directory can be moved or
// copied.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "io/model.hpp"

namespace runaway::io {

struct XdmfField {
  std::string name;  // dataset /fields/<name>, shape [frame][nz][ny][nx]
  ElementType type = ElementType::kFloat64;
};

struct XdmfResults {
  std::string h5_file_name = "results.h5";  // relative to the XDMF file
  GridInfo grid;
  std::vector<XdmfField> fields;
  std::vector<double> frame_times;  // s, one per frame on disk
};

// Where the results writer puts the 3-D view of frame `frame` of a field: /xdmf/<field>/<frame>.
std::string frame_view_path(const std::string& field_name, std::size_t frame);

// Document text. With no frames, the results document shows the model alone.
std::string results_xdmf(const XdmfResults& results);
std::string model_xdmf(const std::string& h5_file_name, const GridInfo& grid);

// Write the documents atomically (temporary file + rename): a reader never sees half a file.
void write_results_xdmf(const std::filesystem::path& xdmf_path, const XdmfResults& results);
void write_model_xdmf(const std::filesystem::path& xdmf_path, const std::string& h5_file_name,
                      const GridInfo& grid);

}  // namespace runaway::io
