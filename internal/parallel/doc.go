// Package parallel owns the parallel loops of icl outside the GEMM (whose
// goroutine pool is package gpt/kernels'): For and ForWith hand out the
// indices of [0, n) one at a time to a few goroutines, and Ranges splits
// [0, n) into a few contiguous ranges.
//
// Neither says which goroutine gets which index, so callers make every result
// depend on its index alone: the bits of what they compute are then the same
// for any number of goroutines.
package parallel
