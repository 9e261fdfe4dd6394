package experiment

import (
	_ "embed"
	"fmt"
	"icl/report"
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
		learned(fmt.Sprintf("balanced model on dense prompts, %d examples", e.n-1), at(rd, balanced, e.n-1), e.def.Param("learned")),
		learned(fmt.Sprintf("balanced model on sparse prompts, %d examples", e.n-1), at(rs, balanced, e.n-1), e.def.Param("learned")))
	roles := []string{"rare_dense", "balanced", "rare_sparse"}
	t := report.Table{Caption: "Excess error over the class's Bayes-optimal predictor (mean over positions 1..N-1) and number of rises of the curve",
		Header: []string{"model", "dense: excess", "dense: rises", "sparse: excess", "sparse: rises"}}
	for _, r := range roles {
		k := ModelKey(r)
		t.Rows = append(t.Rows, []string{e.label(r), num(excess(rd, k, bayes)), fmt.Sprint(rises(rd.Curve(k))),
			num(excess(rs, k, bayes)), fmt.Sprint(rises(rs.Curve(k)))})
	}
	o.Checks = append(o.Checks,
		ge("(1) dense rare (weight 0.1) costs more on dense prompts", excess(rd, ModelKey("rare_dense"), bayes),
			excess(rd, balanced, bayes), ratio, floor, "excess(0.1 dense)", "excess(0.5)"),
		usesSparsity(excess(rs, balanced, bayes), excess(rs, keyLeastSquares, bayes), floor),
		ge("(2) sparse rare (weight 0.1) costs more on sparse prompts", excess(rs, ModelKey("rare_sparse"), bayes),
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
