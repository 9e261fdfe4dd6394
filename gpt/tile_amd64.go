//go:build amd64 && !purego

package gpt

import "golang.org/x/sys/cpu"

//go:generate python3 gen_tile_amd64.py

var hasAVX512 = cpu.X86.HasAVX512F && hasAVX2

// The tile kernels of tile_amd64.s: c[i][0:n] (+)= sum over p < k of
// a[i][p*csa] * b[p*ldb : p*ldb+n] for the four rows i, n a multiple of 8.

//go:noescape
func tileAVX2(k int, a *[4]*float32, csa int, b *float32, ldb int, c *[4]*float32, n int, acc int)

//go:noescape
func tileAVX512(k int, a *[4]*float32, csa int, b *float32, ldb int, c *[4]*float32, n int, acc int)

// tileVec runs a vector tile kernel on the first n - n%8 columns and returns
// how many it did. tile has checked the bounds and k >= 1. Rows past rows
// read row 0 of A again and write spare (at least n long).
func tileVec(kern tileKernel, k int, a *[4][]float32, csa int, b []float32, ldb int, c *[4][]float32, spare []float32, rows, n int, acc bool) int {
	n8 := n &^ 7
	var ap, cp [4]*float32
	for i := 0; i < 4; i++ {
		if i < rows {
			ap[i], cp[i] = &a[i][0], &c[i][0]
		} else {
			ap[i], cp[i] = ap[0], &spare[0]
		}
	}
	ac := 0
	if acc {
		ac = 1
	}
	if kern == tileAVX512Kernel {
		tileAVX512(k, &ap, csa, &b[0], ldb, &cp, n8, ac)
	} else {
		tileAVX2(k, &ap, csa, &b[0], ldb, &cp, n8, ac)
	}
	return n8
}
