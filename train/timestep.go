package train

import (
	"time"

	"icl/gpt"
	"icl/internal/cputime"
	"icl/optim"
	"icl/rng"
)

// StepTime is the mean wall time of the parts of one training step, in
// seconds, with the CPU time of the process per step (0 where it cannot be
// read; on a machine shared with other jobs it shows the work done, where
// wall time also counts waiting for a core) and the forward and backward
// passes' time per kind of layer (gpt.Profile, per step).
type StepTime struct {
	Forward, Backward, Update float64
	CPU                       float64
	Layers                    gpt.Profile
}

// Total is the whole step's time in seconds.
func (t StepTime) Total() float64 { return t.Forward + t.Backward + t.Update }

// TimeStep times training steps (forward, backward, AdamW update) of a fresh
// model of config c at precision prec and batch B on random prompts: one
// untimed step, which allocates the activations, then at least minSteps timed
// steps and at least dur of them. It serves 'icl bench' and the ETAs of 'icl
// reproduce'.
func TimeStep(c gpt.Config, prec gpt.Precision, B, minSteps int, dur time.Duration) (StepTime, error) {
	m, err := gpt.New(c)
	if err != nil {
		return StepTime{}, err
	}
	m.Precision = prec
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
	var cpu0 time.Duration
	for step := 0; timed < minSteps || time.Since(start) < dur; step++ {
		t0 := time.Now()
		if step == 1 {
			start, cpu0 = t0, cputime.Process()
			m.Prof = &t.Layers
		}
		m.ZeroGrad()
		m.Forward(gpt.Input{Xs: xs, Ys: ys, B: B, N: N})
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
	if cpu0 > 0 {
		t.CPU = (cputime.Process() - cpu0).Seconds() / n
	}
	t.Forward, t.Backward, t.Update = t.Forward/n, t.Backward/n, t.Update/n
	p := &t.Layers
	for _, d := range []*time.Duration{&p.Matmul, &p.Attention, &p.LayerNorm, &p.GELU, &p.Other} {
		*d = time.Duration(float64(*d) / n)
	}
	return t, nil
}
