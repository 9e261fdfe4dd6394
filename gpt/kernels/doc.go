// Package kernels holds the one GEMM that every layer of the transformer uses,
// and the goroutine pool it runs on.
//
// Gemm computes C = beta*C + op(A) op(B) on row-major float32 matrices. K is
// cut into blocks of 256; per block op(B) is packed into nr-column panels and
// op(A) into mr-row micro-panels (the assembly kernels read a non-transposed
// A in place instead), and a register-tiled micro-kernel computes each
// mr x nr tile of C:
//
//	avx2    6x16 tile, Go assembly, AVX2 + FMA (12 ymm accumulators)
//	avx512  6x32 tile, Go assembly, AVX-512F (12 zmm accumulators)
//	go      2x4 tile, portable Go
//	ref     GemmRef, the naive triple loop
//
// The fastest kernel the CPU supports is chosen at start-up; the environment
// variable ICL_GEMM=ref|go|avx2|avx512 forces one, and SetKernel changes it.
// Build tag purego drops the assembly.
//
// Work is shared over a fixed pool of goroutines (SetThreads, Parallel). K is
// never split across goroutines and the K blocking is fixed, so each element
// of C is summed in the same order whatever the number of goroutines: results
// are identical bit for bit for any thread count. A naive reference, GemmRef,
// sits beside Gemm and the tests hold them equal within float32 rounding.
package kernels
