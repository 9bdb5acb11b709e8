// STREAM triad (McCalpin), a[i] = b[i] + s c[i], measured in the same process as the kernels so
// that every benchmark reports the fraction of this machine's attainable bandwidth it reached.
// One implementation for `runaway bench` (host/bench/) and the benchmarks/ executables.
#pragma once

namespace runaway::host {

// Best-of-n triad bandwidth in bytes/s, counting 24 bytes per element as STREAM does. Arrays are
// large enough (3 x 128 MiB) to defeat every cache. Measured once per process and cached.
double stream_triad_bytes_per_second();

}  // namespace runaway::host
