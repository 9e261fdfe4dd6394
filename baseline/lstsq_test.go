package baseline

import (
	"testing"

	"gonum.org/v1/gonum/mat"
	"icl/rng"
	"icl/task"
)

// TestLeastSquaresIncremental checks LeastSquares' point-by-point
// factorizations against a Householder QR (or, where that refuses, the SVD)
// recomputed from scratch on every prefix, on Gaussian prompts and on prompts
// with a repeated point, where the prefixes from the repeat up to i = d are
// rank deficient (the SVD path) and later ones have full rank again (the
// Givens path must recover).
func TestLeastSquaresIncremental(t *testing.T) {
	for _, tc := range []struct {
		d, n, repeat int // repeat: point repeat equals point 1 (0: none)
	}{
		{1, 5, 0}, {5, 13, 0}, {20, 43, 0}, {6, 14, 3}, {20, 41, 7},
	} {
		b := makeBatch(&task.Noisy{Class: &task.DenseLinear{D: tc.d, Std: 1}, Sigma: 0.3}, 3, tc.n, 21)
		d, n := tc.d, tc.n
		sc := newQRScratch(n, d)
		var svd mat.SVD
		var u, v mat.Dense
		var sv []float64
		for p := 0; p < b.B; p++ {
			xs, ys := b.Prompt(p)
			if tc.repeat > 0 {
				copy(xs[tc.repeat*d:(tc.repeat+1)*d], xs[d:2*d])
				ys[tc.repeat] = ys[1]
			}
			got := make([]float64, n)
			LeastSquares{}.Predict(got, xs, ys, n, d)
			w := make([]float64, d)
			for i := 1; i < n; i++ {
				path := "QR"
				if !lstsqQR(w, sc, xs[:i*d], ys[:i], i, d) {
					path = "SVD"
					lstsq(w, &svd, &u, &v, &sv, xs[:i*d], ys[:i], i, d)
				}
				deficient := tc.repeat > 0 && i > tc.repeat && i <= d
				if deficient != (path == "SVD") {
					t.Errorf("d=%d repeat=%d prompt %d i=%d: reference took the %s path", d, tc.repeat, p, i, path)
				}
				want := dot(w, xs[i*d:(i+1)*d])
				if e := relErr(got[i], want, 1); e > 1e-10 {
					t.Errorf("d=%d repeat=%d prompt %d i=%d: got %.15g, %s %.15g (rel %g)", d, tc.repeat, p, i, got[i], path, want, e)
				}
			}
		}
	}
	// A prompt whose inputs are scaled by 1e3 and 1e-3 per coordinate is ill
	// conditioned but full rank: still within O(eps cond) of the SVD.
	r := rng.New(4)
	d, n := 4, 9
	xs, ys := randMat(r, n*d), randMat(r, n)
	for i := 0; i < n; i++ {
		xs[i*d] *= 1e3
		xs[i*d+1] *= 1e-3
	}
	got := make([]float64, n)
	LeastSquares{}.Predict(got, xs, ys, n, d)
	var svd mat.SVD
	var u, v mat.Dense
	var sv []float64
	w := make([]float64, d)
	for i := 1; i < n; i++ {
		lstsq(w, &svd, &u, &v, &sv, xs[:i*d], ys[:i], i, d)
		if e := relErr(got[i], dot(w, xs[i*d:(i+1)*d]), 1); e > 1e-8 {
			t.Errorf("scaled i=%d: got %.15g, SVD %.15g (rel %g)", i, got[i], dot(w, xs[i*d:(i+1)*d]), e)
		}
	}
}
