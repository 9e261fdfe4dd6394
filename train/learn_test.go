package train

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// learnYAML: dense linear regression at d = 5 with 11 points, no curriculum, a
// 2-layer width-32 model, batch 128, Adam at lr 1e-3. The zero predictor's
// normalized loss is 1; the Bayes-optimal (least squares once i >= d) scores
// (5+4+3+2+1)/5/11 = 0.27 averaged over the 11 positions.
//
// Measured with the read-in/read-out initialised as nn.Linear's default (2
// shared cores): normalized eval loss ~1.0 at step 0 and, at step 1500, 0.537,
// 0.531 and 0.608 for seeds 1, 2 and 3 (per position from ~1 at i = 0 to
// ~0.4-0.5 at i = 8..10). With those two layers at N(0, 0.02^2), as GPT-2
// initialises its own layers, seeds 1 and 2 were still at 0.82 and 0.91 on the
// initial plateau, and only seed 3 reached 0.57.
const learnYAML = `
name: learn
seed: 1
task: {class: dense_linear}
data: {dim: 5, points: 11}
model: {layers: 2, width: 32, heads: 2}
train:
  steps: 1500
  batch: 128
  schedule: {kind: constant, lr: 0.001}
log_every: 100
eval_every: 500
eval_batch: 256
checkpoint_every: 1500
`

func TestLearnsDenseLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("training run of ~30 s")
	}
	c, err := DecodeConfig(strings.NewReader(learnYAML))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := Run(context.Background(), c, t.TempDir(), Options{Progress: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d steps in %v: eval loss %.4g, normalized %.4g (zero predictor 1, least squares 0.27)",
		res.Steps, time.Since(start).Round(time.Millisecond), res.Eval.Loss, res.Eval.NormLoss)
	t.Logf("per position: %.3f", res.Eval.PerPosition)
	if res.Eval.NormLoss > 0.7 {
		t.Errorf("normalized eval loss %.4g, want < 0.7 (zero predictor 1)", res.Eval.NormLoss)
	}
}
