package experiment

import (
	"fmt"
	"math"
	"slices"
	"time"

	"icl/baseline"
	"icl/config"
	"icl/eval"
	"icl/evalcache"
	"icl/gpt"
	"icl/plot"
	"icl/prompt"
	"icl/report"
	"icl/rng"
	"icl/runeval"
	"icl/task"
	"icl/verdict"

	"gopkg.in/yaml.v3"
)

// model is a loaded pretrained transformer in an experiment, in its role.
type model struct {
	Model
	role, label string
}

// env is what an experiment's analysis works with.
type env struct {
	def    *Def
	scale  *Scale
	models map[string]*model
	d, n   int // input dimension and points, the same for every run (Analyze checks)
	eopts  eval.Options
	log    func(format string, args ...any)
	// evalSeed, when not 0, redraws every evaluation's prompts and Monte
	// Carlo functions (Options.EvalSeed).
	evalSeed uint64
	// roles maps each predictor's key (eval.Predictor.Key) to what it is
	// in figures (a model, a baseline, a reference); set where the
	// predictors are made.
	roles map[string]plot.Role
	// cache holds earlier evaluations' results; nil: none kept.
	cache *evalcache.Cache
	// probe, when > 0, makes every evaluation draw only that many prompts,
	// to time it (EstimateCost): cost adds each setting's time scaled to
	// the scale's prompt count, or nothing when the cache holds the
	// setting's full evaluation.
	probe      int
	cost       time.Duration
	probeCache *evalcache.Cache // the cache whose full evaluations cost nothing; cache is nil while probing
}

// prompts is the number of prompts per evaluation setting: the scale's, or
// probe's while probing.
func (e *env) prompts() int {
	if e.probe > 0 {
		return min(e.probe, e.scale.Prompts)
	}
	return e.scale.Prompts
}

// probed adds to cost, while probing, the time since t0 of work done on
// prompts prompts, scaled to the scale's prompt count.
func (e *env) probed(t0 time.Time, prompts int) {
	if e.probe > 0 && prompts > 0 {
		e.cost += time.Duration(float64(time.Since(t0)) * float64(e.scale.Prompts) / float64(prompts))
	}
}

// Curve keys. Analyses find a curve by its key (eval.Curve.Key), never by
// its legend label: a pretrained model by ModelKey of its run role, a
// baseline by what it is (runeval.BaselineCurve), a reference by the key its
// analysis gives it (e.g. KeyMixtureBayes).
const (
	keyLeastSquares = runeval.KeyLeastSquares
	keyLassoBest    = runeval.KeyLassoBest
	keyKNN          = runeval.KeyKNN
	keyBayes        = runeval.KeyBayes
	keyBayesMC      = runeval.KeyBayesMC
	// KeyMixtureBayes is the key of the Bayes predictor of a model's pretraining mixture.
	KeyMixtureBayes = "reference/mixture_bayes"
)

// ModelKey is the key of the curve of the model pretrained by run role.
func ModelKey(role string) string { return "model/" + role }

// classBayesKey is the key of the exact Bayes predictor of component i of a
// model's pretraining mixture.
func classBayesKey(i int) string { return fmt.Sprintf("reference/class_bayes_%d", i) }

// setRole records what the predictor with key key is, for figures.
func (e *env) setRole(key string, r plot.Role) {
	if e.roles == nil {
		e.roles = map[string]plot.Role{}
	}
	e.roles[key] = r
}

// reference returns a reference predictor (a Bayes predictor that is not a
// baseline of the class) with key key under label, recorded as such.
func (e *env) reference(p baseline.Predictor, key, label string) eval.Predictor {
	e.setRole(key, plot.RoleReference)
	return eval.Baseline{P: p, Label: label, ID: key}
}

// Fig is a drawn figure of an experiment.
type Fig struct {
	Name, Caption string
	F             *plot.Figure
}

// Outcome is an analysed experiment.
type Outcome struct {
	Def        *Def
	Results    *eval.Results
	Sweeps     []*eval.Sweep
	Selections []*eval.Selection
	Fitted     []*eval.Fitted
	Figures    []Fig
	// SVGs are the figures rendered once, when written (writeOutcome), and
	// embedded in the report as they are.
	SVGs    [][]byte
	Tables  []report.Table
	Checks  []verdict.Check
	Verdict string
	// Control, when set, is the same rule applied with a control in the
	// place of the model the claim is about (Analyze decides its verdict).
	Control *verdict.Control
	Elapsed time.Duration
}

// applyControl decides o.Control's verdict and, when the control earns the
// model's supported or partly supported verdict, makes o's verdict
// NotTestable (verdict.Control.Apply).
func (o *Outcome) applyControl() {
	if o.Control != nil {
		o.Verdict = o.Control.Apply(o.Verdict)
	}
}

// ControlNote says what the control earned and what it means for the
// verdict; "" without a control.
func (o *Outcome) ControlNote() string {
	if o.Control == nil {
		return ""
	}
	return o.Control.Note(verdict.Verdict(o.Checks))
}

func (e *env) newOutcome() *Outcome {
	return &Outcome{Def: e.def, Results: &eval.Results{Level: e.level(), Boots: e.scale.Boots}}
}

func (e *env) level() float64 { return eval.DefaultLevel }

// seed returns the evaluation seed of setting name in this experiment: the same
// prompts for every predictor of the setting, different prompts across settings.
func (e *env) seed(name string) uint64 {
	s := e.def.ID + "/" + name
	if e.evalSeed != 0 {
		s += fmt.Sprintf("#%d", e.evalSeed)
	}
	return rng.Name(s)
}

// baselineOptions are the baseline parameters of the scale.
func (e *env) baselineOptions() baseline.Options {
	o := baseline.DefaultOptions()
	o.RidgeLambdas = nil
	o.LassoAlphas = e.scale.LassoAlphas
	o.MCSamples = e.scale.MCSamples
	o.MCSeed = e.seed("mc")
	return o
}

// baselines returns the labeled baselines of class c whose names start with
// one of prefixes (baseline.Select); none when prefixes is empty. An exact
// sparse Bayes predictor that would sum over more than maxSupports supports
// is skipped (too costly).
func (e *env) baselines(c task.Class, prefixes []string) ([]eval.Predictor, error) {
	if len(prefixes) == 0 {
		return nil, nil
	}
	ps, err := baseline.Select(c, e.baselineOptions(), prefixes)
	if err != nil {
		return nil, err
	}
	var out []eval.Predictor
	for _, p := range ps {
		if bs, ok := p.(baseline.BayesSparse); ok && binomial(c.Dim(), bs.K) > maxSupports {
			e.log("skipping %s: %.0f supports", p.Name(), binomial(c.Dim(), bs.K))
			continue
		}
		key, label, role := runeval.BaselineCurve(p)
		e.setRole(key, role)
		out = append(out, eval.Baseline{P: p, Label: label, ID: key})
	}
	return out, nil
}

// maxSupports bounds the exact sparse Bayes predictor's sum over supports.
const maxSupports = 5000

func binomial(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

func (e *env) transformers(roles []string) []eval.Predictor {
	var out []eval.Predictor
	for _, r := range roles {
		m := e.models[r]
		e.setRole(ModelKey(r), plot.RoleModel)
		label := m.label
		if m.M.Cfg.Families > 0 {
			// Asked without its family indicator (shown adds the model
			// asked with it).
			label += ", hidden"
		}
		out = append(out, &eval.Transformer{Label: label, ID: ModelKey(r), Model: m.M})
	}
	return out
}

// evaluate scores models (run roles), the selected baselines of the class and
// extra predictors on the prompts of one setting.
func (e *env) evaluate(name string, spec task.Spec, ps prompt.Setting, roles, prefixes []string, extra []eval.Predictor) (*eval.SettingResult, error) {
	c, err := spec.Build(e.d)
	if err != nil {
		return nil, fmt.Errorf("experiment %s, setting %s: %w", e.def.ID, name, err)
	}
	bs, err := e.baselines(c, prefixes)
	if err != nil {
		return nil, err
	}
	preds := append(e.transformers(roles), bs...)
	preds = append(preds, extra...)
	s := eval.Setting{Name: name, Task: spec, Prompt: ps, Prompts: e.scale.Prompts, Seed: e.seed(name)}
	cache := e.cache
	if e.probe > 0 {
		cache = e.probeCache
	}
	var keys []string
	for _, p := range preds {
		keys = append(keys, p.Key()+"="+p.Name())
	}
	key := e.cacheKey(cache, "evaluate", struct {
		Setting    eval.Setting
		D, N       int
		Options    eval.Options
		Predictors []string
	}{s, e.d, e.n, e.eopts, keys}, roles)
	var r *eval.SettingResult
	if e.probe > 0 {
		if cache.Has(key) && cache.Load(key, &r) {
			return r, nil // cached in full: costs nothing, and the analysis reads it
		}
		s.Prompts = e.prompts()
		t0 := time.Now()
		if r, err = eval.Evaluate(s, e.d, e.n, preds, e.eopts); err != nil {
			return nil, fmt.Errorf("experiment %s, setting %s: %w", e.def.ID, name, err)
		}
		e.probed(t0, s.Prompts)
		return r, nil
	}
	if e.cache.Load(key, &r) {
		e.log("%s (%s): %d predictors on %d prompts, from the evaluation cache", name, r.Class, len(preds), r.B)
		return r, nil
	}
	t0 := time.Now()
	r, err = eval.Evaluate(s, e.d, e.n, preds, e.eopts)
	if err != nil {
		return nil, fmt.Errorf("experiment %s, setting %s: %w", e.def.ID, name, err)
	}
	e.log("evaluated %s (%s): %d predictors on %d prompts in %s", name, r.Class, len(preds), r.B, time.Since(t0).Round(10*time.Millisecond))
	kept := *r
	kept.Batch = nil // drawn again from its seed when needed; the cache keeps the results
	if err := e.cache.Store(key, &kept); err != nil {
		e.log("evaluation cache: %v", err)
	}
	return r, nil
}

// evaluateDefs runs every EvalSpec of the definition into o.Results.
func (e *env) evaluateDefs(o *Outcome) error {
	for i, es := range e.def.Evals {
		spec, err := e.resolve(fmt.Sprintf("evals[%d].task", i), es.Task)
		if err != nil {
			return err
		}
		r, err := e.evaluate(es.Name, spec, es.Prompt, es.Models, es.Baselines, nil)
		if err != nil {
			return err
		}
		o.Results.Settings = append(o.Results.Settings, r)
	}
	return nil
}

// label returns the legend label of a run role, for display only: curves are
// found by ModelKey.
func (e *env) label(role string) string { return e.models[role].label }

// at returns the mean error of the predictor with key key at position p of
// setting r (NaN if missing).
func at(r *eval.SettingResult, key string, p int) float64 {
	c := r.Curve(key)
	if c == nil {
		return math.NaN()
	}
	m, _, _ := c.At(p)
	return m
}

// iclFigure draws every curve of r, each styled by its role.
func (e *env) iclFigure(title string, r *eval.SettingResult) *plot.Figure {
	var ss []plot.Series
	for _, c := range r.Curves {
		x := make([]float64, len(c.Mean))
		for i := range x {
			x[i] = float64(i)
		}
		ss = append(ss, plot.Series{Name: c.Name, X: x, Y: c.Mean, Lo: c.Lo, Hi: c.Hi, Role: e.roleOf(c.Key)})
	}
	return plot.ICLCurves(title, r.ZeroError, ss...)
}

// roleOf is what the predictor with key key is in figures; a predictor made
// elsewhere than transformers, baselines or reference is a programmer error.
func (e *env) roleOf(key string) plot.Role {
	r, ok := e.roles[key]
	if !ok {
		panic("experiment " + e.def.ID + ": predictor " + key + " has no role")
	}
	return r
}

// sweepSeries returns the line of the predictor with key key at position as
// a plot series named name.
func (e *env) sweepSeries(sw *eval.Sweep, key string, position int, name string) (plot.Series, bool) {
	l := sw.Line(key, position)
	if l == nil {
		return plot.Series{}, false
	}
	return plot.Series{Name: name, X: sw.X, Y: l.Mean, Lo: l.Lo, Hi: l.Hi, Role: e.roleOf(key)}, true
}

// examples names a position: "1 example", "4 examples".
func examples(p int) string {
	if p == 1 {
		return "1 example"
	}
	return fmt.Sprintf("%d examples", p)
}

// curveTable tabulates "mean [lo, hi]" of every curve of r at positions.
func curveTable(caption string, r *eval.SettingResult, positions []int) report.Table {
	return curvesTable(caption, "predictor", r.Curves, positions)
}

// curvesTable tabulates "mean [lo, hi]" of each curve of cs at positions, a
// row per curve, its name in the first column (headed first).
func curvesTable(caption, first string, cs []eval.Curve, positions []int) report.Table {
	t := report.Table{Caption: caption, Header: []string{first}}
	for _, p := range positions {
		t.Header = append(t.Header, examples(p))
	}
	for _, c := range cs {
		row := []string{c.Name}
		for _, p := range positions {
			m, lo, hi := c.At(p)
			row = append(row, fmt.Sprintf("%s [%s, %s]", num(m), num(lo), num(hi)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// clampPos keeps a position inside [0, n-1].
func clampPos(p, n int) int { return max(0, min(p, n-1)) }

// pretrainedK returns the number of non-zero coefficients of the
// sparse_linear class that the experiment's runs were pretrained on, alone or
// as a mixture component. It is an error if no run saw a sparse class or if
// runs saw different k.
func (e *env) pretrainedK() (int, error) {
	var ks []int
	var walk func(s *task.Spec)
	walk = func(s *task.Spec) {
		if s.Class == task.ClassSparseLinear && !slices.Contains(ks, s.K) {
			ks = append(ks, s.K)
		}
		for i := range s.Of {
			walk(&s.Of[i])
		}
	}
	for _, r := range e.def.Runs {
		if m := e.models[r.Role]; m != nil {
			walk(&m.Cfg.Task)
		}
	}
	if len(ks) != 1 {
		return 0, fmt.Errorf("the runs were pretrained on sparse_linear with k in %v, not one k", ks)
	}
	return ks[0], nil
}

// resolve fills what an evaluation task leaves to the pretraining runs: a
// sparse_linear task without k is evaluated at the k the runs were pretrained
// on, so one experiment config serves every scale (the small preset pretrains
// on 1 of 8 coordinates, the paper preset on 2 of 20).
func (e *env) resolve(field string, spec task.Spec) (task.Spec, error) {
	if spec.Class != task.ClassSparseLinear || spec.K != 0 {
		return spec, nil
	}
	k, err := e.pretrainedK()
	if err != nil {
		return spec, &config.Error{Path: "experiment " + e.def.ID + ": " + field + ".k",
			Msg: "not given, so it must follow the pretraining runs, but " + err.Error() + "; give k"}
	}
	spec.K = k
	return spec, nil
}

// num formats a number for checks and tables (verdict.Num).
var num = verdict.Num

// cacheKey is the key in c of an evaluation of e described by what (any
// value that JSON-encodes the evaluation's own arguments), with the models
// of roles: everything its result is a function of besides icl's code.
func (e *env) cacheKey(c *evalcache.Cache, kind string, what any, roles []string) string {
	if c == nil {
		return ""
	}
	type modelID struct {
		Role, SHA256, Label, Numerics string
	}
	var ms []modelID
	for _, r := range roles {
		m := e.models[r]
		ms = append(ms, modelID{r, m.SHA256, m.label, gpt.NumericsID(gpt.FP32)})
	}
	scale, err := yaml.Marshal(e.scale) // its fields as the scale's file has them
	if err != nil {
		panic(err)
	}
	return c.Key(struct {
		Def, Kind, Scale, ScaleName, Precision string
		EvalSeed                               uint64
		What                                   any
		Models                                 []modelID
	}{e.def.Source, kind, string(scale), e.scale.Name, e.scale.Precision, e.evalSeed, what, ms})
}
