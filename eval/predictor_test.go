package eval

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"icl/gpt"
	"icl/gpt/kernels"
	"icl/prompt"
	"icl/rng"
)

// A Transformer's predictions are the bits of one forward pass over all the
// prompts, whatever the chunk and however many cores share the chunks out
// (each on a Replica), at either precision; and the engine's goroutines are
// as they were after it.
func TestTransformerChunksOnCores(t *testing.T) {
	const d, n, B = 3, 6, 23
	r := rng.New(9)
	b := &prompt.Batch{B: B, N: n, D: d, QueryLen: n, Xs: make([]float64, B*n*d), Ys: make([]float64, B*n)}
	for i := range b.Xs {
		b.Xs[i] = r.NormFloat64()
	}
	for i := range b.Ys {
		b.Ys[i] = r.NormFloat64()
	}
	for _, prec := range []gpt.Precision{gpt.FP32, gpt.BF16} {
		m, err := gpt.New(gpt.Config{Dim: d, Points: n, Layers: 2, Width: 16, Heads: 2})
		if err != nil {
			t.Fatal(err)
		}
		m.Init(rng.New(4, rng.LabelInit))
		m.Precision = prec
		x32, y32 := make([]float32, len(b.Xs)), make([]float32, len(b.Ys))
		for i, v := range b.Xs {
			x32[i] = float32(v)
		}
		for i, v := range b.Ys {
			y32[i] = float32(v)
		}
		want := make([]float32, B*n)
		m.Predict(want, gpt.Input{Xs: x32, Ys: y32, B: B, N: n})
		for _, procs := range []int{1, 2, 3} {
			for _, chunk := range []int{1, 5, 8, B} {
				t.Run(fmt.Sprintf("%v/procs=%d/chunk=%d", prec, procs, chunk), func(t *testing.T) {
					old := runtime.GOMAXPROCS(procs)
					defer runtime.GOMAXPROCS(old)
					threads := kernels.Threads()
					got := make([]float64, B*n)
					(&Transformer{Model: m, Chunk: chunk}).Predict(got, b)
					if kernels.Threads() != threads {
						t.Errorf("engine goroutines %d after Predict, %d before", kernels.Threads(), threads)
					}
					for i, v := range got {
						if math.Float64bits(v) != math.Float64bits(float64(want[i])) {
							t.Fatalf("prediction %d = %v, one pass over all prompts %v", i, v, want[i])
						}
					}
				})
			}
		}
	}
}
