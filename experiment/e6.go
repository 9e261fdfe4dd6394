package experiment

import (
	_ "embed"
	"fmt"
	"icl/eval"
	"icl/prompt"
	"icl/task"
	"icl/verdict"
)

//go:embed e6.yaml
var e6YAML string

func init() {
	Register(Registration{ID: "E6", Order: 60, YAML: e6YAML, Analyze: analyzeSweepE6,
		Summary: "frequencies outside the pretraining band"})
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
	tf := ModelKey(sw.Models[0])
	p := e.n - 1
	l := s.Line(tf, p)
	ratio, floor := e.def.Param("ratio"), e.def.Param("floor")
	last := len(xs) - 1
	checks := func(l *eval.SweepLine) []verdict.Check {
		ein := estLine(l, in)
		return []verdict.Check{verdict.Learned(fmt.Sprintf("in-band error %s at %d examples", s.Settings[in], p), ein, e.def.Param("good")),
			verdict.GeApart(fmt.Sprintf("(1) highest band %s fails at %d examples", s.Settings[last], p), estLine(l, last), ein, ratio, floor, "e(highest)", "e(in band)"),
			verdict.GeApart(fmt.Sprintf("(2) lowest band %s fails at %d examples", s.Settings[0], p), estLine(l, 0), ein, ratio, floor, "e(lowest)", "e(in band)")}
	}
	o.Checks = checks(l)
	// The control: nearest neighbours, which know no pretraining band.
	o.Control = &verdict.Control{Name: "nearest neighbours (no pretraining band) in the model's place", Checks: checks(s.Line(keyKNN, p))}
	o.Tables = append(o.Tables, sweepTable(fmt.Sprintf("Error at %d examples per frequency band, mean [90%% interval]", p), "omega band", s, p))
	f := e.sweepFigure(o, s, "sweep_omega", "E6: error against the frequency band", "frequency omega (band centre)")
	f.LogX = true // the low bands sit a decade below the pretraining band
	return o, nil
}
