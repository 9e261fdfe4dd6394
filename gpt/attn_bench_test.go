package gpt

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkAttention times attentionForward and attentionBackward at the
// model sizes' shapes (batch 64) on one goroutine.
func BenchmarkAttention(b *testing.B) {
	for _, s := range [][3]int{{22, 64, 2}, {42, 128, 4}, {82, 256, 8}} {
		B, T, C, H := 64, s[0], s[1], s[2]
		r := rand.New(rand.NewPCG(1, 2))
		qkv := randVec(r, B*T*3*C, 1)
		out, att := make([]float32, B*T*C), make([]float32, B*H*T*T)
		dq, datt, dy := make([]float32, len(qkv)), make([]float32, len(att)), randVec(r, B*T*C, 1)
		flop := float64(B*H) * float64(T*(T+1)/2) * float64(C/H) * 2
		b.Run("fwd/T"+itoa(T), func(b *testing.B) {
			for b.Loop() {
				attentionForward(out, att, qkv, B, T, C, H)
			}
			b.ReportMetric(2*flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
		b.Run("bwd/T"+itoa(T), func(b *testing.B) {
			for b.Loop() {
				attentionBackward(dq, datt, dy, att, qkv, B, T, C, H, 0)
			}
			b.ReportMetric(4*flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
