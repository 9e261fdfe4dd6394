package train

import (
	"math"
	"strings"
	"testing"

	"icl/rng"
)

// A mixture whose classes have different scales (dense linear at d = 3: 3;
// 1-sparse: 1). Under loss "normalized" the first step's loss must be the
// mean over prompts of each prompt's squared errors divided by its class's
// scale, computed here from the "mse" run's predictions on the same batch
// from the same initial weights.
func TestNormalizedLoss(t *testing.T) {
	mix := strings.Replace(tinyYAML, "task: {class: dense_linear}",
		"task: {class: mixture, weights: [0.5, 0.5], of: [{class: dense_linear}, {class: sparse_linear, k: 1}]}", 1)
	build := func(loss string) *trainer {
		text := strings.Replace(mix, "batch: 8", "batch: 8\n  loss: "+loss, 1)
		cfg, err := DecodeConfig(strings.NewReader(text))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Curriculum = Curriculum{Dims: Ramp{3, 3, 1, 20}, Points: Ramp{5, 5, 1, 15}} // full size
		tr, err := newTrainer(cfg)
		if err != nil {
			t.Fatal(err)
		}
		tr.model.Init(rng.New(cfg.Seed, rng.LabelInit))
		return tr
	}
	plain, norm := build(LossMSE), build(LossNormalized)
	st := plain.cfg.Curriculum.At(0)
	mse, _, _ := plain.step(0, st)
	got, _, _ := norm.step(0, st)

	bt := plain.drawTrain(0, st)
	B, N := plain.cfg.Train.Batch, st.Points
	preds := plain.model.Preds()
	want, unweighted := 0.0, 0.0
	scales := map[float64]bool{}
	for b := 0; b < B; b++ {
		s := 0.0
		for i := 0; i < N; i++ {
			e := float64(preds[b*N+i]) - float64(float32(bt.Ys[b*N+i]))
			s += e * e
		}
		want += s / bt.Scale[b]
		unweighted += s
		scales[bt.Scale[b]] = true
	}
	want /= float64(B * N)
	unweighted /= float64(B * N)
	if len(scales) < 2 {
		t.Fatalf("batch holds prompts of one scale only (%v): the test cannot tell weighting from none", scales)
	}
	if math.Abs(mse-unweighted) > 1e-5*unweighted {
		t.Errorf("mse loss %v, recomputed %v", mse, unweighted)
	}
	if math.Abs(got-want) > 1e-5*want {
		t.Errorf("normalized loss %v, want %v (mse %v)", got, want, mse)
	}
}
