//go:build amd64 && !purego

package vecmath

import "golang.org/x/sys/cpu"

// expFMA sets dst[i] = exp(src[i]) for i < n (a multiple of 4) by math.Exp's
// amd64 algorithm on a CPU with FMA, for src[i] <= 708; other lanes hold
// garbage, and then fix is nonzero.
//
//go:noescape
func expFMA(dst, src *float64, n int, tab *[20][4]uint64) (fix int)

// expAVX512 is expFMA over eight lanes at a time (n a multiple of 8), on a
// CPU with AVX-512 F, DQ and VL.
//
//go:noescape
func expAVX512(dst, src *float64, n int, tab *[20][4]uint64) (fix int)

// hasAVX512 selects the eight-lane kernels of Sin and Exp (the same steps,
// so the same bits, as the four-lane ones).
var hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL

// useExpFMA selects the vector path. On amd64 math.Exp is assembly that
// takes its fused multiply-add branch on a CPU with AVX and FMA, which the
// vector path follows step for step, whatever GOAMD64 is.
var useExpFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
