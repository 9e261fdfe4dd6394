//go:build amd64 && !purego

package gpt

import (
	"math"

	"golang.org/x/sys/cpu"
)

var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func geluAVX2(out, inp *float32, n int, c *[19][8]float32)

//go:noescape
func geluDerivAVX2(out, deriv, inp *float32, n int, c *[19][8]float32)

//go:noescape
func expShiftAVX2(dst, src *float32, n int, shift, scale float32, c *[19][8]float32)

// vecConsts are the constants of vecmath_amd64.s, each repeated over 8 lanes, in
// the row order of its C_ names.
var vecConsts = func() *[19][8]float32 {
	var t [19][8]float32
	rows := []float32{
		2 * geluK, 2 * geluK * 0.044715, // a = x (2K + 2Kc x^2) = 2u
		40, -87, // clamp of a: e q rounds to 1 above 40 (see GELUQ), exp underflows below -87
		1.44269504088896341, 0.693145751953125, 1.42860682030941723212e-6,
		1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 1.0 / 2,
		1, 0.5,
		math.Float32frombits(127), // exponent bias, as an int32
		6 * geluK * 0.044715,
		88, -87, // clamp of exp's argument
	}
	for i, v := range rows {
		for j := range t[i] {
			t[i][j] = v
		}
	}
	return &t
}()

// geluVec computes the first n - n%8 outputs of geluForward with AVX2 and
// returns how many it did.
func geluVec(out, deriv, inp []float32) int {
	n := len(inp) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = out[n-1], inp[n-1]
	if deriv == nil {
		geluAVX2(&out[0], &inp[0], n, vecConsts)
	} else {
		_ = deriv[n-1]
		geluDerivAVX2(&out[0], &deriv[0], &inp[0], n, vecConsts)
	}
	return n
}

// expShiftVec sets dst[i] = exp((src[i] - shift) * scale) for the first
// len(src) - len(src)%8 entries with AVX2 and returns how many it did.
func expShiftVec(dst, src []float32, shift, scale float32) int {
	n := len(src) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_ = dst[n-1]
	expShiftAVX2(&dst[0], &src[0], n, shift, scale, vecConsts)
	return n
}

//go:noescape
func colSumAVX2(dst, src *float32, rows, n, stride int)

// colSumVec adds column sums like colSumScalar for the first len(dst) -
// len(dst)%8 columns, with identical results, and returns how many it did.
func colSumVec(dst, src []float32, rows, stride int) int {
	n := len(dst) &^ 7
	if !hasAVX2 || n == 0 || rows == 0 {
		return 0
	}
	_ = src[(rows-1)*stride+n-1]
	colSumAVX2(&dst[0], &src[0], rows, n, stride)
	return n
}

//go:noescape
func sumAVX2(x *float32, n int) float32

//go:noescape
func sqDevAVX2(x *float32, n int, m float32) float32

//go:noescape
func lnNormAVX2(out, x, w, b *float32, n int, m, rs float32)

//go:noescape
func lnDotsAVX2(dy, w, x *float32, n int, m float32) (s1, s2 float32)

//go:noescape
func lnBwdRowAVX2(d, dy, w, x *float32, n int, m, rs, s1, s2 float32)

//go:noescape
func lnColAVX2(gw, gb, dy, x *float32, n int, m, rs float32)

// The LayerNorm helpers below run the vector kernels on the first len - len%8
// entries and return how many they did (0 without AVX2). Their callers finish
// the rest with scalar code; which entries are vectorised depends only on the
// lengths, never on the goroutine split.

func sumVec(x []float32) (float32, int) {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0, 0
	}
	return sumAVX2(&x[0], n), n
}

func sqDevVec(x []float32, m float32) (float32, int) {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0, 0
	}
	return sqDevAVX2(&x[0], n, m), n
}

func lnNormVec(out, x, w, b []float32, m, rs float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = out[n-1], w[n-1], b[n-1]
	lnNormAVX2(&out[0], &x[0], &w[0], &b[0], n, m, rs)
	return n
}

func lnDotsVec(g, w, x []float32, m float32) (s1, s2 float32, k int) {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0, 0, 0
	}
	_, _ = g[n-1], w[n-1]
	s1, s2 = lnDotsAVX2(&g[0], &w[0], &x[0], n, m)
	return s1, s2, n
}

func lnBwdRowVec(d, g, w, x []float32, m, rs, s1, s2 float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = d[n-1], g[n-1], w[n-1]
	lnBwdRowAVX2(&d[0], &g[0], &w[0], &x[0], n, m, rs, s1, s2)
	return n
}

func lnColVec(gw, gb, g, x []float32, m, rs float32) int {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _, _ = gw[n-1], gb[n-1], g[n-1]
	lnColAVX2(&gw[0], &gb[0], &g[0], &x[0], n, m, rs)
	return n
}
