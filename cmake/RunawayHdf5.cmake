# HDF5 for the results files, and MPI with RUNAWAY_MPI.
#
# Debian installs serial HDF5 (libhdf5-dev, wrapper h5cc) and parallel HDF5 (libhdf5-openmpi-dev,
# wrapper h5pcc) side by side, and FindHDF5 takes whichever wrapper it meets first. So the choice
# is made here, for both builds: a serial build takes serial HDF5, an MPI build parallel HDF5,
# and each stops with the package to install when it finds the other kind.
#
# runaway-viz (VTK from paraview-dev) stays available in the MPI build. Checked with ldd: the VTK
# modules it links load no HDF5 of their own, so in the MPI build it loads the parallel HDF5 of
# runaway_io alone (which works without MPI_Init). ParaView's own vtkIOHDF, which runaway-viz
# does not use, links the parallel library even in the serial build; Debian versions the symbols
# of the two libraries apart (HDF5_SERIAL_1.8.7, HDF5_MPI_1.8.7), so a process that loaded both
# would still keep them apart.
#
# The result, for every library that writes results or runs in parallel:
#   runaway_hdf5  INTERFACE target: HDF5's include directories and libraries
#   runaway_mpi   INTERFACE target: with RUNAWAY_MPI, MPI::MPI_CXX and the PUBLIC compile
#                 definition RUNAWAY_HAVE_MPI=1 (code tests `#if RUNAWAY_HAVE_MPI`); empty
#                 otherwise

if(RUNAWAY_MPI)
  set(MPI_CXX_SKIP_MPICXX TRUE)  # the C API only; not the deprecated MPI-2 C++ bindings
  find_package(MPI REQUIRED COMPONENTS C CXX)
  set(HDF5_PREFER_PARALLEL TRUE)
  set(runaway_hdf5_kind parallel)
else()
  set(HDF5_PREFER_PARALLEL FALSE)
  set(runaway_hdf5_kind serial)
endif()

# FindHDF5 caches the wrapper and libraries it found: switching RUNAWAY_MPI in an existing build
# directory must search again.
if(DEFINED RUNAWAY_HDF5_KIND_FOUND AND NOT RUNAWAY_HDF5_KIND_FOUND STREQUAL runaway_hdf5_kind)
  get_cmake_property(runaway_cache_variables CACHE_VARIABLES)
  foreach(variable ${runaway_cache_variables})
    if(variable MATCHES "^HDF5_")
      unset(${variable} CACHE)
    endif()
  endforeach()
endif()

find_package(HDF5 REQUIRED COMPONENTS C)
if(RUNAWAY_MPI AND NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "RUNAWAY_MPI=ON needs parallel HDF5 built with OpenMPI, but the HDF5 found "
    "(${HDF5_C_INCLUDE_DIRS}) is serial. Install it with `apt-get install libhdf5-openmpi-dev` "
    "(Debian), or point HDF5_C_COMPILER_EXECUTABLE at its h5pcc")
elseif(NOT RUNAWAY_MPI AND HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "The serial build needs serial HDF5, but the HDF5 found (${HDF5_C_INCLUDE_DIRS}) is parallel. "
    "Install it with `apt-get install libhdf5-dev` (Debian), point "
    "HDF5_C_COMPILER_EXECUTABLE at its h5cc, or configure with -DRUNAWAY_MPI=ON")
endif()
set(RUNAWAY_HDF5_KIND_FOUND ${runaway_hdf5_kind} CACHE INTERNAL "serial or parallel HDF5")
message(STATUS "runaway: ${runaway_hdf5_kind} HDF5 ${HDF5_VERSION} (${HDF5_C_INCLUDE_DIRS})")

add_library(runaway_hdf5 INTERFACE)
target_include_directories(runaway_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS})
target_compile_definitions(runaway_hdf5 INTERFACE ${HDF5_C_DEFINITIONS})
target_link_libraries(runaway_hdf5 INTERFACE ${HDF5_C_LIBRARIES})

add_library(runaway_mpi INTERFACE)
if(RUNAWAY_MPI)
  target_compile_definitions(runaway_mpi INTERFACE RUNAWAY_HAVE_MPI=1)
  target_link_libraries(runaway_mpi INTERFACE MPI::MPI_CXX)
  target_link_libraries(runaway_hdf5 INTERFACE MPI::MPI_C)  # parallel HDF5's headers include mpi.h
  message(STATUS "runaway: MPI ${MPI_CXX_VERSION} (${MPIEXEC_EXECUTABLE})")
endif()
