package experiment

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"time"

	"icl/baseline"
	"icl/evalcache"
	"icl/gpt"
	"icl/internal/parallel"
	"icl/plot"
	"icl/prompt"
	"icl/rng"
	"icl/streamprobe"
	"icl/task"
	"icl/verdict"
)

//go:embed e8.yaml
var e8YAML string

func init() {
	Register(Registration{ID: "E8", Order: 100, YAML: e8YAML, Analyze: analyzeE8,
		Summary: "where the model decides the class: linear probes of its residual stream (beyond the paper)"})
}

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
// (B, N) under bm. The prediction targets are those of bm's components,
// named classes, on the sparse class's prompts (NaN on the others).
func probeSet(c task.Class, bm *baseline.BayesMixture, classes []string, sparse, B, N int, pos []int, seed uint64) (*prompt.Batch, streamprobe.Targets, []float64) {
	sm := prompt.Sampler{Class: c}
	b := sm.Batch(B, N, seed, rng.LabelEval)
	K := bm.NumClasses()
	pred, post := make([]float64, B*N), make([]float64, B*N*K)
	baseline.RunPosterior(pred, post, bm, b, 0)
	means := make([]float64, K*B*N) // (K, B, N), of the sparse prompts
	parallel.For(B, 0, func(q int) {
		if b.Class[q] != sparse {
			return
		}
		xs, ys := b.Prompt(q)
		for k, comp := range bm.Components {
			comp.Predict(means[(k*B+q)*N:(k*B+q+1)*N], xs, ys, N, b.D)
		}
	})
	ps := make([]float64, B*N)
	for i := range ps {
		ps[i] = post[i*K+sparse]
	}
	t := streamprobe.Targets{Class: make([]float64, B), Post: make([][]float64, len(pos)), Classes: classes}
	for q, k := range b.Class {
		if k == sparse {
			t.Class[q] = 1
		}
	}
	for j, p := range pos {
		t.Post[j] = make([]float64, B)
		for q := range B {
			t.Post[j][q] = ps[q*N+p]
		}
	}
	for k := range K {
		t.Pred = append(t.Pred, make([][]float64, len(pos)))
		for j, p := range pos {
			t.Pred[k][j] = make([]float64, B)
			for q := range B {
				t.Pred[k][j][q] = math.NaN()
				if b.Class[q] == sparse {
					t.Pred[k][j][q] = means[(k*B+q)*N+p]
				}
			}
		}
	}
	return b, t, ps
}

// probeModel is a model whose stream is probed: its name in words, its key
// (in cache keys and seeds), and whether it is shown each prompt's own
// family (its component of the mixture).
type probeModel struct {
	name, key string
	m         *gpt.Model
	shown     bool
}

// probeRun draws a fitting and a held-out set of full prompts each from the
// pretraining class of the mixture run role and fits every model's probes on
// them at probePositions(e.n, at), each kept in the evaluation cache, keyed
// with the models of roles. It returns the grids, the Bayes classifier's
// per-prompt correctness on the held-out prompts (len(pos), B), and the
// index of at in the positions. While the experiment is timed
// (EstimateCost) it returns no grids and adds the probes' cost.
func (e *env) probeRun(role string, models []probeModel, roles []string, at, full int) (grids []*streamprobe.Grid, bayes [][]float64, j int, err error) {
	mix := e.models[role]
	sparse, err := sparseComponent(mix.Cfg.Task)
	if err != nil {
		return nil, nil, 0, err
	}
	cls, err := mix.Cfg.Class()
	if err != nil {
		return nil, nil, 0, err
	}
	bm, err := e.pretrainBayes(role)
	if err != nil {
		return nil, nil, 0, err
	}
	pos := probePositions(e.n, at)
	j = slices.Index(pos, at)
	folds := int(e.def.Param("folds"))
	probeKey := func(c *evalcache.Cache, m probeModel) string {
		return e.cacheKey(c, "probes", []any{m.key, m.shown, full, e.n, folds, pos, streamprobe.Version, streamprobe.Lambdas, streamprobe.Tol,
			e.seed("fit"), e.seed("held-out"), e.seed("probes/" + m.key), cls.Name()}, roles)
	}
	if e.probe > 0 && !slices.ContainsFunc(models, func(m probeModel) bool { return !e.probeCache.Has(probeKey(e.probeCache, m)) }) {
		return nil, nil, 0, nil // cached in full: costs nothing
	}
	B := full
	if e.probe > 0 {
		// Timed (EstimateCost): see probeTimingPrompts.
		B, pos, j = min(full, probeTimingPrompts), []int{at}, 0
	}
	t0 := time.Now()
	var classes []string
	for _, c := range mix.Cfg.Task.Of {
		classes = append(classes, c.Class)
	}
	fitB, ft, _ := probeSet(cls, bm, classes, sparse, B, e.n, pos, e.seed("fit"))
	testB, tt, tpost := probeSet(cls, bm, classes, sparse, B, e.n, pos, e.seed("held-out"))
	bayes = make([][]float64, len(pos))
	for k, p := range pos {
		bayes[k] = make([]float64, B)
		for q := range B {
			if (tpost[q*e.n+p] > 0.5) == (tt.Class[q] == 1) {
				bayes[k][q] = 1
			}
		}
	}
	var probing time.Duration
	for _, m := range models {
		key := probeKey(e.cache, m)
		var g *streamprobe.Grid
		if e.cache.Load(key, &g) {
			e.log("%s: probes of the %s, from the evaluation cache", e.def.ID, m.name)
			grids = append(grids, g)
			continue
		}
		t0 := time.Now()
		var ff, tf []int // the family each prompt shows the model (its component)
		if m.shown {
			ff, tf = fitB.Class, testB.Class
		}
		fs, ts := streamprobe.Capture(m.m, fitB, pos, ff), streamprobe.Capture(m.m, testB, pos, tf)
		t1 := time.Now()
		if g, err = streamprobe.Fit(m.name, fs, ts, ft, tt, folds, e.seed("probes/"+m.key), 0); err != nil {
			return nil, nil, 0, err
		}
		if err := e.cache.Store(key, g); err != nil {
			e.log("evaluation cache: %v", err)
		}
		probing += time.Since(t1)
		e.log("%s: probes of the %s: %d layers x %d positions on %d + %d prompts in %s", e.def.ID, m.name, len(g.Cells), len(pos), B, B, time.Since(t0).Round(10*time.Millisecond))
		grids = append(grids, g)
	}
	if e.probe > 0 {
		// Scaled by full/B; the probes also by the positions left out.
		np := len(probePositions(e.n, at))
		e.cost += time.Duration(float64(time.Since(t0)+time.Duration(np-1)*probing) * float64(full) / float64(B))
		return nil, nil, 0, nil
	}
	return grids, bayes, j, nil
}

func analyzeE8(e *env) (*Outcome, error) {
	o := e.newOutcome()
	mix := e.models["mixture"]
	at := clampPos(int(e.def.Param("position")), e.n)
	full := min(e.scale.Prompts/2, int(e.def.Param("max_prompts")))
	// The mixture's own initialisation, as its training starts.
	initial, err := gpt.New(mix.M.Cfg)
	if err != nil {
		return nil, err
	}
	initial.Init(rng.New(mix.Cfg.Seed, rng.LabelInit))
	grids, bayes, j, err := e.probeRun("mixture", []probeModel{{"mixture model", "mixture", mix.M, false},
		{"dense-only model", "dense", e.models["dense"].M, false}, {"random initialisation", "random", initial, false}}, []string{"mixture", "dense"}, at, full)
	if err != nil || grids == nil {
		return o, err
	}
	mg, dg, rg := grids[0], grids[1], grids[2]
	o.Checks = e.checksE8(mg, rg, bayes, j)
	o.Control = &verdict.Control{Name: "the dense-only model in the mixture's place", Checks: e.checksE8(dg, rg, bayes, j)}
	// Each model's accuracy at the check position by layer, with its interval.
	est := make([][]verdict.Estimate, len(grids))
	for k, g := range grids {
		for l := range g.Cells {
			est[k] = append(est[k], e.bootMean("held-out/"+fmt.Sprintf("%s/%s@%d", g.Name, streamprobe.LayerName(l), at), g.Cells[l][j].Correct))
		}
	}
	be := e.bootMean("held-out/"+fmt.Sprintf("bayes@%d", at), bayes[j])
	o.Tables = append(o.Tables, streamprobe.LayerTable(grids, est, be, j), streamprobe.AccuracyTable(grids, bayes), streamprobe.R2Table(grids), streamprobe.PredTable(grids))
	o.Figures = append(o.Figures, Fig{"probe_layers", e.def.Caption("probe_layers"), streamprobe.LayersFigure(grids, est, be.M, e.def.Param("ratio"), at)})
	for k, key := range []string{"mixture", "dense", "random"} {
		o.Figures = append(o.Figures, Fig{"probe_" + key, e.def.Caption("probe_" + key), &plot.Figure{Heatmap: grids[k].Heatmap("E8: class probe accuracy, "+grids[k].Name+" (held-out prompts)", "Bayes classifier", bayes)}})
	}
	o.Figures = append(o.Figures, Fig{"posterior_r2", e.def.Caption("posterior_r2"), streamprobe.R2Figure(grids, j, e.n)},
		Fig{"specialist_r2", e.def.Caption("specialist_r2"), streamprobe.PredFigure(e.def.ID, grids, j, "sparse prompts")})
	return o, nil
}

// checksE8 decides E8's rule for the model whose probes are g against the
// random initialisation's rg, with the Bayes classifier's per-prompt
// correctness bayes, at position g.Pos[j].
func (e *env) checksE8(g, rg *streamprobe.Grid, bayes [][]float64, j int) []verdict.Check {
	p := g.Pos[j]
	bayesMin, ratio, margin := e.def.Param("bayes_min"), e.def.Param("ratio"), e.def.Param("margin")
	be := e.bootMean("held-out/"+fmt.Sprintf("bayes@%d", p), bayes[j])
	pre := verdict.Check{Name: fmt.Sprintf("(precondition) the Bayes classifier's accuracy at %s is at least %g", examples(p), bayesMin), Precondition: true,
		Detail: fmt.Sprintf("accuracy %s on the held-out prompts; needs >= %g (margin %s)", be, bayesMin, num(be.M-bayesMin))}
	verdict.Decide(&pre, be.Lo >= bayesMin, be.Hi < bayesMin)
	lb, rb := g.Best(j), rg.Best(j)
	c, r := g.Cells[lb][j], rg.Cells[rb][j]
	d := make([]float64, len(c.Correct))
	for q := range d {
		d[q] = c.Correct[q] - ratio*bayes[j][q]
	}
	est := e.bootMean("held-out/"+fmt.Sprintf("%s/%s-%g*bayes@%d", g.Name, streamprobe.LayerName(lb), ratio, p), d)
	c1 := verdict.Check{Name: fmt.Sprintf("(1) at %s, the best layer's class probe reaches %g x the Bayes classifier's accuracy", examples(p), ratio),
		Detail: fmt.Sprintf("%s, %s (least cross-validated log loss): accuracy %s, Bayes classifier %s; accuracy - %g x Bayes = %s, needs >= 0 (margin %s)",
			g.Name, streamprobe.LayerName(lb), num(c.Acc), num(be.M), ratio, est, num(est.M))}
	verdict.Decide(&c1, est.Lo >= 0, est.Hi < 0)
	for q := range d {
		d[q] = c.Correct[q] - r.Correct[q]
	}
	est = e.bootMean("held-out/"+fmt.Sprintf("%s/%s-random/%s@%d", g.Name, streamprobe.LayerName(lb), streamprobe.LayerName(rb), p), d)
	c2 := verdict.Check{Name: fmt.Sprintf("(2) at %s, the best layer's accuracy exceeds the random initialisation's best layer's by more than %g", examples(p), margin),
		Detail: fmt.Sprintf("%s, %s: %s; random initialisation, %s: %s; difference %s, needs > %g (margin %s)",
			g.Name, streamprobe.LayerName(lb), num(c.Acc), streamprobe.LayerName(rb), num(r.Acc), est, margin, num(est.M-margin))}
	verdict.Decide(&c2, est.Lo > margin, est.Hi <= margin)
	return []verdict.Check{pre, c1, c2}
}
