// RUNAWAY_HD marks physics that both backends compile: __host__ __device__ under nvcc, nothing
// under a plain C++ compiler. Do not rely on __host__ existing outside nvcc (CCCL 3 defines it
// only when the CUDA runtime headers happen to be on the include path).
#pragma once

#ifdef __CUDACC__
#define RUNAWAY_HD __host__ __device__
#else
#define RUNAWAY_HD
#endif
