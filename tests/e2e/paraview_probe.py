"""Open a runaway XDMF file with one of ParaView's XDMF readers and print what ParaView sees.

Used by tests/e2e/test_paraview_xdmf.cpp:
    pvpython paraview_probe.py FILE.xdmf TIME FIELD I J K [READER]
READER is "XDMFReader" (the default: ParaView's "XDMF Reader", Xdmf2), "Xdmf3ReaderS" or
"Xdmf3ReaderT" ("Xdmf3 Reader S/T"). Prints key=value lines: the reader, the time steps, the
image geometry (x, y, z order, as VTK has it), the cell arrays, the value of FIELD in voxel
(I, J, K) at TIME, every array's value there, and FIELD's value in that voxel at every time step.
"""
import sys

from paraview import simple


def open_reader(kind, path):
    if kind == "XDMFReader":
        reader = simple.XDMFReader(FileNames=[path])
        reader.CellArrayStatus = list(reader.CellArrayStatus)  # every cell array
    elif kind in ("Xdmf3ReaderS", "Xdmf3ReaderT"):
        reader = getattr(simple, kind)(FileName=[path])  # every cell array by default
    else:
        raise SystemExit("unknown reader " + kind)
    return reader


def output(reader):
    # pvpython runs builtin (no server), so the client-side object is the VTK reader itself and
    # its output is the grid at the time last updated.
    data = reader.GetClientSideObject().GetOutputDataObject(0)
    if data.IsA("vtkMultiBlockDataSet") and data.GetNumberOfBlocks() == 1:
        data = data.GetBlock(0)
    return data


def main():
    path, time, field = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    i, j, k = (int(v) for v in sys.argv[4:7])
    kind = sys.argv[7] if len(sys.argv) > 7 else "XDMFReader"
    reader = open_reader(kind, path)
    reader.UpdatePipeline(time)
    image = output(reader)
    print("reader=" + kind)
    print("class=" + image.GetClassName())
    # The Xdmf3 readers give a vtkUniformGrid, a vtkImageData with blanking.
    print("image_data=%d" % image.IsA("vtkImageData"))
    print("timesteps=" + " ".join(repr(t) for t in reader.TimestepValues))
    print("dimensions=" + " ".join(str(n) for n in image.GetDimensions()))
    print("origin=" + " ".join(repr(v) for v in image.GetOrigin()))
    print("spacing=" + " ".join(repr(v) for v in image.GetSpacing()))
    cell_data = image.GetCellData()
    names = [cell_data.GetArrayName(a) for a in range(cell_data.GetNumberOfArrays())]
    print("cell_arrays=" + " ".join(sorted(names)))
    array = cell_data.GetArray(field)
    if array is None:
        print("error=no cell array " + field)
        return 1
    cell_id = image.ComputeCellId([i, j, k])
    print("value=" + repr(array.GetTuple1(cell_id)))
    # Every array at this voxel and time, and FIELD at this voxel in every frame.
    print("all_values=" + " ".join(
        "%s:%r" % (name, cell_data.GetArray(name).GetTuple1(cell_id)) for name in sorted(names)))
    series = []
    for step in reader.TimestepValues:
        reader.UpdatePipeline(step)
        frame = output(reader)
        series.append(frame.GetCellData().GetArray(field).GetTuple1(cell_id))
    print("series=" + " ".join(repr(v) for v in series))
    return 0


if __name__ == "__main__":
    sys.exit(main())
