package gpt

// Row operations of the layers. Each runs its AVX2 kernel (vecmath_amd64.s,
// through the *Vec wrappers, which do whole vectors of 8) and finishes the
// remaining entries itself with the same arithmetic, so callers see one
// operation on a whole slice.

// sum returns the sum of x: 8 lane-wise partial sums over whole vectors, then
// the tail in order.
func sum(x []float32) float32 {
	s, k := sumVec(x)
	for _, v := range x[k:] {
		s += v
	}
	return s
}

// sqDev returns the sum of (x[i] - m)^2, summed as sum does.
func sqDev(x []float32, m float32) float32 {
	s, k := sqDevVec(x, m)
	for _, v := range x[k:] {
		d := v - m
		s += d * d
	}
	return s
}

// lnNorm sets out = (x - m) rs w + b.
func lnNorm(out, x, w, b []float32, m, rs float32) {
	for c := lnNormVec(out, x, w, b, m, rs); c < len(x); c++ {
		out[c] = (x[c]-m)*rs*w[c] + b[c]
	}
}

// lnDots returns the sums over c of g[c] w[c] and of g[c] w[c] (x[c] - m).
func lnDots(g, w, x []float32, m float32) (s1, s2 float32) {
	s1, s2, k := lnDotsVec(g, w, x, m)
	for c := k; c < len(x); c++ {
		dn := g[c] * w[c]
		s1 += dn
		s2 += dn * (x[c] - m)
	}
	return s1, s2
}

// lnBwdRow adds to d (g w - s1 - xhat s2) rs, with xhat = (x - m) rs.
func lnBwdRow(d, g, w, x []float32, m, rs, s1, s2 float32) {
	for c := lnBwdRowVec(d, g, w, x, m, rs, s1, s2); c < len(x); c++ {
		xh := (x[c] - m) * rs
		d[c] += (g[c]*w[c] - s1 - xh*s2) * rs
	}
}

// lnCol adds g (x - m) rs to gw and g to gb.
func lnCol(gw, gb, g, x []float32, m, rs float32) {
	for c := lnColVec(gw, gb, g, x, m, rs); c < len(gw); c++ {
		gw[c] += g[c] * ((x[c] - m) * rs)
		gb[c] += g[c]
	}
}

// addColSums: dst[j] += src[0*stride+j] + src[1*stride+j] + ... + src[(rows-1)*stride+j],
// added one term at a time in row order, for j < len(dst).
func addColSums(dst, src []float32, rows, stride int) {
	k := colSumVec(dst, src, rows, stride)
	d := dst[k:]
	for r := 0; r < rows; r++ {
		s := src[r*stride+k : r*stride+k+len(d)]
		for c := range d {
			d[c] += s[c]
		}
	}
}

// addRows sets dst[r*ldd+j] = src[r*lds+j] + row[j] for r < rows, j < len(row).
func addRows(dst, src, row []float32, rows, ldd, lds int) {
	k := addRowVec(dst, src, row, rows, ldd, lds)
	n := len(row)
	for r := 0; r < rows && k < n; r++ {
		dr, sr := dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n]
		for j := k; j < n; j++ {
			dr[j] = sr[j] + row[j]
		}
	}
}

// mul sets dst = x y elementwise; dst may be x.
func mul(dst, x, y []float32) {
	for i := mulVec(dst, x, y); i < len(dst); i++ {
		dst[i] = x[i] * y[i]
	}
}

// gelu sets out = GELU(inp) and, if deriv is not nil, deriv = its derivative
// (geluScalar says how).
func gelu(out, deriv, inp []float32) {
	k := geluVec(out, deriv, inp)
	if deriv != nil {
		deriv = deriv[k:]
	}
	geluScalar(out[k:], deriv, inp[k:])
}
