package experiment

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"icl/baseline"
	"icl/eval"
	"icl/plot"
	"icl/report"
	"icl/rng"
	"icl/task"
	"icl/train"
	"icl/verdict"
)

// estAt is the estimate of curve key of r at position p.
func estAt(r *eval.SettingResult, key string, p int) verdict.Estimate {
	c := r.Curve(key)
	if c == nil {
		return verdict.Estimate{M: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	m, lo, hi := c.At(p)
	return verdict.Estimate{M: m, Lo: lo, Hi: hi}
}

// estLine is the estimate of sweep line l at its j-th setting.
func estLine(l *eval.SweepLine, j int) verdict.Estimate {
	if l == nil || j < 0 || j >= len(l.Mean) {
		return verdict.Estimate{M: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	}
	return verdict.Estimate{M: l.Mean[j], Lo: l.Lo[j], Hi: l.Hi[j]}
}

// promptMean is the mean over r's prompts of a per-prompt statistic
// f(prompt) with its 90% bootstrap interval over prompts (each resample
// keeps a prompt's numbers together, so statistics that compare predictors
// on the same prompts are paired), resampled in a stream named by name.
func (e *env) promptMean(r *eval.SettingResult, name string, f func(p int) float64) verdict.Estimate {
	d := make([]float64, r.B)
	for p := range d {
		d[p] = f(p)
	}
	return e.bootMean(r.Setting+"/prompt-mean/"+name, d)
}

// bootMean is the mean of v, one number per prompt, with its 90% bootstrap
// interval over prompts, resampled in the stream named name.
func (e *env) bootMean(name string, v []float64) verdict.Estimate {
	c := eval.ICLCurve(name, v, len(v), 1, e.level(), max(e.scale.Boots, 1), rng.New(e.seed(name), rng.LabelEval, rng.StreamPaired))
	m, lo, hi := c.At(0)
	return verdict.Estimate{M: m, Lo: lo, Hi: hi}
}

// promptExcess is, for prompt p of r, the mean over positions 1..N-1 of
// predictor a's error minus predictor b's (per-prompt errors ea and eb,
// each (B, N)).
func promptExcess(ea, eb []float64, n, p int) float64 {
	s := 0.0
	for i := 1; i < n; i++ {
		s += ea[p*n+i] - eb[p*n+i]
	}
	return s / float64(n-1)
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
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
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

// pretrainBayes returns the exact Bayes mixture of a run's pretraining class.
func (e *env) pretrainBayes(role string) (*baseline.BayesMixture, error) {
	m := e.models[role]
	c, err := m.Cfg.Class()
	if err != nil {
		return nil, err
	}
	ev, ok := baseline.Exact(c, baseline.DefaultJitter)
	bm, ok2 := ev.(*baseline.BayesMixture)
	if !ok || !ok2 || len(bm.Components) != 2 {
		return nil, fmt.Errorf("experiment %s: run %s is not pretrained on a mixture of 2 classes with exact Bayes predictors", e.def.ID, m.Run)
	}
	return bm, nil
}

// sweepPositions are the positions of the E5 and E6 sweep figures.
func (e *env) sweepPositions() []int {
	return uniq([]int{clampPos(e.d, e.n), clampPos(ceilDiv(e.n-1, 2), e.n), e.n - 1})
}

func (e *env) sweepFigure(o *Outcome, s *eval.Sweep, name, title, xlabel string) *plot.Figure {
	tf := ModelKey(e.def.Sweep.Models[0])
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
	f := plot.Sweep(title, xlabel, 1, lines...)
	o.Figures = append(o.Figures, Fig{name, e.def.Caption(name), f})
	return f
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
	if e.models[role].Cfg.Train.Loss != train.LossNormalized {
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
	cfg := e.models[role].Cfg
	c, err := cfg.Class()
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

// pairedFunc returns the mean and 90% paired bootstrap interval of the
// per-prompt difference a - ratio*b (curve keys a and b) at position p of r,
// resampling prompts in pairs; ok is false when r keeps no per-prompt errors.
type pairedFunc func(r *eval.SettingResult, a, b string, ratio float64, p int) (mean, lo, hi float64, ok bool)

// paired is the env's pairedFunc: the scale's bootstrap resamples, a stream
// named by the setting, the keys and the position.
func (e *env) paired(r *eval.SettingResult, a, b string, ratio float64, p int) (mean, lo, hi float64, ok bool) {
	ea, eb := r.Errors(a), r.Errors(b)
	if ea == nil || eb == nil {
		return 0, 0, 0, false
	}
	d := make([]float64, len(ea))
	for i := range d {
		d[i] = ea[i] - ratio*eb[i]
	}
	c := eval.ICLCurve("difference", d, r.B, r.N, e.level(), max(e.scale.Boots, 1),
		rng.New(e.seed(fmt.Sprintf("%s/paired/%s-%g*%s@%d", r.Setting, a, ratio, b, p)), rng.LabelEval, rng.StreamPaired))
	mean, lo, hi = c.At(p)
	return mean, lo, hi, true
}

// leAt is the check a <= ratio*b + floor at position p of r: decided by the
// paired interval of a - ratio*b where paired gives one (holds when it lies
// at or below floor, fails when it lies above, inconclusive otherwise), else
// by the means.
func leAt(name string, r *eval.SettingResult, a, b string, p int, ratio, floor float64, an, bn string, paired pairedFunc) verdict.Check {
	av, bv := at(r, a, p), at(r, b, p)
	c := verdict.Le(name, av, bv, ratio, floor, an, bn)
	if paired == nil {
		return c
	}
	if m, lo, hi, ok := paired(r, a, b, ratio, p); ok {
		c.Pass, c.Inconclusive = hi <= floor, lo <= floor && hi > floor
		c.Detail = fmt.Sprintf("%s %s - %g x %s %s = %s [90%%: %s, %s], needs <= %g (margin %s)",
			an, num(av), ratio, bn, num(bv), num(m), num(lo), num(hi), floor, num(floor-m))
	}
	return c
}

// gtAt is the check a > ratio*b + margin at position p of r, decided as leAt
// decides: holds when the paired interval of a - ratio*b lies above margin,
// fails when it lies at or below, inconclusive otherwise.
func gtAt(name string, r *eval.SettingResult, a, b string, p int, ratio, margin float64, an, bn string, paired pairedFunc) verdict.Check {
	av, bv := at(r, a, p), at(r, b, p)
	c := verdict.Gt(name, av, bv, ratio, margin, an, bn)
	if paired == nil {
		return c
	}
	if m, lo, hi, ok := paired(r, a, b, ratio, p); ok {
		c.Pass, c.Inconclusive = lo > margin, lo <= margin && hi > margin
		c.Detail = fmt.Sprintf("%s %s - %g x %s %s = %s [90%%: %s, %s], needs > %g (margin %s)",
			an, num(av), ratio, bn, num(bv), num(m), num(lo), num(hi), margin, num(m-margin))
	}
	return c
}
