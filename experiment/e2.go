package experiment

import (
	_ "embed"
	"fmt"
	"icl/eval"
	"icl/report"
	"icl/verdict"
	"slices"
)

//go:embed e2.yaml
var e2YAML string

func init() {
	Register(Registration{ID: "E2", Order: 20, YAML: e2YAML, Analyze: analyzeE2,
		Summary: "pretraining mixture weights (rare classes)"})
}

func analyzeE2(e *env) (*Outcome, error) {
	o := e.newOutcome()
	if err := e.evaluateDefs(o); err != nil {
		return nil, err
	}
	rd, rs := o.Results.Setting("dense"), o.Results.Setting("sparse")
	ratio, floor := e.def.Param("ratio"), e.def.Param("floor")
	bayes := keyBayes
	balanced := ModelKey("balanced")
	o.Checks = append(o.Checks,
		verdict.Learned(fmt.Sprintf("balanced model on dense prompts, %d examples", e.n-1), estAt(rd, balanced, e.n-1), e.def.Param("learned")),
		verdict.Learned(fmt.Sprintf("balanced model on sparse prompts, %d examples", e.n-1), estAt(rs, balanced, e.n-1), e.def.Param("learned")))
	roles := []string{"rare_dense", "balanced", "rare_sparse"}
	t := report.Table{Caption: "Excess error over the class's Bayes-optimal predictor (mean over positions 1..N-1) and number of rises of the curve",
		Header: []string{"model", "dense: excess", "dense: rises", "sparse: excess", "sparse: rises"}}
	for _, r := range roles {
		k := ModelKey(r)
		t.Rows = append(t.Rows, []string{e.label(r), num(excess(rd, k, bayes)), fmt.Sprint(rises(rd.Curve(k))),
			num(excess(rs, k, bayes)), fmt.Sprint(rises(rs.Curve(k)))})
	}
	o.Checks = append(o.Checks,
		e.costsMore("(1) dense rare (weight 0.1) costs more on dense prompts", rd, ModelKey("rare_dense"), balanced, bayes,
			ratio, floor, "excess(0.1 dense)", "excess(0.5)"),
		e.usesSparsity(rs, balanced, keyLeastSquares, bayes, floor),
		e.costsMore("(2) sparse rare (weight 0.1) costs more on sparse prompts", rs, ModelKey("rare_sparse"), balanced, bayes,
			ratio, floor, "excess(0.1 sparse)", "excess(0.5)"))
	// The control: the balanced model in each rare model's place, a model
	// without a rare class, which should cost no more than itself.
	o.Control = &verdict.Control{Name: "the balanced model in each rare model's place", Checks: append(slices.Clone(o.Checks[:2]),
		e.costsMore("(1) dense rare (weight 0.1) costs more on dense prompts", rd, balanced, balanced, bayes,
			ratio, floor, "excess(0.5)", "excess(0.5)"),
		o.Checks[3],
		e.costsMore("(2) sparse rare (weight 0.1) costs more on sparse prompts", rs, balanced, balanced, bayes,
			ratio, floor, "excess(0.5)", "excess(0.5)"))}
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
// ignores sparsity) - floor, decided by the paired interval of the
// difference (the same prompts). A model that does not tell the classes
// apart selects nothing, so a rare class cannot make selecting cost more.
func (e *env) usesSparsity(r *eval.SettingResult, balanced, ls, bayes string, floor float64) verdict.Check {
	eb, el := r.Errors(balanced), r.Errors(ls)
	c := verdict.Check{Name: "(precondition) the balanced model uses sparsity: excess(0.5) on sparse prompts <= least squares' - floor",
		Precondition: true}
	if eb == nil || el == nil {
		c.Detail = "no per-prompt errors"
		return c
	}
	d := e.promptMean(r, "uses-sparsity", func(p int) float64 { return promptExcess(eb, el, r.N, p) })
	c.Detail = fmt.Sprintf("excess(0.5) %s, least squares' %s; difference %s, needs <= -%g (margin %s)",
		num(excess(r, balanced, bayes)), num(excess(r, ls, bayes)), d, floor, num(-floor-d.M))
	verdict.Decide(&c, d.Hi <= -floor, d.Lo > -floor)
	return c
}

// costsMore is one of E2's checks: the rare model's excess over the Bayes
// predictor, mean over positions 1..N-1, is at least ratio x the balanced
// model's + floor, decided by the paired interval of rare's excess - ratio x
// balanced's over the same prompts.
func (e *env) costsMore(name string, r *eval.SettingResult, rare, balanced, bayes string, ratio, floor float64, an, bn string) verdict.Check {
	er, eb, ey := r.Errors(rare), r.Errors(balanced), r.Errors(bayes)
	c := verdict.Check{Name: name}
	if er == nil || eb == nil || ey == nil {
		c.Detail = "no per-prompt errors"
		return c
	}
	d := e.promptMean(r, "costs-more/"+rare, func(p int) float64 {
		return promptExcess(er, ey, r.N, p) - ratio*promptExcess(eb, ey, r.N, p)
	})
	c.Detail = fmt.Sprintf("%s %s - %g x %s %s = %s, needs >= %g (margin %s)", an, num(excess(r, rare, bayes)), ratio, bn,
		num(excess(r, balanced, bayes)), d, floor, num(d.M-floor))
	verdict.Decide(&c, d.Lo >= floor, d.Hi < floor)
	return c
}
