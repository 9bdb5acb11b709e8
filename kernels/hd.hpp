// RUNAWAY_HD marks physics that both backends compile: __host__ __device__ under nvcc, nothing
// under a plain C++ compiler. Do not rely on __host__ existing outside nvcc (CCCL 3 defines it
// only when the CUDA runtime headers happen to be on the include path).
#pragma once

#ifdef __CUDACC__
#define RUNAWAY_HD __host__ __device__
#else
#define RUNAWAY_HD
#endif

// RUNAWAY_ROLLED, on the line before a loop, keeps it rolled in device code. nvcc unrolls the
// stiff integrator's short loops over the unknowns in full and then holds their operands in
// registers: KineticsUpdate took 202 registers (one 256-thread block per SM) with them unrolled,
// 148 rolled (ptxas, sm_80, no spills; 146 now, docs/performance.md). Host code is unchanged.
#ifdef __CUDA_ARCH__
#define RUNAWAY_ROLLED _Pragma("unroll 1")
#else
#define RUNAWAY_ROLLED
#endif
