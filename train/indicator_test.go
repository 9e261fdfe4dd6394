package train

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"icl/config"
	"icl/gpt"
	"icl/prompt"
	"icl/rng"
	"icl/task"
)

// indicatorYAML pretrains a conditional model on a mixture of dense linear
// functions and a pool of one fixed linear function f*, showing each
// prompt's family with probability 0.5. Shown "pool", the model can predict
// f*(x) from x alone, before any context point; hidden, the best prediction
// at position 0 is p(pool) f*(x) = f*(x)/2 (normalized error 1/4); shown
// "dense", it is 0 (normalized error 1).
const indicatorYAML = `
name: indicator
seed: 3
task:
  class: mixture
  of:
    - class: dense_linear
    - class: pool
      base: {class: dense_linear}
      m: 1
      seed: 5
data: {dim: 2, points: 6, family_indicator: 0.5}
model: {layers: 1, width: 16, heads: 2}
train:
  steps: 400
  batch: 32
  schedule: {kind: constant, lr: 0.003}
log_every: 100
eval_every: 400
eval_batch: 64
checkpoint_every: 400
`

// The indicator reaches the model: after a short conditional pretraining,
// on the pool family's prompts at position 0 (no context), the model's
// normalized error with its family shown is far below its error with the
// indicator hidden (all zeros), which is far below its error with the other
// family shown.
func TestIndicatorReachesModel(t *testing.T) {
	cfg, err := DecodeConfig(strings.NewReader(indicatorYAML))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	start := time.Now()
	if _, err := Run(context.Background(), cfg, dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	m, _, err := gpt.LoadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if m.Cfg.Families != 2 || m.Tensors()[0].Shape[1] != 2+2 {
		t.Fatalf("model %+v, read_in %v; want 2 families, read_in (C, d+F) = (16, 4)", m.Cfg, m.Tensors()[0].Shape)
	}
	t.Logf("trained in %v", time.Since(start).Round(time.Millisecond))

	class, err := cfg.Task.Build(cfg.Data.Dim)
	if err != nil {
		t.Fatal(err)
	}
	const B, N = 512, 6
	s := prompt.Sampler{Class: class, FamilyIndicator: 1}
	bt := s.Batch(B, N, 77, rng.LabelEval)
	xs, ys := make([]float32, B*N*2), make([]float32, B*N)
	for i, v := range bt.Xs {
		xs[i] = float32(v)
	}
	for i, v := range bt.Ys {
		ys[i] = float32(v)
	}
	// errAt0 is the mean normalized error at position 0 of the pool prompts
	// when every prompt shows family show (prompt.Hidden: none).
	errAt0 := func(show int) float64 {
		ind := make([]float32, B*2)
		if show != prompt.Hidden {
			for p := 0; p < B; p++ {
				ind[p*2+show] = 1
			}
		}
		pred := make([]float32, B*N)
		m.Predict(pred, gpt.Input{Xs: xs, Ys: ys, Ind: ind, B: B, N: N})
		sum, n := 0.0, 0
		for p := 0; p < B; p++ {
			if bt.Class[p] == 1 {
				d := float64(pred[p*N]) - bt.Ys[p*N]
				sum += d * d / bt.Scale[p]
				n++
			}
		}
		if n < B/4 {
			t.Fatalf("%d pool prompts of %d", n, B)
		}
		return sum / float64(n)
	}
	shown, hidden, wrong := errAt0(1), errAt0(prompt.Hidden), errAt0(0)
	t.Logf("pool prompts, position 0: normalized error %.3f with pool shown, %.3f hidden, %.3f with dense shown "+
		"(best predictors: 0, 0.25, 1)", shown, hidden, wrong)
	if !(shown < 0.1 && hidden > 2*shown && wrong > 2*hidden) {
		t.Errorf("the indicator does not steer the model: want shown < 0.1, hidden > 2 shown, dense shown > 2 hidden")
	}
}

// Config validation names data.family_indicator and its allowed values, and
// the model follows the option: F = the mixture's components when on, 0 off.
func TestFamilyIndicatorConfig(t *testing.T) {
	base, err := DecodeConfig(strings.NewReader(indicatorYAML))
	if err != nil {
		t.Fatal(err)
	}
	if g := base.GPT(); g.Families != 2 {
		t.Errorf("family_indicator 0.5: model families %d, want 2", g.Families)
	}
	off := *base
	off.Data.FamilyIndicator = 0
	if g := off.GPT(); g.Families != 0 {
		t.Errorf("family_indicator 0: model families %d, want 0", g.Families)
	}
	for _, tc := range []struct {
		p    float64
		task task.Spec
		want string
	}{
		{-0.5, base.Task, "must be in [0, 1]"},
		{1.01, base.Task, "must be in [0, 1]"},
		{0.5, task.Spec{Class: task.ClassDenseLinear}, "only a mixture has families"},
	} {
		c := *base
		c.Data.FamilyIndicator, c.Task = tc.p, tc.task
		err := c.Validate()
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Path != "data.family_indicator" || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("family_indicator %g, task %s: %v; want an error at data.family_indicator saying %q", tc.p, tc.task.Class, err, tc.want)
		}
	}
	// An unconditional config writes no family_indicator: config.yaml is today's.
	text, err := off.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(text), "family_indicator") {
		t.Errorf("unconditional config.yaml mentions family_indicator:\n%s", text)
	}
}
