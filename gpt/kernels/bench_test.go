package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"icl/internal/cputime"
)

// benchGemm times C(m,n) = op(A) op(B) with contraction k in one of the forms
// NT (A * B^T, the forward pass), NN (dinp += dout * W, beta 1) or TN
// (dW += dout^T * inp, beta 1), and reports GFLOP/s.
func benchGemm(b *testing.B, form string, m, n, k int) { benchProduct(b, Gemm, form, m, n, k) }

type gemmFunc func(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

func benchProduct(b *testing.B, gemm gemmFunc, form string, m, n, k int) {
	rnd := rand.New(rand.NewPCG(1, 2))
	fill := func(s int) []float32 {
		x := make([]float32, s)
		for i := range x {
			x[i] = float32(rnd.NormFloat64())
		}
		return x
	}
	a, bm, c := fill(m*k), fill(k*n), fill(m*n)
	var tA, tB bool
	var lda, ldb int
	var beta float32 = 1
	switch form {
	case "NT":
		tB, lda, ldb, beta = true, k, k, 0
	case "NN":
		lda, ldb = k, n
	case "TN":
		tA, lda, ldb = true, m, n
	}
	gemm(tA, tB, m, n, k, a, lda, bm, ldb, beta, c, n) // warm the workspace
	cpu0 := cputime.Process()
	b.ResetTimer()
	for b.Loop() {
		gemm(tA, tB, m, n, k, a, lda, bm, ldb, beta, c, n)
	}
	flop := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	// GFLOP per CPU-second of this process: on a machine shared with other
	// jobs, this shows the speed per core actually obtained. It includes the
	// benchmark harness and idle spinning, so it is a lower bound.
	if cpu := (cputime.Process() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(flop/cpu/1e9, "GFLOP/cpu-s")
	}
}

// BenchmarkGemm covers the 5120 shapes in all three forms, model
// shapes (M = B*T = 5248) and a small product, with the default kernel on all
// threads. Run with -bench Gemm/ -benchtime 20x for a quick table.
func BenchmarkGemm(b *testing.B) {
	type bc struct {
		form    string
		m, n, k int
	}
	var cases []bc
	for _, s := range [][3]int{{5120, 256, 256}, {5120, 256, 1024}, {5120, 1024, 256}} {
		for _, f := range []string{"NT", "NN", "TN"} {
			cases = append(cases, bc{f, s[0], s[1], s[2]})
		}
	}
	cases = append(cases,
		bc{"NT", 5248, 768, 256},  // qkv forward, C=256
		bc{"NN", 5248, 256, 768},  // qkv dinp
		bc{"TN", 768, 256, 5248},  // qkv dW
		bc{"NT", 5248, 256, 1024}, // fc proj forward
		bc{"TN", 256, 1024, 5248}, // fc proj dW
		bc{"NT", 2688, 384, 128},  // qkv forward, C=128, T=42
		bc{"NT", 1408, 192, 64},   // qkv forward, C=64, T=22
		bc{"NT", 64, 256, 256},
		bc{"NT", 41, 41, 32}, // attention scores, one head
		bc{"NN", 41, 32, 41}, // attention values, one head
	)
	for _, c := range cases {
		b.Run(fmt.Sprintf("%s/%dx%dx%d", c.form, c.m, c.n, c.k), func(b *testing.B) {
			benchGemm(b, c.form, c.m, c.n, c.k)
		})
	}
}

// BenchmarkGemmThreads compares one goroutine with the default for one shape
// per form, and the portable kernel for reference.
func BenchmarkGemmThreads(b *testing.B) {
	for _, kern := range []string{"avx2", "avx512", "go"} {
		for _, th := range []int{1, 0} {
			for _, f := range []string{"NT", "NN", "TN"} {
				name := fmt.Sprintf("%s/threads=%d/%s/5120x256x256", kern, th, f)
				b.Run(name, func(b *testing.B) {
					if err := SetKernel(kern); err != nil {
						b.Skip(err)
					}
					defer SetKernel("")
					defer SetThreads(SetThreads(th))
					benchGemm(b, f, 5120, 256, 256)
				})
			}
		}
	}
}

// BenchmarkGemmPrecision times every product of a training step of the small
// (width 64) and medium (width 128) presets, batch 64 of 17 points (B*T =
// 2176 rows), in float32 (Gemm) and bf16 (GemmBF16), on one goroutine. The
// ratio of the two GFLOP/s per shape is the bf16 speed-up; run both in one
// window: -bench GemmPrecision -benchtime 200x.
func BenchmarkGemmPrecision(b *testing.B) {
	const R = 64 * 34
	for _, C := range []int{64, 128} {
		for _, s := range []struct {
			name    string
			form    string
			m, n, k int
		}{
			{"qkv", "NT", R, 3 * C, C}, {"qkv.dinp", "NN", R, C, 3 * C}, {"qkv.dW", "TN", 3 * C, C, R},
			{"proj", "NT", R, C, C}, {"proj.dinp", "NN", R, C, C}, {"proj.dW", "TN", C, C, R},
			{"fc", "NT", R, 4 * C, C}, {"fc.dinp", "NN", R, C, 4 * C}, {"fc.dW", "TN", 4 * C, C, R},
			{"mlp", "NT", R, C, 4 * C}, {"mlp.dinp", "NN", R, 4 * C, C}, {"mlp.dW", "TN", C, 4 * C, R},
		} {
			for _, prec := range []struct {
				name string
				f    gemmFunc
			}{{"fp32", Gemm}, {"bf16", GemmBF16}} {
				b.Run(fmt.Sprintf("C=%d/%s/%s", C, s.name, prec.name), func(b *testing.B) {
					defer SetThreads(SetThreads(1))
					benchProduct(b, prec.f, s.form, s.m, s.n, s.k)
				})
			}
		}
	}
}
