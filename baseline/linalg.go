package baseline

import "math"

// choleskyPartial factors a (m, m) as cholesky does but stops at the first
// pivot j whose squared value is at most rtol * a_jj (numerically dependent
// column); it returns j, or m if all pivots pass. Rows < j hold L.
func choleskyPartial(a []float64, m int, rtol float64) int {
	for j := 0; j < m; j++ {
		rj := a[j*m : j*m+j]
		s := a[j*m+j] - dot(rj, rj)
		if !(s > rtol*a[j*m+j]) {
			return j
		}
		ljj := math.Sqrt(s)
		a[j*m+j] = ljj
		for i := j + 1; i < m; i++ {
			ri := a[i*m : i*m+j]
			a[i*m+j] = (a[i*m+j] - dot(ri, rj)) / ljj
		}
	}
	return m
}

// solveLT overwrites b (k) with (L L^T)^{-1} b for the leading k x k block of
// the lower triangle L stored in l with row stride m.
func solveLT(l []float64, m, k int, b []float64) {
	for i := 0; i < k; i++ {
		b[i] = (b[i] - dot(l[i*m:i*m+i], b[:i])) / l[i*m+i]
	}
	for i := k - 1; i >= 0; i-- {
		s := b[i]
		for j := i + 1; j < k; j++ {
			s -= l[j*m+i] * b[j]
		}
		b[i] = s / l[i*m+i]
	}
}
