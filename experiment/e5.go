package experiment

import (
	_ "embed"
	"fmt"
	"icl/eval"
	"icl/prompt"
	"icl/verdict"
	"math"
)

//go:embed e5.yaml
var e5YAML string

func init() {
	Register(Registration{ID: "E5", Order: 50, YAML: e5YAML, Analyze: analyzeSweepE5,
		Summary: "sweep of the convex-combination weight alpha"})
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
	tf := ModelKey(sw.Models[0])
	p := e.n - 1
	l := s.Line(tf, p)
	ratio, floor := e.def.Param("ratio"), e.def.Param("floor")
	o.Checks = checksE5(s, l, p, ratio, floor)
	// The control: nearest neighbours, which know neither class.
	o.Control = &verdict.Control{Name: "nearest neighbours (no pretraining mixture) in the model's place", Checks: checksE5(s, s.Line(keyKNN, p), p, ratio, floor)}
	o.Tables = append(o.Tables, sweepTable(fmt.Sprintf("Error at %d examples against alpha (weight of the linear part), mean [90%% interval]", p), "alpha", s, p))
	e.sweepFigure(o, s, "sweep_alpha", "E5: error against the combination weight", "alpha (weight of the linear part)")
	return o, nil
}

// checksE5 is E5's rule on sweep line l (one predictor at position p).
func checksE5(s *eval.Sweep, l *eval.SweepLine, p int, ratio, floor float64) []verdict.Check {
	nan := verdict.Estimate{M: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}
	e0, e1, mid, midA := nan, nan, verdict.Estimate{M: math.Inf(-1)}, math.NaN()
	for j, a := range s.X {
		switch {
		case a == 0:
			e0 = estLine(l, j)
		case a == 1:
			e1 = estLine(l, j)
		case estLine(l, j).M > mid.M:
			mid, midA = estLine(l, j), a
		}
	}
	ends := e0
	if e1.M > e0.M {
		ends = e1
	}
	ok := verdict.Check{Name: fmt.Sprintf("(precondition) (1) ends reasonable at %d examples: e(0), e(1) < 0.2", p), Precondition: true,
		Detail: fmt.Sprintf("e(0) = %s (pure sine), e(1) = %s (pure linear)", e0, e1)}
	verdict.Decide(&ok, e0.Hi < 0.2 && e1.Hi < 0.2, e0.Lo >= 0.2 || e1.Lo >= 0.2)
	return []verdict.Check{ok, verdict.GeApart(fmt.Sprintf("(2) middle worse at %d examples", p), mid, ends, ratio, floor,
		fmt.Sprintf("max e(alpha) = e(%g)", midA), "max(e(0), e(1))")}
}
