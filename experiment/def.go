package experiment

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"icl/config"
	"icl/presets"
	"icl/prompt"
	"icl/task"
	"icl/train"
)

// scalesYAML holds the evaluation sizes of every preset scale.
//
//go:embed scales.yaml
var scalesYAML []byte

// RunRef is a pretraining run an experiment needs, by role.
type RunRef struct {
	Role   string `yaml:"role"`
	Preset string `yaml:"preset"` // train preset without the scale, e.g. "dense_sparse"
	// Name is the run's name without the scale; default Preset. Runs with the
	// same scale/name are trained once and shared between experiments.
	Name  string `yaml:"name,omitempty"`
	Label string `yaml:"label,omitempty"` // legend label of the model
	// Recipe overrides the preset at every scale (weights, dim, ...: its
	// fields sit in the run's own line).
	Recipe `yaml:",inline"`
	// TrainAt maps a scale (presets.Scales) to overrides of this run there,
	// on top of Recipe: a seed of its own, say. A run so changed needs a
	// name of its own unless its config equals another's (Plan shares runs
	// by config).
	TrainAt map[string]Recipe `yaml:"train_at,omitempty"`
}

// RunName is the run's name without the scale.
func (r *RunRef) RunName() string {
	if r.Name != "" {
		return r.Name
	}
	return r.Preset
}

// Recipe is what a run changes in its train preset: at every scale
// (RunRef.Recipe) and at one scale (RunRef.TrainAt). Unset fields keep the
// preset's.
type Recipe struct {
	// Weights sets the mixture weights (task.weights) of a preset that is
	// a mixture of as many classes.
	Weights []float64 `yaml:"weights,omitempty"`
	// Dim sets the input dimension (data.dim) and turns the curriculum over
	// dimensions off.
	Dim   int     `yaml:"dim,omitempty"`
	Seed  *uint64 `yaml:"seed,omitempty"`
	Steps int     `yaml:"steps,omitempty"`
	// DecaySteps sets train.schedule.decay_steps (0: the run's steps).
	DecaySteps *int `yaml:"decay_steps,omitempty"`
	// FamilyIndicator sets data.family_indicator: the probability that a
	// pretraining prompt shows its task family (E7's conditional runs).
	FamilyIndicator *float64 `yaml:"family_indicator,omitempty"`
	// Budget makes the run the cooldown branch, at step Budget, of the run
	// the same ref gives without it (its trunk, trained too): Budget
	// steps of the trunk, then Budget/CooldownDivisor steps falling linearly
	// to train.schedule.min_lr (train.steps = Budget + Budget/10,
	// train.schedule.cooldown_steps = Budget/10). The branch starts from the
	// trunk's checkpoint at step Budget, which the trunk keeps
	// (keep_checkpoints_every must divide Budget), and ends with the bits of
	// a run configured so from scratch. 0: no branch.
	Budget int `yaml:"budget,omitempty"`
}

// CooldownDivisor sets the length of a budget's cooldown branch: Budget /
// CooldownDivisor steps (10% of the budget).
const CooldownDivisor = 10

// validate reports a field of r (at path) that no config can take.
func (r Recipe) validate(path string) error {
	switch {
	case r.Steps < 0:
		return &config.Error{Path: path + ".steps", Msg: fmt.Sprintf("%d; need an integer > 0 (or leave it out)", r.Steps)}
	case r.Dim < 0:
		return &config.Error{Path: path + ".dim", Msg: fmt.Sprintf("%d; need an integer > 0 (or leave it out)", r.Dim)}
	case r.FamilyIndicator != nil && !(*r.FamilyIndicator >= 0 && *r.FamilyIndicator <= 1):
		return &config.Error{Path: path + ".family_indicator", Msg: fmt.Sprintf("%g; need a probability in [0, 1] (or leave it out)", *r.FamilyIndicator)}
	case r.Budget < 0 || (r.Budget > 0 && r.Budget%CooldownDivisor != 0):
		return &config.Error{Path: path + ".budget", Msg: fmt.Sprintf("%d; need a multiple of %d > 0 (or leave it out)", r.Budget, CooldownDivisor)}
	}
	return nil
}

// apply writes r's fields into c; weights for a preset that is not a
// mixture of as many classes are an error.
func (r Recipe) apply(c *train.Config) error {
	if r.Weights != nil {
		if len(r.Weights) != len(c.Task.Of) || c.Task.Class != task.ClassMixture {
			return fmt.Errorf("weights %v given for a preset that is not a mixture of %d classes", r.Weights, len(r.Weights))
		}
		c.Task.Weights = append([]float64(nil), r.Weights...)
	}
	if r.Dim > 0 {
		c.Data.Dim = r.Dim
		c.Curriculum.Dims = train.Ramp{}
	}
	if r.Seed != nil {
		c.Seed = *r.Seed
	}
	if r.Steps > 0 {
		c.Train.Steps = r.Steps
	}
	if r.DecaySteps != nil {
		c.Train.Schedule.DecaySteps = *r.DecaySteps
	}
	if r.FamilyIndicator != nil {
		c.Data.FamilyIndicator = *r.FamilyIndicator
	}
	return nil
}

// branchAt makes c the cooldown branch of its run at step budget (see
// Recipe.Budget).
func branchAt(c *train.Config, budget int) {
	c.Train.Steps = budget + budget/CooldownDivisor
	c.Train.Schedule.CooldownSteps = budget / CooldownDivisor
	c.KeepCheckpointsEvery = 0 // a branch keeps no budgets of its own
}

// EvalSpec is one evaluation setting of an experiment.
type EvalSpec struct {
	Name   string         `yaml:"name"`
	Task   task.Spec      `yaml:"task"`
	Prompt prompt.Setting `yaml:"prompt,omitempty"`
	Models []string       `yaml:"models"` // run roles
	// Baselines are name prefixes of baseline.ForClass's predictors (e.g.
	// least_squares, lasso_best, knn, bayes); empty means none.
	Baselines []string `yaml:"baselines,omitempty"`
}

// SweepSpec is a generated family of evaluation settings.
type SweepSpec struct {
	Param     string   `yaml:"param"` // k | alpha | omega
	Models    []string `yaml:"models"`
	Baselines []string `yaml:"baselines,omitempty"`
}

// FigureSpec names a figure an experiment draws.
type FigureSpec struct {
	Name    string `yaml:"name"`
	Caption string `yaml:"caption"`
}

// Def is one experiment's definition.
type Def struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	Claim string `yaml:"claim"`
	// ClaimLabel heads the claim in the report; empty means "The paper's
	// claim" (a claim beyond the paper says so).
	ClaimLabel string             `yaml:"claim_label,omitempty"`
	Runs       []RunRef           `yaml:"runs"`
	Evals      []EvalSpec         `yaml:"evals"`
	Sweep      *SweepSpec         `yaml:"sweep,omitempty"`
	Figures    []FigureSpec       `yaml:"figures"`
	Params     map[string]float64 `yaml:"params"`
	Rule       string             `yaml:"rule"`
	// ScaleNotes maps a scale (presets.Scales) to what is known about
	// the claim at that scale. A report shows the note of its own scale only.
	ScaleNotes map[string]string `yaml:"scale_notes,omitempty"`
	// Scales, when set, are the only scales the experiment runs at (its
	// runs exist there alone); at others a reproduction leaves it out.
	Scales []string `yaml:"scales,omitempty"`

	// Source is the YAML text the definition was read from.
	Source string `yaml:"-"`
}

// RunsAt reports whether the experiment runs at scale (Scales).
func (d *Def) RunsAt(scale string) bool {
	return len(d.Scales) == 0 || slices.Contains(d.Scales, scale)
}

// Run returns the run of role, or nil.
func (d *Def) Run(role string) *RunRef {
	for i := range d.Runs {
		if d.Runs[i].Role == role {
			return &d.Runs[i]
		}
	}
	return nil
}

// Param returns the named threshold; a missing one is a programmer error in
// the embedded configs.
func (d *Def) Param(name string) float64 {
	v, ok := d.Params[name]
	if !ok {
		panic(fmt.Sprintf("experiment %s: params.%s missing", d.ID, name))
	}
	return v
}

// Caption returns the caption of figure name.
func (d *Def) Caption(name string) string {
	for _, f := range d.Figures {
		if f.Name == name {
			return f.Caption
		}
	}
	return ""
}

// Validate checks the definition's references.
func (d *Def) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &config.Error{Path: "experiment " + d.ID + ": " + field, Msg: fmt.Sprintf(format, args...)}
	}
	if d.ID == "" || d.Title == "" || d.Claim == "" || d.Rule == "" {
		return bad("id/title/claim/rule", "all four are required")
	}
	if len(d.Runs) == 0 {
		return bad("runs", "empty; an experiment needs at least one pretraining run")
	}
	roles := map[string]bool{}
	for i, r := range d.Runs {
		if r.Role == "" || r.Preset == "" {
			return bad(fmt.Sprintf("runs[%d]", i), "role and preset are required")
		}
		if roles[r.Role] {
			return bad(fmt.Sprintf("runs[%d].role", i), "%q used twice", r.Role)
		}
		roles[r.Role] = true
	}
	checkRecipes := func(field string, at map[string]Recipe) error {
		for sc, r := range at {
			if !slices.Contains(presets.Scales, sc) {
				return bad(field, "scale %q unknown; allowed: %s", sc, strings.Join(presets.Scales, ", "))
			}
			if err := r.validate("experiment " + d.ID + ": " + field + "." + sc); err != nil {
				return err
			}
		}
		return nil
	}
	for sc := range d.ScaleNotes {
		if !slices.Contains(presets.Scales, sc) {
			return bad("scale_notes", "scale %q unknown; allowed: %s", sc, strings.Join(presets.Scales, ", "))
		}
	}
	for _, sc := range d.Scales {
		if !slices.Contains(presets.Scales, sc) {
			return bad("scales", "scale %q unknown; allowed: %s", sc, strings.Join(presets.Scales, ", "))
		}
	}
	for i, r := range d.Runs {
		if err := r.Recipe.validate(fmt.Sprintf("experiment %s: runs[%d]", d.ID, i)); err != nil {
			return err
		}
		if err := checkRecipes(fmt.Sprintf("runs[%d].train_at", i), r.TrainAt); err != nil {
			return err
		}
	}
	check := func(field string, models []string) error {
		for _, m := range models {
			if !roles[m] {
				return bad(field, "model %q is not a run role (%s)", m, strings.Join(slices.Sorted(maps.Keys(roles)), ", "))
			}
		}
		return nil
	}
	for i, e := range d.Evals {
		if err := check(fmt.Sprintf("evals[%d].models", i), e.Models); err != nil {
			return err
		}
	}
	if d.Sweep != nil {
		switch d.Sweep.Param {
		case "k", "alpha", "omega":
		default:
			return bad("sweep.param", "%q; allowed: k, alpha, omega", d.Sweep.Param)
		}
		if err := check("sweep.models", d.Sweep.Models); err != nil {
			return err
		}
	}
	return nil
}

// Defs returns the registered experiments' definitions in report order.
func Defs() ([]*Def, error) {
	var out []*Def
	for _, id := range IDs() {
		d, err := LoadDef(id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// LoadDef returns the definition of the registered experiment id (e.g. "E3").
func LoadDef(id string) (*Def, error) {
	r := registry[id]
	if r == nil {
		return nil, fmt.Errorf("experiment %q unknown; allowed: %s", id, strings.Join(IDs(), ", "))
	}
	name, text := strings.ToLower(id)+".yaml", []byte(r.YAML)
	var d Def
	if err := config.Decode(bytes.NewReader(text), &d); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d.Source = string(text)
	if d.ID != id {
		return nil, fmt.Errorf("%s: id %q, want %q", name, d.ID, id)
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// Scale holds the evaluation sizes of one preset scale.
type Scale struct {
	Name          string       `yaml:"-"`
	Prompts       int          `yaml:"prompts"`
	Boots         int          `yaml:"boots"`
	MCSamples     int          `yaml:"mc_samples"`
	LassoAlphas   []float64    `yaml:"lasso_alphas"`
	Alphas        []float64    `yaml:"alphas"`
	OmegaBands    [][2]float64 `yaml:"omega_bands"`
	FittedPrompts int          `yaml:"fitted_prompts"`
	Grid          int          `yaml:"grid"`

	// Shipped says that every run of this scale ships in the models folder:
	// a reproduction that would train one, unless told -retrain, says what
	// the folder lacks and stops before long training.
	Shipped bool `yaml:"shipped,omitempty"`

	// RunsFrom maps an experiment id to another preset scale whose runs it
	// uses: at the medium scale, the experiments whose classes the medium
	// presets do not train take the small scale's runs.
	RunsFrom map[string]string `yaml:"runs_from,omitempty"`

	// TrainScale is the train preset scale the runs come from; empty means
	// Name. Train, when set, edits every run's config after the preset is read
	// (tests use it for tiny runs).
	TrainScale string                `yaml:"-"`
	Train      func(c *train.Config) `yaml:"-"`
	// Precision, when "bf16", is every run's train.precision (icl reproduce
	// -precision); "" or "fp32" leaves the presets' own.
	Precision string `yaml:"-"`
}

// Validate reports an invalid field.
func (s *Scale) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &config.Error{Path: "scale " + s.Name + ": " + field, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case s.Prompts < 2:
		return bad("prompts", "%d; must be >= 2", s.Prompts)
	case s.Boots < 0:
		return bad("boots", "%d; must be >= 0", s.Boots)
	case s.MCSamples < 1:
		return bad("mc_samples", "%d; must be >= 1", s.MCSamples)
	case len(s.Alphas) < 3:
		return bad("alphas", "%d values; need at least 0, an interior value and 1", len(s.Alphas))
	case len(s.OmegaBands) < 3:
		return bad("omega_bands", "%d bands; need a low, the pretraining and a high band", len(s.OmegaBands))
	case s.Grid < 2:
		return bad("grid", "%d; must be >= 2", s.Grid)
	}
	for id, from := range s.RunsFrom {
		if !slices.Contains(IDs(), id) {
			return bad("runs_from", "experiment %q unknown; allowed: %s", id, strings.Join(IDs(), ", "))
		}
		if !slices.Contains(presets.Scales, from) || from == s.Name {
			return bad("runs_from."+id, "%q; allowed: another preset scale (%s)", from, strings.Join(presets.Scales, ", "))
		}
	}
	for i, a := range s.Alphas {
		if a < 0 || a > 1 {
			return bad(fmt.Sprintf("alphas[%d]", i), "%g; allowed 0..1", a)
		}
	}
	for i, b := range s.OmegaBands {
		if !(b[0] >= 0 && b[1] > b[0]) {
			return bad(fmt.Sprintf("omega_bands[%d]", i), "%v; need 0 <= lo < hi", b)
		}
	}
	return nil
}

// RunScale is the scale whose runs experiment id uses at s: s itself, or the
// scale s.RunsFrom names (which must not itself take runs from another).
func (s *Scale) RunScale(id string) (*Scale, error) {
	from, ok := s.RunsFrom[id]
	if !ok {
		return s, nil
	}
	o, err := LoadScale(from)
	if err != nil {
		return nil, fmt.Errorf("scale %s: runs_from.%s: %w", s.Name, id, err)
	}
	if len(o.RunsFrom) > 0 {
		return nil, fmt.Errorf("scale %s: runs_from.%s: %s takes runs from other scales itself", s.Name, id, from)
	}
	o.Precision = s.Precision
	return o, nil
}

// LoadScale returns the evaluation sizes of preset, one of presets.Scales.
func LoadScale(preset string) (*Scale, error) {
	if !slices.Contains(presets.Scales, preset) {
		return nil, &config.Error{Path: "preset", Msg: fmt.Sprintf("%q unknown; allowed: %s", preset, strings.Join(presets.Scales, ", "))}
	}
	var all map[string]*Scale
	if err := yaml.Unmarshal(scalesYAML, &all); err != nil {
		return nil, fmt.Errorf("experiment/scales.yaml: %w", err)
	}
	s, ok := all[preset]
	if !ok {
		return nil, fmt.Errorf("experiment/scales.yaml: no scale %q", preset)
	}
	s.Name = preset
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
