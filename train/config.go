package train

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"icl/config"
	"icl/gpt"
	"icl/internal/memlimit"
	"icl/optim"
	"icl/task"
)

// Config describes one training run. It is decoded strictly from YAML: unknown
// fields are errors. Zero values are filled by Defaults; Validate names the first
// invalid field and the allowed values.
type Config struct {
	Name string    `yaml:"name"`
	Seed uint64    `yaml:"seed"`
	Task task.Spec `yaml:"task"` // the pretraining mixture
	Data Data      `yaml:"data"`
	// Model is the transformer's size; its input dimension and points come from Data.
	Model      Model      `yaml:"model"`
	Train      Optimize   `yaml:"train"`
	Curriculum Curriculum `yaml:"curriculum"`
	// LogEvery is how often (in steps) a train line is logged; default 100.
	LogEvery int `yaml:"log_every"`
	// EvalEvery is how often the model is evaluated on fixed prompts; default
	// 10 * LogEvery. Evaluations also happen at step 0 and at the end.
	EvalEvery int `yaml:"eval_every"`
	// EvalBatch is the number of evaluation prompts; default 256.
	EvalBatch int `yaml:"eval_batch"`
	// CheckpointEvery is how often a checkpoint is written; default 1000.
	// A checkpoint is also written at the end and on SIGINT/SIGTERM.
	CheckpointEvery int `yaml:"checkpoint_every"`
	// KeepCheckpointsEvery, where set, keeps the checkpoints of the steps that
	// are multiples of it for good, besides the two newest that a run always
	// keeps: the budgets that cooldown branches start from, or the steps at
	// which a run is evaluated later. A multiple of checkpoint_every; 0, the
	// default, keeps none. It does not change the weights.
	KeepCheckpointsEvery int `yaml:"keep_checkpoints_every,omitempty"`
}

// Data is the prompt shape at the end of the curriculum, and whether the
// prompts show the model their family.
type Data struct {
	Dim    int `yaml:"dim"`    // d, the input dimension
	Points int `yaml:"points"` // N, points per prompt
	// FamilyIndicator is the probability, in [0, 1], that a prompt shows the
	// model its family (conditional pretraining, docs/design.md section 2):
	// the one-hot index of the mixture component it was drawn from, appended
	// to every token. 0, the default, trains the unconditional model; 1 shows
	// it on every prompt; in between, each prompt draws whether it shows it
	// (prompt.Sampler.FamilyIndicator). Above 0 the task must be a mixture,
	// and the model's read-in takes d + F inputs for its F components.
	FamilyIndicator float64 `yaml:"family_indicator,omitempty"`
}

// Model is gpt.Config without the data-derived fields.
type Model struct {
	Layers int `yaml:"layers"`
	Width  int `yaml:"width"`
	Heads  int `yaml:"heads"`
}

// Optimize holds the optimization settings.
type Optimize struct {
	Steps     int                  `yaml:"steps"`
	Batch     int                  `yaml:"batch"`     // prompts per step; default 64
	Optimizer optim.AdamWConfig    `yaml:"optimizer"` // zero beta1, beta2, eps mean 0.9, 0.999, 1e-8
	Schedule  optim.ScheduleConfig `yaml:"schedule"`
	// GradClip is the maximum global gradient norm; 0 disables clipping.
	GradClip float64 `yaml:"grad_clip"`
	// Loss is the training objective: "" or "mse" (the default), the mean
	// squared error of the predictions; "normalized", each prompt's squared
	// errors divided by its class's scale (prompt.Batch.Scale), the error that
	// evaluation reports. They differ only for a mixture whose classes have
	// different scales: dense linear at d = 8 has scale 8, 2-sparse linear 2,
	// so under "mse" a sparse prompt weighs a quarter of a dense one. Where the
	// context identifies the class, both objectives have the same minimizer;
	// where it does not, "normalized"'s minimizer weighs each class's posterior
	// by 1 / its scale, so it is not the mixture's Bayes predictor under
	// squared error that evaluation and the model-selection figure compare with.
	Loss string `yaml:"loss,omitempty"`
	// Precision is that of the transformer blocks' matrix products in
	// training, forward and backward: "fp32" (also when empty, the default)
	// or "bf16", bf16 operands with float32 sums (gpt.BF16). Master weights,
	// AdamW, LayerNorm, softmax, the loss and the evaluations stay float32.
	// bf16 gives the same bits on every CPU; without AVX512-BF16 it runs in
	// plain Go, many times slower.
	Precision string `yaml:"precision,omitempty"`
}

// Training objectives accepted by Optimize.Loss.
const (
	LossMSE        = "mse"
	LossNormalized = "normalized"
)

// Defaults fills unset fields with their defaults. It is idempotent.
func (c *Config) Defaults() {
	if c.Train.Batch == 0 {
		c.Train.Batch = 64
	}
	o := &c.Train.Optimizer
	if o.Beta1 == 0 {
		o.Beta1 = 0.9
	}
	if o.Beta2 == 0 {
		o.Beta2 = 0.999
	}
	if o.Eps == 0 {
		o.Eps = 1e-8
	}
	if c.Train.Schedule.Kind == "" {
		c.Train.Schedule.Kind = "constant"
	}
	if c.Train.Schedule.LR == 0 {
		c.Train.Schedule.LR = 1e-4
	}
	c.Curriculum.Dims.defaults(c.Data.Dim, 1)
	c.Curriculum.Points.defaults(c.Data.Points, 2)
	if c.LogEvery == 0 {
		c.LogEvery = 100
	}
	if c.EvalEvery == 0 {
		c.EvalEvery = 10 * c.LogEvery
	}
	if c.EvalBatch == 0 {
		c.EvalBatch = 256
	}
	if c.CheckpointEvery == 0 {
		c.CheckpointEvery = 1000
	}
}

// GPT returns the model configuration: Model sized for Data's final shape,
// with an indicator of the task's families when Data.FamilyIndicator > 0.
func (c *Config) GPT() gpt.Config {
	g := gpt.Config{Dim: c.Data.Dim, Points: c.Data.Points,
		Layers: c.Model.Layers, Width: c.Model.Width, Heads: c.Model.Heads}
	if c.Data.FamilyIndicator > 0 {
		g.Families = c.Task.Families()
	}
	return g
}

// Validate reports the first invalid field, or nil. Call Defaults first.
func (c *Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return config.Errorf(field, format, args...)
	}
	if c.Data.Dim < 1 {
		return bad("data.dim", "%d: must be a positive integer", c.Data.Dim)
	}
	if c.Data.Points < 1 {
		return bad("data.points", "%d: must be a positive integer", c.Data.Points)
	}
	if err := c.Task.Validate(c.Data.Dim); err != nil {
		return err // *config.Error(s), paths rooted at "task"
	}
	if p := c.Data.FamilyIndicator; !(p >= 0 && p <= 1) {
		return bad("data.family_indicator", "%g: must be in [0, 1], the probability that a prompt shows its family "+
			"(0: the unconditional model, 1: always shown)", p)
	} else if p > 0 && c.Task.Families() == 0 {
		return bad("data.family_indicator", "%g, but task.class is %s: only a mixture has families "+
			"(its components); use 0 for a task without families", p, c.Task.Class)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"model.layers", c.Model.Layers}, {"model.width", c.Model.Width}, {"model.heads", c.Model.Heads}} {
		if f.v < 1 {
			return bad(f.name, "%d: must be a positive integer", f.v)
		}
	}
	if c.Model.Width%c.Model.Heads != 0 {
		return bad("model.width", "%d: must be a multiple of model.heads (%d)", c.Model.Width, c.Model.Heads)
	}
	if err := c.GPT().Validate(); err != nil {
		return config.Under("model", err)
	}
	if c.Train.Steps < 1 {
		return bad("train.steps", "%d: must be a positive integer", c.Train.Steps)
	}
	if c.Train.Batch < 1 {
		return bad("train.batch", "%d: must be a positive integer", c.Train.Batch)
	}
	if err := c.Train.Optimizer.Validate(); err != nil {
		return config.Under("train.optimizer", err)
	}
	if _, err := c.Train.Schedule.Build(c.Train.Steps); err != nil {
		return config.Under("train.schedule", err)
	}
	if !(c.Train.GradClip >= 0) {
		return bad("train.grad_clip", "%g: must be >= 0 (0 disables clipping)", c.Train.GradClip)
	}
	if _, err := gpt.ParsePrecision(c.Train.Precision); err != nil {
		return bad("train.precision", "%v", err)
	}
	switch c.Train.Loss {
	case "", LossMSE, LossNormalized:
	default:
		return bad("train.loss", "%q: must be %q (the default) or %q", c.Train.Loss, LossMSE, LossNormalized)
	}
	if err := c.Curriculum.Dims.validate("curriculum.dims", "data.dim", c.Data.Dim); err != nil {
		return err
	}
	if err := c.Curriculum.Points.validate("curriculum.points", "data.points", c.Data.Points); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"log_every", c.LogEvery}, {"eval_every", c.EvalEvery}, {"eval_batch", c.EvalBatch}, {"checkpoint_every", c.CheckpointEvery}} {
		if f.v < 1 {
			return bad(f.name, "%d: must be a positive integer", f.v)
		}
	}
	if k := c.KeepCheckpointsEvery; k < 0 || k%c.CheckpointEvery != 0 {
		return bad("keep_checkpoints_every", "%d: must be 0 (keep only the newest checkpoints) or a positive multiple of checkpoint_every (%d)", k, c.CheckpointEvery)
	}
	return nil
}

// MemoryParts estimates the memory a training session of c allocates, by
// share: the model's parameters with their gradients and Adam moments, its
// activations for a batch, and the training and evaluation prompts. Sizes are
// counted in float64, so that no setting overflows them.
func (c *Config) MemoryParts() []memlimit.Part {
	g := c.GPT()
	B, E := c.Train.Batch, c.EvalBatch
	N, D := float64(c.Data.Points), float64(c.Data.Dim)
	return []memlimit.Part{
		{What: "the parameters, their gradients and Adam moments", Bytes: 4 * 4 * g.Size(),
			Settings: fmt.Sprintf("model.layers = %d, model.width = %d, data.dim = %d, data.points = %d", g.Layers, g.Width, g.Dim, g.Points)},
		{What: "the activations of a batch", Bytes: 4 * g.ActivationSize(B, c.Data.Points),
			Settings: fmt.Sprintf("train.batch = %d, data.points = %d, model.layers = %d, model.width = %d, model.heads = %d", B, g.Points, g.Layers, g.Width, g.Heads)},
		// float64 prompts (x, y, scale) as drawn, float32 copies of a batch.
		{What: "the training and evaluation prompts", Bytes: 8*(float64(B)+float64(E))*(N*(D+1)+1) + 4*float64(B)*(N*(D+1)+1),
			Settings: fmt.Sprintf("train.batch = %d, eval_batch = %d, data.points = %d, data.dim = %d", B, E, g.Points, g.Dim)},
	}
}

// CheckMemory returns a *memlimit.Error if training c needs more memory than
// the process can have (memlimit.Available).
func (c *Config) CheckMemory() error { return memlimit.Check("training", c.MemoryParts()...) }

// DecodeConfig reads a YAML config strictly (unknown fields and non-integers
// for integer fields are errors), fills the defaults of the fields it does not
// give and validates it: a given value is used or refused by name, never
// replaced by a default.
func DecodeConfig(r io.Reader) (*Config, error) {
	var c Config
	if err := config.DecodeDefaults(r, &c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// LoadConfig reads a YAML config file (see DecodeConfig).
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := DecodeConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// YAML returns the config as YAML text (the run directory's config.yaml).
func (c *Config) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Class builds the run's pretraining class at its input dimension.
func (c *Config) Class() (task.Class, error) { return c.Task.Build(c.Data.Dim) }
