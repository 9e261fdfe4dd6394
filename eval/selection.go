package eval

import (
	"fmt"
	"math"
	"math/rand/v2"

	"icl/baseline"
	"icl/prompt"
	"icl/rng"
)

// IdentifyTol is the smallest mean squared difference between the two class
// predictions, relative to their mean square, at which ImpliedWeight reports
// a weight: below it the two classes predict alike and no weight is
// identified (NaN).
const IdentifyTol = 1e-4

// ImpliedWeight fits, at each position i, the single weight w_i of
// t ≈ w p1 + (1 - w) p2 by least squares over prompts:
// w_i = sum_p (t - p2)(p1 - p2) / sum_p (p1 - p2)^2, with t, p1, p2 (B, N). The
// interval is the percentile bootstrap over prompts (boots resamples from r,
// shared by all positions). Positions where the class predictions barely differ
// (see IdentifyTol) are NaN.
func ImpliedWeight(name string, t, p1, p2 []float64, B, N int, level float64, boots int, r *rand.Rand) Curve {
	if len(t) != B*N || len(p1) != B*N || len(p2) != B*N {
		panic(fmt.Sprintf("eval: ImpliedWeight: lengths %d, %d, %d, want B*N = %d", len(t), len(p1), len(p2), B*N))
	}
	num := make([]float64, B*N) // (B, N) per-prompt terms
	den := make([]float64, B*N)
	ok := make([]bool, N)
	for i := 0; i < N; i++ {
		sd, ss := 0.0, 0.0
		for p := 0; p < B; p++ {
			k := p*N + i
			d := p1[k] - p2[k]
			num[k] = (t[k] - p2[k]) * d
			den[k] = d * d
			sd += d * d
			ss += (p1[k]*p1[k] + p2[k]*p2[k]) / 2
		}
		ok[i] = sd > 0 && sd >= IdentifyTol*ss
	}
	weight := func(idx []int) []float64 {
		w := make([]float64, N)
		for i := 0; i < N; i++ {
			if !ok[i] {
				w[i] = math.NaN()
				continue
			}
			a, b := 0.0, 0.0
			for _, p := range idx {
				a += num[p*N+i]
				b += den[p*N+i]
			}
			w[i] = a / b
		}
		return w
	}
	all := make([]int, B)
	for p := range all {
		all[p] = p
	}
	c := Curve{Name: name, Mean: weight(all), Lo: make([]float64, N), Hi: make([]float64, N)}
	if boots == 0 {
		copy(c.Lo, c.Mean)
		copy(c.Hi, c.Mean)
		return c
	}
	bw := make([][]float64, boots)
	idx := make([]int, B)
	for k := range bw {
		for j := range idx {
			idx[j] = r.IntN(B)
		}
		bw[k] = weight(idx)
	}
	col := make([]float64, 0, boots)
	for i := 0; i < N; i++ {
		if !ok[i] {
			c.Lo[i], c.Hi[i] = math.NaN(), math.NaN()
			continue
		}
		col = col[:0]
		for k := range bw {
			if v := bw[k][i]; !math.IsNaN(v) && !math.IsInf(v, 0) {
				col = append(col, v)
			}
		}
		if len(col) == 0 {
			c.Lo[i], c.Hi[i] = math.NaN(), math.NaN()
			continue
		}
		c.Lo[i], c.Hi[i] = percentiles(col, (1-level)/2, (1+level)/2)
	}
	return c
}

// Selection compares a transformer's implied model-selection weight with the
// Bayes class posterior on one batch of prompts.
type Selection struct {
	Setting   string `json:"setting"`
	Class     string `json:"class"` // the name of class 1, the class the weight is on
	Implied   Curve  `json:"implied"`
	Posterior Curve  `json:"posterior"` // mean over prompts of p(class 1 | context)
	// Others are the mean posteriors of class 1 under further reference
	// mixtures (e.g. the same classes with another prior), in the order given.
	Others []Curve `json:"other_posteriors,omitempty"`
}

// ModelSelection runs model and the two-component Bayes mixture mix on bt and
// returns the model's implied weight on component 0 (ImpliedWeight against the
// components' posterior means) and the mean posterior p(component 0 | points
// 0..i-1) over prompts, both with bootstrap intervals; also the mean posterior
// of component 0 under each of others. Queries in bt are not used: positions
// are scored on the prompt's own points.
func ModelSelection(bt *prompt.Batch, model Predictor, mix *baseline.BayesMixture, opts Options, others ...*baseline.BayesMixture) (*Selection, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	for _, m := range append([]*baseline.BayesMixture{mix}, others...) {
		if len(m.Components) != 2 {
			return nil, fmt.Errorf("eval: model selection needs a mixture of 2 classes, have %d", len(m.Components))
		}
	}
	B, N := bt.B, bt.N
	t := make([]float64, B*N)
	model.Predict(t, bt)
	p := [2][]float64{make([]float64, B*N), make([]float64, B*N)}
	for c := range p {
		baseline.Run(p[c], mix.Components[c], bt, 0)
	}
	s := &Selection{Class: mix.Components[0].Name()}
	s.Implied = ImpliedWeight(model.Name(), t, p[0], p[1], B, N, opts.level(), opts.boots(),
		rng.New(opts.BootSeed, rng.LabelEval, rng.StreamSelectionWeight))
	s.Posterior = meanPosterior(bt, mix, opts)
	for _, m := range others {
		s.Others = append(s.Others, meanPosterior(bt, m, opts))
	}
	return s, nil
}

// meanPosterior is the mean over bt's prompts of p(component 0 | points
// 0..i-1) under mix, with its bootstrap interval. Every call resamples the
// prompts the same way.
func meanPosterior(bt *prompt.Batch, mix *baseline.BayesMixture, opts Options) Curve {
	B, N := bt.B, bt.N
	pred := make([]float64, B*N)
	post := make([]float64, B*N*2)
	baseline.RunPosterior(pred, post, mix, bt, 0)
	p0 := make([]float64, B*N)
	for k := range p0 {
		p0[k] = post[2*k]
	}
	return ICLCurve("bayes posterior", p0, B, N, opts.level(), opts.boots(),
		rng.New(opts.BootSeed, rng.LabelEval, rng.StreamSelectionPosterior))
}
