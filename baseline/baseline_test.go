package baseline

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"icl/rng"
	"icl/task"
)

func TestZeroAveragingKNNHand(t *testing.T) {
	// d = 2, points x0..x4 and labels.
	xs := []float64{
		1, 0,
		0, 2,
		1, 1,
		3, 0,
		0.9, 0.2,
	}
	ys := []float64{2, -1, 4, 0.5, 7}
	n, d := 5, 2
	cases := []struct {
		p    Predictor
		want []float64
	}{
		{Zero{}, []float64{0, 0, 0, 0, 0}},
		// s after i points: i=1: (2,0); i=2: (2,-2); i=3: (6,2); i=4: (7.5,2).
		// predictions: x1.s/1 = (0*2+2*0) = 0; x2.s/2 = (2-2)/2 = 0;
		// x3.s/3 = 18/3 = 6; x4.s/4 = (0.9*7.5+0.2*2)/4 = 7.15/4.
		{Averaging{}, []float64{0, 0, 0, 6, 7.15 / 4}},
		// knn k=3: i=1: y0 = 2; i=2: mean(y0,y1) = 0.5; i=3: mean(y0..y2) = 5/3;
		// i=4: x4 = (0.9,0.2), sq dists: x0 0.05, x1 4.05, x2 0.65, x3 4.45 ->
		// x0, x2, x1 -> (2+4-1)/3 = 5/3.
		{KNN{K: 3}, []float64{0, 2, 0.5, 5.0 / 3, 5.0 / 3}},
		// knn k=1: i=1: 2; i=2: x2=(1,1): d0 = 1, d1 = 2 -> 2; i=3: x3=(3,0):
		// d0 = 4, d1 = 13, d2 = 5 -> 2; i=4: nearest x0 -> 2.
		{KNN{K: 1}, []float64{0, 2, 2, 2, 2}},
	}
	for _, c := range cases {
		got := make([]float64, n)
		c.p.Predict(got, xs, ys, n, d)
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-14 {
				t.Errorf("%s: position %d: got %g, want %g", c.p.Name(), i, got[i], c.want[i])
			}
		}
	}
}

func TestKNNTieGoesToEarlierPoint(t *testing.T) {
	// x2 = 0 is equally far from x0 = -1 and x1 = 1; k = 1 must take y0.
	xs := []float64{-1, 1, 0}
	ys := []float64{5, 9, 0}
	got := make([]float64, 3)
	KNN{K: 1}.Predict(got, xs, ys, 3, 1)
	if got[2] != 5 {
		t.Errorf("got %g, want 5", got[2])
	}
}

// TestLeastSquaresNormalEquations checks, at every prefix, X^T (Xw - y) = 0 and,
// when under-determined, that w lies in the row space of X (min norm), with w
// from lstsq and the predictions of LeastSquares equal to x.w.
func TestLeastSquaresNormalEquations(t *testing.T) {
	for _, d := range []int{1, 5, 20} {
		n := 2*d + 1
		b := makeBatch(&task.DenseLinear{D: d, Std: 1}, 4, n, 11)
		// add noise so that the over-determined residual is not zero
		r := rng.New(3)
		for i := range b.Ys {
			b.Ys[i] += 0.3 * r.NormFloat64()
		}
		for p := 0; p < b.B; p++ {
			xs, ys := b.Prompt(p)
			pred := make([]float64, n)
			LeastSquares{}.Predict(pred, xs, ys, n, d)
			w := make([]float64, d)
			var svd mat.SVD
			var u, v mat.Dense
			var sv []float64
			for i := 1; i < n; i++ {
				rank := lstsq(w, &svd, &u, &v, &sv, xs[:i*d], ys[:i], i, d)
				if want := min(i, d); rank != want {
					t.Fatalf("d=%d i=%d: rank %d, want %d", d, i, rank, want)
				}
				if e := math.Abs(pred[i] - dot(w, xs[i*d:(i+1)*d])); e > 1e-12 {
					t.Fatalf("d=%d i=%d: prediction differs from x.w by %g", d, i, e)
				}
				X := mat.NewDense(i, d, xs[:i*d])
				wv := mat.NewVecDense(d, w)
				var res, g mat.VecDense
				res.MulVec(X, wv)
				res.SubVec(&res, mat.NewVecDense(i, ys[:i]))
				g.MulVec(X.T(), &res)
				scale := mat.Norm(X, 2) * (mat.Norm(X, 2)*mat.Norm(wv, 2) + mat.Norm(mat.NewVecDense(i, ys[:i]), 2))
				if e := mat.Norm(&g, 2) / scale; e > 1e-12 {
					t.Errorf("d=%d i=%d: |X^T(Xw-y)| relative %g", d, i, e)
				}
				if i < d {
					// w = X^T a for some a: the projection of w on the row space is w.
					var a, proj mat.VecDense
					if err := a.SolveVec(X.T(), wv); err != nil {
						t.Fatal(err)
					}
					proj.MulVec(X.T(), &a)
					proj.SubVec(&proj, wv)
					if e := mat.Norm(&proj, 2) / mat.Norm(wv, 2); e > 1e-10 {
						t.Errorf("d=%d i=%d: w leaves the row space by %g", d, i, e)
					}
				}
			}
		}
	}
}

// TestRidgeMatchesQR checks Ridge (Cholesky, primal or dual) against a gonum QR
// solve of the augmented least-squares problem, and ridge -> least squares as lambda -> 0.
func TestRidgeMatchesQR(t *testing.T) {
	d, n := 8, 20
	b := makeBatch(&task.Noisy{Class: &task.DenseLinear{D: d, Std: 1}, Sigma: 0.2}, 3, n, 5)
	cols := allCols(d)
	for _, lambda := range []float64{1e-3, 0.1, 1, 30} {
		for p := 0; p < b.B; p++ {
			xs, ys := b.Prompt(p)
			got := make([]float64, n)
			Ridge{Lambda: lambda}.Predict(got, xs, ys, n, d)
			for i := 0; i < n; i++ {
				want := ridgeByQR(t, xs, ys, i, d, cols, lambda, xs[i*d:(i+1)*d])
				if i == 0 {
					want = 0
				}
				if e := relErr(got[i], want, 1e-3); e > 1e-9 {
					t.Errorf("lambda=%g prompt %d i=%d: got %.15g, QR %.15g (rel %g)", lambda, p, i, got[i], want, e)
				}
			}
		}
	}
	for p := 0; p < b.B; p++ {
		xs, ys := b.Prompt(p)
		rd, ls := make([]float64, n), make([]float64, n)
		Ridge{Lambda: 1e-10}.Predict(rd, xs, ys, n, d)
		LeastSquares{}.Predict(ls, xs, ys, n, d)
		for i := range rd {
			if e := relErr(rd[i], ls[i], 1e-3); e > 1e-6 {
				t.Errorf("prompt %d i=%d: ridge(1e-10) %g vs least squares %g", p, i, rd[i], ls[i])
			}
		}
	}
}

// TestBayesDense checks the posterior mean against ridge with lambda =
// sigma^2/tau^2 (a gonum QR solve) and the chain-rule log evidence against the
// direct log N(y; 0, tau^2 X X^T + sigma^2 I); noiseless with jitter, it equals
// minimum-norm least squares.
func TestBayesDense(t *testing.T) {
	for _, tc := range []struct {
		d          int
		tau, sigma float64
	}{{5, 1, 0.5}, {10, 2, 0.1}, {20, 1, 1e-5}} {
		n := 2*tc.d + 1
		c := &task.Noisy{Class: &task.DenseLinear{D: tc.d, Std: tc.tau}, Sigma: tc.sigma}
		b := makeBatch(c, 3, n, 9)
		p := BayesDense{Tau: tc.tau, Sigma: tc.sigma}
		lambda := tc.sigma * tc.sigma / (tc.tau * tc.tau)
		for q := 0; q < b.B; q++ {
			xs, ys := b.Prompt(q)
			pred, ev := make([]float64, n), make([]float64, n)
			p.PredictEvidence(pred, ev, xs, ys, n, tc.d)
			for i := 0; i < n; i++ {
				want := 0.0
				if i > 0 {
					want = ridgeByQR(t, xs, ys, i, tc.d, allCols(tc.d), lambda, xs[i*tc.d:(i+1)*tc.d])
				}
				if e := relErr(pred[i], want, 1e-3); e > 1e-8 {
					t.Errorf("%+v prompt %d i=%d: mean %.15g, ridge %.15g", tc, q, i, pred[i], want)
				}
				wantEv := gaussLogEvidence(t, xs, ys, i, tc.d, allCols(tc.d), tc.tau*tc.tau, tc.sigma*tc.sigma)
				if e := relErr(ev[i], wantEv, 1); e > 1e-8 {
					t.Errorf("%+v prompt %d i=%d: log evidence %.12g, direct %.12g", tc, q, i, ev[i], wantEv)
				}
			}
		}
	}
	// Noiseless: jittered Bayes equals the minimum-norm interpolant.
	d, n := 20, 41
	c := &task.DenseLinear{D: d, Std: 1}
	b := makeBatch(c, 4, n, 2)
	e, _ := Exact(c, DefaultJitter)
	for q := 0; q < b.B; q++ {
		xs, ys := b.Prompt(q)
		got, ls := make([]float64, n), make([]float64, n)
		e.Predict(got, xs, ys, n, d)
		LeastSquares{}.Predict(ls, xs, ys, n, d)
		for i := range got {
			if r := relErr(got[i], ls[i], 1e-3); r > 1e-6 {
				t.Errorf("noiseless prompt %d i=%d: bayes %.12g, least squares %.12g", q, i, got[i], ls[i])
			}
		}
	}
}

// TestBayesSparse checks k = d against the dense predictor, and k < d against a
// brute-force sum over supports with direct Gaussian evidences and QR solves.
func TestBayesSparse(t *testing.T) {
	d, n := 6, 13
	dense := BayesDense{Tau: 1.5, Sigma: 0.3}
	full := BayesSparse{K: d, Tau: 1.5, Sigma: 0.3}
	b := makeBatch(&task.Noisy{Class: &task.DenseLinear{D: d, Std: 1.5}, Sigma: 0.3}, 3, n, 4)
	for q := 0; q < b.B; q++ {
		xs, ys := b.Prompt(q)
		p1, e1, p2, e2 := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		dense.PredictEvidence(p1, e1, xs, ys, n, d)
		full.PredictEvidence(p2, e2, xs, ys, n, d)
		for i := 0; i < n; i++ {
			if relErr(p2[i], p1[i], 1e-3) > 1e-10 || relErr(e2[i], e1[i], 1) > 1e-10 {
				t.Errorf("k=d prompt %d i=%d: (%g, %g) vs dense (%g, %g)", q, i, p2[i], e2[i], p1[i], e1[i])
			}
		}
	}
	for _, tc := range []struct {
		k     int
		sigma float64
	}{{1, 0.2}, {2, 0.2}, {2, 1e-5}, {3, 0.5}} {
		c := &task.Noisy{Class: &task.SparseLinear{D: d, K: tc.k, Std: 1}, Sigma: tc.sigma}
		b := makeBatch(c, 3, n, 8)
		p := BayesSparse{K: tc.k, Tau: 1, Sigma: tc.sigma}
		sups := supports(d, tc.k)
		if want := binom(d, tc.k); len(sups) != want {
			t.Fatalf("C(%d,%d): %d supports, want %d", d, tc.k, len(sups), want)
		}
		for q := 0; q < b.B; q++ {
			xs, ys := b.Prompt(q)
			pred, ev := make([]float64, n), make([]float64, n)
			p.PredictEvidence(pred, ev, xs, ys, n, d)
			for i := 0; i < n; i++ {
				x := xs[i*d : (i+1)*d]
				ls := make([]float64, len(sups))
				ms := make([]float64, len(sups))
				for s, S := range sups {
					ls[s] = gaussLogEvidence(t, xs, ys, i, d, S, 1, tc.sigma*tc.sigma)
					if i > 0 {
						ms[s] = ridgeByQR(t, xs, ys, i, d, S, tc.sigma*tc.sigma, x)
					}
				}
				lz := logSumExp(ls)
				want := 0.0
				for s := range sups {
					want += math.Exp(ls[s]-lz) * ms[s]
				}
				wantEv := lz - math.Log(float64(len(sups)))
				if e := relErr(pred[i], want, 1e-2); e > 1e-6 {
					t.Errorf("%+v prompt %d i=%d: mean %.12g, brute force %.12g", tc, q, i, pred[i], want)
				}
				if e := relErr(ev[i], wantEv, 1); e > 1e-6 {
					t.Errorf("%+v prompt %d i=%d: log evidence %.12g, brute force %.12g", tc, q, i, ev[i], wantEv)
				}
			}
		}
	}
}

func binom(n, k int) int {
	r := 1
	for i := 0; i < k; i++ {
		r = r * (n - i) / (i + 1)
	}
	return r
}

// TestLeastSquaresQRvsSVD: the QR path agrees with the SVD path on well
// conditioned prefixes, and a rank-deficient X (column 3 = column 2) falls back
// to the SVD, whose minimum-norm solution splits the weight: y = x0 + 2 x2 gives
// w = (1, 0, 1, 1).
func TestLeastSquaresQRvsSVD(t *testing.T) {
	d, n := 6, 13
	b := makeBatch(&task.Noisy{Class: &task.DenseLinear{D: d, Std: 1}, Sigma: 0.5}, 3, n, 12)
	sc := newQRScratch(n, d)
	var svd mat.SVD
	var u, v mat.Dense
	var sv []float64
	for q := 0; q < b.B; q++ {
		xs, ys := b.Prompt(q)
		for i := 1; i < n; i++ {
			w1, w2 := make([]float64, d), make([]float64, d)
			if !lstsqQR(w1, sc, xs[:i*d], ys[:i], i, d) {
				t.Fatalf("prompt %d i=%d: QR path refused a Gaussian X", q, i)
			}
			lstsq(w2, &svd, &u, &v, &sv, xs[:i*d], ys[:i], i, d)
			for j := range w1 {
				if relErr(w1[j], w2[j], 1) > 1e-10 {
					t.Errorf("prompt %d i=%d: QR w %v, SVD w %v", q, i, w1, w2)
					break
				}
			}
		}
	}
	r := rng.New(1)
	n = 8
	xs, ys := make([]float64, n*4), make([]float64, n)
	for i := 0; i < n; i++ {
		x := xs[i*4 : i*4+4]
		x[0], x[1], x[2] = r.NormFloat64(), r.NormFloat64(), r.NormFloat64()
		x[3] = x[2]
		ys[i] = x[0] + 2*x[2]
	}
	w := make([]float64, 4)
	if lstsqQR(w, newQRScratch(n, 4), xs[:7*4], ys[:7], 7, 4) {
		t.Error("QR path accepted a rank-deficient X")
	}
	pred := make([]float64, n)
	LeastSquares{}.Predict(pred, xs, ys, n, 4)
	x := xs[7*4:]
	if want := x[0] + x[2] + x[3]; math.Abs(pred[7]-want) > 1e-12 {
		t.Errorf("rank-deficient: prediction %g, want %g", pred[7], want)
	}
	if rank := lstsq(w, &svd, &u, &v, &sv, xs[:7*4], ys[:7], 7, 4); rank != 3 {
		t.Errorf("rank %d, want 3", rank)
	}
	for j, want := range []float64{1, 0, 1, 1} {
		if math.Abs(w[j]-want) > 1e-12 {
			t.Errorf("w = %v, want (1, 0, 1, 1)", w)
			break
		}
	}
}
