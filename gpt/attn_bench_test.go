package gpt

import (
	"math/rand/v2"
	"testing"
	"time"

	"icl/gpt/kernels"
	"icl/internal/cputime"
)

// reportCPU reports the process CPU time per operation since cpu0 and the
// rate of flop floating-point operations per operation in CPU time: on a
// machine shared with other jobs, CPU time shows the work done where wall
// time also counts waiting for a core.
func reportCPU(b *testing.B, cpu0 time.Duration, flop float64) {
	cpu := (cputime.Process() - cpu0).Seconds() / float64(b.N)
	if cpu > 0 {
		b.ReportMetric(cpu*1e6, "cpu-us/op")
		b.ReportMetric(flop/cpu/1e9, "GFLOP/cpu-s")
	}
}

// BenchmarkAttention times attentionForward and attentionBackward at the
// model sizes' shapes (batch 64) on one goroutine: the quick, small and
// medium training presets', then Garg et al.'s tiny, small and standard.
func BenchmarkAttention(b *testing.B) {
	defer kernels.SetThreads(kernels.SetThreads(1))
	for _, s := range [][3]int{{22, 32, 2}, {34, 64, 4}, {34, 128, 4}, {22, 64, 2}, {42, 128, 4}, {82, 256, 8}} {
		B, T, C, H := 64, s[0], s[1], s[2]
		r := rand.New(rand.NewPCG(1, 2))
		qkv := randVec(r, B*T*3*C, 1)
		out, att := make([]float32, B*T*C), make([]float32, B*H*T*attStride(T))
		dq, datt, dy := make([]float32, len(qkv)), make([]float32, len(att)), randVec(r, B*T*C, 1)
		flop := float64(B*H) * float64(T*(T+1)/2) * float64(C/H) * 2
		name := "T" + itoa(T) + "C" + itoa(C)
		b.Run("fwd/"+name, func(b *testing.B) {
			cpu0 := cputime.Process()
			for b.Loop() {
				attentionForward(out, att, qkv, B, T, C, H)
			}
			reportCPU(b, cpu0, 2*flop)
		})
		b.Run("bwd/"+name, func(b *testing.B) {
			cpu0 := cputime.Process()
			for b.Loop() {
				attentionBackward(dq, datt, dy, att, qkv, B, T, C, H, 0)
			}
			reportCPU(b, cpu0, 4*flop)
		})
	}
}
