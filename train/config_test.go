package train

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"icl/config"
	"icl/optim"
)

const tinyYAML = `
name: tiny
seed: 7
task: {class: dense_linear}
data: {dim: 3, points: 5}
model: {layers: 1, width: 16, heads: 2}
train:
  steps: 60
  batch: 8
  schedule: {kind: constant, lr: 0.003}
curriculum:
  dims: {start: 2, inc: 1, interval: 20}
  points: {start: 3, inc: 1, interval: 15}
log_every: 5
eval_every: 20
eval_batch: 16
checkpoint_every: 10
`

func tinyConfig(t testing.TB) *Config {
	t.Helper()
	c, err := DecodeConfig(strings.NewReader(tinyYAML))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConfigDefaultsAndRoundTrip(t *testing.T) {
	c := tinyConfig(t)
	if c.Train.Optimizer != optim.DefaultAdamW() {
		t.Errorf("optimizer defaults = %+v", c.Train.Optimizer)
	}
	if c.Curriculum.Dims != (Ramp{2, 3, 1, 20}) || c.Curriculum.Points != (Ramp{3, 5, 1, 15}) {
		t.Errorf("curriculum = %+v", c.Curriculum)
	}
	text, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeConfig(strings.NewReader(string(text)))
	if err != nil {
		t.Fatalf("resolved config does not decode: %v\n%s", err, text)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the config:\n%+v\n%+v", back, c)
	}
}

func TestConfigErrors(t *testing.T) {
	cases := []struct {
		name, from, to string
		want           []string // substrings of the error
	}{
		{"unknown top-level field", "seed: 7", "seed: 7\nsteps: 5", []string{"steps", "unknown field", "allowed", "log_every"}},
		{"unknown nested field", "batch: 8", "batch: 8\n  lr: 1", []string{"train.lr", "unknown field", "grad_clip"}},
		{"bad class", "class: dense_linear", "class: cubic", []string{"task.class", "dense_linear", "sparse_linear"}},
		{"heads", "heads: 2", "heads: 3", []string{"model.width", "multiple of model.heads"}},
		{"batch", "batch: 8", "batch: -1", []string{"train.batch"}},
		{"curriculum start", "start: 2,", "start: 4,", []string{"curriculum.dims.start", "allowed 1..3"}},
		{"curriculum end", "start: 3,", "start: 3, end: 4,", []string{"curriculum.points.end", "data.points"}},
		{"schedule kind", "kind: constant", "kind: linear", []string{"train.schedule", "constant", "warmup_cosine"}},
		{"loss", "batch: 8", "batch: 8\n  loss: l1", []string{"train.loss", `"l1"`, `"mse"`, `"normalized"`}},
		{"eval_batch", "eval_batch: 16", "eval_batch: -4", []string{"eval_batch"}},
		{"sparse k", "task: {class: dense_linear}", "task: {class: sparse_linear, k: 4}", []string{"task.k", "1..3"}},
		// Non-integers for integer fields are refused, not truncated.
		{"layers 2.5", "layers: 1", "layers: 2.5", []string{"model.layers", "2.5", "must be an integer"}},
		{"dim 5.9", "dim: 3", "dim: 5.9", []string{"data.dim", "5.9", "must be an integer"}},
		{"steps nan", "steps: 60", "steps: .nan", []string{"train.steps", "must be an integer"}},
		// A given 0 is not replaced by the default: it is refused by name.
		{"batch 0", "batch: 8", "batch: 0", []string{"train.batch", "0: must be a positive integer"}},
		{"eval_batch 0", "eval_batch: 16", "eval_batch: 0", []string{"eval_batch", "0: must be a positive integer"}},
		{"lr 0", "lr: 0.003", "lr: 0", []string{"train.schedule.lr", "0: must be a finite number > 0"}},
		{"eps 0", "batch: 8", "batch: 8\n  optimizer: {eps: 0}", []string{"train.optimizer.eps", "0: must be"}},
		{"interval 0", "interval: 20", "interval: 0", []string{"curriculum.dims.interval", "0: must be >= 1"}},
		{"log_every 0", "log_every: 5", "log_every: 0", []string{"log_every", "0: must be a positive integer"}},
		{"warmup with constant", "kind: constant,", "kind: constant, warmup_steps: 5,", []string{"train.schedule.warmup_steps", "warmup_cosine"}},
		{"min_lr with constant", "kind: constant,", "kind: constant, min_lr: 0.001,", []string{"train.schedule.min_lr", "warmup_cosine"}},
		{"precision", "batch: 8", "batch: 8\n  precision: fp16", []string{"train.precision", `"fp16"`, `"fp32"`, `"bf16"`}},
		{"keep_checkpoints_every", "checkpoint_every: 10", "checkpoint_every: 10\nkeep_checkpoints_every: 15", []string{"keep_checkpoints_every", "15", "multiple of checkpoint_every (10)"}},
		{"keep_checkpoints_every < 0", "checkpoint_every: 10", "checkpoint_every: 10\nkeep_checkpoints_every: -10", []string{"keep_checkpoints_every", "-10"}},
	}
	for _, tc := range cases {
		text := strings.Replace(tinyYAML, tc.from, tc.to, 1)
		if text == tinyYAML {
			t.Fatalf("%s: %q not in the config", tc.name, tc.from)
		}
		_, err := DecodeConfig(strings.NewReader(text))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
	// Typed errors.
	_, err := DecodeConfig(strings.NewReader(strings.Replace(tinyYAML, "batch: 8", "batch: -1", 1)))
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Path != "train.batch" {
		t.Errorf("batch error %v is not a *config.Error for train.batch", err)
	}
	_, err = DecodeConfig(strings.NewReader(strings.Replace(tinyYAML, "class: dense_linear", "class: cubic", 1)))
	var fe *config.Error
	if !errors.As(err, &fe) {
		t.Errorf("class error %v is not a *config.Error", err)
	}
}

func TestPresets(t *testing.T) {
	names := PresetNames()
	var want []string
	for _, scale := range []string{"paper", "quick", "small"} {
		for _, m := range []string{"convex", "dense_linear", "dense_sparse", "linear_sinusoid", "sinusoid", "sparse_linear"} {
			want = append(want, scale+"/"+m)
		}
	}
	for _, w := range want {
		found := false
		for _, n := range names {
			found = found || n == w
		}
		if !found {
			t.Errorf("preset %s missing; have %v", w, names)
		}
	}
	for _, n := range names {
		c, err := Preset(n)
		if err != nil {
			t.Errorf("%s: %v", n, err)
			continue
		}
		if c.Name != n {
			t.Errorf("%s: name %q", n, c.Name)
		}
		if strings.HasPrefix(n, "paper/") {
			g := c.GPT()
			if g.Dim != 20 || g.Layers != 12 || g.Width != 256 || g.Heads != 8 {
				t.Errorf("%s: model %+v, want d = 20, 12/256/8", n, g)
			}
		}
	}
	if _, err := Preset("quick/nope"); err == nil || !strings.Contains(err.Error(), "quick/dense_linear") {
		t.Errorf("unknown preset error %v does not list the presets", err)
	}
}

// TestGivenValuesKept checks that a value the config gives is trained with,
// even where it is the zero that Defaults would replace (beta1: 0 is allowed).
func TestGivenValuesKept(t *testing.T) {
	text := strings.Replace(tinyYAML, "batch: 8", "batch: 8\n  optimizer: {beta1: 0, beta2: 0}", 1)
	c, err := DecodeConfig(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if c.Train.Optimizer.Beta1 != 0 || c.Train.Optimizer.Beta2 != 0 || c.Train.Optimizer.Eps != 1e-8 {
		t.Errorf("optimizer = %+v, want beta1 = beta2 = 0 as given, eps the default 1e-8", c.Train.Optimizer)
	}
	// The resolved config (config.yaml of a run) decodes to the same values.
	y, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeConfig(bytes.NewReader(y))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the config:\n%+v\n%+v", back, c)
	}
	dir := t.TempDir()
	if _, err := Run(context.Background(), c, dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	saved, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(saved, []byte("beta1: 0\n")) {
		t.Errorf("config.yaml does not keep beta1: 0:\n%s", saved)
	}
}

// The configs that docs/scale.md cites (docs/pilot) load and validate, so that
// the runs it reports can be trained again as written.
func TestPilotConfigsLoad(t *testing.T) {
	paths, err := filepath.Glob("../docs/pilot/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 8 {
		t.Fatalf("docs/pilot holds %d configs, want the 8 or more that docs/scale.md cites", len(paths))
	}
	for _, p := range paths {
		if _, err := LoadConfig(p); err != nil {
			t.Error(err)
		}
	}
}
