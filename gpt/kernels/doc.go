// Package kernels holds the one GEMM that every layer of the transformer uses.
//
// Gemm computes C = beta*C + op(A) op(B) on row-major float32 matrices. A naive
// reference, GemmRef, sits beside it and the tests hold them equal.
package kernels
