package experiment

import (
	"fmt"
	"time"

	"icl/eval"
	"icl/evalcache"
	"icl/gpt"
	"icl/train"
	"icl/verdict"
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
	// Cache keeps evaluation results between invocations (evalcache.New);
	// nil keeps none.
	Cache *evalcache.Cache
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
	o.Verdict = verdict.Verdict(o.Checks)
	o.applyControl()
	return o, nil
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
