package experiment

import (
	"fmt"
	"math"
	"strings"

	"icl/baseline"
	"icl/eval"
	"icl/plot"
	"icl/prompt"
	"icl/report"
	"icl/rng"
	"icl/task"
	"icl/train"
)

// analyses maps experiment ids to their analysis.
var analyses = map[string]func(e *env) (*Outcome, error){
	"E1": analyzeE1, "E2": analyzeE2, "E3": analyzeE3, "E4": analyzeE4,
	"E5": analyzeSweepE5, "E6": analyzeSweepE6, "MS": analyzeMS, "E7": analyzeE7, "E1B": analyzeE1B,
}

// le reports a <= ratio*b + floor with the numbers.
func le(name string, a, b, ratio, floor float64, an, bn string) Check {
	return Check{Name: name, Pass: a <= ratio*b+floor,
		Detail: fmt.Sprintf("%s %s <= %g x %s %s + %g = %s", an, num(a), ratio, bn, num(b), floor, num(ratio*b+floor))}
}

// learned is a precondition: the model's error is below bound.
func learned(name string, a, bound float64) Check {
	return Check{Name: "(precondition) " + name, Pass: a < bound, Precondition: true,
		Detail: fmt.Sprintf("error %s; needs < %g (zero predictor: 1)", num(a), bound)}
}

// gt reports a > ratio*b + margin with the numbers.
func gt(name string, a, b, ratio, margin float64, an, bn string) Check {
	return Check{Name: name, Pass: a > ratio*b+margin,
		Detail: fmt.Sprintf("%s %s > %g x %s %s + %g = %s", an, num(a), ratio, bn, num(b), margin, num(ratio*b+margin))}
}

func analyzeE1(e *env) (*Outcome, error) {
	o := e.newOutcome()
	bm, sq, err := e.lossBayes("mixture")
	if err != nil {
		return nil, err
	}
	// The mixture model does not know the prompt's class: its best achievable
	// curve is the Bayes predictor of the pretraining mixture under its
	// training loss.
	label := "Bayes-optimal, mixture prior"
	if sq != nil {
		label = "Bayes, loss-weighted mixture"
	}
	extra := []eval.Predictor{e.reference(bm, keyMixtureBayes, label)}
	for i, es := range e.def.Evals {
		spec, err := e.resolve(fmt.Sprintf("evals[%d].task", i), es.Task)
		if err != nil {
			return nil, err
		}
		r, err := e.evaluate(es.Name, spec, es.Prompt, es.Models, es.Baselines, extra)
		if err != nil {
			return nil, err
		}
		o.Results.Settings = append(o.Results.Settings, r)
	}
	rd, rs := o.Results.Setting("dense"), o.Results.Setting("sparse")
	d, n := e.d, e.n
	mix, den, spa := modelKey("mixture"), modelKey("dense"), modelKey("sparse")
	half := clampPos(ceilDiv(d, 2), n)
	pd := clampPos(d, n)
	o.Checks = checksE1(e.def, rd, rs, d, n, mix, den, spa)
	pos := uniq([]int{1, half, pd, n - 1})
	o.Tables = append(o.Tables,
		curveTable("Dense prompts: normalized error, mean [90% interval]", rd, pos),
		curveTable("Sparse prompts: normalized error, mean [90% interval]", rs, pos),
		ratioTable("Mixture model's error over the specialist's", []ratioRow{
			{"dense prompts (over dense-only)", rd, mix, den}, {"sparse prompts (over sparse-only)", rs, mix, spa}}, pos))
	o.Figures = append(o.Figures,
		Fig{"icl_dense", e.def.Caption("icl_dense"), e.iclFigure("E1: dense linear prompts (d = "+fmt.Sprint(d)+")", rd)},
		Fig{"icl_sparse", e.def.Caption("icl_sparse"), e.iclFigure("E1: "+rs.Class+" prompts", rs)})
	return o, nil
}

// checksE1 computes E1's checks from the dense and sparse settings' curves
// of the mixture model and the dense-only and sparse-only specialists (their
// curves' keys mix, den and spa), at input dimension d and n points.
func checksE1(def *Def, rd, rs *eval.SettingResult, d, n int, mix, den, spa string) []Check {
	ratio, floor, margin := def.Param("ratio"), def.Param("floor"), def.Param("margin")
	half := clampPos(ceilDiv(d, 2), n)
	pd := clampPos(d, n)
	lb := def.Param("learned")
	cs := []Check{
		learned(fmt.Sprintf("dense-only model on dense prompts, %d examples", n-1), at(rd, den, n-1), lb),
		learned(fmt.Sprintf("sparse-only model on sparse prompts, %d examples", n-1), at(rs, spa, n-1), lb),
		// A mixture at the zero predictor did not learn at all (a failed
		// run, not evidence against the claim).
		learned(fmt.Sprintf("mixture model on dense prompts, %d examples", n-1), at(rd, mix, n-1), lb),
	}
	// Matching a specialist says something only where the specialists
	// differ; the checks of parts (1) and (2) that can tell make the
	// precondition apart below hold.
	apart := Check{Name: "(precondition) the specialists differ where the claim compares them", Precondition: true}
	for _, p := range []int{pd, n - 1} {
		c := le(fmt.Sprintf("(1) dense prompts, %d examples: mixture matches dense-only", p),
			at(rd, mix, p), at(rd, den, p), ratio, floor, "mixture", "dense-only")
		c = needDiffer(c, at(rd, spa, p), at(rd, den, p), margin, "sparse-only", "dense-only")
		apart.Pass = apart.Pass || c.Untestable == ""
		cs = append(cs, c)
	}
	for _, p := range []int{half, pd} {
		c := le(fmt.Sprintf("(2) sparse prompts, %d examples: mixture matches sparse-only", p),
			at(rs, mix, p), at(rs, spa, p), ratio, floor, "mixture", "sparse-only")
		c = needDiffer(c, at(rs, den, p), at(rs, spa, p), margin, "dense-only", "sparse-only")
		apart.Pass = apart.Pass || c.Untestable == ""
		cs = append(cs, c)
	}
	c4 := gt(fmt.Sprintf("(4) dense prompts, %d examples: sparse-only worse than mixture", n-1),
		at(rd, spa, n-1), at(rd, mix, n-1), 1.2, margin, "sparse-only", "mixture")
	cs = append(cs,
		gt(fmt.Sprintf("(3) sparse prompts, %d examples: dense-only worse than mixture", half),
			at(rs, den, half), at(rs, mix, half), 1.2, margin, "dense-only", "mixture"),
		needDiffer(c4, at(rd, spa, n-1), at(rd, den, n-1), margin, "sparse-only", "dense-only"))
	// With specialists alike everywhere the claim compares them, there is
	// nothing to select between: the claim cannot be tested at this scale.
	var parts []string
	for _, p := range uniq([]int{pd, n - 1}) {
		parts = append(parts, fmt.Sprintf("dense prompts, %s: dense-only %s, sparse-only %s", examples(p), num(at(rd, den, p)), num(at(rd, spa, p))))
	}
	for _, p := range uniq([]int{half, pd}) {
		parts = append(parts, fmt.Sprintf("sparse prompts, %s: sparse-only %s, dense-only %s", examples(p), num(at(rs, spa, p)), num(at(rs, den, p))))
	}
	apart.Detail = strings.Join(parts, "; ") + fmt.Sprintf("; needs the other specialist > 1.2 x the class's specialist + %g at one of these", margin)
	return append(cs[:3:3], append([]Check{apart}, cs[3:]...)...)
}

// needDiffer marks c untestable unless the other specialist's error worse
// exceeds 1.2 x the matched specialist's better + margin: where the two
// specialists score alike, matching one of them says nothing.
func needDiffer(c Check, worse, better, margin float64, wn, bn string) Check {
	if !(worse > 1.2*better+margin) {
		c.Untestable = fmt.Sprintf("the specialists do not differ here: %s %s, not > 1.2 x %s %s + %g = %s",
			wn, num(worse), bn, num(better), margin, num(1.2*better+margin))
	}
	return c
}

// shortLabel shortens baseline labels for sweep legends.
func shortLabel(s string) string {
	switch s {
	case "lasso (best alpha in hindsight)":
		return "lasso (best alpha)"
	case "3-nearest neighbours":
		return "3-NN"
	}
	return s
}

type ratioRow struct {
	name     string
	r        *eval.SettingResult
	num, den string // curve keys
}

func ratioTable(caption string, rows []ratioRow, pos []int) report.Table {
	t := report.Table{Caption: caption, Header: []string{"setting"}}
	for _, p := range pos {
		t.Header = append(t.Header, examples(p))
	}
	for _, rr := range rows {
		row := []string{rr.name}
		for _, p := range pos {
			row = append(row, fmt.Sprintf("%.2f", at(rr.r, rr.num, p)/at(rr.r, rr.den, p)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func uniq(ps []int) []int {
	var out []int
	for _, p := range ps {
		if !containsInt(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// excess is the mean over positions 1..N-1 of curve a minus curve b (keys).
func excess(r *eval.SettingResult, a, b string) float64 {
	s := 0.0
	for i := 1; i < r.N; i++ {
		s += at(r, a, i) - at(r, b, i)
	}
	return s / float64(r.N-1)
}

// rises counts positions where a curve's mean goes up by more than the two
// interval half-widths.
func rises(c *eval.Curve) int {
	n := 0
	for i := 1; i < len(c.Mean); i++ {
		hw := (c.Hi[i]-c.Lo[i])/2 + (c.Hi[i-1]-c.Lo[i-1])/2
		if c.Mean[i]-c.Mean[i-1] > hw {
			n++
		}
	}
	return n
}

func analyzeE2(e *env) (*Outcome, error) {
	o := e.newOutcome()
	if err := e.evaluateDefs(o); err != nil {
		return nil, err
	}
	rd, rs := o.Results.Setting("dense"), o.Results.Setting("sparse")
	ratio, floor := e.def.Param("ratio"), e.def.Param("floor")
	bayes := keyBayes
	balanced := modelKey("balanced")
	o.Checks = append(o.Checks,
		learned(fmt.Sprintf("balanced model on dense prompts, %d examples", e.n-1), at(rd, balanced, e.n-1), e.def.Param("learned")),
		learned(fmt.Sprintf("balanced model on sparse prompts, %d examples", e.n-1), at(rs, balanced, e.n-1), e.def.Param("learned")))
	roles := []string{"rare_dense", "balanced", "rare_sparse"}
	t := report.Table{Caption: "Excess error over the class's Bayes-optimal predictor (mean over positions 1..N-1) and number of rises of the curve",
		Header: []string{"model", "dense: excess", "dense: rises", "sparse: excess", "sparse: rises"}}
	for _, r := range roles {
		k := modelKey(r)
		t.Rows = append(t.Rows, []string{e.label(r), num(excess(rd, k, bayes)), fmt.Sprint(rises(rd.Curve(k))),
			num(excess(rs, k, bayes)), fmt.Sprint(rises(rs.Curve(k)))})
	}
	o.Checks = append(o.Checks,
		ge("(1) dense rare (weight 0.1) costs more on dense prompts", excess(rd, modelKey("rare_dense"), bayes),
			excess(rd, balanced, bayes), ratio, floor, "excess(0.1 dense)", "excess(0.5)"),
		usesSparsity(excess(rs, balanced, bayes), excess(rs, keyLeastSquares, bayes), floor),
		ge("(2) sparse rare (weight 0.1) costs more on sparse prompts", excess(rs, modelKey("rare_sparse"), bayes),
			excess(rs, balanced, bayes), ratio, floor, "excess(0.1 sparse)", "excess(0.5)"))
	pos := uniq([]int{1, clampPos(ceilDiv(e.d, 2), e.n), clampPos(e.d, e.n), e.n - 1})
	o.Tables = append(o.Tables, t,
		curveTable("Dense prompts: normalized error, mean [90% interval]", rd, pos),
		curveTable("Sparse prompts: normalized error, mean [90% interval]", rs, pos))
	o.Figures = append(o.Figures,
		Fig{"icl_dense", e.def.Caption("icl_dense"), e.iclFigure("E2: dense prompts, by pretraining weight", rd)},
		Fig{"icl_sparse", e.def.Caption("icl_sparse"), e.iclFigure("E2: sparse prompts, by pretraining weight", rs)})
	return o, nil
}

// usesSparsity is E2's precondition that the balanced model uses sparsity
// at all: its excess on sparse prompts is at most least squares' (which
// ignores sparsity) - floor. A model that does not tell the classes apart
// selects nothing, so a rare class cannot make selecting cost more.
func usesSparsity(balanced, ls, floor float64) Check {
	return Check{Name: "(precondition) the balanced model uses sparsity: excess(0.5) on sparse prompts <= least squares' - floor",
		Precondition: true, Pass: balanced <= ls-floor,
		Detail: fmt.Sprintf("excess(0.5) %s, least squares' %s - %g = %s", num(balanced), num(ls), floor, num(ls-floor))}
}

// ge reports a >= ratio*b + floor.
func ge(name string, a, b, ratio, floor float64, an, bn string) Check {
	return Check{Name: name, Pass: a >= ratio*b+floor,
		Detail: fmt.Sprintf("%s %s >= %g x %s %s + %g = %s", an, num(a), ratio, bn, num(b), floor, num(ratio*b+floor))}
}

// pretrainBayes returns the exact Bayes mixture of a run's pretraining class.
func (e *env) pretrainBayes(role string) (*baseline.BayesMixture, error) {
	m := e.models[role]
	c, err := m.run.Cfg.Task.Build(m.run.Cfg.Data.Dim)
	if err != nil {
		return nil, err
	}
	ev, ok := baseline.Exact(c, baseline.DefaultJitter)
	bm, ok2 := ev.(*baseline.BayesMixture)
	if !ok || !ok2 || len(bm.Components) != 2 {
		return nil, fmt.Errorf("experiment %s: run %s is not pretrained on a mixture of 2 classes with exact Bayes predictors", e.def.ID, m.run.Name)
	}
	return bm, nil
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
	tf, tfLabel := modelKey(sw.Models[0]), e.label(sw.Models[0])
	var ks []float64
	w := plot.Series{Name: "transformer: implied weight on dense", Role: plot.RoleModel}
	for k := 1; k <= d; k++ {
		name := fmt.Sprintf("k=%d", k)
		r, err := e.evaluate(name, task.Spec{Class: task.ClassSparseLinear, K: k}, prompt.Setting{}, sw.Models, sw.Baselines, extra)
		if err != nil {
			return nil, err
		}
		o.Results.Settings = append(o.Results.Settings, r)
		ks = append(ks, float64(k))
		c := eval.ImpliedWeight(tfLabel, r.Predictions(tf), r.Predictions(clsDense), r.Predictions(clsSparse), r.B, r.N,
			e.level(), e.scale.Boots, rng.New(e.seed(name), rng.LabelEval, 7))
		m, lo, hi := c.At(pw)
		w.X = append(w.X, float64(k))
		w.Y = append(w.Y, m)
		w.Lo = append(w.Lo, lo)
		w.Hi = append(w.Hi, hi)
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
	for _, k := range uniq([]int{k2, d}) {
		o.Checks = append(o.Checks, learned(fmt.Sprintf("mixture model on %d-sparse prompts, %d examples", k, n-1),
			at(o.Results.Settings[k-1], tf, n-1), e.def.Param("learned")))
	}
	o.Checks = append(o.Checks, checksE3(e.def, w, k2, d)...)
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
		YLabel: "weight on dense", Series: []plot.Series{w}, HLines: []plot.HLine{{Y: 0}, {Y: 1}}}
	o.Figures = append(o.Figures, Fig{"weight_k", e.def.Caption("weight_k"), wf})
	return o, nil
}

func analyzeE4(e *env) (*Outcome, error) {
	o := e.newOutcome()
	if err := e.evaluateDefs(o); err != nil {
		return nil, err
	}
	tf := modelKey("model")
	n := e.n
	rl, rs, rc := o.Results.Setting("linear"), o.Results.Setting("sine"), o.Results.Setting("combination")
	good, ratio, gap := e.def.Param("good"), e.def.Param("ratio"), e.def.Param("gap")
	p := n - 1
	el, es, ec := at(rl, tf, p), at(rs, tf, p), at(rc, tf, p)
	bayesC := at(rc, keyBayesMC, p)
	o.Checks = append(o.Checks,
		learned(fmt.Sprintf("(1) linear prompts, %d examples: predicted well", p), el, good),
		learned(fmt.Sprintf("(2) sine prompts, %d examples: predicted well", p), es, good),
		Check{Name: fmt.Sprintf("(3) combination, %d examples: fails", p),
			Pass: ec >= ratio*math.Max(el, es) && ec >= bayesC+gap,
			Detail: fmt.Sprintf("error %s >= %g x max(%s, %s) = %s and >= Bayes %s + %g = %s", num(ec), ratio, num(el), num(es),
				num(ratio*math.Max(el, es)), num(bayesC), gap, num(bayesC+gap))})
	pos := uniq([]int{1, clampPos(ceilDiv(n-1, 2), n), n - 1})
	for _, r := range []*eval.SettingResult{rl, rs, rc} {
		o.Tables = append(o.Tables, curveTable(r.Setting+" prompts ("+r.Class+"): normalized error, mean [90% interval]", r, pos))
		o.Figures = append(o.Figures, Fig{"icl_" + r.Setting, e.def.Caption("icl_" + r.Setting), e.iclFigure("E4: "+r.Class, r)})
	}
	if e.d == 1 {
		if err := e.fitted(o); err != nil {
			return nil, err
		}
	} else {
		e.log("fitted functions skipped: d = %d", e.d)
	}
	return o, nil
}

// fitted draws fitted-function figures for each evaluated class (d = 1).
func (e *env) fitted(o *Outcome) error {
	tfm := e.transformers([]string{"model"})
	grid := eval.Grid(-3, 3, e.scale.Grid)
	for _, es := range e.def.Evals {
		c, err := es.Task.Build(1)
		if err != nil {
			return err
		}
		bs, err := e.baselines(c, []string{"bayes"})
		if err != nil {
			return err
		}
		for j := 0; j < e.scale.FittedPrompts; j++ {
			f, err := eval.FitFunction(c, e.n-1, grid, append(tfm, bs...), e.seed("fitted/"+es.Name), j)
			if err != nil {
				return err
			}
			o.Fitted = append(o.Fitted, f)
			ctx := plot.Series{X: f.CtxX, Y: f.CtxY}
			truth := plot.Series{X: f.Grid, Y: f.Truth}
			var ls []plot.Series
			for _, l := range f.Lines {
				ls = append(ls, plot.Series{Name: l.Name, X: f.Grid, Y: l.Y, Role: e.roleOf(l.Key)})
			}
			name := fmt.Sprintf("fitted_%s_%d", es.Name, j+1)
			fig := plot.FittedFunction(fmt.Sprintf("E4: %s prompt %d (%d examples)", es.Name, j+1, e.n-1), ctx, truth, ls...)
			o.Figures = append(o.Figures, Fig{name, e.def.Caption("fitted") + fmt.Sprintf(" Class: %s, prompt %d.", c.Name(), j+1), fig})
		}
	}
	return nil
}

// checksE3 computes E3's checks on the implied weight w (w.Y[k-1] at k =
// 1..d, with its interval) of a mixture pretrained on k2-sparse functions.
func checksE3(def *Def, w plot.Series, k2, d int) []Check {
	low, high := def.Param("low"), def.Param("high")
	wk := func(k int) float64 { return w.Y[k-1] }
	var cs []Check
	// A model that does not tell the classes apart has a flat w: trivially
	// non-decreasing, with nothing in between to fall.
	move := def.Param("move")
	cs = append(cs, Check{Name: fmt.Sprintf("(precondition) the implied weight moves with k: w(%d) - w(%d) >= %g", d, k2, move),
		Precondition: true, Pass: wk(d)-wk(k2) >= move,
		Detail: fmt.Sprintf("w(%d) - w(%d) = %s - %s = %s", d, k2, num(wk(d)), num(wk(k2)), num(wk(d)-wk(k2)))})
	cs = append(cs, Check{Name: fmt.Sprintf("(1) selection at the ends: w(%d) <= %g and w(%d) >= %g", k2, low, d, high),
		Detail: fmt.Sprintf("w(%d) = %s, w(%d) = %s", k2, num(wk(k2)), d, num(wk(d))),
		Pass:   wk(k2) <= low && wk(d) >= high})
	between, parts := true, []string{}
	lo, hi := math.Min(wk(k2), wk(d)), math.Max(wk(k2), wk(d))
	for k := k2 + 1; k < d; k++ {
		v := wk(k)
		parts = append(parts, fmt.Sprintf("w(%d) = %s", k, num(v)))
		between = between && v > 0.1 && v < 0.9 && v >= lo && v <= hi
	}
	detail := strings.Join(parts, "; ")
	if d <= k2+1 {
		between, detail = false, "no intermediate k at this d"
	}
	cs = append(cs, Check{Name: fmt.Sprintf("(2) intermediate k: 0.1 < w(k) < 0.9 and between w(%d) and w(%d)", k2, d), Detail: detail, Pass: between})
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
	cs = append(cs, Check{Name: "(3) w(k) non-decreasing in k (up to intervals)", Detail: md, Pass: mono})
	return cs
}

// linearSine is the convex combination alpha linear + (1 - alpha) sine.
func linearSine(alpha float64) task.Spec {
	return task.Spec{Class: task.ClassConvex, Alpha: alpha,
		Of: []task.Spec{{Class: task.ClassDenseLinear, Std: task.InvSqrtD}, {Class: task.ClassSinusoid}}}
}

// sweepPositions are the positions of the E5 and E6 sweep figures.
func (e *env) sweepPositions() []int {
	return uniq([]int{clampPos(e.d, e.n), clampPos(ceilDiv(e.n-1, 2), e.n), e.n - 1})
}

func (e *env) sweepFigure(o *Outcome, s *eval.Sweep, name, title, xlabel string) {
	tf := modelKey(e.def.Sweep.Models[0])
	var lines []plot.Series
	for _, p := range e.sweepPositions() {
		if l, ok := e.sweepSeries(s, tf, p, "transformer, "+examples(p)); ok {
			lines = append(lines, l)
		}
	}
	for _, l := range s.Lines {
		if l.Key != tf && l.Position == e.n-1 {
			lines = append(lines, plot.Series{Name: fmt.Sprintf("%s, %d ex.", shortLabel(l.Predictor), l.Position), X: s.X, Y: l.Mean, Lo: l.Lo, Hi: l.Hi,
				Role: e.roleOf(l.Key)})
		}
	}
	o.Figures = append(o.Figures, Fig{name, e.def.Caption(name), plot.Sweep(title, xlabel, 1, lines...)})
}

func sweepTable(caption, param string, s *eval.Sweep, position int) report.Table {
	t := report.Table{Caption: caption, Header: []string{param}}
	var lines []*eval.SweepLine
	for i := range s.Lines {
		if s.Lines[i].Position == position {
			lines = append(lines, &s.Lines[i])
			t.Header = append(t.Header, s.Lines[i].Predictor)
		}
	}
	for j, x := range s.X {
		row := []string{fmt.Sprintf("%g", x)}
		if param == "omega band" {
			row[0] = s.Settings[j]
		}
		for _, l := range lines {
			row = append(row, fmt.Sprintf("%s [%s, %s]", num(l.Mean[j]), num(l.Lo[j]), num(l.Hi[j])))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func analyzeSweepE5(e *env) (*Outcome, error) {
	o := e.newOutcome()
	sw := e.def.Sweep
	for _, a := range e.scale.Alphas {
		r, err := e.evaluate(fmt.Sprintf("alpha=%g", a), linearSine(a), prompt.Setting{}, sw.Models, sw.Baselines, nil)
		if err != nil {
			return nil, err
		}
		o.Results.Settings = append(o.Results.Settings, r)
	}
	s := eval.NewSweep("alpha", e.scale.Alphas, o.Results.Settings, e.sweepPositions())
	o.Sweeps = append(o.Sweeps, s)
	tf := modelKey(sw.Models[0])
	p := e.n - 1
	l := s.Line(tf, p)
	ratio, floor := e.def.Param("ratio"), e.def.Param("floor")
	e0, e1 := math.NaN(), math.NaN()
	mid, midA := math.Inf(-1), math.NaN()
	for j, a := range s.X {
		switch {
		case a == 0:
			e0 = l.Mean[j]
		case a == 1:
			e1 = l.Mean[j]
		case l.Mean[j] > mid:
			mid, midA = l.Mean[j], a
		}
	}
	ends := math.Max(e0, e1)
	o.Checks = append(o.Checks,
		Check{Name: fmt.Sprintf("(precondition) (1) ends reasonable at %d examples: e(0), e(1) < 0.2", p), Pass: e0 < 0.2 && e1 < 0.2, Precondition: true,
			Detail: fmt.Sprintf("e(0) = %s (pure sine), e(1) = %s (pure linear)", num(e0), num(e1))},
		ge(fmt.Sprintf("(2) middle worse at %d examples", p), mid, ends, ratio, floor, fmt.Sprintf("max e(alpha) = e(%g)", midA), "max(e(0), e(1))"))
	o.Tables = append(o.Tables, sweepTable(fmt.Sprintf("Error at %d examples against alpha (weight of the linear part), mean [90%% interval]", p), "alpha", s, p))
	e.sweepFigure(o, s, "sweep_alpha", "E5: error against the combination weight", "alpha (weight of the linear part)")
	return o, nil
}

func analyzeSweepE6(e *env) (*Outcome, error) {
	o := e.newOutcome()
	sw := e.def.Sweep
	var xs []float64
	in := -1
	for j, b := range e.scale.OmegaBands {
		if b[0] == task.DefaultOmegaLo && b[1] == task.DefaultOmegaHi {
			in = j
		}
		spec := task.Spec{Class: task.ClassSinusoid, OmegaLo: b[0], OmegaHi: b[1]}
		r, err := e.evaluate(fmt.Sprintf("omega in [%g, %g]", b[0], b[1]), spec, prompt.Setting{}, sw.Models, sw.Baselines, nil)
		if err != nil {
			return nil, err
		}
		o.Results.Settings = append(o.Results.Settings, r)
		xs = append(xs, (b[0]+b[1])/2)
	}
	if in < 0 {
		return nil, fmt.Errorf("experiment E6: scale %s has no omega band equal to the pretraining band [%g, %g]", e.scale.Name, task.DefaultOmegaLo, task.DefaultOmegaHi)
	}
	s := eval.NewSweep("omega", xs, o.Results.Settings, e.sweepPositions())
	o.Sweeps = append(o.Sweeps, s)
	tf := modelKey(sw.Models[0])
	p := e.n - 1
	l := s.Line(tf, p)
	ratio, floor := e.def.Param("ratio"), e.def.Param("floor")
	ein := l.Mean[in]
	last := len(xs) - 1
	o.Checks = append(o.Checks,
		learned(fmt.Sprintf("in-band error %s at %d examples", s.Settings[in], p), ein, e.def.Param("good")),
		ge(fmt.Sprintf("(1) highest band %s fails at %d examples", s.Settings[last], p), l.Mean[last], ein, ratio, floor, "e(highest)", "e(in band)"),
		ge(fmt.Sprintf("(2) lowest band %s fails at %d examples", s.Settings[0], p), l.Mean[0], ein, ratio, floor, "e(lowest)", "e(in band)"))
	o.Tables = append(o.Tables, sweepTable(fmt.Sprintf("Error at %d examples per frequency band, mean [90%% interval]", p), "omega band", s, p))
	e.sweepFigure(o, s, "sweep_omega", "E6: error against the frequency band", "frequency omega (band centre)")
	return o, nil
}

func analyzeMS(e *env) (*Outcome, error) {
	o := e.newOutcome()
	ref, sq, err := e.lossBayes("mixture")
	if err != nil {
		return nil, err
	}
	// The reference is the posterior of the predictor that minimizes the
	// model's training loss; under train.loss: normalized the plain
	// squared-error posterior is shown beside it (sq).
	refName, refLegend := "Bayes posterior p(dense | context)", "Bayes posterior p(dense | context)"
	if sq != nil {
		refName = fmt.Sprintf("posterior under the loss-weighted prior %s (train.loss: normalized)", fmtWeights(ref.Weights))
		refLegend = "loss-weighted posterior p(dense | context)"
	}
	tol := e.def.Param("tol")
	tf := e.transformers([]string{"mixture"})[0]
	var posts []posteriorRange // per prompt class, its check at o.Checks[checks[i]]
	var checks []int
	t := report.Table{Caption: "Implied weight on the dense class and mean " + refName + ", per position",
		Header: []string{"prompts", "examples", "implied weight [90% interval]", "posterior"}}
	if sq != nil {
		t.Header = append(t.Header, "squared-error posterior (prior "+fmtWeights(sq.Weights)+")")
	}
	for i, es := range e.def.Evals {
		spec, err := e.resolve(fmt.Sprintf("evals[%d].task", i), es.Task)
		if err != nil {
			return nil, err
		}
		// Precondition: the model predicts this class at all. The same
		// prompts as the selection's (same setting seed).
		r, err := e.evaluate(es.Name, spec, es.Prompt, []string{"mixture"}, nil, nil)
		if err != nil {
			return nil, err
		}
		o.Checks = append(o.Checks, learned(fmt.Sprintf("mixture model on %s prompts, %d examples", es.Name, e.n-1),
			at(r, modelKey("mixture"), e.n-1), e.def.Param("learned")))
		s := eval.Setting{Name: es.Name, Task: spec, Prompt: es.Prompt, Prompts: e.scale.Prompts, Seed: e.seed(es.Name)}
		bt, _, err := s.Draw(e.d, e.n)
		if err != nil {
			return nil, err
		}
		var others []*baseline.BayesMixture
		if sq != nil {
			others = append(others, sq)
		}
		var oweights [][]float64
		for _, m := range others {
			oweights = append(oweights, m.Weights)
		}
		key := e.cache.key(e, "selection", struct {
			Setting        eval.Setting
			D, N           int
			Options        eval.Options
			Ref            []float64
			Others         [][]float64
			Model, Mixture string
		}{s, e.d, e.n, e.eopts, ref.Weights, oweights, tf.Key(), ref.Name()}, []string{"mixture"})
		var sel *eval.Selection
		if !e.cache.load(key, &sel) {
			if sel, err = eval.ModelSelection(bt, tf, ref, e.eopts, others...); err != nil {
				return nil, err
			}
			if err := e.cache.store(key, sel); err != nil {
				e.log("evaluation cache: %v", err)
			}
		}
		sel.Setting = es.Name
		o.Selections = append(o.Selections, sel)
		diff, cnt := 0.0, 0
		diff2, cnt2 := 0.0, 0 // from 2 examples on, where the posterior has seen a pair of examples
		for i, w := range sel.Implied.Mean {
			if !math.IsNaN(w) {
				diff += math.Abs(w - sel.Posterior.Mean[i])
				cnt++
				if i >= 2 {
					diff2 += math.Abs(w - sel.Posterior.Mean[i])
					cnt2++
				}
			}
			row := []string{es.Name, fmt.Sprint(i),
				fmt.Sprintf("%s [%s, %s]", num(w), num(sel.Implied.Lo[i]), num(sel.Implied.Hi[i])), num(sel.Posterior.Mean[i])}
			if sq != nil {
				row = append(row, num(sel.Others[0].Mean[i]))
			}
			t.Rows = append(t.Rows, row)
		}
		c := Check{Name: fmt.Sprintf("%s prompts: implied weight follows the posterior", es.Name)}
		posts = append(posts, posteriorSpan(sel.Posterior.Mean))
		checks = append(checks, len(o.Checks))
		if cnt == 0 {
			c.Detail = "weight not identified at any position"
		} else {
			diff /= float64(cnt)
			c.Pass = diff <= tol
			c.Detail = fmt.Sprintf("mean |w - posterior| = %s over %d positions (tol %g)", num(diff), cnt, tol)
			if cnt2 > 0 {
				c.Detail += fmt.Sprintf("; from 2 examples on: %s over %d positions", num(diff2/float64(cnt2)), cnt2)
			}
		}
		o.Checks = append(o.Checks, c)
		x := make([]float64, len(sel.Implied.Mean))
		for i := range x {
			x[i] = float64(i)
		}
		var more []plot.Series
		if sq != nil {
			c := sel.Others[0]
			more = append(more, plot.Series{Name: "squared-error posterior p(dense | context)", X: x, Y: c.Mean, Lo: c.Lo, Hi: c.Hi})
		}
		fig := plot.ModelSelection(fmt.Sprintf("Model selection on %s prompts", es.Name), "dense",
			plot.Series{Name: "transformer: implied weight", X: x, Y: sel.Implied.Mean, Lo: sel.Implied.Lo, Hi: sel.Implied.Hi},
			plot.Series{Name: refLegend, X: x, Y: sel.Posterior.Mean, Lo: sel.Posterior.Lo, Hi: sel.Posterior.Hi}, more...)
		o.Figures = append(o.Figures, Fig{"weight_" + es.Name, e.def.Caption("weight_" + es.Name), fig})
	}
	for i, j := range checks {
		o.Checks[j].Untestable = posteriorUntestable(posts, i, e.def.Param("move"))
	}
	o.Tables = append(o.Tables, t)
	return o, nil
}

// posteriorRange is the span of a prompt class's mean posterior over the
// positions, and its mean over them.
type posteriorRange struct{ min, max, mean float64 }

func posteriorSpan(post []float64) posteriorRange {
	r := posteriorRange{min: math.Inf(1), max: math.Inf(-1)}
	n := 0
	for _, v := range post {
		if !math.IsNaN(v) {
			r.min, r.max = math.Min(r.min, v), math.Max(r.max, v)
			r.mean += v
			n++
		}
	}
	r.mean /= float64(n)
	return r
}

// posteriorUntestable says why MS's check on prompt class i says nothing, or
// "" when it is testable. A weight that does not move over the context
// matches a posterior that does not move either; so the check is testable if
// class i's posterior moves by at least move, or if its mean differs by at
// least move from another class's, which then no single weight matches on
// both classes' prompts: the model must tell them apart in context.
func posteriorUntestable(posts []posteriorRange, i int, move float64) string {
	p := posts[i]
	if p.max-p.min >= move {
		return ""
	}
	for j, q := range posts {
		if j != i && math.Abs(p.mean-q.mean) >= move {
			return ""
		}
	}
	return fmt.Sprintf("the posterior does not move over the context (range %s to %s) and differs from no other class's by %g on average",
		num(p.min), num(p.max), move)
}

// lossBayes returns the Bayes predictor of role's pretraining mixture that
// minimizes its training loss. Under train.loss: normalized each class's
// squared error is divided by its scale, so that predictor is the mixture
// with prior weights proportional to weight / scale, and sq is the plain
// squared-error Bayes mixture; otherwise sq is nil.
func (e *env) lossBayes(role string) (ref, sq *baseline.BayesMixture, err error) {
	bm, err := e.pretrainBayes(role)
	if err != nil {
		return nil, nil, err
	}
	if e.models[role].run.Cfg.Train.Loss != train.LossNormalized {
		return bm, nil, nil
	}
	scales, err := e.componentScales(role)
	if err != nil {
		return nil, nil, err
	}
	return bm.ScaleWeighted(scales), bm, nil
}

// componentScales returns the scales of the components of role's pretraining
// mixture, the per-class normalizers of train.loss: normalized.
func (e *env) componentScales(role string) ([]float64, error) {
	cfg := e.models[role].run.Cfg
	c, err := cfg.Task.Build(cfg.Data.Dim)
	if err != nil {
		return nil, err
	}
	m, ok := c.(*task.Mixture)
	if !ok {
		return nil, fmt.Errorf("experiment %s: run %s is not pretrained on a mixture", e.def.ID, cfg.Name)
	}
	var out []float64
	for _, k := range m.Components {
		out = append(out, k.Scale())
	}
	return out, nil
}

func fmtWeights(w []float64) string {
	parts := make([]string, len(w))
	for i, v := range w {
		parts[i] = fmt.Sprintf("%.3g", v)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
