package baseline

import (
	"fmt"
	"math"
)

// gaussScratch holds the buffers of gaussPredictive for models of up to m
// weights on prompts of up to n points.
type gaussScratch struct {
	a    []float64 // (max(m, n), max(m, n)) system matrix, then its Cholesky factor
	b, u []float64 // right-hand sides
}

func newGaussScratch(m, n int) *gaussScratch {
	s := max(m, n)
	return &gaussScratch{a: make([]float64, s*s), b: make([]float64, s), u: make([]float64, s)}
}

// gaussPredictive returns the posterior predictive of y at x (d) for the model
// y = w.x_S + N(0, lambda tau^2), w ~ N(0, tau^2 I_|S|), S = cols, given the
// first i points of xs (., d), ys. g (d, d) and c (d) are X^T X and X^T y of those
// points. It returns the mean and var/tau^2. The weight-space ("primal") form
// with a |S| x |S| Cholesky is used when i >= |S|, the function-space ("dual")
// form with an i x i Cholesky otherwise, so that the factored matrix has full
// rank up to lambda. ok is false if a Cholesky factorization failed.
func gaussPredictive(sc *gaussScratch, cols []int, i, d int, x, xs, ys, g, c []float64, lambda float64) (mean, vfac float64, ok bool) {
	m := len(cols)
	if i == 0 {
		xx := 0.0
		for _, s := range cols {
			xx += x[s] * x[s]
		}
		return 0, xx + lambda, true
	}
	if i >= m {
		a, b, u := sc.a[:m*m], sc.b[:m], sc.u[:m]
		for p, s := range cols {
			for q, t := range cols[:p+1] {
				a[p*m+q] = g[s*d+t]
			}
			a[p*m+p] += lambda
			b[p] = c[s]
			u[p] = x[s]
		}
		if !cholesky(a, m) {
			return 0, 0, false
		}
		forward(a, m, b)
		backward(a, m, b) // b = w, the posterior mean
		mean = 0
		for p, s := range cols {
			mean += b[p] * x[s]
		}
		forward(a, m, u)
		return mean, lambda * (1 + dot(u, u)), true
	}
	a, b, u := sc.a[:i*i], sc.b[:i], sc.u[:i]
	for p := 0; p < i; p++ {
		xp := xs[p*d : (p+1)*d]
		for q := 0; q <= p; q++ {
			xq := xs[q*d : (q+1)*d]
			s := 0.0
			for _, t := range cols {
				s += xp[t] * xq[t]
			}
			a[p*i+q] = s
		}
		a[p*i+p] += lambda
		s := 0.0
		for _, t := range cols {
			s += xp[t] * x[t]
		}
		u[p] = s
		b[p] = ys[p]
	}
	if !cholesky(a, i) {
		return 0, 0, false
	}
	forward(a, i, b) // L^{-1} y
	forward(a, i, u) // L^{-1} k_x
	xx := 0.0
	for _, t := range cols {
		xx += x[t] * x[t]
	}
	vfac = xx + lambda - dot(u, u)
	return dot(u, b), max(vfac, lambda), true
}

// addGram adds x x^T to g (d, d) (lower triangle) and y x to c (d).
func addGram(g, c []float64, x []float64, y float64, d int) {
	for s := 0; s < d; s++ {
		xs := x[s]
		row := g[s*d : s*d+s+1]
		for t := range row {
			row[t] += xs * x[t]
		}
		c[s] += xs * y
	}
}

func allCols(d int) []int {
	cols := make([]int, d)
	for i := range cols {
		cols[i] = i
	}
	return cols
}

// logNormal is log N(y; mean, v).
func logNormal(y, mean, v float64) float64 {
	e := y - mean
	return -0.5 * (math.Log(2*math.Pi*v) + e*e/v)
}

// Ridge predicts with w minimizing |y - Xw|^2 + Lambda |w|^2 over the first i
// points (Lambda > 0).
type Ridge struct{ Lambda float64 }

func (p Ridge) Name() string { return fmt.Sprintf("ridge_lambda=%g", p.Lambda) }
func (p Ridge) Predict(dst []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	if !(p.Lambda > 0) {
		panic("baseline: Ridge.Lambda must be > 0")
	}
	gaussSequence(dst, nil, xs, ys, n, d, allCols(d), p.Lambda, 1)
}

// gaussSequence writes mean[i] and, if logev is not nil, logev[i] = log p(y_<i)
// for the Gaussian linear model on columns cols with prior variance tau2 and
// noise variance lambda*tau2. A failed factorization (a singular system, which
// lambda > 0 rules out in exact arithmetic) gives NaN.
func gaussSequence(mean, logev []float64, xs, ys []float64, n, d int, cols []int, lambda, tau2 float64) {
	sc := newGaussScratch(len(cols), n)
	g := make([]float64, d*d)
	c := make([]float64, d)
	le := 0.0
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		mu, vf, ok := gaussPredictive(sc, cols, i, d, x, xs, ys, g, c, lambda)
		if !ok {
			mu, vf = math.NaN(), math.NaN()
		}
		mean[i] = mu
		if logev != nil {
			logev[i] = le
			le += logNormal(ys[i], mu, tau2*vf)
		}
		addGram(g, c, x, ys[i], d)
	}
}

// DefaultJitter is the noise variance, relative to the prior variance tau^2,
// that Bayes predictors for noiseless linear classes assume.
const DefaultJitter = 1e-10

// BayesDense is the posterior mean for w ~ N(0, Tau^2 I_d), y = w.x + N(0, Sigma^2);
// it equals Ridge with Lambda = Sigma^2 / Tau^2. Sigma must be > 0 (use a
// jitter for a noiseless class; see Exact).
type BayesDense struct{ Tau, Sigma float64 }

func (p BayesDense) Name() string { return "bayes_dense" }
func (p BayesDense) Predict(dst []float64, xs, ys []float64, n, d int) {
	p.PredictEvidence(dst, nil, xs, ys, n, d)
}
func (p BayesDense) PredictEvidence(dst, logev []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	if !(p.Tau > 0 && p.Sigma > 0) {
		panic("baseline: BayesDense needs Tau > 0 and Sigma > 0")
	}
	tau2 := p.Tau * p.Tau
	gaussSequence(dst, logev, xs, ys, n, d, allCols(d), p.Sigma*p.Sigma/tau2, tau2)
}

// BayesSparse is the exact posterior mean for a support S of K of the d
// coordinates drawn uniformly, w_S ~ N(0, Tau^2 I_K), zeros elsewhere, and
// y = w.x + N(0, Sigma^2): a sum over all C(d, K) supports weighted by
// p(S | first i points).
type BayesSparse struct {
	K          int
	Tau, Sigma float64
}

func (p BayesSparse) Name() string { return fmt.Sprintf("bayes_sparse_k=%d", p.K) }
func (p BayesSparse) Predict(dst []float64, xs, ys []float64, n, d int) {
	p.PredictEvidence(dst, nil, xs, ys, n, d)
}

// supports lists all k-subsets of [0, d) in lexicographic order.
func supports(d, k int) [][]int {
	var out [][]int
	cur := make([]int, k)
	var rec func(pos, start int)
	rec = func(pos, start int) {
		if pos == k {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for s := start; s <= d-(k-pos); s++ {
			cur[pos] = s
			rec(pos+1, s+1)
		}
	}
	rec(0, 0)
	return out
}

func (p BayesSparse) PredictEvidence(dst, logev []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	if !(p.Tau > 0 && p.Sigma > 0) || p.K < 1 || p.K > d {
		panic("baseline: BayesSparse needs Tau > 0, Sigma > 0, 1 <= K <= d")
	}
	tau2 := p.Tau * p.Tau
	lambda := p.Sigma * p.Sigma / tau2
	sups := supports(d, p.K)
	logPrior := -math.Log(float64(len(sups)))
	ls := make([]float64, len(sups)) // log p(y_<i | S)
	mus := make([]float64, len(sups))
	sc := newGaussScratch(p.K, n)
	g := make([]float64, d*d)
	c := make([]float64, d)
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		lmax := math.Inf(-1)
		for _, l := range ls {
			lmax = max(lmax, l)
		}
		num, den := 0.0, 0.0
		for si, S := range sups {
			mu, vf, ok := gaussPredictive(sc, S, i, d, x, xs, ys, g, c, lambda)
			if !ok {
				mu, vf = math.NaN(), math.NaN()
			}
			mus[si] = mu
			wt := math.Exp(ls[si] - lmax)
			num += wt * mu
			den += wt
			ls[si] += logNormal(ys[i], mu, tau2*vf)
		}
		dst[i] = num / den
		if logev != nil {
			logev[i] = lmax + math.Log(den) + logPrior
		}
		addGram(g, c, x, ys[i], d)
	}
}
