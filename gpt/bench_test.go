package gpt

import (
	"math/rand/v2"
	"testing"
	"time"

	"icl/gpt/kernels"
	"icl/internal/cputime"
	"icl/optim"
)

// benchStep times one training step (Forward, Backward, AdamW) on a batch of 64
// prompts of cfg.Points points.
func benchStep(b *testing.B, cfg Config) {
	benchStepAt(b, cfg, FP32)
}

// benchStepAt is benchStep with the blocks' products at precision p.
func benchStepAt(b *testing.B, cfg Config, p Precision) {
	m, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	m.Precision = p
	r := rand.New(rand.NewPCG(1, 2))
	m.Init(r)
	B, N := 64, cfg.Points
	xs, ys := randomPrompts(r, B, N, cfg.Dim)
	opt := optim.DefaultAdamW().New(len(m.Params))
	step := func() {
		m.ZeroGrad()
		m.Forward(Input{Xs: xs, Ys: ys, B: B, N: N})
		m.Backward()
		opt.Update(m.Params, m.Grads, 1e-4)
	}
	step() // allocate activations
	b.ResetTimer()
	start, cpu0 := time.Now(), cputime.Process()
	for i := 0; i < b.N; i++ {
		step()
	}
	sec := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(sec*1e3, "ms/step")
	b.ReportMetric(cfg.FLOPs(B, N)/sec/1e9, "GFLOP/s")
	// CPU time of the process per step: on a machine shared with other jobs it
	// shows the work done (spinning and harness included) where wall time
	// also counts waiting for a core.
	if cpu := (cputime.Process() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(cpu/float64(b.N)*1e3, "cpu-ms/step")
	}
}

func BenchmarkStepTiny(b *testing.B) {
	benchStep(b, Config{Dim: 5, Points: 11, Layers: 3, Width: 64, Heads: 2})
}

func BenchmarkStepSmall(b *testing.B) {
	benchStep(b, Config{Dim: 10, Points: 21, Layers: 6, Width: 128, Heads: 4})
}

func BenchmarkStepStandard(b *testing.B) {
	benchStep(b, Config{Dim: 20, Points: 41, Layers: 12, Width: 256, Heads: 8})
}

// The models that `icl reproduce` trains, one thread each.
func BenchmarkStepQuickPreset(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	benchStep(b, Config{Dim: 5, Points: 11, Layers: 2, Width: 32, Heads: 2})
}

func BenchmarkStepSmallPreset(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	benchStep(b, Config{Dim: 8, Points: 17, Layers: 4, Width: 64, Heads: 4})
}

// BenchmarkStepPrecision times the small and medium presets' steps in
// float32 and bf16, one thread each: their ratio is bf16's share of a step
// (run both in one window: -bench StepPrecision).
func BenchmarkStepPrecision(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, s := range []struct {
		name string
		cfg  Config
	}{
		{"small", Config{Dim: 8, Points: 17, Layers: 4, Width: 64, Heads: 4}},
		{"medium", Config{Dim: 8, Points: 17, Layers: 6, Width: 128, Heads: 4}},
	} {
		for _, p := range []Precision{FP32, BF16} {
			b.Run(s.name+"/"+p.String(), func(b *testing.B) { benchStepAt(b, s.cfg, p) })
		}
	}
}
