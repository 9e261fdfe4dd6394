package baseline

import (
	"fmt"
	"math"

	"icl/task"
)

// BayesPool is the exact posterior mean for a finite pool of functions drawn
// uniformly (task.Pool), y = f(x) + N(0, Sigma^2): p(f_m | first i points) is
// proportional to prod_j N(y_j; f_m(x_j), Sigma^2). Sigma must be > 0 (Exact
// uses sqrt(jitter * Scale) for a noiseless pool). At i = 0 it predicts the
// pool mean of f(x_0), the prior mean. Cost is M function evaluations per point.
type BayesPool struct {
	Funcs []task.Func
	Sigma float64
}

func (p BayesPool) Name() string { return fmt.Sprintf("bayes_pool_m=%d", len(p.Funcs)) }
func (p BayesPool) Predict(dst []float64, xs, ys []float64, n, d int) {
	p.PredictEvidence(dst, nil, xs, ys, n, d)
}

func (p BayesPool) PredictEvidence(dst, logev []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	m := len(p.Funcs)
	if m == 0 || !(p.Sigma > 0) {
		panic("baseline: BayesPool needs functions and Sigma > 0")
	}
	ll := make([]float64, m) // sum_j log N(y_j; f_m(x_j), sigma^2)
	fx := make([]float64, m)
	s2 := p.Sigma * p.Sigma
	logM := math.Log(float64(m))
	for i := 0; i < n; i++ {
		x := xs[i*d : (i+1)*d]
		lmax := math.Inf(-1)
		for _, l := range ll {
			lmax = max(lmax, l)
		}
		num, den := 0.0, 0.0
		for k, f := range p.Funcs {
			fx[k] = f.Eval(x)
			w := math.Exp(ll[k] - lmax)
			num += w * fx[k]
			den += w
		}
		dst[i] = num / den
		if logev != nil {
			logev[i] = lmax + math.Log(den) - logM
		}
		for k := range ll {
			ll[k] += logNormal(ys[i], fx[k], s2)
		}
	}
}
