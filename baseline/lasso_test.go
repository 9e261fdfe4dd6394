package baseline

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"icl/task"
)

// gramOf returns the full X^T X, X^T y and y.y of the first n points.
func gramOf(xs, ys []float64, n, d int) (g, c []float64, yy float64) {
	g, c = make([]float64, d*d), make([]float64, d)
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		for s := 0; s < d; s++ {
			for t := 0; t < d; t++ {
				g[s*d+t] += x[s] * x[t]
			}
			c[s] += x[s] * ys[i]
		}
		yy += ys[i] * ys[i]
	}
	return g, c, yy
}

// TestLassoKKT checks the optimality conditions of every prefix's solution:
// with r = y - Xw, |X_j^T r| / n <= alpha, and = alpha sign(w_j) where w_j != 0.
func TestLassoKKT(t *testing.T) {
	d, n := 20, 41
	c := &task.Noisy{Class: &task.SparseLinear{D: d, K: 3, Std: 1}, Sigma: 0.1}
	b := makeBatch(c, 4, n, 21)
	for _, alpha := range []float64{1e-3, 1e-2, 0.1, 1} {
		for q := 0; q < b.B; q++ {
			xs, ys := b.Prompt(q)
			pred, ws := make([]float64, n), make([]float64, n*d)
			lassoPath(pred, ws, xs, ys, n, d, alpha)
			for i := 1; i < n; i++ {
				w := ws[i*d : (i+1)*d]
				if e := math.Abs(pred[i] - dot(w, xs[i*d:(i+1)*d])); e > 1e-12 {
					t.Fatalf("prediction differs from x.w by %g", e)
				}
				r := make([]float64, i)
				for k := 0; k < i; k++ {
					r[k] = ys[k] - dot(w, xs[k*d:(k+1)*d])
				}
				for j := 0; j < d; j++ {
					gj := 0.0
					for k := 0; k < i; k++ {
						gj += xs[k*d+j] * r[k]
					}
					gj /= float64(i)
					// tolerance relative to alpha
					const tol = 1e-7
					if math.Abs(gj) > alpha*(1+tol) {
						t.Errorf("alpha=%g prompt %d i=%d j=%d: |X_j^T r|/n = %g > alpha", alpha, q, i, j, math.Abs(gj))
					}
					if w[j] != 0 && math.Abs(gj-alpha*math.Copysign(1, w[j])) > alpha*tol {
						t.Errorf("alpha=%g prompt %d i=%d j=%d: w_j = %g but X_j^T r/n = %g", alpha, q, i, j, w[j], gj)
					}
				}
			}
		}
	}
}

// lassoEnum solves the lasso exactly for small d by enumerating active sets A
// and signs s: w_A = G_AA^{-1} (c_A - n alpha s_A) must have signs s and every
// inactive j must have |c_j - G_jA w_A| <= n alpha. It returns the solution with
// the smallest objective among the consistent patterns.
func lassoEnum(t *testing.T, g, c []float64, yy float64, n, d int, alpha float64) []float64 {
	na := float64(n) * alpha
	best := make([]float64, d)
	bestObj := math.Inf(1)
	pat := make([]int, d) // -1, 0, +1
	for {
		var act []int
		for j, v := range pat {
			if v != 0 {
				act = append(act, j)
			}
		}
		if len(act) <= n {
			w := make([]float64, d)
			ok := true
			if len(act) > 0 {
				m := len(act)
				a := mat.NewDense(m, m, nil)
				rhs := mat.NewVecDense(m, nil)
				for p, j := range act {
					for q, k := range act {
						a.Set(p, q, g[j*d+k])
					}
					rhs.SetVec(p, c[j]-na*float64(pat[j]))
				}
				var sol mat.VecDense
				if err := sol.SolveVec(a, rhs); err != nil {
					ok = false
				} else {
					for p, j := range act {
						w[j] = sol.AtVec(p)
						if w[j]*float64(pat[j]) <= 0 {
							ok = false
						}
					}
				}
			}
			if ok {
				for j := 0; j < d; j++ {
					if pat[j] == 0 {
						gj := c[j] - dot(g[j*d:(j+1)*d], w)
						if math.Abs(gj) > na*(1+1e-12) {
							ok = false
						}
					}
				}
			}
			if ok {
				obj := 0.5*(yy-2*dot(w, c)) + na*l1(w)
				for j := 0; j < d; j++ {
					obj += 0.5 * w[j] * dot(g[j*d:(j+1)*d], w)
				}
				if obj < bestObj {
					bestObj = obj
					copy(best, w)
				}
			}
		}
		// next pattern: a base-3 counter with digits 0, +1, -1
		j := 0
		for ; j < d; j++ {
			switch pat[j] {
			case 0:
				pat[j] = 1
			case 1:
				pat[j] = -1
			default:
				pat[j] = 0
				continue // carry
			}
			break
		}
		if j == d {
			break
		}
	}
	if math.IsInf(bestObj, 1) {
		t.Fatalf("lassoEnum: no consistent pattern (n=%d alpha=%g)", n, alpha)
	}
	return best
}

func l1(w []float64) float64 {
	s := 0.0
	for _, v := range w {
		s += math.Abs(v)
	}
	return s
}

// TestLassoMatchesEnumeration compares coordinate descent with the exact
// active-set enumeration on small problems, under- and over-determined.
func TestLassoMatchesEnumeration(t *testing.T) {
	d, n := 5, 12
	c := &task.Noisy{Class: &task.DenseLinear{D: d, Std: 1}, Sigma: 0.3}
	b := makeBatch(c, 5, n, 33)
	for _, alpha := range []float64{1e-3, 0.03, 0.3} {
		for q := 0; q < b.B; q++ {
			xs, ys := b.Prompt(q)
			pred, ws := make([]float64, n), make([]float64, n*d)
			lassoPath(pred, ws, xs, ys, n, d, alpha)
			for i := 1; i < n; i++ {
				g, cc, yy := gramOf(xs, ys, i, d)
				want := lassoEnum(t, g, cc, yy, i, d, alpha)
				x := xs[i*d : (i+1)*d]
				if e := relErr(pred[i], dot(want, x), 1e-2); e > 1e-6 {
					t.Errorf("alpha=%g prompt %d i=%d: CD %.12g, enumeration %.12g", alpha, q, i, pred[i], dot(want, x))
				}
			}
		}
	}
}

func TestLassoSolveSweepLimit(t *testing.T) {
	d, n := 20, 20
	b := makeBatch(&task.DenseLinear{D: d, Std: 1}, 1, n, 2)
	xs, ys := b.Prompt(0)
	g, c, yy := gramOf(xs, ys, n, d)
	w := make([]float64, d)
	_, _, err := LassoSolve(w, g, c, yy, n, d, 1e-4, LassoTol, 1)
	var nc *NotConvergedError
	if !errors.As(err, &nc) {
		t.Fatalf("one sweep at alpha 1e-4: err = %v, want *NotConvergedError", err)
	}
	w = make([]float64, d)
	sweeps, gap, err := LassoSolve(w, g, c, yy, n, d, 1e-4, LassoTol, LassoMaxSweeps)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("n = d = 20, alpha 1e-4, cold start: %d sweeps, gap %g", sweeps, gap)
}

func TestLassoBestInHindsight(t *testing.T) {
	d, n := 5, 15
	b := makeBatch(&task.SparseLinear{D: d, K: 2, Std: 1}, 2, n, 3)
	alphas := []float64{1e-3, 0.1, 1}
	for q := 0; q < b.B; q++ {
		xs, ys := b.Prompt(q)
		best := make([]float64, n)
		LassoBest{Alphas: alphas}.Predict(best, xs, ys, n, d)
		for i := 0; i < n; i++ {
			minErr := math.Inf(1)
			for _, a := range alphas {
				p := make([]float64, n)
				Lasso{Alpha: a}.Predict(p, xs, ys, n, d)
				minErr = math.Min(minErr, sq(p[i]-ys[i]))
			}
			if sq(best[i]-ys[i]) != minErr {
				t.Errorf("prompt %d i=%d: error %g, best alpha's %g", q, i, sq(best[i]-ys[i]), minErr)
			}
		}
	}
}
