package gpt_test

import (
	"fmt"
	"math/rand/v2"

	"icl/gpt"
	"icl/optim"
)

// One training step on a batch of two prompts of four points in R^3.
func Example() {
	cfg := gpt.Config{Dim: 3, Points: 4, Layers: 2, Width: 8, Heads: 2}
	m, err := gpt.New(cfg)
	if err != nil {
		panic(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	m.Init(r)
	B, N := 2, 4
	xs := make([]float32, B*N*cfg.Dim) // (B, N, d)
	ys := make([]float32, B*N)         // (B, N)
	for i := range xs {
		xs[i] = float32(r.NormFloat64())
	}
	for i := range ys {
		ys[i] = xs[i*cfg.Dim] // y = first coordinate of x
	}
	opt := optim.DefaultAdamW().New(len(m.Params))
	m.ZeroGrad()
	loss := m.Forward(gpt.Input{Xs: xs, Ys: ys, B: B, N: N})
	m.Backward()
	opt.Update(m.Params, m.Grads, 1e-3)
	fmt.Println(cfg.NumParams(), len(m.Preds()), loss > 0)
	// Output: 1865 8 true
}
