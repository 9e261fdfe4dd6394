// Package kernels holds the one GEMM that every layer of the transformer uses,
// and the goroutine pool it runs on.
//
// Gemm computes C = beta*C + op(A) op(B) on row-major float32 matrices. It
// packs op(A) into 6-row (or 4-row) micro-panels and op(B) into 16-, 32- or
// 4-column panels, K-blocked at 256, and runs a register-tiled micro-kernel:
//
//	avx2    6x16 tile, Go assembly, AVX2 + FMA (12 ymm accumulators)
//	avx512  6x32 tile, Go assembly, AVX-512F (12 zmm accumulators)
//	go      4x4 tile, portable Go
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
