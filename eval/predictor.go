package eval

import (
	"fmt"

	"icl/baseline"
	"icl/gpt"
	"icl/prompt"
)

// Predictor predicts every position of a batch of prompts from their prefixes.
type Predictor interface {
	// Name labels the predictor in results and legends; it is display text.
	Name() string
	// Key identifies the predictor's curve in results (Curve.Key,
	// SweepLine.Key, FittedLine.Key) apart from its display name: analyses
	// find curves by it, never by Name.
	Key() string
	// Predict writes dst (B, N) for the prompts of b: dst[p, i] is the
	// prediction of b.Ys[p, i] from points 0..i-1 of prompt p and the input
	// b.Xs[p, i]. It reads only b's B, N, D, Xs and Ys, the prompts' own
	// points: b's queries (QXs, QYs, QueryLen) are scored by PredictQueries,
	// which asks Predict for the batch of each position's query prompts
	// (QueryBatch); Class, Indicator and Scale are not read (a Transformer
	// shows the family it is told, not b.Indicator). A caller with raw
	// slices passes &prompt.Batch{B: B, N: N, D: D, Xs: xs, Ys: ys,
	// QueryLen: N}. Predictors whose randomness is labeled by a prompt's index
	// use p.
	Predict(dst []float64, b *prompt.Batch)
}

// DefaultChunk returns the number of prompts a Transformer with model
// config c runs per forward pass: 16 up to width 64, whose activations then
// stay in a core's L2 cache through a layer (about 5% faster forward passes
// than 32 there), 32 for wider models (where 16 is slower). The activations
// of each core's model are sized for it (about 50 MB at 6 layers, width 128,
// and 32 prompts), and results do not depend on it (each prompt's sums run
// in the same order in any batch).
func DefaultChunk(c gpt.Config) int {
	if c.Width <= 64 {
		return 16
	}
	return 32
}

// Transformer adapts a gpt.Model: float64 prompts are converted to float32 and
// run Chunk prompts at a time, the chunks shared out over the cores
// (gpt.Model.OnCores: whole forward passes on one thread per core). A Model
// is not safe for concurrent use, so neither is a Transformer.
type Transformer struct {
	Label string
	// ID is the key of the model's curve (e.g. the run's role in an
	// experiment); empty means Name().
	ID    string
	Model *gpt.Model
	Chunk int // prompts per forward pass; 0 means DefaultChunk(Model.Cfg)
	// ShowFamily and Family set the family indicator of a model pretrained
	// with one (Model.Cfg.Families > 0, train's data.family_indicator): with
	// ShowFamily every prompt shows family Family, the index of a component
	// of the pretraining mixture; without it (the zero value) the indicator
	// is hidden, all zeros, as on the pretraining prompts that did not show
	// it. Comparing the two on one class's prompts measures what knowing the
	// family is worth to the model.
	ShowFamily bool
	Family     int
}

// Name returns t.Label, or "transformer" when empty.
func (t *Transformer) Name() string {
	if t.Label == "" {
		return "transformer"
	}
	return t.Label
}

// Key returns t.ID, or Name() when empty.
func (t *Transformer) Key() string {
	if t.ID == "" {
		return t.Name()
	}
	return t.ID
}

// Predict runs the model; b.N must be at most Model.Cfg.Points and b.D must
// be Model.Cfg.Dim.
func (t *Transformer) Predict(dst []float64, b *prompt.Batch) {
	B, N, D := b.B, b.N, b.D
	cfg := t.Model.Cfg
	if D != cfg.Dim || N > cfg.Points {
		panic(fmt.Sprintf("eval: transformer %q has dim %d and %d points; prompts have D = %d, N = %d",
			t.Name(), cfg.Dim, cfg.Points, D, N))
	}
	checkBatch(dst, b)
	xs, ys := b.Xs, b.Ys
	chunk := t.Chunk
	if chunk <= 0 {
		chunk = DefaultChunk(cfg)
	}
	chunk = min(chunk, B)
	var ind []float32 // (chunk, F) the indicator of every prompt; nil: hidden
	if F := cfg.Families; t.ShowFamily {
		if F == 0 {
			panic(fmt.Sprintf("eval: transformer %q shows family %d, but its model has no family indicator", t.Name(), t.Family))
		}
		if t.Family < 0 || t.Family >= F {
			panic(fmt.Sprintf("eval: transformer %q shows family %d; its model has %d families (allowed 0..%d)",
				t.Name(), t.Family, F, F-1))
		}
		ind = gpt.ShowFamily(chunk, F, t.Family)
	}
	t.Model.OnCores(B, chunk, func() func(m *gpt.Model, lo, hi int) {
		x32 := make([]float32, chunk*N*D)
		y32 := make([]float32, chunk*N)
		p32 := make([]float32, chunk*N)
		return func(m *gpt.Model, lo, hi int) {
			nb := hi - lo
			for i, v := range xs[lo*N*D : hi*N*D] {
				x32[i] = float32(v)
			}
			for i, v := range ys[lo*N : hi*N] {
				y32[i] = float32(v)
			}
			var in []float32
			if ind != nil {
				in = ind[:nb*cfg.Families]
			}
			m.Predict(p32[:nb*N], gpt.Input{Xs: x32[:nb*N*D], Ys: y32[:nb*N], Ind: in, B: nb, N: N})
			for i, v := range p32[:nb*N] {
				dst[lo*N+i] = float64(v)
			}
		}
	})
	// The activations (tens of MB a core) go to the next model that
	// predicts (gpt.Model.Release): an experiment holds many models (E1B
	// one per run and budget), each predicting in turn.
	t.Model.Release()
}

// Baseline adapts a baseline.Predictor; prompts are predicted in parallel.
type Baseline struct {
	P baseline.Predictor
	// Label overrides P.Name() when not empty.
	Label string
	// ID is the key of the baseline's curve; empty means P.Name(), the
	// baseline's identifier (e.g. "least_squares").
	ID string
}

// Name returns b.Label or the baseline's own name.
func (b Baseline) Name() string {
	if b.Label != "" {
		return b.Label
	}
	return b.P.Name()
}

// Key returns b.ID or the baseline's own name.
func (b Baseline) Key() string {
	if b.ID != "" {
		return b.ID
	}
	return b.P.Name()
}

// Predict runs baseline.Run over the prompts.
func (b Baseline) Predict(dst []float64, bt *prompt.Batch) {
	checkBatch(dst, bt)
	baseline.Run(dst, b.P, bt, 0)
}

// Baselines wraps each of ps.
func Baselines(ps []baseline.Predictor) []Predictor {
	out := make([]Predictor, len(ps))
	for i, p := range ps {
		out[i] = Baseline{P: p}
	}
	return out
}

func checkBatch(dst []float64, b *prompt.Batch) {
	B, N, D := b.B, b.N, b.D
	if len(dst) != B*N || len(b.Xs) != B*N*D || len(b.Ys) != B*N {
		panic(fmt.Sprintf("eval: batch shapes: len(dst) = %d, len(xs) = %d, len(ys) = %d for B = %d, N = %d, D = %d",
			len(dst), len(b.Xs), len(b.Ys), B, N, D))
	}
}
