package baseline

import (
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// Householder QR from scratch on each prefix: LeastSquares' former QR path,
// kept as a second algorithm for its incremental factorizations.

type qrScratch struct {
	a, v, beta, b, work []float64
	iwork               []int
}

func newQRScratch(n, d int) *qrScratch {
	r := max(n, d)
	return &qrScratch{a: make([]float64, r*r), v: make([]float64, r*r), beta: make([]float64, r),
		b: make([]float64, r), work: make([]float64, 3*r), iwork: make([]int, r)}
}

// lstsqQR writes w (d), the minimum-norm least-squares solution of X w = y for
// X (m, d), by Householder QR of X (m >= d) or of X^T (m < d). It returns false,
// leaving w unspecified, when R's estimated reciprocal condition number is
// below lsRcondQR.
func lstsqQR(w []float64, sc *qrScratch, xs, ys []float64, m, d int) bool {
	rows, cols := m, d // A = X
	if m < d {
		rows, cols = d, m // A = X^T
	}
	a, v, beta := sc.a[:rows*cols], sc.v[:rows*cols], sc.beta[:cols]
	if m >= d {
		copy(a, xs[:m*d])
	} else {
		for i := 0; i < m; i++ {
			for j := 0; j < d; j++ {
				a[j*cols+i] = xs[i*d+j]
			}
		}
	}
	// Householder: H_k = I - beta_k v_k v_k^T zeroes A[k+1:, k]; v_k is stored in
	// column k of v, rows k..rows-1.
	for k := 0; k < cols; k++ {
		nrm := 0.0 // no scaling: prompts hold O(1) values
		for r := k; r < rows; r++ {
			nrm += a[r*cols+k] * a[r*cols+k]
		}
		nrm = math.Sqrt(nrm)
		if nrm == 0 {
			return false
		}
		alpha := -math.Copysign(nrm, a[k*cols+k])
		vv := 0.0
		for r := k; r < rows; r++ {
			e := a[r*cols+k]
			if r == k {
				e -= alpha
			}
			v[r*cols+k] = e
			vv += e * e
		}
		beta[k] = 2 / vv
		for j := k + 1; j < cols; j++ {
			s := 0.0
			for r := k; r < rows; r++ {
				s += v[r*cols+k] * a[r*cols+j]
			}
			s *= beta[k]
			for r := k; r < rows; r++ {
				a[r*cols+j] -= s * v[r*cols+k]
			}
		}
		a[k*cols+k] = alpha
		for r := k + 1; r < rows; r++ {
			a[r*cols+k] = 0
		}
	}
	rc := lapack64.Trcon(lapack.MaxColumnSum,
		blas64.Triangular{Uplo: blas.Upper, Diag: blas.NonUnit, N: cols, Data: a, Stride: cols}, sc.work, sc.iwork)
	if !(rc >= lsRcondQR) {
		return false
	}
	b := sc.b[:rows]
	if m >= d {
		copy(b, ys[:m])
		for k := 0; k < cols; k++ {
			s := 0.0
			for r := k; r < rows; r++ {
				s += v[r*cols+k] * b[r]
			}
			s *= beta[k]
			for r := k; r < rows; r++ {
				b[r] -= s * v[r*cols+k]
			}
		}
		// back substitution R w = b[:d]
		for i := d - 1; i >= 0; i-- {
			s := b[i]
			for j := i + 1; j < d; j++ {
				s -= a[i*cols+j] * w[j]
			}
			w[i] = s / a[i*cols+i]
		}
		return true
	}
	// X = R^T Q^T: solve R^T z = y, then w = Q [z; 0].
	for i := 0; i < m; i++ {
		s := ys[i]
		for j := 0; j < i; j++ {
			s -= a[j*cols+i] * w[j]
		}
		w[i] = s / a[i*cols+i]
	}
	for i := m; i < d; i++ {
		w[i] = 0
	}
	for k := cols - 1; k >= 0; k-- {
		s := 0.0
		for r := k; r < rows; r++ {
			s += v[r*cols+k] * w[r]
		}
		s *= beta[k]
		for r := k; r < rows; r++ {
			w[r] -= s * v[r*cols+k]
		}
	}
	return true
}
