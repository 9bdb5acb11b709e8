#include "meshes/library.hpp"

namespace runaway::meshes {

namespace {

MaterialSpec isotropic(const std::string& name, double density, double heat_capacity,
                       double conductivity, double emissivity, const std::string& source) {
  MaterialSpec m;
  m.name = name;
  m.density = density;
  m.heat_capacity = heat_capacity;
  m.conductivity_in_plane = conductivity;
  m.conductivity_through_plane = conductivity;
  m.emissivity = emissivity;
  m.source = source;
  return m;
}

MaterialSpec jelly_roll(const std::string& name, double density, double heat_capacity,
                        double in_plane, double through_plane, const std::string& source) {
  MaterialSpec m = isotropic(name, density, heat_capacity, in_plane, 0.8, source);
  m.conductivity_through_plane = through_plane;
  m.is_jelly_roll = true;
  return m;
}

MaterialSpec melting(MaterialSpec m, double melting_point, double latent_heat) {
  m.melting_point = melting_point;
  m.latent_heat_of_fusion = latent_heat;
  m.molten_conductivity = 0.026;  // air at 300 K (Incropera & DeWitt, Table A.4), ASSUMED
  return m;
}

std::vector<MaterialSpec> make_materials() {
  MaterialSpec air = isotropic("air", 1.16, 1007, 0.026, 0.0,
                               "handbook values at 300 K (Incropera & DeWitt, Table A.4)");
  air.transparent = true;
  return {
      // Gas: transparent, so its emissivity is unused (radiation across gaps uses the bounding
      // surfaces' emissivities, docs/physics.md "Gaps between cells").
      air,
      // Bare metal emissivities are low and vary with finish: UNVERIFIED handbook ranges.
      isotropic("aluminium", 2700, 897, 237, 0.09,
                "handbook (Incropera & DeWitt, Table A.1); emissivity of rolled sheet UNVERIFIED"),
      isotropic("copper", 8960, 385, 400, 0.05,
                "handbook (Incropera & DeWitt, Table A.1); emissivity of bare copper UNVERIFIED"),
      // Low-carbon steel (AISI 1010), as in pack enclosures and cylindrical cell cans.
      isotropic("steel", 7832, 434, 63.9, 0.8,
                "Incropera & DeWitt, Fundamentals of Heat and Mass Transfer, Table A.1, AISI "
                "1010 (UNVERIFIED transcription); emissivity of painted steel UNVERIFIED"),
      // Cell cans: the metal's properties; 0.8 is the emissivity cell models commonly use for
      // cans (wrapped or coated), UNVERIFIED.
      // Cans melt (docs/physics.md "Cans that melt"): aluminium at 933.47 K (the ITS-90 freezing
      // point of aluminium, 933.473 K; Incropera & DeWitt Table A.1 lists 933 K), latent heat
      // 397 kJ/kg (CRC Handbook of Chemistry and Physics, 10.71 kJ/mol / 26.98 g/mol,
      // UNVERIFIED transcription); steel: AISI 1010 1810 K (Incropera & DeWitt Table A.1,
      // UNVERIFIED transcription), latent heat that of iron, 247 kJ/kg (CRC, 13.81 kJ/mol /
      // 55.845 g/mol; carbon steel's differs a little, UNVERIFIED). Once molten the wall has
      // run off: it conducts like air, 0.026 W/(m K) (Incropera & DeWitt Table A.4), ASSUMED.
      melting(isotropic("aluminium-can", 2700, 897, 237, 0.8,
                        "aluminium handbook values (Incropera & DeWitt, Table A.1); can "
                        "emissivity 0.8 UNVERIFIED; melting 933.47 K, 397 kJ/kg (ITS-90; CRC, "
                        "UNVERIFIED); molten k: air, ASSUMED"),
              933.47, 397e3),
      melting(isotropic("steel-can", 7832, 434, 63.9, 0.8,
                        "AISI 1010, Incropera & DeWitt Table A.1 (UNVERIFIED transcription); can "
                        "emissivity 0.8 UNVERIFIED; melting 1810 K (Table A.1), 247 kJ/kg (iron, "
                        "CRC, UNVERIFIED); molten k: air, ASSUMED"),
              1810.0, 247e3),
      // Basalt-fibre aerogel blanket: 0.030 W/(m K) (secondary summary; 3 mm stopped
      // propagation in a 147 Ah NCM module). Density and cp are representative, UNVERIFIED.
      isotropic(
          "aerogel", 200, 1000, 0.030, 0.9,
          "k: basalt aerogel, secondary summary (no primary source found); density, cp, emissivity "
          "UNVERIFIED"),
      // Mica board (phlogopite/muscovite paper laminate) as used for cell-to-cell barriers.
      isotropic("mica", 2300, 880, 0.25, 0.75,
                "representative mica-board datasheet values, UNVERIFIED; barrier use per doi "
                "10.3390/ma18071426"),
      // Silicone gap-filler pad between cells or cells and the cooling plate.
      isotropic("thermal-pad", 3100, 1000, 3.0, 0.9,
                "representative silicone gap-pad datasheet values, UNVERIFIED"),
      // ~50 Ah NMC prismatic jelly roll: cp and k of Feng et al. 2015 (25 Ah NCM prismatic,
      // open reproduction, UNVERIFIED). Density 2100 kg/m^3 matches the chemistry library's
      // nmc-*-50ah entries (assumed there), so the voxels' rho cp equals the kinetics' rho cp;
      // it makes the 148 x 26.5 x 91 mm cell 0.77 kg with its can, 237 Wh/kg, UNVERIFIED.
      jelly_roll("jelly-roll-nmc-prismatic", 2100, 1100, 30.0, 1.5,
                 "cp, k: Feng et al. 2015, Appl. Energy 154, 74 (open reproduction, "
                 "UNVERIFIED); density as host/chemistry nmc-*-50ah (assumed)"),
      // LFP: 20 Ah LFP pouch characterisation (arXiv anisotropic study).
      jelly_roll("jelly-roll-lfp", 2180, 1106, 26.6, 0.52,
                 "anisotropic characterisation of large-format LFP pouch cells (arXiv "
                 "preprint)"),
      // Wound 18650: in-plane = axial 13.6 W/(m K), midpoint of 11.8-15.4 (Yu et al. 2023,
      // Appl. Therm. Eng.); through-plane = radial 0.2, "about two orders lower" (Yu et al. 2023),
      // value UNVERIFIED. rho = 2580, cp = 830 give Kim 2007's rho cp = 2.14e6 J/(m^3 K); the
      // split is UNVERIFIED.
      jelly_roll("jelly-roll-18650", 2580, 830, 13.6, 0.2,
                 "k axial: Yu et al. 2023; k radial: ~1/100 of axial (Yu et al. 2023), UNVERIFIED; "
                 "rho cp: Kim et al. 2007 (UNVERIFIED)"),
      // Wound 21700: axial 14.65, midpoint of 12.6-16.7 (Yu et al. 2023); radial and rho cp as
      // the 18650, UNVERIFIED.
      jelly_roll("jelly-roll-21700", 2580, 830, 14.65, 0.2,
                 "k axial: Yu et al. 2023; k radial, rho, cp as the 18650, UNVERIFIED"),
  };
}

CellType prismatic(const std::string& name, double width, double thickness, double height,
                   double wall, const std::string& can, const std::string& jelly,
                   const std::string& chemistry, double capacity_ah, double voltage,
                   const std::string& source) {
  CellType c;
  c.name = name;
  c.shape = CellShape::kPrismatic;
  c.width = width;
  c.thickness = thickness;
  c.height = height;
  c.can_wall_thickness = wall;
  c.can_material = can;
  c.jelly_roll_material = jelly;
  c.chemistry = chemistry;
  c.capacity_ah = capacity_ah;
  c.nominal_voltage = voltage;
  // The flame region is a modelling choice, not a measurement: where the burning vent gas
  // deposits its heat (docs/config.md).
  c.flame_length = 0.03;
  c.flame_width = 0.02;
  c.source = source;
  return c;
}

CellType cylindrical(const std::string& name, double diameter, double height, double wall,
                     const std::string& jelly, const std::string& chemistry, double capacity_ah,
                     double voltage, const std::string& source) {
  CellType c = prismatic(name, 0, 0, height, wall, "steel-can", jelly, chemistry, capacity_ah,
                         voltage, source);
  c.shape = CellShape::kCylindrical;
  c.diameter = diameter;
  c.flame_length = 0.02;
  c.flame_width = diameter;
  return c;
}

std::vector<CellType> make_cells() {
  const std::string nmc_source =
      "VDA PHEV2 format 148 x 26.5 x 91 mm (DIN SPEC 91252); 50 Ah, 3.65 V, 0.8 mm aluminium "
      "can and 0.90 kg are representative of NMC cells in this format, UNVERIFIED";
  // The LFP cells name the chemistry "lfp", which the chemistry library does not hold yet (no
  // checked LFP reaction set): a pack using them defines [chemistries.lfp].
  CellType pouch = prismatic("lfp-20ah-pouch", 0.160, 0.00725, 0.227, 0.00015, "aluminium-can",
                             "jelly-roll-lfp", "lfp", 20.0, 3.3,
                             "A123 AMP20 class LFP pouch, 227 x 160 x 7.25 mm, 20 Ah, 3.3 V; "
                             "laminate 0.15 mm; all UNVERIFIED datasheet recollection");
  pouch.shape = CellShape::kPouch;
  return {
      prismatic("nmc-50ah-prismatic", 0.148, 0.0265, 0.091, 0.0008, "aluminium-can",
                "jelly-roll-nmc-prismatic", "nmc-liquid-50ah", 50.0, 3.65, nmc_source),
      // Semi-solid twin: same can and geometry, the semi-solid chemistry (<= 10 % liquid).
      // Jelly-roll thermal properties of semi-solid cells are unpublished; the liquid cell's
      // are used, UNVERIFIED.
      prismatic("nmc-50ah-prismatic-semisolid", 0.148, 0.0265, 0.091, 0.0008, "aluminium-can",
                "jelly-roll-nmc-prismatic", "nmc-semisolid-50ah", 50.0, 3.65,
                nmc_source + "; semi-solid twin of nmc-50ah-prismatic"),
      prismatic("lfp-105ah-prismatic", 0.130, 0.036, 0.200, 0.0008, "aluminium-can",
                "jelly-roll-lfp", "lfp", 105.0, 3.2,
                "EVE LF105 class LFP prismatic, 130 x 36 x 200 mm, 105 Ah, 3.2 V; can 0.8 mm; "
                "UNVERIFIED datasheet recollection"),
      pouch,
      cylindrical("18650-lco", 0.018, 0.065, 0.00025, "jelly-roll-18650", "nrel-lco", 2.4, 3.7,
                  "18650 format (18 x 65 mm); LiCoO2/graphite as in Hatchard 2001 / Kim 2007; "
                  "2.4 Ah, 3.7 V and 0.25 mm steel can representative, UNVERIFIED"),
      cylindrical("21700-nmc", 0.021, 0.070, 0.0003, "jelly-roll-21700", "nmc-liquid-50ah", 5.0,
                  3.6,
                  "21700 format (21 x 70 mm); 5.0 Ah, 3.6 V and 0.3 mm steel can "
                  "representative of NMC 21700 datasheets, UNVERIFIED"),
  };
}

}  // namespace

const std::vector<MaterialSpec>& library_materials() {
  static const std::vector<MaterialSpec> materials = make_materials();
  return materials;
}

const std::vector<CellType>& library_cells() {
  static const std::vector<CellType> cells = make_cells();
  return cells;
}

const MaterialSpec* find_library_material(const std::string& name) {
  for (const MaterialSpec& m : library_materials()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const CellType* find_library_cell(const std::string& name) {
  for (const CellType& c : library_cells()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace runaway::meshes
