//go:build amd64 && !purego

package vecmath

import "golang.org/x/sys/cpu"

// expFMA sets dst[i] = exp(src[i]) for i < n (a multiple of 4) by math.Exp's
// amd64 algorithm on a CPU with FMA, for src[i] <= 708; other lanes hold
// garbage, and then fix is nonzero.
//
//go:noescape
func expFMA(dst, src *float64, n int, tab *[20][4]uint64) (fix int)

// useExpFMA selects the vector path. On amd64 math.Exp is assembly that
// takes its fused multiply-add branch on a CPU with AVX and FMA, which the
// vector path follows step for step, whatever GOAMD64 is.
var useExpFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
