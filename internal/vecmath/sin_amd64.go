//go:build amd64 && !purego && !amd64.v3

package vecmath

import "golang.org/x/sys/cpu"

// sinAVX2 sets dst[i] = sin(src[i]) for i < n (a multiple of 4) by
// math.Sin's algorithm, for 0 < |src[i]| < 2^29; other lanes hold garbage,
// and then fix is nonzero.
//
//go:noescape
func sinAVX2(dst, src *float64, n int, tab *[25][4]uint64) (fix int)

// sinAVX512 is sinAVX2 over eight lanes at a time (n a multiple of 8), on a
// CPU with AVX-512 F, DQ and VL.
//
//go:noescape
func sinAVX512(dst, src *float64, n int, tab *[25][4]uint64) (fix int)

// useAVX2 selects the vector path. It is built only where the compiler does
// not fuse multiply-adds (GOAMD64 below v3): with GOAMD64=v3 math.Sin's
// products and sums may be fused, which rounds differently from the vector
// path's separate ones.
var useAVX2 = hasAVX2

var hasAVX2 = cpu.X86.HasAVX2
