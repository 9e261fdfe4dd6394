package experiment

import (
	_ "embed"
	"fmt"
	"icl/eval"
	"icl/plot"
	"icl/task"
	"icl/verdict"
)

//go:embed e4.yaml
var e4YAML string

func init() {
	Register(Registration{ID: "E4", Order: 40, YAML: e4YAML, Analyze: analyzeE4,
		Summary: "linear + sinusoid mixture on linear, sine and their combination"})
}

func analyzeE4(e *env) (*Outcome, error) {
	o := e.newOutcome()
	if err := e.evaluateDefs(o); err != nil {
		return nil, err
	}
	tf := ModelKey("model")
	n := e.n
	rl, rs, rc := o.Results.Setting("linear"), o.Results.Setting("sine"), o.Results.Setting("combination")
	good, ratio, gap := e.def.Param("good"), e.def.Param("ratio"), e.def.Param("gap")
	p := n - 1
	el, es := estAt(rl, tf, p), estAt(rs, tf, p)
	o.Checks = append(o.Checks,
		verdict.Learned(fmt.Sprintf("(1) linear prompts, %d examples: predicted well", p), el, good),
		verdict.Learned(fmt.Sprintf("(2) sine prompts, %d examples: predicted well", p), es, good),
		e.combinationFails(fmt.Sprintf("(3) combination, %d examples: fails", p), rc, tf, p, el, es, ratio, gap))
	// The control: each setting's Bayes predictor in the model's place,
	// which learns the combination from the context as well as the pure
	// classes: it should not fail there.
	bl, bs := estAt(rl, bayesKey(rl), p), estAt(rs, bayesKey(rs), p)
	o.Control = &verdict.Control{Name: "the Bayes predictor of each setting in the model's place", Checks: []verdict.Check{
		verdict.Learned(fmt.Sprintf("(1) linear prompts, %d examples: predicted well", p), bl, good),
		verdict.Learned(fmt.Sprintf("(2) sine prompts, %d examples: predicted well", p), bs, good),
		e.combinationFails(fmt.Sprintf("(3) combination, %d examples: fails", p), rc, keyBayesMC, p, bl, bs, ratio, gap)}}
	pos := uniq([]int{1, clampPos(ceilDiv(n-1, 2), n), n - 1})
	for _, r := range []*eval.SettingResult{rl, rs, rc} {
		o.Tables = append(o.Tables, curveTable(r.Setting+" prompts ("+r.Class+"): normalized error, mean [90% interval]", r, pos))
		f := e.iclFigure("E4: "+r.Class, r)
		f.LogY = true // kNN near 2 and the transformer near 0.001 on one axis
		o.Figures = append(o.Figures, Fig{"icl_" + r.Setting, e.def.Caption("icl_" + r.Setting), f})
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

// linearSine is the convex combination alpha linear + (1 - alpha) sine.
func linearSine(alpha float64) task.Spec {
	return task.Spec{Class: task.ClassConvex, Alpha: alpha,
		Of: []task.Spec{{Class: task.ClassDenseLinear, Std: task.InvSqrtD}, {Class: task.ClassSinusoid}}}
}

// combinationFails is E4's check (3): on the combination's prompts the
// model's error at p is at least ratio x its worse error on the pure
// classes (other prompts: decided by the intervals apart) and at least the
// Monte Carlo Bayes predictor's + gap (the same prompts: decided by the
// paired interval). It holds when both hold, fails when either fails, and is
// inconclusive otherwise.
func (e *env) combinationFails(name string, rc *eval.SettingResult, tf string, p int, el, es verdict.Estimate, ratio, gap float64) verdict.Check {
	ec := estAt(rc, tf, p)
	worse := el
	if es.M > el.M {
		worse = es
	}
	a := verdict.GeApart("", ec, worse, ratio, 0, "error", "max(linear, sine)")
	c := verdict.Check{Name: name, Detail: a.Detail}
	m, lo, hi, ok := e.paired(rc, tf, keyBayesMC, 1, p)
	if !ok {
		c.Detail += "; no per-prompt errors for the comparison with Bayes"
		verdict.Decide(&c, false, a.Failed())
		return c
	}
	c.Detail += fmt.Sprintf("; error - Bayes = %s [90%%: %s, %s], needs >= %g (margin %s)", num(m), num(lo), num(hi), gap, num(m-gap))
	verdict.Decide(&c, a.Pass && lo >= gap, a.Failed() || hi < gap)
	return c
}

// bayesKey is the key of r's Bayes predictor: exact where the class has one,
// else Monte Carlo.
func bayesKey(r *eval.SettingResult) string {
	if r.Curve(keyBayes) != nil {
		return keyBayes
	}
	return keyBayesMC
}
