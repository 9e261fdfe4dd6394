package baseline

import "math"

// cholesky overwrites the lower triangle of a (m, m), row-major, with L such
// that a = L L^T. It returns false if a pivot is not positive.
func cholesky(a []float64, m int) bool {
	for j := 0; j < m; j++ {
		rj := a[j*m : j*m+j]
		s := a[j*m+j] - dot(rj, rj)
		if !(s > 0) {
			return false
		}
		ljj := math.Sqrt(s)
		a[j*m+j] = ljj
		for i := j + 1; i < m; i++ {
			ri := a[i*m : i*m+j]
			a[i*m+j] = (a[i*m+j] - dot(ri, rj)) / ljj
		}
	}
	return true
}

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

// forward overwrites b (m) with L^{-1} b for the lower triangle L of l (m, m).
func forward(l []float64, m int, b []float64) {
	for i := 0; i < m; i++ {
		b[i] = (b[i] - dot(l[i*m:i*m+i], b[:i])) / l[i*m+i]
	}
}

// backward overwrites b (m) with L^{-T} b for the lower triangle L of l (m, m).
func backward(l []float64, m int, b []float64) {
	for i := m - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < m; k++ {
			s -= l[k*m+i] * b[k]
		}
		b[i] = s / l[i*m+i]
	}
}
