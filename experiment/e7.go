package experiment

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strings"

	"icl/eval"
	"icl/plot"
	"icl/report"
	"icl/rng"
	"icl/streamprobe"
	"icl/verdict"
)

//go:embed e7.yaml
var e7YAML string

func init() {
	Register(Registration{ID: "E7", Order: 80, YAML: e7YAML, Analyze: analyzeE7,
		Summary: "conditional pretraining: the task family shown to the model, or hidden"})
}

// ShownKey is the key of the curve of the model of run role asked with its
// family indicator shown; ModelKey(role) is the same model with it hidden.
func ShownKey(role string) string { return ModelKey(role) + "/shown" }

// familyOf returns the index of the component of role's pretraining mixture
// whose class is class: the family a prompt of that class shows. A model
// pretrained without the indicator has none (ok false).
func (e *env) familyOf(role string, class string) (family int, ok bool, err error) {
	m := e.models[role]
	if m.M.Cfg.Families == 0 {
		return 0, false, nil
	}
	of := m.Cfg.Task.Of
	found := -1
	for i, s := range of {
		if s.Class == class {
			if found >= 0 {
				return 0, false, fmt.Errorf("experiment %s: run %s has two components of class %s: the family of a %s prompt is ambiguous",
					e.def.ID, m.Run, class, class)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, false, fmt.Errorf("experiment %s: run %s was not pretrained on class %s, so no family indicator names it", e.def.ID, m.Run, class)
	}
	return found, true, nil
}

// shown returns the model of role asked with the family of class shown, or
// nil when it was pretrained without a family indicator.
func (e *env) shown(role, class string) (eval.Predictor, error) {
	f, ok, err := e.familyOf(role, class)
	if err != nil || !ok {
		return nil, err
	}
	m := e.models[role]
	e.setRole(ShownKey(role), plot.RoleModel)
	return &eval.Transformer{Label: m.label + ", shown", ID: ShownKey(role), Model: m.M, ShowFamily: true, Family: f}, nil
}

// pairedExcess is the curve of the per-prompt difference between the errors
// of the predictors with keys a and b on r's prompts: its mean per position,
// with a percentile bootstrap interval over prompts resampled in pairs.
func (e *env) pairedExcess(r *eval.SettingResult, a, b, name string) (eval.Curve, error) {
	ea, eb := r.Errors(a), r.Errors(b)
	if ea == nil || eb == nil {
		return eval.Curve{}, fmt.Errorf("experiment %s, setting %s: no errors of %s or %s", e.def.ID, r.Setting, a, b)
	}
	d := make([]float64, len(ea))
	for i := range d {
		d[i] = ea[i] - eb[i]
	}
	c := eval.ICLCurve(name, d, r.B, r.N, e.level(), e.scale.Boots, rng.New(e.seed(r.Setting+"/excess/"+a+"-"+b), rng.LabelEval, rng.StreamPaired))
	c.Key = a
	return c, nil
}

// meanFrom1 is the mean of c over positions 1..N-1.
func meanFrom1(c eval.Curve) float64 {
	s := 0.0
	for i := 1; i < len(c.Mean); i++ {
		s += c.Mean[i]
	}
	return s / float64(len(c.Mean)-1)
}

// removes is one check of E7: the indicator removes most of a model's
// selection cost on r's class when its excess over the specialist (spec)
// with the family shown is at most remove x its excess with it hidden,
// decided by the paired interval of the per-prompt shown - remove x hidden
// costs; testable only when the hidden cost is at least floor and the
// specialist qualifies (unqualified, when not empty, says why it does not).
func (e *env) removes(name string, r *eval.SettingResult, shown, hidden, spec string, remove, floor float64, unqualified string) verdict.Check {
	es, eh, ep := r.Errors(shown), r.Errors(hidden), r.Errors(spec)
	c := verdict.Check{Name: name}
	if es == nil || eh == nil || ep == nil {
		c.Detail = "no per-prompt errors"
		return c
	}
	d := e.promptMean(r, "removes/"+shown, func(p int) float64 {
		return promptExcess(es, ep, r.N, p) - remove*promptExcess(eh, ep, r.N, p)
	})
	cs, ch := excess(r, shown, spec), excess(r, hidden, spec)
	c.Detail = fmt.Sprintf("cost shown %s - %g x cost hidden %s = %s, needs <= 0 (margin %s)", num(cs), remove, num(ch), d, num(-d.M))
	verdict.Decide(&c, d.Hi <= 0, d.Lo > 0)
	switch {
	case unqualified != "":
		c.Untestable = unqualified
	case !(ch >= floor):
		c.Untestable = fmt.Sprintf("no cost to remove: cost hidden %s < %g", num(ch), floor)
	}
	return c
}

// unqualified says why the specialist spec does not count on r's class,
// or "" when it does: the other specialist's excess over it there, per
// prompt over positions 1..N-1, must be at least qualify, its paired
// interval above qualify.
func (e *env) unqualified(r *eval.SettingResult, spec, other string, qualify float64) string {
	ep, eo := r.Errors(spec), r.Errors(other)
	if ep == nil || eo == nil {
		return fmt.Sprintf("no per-prompt errors of %s and %s on %s prompts to tell whether the specialist has learned its class",
			e.label(roleOfKey(spec)), e.label(roleOfKey(other)), r.Setting)
	}
	d := e.promptMean(r, "qualify/"+spec, func(p int) float64 { return promptExcess(eo, ep, r.N, p) })
	if d.Lo >= qualify {
		return ""
	}
	return fmt.Sprintf("the specialist %s has not learned %s prompts apart from %s: the latter's excess over it is %s, needs >= %g",
		e.label(roleOfKey(spec)), r.Setting, e.label(roleOfKey(other)), d, qualify)
}

// roleOfKey is the run role of a model's curve key (ModelKey).
func roleOfKey(key string) string { return strings.TrimPrefix(key, "model/") }

func analyzeE7(e *env) (*Outcome, error) {
	o := e.newOutcome()
	over := map[string][]eval.Curve{} // setting: excess over the class's specialist, per model
	for i, es := range e.def.Evals {
		spec, err := e.resolve(fmt.Sprintf("evals[%d].task", i), es.Task)
		if err != nil {
			return nil, err
		}
		// Each conditional model hidden, then shown, beside each other in
		// legends and tables.
		var preds []eval.Predictor
		for _, role := range es.Models {
			preds = append(preds, e.transformers([]string{role})...)
			sh, err := e.shown(role, spec.Class)
			if err != nil {
				return nil, err
			}
			if sh != nil {
				preds = append(preds, sh)
			}
		}
		c, err := spec.Build(e.d)
		if err != nil {
			return nil, fmt.Errorf("experiment %s, setting %s: %w", e.def.ID, es.Name, err)
		}
		bs, err := e.baselines(c, es.Baselines)
		if err != nil {
			return nil, err
		}
		r, err := e.evaluate(es.Name, spec, es.Prompt, nil, nil, append(preds, bs...))
		if err != nil {
			return nil, err
		}
		o.Results.Settings = append(o.Results.Settings, r)
		spc, err := e.specialist(es.Models, spec.Class)
		if err != nil {
			return nil, err
		}
		for _, c := range r.Curves {
			if c.Key == ModelKey(spc) || e.roleOf(c.Key) != plot.RoleModel {
				continue
			}
			x, err := e.pairedExcess(r, c.Key, ModelKey(spc), c.Name)
			if err != nil {
				return nil, err
			}
			over[es.Name] = append(over[es.Name], x)
		}
	}
	rd, rs := o.Results.Setting("dense"), o.Results.Setting("sparse")
	if rd == nil || rs == nil {
		return nil, fmt.Errorf("experiment %s: needs the settings dense and sparse", e.def.ID)
	}
	cost := func(setting, key string) float64 {
		for _, c := range over[setting] {
			if c.Key == key {
				return meanFrom1(c)
			}
		}
		return math.NaN()
	}
	remove, floor, lb, qualify := e.def.Param("remove"), e.def.Param("floor"), e.def.Param("learned"), e.def.Param("qualify")
	n := e.n
	dense, sparse := ModelKey("dense"), ModelKey("sparse")
	dq, sq := e.unqualified(rd, dense, sparse, qualify), e.unqualified(rs, sparse, dense, qualify)
	o.Checks = append(o.Checks,
		verdict.Learned(fmt.Sprintf("conditional 0.5/0.5 model, family shown, on dense prompts, %d examples", n-1), estAt(rd, ShownKey("conditional"), n-1), lb),
		verdict.Learned(fmt.Sprintf("conditional 0.5/0.5 model, family shown, on sparse prompts, %d examples", n-1), estAt(rs, ShownKey("conditional"), n-1), lb),
		verdict.Learned(fmt.Sprintf("conditional rare-dense model, family shown, on sparse prompts (its common class), %d examples", n-1),
			estAt(rs, ShownKey("conditional_rare"), n-1), lb),
		e.removes("(1) dense prompts: the indicator removes most of the 0.5/0.5 model's cost",
			rd, ShownKey("conditional"), ModelKey("conditional"), dense, remove, floor, dq),
		e.removes("(2) sparse prompts: the indicator removes most of the 0.5/0.5 model's cost",
			rs, ShownKey("conditional"), ModelKey("conditional"), sparse, remove, floor, sq),
		e.removes("(3) dense prompts: the indicator removes most of the rare-dense (0.1) model's cost",
			rd, ShownKey("conditional_rare"), ModelKey("conditional_rare"), dense, remove, floor, dq))
	// The control: the unconditional models in the conditional ones' place,
	// with nothing to show them: their cost "shown" is their cost hidden.
	mix, rare := ModelKey("mixture"), ModelKey("rare_dense")
	o.Control = &verdict.Control{Name: "the unconditional models (nothing shown) in the conditional ones' place", Checks: append(slices.Clone(o.Checks[:3]),
		e.removes("(1) dense prompts: the indicator removes most of the 0.5/0.5 model's cost", rd, mix, mix, dense, remove, floor, dq),
		e.removes("(2) sparse prompts: the indicator removes most of the 0.5/0.5 model's cost", rs, mix, mix, sparse, remove, floor, sq),
		e.removes("(3) dense prompts: the indicator removes most of the rare-dense (0.1) model's cost", rd, rare, rare, dense, remove, floor, dq))}

	// The costs, over the specialist and over the Bayes predictor.
	t := report.Table{Caption: "Selection cost: excess error over the class's specialist and over its Bayes-optimal predictor (mean over positions 1..N-1)",
		Header: []string{"model", "dense: over dense-only", "dense: over Bayes", "sparse: over sparse-only", "sparse: over Bayes"}}
	for _, c := range over["dense"] {
		row := []string{c.Name, num(meanFrom1(c)), num(excess(rd, c.Key, keyBayes))}
		if rs.Curve(c.Key) != nil {
			row = append(row, num(cost("sparse", c.Key)), num(excess(rs, c.Key, keyBayes)))
		} else {
			row = append(row, "n/a", "n/a")
		}
		t.Rows = append(t.Rows, row)
	}
	for _, c := range over["sparse"] {
		if rd.Curve(c.Key) == nil {
			t.Rows = append(t.Rows, []string{c.Name, "n/a", "n/a", num(meanFrom1(c)), num(excess(rs, c.Key, keyBayes))})
		}
	}
	pos := uniq([]int{1, clampPos(ceilDiv(e.d, 2), n), clampPos(e.d, n), n - 1})
	o.Tables = append(o.Tables, t,
		curvesTable("Dense prompts: error minus the dense-only model's, per position, mean [90% paired interval]", "model", over["dense"], pos),
		curvesTable("Sparse prompts: error minus the sparse-only model's, per position, mean [90% paired interval]", "model", over["sparse"], pos),
		curveTable("Dense prompts: normalized error, mean [90% interval]", rd, pos),
		curveTable("Sparse prompts: normalized error, mean [90% interval]", rs, pos))
	o.Figures = append(o.Figures,
		Fig{"icl_dense", e.def.Caption("icl_dense"), e.iclFigure("E7: dense prompts, family shown and hidden", rd)},
		Fig{"icl_sparse", e.def.Caption("icl_sparse"), e.iclFigure("E7: sparse prompts, family shown and hidden", rs)},
		Fig{"excess_dense", e.def.Caption("excess_dense"), e.excessFigure("E7: dense prompts, error over the dense-only model", over["dense"])},
		Fig{"excess_sparse", e.def.Caption("excess_sparse"), e.excessFigure("E7: sparse prompts, error over the sparse-only model", over["sparse"])})
	return o, e.probesE7(o)
}

// probesE7 adds E8's probes of the 0.5/0.5 conditional model, its family
// shown and hidden, and of the unconditional mixture, to o: descriptive,
// read by no check.
func (e *env) probesE7(o *Outcome) error {
	cond, mix := e.models["conditional"], e.models["mixture"]
	if cond.M.Cfg.Families == 0 {
		return nil
	}
	at := clampPos(int(e.def.Param("probe_position")), e.n)
	full := min(e.scale.Prompts/2, int(e.def.Param("probe_prompts")))
	grids, bayes, j, err := e.probeRun("conditional", []probeModel{{cond.label + ", family shown", "conditional/shown", cond.M, true},
		{cond.label + ", family hidden", "conditional", cond.M, false}, {mix.label, "mixture", mix.M, false}}, []string{"conditional", "mixture"}, at, full)
	if err != nil || grids == nil {
		return err
	}
	o.Tables = append(o.Tables, streamprobe.AccuracyTable(grids, bayes), streamprobe.PredTable(grids))
	o.Figures = append(o.Figures, Fig{"probe_specialist", e.def.Caption("probe_specialist"), streamprobe.PredFigure(e.def.ID, grids, j, "sparse prompts")})
	return nil
}

// specialist returns the one role among roles pretrained on class alone.
func (e *env) specialist(roles []string, class string) (string, error) {
	var found []string
	for _, r := range roles {
		if e.models[r].Cfg.Task.Class == class {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("experiment %s: the models of a %s setting need one specialist pretrained on %s alone, found %d %v",
			e.def.ID, class, class, len(found), found)
	}
	return found[0], nil
}

// excessFigure draws excess curves with a line at 0 (no cost).
func (e *env) excessFigure(title string, cs []eval.Curve) *plot.Figure {
	var ss []plot.Series
	for _, c := range cs {
		x := make([]float64, len(c.Mean))
		for i := range x {
			x[i] = float64(i)
		}
		ss = append(ss, plot.Series{Name: c.Name, X: x, Y: c.Mean, Lo: c.Lo, Hi: c.Hi, Role: plot.RoleModel})
	}
	return plot.ExcessCurves(title, "error minus the specialist's", ss...)
}
