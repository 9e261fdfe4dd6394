package baseline

import "math"

// Square-root (QR) forms updated one point at a time by Givens rotations. For
// an upper-triangular r (m, m), row-major, and z (m), givensAdd rotates the new
// row [x | y] into [r | z]: if r = Q^T A and z = Q^T b before (the triangular
// factor of a tall A and the matching rows of Q^T b), then after, r and z are
// the same for A and b with the row [x | y] appended. It costs O(m^2) per point
// against O(m^3) for refactoring, and, unlike a Cholesky of A^T A, keeps the
// accuracy of a QR factorization (errors O(eps cond(A)), not O(eps cond(A)^2)).

// givensAdd appends the row (x, y) to the factorization (r, z). x (m) is
// overwritten. The diagonal of r stays >= 0.
func givensAdd(r, z, x []float64, y float64, m int) {
	for k := 0; k < m; k++ {
		b := x[k]
		if b == 0 {
			continue
		}
		rk := r[k*m : (k+1)*m]
		a := rk[k]
		h := math.Sqrt(a*a + b*b) // prompts hold O(1) values: no overflow scaling
		c, s := a/h, b/h
		rk[k] = h
		xs := x[k+1 : m]
		for j, xj := range xs {
			rkj := rk[k+1+j]
			rk[k+1+j] = c*rkj + s*xj
			xs[j] = c*xj - s*rkj
		}
		zk := z[k]
		z[k] = c*zk + s*y
		y = c*y - s*zk
	}
}

// solveRT overwrites u (m) with r^{-T} u for the upper-triangular r (m, m).
func solveRT(r []float64, m int, u []float64) {
	for i := 0; i < m; i++ {
		s := u[i]
		for j := 0; j < i; j++ {
			s -= r[j*m+i] * u[j]
		}
		u[i] = s / r[i*m+i]
	}
}

// solveR overwrites u (m) with r^{-1} u for the upper-triangular r (m, m).
func solveR(r []float64, m int, u []float64) {
	for i := m - 1; i >= 0; i-- {
		s := u[i]
		ri := r[i*m : (i+1)*m]
		for j := i + 1; j < m; j++ {
			s -= ri[j] * u[j]
		}
		u[i] = s / ri[i]
	}
}

// gaussInit sets r (m, m) to sqrt(lambda) I and z (m) to 0: the factorization
// of the augmented system [sqrt(lambda) I] w = [0] before any point, so that
// after points (X, y), r^T r = X^T X + lambda I and r^T z = X^T y.
func gaussInit(r, z []float64, m int, lambda float64) {
	clear(r[:m*m])
	clear(z[:m])
	sl := math.Sqrt(lambda)
	for i := 0; i < m; i++ {
		r[i*m+i] = sl
	}
}

// gaussPredict returns, for the state (r, z) of gaussInit plus points, the
// posterior mean x.w of the ridge solution w = r^{-1} z and q = x^T (X^T X +
// lambda I)^{-1} x, so that the predictive variance is tau^2 lambda (1 + q).
// u (m) is scratch; x (m) is not modified.
func gaussPredict(r, z, x, u []float64, m int) (mean, q float64) {
	copy(u[:m], x[:m])
	solveRT(r, m, u)
	for i := 0; i < m; i++ {
		mean += u[i] * z[i]
		q += u[i] * u[i]
	}
	return mean, q
}
