package baseline

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// lsRcondQR is the smallest estimated reciprocal condition number of R for
// which LeastSquares trusts its QR path; below it (far above numpy's cutoff
// eps*max(i, d), where singular values start to be dropped) it uses the SVD.
const lsRcondQR = 1e-10

// LeastSquares predicts with the minimum-norm least-squares solution
// w = pinv(X) y over the first i points: numpy.linalg.lstsq with its default
// rcond = eps*max(i, d) (singular values s <= rcond*s_max dropped). Well
// conditioned prefixes (LAPACK's 1-norm estimate of 1/cond(R) >= 1e-10) are
// solved from QR factorizations updated point by point, O(d^2) per position:
// of X^T by Gram-Schmidt with reorthogonalization when i < d (w = Q R^{-T} y,
// the minimum-norm solution), of X by Givens rotations when i >= d. Both agree
// with the SVD solution to O(eps*cond). Other prefixes use a thin SVD with the
// numpy cutoff.
type LeastSquares struct{}

func (LeastSquares) Name() string { return "least_squares" }
func (LeastSquares) Predict(dst []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	var svd mat.SVD
	var u, v mat.Dense
	var sv []float64
	w := make([]float64, d)
	ws := make([]float64, d) // SVD fallback's solution
	// Over-determined state: R (d, d) and z = Q^T y of X = Q R (Givens).
	r, z, row := make([]float64, d*d), make([]float64, d), make([]float64, d)
	// Under-determined state: X^T = Q T with Q (i, d) orthonormal rows, T (d, d)
	// upper triangular (column j of X^T is x_j), zt = T^{-T} y, wu = Q^T zt.
	q, t, zt, wu := make([]float64, d*d), make([]float64, d*d), make([]float64, d), make([]float64, d)
	coef := make([]float64, d)
	work, iwork := make([]float64, 3*d), make([]int, d)
	cgsOK := true // false once a row of X is (numerically) dependent on earlier ones
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		dst[i] = 0
		if i > 0 {
			ok := false
			if i < d {
				ok = cgsOK && triRcond(t, i, d, work, iwork) >= lsRcondQR
				copy(w, wu)
			} else if triRcond(r, d, d, work, iwork) >= lsRcondQR {
				copy(w, z)
				solveR(r, d, w)
				ok = true
			}
			if !ok {
				lstsq(ws, &svd, &u, &v, &sv, xs[:i*d], ys[:i], i, d)
				copy(w, ws)
			}
			dst[i] = dot(w, x)
		}
		// Add point i to both factorizations.
		copy(row, x)
		givensAdd(r, z, row, ys[i], d)
		if i < d && cgsOK {
			cgsOK = cgsAdd(q, t, zt, wu, coef, x, ys[i], i, d)
		}
	}
}

// cgsAdd appends column x (d) as column i of X^T = Q T: q holds rows
// q_0..q_{i-1} (each d) of orthonormal vectors, t (d, d) the upper-triangular
// T with stride d, zt (d) T^{-T} y and wu (d) sum_j zt_j q_j, the minimum-norm
// solution for the first i points. Classical Gram-Schmidt is applied twice
// ("twice is enough" keeps Q orthonormal to working precision). It returns
// false, leaving the state unusable, if x lies in the span of the earlier
// columns (a zero pivot).
func cgsAdd(q, t, zt, wu, coef, x []float64, y float64, i, d int) bool {
	qi := q[i*d : (i+1)*d]
	copy(qi, x)
	for j := 0; j < i; j++ {
		coef[j] = 0
	}
	for pass := 0; pass < 2; pass++ {
		for j := 0; j < i; j++ {
			qj := q[j*d : (j+1)*d]
			c := dot(qj, qi)
			coef[j] += c
			for k, v := range qj {
				qi[k] -= c * v
			}
		}
	}
	rho := math.Sqrt(dot(qi, qi))
	if !(rho > 0) {
		return false
	}
	for k := range qi {
		qi[k] /= rho
	}
	for j := 0; j < i; j++ {
		t[j*d+i] = coef[j]
	}
	t[i*d+i] = rho
	s := y
	for j := 0; j < i; j++ {
		s -= t[j*d+i] * zt[j]
	}
	zt[i] = s / rho
	for k, v := range qi {
		wu[k] += zt[i] * v
	}
	return true
}

// triRcond is LAPACK's estimate of the reciprocal 1-norm condition number of
// the leading (m, m) block of the upper-triangular t with row stride ld.
func triRcond(t []float64, m, ld int, work []float64, iwork []int) float64 {
	return lapack64.Trcon(lapack.MaxColumnSum,
		blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: m, Data: t[:(m-1)*ld+m], Stride: ld}, work, iwork)
}

// lstsq writes w (d), the minimum-norm least-squares solution of X w = y for
// X (m, d), y (m), using numpy's default rcond. It returns the numerical rank.
func lstsq(w []float64, svd *mat.SVD, u, v *mat.Dense, sv *[]float64, xs, ys []float64, m, d int) int {
	a := mat.NewDense(m, d, xs)
	if !svd.Factorize(a, mat.SVDThin) {
		// Dgesvd did not converge: leave a NaN prediction rather than a wrong one.
		for j := range w {
			w[j] = math.NaN()
		}
		return 0
	}
	if cap(*sv) < min(m, d) {
		*sv = make([]float64, min(m, d))
	}
	*sv = svd.Values((*sv)[:min(m, d)])
	u.Reset()
	v.Reset()
	svd.UTo(u)
	svd.VTo(v)
	k := len(*sv)
	cut := 0.0
	if k > 0 {
		cut = (*sv)[0] * 2.220446049250313e-16 * float64(max(m, d))
	}
	for j := range w {
		w[j] = 0
	}
	rank := 0
	for t := 0; t < k; t++ {
		s := (*sv)[t]
		if !(s > cut) {
			continue
		}
		rank++
		// coefficient (u_t . y) / s_t along v_t
		cf := 0.0
		for r := 0; r < m; r++ {
			cf += u.At(r, t) * ys[r]
		}
		cf /= s
		for j := 0; j < d; j++ {
			w[j] += cf * v.At(j, t)
		}
	}
	return rank
}
