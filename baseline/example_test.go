package baseline_test

import (
	"fmt"

	"icl/baseline"
	"icl/prompt"
	"icl/task"
)

// Predictions at each position use only the earlier points: with y = 2x, least
// squares is exact from the second point on; ridge (w = 10.5/(5.25+1) at the
// last position) and lasso ((10.5 - 3*0.1)/5.25) shrink towards 0. Hand-checked.
func Example() {
	b := prompt.NewBatch(1, 4, 1)
	copy(b.Xs, []float64{1, -2, 0.5, 3})
	for i, x := range b.Xs {
		b.Ys[i] = 2 * x
	}
	ps, err := baseline.ForClass(&task.DenseLinear{D: 1, Std: 1}, baseline.Options{
		KNN: 1, RidgeLambdas: []float64{1}, LassoAlphas: []float64{0.1},
		Jitter: baseline.DefaultJitter, MCSamples: 1})
	if err != nil {
		panic(err)
	}
	dst := make([]float64, b.B*b.N)
	for _, p := range ps {
		baseline.Run(dst, p, b, 1)
		fmt.Printf("%-17s %.4f\n", p.Name(), dst)
	}
	// Output:
	// zero              [0.0000 0.0000 0.0000 0.0000]
	// averaging         [0.0000 -4.0000 2.5000 10.5000]
	// knn_k=1           [0.0000 2.0000 2.0000 2.0000]
	// least_squares     [0.0000 -4.0000 1.0000 6.0000]
	// ridge_lambda=1    [0.0000 -2.0000 0.8333 5.0400]
	// lasso_alpha=0.1   [0.0000 -3.8000 0.9800 5.8286]
	// bayes_dense       [0.0000 -4.0000 1.0000 6.0000]
}
