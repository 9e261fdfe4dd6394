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
func geluAVX512(out, inp *float32, n int, c *[19][8]float32)

//go:noescape
func geluDerivAVX512(out, deriv, inp *float32, n int, c *[19][8]float32)

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
	if deriv != nil {
		_ = deriv[n-1]
	}
	k := 0 // done by the 16-lane kernels: the same bits as the 8-lane ones
	if hasAVX512 && !geluAVX2Only {
		if k = n &^ 31; k > 0 {
			if deriv == nil {
				geluAVX512(&out[0], &inp[0], k, vecConsts)
			} else {
				geluDerivAVX512(&out[0], &deriv[0], &inp[0], k, vecConsts)
			}
		}
	}
	if k < n {
		if deriv == nil {
			geluAVX2(&out[k], &inp[k], n-k, vecConsts)
		} else {
			geluDerivAVX2(&out[k], &deriv[k], &inp[k], n-k, vecConsts)
		}
	}
	return n
}

// geluAVX2Only keeps geluVec on its 8-lane kernels (for the tests that hold
// the 16-lane ones to them).
var geluAVX2Only = false

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

//go:noescape
func addRowAVX2(dst, src, row *float32, rows, n, ldd, lds int)

// addRowVec sets dst[r*ldd+j] = src[r*lds+j] + row[j] for r < rows and the
// first k = len(row) - len(row)%8 columns j, and returns k (0 without AVX2).
func addRowVec(dst, src, row []float32, rows, ldd, lds int) int {
	n := len(row) &^ 7
	if !hasAVX2 || n == 0 || rows == 0 {
		return 0
	}
	_, _ = dst[(rows-1)*ldd+n-1], src[(rows-1)*lds+n-1]
	addRowAVX2(&dst[0], &src[0], &row[0], rows, n, ldd, lds)
	return n
}

//go:noescape
func mulAVX2(dst, x, y *float32, n int)

// mulVec sets dst[i] = x[i] y[i] for the first k = len(dst) - len(dst)%8
// entries and returns k (0 without AVX2).
func mulVec(dst, x, y []float32) int {
	n := len(dst) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	_, _ = x[n-1], y[n-1]
	mulAVX2(&dst[0], &x[0], &y[0], n)
	return n
}

//go:noescape
func transpose8AVX2(dst *float32, ldd int, src *float32, lds int)

// transposeVec transposes the 8 x 8 blocks of the (rows, cols) matrix src
// (row stride lds) into dst (row stride ldd), dst[c*ldd+t] = src[t*lds+c],
// for t < rows - rows%8, c < cols - cols%8, and returns those two bounds.
func transposeVec(dst []float32, ldd int, src []float32, lds, rows, cols int) (int, int) {
	r8, c8 := rows&^7, cols&^7
	if !hasAVX2 || r8 == 0 || c8 == 0 {
		return 0, 0
	}
	_, _ = dst[(c8-1)*ldd+r8-1], src[(r8-1)*lds+c8-1]
	for t := 0; t < r8; t += 8 {
		for c := 0; c < c8; c += 8 {
			transpose8AVX2(&dst[c*ldd+t], ldd, &src[t*lds+c], lds)
		}
	}
	return r8, c8
}

//go:noescape
func softmax4AVX2(x *[4]*float32, n, valid0 int, scale float32, tmp *[8]float32, lanes *[16]int32, c *[19][8]float32)

var laneIndex = [16]int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8}

// softmax4Vec runs the causal softmax of softmaxRows on rows[0:4] with AVX2
// when n is a positive multiple of 8, and reports whether it did. Rows past
// the valid ones may be any n floats (their results are not used).
func softmax4Vec(rows *[4][]float32, n, valid0 int, scale float32) bool {
	if !hasAVX2 || n == 0 || n%8 != 0 {
		return false
	}
	var p [4]*float32
	for i := range p {
		_ = rows[i][n-1]
		p[i] = &rows[i][0]
	}
	var tmp [8]float32
	softmax4AVX2(&p, n, valid0, scale, &tmp, &laneIndex, vecConsts)
	return true
}

//go:noescape
func softmaxBwd4AVX2(d, a *[4]*float32, n int, scale float32)

// softmaxBwd4Vec runs softmaxBwdRows's rows d[0:4], a[0:4] with AVX2 when n
// is a positive multiple of 8, and reports whether it did.
func softmaxBwd4Vec(d, a *[4][]float32, n int, scale float32) bool {
	if !hasAVX2 || n == 0 || n%8 != 0 {
		return false
	}
	var dp, ap [4]*float32
	for i := range dp {
		_, _ = d[i][n-1], a[i][n-1]
		dp[i], ap[i] = &d[i][0], &a[i][0]
	}
	softmaxBwd4AVX2(&dp, &ap, n, scale)
	return true
}
