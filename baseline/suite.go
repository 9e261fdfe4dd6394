package baseline

import (
	"fmt"
	"math"
	"strings"

	"icl/task"
)

// Options selects the parameters of the suite that Select returns.
type Options struct {
	KNN          int       // neighbours for knn; >= 1
	RidgeLambdas []float64 // one ridge per lambda, each > 0
	LassoAlphas  []float64 // one lasso per alpha, each > 0; with 2 or more, also lasso_best_in_hindsight
	Jitter       float64   // noise variance / tau^2 for exact Bayes on noiseless classes; > 0
	MCSamples    int       // M of the Monte Carlo Bayes predictor; >= 1
	MCSeed       uint64    // seed of its streams
	// Components adds, for a mixture class (task.MixtureOf), the exact Bayes
	// predictor of each component that has one (Exact of the component, at
	// Jitter), after the class's own Bayes predictor: what each family's
	// Bayes-optimal learner would predict. Off by default.
	Components bool
}

// DefaultOptions is k = 3, ridge lambda 0.1 and 1, lasso alphas 0.001, 0.01,
// 0.1, DefaultJitter and M = 20000.
func DefaultOptions() Options {
	return Options{
		KNN:          3,
		RidgeLambdas: []float64{0.1, 1},
		LassoAlphas:  []float64{0.001, 0.01, 0.1},
		Jitter:       DefaultJitter,
		MCSamples:    20000,
	}
}

// Validate reports the first invalid field.
func (o Options) Validate() error {
	if o.KNN < 1 {
		return fmt.Errorf("baseline: Options.KNN = %d, want >= 1", o.KNN)
	}
	for _, l := range o.RidgeLambdas {
		if !(l > 0) || math.IsInf(l, 0) {
			return fmt.Errorf("baseline: Options.RidgeLambdas has %g, want finite values > 0", l)
		}
	}
	for _, a := range o.LassoAlphas {
		if !(a > 0) || math.IsInf(a, 0) {
			return fmt.Errorf("baseline: Options.LassoAlphas has %g, want finite values > 0", a)
		}
	}
	if !(o.Jitter > 0) || math.IsInf(o.Jitter, 0) {
		return fmt.Errorf("baseline: Options.Jitter = %g, want a finite value > 0", o.Jitter)
	}
	if o.MCSamples < 1 {
		return fmt.Errorf("baseline: Options.MCSamples = %d, want >= 1", o.MCSamples)
	}
	return nil
}

// Exact returns the exact Bayes predictor for c, with its marginal likelihood,
// when there is one: DenseLinear, SparseLinear, Pool (of any class), a Mixture
// whose components all have one, and Noisy wrappers of these (label noise
// task.Noisy.Sigma). A noiseless linear class gets noise variance
// jitter * Std^2, a noiseless pool jitter * Scale.
func Exact(c task.Class, jitter float64) (Evidence, bool) {
	return exact(c, 0, jitter)
}

func exact(c task.Class, sigma, jitter float64) (Evidence, bool) {
	noise := func(std float64) float64 {
		if sigma > 0 {
			return sigma
		}
		return math.Sqrt(jitter) * std
	}
	switch c := c.(type) {
	case *task.Noisy:
		if c.Sigma < 0 {
			return nil, false
		}
		// Nested Noisy wrappers add variances, as task.NoiseStd does; a total
		// of 0 means noiseless (jitter).
		return exact(c.Class, math.Hypot(sigma, c.Sigma), jitter)
	case *task.DenseLinear:
		return BayesDense{Tau: c.Std, Sigma: noise(c.Std)}, true
	case *task.SparseLinear:
		return BayesSparse{K: c.K, Tau: c.Std, Sigma: noise(c.Std)}, true
	case *task.Pool:
		return BayesPool{Funcs: c.Funcs(), Sigma: noise(math.Sqrt(c.Scale()))}, true
	case *task.Mixture:
		m := &BayesMixture{Weights: c.Weights}
		for _, k := range c.Components {
			e, ok := exact(k, sigma, jitter)
			if !ok {
				return nil, false
			}
			m.Components = append(m.Components, e)
		}
		return m, true
	}
	return nil, false
}

// ForClass returns the baselines for prompts from c, Select(c, opts, nil):
// zero, averaging, knn, least squares, ridge and lasso at the given parameters
// (and the lasso best in hindsight), then, when c is not nil, the exact Bayes
// predictor when Exact has one, else the Monte Carlo one (and with
// opts.Components each mixture component's exact Bayes predictor). A nil c (the
// prior is not known) gets the prior-free baselines only. It returns an error
// if opts is invalid.
func ForClass(c task.Class, opts Options) ([]Predictor, error) {
	return Select(c, opts, nil)
}

// Select returns the baselines of ForClass's suite for c whose names start
// with one of prefixes (e.g. "least_squares", "lasso_best", "bayes"), in the
// suite's order; nil prefixes selects all, an empty list none. Names are
// unique: a predictor whose name an earlier one has (a repeated parameter, a
// component's Bayes predictor that is already there) is dropped. It returns an
// error if opts is invalid. Every list of baselines in this module is chosen
// here: the experiments', and those of the commands icl eval and icl baselines.
func Select(c task.Class, opts Options, prefixes []string) ([]Predictor, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	ps := []Predictor{Zero{}, Averaging{}, KNN{K: opts.KNN}, LeastSquares{}}
	for _, l := range opts.RidgeLambdas {
		ps = append(ps, Ridge{Lambda: l})
	}
	for _, a := range opts.LassoAlphas {
		ps = append(ps, Lasso{Alpha: a})
	}
	if len(opts.LassoAlphas) > 1 {
		ps = append(ps, LassoBest{Alphas: opts.LassoAlphas})
	}
	if c != nil {
		if e, ok := Exact(c, opts.Jitter); ok {
			ps = append(ps, e)
		} else {
			ps = append(ps, &MonteCarlo{Class: c, M: opts.MCSamples, Seed: opts.MCSeed})
		}
		if m := task.MixtureOf(c); opts.Components && m != nil {
			for _, k := range m.Components {
				if e, ok := Exact(k, opts.Jitter); ok {
					ps = append(ps, e)
				}
			}
		}
	}
	var out []Predictor
	seen := map[string]bool{}
	for _, p := range ps {
		name := p.Name()
		if seen[name] || !hasPrefix(name, prefixes) {
			continue
		}
		seen[name] = true
		out = append(out, p)
	}
	return out, nil
}

// hasPrefix reports whether name starts with one of prefixes; nil prefixes
// match every name.
func hasPrefix(name string, prefixes []string) bool {
	if prefixes == nil {
		return true
	}
	for _, pre := range prefixes {
		if strings.HasPrefix(name, pre) {
			return true
		}
	}
	return false
}
