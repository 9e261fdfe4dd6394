package gpt

import (
	"fmt"

	"icl/gpt/kernels"
)

// Attention's small products go through one tile operation: a block of at most
// 4 rows of C computed as
//
//	c[i][j] = (acc ? c[i][j] : 0) + sum over p < k of a[i][p*csa] * b[p*ldb+j]
//
// for i < rows, j < n, each sum formed from zero in order p = 0, 1, ..., k-1.
// A row of A is read through its own slice with column stride csa (a row of
// Q or P has csa = 1; a column of P read as a row of P^T has csa = the row
// stride of P); B's rows are read in place, ldb apart. The vector kernels
// (tile_amd64.s) use one FMA per term and give the same bits on AVX2 and
// AVX-512; tileGo is the plain-Go kernel and the reference they are tested
// against.

// tileKernel selects the tile kernels: the GEMM's choice (kernels.Kernel),
// so ICL_GEMM=go or ref runs attention in plain Go too.
type tileKernel int

const (
	tileGoKernel tileKernel = iota
	tileAVX2Kernel
	tileAVX512Kernel
)

func currentTileKernel() tileKernel {
	switch kernels.Kernel() {
	case "avx512":
		if hasAVX512 {
			return tileAVX512Kernel
		}
	case "avx2":
		if hasAVX2 {
			return tileAVX2Kernel
		}
	}
	return tileGoKernel
}

// tiler runs the tile operation for one goroutine: a and c hold the rows of
// the next call, spare is where a vector kernel writes rows past the last.
type tiler struct {
	kern  tileKernel
	a, c  [4][]float32
	spare []float32
}

func newTiler(maxCols int) *tiler {
	return &tiler{kern: currentTileKernel(), spare: make([]float32, maxCols)}
}

// run runs the tile operation on the first rows (1 to 4) rows of t.a and t.c.
// The caller guarantees k >= 0, len(t.a[i]) > (k-1)*csa, len(b) >= (k-1)*ldb
// + n and len(t.c[i]) >= n for i < rows, and n <= len(t.spare).
func (t *tiler) run(k, csa int, b []float32, ldb, rows, n int, acc bool) {
	if rows < 1 || rows > 4 {
		panic(fmt.Sprintf("gpt: tile with %d rows", rows))
	}
	if k == 0 {
		if !acc {
			for i := 0; i < rows; i++ {
				clear(t.c[i][:n])
			}
		}
		return
	}
	j := 0
	if t.kern != tileGoKernel && n >= 8 {
		_ = b[(k-1)*ldb+n-1]
		for i := 0; i < rows; i++ {
			_, _ = t.a[i][(k-1)*csa], t.c[i][n-1]
		}
		j = tileVec(t.kern, k, &t.a, csa, b, ldb, &t.c, t.spare, rows, n, acc)
	}
	if j < n {
		tileGo(k, &t.a, csa, b, ldb, &t.c, rows, j, n, acc)
	}
}

// tileGo is the tile operation on columns [j0, n) in plain Go.
func tileGo(k int, a *[4][]float32, csa int, b []float32, ldb int, c *[4][]float32, rows, j0, n int, acc bool) {
	for i := 0; i < rows; i++ {
		ai, ci := a[i], c[i]
		for j := j0; j < n; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += ai[p*csa] * b[p*ldb+j]
			}
			if acc {
				ci[j] += s
			} else {
				ci[j] = s
			}
		}
	}
}
