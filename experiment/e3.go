package experiment

import (
	_ "embed"
	"fmt"
	"icl/eval"
	"icl/plot"
	"icl/prompt"
	"icl/report"
	"icl/rng"
	"icl/task"
	"icl/verdict"
	"math"
	"strings"
)

//go:embed e3.yaml
var e3YAML string

func init() {
	Register(Registration{ID: "E3", Order: 30, YAML: e3YAML, Analyze: analyzeE3,
		Summary: "intermediate sparsity k = 1..d"})
}

func analyzeE3(e *env) (*Outcome, error) {
	o := e.newOutcome()
	sw := e.def.Sweep
	bm, err := e.pretrainBayes(sw.Models[0])
	if err != nil {
		return nil, err
	}
	clsDense, clsSparse := classBayesKey(0), classBayesKey(1)
	extra := []eval.Predictor{e.reference(bm.Components[0], clsDense, "class Bayes: "+bm.Components[0].Name()),
		e.reference(bm.Components[1], clsSparse, "class Bayes: "+bm.Components[1].Name())}
	d, n := e.d, e.n
	pw := clampPos(d-1, n)
	tf, tfLabel := ModelKey(sw.Models[0]), e.label(sw.Models[0])
	var ks []float64
	w := plot.Series{Name: "transformer: implied weight on dense", Role: plot.RoleModel}
	// The control: the dense-only model's implied weight, which should not
	// move with k (it has no sparse class to select).
	ctl := ModelKey(sw.Models[1])
	wc := plot.Series{Name: "dense-only model (control): implied weight on dense", Role: plot.RoleBaseline}
	for k := 1; k <= d; k++ {
		name := fmt.Sprintf("k=%d", k)
		r, err := e.evaluate(name, task.Spec{Class: task.ClassSparseLinear, K: k}, prompt.Setting{}, sw.Models, sw.Baselines, extra)
		if err != nil {
			return nil, err
		}
		o.Results.Settings = append(o.Results.Settings, r)
		ks = append(ks, float64(k))
		c := eval.ImpliedWeight(tfLabel, r.Predictions(tf), r.Predictions(clsDense), r.Predictions(clsSparse), r.B, r.N,
			e.level(), e.scale.Boots, rng.New(e.seed(name), rng.LabelEval, rng.StreamSweepWeight))
		m, lo, hi := c.At(pw)
		w.X = append(w.X, float64(k))
		w.Y = append(w.Y, m)
		w.Lo = append(w.Lo, lo)
		w.Hi = append(w.Hi, hi)
		cc := eval.ImpliedWeight(e.label(sw.Models[1]), r.Predictions(ctl), r.Predictions(clsDense), r.Predictions(clsSparse), r.B, r.N,
			e.level(), e.scale.Boots, rng.New(e.seed(name+"/control"), rng.LabelEval, rng.StreamSweepWeight))
		m, lo, hi = cc.At(pw)
		wc.X = append(wc.X, float64(k))
		wc.Y = append(wc.Y, m)
		wc.Lo = append(wc.Lo, lo)
		wc.Hi = append(wc.Hi, hi)
	}
	positions := uniq([]int{clampPos(ceilDiv(d, 2), n), pw, n - 1})
	s := eval.NewSweep("k", ks, o.Results.Settings, positions)
	o.Sweeps = append(o.Sweeps, s)
	// Checks on w(k).
	// k2 is the sparsity the mixture was pretrained on: w(k2) should be low.
	k2, err := e.pretrainedK()
	if err != nil {
		return nil, fmt.Errorf("experiment %s: %w", e.def.ID, err)
	}
	k2 = min(k2, d)
	var pre, ctlPre []verdict.Check
	for _, k := range uniq([]int{k2, d}) {
		pre = append(pre, verdict.Learned(fmt.Sprintf("mixture model on %d-sparse prompts, %d examples", k, n-1),
			estAt(o.Results.Settings[k-1], tf, n-1), e.def.Param("learned")))
		ctlPre = append(ctlPre, verdict.Learned(fmt.Sprintf("dense-only model on %d-sparse prompts, %d examples", k, n-1),
			estAt(o.Results.Settings[k-1], ctl, n-1), e.def.Param("learned")))
	}
	o.Checks = append(pre, checksE3(e.def, w, k2, d)...)
	o.Control = &verdict.Control{Name: "the dense-only model in the mixture's place", Checks: append(ctlPre, checksE3(e.def, wc, k2, d)...)}
	// Table: w(k) and errors at position d-1.
	t := report.Table{Caption: fmt.Sprintf("Per sparsity k at %d examples: implied weight on dense [90%% interval], and errors", pw),
		Header: []string{"k", "implied weight", tfLabel, "least squares", "lasso (best alpha in hindsight)", "Bayes-optimal"}}
	for j, k := range ks {
		r := o.Results.Settings[j]
		t.Rows = append(t.Rows, []string{fmt.Sprint(k), fmt.Sprintf("%s [%s, %s]", num(w.Y[j]), num(w.Lo[j]), num(w.Hi[j])),
			num(at(r, tf, pw)), num(at(r, keyLeastSquares, pw)), num(at(r, keyLassoBest, pw)), num(at(r, keyBayes, pw))})
	}
	o.Tables = append(o.Tables, t)
	// Figures.
	var lines []plot.Series
	for _, p := range positions {
		if l, ok := e.sweepSeries(s, tf, p, "transformer, "+examples(p)); ok {
			lines = append(lines, l)
		}
	}
	for _, b := range []struct{ key, label string }{
		{keyLeastSquares, "least squares"}, {keyLassoBest, "lasso (best alpha)"}, {keyBayes, "Bayes-optimal"}} {
		if l, ok := e.sweepSeries(s, b.key, pw, fmt.Sprintf("%s, %d ex.", b.label, pw)); ok {
			lines = append(lines, l)
		}
	}
	o.Figures = append(o.Figures, Fig{"sweep_k", e.def.Caption("sweep_k"), plot.Sweep("E3: error against sparsity k", "non-zero coefficients k", 1, lines...)})
	wf := &plot.Figure{Title: fmt.Sprintf("E3: implied weight on the dense class at %d examples", pw), XLabel: "non-zero coefficients k",
		YLabel: "weight on dense", Series: []plot.Series{w, wc}, HLines: []plot.HLine{{Y: 0}, {Y: 1}}}
	o.Figures = append(o.Figures, Fig{"weight_k", e.def.Caption("weight_k"), wf})
	return o, nil
}

// checksE3 computes E3's checks on the implied weight w (w.Y[k-1] at k =
// 1..d, with its interval) of a mixture pretrained on k2-sparse functions.
func checksE3(def *Def, w plot.Series, k2, d int) []verdict.Check {
	low, high := def.Param("low"), def.Param("high")
	wk := func(k int) verdict.Estimate { return verdict.Estimate{M: w.Y[k-1], Lo: w.Lo[k-1], Hi: w.Hi[k-1]} }
	var cs []verdict.Check
	// A model that does not tell the classes apart has a flat w: trivially
	// non-decreasing, with nothing in between to fall. The weights at two k
	// come from different prompts: decided by their intervals apart.
	move := def.Param("move")
	mv := verdict.Check{Name: fmt.Sprintf("(precondition) the implied weight moves with k: w(%d) - w(%d) >= %g", d, k2, move),
		Precondition: true,
		Detail: fmt.Sprintf("w(%d) = %s, w(%d) = %s; difference %s (margin %s)", d, wk(d), k2, wk(k2),
			num(wk(d).M-wk(k2).M), num(wk(d).M-wk(k2).M-move))}
	verdict.Decide(&mv, wk(d).Lo-wk(k2).Hi >= move, wk(d).Hi-wk(k2).Lo < move)
	cs = append(cs, mv)
	ends := verdict.Check{Name: fmt.Sprintf("(1) selection at the ends: w(%d) <= %g and w(%d) >= %g", k2, low, d, high),
		Detail: fmt.Sprintf("w(%d) = %s (margin %s), w(%d) = %s (margin %s)", k2, wk(k2), num(low-wk(k2).M), d, wk(d), num(wk(d).M-high))}
	verdict.Decide(&ends, wk(k2).Hi <= low && wk(d).Lo >= high, wk(k2).Lo > low || wk(d).Hi < high)
	cs = append(cs, ends)
	// Intermediate k: inside (0.1, 0.9) and between the ends' weights.
	lo, hi := math.Min(wk(k2).M, wk(d).M), math.Max(wk(k2).M, wk(d).M)
	inside, outside, parts := true, false, []string{}
	for k := k2 + 1; k < d; k++ {
		v := wk(k)
		parts = append(parts, fmt.Sprintf("w(%d) = %s", k, v))
		inside = inside && v.Lo > math.Max(0.1, lo) && v.Hi < math.Min(0.9, hi)
		outside = outside || v.Hi <= math.Max(0.1, lo) || v.Lo >= math.Min(0.9, hi)
	}
	mid := verdict.Check{Name: fmt.Sprintf("(2) intermediate k: 0.1 < w(k) < 0.9 and between w(%d) and w(%d)", k2, d), Detail: strings.Join(parts, "; ")}
	if d <= k2+1 {
		mid.Detail = "no intermediate k at this d"
		verdict.Decide(&mid, false, true)
	} else {
		verdict.Decide(&mid, inside, outside)
	}
	cs = append(cs, mid)
	mono, drops := true, []string{}
	for k := 2; k <= d; k++ {
		if w.Y[k-1] < w.Y[k-2] && w.Hi[k-1] < w.Lo[k-2] {
			mono = false
			drops = append(drops, fmt.Sprintf("w(%d) = %s < w(%d) = %s", k, num(w.Y[k-1]), k-1, num(w.Y[k-2])))
		}
	}
	md := strings.Join(drops, "; ")
	if md == "" {
		md = "no significant decrease"
	}
	cs = append(cs, verdict.Check{Name: "(3) w(k) non-decreasing in k (up to intervals)", Detail: md, Pass: mono})
	return cs
}
