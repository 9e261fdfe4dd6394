package experiment

import (
	"fmt"
	"math"
	"strings"
	"time"

	"icl/baseline"
	"icl/config"
	"icl/eval"
	"icl/plot"
	"icl/prompt"
	"icl/report"
	"icl/rng"
	"icl/task"
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
	cache *EvalCache
	// probe, when > 0, makes every evaluation draw only that many prompts,
	// to time it (EstimateCost): cost adds each setting's time scaled to
	// the scale's prompt count, or nothing when the cache holds the
	// setting's full evaluation.
	probe      int
	cost       time.Duration
	probeCache *EvalCache // the cache whose full evaluations cost nothing; cache is nil while probing
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
// baseline by what it is (baselineCurve), a reference by the key its
// analysis gives it (e.g. KeyMixtureBayes).
const (
	keyLeastSquares = "baseline/least_squares"
	keyLassoBest    = "baseline/lasso_best"
	keyKNN          = "baseline/knn"
	// keyBayes is the class's exact Bayes predictor, whichever class.
	keyBayes = "baseline/bayes"
	// keyBayesMC is the class's Monte Carlo Bayes predictor.
	keyBayesMC = "baseline/bayes_mc"
	// KeyMixtureBayes is the key of the Bayes predictor of a model's pretraining mixture.
	KeyMixtureBayes = "reference/mixture_bayes"
)

// ModelKey is the key of the curve of the model pretrained by run role.
func ModelKey(role string) string { return "model/" + role }

// classBayesKey is the key of the exact Bayes predictor of component i of a
// model's pretraining mixture.
func classBayesKey(i int) string { return fmt.Sprintf("reference/class_bayes_%d", i) }

// baselineCurve returns the key, legend label and figure role of the curve of
// baseline p, by what p is: the Bayes predictors are references, the others
// baselines.
func baselineCurve(p baseline.Predictor) (key, label string, role plot.Role) {
	switch p := p.(type) {
	case baseline.LeastSquares:
		return keyLeastSquares, "least squares", plot.RoleBaseline
	case baseline.LassoBest:
		return keyLassoBest, "lasso (best alpha in hindsight)", plot.RoleBaseline
	case baseline.KNN:
		return keyKNN, fmt.Sprintf("%d-nearest neighbours", p.K), plot.RoleBaseline
	case *baseline.MonteCarlo:
		return keyBayesMC, "Bayes (Monte Carlo)", plot.RoleReference
	case baseline.Evidence:
		// Exact (baseline.Exact): dense, sparse, pool, mixture.
		return keyBayes, "Bayes-optimal", plot.RoleReference
	}
	return "baseline/" + p.Name(), p.Name(), plot.RoleBaseline
}

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

// Check is one numeric test of a verdict rule.
type Check struct {
	Name   string
	Detail string // the deciding numbers
	Pass   bool
	// Precondition marks a check that the models learned enough for the
	// claim to be tested at all (e.g. a specialist predicts its own class
	// well). A failed precondition makes the verdict NotTestable whatever
	// the other checks say: agreement between models that learned nothing
	// is not evidence for the claim.
	Precondition bool
	// Untestable, when not empty, says with its numbers why this check of
	// the claim cannot tell at this scale (e.g. the two specialists it
	// compares against score the same, so matching one says nothing). Such
	// a check counts neither for nor against the claim.
	Untestable string
	// Inconclusive marks a check decided by an interval that straddles its
	// threshold: it neither holds nor fails (Pass is false), and tallies
	// count it apart.
	Inconclusive bool
}

// Tally counts the claim's checks (preconditions excluded): how many hold,
// how many can be tested at this scale, and how many there are in all. The
// terminal, verdict.json and the report all count with it.
type Tally struct {
	Held, Testable, Claims int
	Inconclusive           int // of Testable, neither held nor failed
	// FailedPre is the first failed precondition, or nil.
	FailedPre *Check
}

// Count tallies checks.
func Count(checks []Check) Tally {
	var t Tally
	for i, c := range checks {
		if c.Precondition {
			if !c.Pass && t.FailedPre == nil {
				t.FailedPre = &checks[i]
			}
			continue
		}
		t.Claims++
		if c.Untestable != "" {
			continue
		}
		t.Testable++
		if c.Pass {
			t.Held++
		} else if c.Inconclusive {
			t.Inconclusive++
		}
	}
	return t
}

// String is the count in words, e.g. "2 of the claim's 4 checks hold (1
// not testable at this scale)."
func (t Tally) String() string {
	if t.FailedPre != nil {
		what := "Precondition failed"
		if t.FailedPre.Inconclusive {
			what = "Precondition not established (its interval straddles the threshold)"
		}
		return fmt.Sprintf("%s: %s (%s).", what, strings.TrimPrefix(t.FailedPre.Name, "(precondition) "), t.FailedPre.Detail)
	}
	if t.Testable == 0 {
		return fmt.Sprintf("None of the claim's %s can tell at this scale (each row of the table says why).", report.Plural(t.Claims, "check"))
	}
	var s string
	switch {
	case t.Claims == 1 && t.Held == 1:
		s = "The claim's one check holds"
	case t.Claims == 1 && t.Inconclusive == 1:
		return "The claim's one check is inconclusive (its interval straddles the threshold)."
	case t.Claims == 1:
		s = "The claim's one check does not hold"
	case t.Held == 0:
		s = fmt.Sprintf("None of the claim's %d checks holds", t.Claims)
	case t.Held == 1:
		s = fmt.Sprintf("1 of the claim's %d checks holds", t.Claims)
	default:
		s = fmt.Sprintf("%d of the claim's %d checks hold", t.Held, t.Claims)
	}
	if n := t.Claims - t.Testable; n > 0 {
		s += fmt.Sprintf(" (%d not testable at this scale)", n)
	}
	if t.Inconclusive > 0 {
		s += fmt.Sprintf("; %d inconclusive (its interval straddles the threshold)", t.Inconclusive)
	}
	return s + "."
}

// Verdict returns the verdict of checks: NotTestable when a precondition
// fails or is not established (inconclusive), when no check of the claim can
// be tested at this scale, or when every testable one is inconclusive;
// otherwise
// Supported when every check of the claim is testable and holds, Partly when
// some hold, NotAtScale when none of the testable ones does.
func Verdict(checks []Check) string {
	t := Count(checks)
	switch {
	case t.FailedPre != nil || t.Testable == 0:
		return report.NotTestable
	case t.Held == 0 && t.Inconclusive == t.Testable:
		// Every testable check straddles its threshold: the numbers decide
		// nothing either way at this scale and prompt count.
		return report.NotTestable
	case t.Held == t.Claims:
		return report.Supported
	case t.Held > 0:
		return report.Partly
	}
	return report.NotAtScale
}

// RuleVerdict is the part of every rule that turns checks into a verdict,
// generated from the checks themselves so that the rule as written, the
// table and the verdict agree.
func RuleVerdict(checks []Check) string {
	var pre []string
	claims := 0
	for _, c := range checks {
		if c.Precondition {
			pre = append(pre, strings.TrimPrefix(c.Name, "(precondition) "))
		} else {
			claims++
		}
	}
	var b strings.Builder
	if len(pre) > 0 {
		fmt.Fprintf(&b, "Preconditions, without which the claim cannot be tested (thresholds in the table): %s. If one fails or is inconclusive, the verdict is %q. ",
			strings.Join(pre, "; "), report.NotTestable)
	}
	fmt.Fprintf(&b, "A check of the claim that cannot tell at this scale (its table row says why) counts neither way; if none can, or if every one that can is inconclusive, the verdict is %q. ", report.NotTestable)
	switch claims {
	case 1:
		fmt.Fprintf(&b, "The claim has one check: %q if it holds, %q if not.", report.Supported, report.NotAtScale)
	default:
		fmt.Fprintf(&b, "The claim has %d checks: %q if all %d hold, %q if some hold (or all that can be tested), %q if none holds.",
			claims, report.Supported, claims, report.Partly, report.NotAtScale)
	}
	return b.String()
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
	Checks  []Check
	Verdict string
	// Control, when set, is the same rule applied with a control in the
	// place of the model the claim is about (Analyze decides its verdict).
	Control *Control
	Elapsed time.Duration
}

// Control is an experiment's rule applied again with a control in the place
// of the model the claim is about: a model or predictor that should not
// earn the claim's verdict. When it earns the same supported or partly
// supported verdict as the real model, the checks do not discriminate, and
// the experiment's verdict is NotTestable.
type Control struct {
	// Name says what stands in for what, e.g. "the dense-only model in the
	// mixture's place".
	Name    string
	Checks  []Check
	Verdict string
}

// applyControl decides o.Control's verdict and, when the control earns the
// real model's supported or partly supported verdict, makes o's verdict
// NotTestable: the checks cannot tell the claim's model from the control.
func (o *Outcome) applyControl() {
	c := o.Control
	if c == nil {
		return
	}
	c.Verdict = Verdict(c.Checks)
	if (o.Verdict == report.Supported || o.Verdict == report.Partly) && c.Verdict == o.Verdict {
		o.Verdict = report.NotTestable
	}
}

// ControlNote says what the control earned and what it means for the
// verdict; "" without a control.
func (o *Outcome) ControlNote() string {
	c := o.Control
	if c == nil {
		return ""
	}
	s := fmt.Sprintf("Control: with %s, the same rule gives %q (%s)", c.Name, c.Verdict, strings.TrimSuffix(Count(c.Checks).String(), "."))
	own := Verdict(o.Checks)
	switch {
	case (own == report.Supported || own == report.Partly) && c.Verdict == own:
		return s + fmt.Sprintf(": the checks do not tell the model from the control, so the verdict %q becomes %q.", own, report.NotTestable)
	case c.Verdict == own:
		return s + ": the same verdict as the model's."
	}
	return s + fmt.Sprintf(": the checks tell the model (%q) from the control.", own)
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
		key, label, role := baselineCurve(p)
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
	key := cache.key(e, "evaluate", struct {
		Setting    eval.Setting
		D, N       int
		Options    eval.Options
		Predictors []string
	}{s, e.d, e.n, e.eopts, keys}, roles)
	var r *eval.SettingResult
	if e.probe > 0 {
		cached := cache.has(key)
		s.Prompts = e.prompts()
		t0 := time.Now()
		r, err = eval.Evaluate(s, e.d, e.n, preds, e.eopts)
		if err != nil {
			return nil, fmt.Errorf("experiment %s, setting %s: %w", e.def.ID, name, err)
		}
		if !cached {
			e.probed(t0, s.Prompts)
		}
		return r, nil
	}
	if e.cache.load(key, &r) {
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
	if err := e.cache.store(key, &kept); err != nil {
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

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
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

// num formats an error value for tables.
func num(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case v != 0 && math.Abs(v) < 1e-3, math.Abs(v) >= 1e4:
		return plot.FormatNumber(v) // 6.7e-23, 1.57e7: a least-squares blow-up stays readable
	}
	return fmt.Sprintf("%.3f", v)
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
		if s.Class == task.ClassSparseLinear && !containsInt(ks, s.K) {
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
