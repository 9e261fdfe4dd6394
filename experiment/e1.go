package experiment

import (
	_ "embed"
	"fmt"
	"icl/eval"
	"icl/plot"
	"icl/verdict"
	"math"
	"strings"
)

//go:embed e1.yaml
var e1YAML string

func init() {
	Register(Registration{ID: "E1", Order: 10, YAML: e1YAML, Analyze: analyzeE1,
		Summary: "model selection between dense and sparse linear functions"})
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
	extra := []eval.Predictor{e.reference(bm, KeyMixtureBayes, label)}
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
	mix, den, spa := ModelKey("mixture"), ModelKey("dense"), ModelKey("sparse")
	half := clampPos(ceilDiv(d, 2), n)
	pd := clampPos(d, n)
	o.Checks = checksE1(e.def, rd, rs, d, n, mix, den, spa, e.paired)
	// The control: the dense-only model, which cannot select, in the
	// mixture's place.
	o.Control = &verdict.Control{Name: "the dense-only model in the mixture's place", Checks: checksE1(e.def, rd, rs, d, n, den, den, spa, e.paired)}
	pos := uniq([]int{1, half, pd, n - 1})
	o.Tables = append(o.Tables,
		curveTable("Dense prompts: normalized error, mean [90% interval]", rd, pos),
		curveTable("Sparse prompts: normalized error, mean [90% interval]", rs, pos),
		ratioTable("Mixture model's error over the specialist's", []ratioRow{
			{"dense prompts (over dense-only)", rd, mix, den}, {"sparse prompts (over sparse-only)", rs, mix, spa}}, pos))
	// The tail (from d examples on), where the models' errors are a few
	// hundredths apart, gets a zoomed panel of its own.
	fd, fs := e.iclFigure("E1: dense linear prompts (d = "+fmt.Sprint(d)+")", rd), e.iclFigure("E1: "+rs.Class+" prompts", rs)
	for _, f := range []struct {
		fig *plot.Figure
		r   *eval.SettingResult
	}{{fd, rd}, {fs, rs}} {
		if pd >= n-1 {
			continue
		}
		// Its y axis spans the three models' tails, which the claim compares.
		top := 0.0
		for _, k := range []string{mix, den, spa} {
			if c := f.r.Curve(k); c != nil {
				for i := pd; i < n; i++ {
					if !math.IsNaN(c.Hi[i]) {
						top = max(top, c.Hi[i])
					}
				}
			}
		}
		f.fig.Zoom = &plot.Zoom{XMin: float64(pd), XMax: float64(n - 1)}
		if top > 0 {
			f.fig.Zoom.YMin, f.fig.Zoom.YMax = 0, 1.1*top
		}
	}
	o.Figures = append(o.Figures, Fig{"icl_dense", e.def.Caption("icl_dense"), fd}, Fig{"icl_sparse", e.def.Caption("icl_sparse"), fs})
	return o, nil
}

// checksE1 computes E1's checks from the dense and sparse settings' curves
// of the mixture model and the dense-only and sparse-only specialists (their
// curves' keys mix, den and spa), at input dimension d and n points. The
// comparisons of the claim are decided by paired intervals (paired) where
// the settings keep per-prompt errors, else by their means.
func checksE1(def *Def, rd, rs *eval.SettingResult, d, n int, mix, den, spa string, paired pairedFunc) []verdict.Check {
	ratio, floor, margin, worse := def.Param("ratio"), def.Param("floor"), def.Param("margin"), def.Param("worse")
	half := clampPos(ceilDiv(d, 2), n)
	pd := clampPos(d, n)
	lb := def.Param("learned")
	cs := []verdict.Check{
		verdict.Learned(fmt.Sprintf("dense-only model on dense prompts, %d examples", n-1), estAt(rd, den, n-1), lb),
		verdict.Learned(fmt.Sprintf("sparse-only model on sparse prompts, %d examples", n-1), estAt(rs, spa, n-1), lb),
		// A mixture at the zero predictor did not learn at all (a failed
		// run, not evidence against the claim).
		verdict.Learned(fmt.Sprintf("mixture model on dense prompts, %d examples", n-1), estAt(rd, mix, n-1), lb),
	}
	// Matching a specialist says something only where the specialists
	// differ; the checks of parts (1) and (2) that can tell make the
	// precondition apart below hold.
	apart := verdict.Check{Name: "(precondition) the specialists differ where the claim compares them", Precondition: true}
	for _, p := range []int{pd, n - 1} {
		c := leAt(fmt.Sprintf("(1) dense prompts, %d examples: mixture matches dense-only", p),
			rd, mix, den, p, ratio, floor, "mixture", "dense-only", paired)
		c = needDiffer(c, at(rd, spa, p), at(rd, den, p), worse, margin, "sparse-only", "dense-only")
		apart.Pass = apart.Pass || c.Untestable == ""
		cs = append(cs, c)
	}
	for _, p := range []int{half, pd} {
		c := leAt(fmt.Sprintf("(2) sparse prompts, %d examples: mixture matches sparse-only", p),
			rs, mix, spa, p, ratio, floor, "mixture", "sparse-only", paired)
		c = needDiffer(c, at(rs, den, p), at(rs, spa, p), worse, margin, "dense-only", "sparse-only")
		apart.Pass = apart.Pass || c.Untestable == ""
		cs = append(cs, c)
	}
	c4 := gtAt(fmt.Sprintf("(4) dense prompts, %d examples: sparse-only worse than mixture", n-1),
		rd, spa, mix, n-1, worse, margin, "sparse-only", "mixture", paired)
	cs = append(cs,
		gtAt(fmt.Sprintf("(3) sparse prompts, %d examples: dense-only worse than mixture", half),
			rs, den, mix, half, worse, margin, "dense-only", "mixture", paired),
		needDiffer(c4, at(rd, spa, n-1), at(rd, den, n-1), worse, margin, "sparse-only", "dense-only"))
	// With specialists alike everywhere the claim compares them, there is
	// nothing to select between: the claim cannot be tested at this scale.
	var parts []string
	for _, p := range uniq([]int{pd, n - 1}) {
		parts = append(parts, fmt.Sprintf("dense prompts, %s: dense-only %s, sparse-only %s", examples(p), num(at(rd, den, p)), num(at(rd, spa, p))))
	}
	for _, p := range uniq([]int{half, pd}) {
		parts = append(parts, fmt.Sprintf("sparse prompts, %s: sparse-only %s, dense-only %s", examples(p), num(at(rs, spa, p)), num(at(rs, den, p))))
	}
	apart.Detail = strings.Join(parts, "; ") + fmt.Sprintf("; needs the other specialist > %g x the class's specialist + %g at one of these", worse, margin)
	return append(cs[:3:3], append([]verdict.Check{apart}, cs[3:]...)...)
}

// needDiffer marks c untestable unless the other specialist's error worse
// exceeds factor x the matched specialist's better + margin: where the two
// specialists score alike, matching one of them says nothing.
func needDiffer(c verdict.Check, worse, better, factor, margin float64, wn, bn string) verdict.Check {
	if !(worse > factor*better+margin) {
		c.Untestable = fmt.Sprintf("the specialists do not differ here: %s %s, not > %g x %s %s + %g = %s",
			wn, num(worse), factor, bn, num(better), margin, num(factor*better+margin))
	}
	return c
}
