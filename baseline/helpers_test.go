package baseline

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"icl/prompt"
	"icl/rng"
	"icl/task"
)

// makeBatch draws b prompts of n points from c: x ~ N(0, I_d), y = f(x) plus
// N(0, sigma^2) noise for a Noisy class (or Noisy mixture component).
func makeBatch(c task.Class, b, n int, seed uint64) *prompt.Batch {
	d := c.Dim()
	bt := prompt.NewBatch(b, n, d)
	mix, isMix := c.(*task.Mixture)
	if isMix {
		bt.Class = make([]int, b)
	}
	for p := 0; p < b; p++ {
		r := rng.New(seed, rng.LabelEval, uint64(p))
		cl := c
		if isMix {
			k := mix.Pick(r)
			bt.Class[p] = k
			cl = mix.Components[k]
		}
		f := cl.Sample(r)
		sigma := task.NoiseStd(cl)
		bt.Scale[p] = cl.Scale()
		for i := 0; i < n; i++ {
			x := bt.X(p, i)
			for j := range x {
				x[j] = r.NormFloat64()
			}
			bt.Ys[p*n+i] = f.Eval(x) + sigma*r.NormFloat64()
		}
	}
	return bt
}

// relErr is |a - b| / max(|b|, floor).
func relErr(a, b, floor float64) float64 {
	return math.Abs(a-b) / math.Max(math.Abs(b), floor)
}

// gaussLogEvidence is log N(y; 0, tau2 X_S X_S^T + sigma2 I) for the first n
// points, computed directly (an independent check of the chain-rule evidence):
// from a gonum Cholesky of the n x n covariance when n < |S|, and otherwise in
// weight space, log det = n log sigma2 - m log lambda + log det(G + lambda I) and
// quadratic form (|y - Xw|^2 + lambda |w|^2) / sigma2 with w from ridgeRef, so
// that no factored matrix is nearly singular when sigma2 is tiny.
func gaussLogEvidence(t *testing.T, xs, ys []float64, n, d int, cols []int, tau2, sigma2 float64) float64 {
	if n == 0 {
		return 0
	}
	m := len(cols)
	lambda := sigma2 / tau2
	if n >= m {
		g := mat.NewSymDense(m, nil)
		for p, s := range cols {
			for q, u := range cols[:p+1] {
				v := 0.0
				for i := 0; i < n; i++ {
					v += xs[i*d+s] * xs[i*d+u]
				}
				if p == q {
					v += lambda
				}
				g.SetSym(p, q, v)
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(g) {
			t.Fatalf("G + lambda I not positive definite")
		}
		w := ridgeRef(t, xs, ys, n, d, cols, lambda)
		q := 0.0
		for i := 0; i < n; i++ {
			r := ys[i]
			for p, s := range cols {
				r -= w[p] * xs[i*d+s]
			}
			q += r * r
		}
		for _, v := range w {
			q += lambda * v * v
		}
		q /= sigma2
		logdet := float64(n)*math.Log(sigma2) - float64(m)*math.Log(lambda) + ch.LogDet()
		return -0.5 * (float64(n)*math.Log(2*math.Pi) + logdet + q)
	}
	c := mat.NewSymDense(n, nil)
	for a := 0; a < n; a++ {
		for b := 0; b <= a; b++ {
			s := 0.0
			for _, j := range cols {
				s += xs[a*d+j] * xs[b*d+j]
			}
			v := tau2 * s
			if a == b {
				v += sigma2
			}
			c.SetSym(a, b, v)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(c) {
		t.Fatalf("covariance not positive definite")
	}
	y := mat.NewVecDense(n, append([]float64(nil), ys[:n]...))
	var z mat.VecDense
	if err := ch.SolveVecTo(&z, y); err != nil {
		t.Fatal(err)
	}
	return -0.5 * (float64(n)*math.Log(2*math.Pi) + ch.LogDet() + mat.Dot(&z, y))
}

// ridgeRef returns w (|S|) minimizing |y - X_S w|^2 + lambda |w|^2 over the
// first n points, as the least-squares solution of the augmented system
// [X_S; sqrt(lambda) I] w = [y; 0] by gonum's QR (stable for tiny lambda).
func ridgeRef(t *testing.T, xs, ys []float64, n, d int, cols []int, lambda float64) []float64 {
	m := len(cols)
	a := mat.NewDense(n+m, m, nil)
	b := mat.NewVecDense(n+m, nil)
	for i := 0; i < n; i++ {
		for p, s := range cols {
			a.Set(i, p, xs[i*d+s])
		}
		b.SetVec(i, ys[i])
	}
	for p := 0; p < m; p++ {
		a.Set(n+p, p, math.Sqrt(lambda))
	}
	var w mat.VecDense
	if err := w.SolveVec(a, b); err != nil {
		t.Fatal(err)
	}
	return w.RawVector().Data
}

// ridgeByQR returns x_S.w for the query x, w = ridgeRef(...).
func ridgeByQR(t *testing.T, xs, ys []float64, n, d int, cols []int, lambda float64, x []float64) float64 {
	w := ridgeRef(t, xs, ys, n, d, cols, lambda)
	s := 0.0
	for p, j := range cols {
		s += w[p] * x[j]
	}
	return s
}

func randMat(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}
