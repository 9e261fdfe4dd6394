package probe

// gramUpper sets the upper triangle of c (p, p), row stride ldc, to
// alpha a^T a, with a (k, p) row stride lda: element (i, j), j >= i, is
//
//	sum over l of (alpha a[l][i]) a[l][j]
//
// formed from zero in order l = 0, 1, ..., k-1, each product and sum rounded
// on its own, terms with alpha a[l][i] = 0 left out: the operations, so the
// bits, of gonum's Dsyrk (Upper, Trans) with beta 0 on amd64, for finite a.
// Where the CPU has AVX-512, blocks of 4 x 16 elements and the columns past
// them run in vector kernels, the rest in plain Go; c's lower triangle holds
// whatever the blocks leave there.
func gramUpper(c []float64, ldc int, a []float64, lda, k, p int, alpha float64) {
	if p == 0 {
		return
	}
	if len(c) < (p-1)*ldc+p || (k > 0 && len(a) < (k-1)*lda+p) {
		panic("probe: gramUpper: short c or a")
	}
	// Without AVX-512 (p4 = 0, rest = p) the plain-Go loop at the end does
	// every element.
	p4, p16, rest := 0, 0, p
	if useGramAVX512 && k > 0 {
		p4, p16, rest = p&^3, p&^15, p&^15
		for i0 := 0; i0 < p4; i0 += 4 {
			for j0 := i0 &^ 15; j0 < p16; j0 += 16 {
				gramBlockAVX512(&c[i0*ldc+j0], ldc, &a[i0], &a[j0], lda, k, alpha)
			}
		}
		// The columns past the blocks, 32 or 8 rows at a time.
		var col [32]float64
		for j := p16; j < p; j++ {
			done := 0 // rows of column j done by the vector kernel
			for done+8 <= j+1 {
				blocks := 1
				if done+32 <= j+1 {
					blocks = 4
				}
				gramColAVX512(&col[0], &a[done], &a[j], lda, k, blocks, alpha)
				for r := range 8 * blocks {
					c[(done+r)*ldc+j] = col[r]
				}
				done += 8 * blocks
			}
			for i := done; i <= j; i++ {
				c[i*ldc+j] = gramAt(a, lda, k, i, j, alpha)
			}
		}
	}
	// Rows p4.. of the block columns, below the last full 4-row block.
	for i := p4; i < rest; i++ {
		for j := i; j < rest; j++ {
			c[i*ldc+j] = gramAt(a, lda, k, i, j, alpha)
		}
	}
}

// gramAt is element (i, j) of gramUpper, in plain Go.
func gramAt(a []float64, lda, k, i, j int, alpha float64) float64 {
	s := 0.0
	for l := 0; l < k; l++ {
		t := alpha * a[l*lda+i]
		if t != 0 {
			s += float64(t * a[l*lda+j]) // rounded before the sum: no fused multiply-add
		}
	}
	return s
}
