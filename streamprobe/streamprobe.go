package streamprobe

import (
	"errors"
	"fmt"
	"icl/eval"
	"icl/gpt"
	"icl/internal/parallel"
	"icl/plot"
	"icl/probe"
	"icl/prompt"
	"icl/rng"
	"math"
	"slices"
)

// Lambdas is the lambda grid of E8's probes, for standardised features
// (package probe): four values a factor of 10 apart, the middle of
// probe.DefaultLambdas, which keeps the probes of a scale within E8's time
// (e8.yaml says how it was chosen).
var Lambdas = []float64{1e-3, 1e-2, 1e-1, 1}

// Tol is the largest |gradient entry| at which a class probe's Newton
// iterations stop. probe.DefaultTol (1e-8) lies at the float64 floor of
// the log loss of a few thousand rows: there the line search cannot
// certify a decrease (about |gradient|^2 against a loss near 0.7), and the
// fit stalls just above it. At 1e-6 the probe's class predictions are
// settled.
const Tol = 1e-6

// Streams is a model's residual stream at some positions of B prompts after
// every layer: x[((l*len(pos)+j)*B+p)*C+c] is feature c of prompt p's stream
// at x-token pos[j] after layer l (0: the embedding, l: block l's output).
type Streams struct {
	layers, B, C int
	pos          []int
	x            []float32 // (layers, len(pos), B, C)
}

// Capture runs m on b, eval.DefaultChunk(m.Cfg) prompts at a time, the chunks
// shared out over the cores (gpt.Model.OnCores; each prompt's stream is the
// same in any batch and on any core), and keeps its stream at
// positions pos after every layer. A model with a family indicator is shown
// family[q] for prompt q (its one-hot), or nothing when family is nil (the
// indicator hidden). It releases m's activations when done.
func Capture(m *gpt.Model, b *prompt.Batch, pos []int, family []int) *Streams {
	L1, C, N, D, F := m.Cfg.Layers+1, m.Cfg.Width, b.N, b.D, m.Cfg.Families
	if family != nil && (len(family) != b.B || F == 0) {
		panic(fmt.Sprintf("streamprobe: Capture: %d families for %d prompts, a model of %d families", len(family), b.B, F))
	}
	s := &Streams{layers: L1, B: b.B, C: C, pos: pos, x: make([]float32, L1*len(pos)*b.B*C)}
	chunk := min(b.B, eval.DefaultChunk(m.Cfg))
	m.OnCores(b.B, chunk, func() func(r *gpt.Model, lo, hi int) {
		xs, ys := make([]float32, chunk*N*D), make([]float32, chunk*N)
		preds, buf := make([]float32, chunk*N), make([]float32, chunk*N*C) // (chunk, N), (chunk, N, C)
		var ind []float32                                                  // (chunk, F)
		if family != nil {
			ind = make([]float32, chunk*F)
		}
		return func(r *gpt.Model, lo, hi int) {
			n := hi - lo
			for i, v := range b.Xs[lo*N*D : (lo+n)*N*D] {
				xs[i] = float32(v)
			}
			for i, v := range b.Ys[lo*N : (lo+n)*N] {
				ys[i] = float32(v)
			}
			in := gpt.Input{Xs: xs[:n*N*D], Ys: ys[:n*N], B: n, N: N}
			if family != nil {
				clear(ind)
				for q, f := range family[lo : lo+n] {
					ind[q*F+f] = 1
				}
				in.Ind = ind[:n*F]
			}
			r.Predict(preds[:n*N], in)
			for l := range L1 {
				r.Stream(buf, l)
				for j, p := range pos {
					dst := s.x[((l*len(pos)+j)*b.B+lo)*C:]
					for q := range n {
						copy(dst[q*C:(q+1)*C], buf[(q*N+p)*C:(q*N+p+1)*C])
					}
				}
			}
		}
	})
	m.Release()
	return s
}

// set is the probe data of layer l at position pos[j]: a row per prompt,
// the stream's C features (in float64), targets y (B).
func (s *Streams) set(l, j int, y []float64) probe.Set {
	k := l*len(s.pos) + j
	src := s.x[k*s.B*s.C : (k+1)*s.B*s.C]
	x := make([]float64, len(src))
	for i, v := range src {
		x[i] = float64(v)
	}
	return probe.Set{X: x, Y: y, N: s.B, P: s.C}
}

// Targets are what E8's probes learn for a set of prompts: each
// prompt's class (1 sparse, 0 dense), the Bayes posterior p(sparse | the
// points before) at each probed position, and, for each class of the
// pretraining mixture, that class's Bayes prediction of the position's y
// from the points before (its specialist's answer). A prompt whose
// prediction target is NaN is left out of that probe.
type Targets struct {
	Class   []float64     // (B)
	Post    [][]float64   // (len(pos), B)
	Pred    [][][]float64 // (K, len(pos), B)
	Classes []string      // (K): each class of Pred, in words
}

// Cell is the probes of one layer at one position.
type Cell struct {
	// correct is 1 for each held-out prompt whose class the class probe
	// gets right, else 0 (B); acc is its mean, the held-out accuracy.
	Correct []float64
	Acc     float64
	// cv is the class probe's least mean cross-validated log loss on the
	// fitting set (at the lambda chosen), which picks the best layer.
	CV float64
	// r2 is the posterior probe's held-out R^2; NaN where the posterior
	// does not vary over the fitting or the held-out prompts.
	R2 float64
	// R2Pred is the held-out R^2 of a ridge probe of each class's Bayes
	// prediction (K); NaN where it does not vary (no context).
	R2Pred []float64
}

// Version changes whenever what Fit computes changes, so that probes kept
// in an evaluation cache under an older one are not read back.
const Version = 2

// Grid is a model's probes: cells[l][j] at layer l (0: the
// embedding) and position pos[j].
type Grid struct {
	Name    string // the model, in words
	Pos     []int
	Cells   [][]Cell
	Classes []string // Targets.Classes: what each Cell.R2Pred reads
}

// Fit fits the class probe, the posterior probe and each class's prediction
// probe at every layer and position of fit's Streams on fit (targets ft)
// and scores them on test
// (targets tt): package probe's Logistic and Linear with Lambdas and
// folds folds, each cell's rows shuffled into folds by its own stream of
// seed. The cells run on up to workers goroutines (0: GOMAXPROCS); the result
// does not depend on how many.
func Fit(name string, fit, test *Streams, ft, tt Targets, folds int, seed uint64, workers int) (*Grid, error) {
	L1, P := fit.layers, len(fit.pos)
	g := &Grid{Name: name, Pos: fit.pos, Cells: make([][]Cell, L1), Classes: ft.Classes}
	for l := range g.Cells {
		g.Cells[l] = make([]Cell, P)
	}
	errs := make([]error, L1*P)
	parallel.For(L1*P, workers, func(k int) {
		l, j := k/P, k%P
		g.Cells[l][j], errs[k] = fitCell(fit, test, ft, tt, l, j, folds, seed)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("probes of %s: %w", name, err)
	}
	return g, nil
}

func fitCell(fit, test *Streams, ft, tt Targets, l, j, folds int, seed uint64) (Cell, error) {
	sf, st := fit.set(l, j, ft.Class), test.set(l, j, tt.Class)
	o := probe.Options{Lambdas: Lambdas, Folds: folds, Tol: Tol, Rand: rng.New(seed, uint64(l), uint64(j), 0)}
	r, err := probe.Logistic(sf, st, o)
	if err != nil {
		return Cell{}, fmt.Errorf("layer %d, position %d: class probe: %w", l, fit.pos[j], err)
	}
	c := Cell{Correct: make([]float64, st.N), CV: slices.Min(r.CV), R2: math.NaN()}
	prob := make([]float64, st.N)
	r.Model.Predict(prob, st.X)
	for i, p := range prob {
		if (p > 0.5) == (st.Y[i] == 1) {
			c.Correct[i] = 1
			c.Acc++
		}
	}
	c.Acc /= float64(st.N)
	// ridge fits a ridge probe of the targets f on the fitting set's rows
	// where f is not NaN, scored on t's, with rows shuffled by stream k of
	// the cell's: NaN where the targets do not vary.
	ridge := func(f, t []float64, k uint64, what string) (float64, error) {
		rf, rt := rows(sf, f), rows(st, t)
		if !varies(rf.Y) || !varies(rt.Y) || rf.N < 2*folds {
			return math.NaN(), nil
		}
		o.Rand = rng.New(seed, uint64(l), uint64(j), k)
		rr, err := probe.Linear(rf, rt, o)
		if err != nil {
			return 0, fmt.Errorf("layer %d, position %d: %s probe: %w", l, fit.pos[j], what, err)
		}
		return rr.Score, nil
	}
	if c.R2, err = ridge(ft.Post[j], tt.Post[j], 1, "posterior"); err != nil {
		return Cell{}, err
	}
	c.R2Pred = make([]float64, len(ft.Pred))
	for k := range ft.Pred {
		if c.R2Pred[k], err = ridge(ft.Pred[k][j], tt.Pred[k][j], 2+uint64(k), fmt.Sprintf("class %d prediction", k)); err != nil {
			return Cell{}, err
		}
	}
	return c, nil
}

// rows is s with targets y, less the rows whose target is NaN.
func rows(s probe.Set, y []float64) probe.Set {
	if !slices.ContainsFunc(y, math.IsNaN) {
		s.Y = y
		return s
	}
	n := 0
	for _, v := range y {
		if !math.IsNaN(v) {
			n++
		}
	}
	out := probe.Set{P: s.P, X: make([]float64, 0, n*s.P), Y: make([]float64, 0, n)}
	for i, v := range y {
		if !math.IsNaN(v) {
			out.X, out.Y = append(out.X, s.X[i*s.P:(i+1)*s.P]...), append(out.Y, v)
			out.N++
		}
	}
	return out
}

// varies reports whether v holds two different values.
func varies(v []float64) bool {
	return slices.ContainsFunc(v, func(x float64) bool { return x != v[0] })
}

// Best is the layer whose class probe at position pos[j] has the least
// cross-validated log loss (the lower layer on a tie): chosen on the
// fitting set, so that choosing it does not bias its held-out accuracy.
func (g *Grid) Best(j int) int {
	b := 0
	for l := range g.Cells {
		if g.Cells[l][j].CV < g.Cells[b][j].CV {
			b = l
		}
	}
	return b
}

// LayerName names layer l of the stream: the embedding, then block 1 ...
func LayerName(l int) string {
	if l == 0 {
		return "embedding"
	}
	return fmt.Sprintf("block %d", l)
}

// Heatmap draws the class probes' held-out accuracy, layer by position
// (0.5 chance to 1), with a last row apart, named refName, of a reference
// classifier's mean correctness per position (ref, (len(Pos), B)).
func (g *Grid) Heatmap(title, refName string, ref [][]float64) *plot.Heatmap {
	h := &plot.Heatmap{Title: title, XLabel: "in-context examples", YLabel: "layer",
		Min: 0.5, Max: 1, ColorLabel: "held-out accuracy", Apart: 1}
	for _, p := range g.Pos {
		h.Cols = append(h.Cols, fmt.Sprint(p))
	}
	for l, cs := range g.Cells {
		h.Rows = append(h.Rows, LayerName(l))
		var accs []float64
		for _, c := range cs {
			accs = append(accs, c.Acc)
		}
		h.Values = append(h.Values, accs)
	}
	var means []float64
	for _, v := range ref {
		s := 0.0
		for _, x := range v {
			s += x
		}
		means = append(means, s/float64(len(v)))
	}
	h.Rows, h.Values = append(h.Rows, refName), append(h.Values, means)
	return h
}
