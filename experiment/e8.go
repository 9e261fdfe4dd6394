package experiment

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"icl/baseline"
	"icl/eval"
	"icl/gpt"
	"icl/internal/parallel"
	"icl/plot"
	"icl/probe"
	"icl/prompt"
	"icl/report"
	"icl/rng"
	"icl/task"
)

//go:embed e8.yaml
var e8YAML string

func init() {
	Register(Registration{ID: "E8", Order: 100, YAML: e8YAML, Analyze: analyzeE8,
		Summary: "where the model decides the class: linear probes of its residual stream (beyond the paper)"})
}

// probeLambdas is the lambda grid of E8's probes, for standardised features
// (package probe): four values a factor of 10 apart, the middle of
// probe.DefaultLambdas, which keeps the probes of a scale within E8's time
// (e8.yaml says how it was chosen).
var probeLambdas = []float64{1e-3, 1e-2, 1e-1, 1}

// probeTol is the largest |gradient entry| at which a class probe's Newton
// iterations stop. probe.DefaultTol (1e-8) lies at the float64 floor of
// the log loss of a few thousand rows: there the line search cannot
// certify a decrease (about |gradient|^2 against a loss near 0.7), and the
// fit stalls just above it. At 1e-6 the probe's class predictions are
// settled.
const probeTol = 1e-6

// probeTimingPrompts is the prompts of each set E8 is timed on
// (EstimateCost), at the check position alone, the time then scaled to the
// prompts and positions of the analysis. Below a few hundred rows a probe's
// time is no longer proportional to its rows (its (C+1) x (C+1) systems
// take over): at the medium scale, timed on 256 prompts E8 is predicted at
// about twice its time (in 4 s), on 512 at 1.5 times (in 6 s).
const probeTimingPrompts = 256

// probePositions returns the positions E8 probes in prompts of n points:
// 0 to 4, then 6, 8, 12, 16, 24, 32, ... (by turns 3/2 and 4/3 of the one
// before), and n-1 and at (the check position) whatever the sequence gives.
func probePositions(n, at int) []int {
	var out []int
	for p := 0; p < n; {
		out = append(out, p)
		switch {
		case p < 4:
			p++
		case p&(p-1) == 0: // a power of 2: 4 -> 6, 8 -> 12, ...
			p = p * 3 / 2
		default: // 6 -> 8, 12 -> 16, ...
			p = p * 4 / 3
		}
	}
	out = append(out, n-1, clampPos(at, n))
	slices.Sort(out)
	return slices.Compact(out)
}

// streams is a model's residual stream at some positions of B prompts after
// every layer: x[((l*len(pos)+j)*B+p)*C+c] is feature c of prompt p's stream
// at x-token pos[j] after layer l (0: the embedding, l: block l's output).
type streams struct {
	layers, B, C int
	pos          []int
	x            []float32 // (layers, len(pos), B, C)
}

// captureStreams runs m on b, eval.DefaultChunk prompts at a time (each
// prompt's stream is the same in any batch), with its family indicator
// hidden if it has one, and keeps its stream at positions pos after every
// layer. It releases m's activations when done.
func captureStreams(m *gpt.Model, b *prompt.Batch, pos []int) *streams {
	L1, C, N, D := m.Cfg.Layers+1, m.Cfg.Width, b.N, b.D
	s := &streams{layers: L1, B: b.B, C: C, pos: pos, x: make([]float32, L1*len(pos)*b.B*C)}
	chunk := min(b.B, eval.DefaultChunk)
	xs, ys := make([]float32, chunk*N*D), make([]float32, chunk*N)
	preds, buf := make([]float32, chunk*N), make([]float32, chunk*N*C) // (chunk, N), (chunk, N, C)
	for lo := 0; lo < b.B; lo += chunk {
		n := min(chunk, b.B-lo)
		for i, v := range b.Xs[lo*N*D : (lo+n)*N*D] {
			xs[i] = float32(v)
		}
		for i, v := range b.Ys[lo*N : (lo+n)*N] {
			ys[i] = float32(v)
		}
		m.Predict(preds[:n*N], gpt.Input{Xs: xs[:n*N*D], Ys: ys[:n*N], B: n, N: N})
		for l := range L1 {
			m.Stream(buf, l)
			for j, p := range pos {
				dst := s.x[((l*len(pos)+j)*b.B+lo)*C:]
				for q := range n {
					copy(dst[q*C:(q+1)*C], buf[(q*N+p)*C:(q*N+p+1)*C])
				}
			}
		}
	}
	m.Release()
	return s
}

// set is the probe data of layer l at position pos[j]: a row per prompt,
// the stream's C features (in float64), targets y (B).
func (s *streams) set(l, j int, y []float64) probe.Set {
	k := l*len(s.pos) + j
	src := s.x[k*s.B*s.C : (k+1)*s.B*s.C]
	x := make([]float64, len(src))
	for i, v := range src {
		x[i] = float64(v)
	}
	return probe.Set{X: x, Y: y, N: s.B, P: s.C}
}

// probeTargets are what E8's probes learn for a set of prompts: each
// prompt's class (1 sparse, 0 dense) and the Bayes posterior p(sparse | the
// points before) at each probed position.
type probeTargets struct {
	class []float64   // (B)
	post  [][]float64 // (len(pos), B)
}

// probeCell is the two probes of one layer at one position.
type probeCell struct {
	// correct is 1 for each held-out prompt whose class the class probe
	// gets right, else 0 (B); acc is its mean, the held-out accuracy.
	correct []float64
	acc     float64
	// cv is the class probe's least mean cross-validated log loss on the
	// fitting set (at the lambda chosen), which picks the best layer.
	cv float64
	// r2 is the posterior probe's held-out R^2; NaN where the posterior
	// does not vary over the fitting or the held-out prompts.
	r2 float64
}

// probeGrid is a model's probes: cells[l][j] at layer l (0: the
// embedding) and position pos[j].
type probeGrid struct {
	name  string // the model, in words
	pos   []int
	cells [][]probeCell
}

// fitProbes fits the class probe and the posterior probe at every layer and
// position of fit's streams on fit (targets ft) and scores them on test
// (targets tt): package probe's Logistic and Linear with probeLambdas and
// folds folds, each cell's rows shuffled into folds by its own stream of
// seed. The cells run on up to workers goroutines (0: GOMAXPROCS); the result
// does not depend on how many.
func fitProbes(name string, fit, test *streams, ft, tt probeTargets, folds int, seed uint64, workers int) (*probeGrid, error) {
	L1, P := fit.layers, len(fit.pos)
	g := &probeGrid{name: name, pos: fit.pos, cells: make([][]probeCell, L1)}
	for l := range g.cells {
		g.cells[l] = make([]probeCell, P)
	}
	errs := make([]error, L1*P)
	parallel.For(L1*P, workers, func(k int) {
		l, j := k/P, k%P
		g.cells[l][j], errs[k] = fitCell(fit, test, ft, tt, l, j, folds, seed)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("probes of %s: %w", name, err)
	}
	return g, nil
}

func fitCell(fit, test *streams, ft, tt probeTargets, l, j, folds int, seed uint64) (probeCell, error) {
	sf, st := fit.set(l, j, ft.class), test.set(l, j, tt.class)
	o := probe.Options{Lambdas: probeLambdas, Folds: folds, Tol: probeTol, Rand: rng.New(seed, uint64(l), uint64(j), 0)}
	r, err := probe.Logistic(sf, st, o)
	if err != nil {
		return probeCell{}, fmt.Errorf("layer %d, position %d: class probe: %w", l, fit.pos[j], err)
	}
	c := probeCell{correct: make([]float64, st.N), cv: slices.Min(r.CV), r2: math.NaN()}
	prob := make([]float64, st.N)
	r.Model.Predict(prob, st.X)
	for i, p := range prob {
		if (p > 0.5) == (st.Y[i] == 1) {
			c.correct[i] = 1
			c.acc++
		}
	}
	c.acc /= float64(st.N)
	if varies(ft.post[j]) && varies(tt.post[j]) {
		sf.Y, st.Y = ft.post[j], tt.post[j]
		o.Rand = rng.New(seed, uint64(l), uint64(j), 1)
		rr, err := probe.Linear(sf, st, o)
		if err != nil {
			return probeCell{}, fmt.Errorf("layer %d, position %d: posterior probe: %w", l, fit.pos[j], err)
		}
		c.r2 = rr.Score
	}
	return c, nil
}

// varies reports whether v holds two different values.
func varies(v []float64) bool {
	return slices.ContainsFunc(v, func(x float64) bool { return x != v[0] })
}

// best is the layer whose class probe at position pos[j] has the least
// cross-validated log loss (the lower layer on a tie): chosen on the
// fitting set, so that choosing it does not bias its held-out accuracy.
func (g *probeGrid) best(j int) int {
	b := 0
	for l := range g.cells {
		if g.cells[l][j].cv < g.cells[b][j].cv {
			b = l
		}
	}
	return b
}

// layerName names layer l of the stream.
func layerName(l int) string {
	if l == 0 {
		return "embedding"
	}
	return fmt.Sprintf("block %d", l)
}

// sparseComponent is the index of the sparse_linear component of a
// two-class mixture spec.
func sparseComponent(s task.Spec) (int, error) {
	if s.Class == task.ClassMixture && len(s.Of) == 2 {
		for i, c := range s.Of {
			if c.Class == task.ClassSparseLinear && s.Of[1-i].Class != task.ClassSparseLinear {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("E8 needs a mixture of a sparse_linear class and another; the mixture run is pretrained on %s", s.Class)
}

// probeSet draws B prompts of the pretraining class c from seed and returns
// them with their targets and the Bayes posterior p(sparse | points before)
// (B, N) under bm.
func probeSet(c task.Class, bm *baseline.BayesMixture, sparse, B, N int, pos []int, seed uint64) (*prompt.Batch, probeTargets, []float64) {
	sm := prompt.Sampler{Class: c}
	b := sm.Batch(B, N, seed, rng.LabelEval)
	K := bm.NumClasses()
	pred, post := make([]float64, B*N), make([]float64, B*N*K)
	baseline.RunPosterior(pred, post, bm, b, 0)
	ps := make([]float64, B*N)
	for i := range ps {
		ps[i] = post[i*K+sparse]
	}
	t := probeTargets{class: make([]float64, B), post: make([][]float64, len(pos))}
	for q, k := range b.Class {
		if k == sparse {
			t.class[q] = 1
		}
	}
	for j, p := range pos {
		t.post[j] = make([]float64, B)
		for q := range B {
			t.post[j][q] = ps[q*N+p]
		}
	}
	return b, t, ps
}

func analyzeE8(e *env) (*Outcome, error) {
	o := e.newOutcome()
	mix := e.models["mixture"]
	sparse, err := sparseComponent(mix.Cfg.Task)
	if err != nil {
		return nil, err
	}
	cls, err := mix.Cfg.Class()
	if err != nil {
		return nil, err
	}
	bm, err := e.pretrainBayes("mixture")
	if err != nil {
		return nil, err
	}
	at := clampPos(int(e.def.Param("position")), e.n)
	pos := probePositions(e.n, at)
	j := slices.Index(pos, at)
	full := min(e.scale.Prompts/2, int(e.def.Param("max_prompts")))
	B := full
	if e.probe > 0 {
		// Timed (EstimateCost): see probeTimingPrompts.
		B, pos, j = min(full, probeTimingPrompts), []int{at}, 0
	}
	t0 := time.Now()
	fitB, ft, _ := probeSet(cls, bm, sparse, B, e.n, pos, e.seed("fit"))
	testB, tt, tpost := probeSet(cls, bm, sparse, B, e.n, pos, e.seed("held-out"))
	// The Bayes classifier's correctness on the held-out prompts, (len(pos), B).
	bayes := make([][]float64, len(pos))
	for k, p := range pos {
		bayes[k] = make([]float64, B)
		for q := range B {
			if (tpost[q*e.n+p] > 0.5) == (tt.class[q] == 1) {
				bayes[k][q] = 1
			}
		}
	}
	// The mixture's own initialisation, as its training starts.
	initial, err := gpt.New(mix.M.Cfg)
	if err != nil {
		return nil, err
	}
	initial.Init(rng.New(mix.Cfg.Seed, rng.LabelInit))
	folds := int(e.def.Param("folds"))
	var grids []*probeGrid
	var probing time.Duration
	for _, m := range []struct {
		name, key string
		m         *gpt.Model
	}{{"mixture model", "mixture", mix.M}, {"dense-only model", "dense", e.models["dense"].M}, {"random initialisation", "random", initial}} {
		t0 := time.Now()
		fs, ts := captureStreams(m.m, fitB, pos), captureStreams(m.m, testB, pos)
		t1 := time.Now()
		g, err := fitProbes(m.name, fs, ts, ft, tt, folds, e.seed("probes/"+m.key), 0)
		if err != nil {
			return nil, err
		}
		probing += time.Since(t1)
		e.log("E8: probes of the %s: %d layers x %d positions on %d + %d prompts in %s", m.name, len(g.cells), len(pos), B, B, time.Since(t0).Round(10*time.Millisecond))
		grids = append(grids, g)
	}
	if e.probe > 0 {
		// Scaled by full/B; the probes also by the positions left out.
		np := len(probePositions(e.n, at))
		e.cost += time.Duration(float64(time.Since(t0)+time.Duration(np-1)*probing) * float64(full) / float64(B))
		return o, nil
	}
	mg, dg, rg := grids[0], grids[1], grids[2]
	o.Checks = e.checksE8(mg, rg, bayes, j)
	o.Control = &Control{Name: "the dense-only model in the mixture's place", Checks: e.checksE8(dg, rg, bayes, j)}
	// Each model's accuracy at the check position by layer, with its interval.
	est := make([][]estimate, len(grids))
	for k, g := range grids {
		for l := range g.cells {
			est[k] = append(est[k], e.heldOutMean(fmt.Sprintf("%s/%s@%d", g.name, layerName(l), at), g.cells[l][j].correct))
		}
	}
	be := e.heldOutMean(fmt.Sprintf("bayes@%d", at), bayes[j])
	o.Tables = append(o.Tables, layerTable(grids, est, be, j), accuracyTable(grids, bayes), r2Table(grids))
	o.Figures = append(o.Figures, Fig{"probe_layers", e.def.Caption("probe_layers"), layersFigure(grids, est, be.m, e.def.Param("ratio"), at)})
	for k, key := range []string{"mixture", "dense", "random"} {
		o.Figures = append(o.Figures, Fig{"probe_" + key, e.def.Caption("probe_" + key), heatFigure(grids[k], bayes)})
	}
	o.Figures = append(o.Figures, Fig{"posterior_r2", e.def.Caption("posterior_r2"), r2Figure(grids, j, e.n)})
	return o, nil
}

// heldOutMean is the mean of v (a value per held-out prompt) with its 90%
// percentile bootstrap interval over the prompts, resampled in a stream
// named by name. A difference of two classifiers' per-prompt correctness is
// so resampled in pairs.
func (e *env) heldOutMean(name string, v []float64) estimate {
	c := eval.ICLCurve(name, v, len(v), 1, e.level(), max(e.scale.Boots, 1),
		rng.New(e.seed("held-out/"+name), rng.LabelEval, rng.StreamPaired))
	m, lo, hi := c.At(0)
	return estimate{m, lo, hi}
}

// checksE8 decides E8's rule for the model whose probes are g against the
// random initialisation's rg, with the Bayes classifier's per-prompt
// correctness bayes, at position g.pos[j].
func (e *env) checksE8(g, rg *probeGrid, bayes [][]float64, j int) []Check {
	p := g.pos[j]
	bayesMin, ratio, margin := e.def.Param("bayes_min"), e.def.Param("ratio"), e.def.Param("margin")
	be := e.heldOutMean(fmt.Sprintf("bayes@%d", p), bayes[j])
	pre := Check{Name: fmt.Sprintf("(precondition) the Bayes classifier's accuracy at %s is at least %g", examples(p), bayesMin), Precondition: true,
		Detail: fmt.Sprintf("accuracy %s on the held-out prompts; needs >= %g (margin %s)", be, bayesMin, num(be.m-bayesMin))}
	decide(&pre, be.lo >= bayesMin, be.hi < bayesMin)
	lb, rb := g.best(j), rg.best(j)
	c, r := g.cells[lb][j], rg.cells[rb][j]
	d := make([]float64, len(c.correct))
	for q := range d {
		d[q] = c.correct[q] - ratio*bayes[j][q]
	}
	est := e.heldOutMean(fmt.Sprintf("%s/%s-%g*bayes@%d", g.name, layerName(lb), ratio, p), d)
	c1 := Check{Name: fmt.Sprintf("(1) at %s, the best layer's class probe reaches %g x the Bayes classifier's accuracy", examples(p), ratio),
		Detail: fmt.Sprintf("%s, %s (least cross-validated log loss): accuracy %s, Bayes classifier %s; accuracy - %g x Bayes = %s, needs >= 0 (margin %s)",
			g.name, layerName(lb), num(c.acc), num(be.m), ratio, est, num(est.m))}
	decide(&c1, est.lo >= 0, est.hi < 0)
	for q := range d {
		d[q] = c.correct[q] - r.correct[q]
	}
	est = e.heldOutMean(fmt.Sprintf("%s/%s-random/%s@%d", g.name, layerName(lb), layerName(rb), p), d)
	c2 := Check{Name: fmt.Sprintf("(2) at %s, the best layer's accuracy exceeds the random initialisation's best layer's by more than %g", examples(p), margin),
		Detail: fmt.Sprintf("%s, %s: %s; random initialisation, %s: %s; difference %s, needs > %g (margin %s)",
			g.name, layerName(lb), num(c.acc), layerName(rb), num(r.acc), est, margin, num(est.m-margin))}
	decide(&c2, est.lo > margin, est.hi <= margin)
	return []Check{pre, c1, c2}
}

// layerTable is the class probes' accuracy at position pos[j] by layer,
// est[model][layer] with its interval, each model's best layer marked, and
// the Bayes classifier's, be.
func layerTable(grids []*probeGrid, est [][]estimate, be estimate, j int) report.Table {
	t := report.Table{Caption: fmt.Sprintf("Class probe accuracy at %s by layer, on the held-out prompts: mean [90%% interval]; * marks each model's best layer (least cross-validated log loss on the fitting prompts)", examples(grids[0].pos[j])),
		Header: []string{"layer"}}
	for _, g := range grids {
		t.Header = append(t.Header, g.name)
	}
	for l := range grids[0].cells {
		row := []string{layerName(l)}
		for k, g := range grids {
			s := est[k][l].String()
			if g.best(j) == l {
				s += " *"
			}
			row = append(row, s)
		}
		t.Rows = append(t.Rows, row)
	}
	row := []string{"Bayes classifier"}
	for range grids {
		row = append(row, be.String())
	}
	t.Rows = append(t.Rows, row)
	return t
}

// gridTable tabulates v(cell) for every model, layer and position.
func gridTable(caption string, grids []*probeGrid, v func(c probeCell) float64) report.Table {
	t := report.Table{Caption: caption, Header: []string{"model", "layer"}}
	for _, p := range grids[0].pos {
		t.Header = append(t.Header, examples(p))
	}
	for _, g := range grids {
		for l, cs := range g.cells {
			row := []string{g.name, layerName(l)}
			for _, c := range cs {
				row = append(row, num(v(c)))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

func accuracyTable(grids []*probeGrid, bayes [][]float64) report.Table {
	t := gridTable("Class probe accuracy on the held-out prompts, by model, layer and position (chance 0.5; the Bayes classifier's last)", grids,
		func(c probeCell) float64 { return c.acc })
	row := []string{"Bayes classifier", ""}
	for _, b := range bayes {
		row = append(row, num(mean(b)))
	}
	t.Rows = append(t.Rows, row)
	return t
}

func r2Table(grids []*probeGrid) report.Table {
	return gridTable("Posterior probe: held-out R^2 of a ridge probe of the Bayes posterior p(sparse | context), by model, layer and position (n/a where the posterior does not vary: no context)", grids,
		func(c probeCell) float64 { return c.r2 })
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// layerAxis is 0 .. layers-1 as float64.
func layerAxis(layers int) []float64 {
	x := make([]float64, layers)
	for l := range x {
		x[l] = float64(l)
	}
	return x
}

// layersFigure draws each model's class probe accuracy at position p by
// layer, est[model][layer] with its band, against the Bayes classifier's
// accuracy bayes and the check's threshold ratio x bayes.
func layersFigure(grids []*probeGrid, est [][]estimate, bayes, ratio float64, p int) *plot.Figure {
	roles := []plot.Role{plot.RoleModel, plot.RoleModel, plot.RoleBaseline}
	var ss []plot.Series
	for k, g := range grids {
		s := plot.Series{Name: g.name, X: layerAxis(len(g.cells)), Role: roles[k%len(roles)]}
		for _, v := range est[k] {
			s.Y, s.Lo, s.Hi = append(s.Y, v.m), append(s.Lo, v.lo), append(s.Hi, v.hi)
		}
		ss = append(ss, s)
	}
	return &plot.Figure{Title: fmt.Sprintf("E8: class probe accuracy at %s, by layer", examples(p)),
		XLabel: "layer (0: embedding, l: block l)", YLabel: "held-out accuracy", Series: ss,
		HLines: []plot.HLine{{Y: bayes, Name: "Bayes classifier"}, {Y: ratio * bayes, Name: fmt.Sprintf("%g x Bayes (check 1)", ratio), Dashed: true},
			{Y: 0.5, Name: "chance"}, {Y: 1}}}
}

// heatFigure draws a model's class probe accuracy as a heat map, layer
// (rows) by position (columns), on a colour scale from chance (0.5) to 1,
// with the Bayes classifier's accuracy per position in a row apart below.
func heatFigure(g *probeGrid, bayes [][]float64) *plot.Figure {
	h := &plot.Heatmap{Title: "E8: class probe accuracy, " + g.name + " (held-out prompts)", XLabel: "in-context examples", YLabel: "layer",
		Min: 0.5, Max: 1, ColorLabel: "held-out accuracy", Apart: 1}
	for _, p := range g.pos {
		h.Cols = append(h.Cols, fmt.Sprint(p))
	}
	for l, cs := range g.cells {
		h.Rows = append(h.Rows, layerName(l))
		var row []float64
		for _, c := range cs {
			row = append(row, c.acc)
		}
		h.Values = append(h.Values, row)
	}
	var row []float64
	for _, v := range bayes {
		row = append(row, mean(v))
	}
	h.Rows, h.Values = append(h.Rows, "Bayes classifier"), append(h.Values, row)
	return &plot.Figure{Heatmap: h}
}

// r2Figure draws the posterior probes' R^2 by layer at position pos[j] and
// at the last position, n-1, for each model.
func r2Figure(grids []*probeGrid, j, n int) *plot.Figure {
	var ss []plot.Series
	for k, g := range grids {
		for _, jj := range uniq([]int{j, len(g.pos) - 1}) {
			s := plot.Series{Name: fmt.Sprintf("%s, %s", g.name, examples(g.pos[jj])), X: layerAxis(len(g.cells)),
				Markers: true, Color: plot.PaletteColor(k), Dashed: g.pos[jj] == n-1 && jj != j}
			for l := range g.cells {
				s.Y = append(s.Y, g.cells[l][jj].r2)
			}
			ss = append(ss, s)
		}
	}
	return &plot.Figure{Title: "E8: how well a linear probe reads the Bayes posterior p(sparse | context)", XLabel: "layer (0: embedding, l: block l)",
		YLabel: "held-out R^2", Series: ss, HLines: []plot.HLine{{Y: 0}, {Y: 1}}}
}
