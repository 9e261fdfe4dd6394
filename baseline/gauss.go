package baseline

import (
	"fmt"
	"math"
)

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
// noise variance lambda*tau2. It keeps the QR factor of [X_S; sqrt(lambda) I]
// and updates it by one Givens sweep per point (givensAdd), O(|S|^2) per
// position.
func gaussSequence(mean, logev []float64, xs, ys []float64, n, d int, cols []int, lambda, tau2 float64) {
	m := len(cols)
	r, z := make([]float64, m*m), make([]float64, m)
	xv, u := make([]float64, m), make([]float64, m)
	gaussInit(r, z, m, lambda)
	le := 0.0
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		for p, s := range cols {
			xv[p] = x[s]
		}
		mu, q := gaussPredict(r, z, xv, u, m)
		mean[i] = mu
		if logev != nil {
			logev[i] = le
			le += logNormal(ys[i], mu, tau2*lambda*(1+q))
		}
		givensAdd(r, z, xv, ys[i], m)
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
	k := p.K
	logPrior := -math.Log(float64(len(sups)))
	ls := make([]float64, len(sups)) // log p(y_<i | S)
	// One QR factor (k, k) and rotated right-hand side (k) per support.
	rs, zs := make([]float64, len(sups)*k*k), make([]float64, len(sups)*k)
	for si := range sups {
		gaussInit(rs[si*k*k:(si+1)*k*k], zs[si*k:(si+1)*k], k, lambda)
	}
	xv, u := make([]float64, k), make([]float64, k)
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		lmax := math.Inf(-1)
		for _, l := range ls {
			lmax = max(lmax, l)
		}
		num, den := 0.0, 0.0
		for si, S := range sups {
			r, z := rs[si*k*k:(si+1)*k*k], zs[si*k:(si+1)*k]
			for q, s := range S {
				xv[q] = x[s]
			}
			mu, q := gaussPredict(r, z, xv, u, k)
			// Exp underflows to exactly 0 below -745.2: skip it there (most
			// supports, once a few points have ruled them out).
			if e := ls[si] - lmax; e > -746 {
				wt := math.Exp(e)
				num += wt * mu
				den += wt
			}
			ls[si] += logNormal(ys[i], mu, tau2*lambda*(1+q))
			givensAdd(r, z, xv, ys[i], k)
		}
		dst[i] = num / den
		if logev != nil {
			logev[i] = lmax + math.Log(den) + logPrior
		}
	}
}
