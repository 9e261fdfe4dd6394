package train

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

func TestPlateauObserve(t *testing.T) {
	// Last stage (4 dims, 5 points) from step 20 on; steps counted as in loop:
	// the evaluation after step k uses the stage of step k-1.
	c := Curriculum{Dims: Ramp{2, 4, 1, 10}, Points: Ramp{3, 5, 1, 10}}
	const steps = 200
	cases := []struct {
		name     string
		norms    map[int]float64 // evaluation step -> normalized loss; steps 10, 20, ... in order
		last     int             // last evaluation step
		wantAt   int             // step of the warning; 0: none
		wantFrom int
	}{
		{"stuck from the last stage on", nil, 100, 70, 30},
		{"a dip below the threshold restarts the count", map[int]float64{50: 0.85}, 130, 100, 60},
		{"NaN does not count as stuck", map[int]float64{40: math.NaN()}, 100, 90, 50},
		{"learning: no warning", map[int]float64{30: 0.8, 40: 0.6, 50: 0.4, 60: 0.3, 70: 0.2, 80: 0.2, 90: 0.2, 100: 0.2}, 100, 0, 0},
		{"exactly the threshold counts", map[int]float64{30: plateauLoss, 40: plateauLoss, 50: plateauLoss, 60: plateauLoss, 70: plateauLoss}, 70, 70, 30},
	}
	for _, tc := range cases {
		p := newPlateau(c, steps)
		gotAt, gotFrom, warnings := 0, 0, 0
		for k := 0; k <= tc.last; k += 10 {
			norm, ok := tc.norms[k]
			if !ok {
				norm = 1.02 // at the zero predictor; before step 30 the stage is not the last one
			}
			if from, warn := p.observe(k, c.At(max(k-1, 0)), norm); warn {
				warnings++
				if gotAt == 0 {
					gotAt, gotFrom = k, from
				}
			}
		}
		if gotAt != tc.wantAt || gotFrom != tc.wantFrom || warnings > 1 {
			t.Errorf("%s: warned at step %d (streak from %d, %d warnings), want at %d from %d, once",
				tc.name, gotAt, gotFrom, warnings, tc.wantAt, tc.wantFrom)
		}
	}
}

// A run whose weights are reset to zero after every step predicts 0 throughout:
// the trainer must warn once, after plateauEvals evaluations at the last stage,
// and again at the end.
func TestRunWarnsAtZeroPredictor(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Train.Steps = 100
	cfg.EvalEvery = 5
	cfg.EvalBatch = 1024 // keeps the zero predictor's sampled loss near 1
	afterStepHook = func(k int, params []float32) { clear(params) }
	defer func() { afterStepHook = nil }()
	var out bytes.Buffer
	res, err := Run(context.Background(), cfg, t.TempDir(), Options{Progress: &out, Quiet: true})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Eval.NormLoss-1) > 0.1 {
		t.Fatalf("zeroed model: final normalized loss %.4g, want about 1", res.Eval.NormLoss)
	}
	// The tiny curriculum reaches its last stage (3 dims, 5 points) at step 30, so
	// evaluations 35 (the stage of step 34), 40, ..., 55 are the first five there.
	text := out.String()
	if n := strings.Count(text, "from step 35 to 55"); n != 1 || strings.Count(text, "stayed at the zero predictor") != 1 {
		t.Errorf("want one plateau warning for steps 35 to 55, got:\n%s", text)
	}
	if !strings.Contains(text, "the final normalized loss") {
		t.Errorf("no warning about the final loss:\n%s", text)
	}
}

// A run interrupted in the middle of the streak and resumed warns as if it had
// not been interrupted: the evaluations kept in metrics.jsonl count.
func TestResumeKeepsPlateauStreak(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Train.Steps = 100
	cfg.EvalEvery = 5
	cfg.EvalBatch = 1024
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	afterStepHook = func(k int, params []float32) {
		clear(params)
		if k == 45 { // after the evaluations at 35, 40 and 45
			cancel()
		}
	}
	defer func() { afterStepHook = nil }()
	var first bytes.Buffer
	if _, err := Run(ctx, cfg, dir, Options{Progress: &first, Quiet: true}); err == nil {
		t.Fatal("run was not interrupted")
	}
	if strings.Contains(first.String(), "stayed at the zero predictor") {
		t.Fatalf("warned before the interruption:\n%s", first.String())
	}
	var second bytes.Buffer
	if _, err := Resume(context.Background(), dir, Options{Progress: &second, Quiet: true}); err != nil {
		t.Fatal(err)
	}
	text := second.String()
	if strings.Count(text, "stayed at the zero predictor") != 1 || !strings.Contains(text, "from step 35 to 55") {
		t.Errorf("resumed run: want one plateau warning for steps 35 to 55, got:\n%s", text)
	}
}

// With StopAtZero the run stops at the evaluation that completes the streak
// (step 55 here), with a checkpoint there, and says how to go on; resuming
// it with StopAtZero stops again before any step, and resuming without it
// trains to the end.
func TestStopAtZero(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.Train.Steps = 100
	cfg.EvalEvery = 5
	cfg.EvalBatch = 1024
	afterStepHook = func(k int, params []float32) { clear(params) }
	defer func() { afterStepHook = nil }()
	dir := t.TempDir()
	_, err := Run(context.Background(), cfg, dir, Options{Progress: io.Discard, Quiet: true, StopAtZero: true})
	var ze *ZeroPredictorError
	if !errors.As(err, &ze) || ze.From != 35 || ze.Step != 55 || ze.Checkpoint != CheckpointPath(dir, 55) {
		t.Fatalf("err = %v (%+v), want a ZeroPredictorError from step 35 at 55 with its checkpoint", err, ze)
	}
	if !strings.Contains(err.Error(), "another seed") || !strings.Contains(err.Error(), "icl train -resume "+dir) {
		t.Errorf("error does not say how to go on: %v", err)
	}
	if IsDone(dir) {
		t.Fatal("a stopped run is marked done")
	}
	steps := 0
	afterStepHook = func(k int, params []float32) { clear(params); steps++ }
	_, err = Resume(context.Background(), dir, Options{Progress: io.Discard, Quiet: true, StopAtZero: true})
	if !errors.As(err, &ze) || ze.Step != 55 || steps != 0 {
		t.Fatalf("resumed with StopAtZero: err %v, %d steps; want to stop at 55 before any step", err, steps)
	}
	if _, err := Resume(context.Background(), dir, Options{Progress: io.Discard, Quiet: true}); err != nil || !IsDone(dir) || steps != 45 {
		t.Fatalf("resumed without StopAtZero: err %v, done %v, %d steps; want the 45 steps left", err, IsDone(dir), steps)
	}
}
