package vecmath

// KeepAbove and AccumulateKept serve a weighted mean over rows whose weights
// are mostly exp(something very negative) = 0: KeepAbove keeps the arguments
// worth exponentiating, compacted, with a bit per entry saying which; after
// Exp over the kept ones, AccumulateKept adds the weights and weighted values
// of the kept entries to per-column sums, row after row.

// MaskBytes is the length of the mask KeepAbove writes for rows of n: one
// byte per 8 columns of each row.
func MaskBytes(rows, n int) int { return rows * ((n + 7) / 8) }

// KeepAbove computes v = src[r*n+i] - shift[i] for r < rows, i < n, in that
// order, appends every v >= lo to dst (which needs room for rows*n values)
// and returns how many it kept; bit i%8 of mask[r*ceil(n/8) + i/8] says
// whether entry (r, i) was kept. NaN is never kept.
func KeepAbove(dst []float64, mask []uint8, src []float64, rows, n int, shift []float64, lo float64) int {
	if rows <= 0 || n <= 0 {
		return 0
	}
	_, _, _, _ = dst[rows*n-1], mask[MaskBytes(rows, n)-1], src[rows*n-1], shift[n-1]
	if hasAVX512 {
		return keepAboveAVX512(&dst[0], &mask[0], &src[0], rows, n, &shift[0], lo)
	}
	return keepAboveGo(dst, mask, src, rows, n, shift, lo)
}

func keepAboveGo(dst []float64, mask []uint8, src []float64, rows, n int, shift []float64, lo float64) int {
	nb := (n + 7) / 8
	kept := 0
	for r := 0; r < rows; r++ {
		mk := mask[r*nb : (r+1)*nb]
		clear(mk)
		for i, s := range src[r*n : (r+1)*n] {
			if v := s - shift[i]; v >= lo {
				dst[kept] = v
				kept++
				mk[i/8] |= 1 << (i % 8)
			}
		}
	}
	return kept
}

// AccumulateKept adds, for r < rows in order and each entry (r, i) that mask
// (as KeepAbove writes it) marks kept, the next weight w_j of w (in KeepAbove's
// order) to den[i] and the product w_j f[r*n+i], rounded, to num[i]: per
// column the sums run in row order, as the plain loop's do, so the bits are
// the same. It returns how many weights it used.
func AccumulateKept(num, den, w []float64, mask []uint8, f []float64, rows, n int) int {
	if rows <= 0 || n <= 0 {
		return 0
	}
	_, _, _, _ = num[n-1], den[n-1], mask[MaskBytes(rows, n)-1], f[rows*n-1]
	if n%8 != 0 { // no row's last mask byte may mark columns past n-1
		nb, past := (n+7)/8, uint8(0xff)<<(n%8)
		for r := nb - 1; r < MaskBytes(rows, n); r += nb {
			if mask[r]&past != 0 {
				panic("vecmath: AccumulateKept: mask marks a column past the row's end")
			}
		}
	}
	if hasAVX512 && len(w) > 0 {
		used := accumulateKeptAVX512(&num[0], &den[0], &w[0], len(w), &mask[0], &f[0], rows, n)
		if used < 0 {
			panic("vecmath: AccumulateKept: mask marks more entries than there are weights")
		}
		return used
	}
	return accumulateKeptGo(num, den, w, mask, f, rows, n)
}

func accumulateKeptGo(num, den, w []float64, mask []uint8, f []float64, rows, n int) int {
	nb := (n + 7) / 8
	j := 0
	for r := 0; r < rows; r++ {
		mk, fr := mask[r*nb:(r+1)*nb], f[r*n:(r+1)*n]
		for i := range fr {
			if mk[i/8]&(1<<(i%8)) != 0 {
				if j == len(w) {
					panic("vecmath: AccumulateKept: mask marks more entries than there are weights")
				}
				num[i] += float64(w[j] * fr[i]) // the conversion keeps the product rounded (no fused multiply-add)
				den[i] += w[j]
				j++
			}
		}
	}
	return j
}
