#include "io/xdmf.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "io/files.hpp"

namespace runaway::io {

namespace {

// Shortest text that reads back as the same double (0.1, not 0.10000000000000001).
std::string number(double value) {
  char text[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

std::string escape(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

// XDMF 2 NumberType and Precision of an element type.
std::string number_type(ElementType type) {
  switch (type) {
    case ElementType::kFloat64:
      return "NumberType=\"Float\" Precision=\"8\"";
    case ElementType::kFloat32:
      return "NumberType=\"Float\" Precision=\"4\"";
    case ElementType::kInt8:
      return "NumberType=\"Char\" Precision=\"1\"";
    case ElementType::kUInt8:
      return "NumberType=\"UChar\" Precision=\"1\"";
    case ElementType::kInt32:
      return "NumberType=\"Int\" Precision=\"4\"";
    case ElementType::kInt64:
      return "NumberType=\"Int\" Precision=\"8\"";
  }
  return "";
}

std::string cell_dims(const GridInfo& grid) {
  return std::to_string(grid.nz) + " " + std::to_string(grid.ny) + " " + std::to_string(grid.nx);
}

// Topology and geometry of one uniform grid. Cell data: the mesh has one more point than voxels
// along each axis. Origin and spacing are given in Z Y X order, as ORIGIN_DXDYDZ expects.
void write_mesh(std::ostringstream& out, const GridInfo& grid, const std::string& indent) {
  out << indent << "<Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" << grid.nz + 1 << " "
      << grid.ny + 1 << " " << grid.nx + 1 << "\"/>\n";
  out << indent << "<Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n";
  out << indent << "  <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" "
      << "Precision=\"8\" Format=\"XML\">" << number(grid.origin_z) << " " << number(grid.origin_y)
      << " " << number(grid.origin_x) << "</DataItem>\n";
  out << indent << "  <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" "
      << "Precision=\"8\" Format=\"XML\">" << number(grid.dz) << " " << number(grid.dy) << " "
      << number(grid.dx) << "</DataItem>\n";
  out << indent << "</Geometry>\n";
}

// A static cell attribute read whole from a 3-D dataset.
void write_static_attribute(std::ostringstream& out, const std::string& name,
                            const std::string& h5_file_name, const std::string& dataset,
                            ElementType type, const GridInfo& grid, const std::string& indent) {
  out << indent << "<Attribute Name=\"" << escape(name)
      << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n";
  out << indent << "  <DataItem Dimensions=\"" << cell_dims(grid) << "\" " << number_type(type)
      << " Format=\"HDF\">" << escape(h5_file_name) << ":" << dataset << "</DataItem>\n";
  out << indent << "</Attribute>\n";
}

// Frame `frame` of a field: the 3-D view /xdmf/<field>/<frame> of the HDF5 file (a virtual
// dataset mapped onto frame `frame` of the 4-D /fields/<field>, made by the results writer). Not
// a HyperSlab of /fields/<field>: ParaView's Xdmf3 readers skip an array given by reference
// ("Skipping unrecognized array type [None]"); a plain HDF DataItem both readers read.
void write_frame_attribute(std::ostringstream& out, const XdmfField& field, std::size_t frame,
                           const std::string& h5_file_name, const GridInfo& grid,
                           const std::string& indent) {
  out << indent << "<Attribute Name=\"" << escape(field.name)
      << "\" AttributeType=\"Scalar\" Center=\"Cell\">\n";
  out << indent << "  <DataItem Dimensions=\"" << cell_dims(grid) << "\" "
      << number_type(field.type) << " Format=\"HDF\">" << escape(h5_file_name) << ":"
      << escape(frame_view_path(field.name, frame)) << "</DataItem>\n";
  out << indent << "</Attribute>\n";
}

void write_model_attributes(std::ostringstream& out, const std::string& h5_file_name,
                            const GridInfo& grid, const std::string& indent) {
  write_static_attribute(out, "material", h5_file_name, "/model/material", ElementType::kUInt8,
                         grid, indent);
  write_static_attribute(out, "cell", h5_file_name, "/model/cell", ElementType::kInt32, grid,
                         indent);
}

const char* kHeader =
    "<?xml version=\"1.0\" ?>\n"
    "<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
    "<Xdmf Version=\"2.0\">\n"
    "  <Domain>\n";
const char* kFooter =
    "  </Domain>\n"
    "</Xdmf>\n";

}  // namespace

std::string frame_view_path(const std::string& field_name, std::size_t frame) {
  return "/xdmf/" + field_name + "/" + std::to_string(frame);
}

std::string model_xdmf(const std::string& h5_file_name, const GridInfo& grid) {
  std::ostringstream out;
  out << kHeader;
  out << "    <Grid Name=\"model\" GridType=\"Uniform\">\n";
  write_mesh(out, grid, "      ");
  write_model_attributes(out, h5_file_name, grid, "      ");
  out << "    </Grid>\n";
  out << kFooter;
  return out.str();
}

std::string results_xdmf(const XdmfResults& results) {
  if (results.frame_times.empty()) return model_xdmf(results.h5_file_name, results.grid);
  std::ostringstream out;
  out << kHeader;
  out << "    <Grid Name=\"runaway\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  const std::size_t frame_count = results.frame_times.size();
  for (std::size_t frame = 0; frame < frame_count; ++frame) {
    out << "      <Grid Name=\"frame_" << frame << "\" GridType=\"Uniform\">\n";
    out << "        <Time Value=\"" << number(results.frame_times[frame]) << "\"/>\n";
    write_mesh(out, results.grid, "        ");
    for (const auto& field : results.fields) {
      write_frame_attribute(out, field, frame, results.h5_file_name, results.grid, "        ");
    }
    write_model_attributes(out, results.h5_file_name, results.grid, "        ");
    out << "      </Grid>\n";
  }
  out << "    </Grid>\n";
  out << kFooter;
  return out.str();
}

void write_results_xdmf(const std::filesystem::path& xdmf_path, const XdmfResults& results) {
  write_file_atomically(xdmf_path, results_xdmf(results));
}

void write_model_xdmf(const std::filesystem::path& xdmf_path, const std::string& h5_file_name,
                      const GridInfo& grid) {
  write_file_atomically(xdmf_path, model_xdmf(h5_file_name, grid));
}

}  // namespace runaway::io
