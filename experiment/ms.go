package experiment

import (
	_ "embed"
	"fmt"
	"icl/baseline"
	"icl/eval"
	"icl/plot"
	"icl/report"
	"icl/verdict"
	"math"
	"slices"
	"time"
)

//go:embed ms.yaml
var msYAML string

func init() {
	Register(Registration{ID: "MS", Order: 70, YAML: msYAML, Analyze: analyzeMS,
		Summary: "the transformer's implied class weight against the Bayes class posterior"})
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
	var posts []posteriorRange            // per prompt class, its check at o.Checks[checks[i]]
	var postMeans, identified [][]float64 // per prompt class: the mean posterior and the implied weight, per position
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
		o.Checks = append(o.Checks, verdict.Learned(fmt.Sprintf("mixture model on %s prompts, %d examples", es.Name, e.n-1),
			estAt(r, ModelKey("mixture"), e.n-1), e.def.Param("learned")))
		s := eval.Setting{Name: es.Name, Task: spec, Prompt: es.Prompt, Prompts: e.prompts(), Seed: e.seed(es.Name)}
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
		key := e.cacheKey(e.cache, "selection", struct {
			Setting        eval.Setting
			D, N           int
			Options        eval.Options
			Ref            []float64
			Others         [][]float64
			Model, Mixture string
		}{s, e.d, e.n, e.eopts, ref.Weights, oweights, tf.Key(), ref.Name()}, []string{"mixture"})
		var sel *eval.Selection
		if !e.cache.Load(key, &sel) {
			t0 := time.Now()
			if sel, err = eval.ModelSelection(bt, tf, ref, e.eopts, others...); err != nil {
				return nil, err
			}
			e.probed(t0, s.Prompts)
			if err := e.cache.Store(key, sel); err != nil {
				e.log("evaluation cache: %v", err)
			}
		}
		sel.Setting = es.Name
		o.Selections = append(o.Selections, sel)
		postMeans = append(postMeans, sel.Posterior.Mean)
		identified = append(identified, sel.Implied.Mean)
		diff, cnt := 0.0, 0
		diff2, cnt2 := 0.0, 0 // from 2 examples on, where the posterior has seen a pair of examples
		near, far := 0.0, 0.0 // the mean |w - posterior| with w at the nearest and farthest end of its interval
		for i, w := range sel.Implied.Mean {
			if !math.IsNaN(w) {
				post, lo, hi := sel.Posterior.Mean[i], sel.Implied.Lo[i], sel.Implied.Hi[i]
				diff += math.Abs(w - post)
				near += max(lo-post, post-hi, 0)
				far += max(math.Abs(lo-post), math.Abs(hi-post))
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
		c := verdict.Check{Name: fmt.Sprintf("%s prompts: implied weight follows the posterior", es.Name)}
		posts = append(posts, posteriorSpan(sel.Posterior.Mean))
		checks = append(checks, len(o.Checks))
		if cnt == 0 {
			c.Detail = "weight not identified at any position"
		} else {
			diff, near, far = diff/float64(cnt), near/float64(cnt), far/float64(cnt)
			// Decided by bounds from the per-position 90% intervals of w:
			// holds when even the farthest ends are within tol on average,
			// fails when even the nearest are not.
			verdict.Decide(&c, far <= tol, near > tol)
			c.Detail = fmt.Sprintf("mean |w - posterior| = %s over %d positions, between %s and %s with w at the nearest and farthest ends of its 90%% intervals; needs <= %g (margin %s)",
				num(diff), cnt, num(near), num(far), tol, num(tol-diff))
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
	o.Control = constantWeightControl(o.Checks, checks, postMeans, identified, tol)
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

// constantWeightControl is MS's control: one weight for every position of
// every prompt class, as a model that ignores the context gives, set to the
// median of the posteriors it is compared with (the constant closest to
// them on average), in the mixture's place. Its checks are the rule's, on
// the positions where the mixture's weight is identified; the
// preconditions and the testability of each check are the mixture's.
func constantWeightControl(checks []verdict.Check, at []int, posts, implied [][]float64, tol float64) *verdict.Control {
	var all []float64
	for k, post := range posts {
		for i, v := range post {
			if !math.IsNaN(v) && !math.IsNaN(implied[k][i]) {
				all = append(all, v)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	slices.Sort(all)
	c := all[len(all)/2]
	if len(all)%2 == 0 {
		c = (all[len(all)/2-1] + all[len(all)/2]) / 2
	}
	out := slices.Clone(checks)
	for k, j := range at {
		diff, cnt := 0.0, 0
		for i, v := range posts[k] {
			if !math.IsNaN(v) && !math.IsNaN(implied[k][i]) {
				diff += math.Abs(c - v)
				cnt++
			}
		}
		ck := verdict.Check{Name: checks[j].Name, Untestable: checks[j].Untestable}
		if cnt > 0 {
			diff /= float64(cnt)
			ck.Pass = diff <= tol
			ck.Detail = fmt.Sprintf("mean |%s - posterior| = %s over %d positions; needs <= %g (margin %s)", num(c), num(diff), cnt, tol, num(tol-diff))
		}
		out[j] = ck
	}
	return &verdict.Control{Name: fmt.Sprintf("a constant weight %s on every prompt, the posteriors' median, in the mixture's place", num(c)), Checks: out}
}
