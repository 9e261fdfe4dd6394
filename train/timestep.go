package train

import (
	"time"

	"icl/gpt"
	"icl/optim"
	"icl/rng"
)

// StepTime is the mean wall time of the parts of one training step, in
// seconds.
type StepTime struct {
	Forward, Backward, Update float64
}

// Total is the whole step's time in seconds.
func (t StepTime) Total() float64 { return t.Forward + t.Backward + t.Update }

// TimeStep times training steps (forward, backward, AdamW update) of a fresh
// model of config c at batch B on random prompts: one untimed step, which
// allocates the activations, then at least minSteps timed steps and at least
// dur of them. It serves 'icl bench' and the ETAs of 'icl reproduce'.
func TimeStep(c gpt.Config, B, minSteps int, dur time.Duration) (StepTime, error) {
	m, err := gpt.New(c)
	if err != nil {
		return StepTime{}, err
	}
	m.Init(rng.New(1, rng.LabelInit))
	r := rng.New(2)
	N := c.Points
	xs := make([]float32, B*N*c.Dim) // (B, N, d)
	ys := make([]float32, B*N)       // (B, N)
	for i := range xs {
		xs[i] = float32(r.NormFloat64())
	}
	for i := range ys {
		ys[i] = float32(r.NormFloat64())
	}
	opt := optim.NewAdamW(len(m.Params), 0.9, 0.999, 1e-8, 0)
	var t StepTime
	minSteps = max(minSteps, 1)
	timed := 0
	var start time.Time
	for step := 0; timed < minSteps || time.Since(start) < dur; step++ {
		t0 := time.Now()
		if step == 1 {
			start = t0
		}
		m.ZeroGrad()
		m.Forward(xs, ys, B, N)
		t1 := time.Now()
		m.Backward()
		t2 := time.Now()
		opt.Update(m.Params, m.Grads, 1e-4)
		t3 := time.Now()
		if step > 0 {
			t.Forward += t1.Sub(t0).Seconds()
			t.Backward += t2.Sub(t1).Seconds()
			t.Update += t3.Sub(t2).Seconds()
			timed++
		}
	}
	n := float64(timed)
	t.Forward, t.Backward, t.Update = t.Forward/n, t.Backward/n, t.Update/n
	return t, nil
}
