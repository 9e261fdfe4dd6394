package eval

import (
	"math/rand/v2"
	"testing"

	"icl/gpt"
	"icl/prompt"
	"icl/rng"
)

// A Transformer shows its model the family it is told to, on every prompt
// and in every chunk: its predictions are the model's with that one-hot
// indicator (ShowFamily) or with none (the zero value), and the two differ.
func TestTransformerFamily(t *testing.T) {
	const d, n, B, F = 3, 5, 11, 2
	m, err := gpt.New(gpt.Config{Dim: d, Points: n, Layers: 1, Width: 8, Heads: 2, Families: F})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	r := rand.New(rand.NewPCG(3, 4))
	xs, ys := make([]float64, B*n*d), make([]float64, B*n)
	x32, y32 := make([]float32, B*n*d), make([]float32, B*n)
	for i := range xs {
		xs[i] = r.NormFloat64()
		x32[i] = float32(xs[i])
	}
	for i := range ys {
		ys[i] = r.NormFloat64()
		y32[i] = float32(ys[i])
	}
	bt := &prompt.Batch{B: B, N: n, D: d, Xs: xs, Ys: ys, QueryLen: n}
	want := func(family int) []float32 {
		out := make([]float32, B*n)
		m.Predict(out, gpt.Input{Xs: x32, Ys: y32, Ind: gpt.ShowFamily(B, F, family), B: B, N: n})
		return out
	}
	var preds [3][]float64
	for k, tr := range []*Transformer{
		{Model: m, Chunk: 4},
		{Model: m, Chunk: 4, ShowFamily: true, Family: 0},
		{Model: m, Chunk: 4, ShowFamily: true, Family: 1},
	} {
		got := make([]float64, B*n)
		tr.Predict(got, bt)
		for i, v := range want(k - 1) {
			if got[i] != float64(v) {
				t.Fatalf("transformer %d (ShowFamily %v, Family %d): prediction %d is %v, model's %v",
					k, tr.ShowFamily, tr.Family, i, got[i], v)
			}
		}
		preds[k] = got
	}
	for a := 0; a < 3; a++ {
		for b := a + 1; b < 3; b++ {
			if preds[a][0] == preds[b][0] {
				t.Errorf("indicators %d and %d give the same prediction", a-1, b-1)
			}
		}
	}

	for _, tr := range []*Transformer{
		{Model: m, ShowFamily: true, Family: F},
		{Model: m, ShowFamily: true, Family: -1},
		{Model: tinyModel(t, d, n), ShowFamily: true},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("family %d of a model with %d families: no panic", tr.Family, tr.Model.Cfg.Families)
				}
			}()
			tr.Predict(make([]float64, B*n), bt)
		}()
	}
}
