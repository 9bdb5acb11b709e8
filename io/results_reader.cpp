#include "io/results_reader.hpp"

#include <algorithm>
#include <system_error>

#include "common/error.hpp"
#include "io/hdf5_util.hpp"

namespace runaway::io {

namespace fs = std::filesystem;

namespace {

// Reads a whole dataset of any rank, or its first `rows` rows, converted to T.
template <class T>
std::vector<T> read_rows(hid_t location, const std::string& name, std::size_t rows) {
  h5::Handle dataset = h5::open_dataset(location, name);
  auto extent = h5::dataset_extent(dataset.get());
  if (extent.empty() || extent[0] < rows) {
    throw runaway::runtime_error(name + " holds fewer rows than its time series");
  }
  extent[0] = rows;
  std::size_t count = 1;
  for (hsize_t e : extent) count *= std::size_t(e);
  std::vector<T> values(count);
  if (count == 0) return values;
  h5::Handle file_space = h5::check_handle(H5Dget_space(dataset.get()), H5Sclose, name);
  const std::vector<hsize_t> start(extent.size(), 0);
  h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                extent.data(), nullptr),
            name);
  h5::Handle memory_space = h5::check_handle(
      H5Screate_simple(int(extent.size()), extent.data(), nullptr), H5Sclose, name);
  h5::check(H5Dread(dataset.get(), h5::native_type<T>(), memory_space.get(), file_space.get(),
                    H5P_DEFAULT, values.data()),
            "cannot read " + name);
  return values;
}

std::size_t row_count(hid_t location, const std::string& name) {
  h5::Handle dataset = h5::open_dataset(location, name);
  const auto extent = h5::dataset_extent(dataset.get());
  return extent.empty() ? 0 : std::size_t(extent[0]);
}

}  // namespace

struct ResultsReader::Impl {
  fs::path path;
  h5::Handle file;
  bool complete = false;
  GridInfo grid;
  std::vector<FieldSpec> fields;
  std::vector<double> frame_times;

  std::string name() const { return path.string(); }

  // Runs a read; an HDF5 failure in a file that passed the format check means corruption.
  template <class Read>
  auto reading(Read&& read) const {
    h5::silence_errors();  // per thread in thread-safe HDF5 builds
    try {
      return read();
    } catch (const runaway::Error& e) {
      if (e.kind() == ErrorKind::kBadInput) throw;
      throw runaway::bad_input(name() + " is corrupt or truncated: " + e.what());
    }
  }
};

ResultsReader::ResultsReader(const fs::path& path, bool allow_incomplete)
    : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  Impl& r = *impl_;
  std::error_code error;
  r.path = fs::is_directory(path, error) ? path / kResultsFileName : path;
  r.file = h5::open_for_reading(r.name(), "runaway results file");
  const hid_t root = r.file.get();
  h5::check_format(root, r.name(), kResultsFormat, kResultsFormatVersion);
  r.complete = r.reading([&] {
    return h5::attribute_exists(root, "complete") &&
           h5::read_scalar_attribute<std::int64_t>(root, "complete") == 1;
  });
  if (!r.complete && !allow_incomplete) {
    throw runaway::bad_input(
        r.name() +
        " is incomplete: its run is still going on, or was stopped or killed before "
        "it finished (the file has no 'complete' attribute). Read it as incomplete to "
        "see the frames written so far");
  }
  r.reading([&] {
    r.grid = h5::read_grid(root, r.name());
    h5::Handle group = h5::open_group(root, "fields");
    // A frame counts once its time is on disk; every field must hold at least that many.
    r.frame_times = h5::read_vector<double>(group.get(), "time");
    const std::vector<hsize_t> frame_extent{hsize_t(r.grid.nz), hsize_t(r.grid.ny),
                                            hsize_t(r.grid.nx)};
    for (const auto& field_name : h5::read_string_array_attribute(group.get(), "names")) {
      h5::Handle dataset = h5::open_dataset(group.get(), field_name);
      const auto extent = h5::dataset_extent(dataset.get());
      if (extent.size() != 4 || extent[0] < r.frame_times.size() ||
          !std::equal(frame_extent.begin(), frame_extent.end(), extent.begin() + 1)) {
        throw runaway::runtime_error("/fields/" + field_name +
                                     " does not match /grid and /fields/time");
      }
      r.fields.push_back({field_name, h5::read_string_attribute(dataset.get(), "units"),
                          h5::read_string_attribute(dataset.get(), "description"),
                          h5::dataset_element_type(dataset.get())});
    }
    return 0;
  });
}

ResultsReader::ResultsReader(ResultsReader&&) noexcept = default;
ResultsReader& ResultsReader::operator=(ResultsReader&&) noexcept = default;
ResultsReader::~ResultsReader() = default;

const fs::path& ResultsReader::path() const {
  return impl_->path;
}
bool ResultsReader::complete() const {
  return impl_->complete;
}
const GridInfo& ResultsReader::grid() const {
  return impl_->grid;
}

ModelData ResultsReader::model() const {
  return impl_->reading([&] { return h5::read_model(impl_->file.get(), impl_->name()); });
}

const std::vector<FieldSpec>& ResultsReader::fields() const {
  return impl_->fields;
}

bool ResultsReader::has_field(const std::string& name) const {
  return std::any_of(impl_->fields.begin(), impl_->fields.end(),
                     [&](const FieldSpec& field) { return field.name == name; });
}

std::size_t ResultsReader::frame_count() const {
  return impl_->frame_times.size();
}
const std::vector<double>& ResultsReader::frame_times() const {
  return impl_->frame_times;
}

std::vector<std::int64_t> ResultsReader::frame_steps() const {
  return impl_->reading(
      [&] { return read_rows<std::int64_t>(impl_->file.get(), "fields/step", frame_count()); });
}

std::vector<double> ResultsReader::read_field(const std::string& name, std::size_t frame) const {
  const Impl& r = *impl_;
  if (!has_field(name)) {
    std::string known;
    for (const auto& field : r.fields) known += (known.empty() ? "" : ", ") + field.name;
    throw runaway::bad_input(r.name() + " has no field '" + name + "'; it has " + known);
  }
  if (frame >= frame_count()) {
    throw runaway::bad_input(r.name() + " has " + std::to_string(frame_count()) +
                             " frames; frame " + std::to_string(frame) + " does not exist");
  }
  return r.reading([&] {
    const std::string what = r.name() + ": /fields/" + name;
    h5::Handle dataset = h5::open_dataset(r.file.get(), "fields/" + name);
    h5::Handle file_space = h5::check_handle(H5Dget_space(dataset.get()), H5Sclose, what);
    const auto nz = hsize_t(r.grid.nz), ny = hsize_t(r.grid.ny), nx = hsize_t(r.grid.nx);
    const hsize_t start[4] = {hsize_t(frame), 0, 0, 0};
    const hsize_t count[4] = {1, nz, ny, nx};
    h5::check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr),
              what);
    const hsize_t memory_extent[3] = {nz, ny, nx};
    h5::Handle memory_space =
        h5::check_handle(H5Screate_simple(3, memory_extent, nullptr), H5Sclose, what);
    std::vector<double> values(r.grid.voxel_count());
    h5::check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, memory_space.get(), file_space.get(),
                      H5P_DEFAULT, values.data()),
              "cannot read frame " + std::to_string(frame) + " of " + what);
    return values;
  });
}

ProbeSeries ResultsReader::probe_series() const {
  return impl_->reading([&] {
    ProbeSeries series;
    if (!h5::link_exists(impl_->file.get(), "probes")) return series;
    h5::Handle group = h5::open_group(impl_->file.get(), "probes");
    series.table = h5::read_table(group.get(), "table");
    // Time is written last: its length is the number of complete samples.
    series.time = h5::read_vector<double>(impl_->file.get(), "cells/time");
    series.temperature = read_rows<double>(group.get(), "temperature", series.time.size());
    if (series.temperature.size() != series.time.size() * series.probe_count()) {
      throw runaway::runtime_error("/probes/temperature does not have a column per probe");
    }
    return series;
  });
}

CellSeries ResultsReader::cell_series() const {
  return impl_->reading([&] {
    h5::Handle group = h5::open_group(impl_->file.get(), "cells");
    CellSeries series;
    // Time is written last, so its length is the number of complete samples.
    series.time = h5::read_vector<double>(group.get(), "time");
    const std::size_t samples = series.time.size();
    series.mean_temperature = read_rows<double>(group.get(), "mean_temperature", samples);
    series.max_temperature = read_rows<double>(group.get(), "max_temperature", samples);
    series.heat_released = read_rows<double>(group.get(), "heat_released", samples);
    // Files written before these series existed lack them: they are left empty then.
    auto optional_rows = [&](const char* name) {
      return h5::link_exists(group.get(), name) ? read_rows<double>(group.get(), name, samples)
                                                : std::vector<double>{};
    };
    series.pressure = optional_rows("pressure");
    series.vent_mass_flow = optional_rows("vent_mass_flow");
    series.vented_mass = optional_rows("vented_mass");
    series.vented_gas_mass = optional_rows("vented_gas_mass");
    series.heat_kept_in_body = optional_rows("heat_kept_in_body");
    series.heat_carried_by_ejecta = optional_rows("heat_carried_by_ejecta");
    series.plume_heat_received = optional_rows("plume_heat_received");
    series.plume_heat_to_self = optional_rows("plume_heat_to_self");
    series.plume_heat_to_other_cells = optional_rows("plume_heat_to_other_cells");
    series.plume_heat_to_enclosure = optional_rows("plume_heat_to_enclosure");
    series.plume_heat_carried_out = optional_rows("plume_heat_carried_out");
    series.combustion_heat = optional_rows("combustion_heat");
    series.unburnt_fuel_heat = optional_rows("unburnt_fuel_heat");
    series.heat_in_gas_conduction = optional_rows("heat_in_gas_conduction");
    series.heat_in_gap_radiation = optional_rows("heat_in_gap_radiation");
    series.heat_in_solid_contact = optional_rows("heat_in_solid_contact");
    series.heat_in_cell_contact = optional_rows("heat_in_cell_contact");
    series.heat_in_boundary = optional_rows("heat_in_boundary");
    series.plume_fire_heat_received = optional_rows("plume_fire_heat_received");
    series.state = read_rows<std::int8_t>(group.get(), "state", samples);
    series.state_names = h5::read_string_array_attribute(group.get(), "state_names");
    series.cell_count =
        std::size_t(h5::read_scalar_attribute<std::int64_t>(group.get(), "cell_count"));
    for (const std::vector<double>* values :
         {&series.mean_temperature, &series.max_temperature, &series.heat_released,
          &series.pressure, &series.vent_mass_flow, &series.vented_mass, &series.vented_gas_mass,
          &series.heat_kept_in_body, &series.heat_carried_by_ejecta, &series.plume_heat_received,
          &series.plume_heat_to_self, &series.plume_heat_to_other_cells,
          &series.plume_heat_to_enclosure, &series.plume_heat_carried_out, &series.combustion_heat,
          &series.unburnt_fuel_heat}) {
      if (!values->empty() && values->size() != samples * series.cell_count) {
        throw runaway::runtime_error("/cells series do not have cell_count columns");
      }
    }
    return series;
  });
}

std::vector<Event> ResultsReader::events() const {
  return impl_->reading([&] {
    h5::Handle group = h5::open_group(impl_->file.get(), "events");
    const auto time = h5::read_vector<double>(group.get(), "time");
    const std::size_t count = time.size();
    const auto cell = read_rows<std::int32_t>(group.get(), "cell", count);
    const auto temperature = read_rows<double>(group.get(), "temperature", count);
    auto kind = h5::read_strings(group.get(), "kind");
    if (kind.size() < count) throw runaway::runtime_error("/events/kind is short");
    std::vector<Event> events(count);
    for (std::size_t i = 0; i < count; ++i) {
      events[i] = {cell[i], kind[i], time[i], temperature[i]};
    }
    return events;
  });
}

std::string ResultsReader::config_text() const {
  return impl_->reading([&] { return h5::read_text(impl_->file.get(), "input/config"); });
}

std::string ResultsReader::config_path() const {
  return impl_->reading([&] {
    h5::Handle dataset = h5::open_dataset(impl_->file.get(), "input/config");
    return h5::read_string_attribute(dataset.get(), "path");
  });
}

ProvenanceRecord ResultsReader::provenance() const {
  return impl_->reading([&] {
    h5::Handle group = h5::open_group(impl_->file.get(), "provenance");
    const hid_t g = group.get();
    ProvenanceRecord record;
    record.provenance.version = h5::read_string_attribute(g, "version");
    record.provenance.git_commit = h5::read_string_attribute(g, "git_commit");
    record.provenance.backend = h5::read_string_attribute(g, "backend");
    record.provenance.device = h5::read_string_attribute(g, "device");
    record.provenance.command_line = h5::read_string_attribute(g, "command_line");
    record.start_date = h5::read_string_attribute(g, "start_date");
    if (h5::attribute_exists(g, "end_date"))
      record.end_date = h5::read_string_attribute(g, "end_date");
    record.wall_time = h5::read_scalar_attribute<double>(g, "wall_time");
    record.restart_count = h5::read_scalar_attribute<std::int64_t>(g, "restart_count");
    return record;
  });
}

ResultsCounts ResultsReader::counts() const {
  return impl_->reading([&] {
    ResultsCounts counts;
    counts.frames = frame_count();
    counts.cell_samples = row_count(impl_->file.get(), "cells/time");
    counts.events = row_count(impl_->file.get(), "events/time");
    return counts;
  });
}

}  // namespace runaway::io
