package runeval

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"icl/baseline"
	"icl/eval"
	"icl/gpt"
	"icl/plot"
	"icl/prompt"
	"icl/task"
	"icl/train"
)

// RunOptions configures EvaluateRun and EvaluateModel, the evaluation of one
// training run that `icl eval` makes.
type RunOptions struct {
	Prompts   int      // prompts per setting; 0 means DefaultPrompts
	Boots     int      // bootstrap resamples; 0 means DefaultBoots, < 0 none
	Seed      uint64   // seed of the evaluation prompts
	MCSamples int      // Monte Carlo Bayes samples; 0 means 5000
	Baselines []string // baseline name prefixes; nil means DefaultRunBaselines
	NoOOD     bool     // only in-distribution settings
	// OutDir receives results.json, results.csv and one figure per setting
	// (SVG and PNG); empty means RUN/eval for EvaluateRun, and nothing is
	// written by EvaluateModel.
	OutDir   string
	Progress io.Writer // one line per setting; nil for none
}

// DefaultRunBaselines are the baselines EvaluateRun compares with.
var DefaultRunBaselines = []string{"least_squares", "lasso_best", "knn", "bayes"}

// OODSettings are the out-of-distribution prompt settings of Garg et al.
// that RunSettings adds, by name. half_subspace is skipped for d = 1.
var OODSettings = []struct {
	Name    string
	Setting prompt.Setting
}{
	{"skewed", prompt.Setting{Input: prompt.InputSkewed}},
	{"half_subspace", prompt.Setting{Input: prompt.InputHalfSubspace}},
	{"x_scale_2", prompt.Setting{XScale: 2}},
	{"y_scale_2", prompt.Setting{YScale: 2}},
	{"noisy_0.1", prompt.Setting{Noise: 0.1}},
	{"orthant", prompt.Setting{Query: prompt.QueryOrthant}},
	{"orthogonal", prompt.Setting{Query: prompt.QueryOrthogonal}},
	{"repeat", prompt.Setting{Query: prompt.QueryRepeat}},
}

// RunSettings returns the evaluation settings of a model pretrained on spec in
// dimension d: the pretraining distribution ("pretrain"), each component of a
// mixture ("class0", "class1", ...), then, unless noOOD, the OODSettings on
// the pretraining class.
func RunSettings(spec task.Spec, d, prompts int, seed uint64, noOOD bool) []eval.Setting {
	mk := func(name string, sp task.Spec, ps prompt.Setting) eval.Setting {
		return eval.Setting{Name: name, Task: sp, Prompt: ps, Prompts: prompts, Seed: seed}
	}
	out := []eval.Setting{mk("pretrain", spec, prompt.Setting{})}
	if spec.Class == task.ClassMixture {
		for i, c := range spec.Of {
			if c.Noise == 0 {
				c.Noise = spec.Noise
			}
			out = append(out, mk(fmt.Sprintf("class%d", i), c, prompt.Setting{}))
		}
	}
	if noOOD {
		return out
	}
	for _, o := range OODSettings {
		if o.Setting.Input == prompt.InputHalfSubspace && d < 2 {
			continue
		}
		out = append(out, mk(o.Name, spec, o.Setting))
	}
	return out
}

// EvaluateRun evaluates the trained model of a run directory (config.yaml and
// model.safetensors, as package train writes them) on RunSettings, with the
// baselines, and writes the results next to the run (opts.OutDir, default
// DIR/eval).
func EvaluateRun(dir string, opts RunOptions) (*eval.Results, error) {
	cfg, err := train.LoadConfig(filepath.Join(dir, train.ConfigFile))
	if err != nil {
		return nil, err
	}
	m, mcfg, err := train.LoadModel(filepath.Join(dir, train.ModelFile))
	if err != nil {
		return nil, err
	}
	// Settings and labels come from config.yaml: it must be the config the
	// model was trained under, which the model file carries.
	if mcfg != nil {
		if diff, ok := train.ConfigDiff(cfg, mcfg); ok {
			return nil, fmt.Errorf("%s: %s does not match the training config %s carries: it has %s; "+
				"restore config.yaml, or evaluate the model alone with -weights %s",
				dir, train.ConfigFile, train.ModelFile, diff, filepath.Join(dir, train.ModelFile))
		}
	}
	if opts.OutDir == "" {
		opts.OutDir = filepath.Join(dir, "eval")
	}
	return EvaluateModel(m, cfg, opts)
}

// LoadWeights reads a model file and the training config stored in its
// metadata ("train_config"), for evaluating a weights file without its run.
// A training checkpoint (ckpt-*.safetensors) is read too: its parameters at
// that step and the run's config stored in it.
func LoadWeights(path string) (*gpt.Model, *train.Config, error) {
	m, cfg, err := train.LoadModel(path)
	if err != nil {
		return nil, nil, err
	}
	if cfg == nil {
		return nil, nil, fmt.Errorf("%s: no train_config metadata; evaluate the run directory instead", path)
	}
	return m, cfg, nil
}

// EvaluateModel evaluates m, pretrained with cfg, as EvaluateRun does.
func EvaluateModel(m *gpt.Model, cfg *train.Config, opts RunOptions) (*eval.Results, error) {
	if m.Cfg.Dim != cfg.Data.Dim || m.Cfg.Points < cfg.Data.Points {
		return nil, fmt.Errorf("eval: model (dim %d, %d points) does not match its config (dim %d, %d points)",
			m.Cfg.Dim, m.Cfg.Points, cfg.Data.Dim, cfg.Data.Points)
	}
	d, n := cfg.Data.Dim, cfg.Data.Points
	bo := opts.baselineOptions()
	prefixes := opts.Baselines
	if prefixes == nil {
		prefixes = DefaultRunBaselines
	}
	eo := eval.Options{Boots: opts.Boots, BootSeed: opts.Seed}
	res := eval.NewResults(eo)
	tf := &eval.Transformer{Label: "transformer", ID: KeyRunModel, Model: m}
	roles := map[string]plot.Role{KeyRunModel: plot.RoleModel}
	for _, s := range RunSettings(cfg.Task, d, opts.Prompts, opts.Seed, opts.NoOOD) {
		c, _, _, err := s.Build(d, n)
		if err != nil {
			return nil, err
		}
		ps, err := baseline.Select(c, bo, prefixes)
		if err != nil {
			return nil, err
		}
		preds := []eval.Predictor{tf}
		for _, p := range ps {
			// Legends show the baselines' own names.
			key, _, role := BaselineCurve(p)
			roles[key] = role
			preds = append(preds, eval.Baseline{P: p, ID: key})
		}
		r, err := eval.Evaluate(s, d, n, preds, eo)
		if err != nil {
			return nil, err
		}
		// Only the curves are reported: the prompts, predictions and
		// errors go, so that one setting's are in memory at a time.
		r.Batch, r.Preds, r.Errs = nil, nil, nil
		res.Settings = append(res.Settings, r)
		if opts.Progress != nil {
			tm, _, _ := r.Curve(KeyRunModel).At(n - 1)
			fmt.Fprintf(opts.Progress, "eval %s (%s): transformer error %.3g at %d examples\n", s.Name, r.Class, tm, n-1)
		}
	}
	if opts.OutDir == "" {
		return res, nil
	}
	if err := res.Save(opts.OutDir, "results"); err != nil {
		return nil, err
	}
	for _, r := range res.Settings {
		if err := runFigure(r, roles).Save(filepath.Join(opts.OutDir, r.Setting), 0, 0); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// baselineOptions are the options of the baselines EvaluateModel runs: the
// defaults without ridge, opts.MCSamples Monte Carlo samples (5000 when 0).
func (opts RunOptions) baselineOptions() baseline.Options {
	bo := baseline.DefaultOptions()
	bo.RidgeLambdas = nil
	bo.MCSamples = 5000
	if opts.MCSamples > 0 {
		bo.MCSamples = opts.MCSamples
	}
	return bo
}

// CheckBaselinePrefixes returns an error naming the first of opts.Baselines
// that is the prefix of none of the baselines EvaluateModel would run for a
// model trained under cfg, listing those (a prefix that matches nothing would
// leave its baseline out silently); nil when all match or none is given.
func CheckBaselinePrefixes(cfg *train.Config, opts RunOptions) error {
	if opts.Baselines == nil {
		return nil
	}
	bo := opts.baselineOptions()
	d, n := cfg.Data.Dim, cfg.Data.Points
	var names []string
	for _, s := range RunSettings(cfg.Task, d, opts.Prompts, opts.Seed, opts.NoOOD) {
		c, _, _, err := s.Build(d, n)
		if err != nil {
			return err
		}
		all, err := baseline.Select(c, bo, nil)
		if err != nil {
			return err
		}
		for _, p := range all {
			if !slices.Contains(names, p.Name()) {
				names = append(names, p.Name())
			}
		}
	}
	for _, pre := range opts.Baselines {
		if !slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, pre) }) {
			return fmt.Errorf("%q is the prefix of no baseline of this model's evaluation; allowed: prefixes of %s",
				pre, strings.Join(names, ", "))
		}
	}
	return nil
}

// KeyRunModel is the key of the evaluated model's curve in EvaluateModel.
const KeyRunModel = "model"

// runFigure draws the ICL curves of one setting of EvaluateModel, each styled
// by the role of its key in roles: the transformer a model, the Bayes
// predictors references, the other baselines baselines.
func runFigure(r *eval.SettingResult, roles map[string]plot.Role) *plot.Figure {
	var ss []plot.Series
	for _, c := range r.Curves {
		x := make([]float64, len(c.Mean))
		for i := range x {
			x[i] = float64(i)
		}
		role, ok := roles[c.Key]
		if !ok {
			panic("experiment: EvaluateModel's predictor " + c.Key + " has no role")
		}
		ss = append(ss, plot.Series{Name: c.Name, X: x, Y: c.Mean, Lo: c.Lo, Hi: c.Hi, Role: role})
	}
	return plot.ICLCurves(r.Setting+": "+r.Class, r.ZeroError, ss...)
}

// Curve keys of the baselines (BaselineCurve): what each is, whatever its
// parameters.
const (
	KeyLeastSquares = "baseline/least_squares"
	KeyLassoBest    = "baseline/lasso_best"
	KeyKNN          = "baseline/knn"
	// KeyBayes is the class's exact Bayes predictor, whichever class.
	KeyBayes = "baseline/bayes"
	// KeyBayesMC is the class's Monte Carlo Bayes predictor.
	KeyBayesMC = "baseline/bayes_mc"
)

// BaselineCurve returns the key, legend label and figure role of the curve of
// baseline p, by what p is: the Bayes predictors are references, the others
// baselines.
func BaselineCurve(p baseline.Predictor) (key, label string, role plot.Role) {
	switch p := p.(type) {
	case baseline.LeastSquares:
		return KeyLeastSquares, "least squares", plot.RoleBaseline
	case baseline.LassoBest:
		return KeyLassoBest, "lasso (best alpha in hindsight)", plot.RoleBaseline
	case baseline.KNN:
		return KeyKNN, fmt.Sprintf("%d-nearest neighbours", p.K), plot.RoleBaseline
	case *baseline.MonteCarlo:
		return KeyBayesMC, "Bayes (Monte Carlo)", plot.RoleReference
	case baseline.Evidence:
		// Exact (baseline.Exact): dense, sparse, pool, mixture.
		return KeyBayes, "Bayes-optimal", plot.RoleReference
	}
	return "baseline/" + p.Name(), p.Name(), plot.RoleBaseline
}
