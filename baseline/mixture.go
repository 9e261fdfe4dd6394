package baseline

import (
	"fmt"
	"math"

	"icl/internal/parallel"
	"icl/prompt"
)

// BayesMixture is the posterior mean for a mixture that picks component c with
// probability Weights[c]: sum_c p(c | first i points) * mean_c, with
// p(c | first i points) proportional to Weights[c] * p(y_<i | c).
type BayesMixture struct {
	Components []Evidence
	Weights    []float64 // (K), sum to 1
}

func (p *BayesMixture) Name() string { return "bayes_mixture" }

func (p *BayesMixture) Predict(dst []float64, xs, ys []float64, n, d int) {
	p.PredictPosterior(dst, nil, nil, xs, ys, n, d)
}

func (p *BayesMixture) PredictEvidence(dst, logev []float64, xs, ys []float64, n, d int) {
	p.PredictPosterior(dst, nil, logev, xs, ys, n, d)
}

// PredictPosterior writes dst (n) as Predict does and, when not nil, post (n, K),
// post[i*K+c] = p(component c | points 0..i-1), and logev (n), the mixture's log
// evidence.
func (p *BayesMixture) PredictPosterior(dst, post, logev []float64, xs, ys []float64, n, d int) {
	p.predictPosterior(dst, post, logev, make([]float64, len(p.Components)*n), xs, ys, n, d)
}

// predictPosterior is PredictPosterior that also writes means (K, n), each
// component's own predictions.
func (p *BayesMixture) predictPosterior(dst, post, logev, means []float64, xs, ys []float64, n, d int) {
	checkShapes(dst, xs, ys, n, d)
	k := len(p.Components)
	if k == 0 || len(p.Weights) != k {
		panic(fmt.Sprintf("baseline: BayesMixture has %d components and %d weights", k, len(p.Weights)))
	}
	if post != nil && len(post) < n*k {
		panic("baseline: len(post) < n*K")
	}
	evs := make([]float64, k*n) // (K, n)
	for c, comp := range p.Components {
		comp.PredictEvidence(means[c*n:(c+1)*n], evs[c*n:(c+1)*n], xs, ys, n, d)
	}
	lw := make([]float64, k)
	for i := 0; i < n; i++ {
		for c := 0; c < k; c++ {
			lw[c] = math.Log(p.Weights[c]) + evs[c*n+i]
		}
		lz := logSumExp(lw)
		s := 0.0
		for c := 0; c < k; c++ {
			pc := math.Exp(lw[c] - lz)
			if pc > 0 { // a component with zero posterior may have a NaN mean
				s += pc * means[c*n+i]
			}
			if post != nil {
				post[i*k+c] = pc
			}
		}
		dst[i] = s
		if logev != nil {
			logev[i] = lz
		}
	}
}

// Posterior is a predictor that also reports p(class | first i points) over
// the K components of a mixture: BayesMixture (exact) and MonteCarlo.
type Posterior interface {
	Predictor
	NumClasses() int
	// PosteriorIndex writes dst (n) as Predict does and post (n, K); index is the
	// prompt's index in its batch (it labels random streams).
	PosteriorIndex(dst, post []float64, xs, ys []float64, n, d, index int)
}

// NumClasses is the number of components.
func (p *BayesMixture) NumClasses() int { return len(p.Components) }

// PosteriorIndex is PredictPosterior without the evidence; index is unused.
func (p *BayesMixture) PosteriorIndex(dst, post []float64, xs, ys []float64, n, d, index int) {
	p.PredictPosterior(dst, post, nil, xs, ys, n, d)
}

// RunPosterior writes the predictions pred (B, N) and class posteriors post
// (B, N, K) of p on every prompt of b, on up to workers goroutines; the result
// does not depend on workers.
func RunPosterior(pred, post []float64, p Posterior, b *prompt.Batch, workers int) {
	k := p.NumClasses()
	if len(pred) != b.B*b.N || len(post) != b.B*b.N*k {
		panic(fmt.Sprintf("baseline: RunPosterior: len(pred)=%d len(post)=%d, want %d and %d",
			len(pred), len(post), b.B*b.N, b.B*b.N*k))
	}
	parallel.For(b.B, workers, func(q int) {
		xs, ys := b.Prompt(q)
		p.PosteriorIndex(pred[q*b.N:(q+1)*b.N], post[q*b.N*k:(q+1)*b.N*k], xs, ys, b.N, b.D, q)
	})
}

// ScaleWeighted returns the predictor that minimizes the expected squared
// error divided by the scale of the function's class, scales[c] for component
// c (the loss of train.loss: normalized). Given points D the minimizer is
// sum_c p(c|D) m_c / s_c over sum_c p(c|D) / s_c, with m_c the component's
// posterior mean; since p(c|D) is proportional to w_c p(D|c), that is the Bayes
// mixture of the same components with prior weights proportional to w_c / s_c.
func (p *BayesMixture) ScaleWeighted(scales []float64) *BayesMixture {
	if len(scales) != len(p.Weights) {
		panic(fmt.Sprintf("baseline: ScaleWeighted: %d scales for %d components", len(scales), len(p.Weights)))
	}
	w := make([]float64, len(scales))
	sum := 0.0
	for c, s := range scales {
		if !(s > 0) {
			panic(fmt.Sprintf("baseline: ScaleWeighted: scale %g of component %d is not positive", s, c))
		}
		w[c] = p.Weights[c] / s
		sum += w[c]
	}
	for c := range w {
		w[c] /= sum
	}
	return &BayesMixture{Components: p.Components, Weights: w}
}
