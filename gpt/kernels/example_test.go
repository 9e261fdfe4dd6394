package kernels_test

import (
	"fmt"

	"icl/gpt/kernels"
)

// A linear layer's forward pass, out = inp * W^T, with W stored (OC, C) as in
// nn.Linear, followed by the weight gradient dW += dout^T * inp.
func ExampleGemm() {
	const bt, c, oc = 2, 3, 2
	inp := []float32{ // (BT, C)
		1, 2, 3,
		4, 5, 6,
	}
	w := []float32{ // (OC, C)
		1, 0, -1,
		0.5, 0.5, 0.5,
	}
	out := make([]float32, bt*oc) // (BT, OC)
	kernels.Gemm(false, true, bt, oc, c, inp, c, w, c, 0, out, oc)
	fmt.Println(out)

	dout := []float32{1, 0, 0, 1} // (BT, OC)
	dw := make([]float32, oc*c)   // (OC, C), accumulated
	kernels.Gemm(true, false, oc, c, bt, dout, oc, inp, c, 1, dw, c)
	fmt.Println(dw)
	// Output:
	// [-2 3 -2 7.5]
	// [1 2 3 4 5 6]
}

// Parallel splits a loop over the package's goroutines; here each (batch,
// head) pair of an attention layer gets its own small product.
func ExampleParallel() {
	const bh, t, hs = 4, 3, 2
	q := make([]float32, bh*t*hs)
	for i := range q {
		q[i] = float32(i % 5)
	}
	att := make([]float32, bh*t*t) // (B*H, T, T)
	kernels.Parallel(bh, func(lo, hi int) {
		for h := lo; h < hi; h++ {
			qh := q[h*t*hs : (h+1)*t*hs]
			kernels.Gemm(false, true, t, t, hs, qh, hs, qh, hs, 0, att[h*t*t:(h+1)*t*t], t)
		}
	})
	fmt.Println(att[:t*t])
	// Output:
	// [1 3 0 3 13 8 0 8 16]
}
