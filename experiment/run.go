package experiment

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"icl/atomicfile"
	"icl/eval"
	"icl/gpt"
	"icl/train"
)

// Model is a pretrained model that an experiment reads in one of its run
// roles.
type Model struct {
	Run    string        // its run's name, "small/dense_sparse"
	Cfg    *train.Config // its run's config
	M      *gpt.Model
	SHA256 string // of its model file: its identity in the evaluation cache
}

// AnalyzeOptions are what an experiment's analysis needs besides its models.
type AnalyzeOptions struct {
	// Cache keeps evaluation results between invocations (NewEvalCache);
	// nil keeps none.
	Cache *EvalCache
	// EvalSeed, when not 0, redraws every evaluation's prompts and Monte
	// Carlo functions from other streams than the standard ones.
	EvalSeed uint64
	// Log receives progress lines; nil drops them.
	Log func(format string, args ...any)
}

// ProbePrompts is the number of prompts per setting EstimateCost times.
const ProbePrompts = 16

// EstimateCost predicts how long Analyze takes for d at scale with models:
// it runs the analysis with ProbePrompts prompts per evaluation setting,
// timing each setting and scaling its time to the scale's prompts; a
// setting the cache (opts.Cache) holds in full costs nothing. Work outside
// the settings' evaluations (drawing, bootstraps of derived quantities) is
// not counted.
func EstimateCost(d *Def, scale *Scale, models map[string]*Model, opts AnalyzeOptions) (time.Duration, error) {
	opts.Log = nil
	e, err := newEnv(d, scale, models, opts)
	if err != nil {
		return 0, err
	}
	e.probe, e.probeCache, e.cache = ProbePrompts, e.cache, nil
	if _, err := registry[d.ID].Analyze(e); err != nil {
		return 0, err
	}
	return e.cost, nil
}

// Analyze analyses experiment d at scale with its models by run role (every
// role of d.Runs), and returns its outcome with the verdict set. The runs
// must share one input dimension and prompt length: the experiment's
// evaluations draw prompts of that shape.
func Analyze(d *Def, scale *Scale, models map[string]*Model, opts AnalyzeOptions) (*Outcome, error) {
	e, err := newEnv(d, scale, models, opts)
	if err != nil {
		return nil, err
	}
	o, err := registry[d.ID].Analyze(e)
	if err != nil {
		return nil, err
	}
	o.Verdict = Verdict(o.Checks)
	o.applyControl()
	return o, nil
}

// Write writes the experiment's results (JSON, CSV), figures (SVG, PNG)
// and verdict (verdict.json) to dir, and keeps the SVGs in o.SVGs.
func (o *Outcome) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(o.Results.Settings) > 0 {
		if err := o.Results.Save(dir, "results"); err != nil {
			return err
		}
	}
	for i, s := range o.Sweeps {
		base := "sweep"
		if i > 0 {
			base = fmt.Sprintf("sweep%d", i+1)
		}
		if err := atomicfile.Write(filepath.Join(dir, base+".json"), s.WriteJSON); err != nil {
			return err
		}
		if err := atomicfile.Write(filepath.Join(dir, base+".csv"), s.WriteCSV); err != nil {
			return err
		}
	}
	if len(o.Selections) > 0 {
		if err := atomicfile.WriteJSON(filepath.Join(dir, "selection.json"), o.Selections); err != nil {
			return err
		}
	}
	if len(o.Fitted) > 0 {
		if err := atomicfile.WriteJSON(filepath.Join(dir, "fitted.json"), o.Fitted); err != nil {
			return err
		}
	}
	type checkJSON struct {
		Name         string `json:"name"`
		Detail       string `json:"detail"`
		Pass         bool   `json:"pass"`
		Inconclusive bool   `json:"inconclusive,omitempty"`
		Precondition bool   `json:"precondition,omitempty"`
		Untestable   string `json:"untestable,omitempty"`
	}
	type controlJSON struct {
		Name    string      `json:"name"`
		Verdict string      `json:"verdict"`
		Summary string      `json:"summary"`
		Note    string      `json:"note"`
		Checks  []checkJSON `json:"checks"`
	}
	checks := func(cs []Check) []checkJSON {
		var out []checkJSON
		for _, c := range cs {
			out = append(out, checkJSON{c.Name, c.Detail, c.Pass, c.Inconclusive, c.Precondition, c.Untestable})
		}
		return out
	}
	t := Count(o.Checks)
	v := struct {
		ID           string       `json:"id"`
		Verdict      string       `json:"verdict"`
		Summary      string       `json:"summary"`
		Held         int          `json:"held"`
		Testable     int          `json:"testable"`
		Claims       int          `json:"claims"`
		Inconclusive int          `json:"inconclusive"`
		Checks       []checkJSON  `json:"checks"`
		Control      *controlJSON `json:"control,omitempty"`
	}{ID: o.Def.ID, Verdict: o.Verdict, Summary: t.String(), Held: t.Held, Testable: t.Testable, Claims: t.Claims,
		Inconclusive: t.Inconclusive, Checks: checks(o.Checks)}
	if c := o.Control; c != nil {
		v.Control = &controlJSON{Name: c.Name, Verdict: c.Verdict, Summary: Count(c.Checks).String(), Note: o.ControlNote(), Checks: checks(c.Checks)}
	}
	if err := atomicfile.WriteJSON(filepath.Join(dir, "verdict.json"), v); err != nil {
		return err
	}
	o.SVGs = make([][]byte, len(o.Figures))
	for i, f := range o.Figures {
		for _, format := range []string{"svg", "png"} {
			b, err := f.F.Render(format)
			if err != nil {
				return fmt.Errorf("figure %s: %w", f.Name, err)
			}
			if format == "svg" {
				o.SVGs[i] = b
			}
			if err := atomicfile.WriteBytes(filepath.Join(dir, f.Name+"."+format), b); err != nil {
				return err
			}
		}
	}
	return nil
}

// newEnv is the env of d's analysis at scale with models by role.
func newEnv(d *Def, scale *Scale, models map[string]*Model, opts AnalyzeOptions) (*env, error) {
	log := opts.Log
	if log == nil {
		log = func(string, ...any) {}
	}
	e := &env{def: d, scale: scale, models: map[string]*model{}, log: log, evalSeed: opts.EvalSeed, cache: opts.Cache,
		eopts: eval.Options{Boots: max(scale.Boots, 0), BootSeed: 1}}
	if scale.Boots == 0 {
		e.eopts.Boots = -1
	}
	for i := range d.Runs {
		ref := &d.Runs[i]
		m := models[ref.Role]
		if m == nil {
			panic("experiment " + d.ID + ": no model for role " + ref.Role)
		}
		label := ref.Label
		if label == "" {
			label = "transformer: " + ref.RunName()
		}
		e.models[ref.Role] = &model{Model: *m, role: ref.Role, label: label}
		dim, n := m.Cfg.Data.Dim, m.Cfg.Data.Points
		if i == 0 {
			e.d, e.n = dim, n
		} else if dim != e.d || n != e.n {
			return nil, fmt.Errorf("experiment %s: run %s has d = %d and %d points, run %s d = %d and %d points; "+
				"an experiment's runs share one prompt shape", d.ID, m.Run, dim, n, models[d.Runs[0].Role].Run, e.d, e.n)
		}
	}
	return e, nil
}
