package eval_test

import (
	"fmt"

	"icl/baseline"
	"icl/eval"
	"icl/task"
)

// Least squares against the zero predictor on noiseless dense linear
// functions in d = 2: least squares is exact from 2 examples on.
func ExampleEvaluate() {
	s := eval.Setting{Name: "dense", Task: task.Spec{Class: "dense_linear"}, Prompts: 4000, Seed: 1}
	preds := eval.Baselines([]baseline.Predictor{baseline.Zero{}, baseline.LeastSquares{}})
	r, err := eval.Evaluate(s, 2, 4, preds, eval.Options{Boots: 100})
	if err != nil {
		panic(err)
	}
	fmt.Printf("zero predictor: %.2f\n", r.ZeroError)
	c := r.Curve("least_squares")
	for i := range c.Mean {
		fmt.Printf("%d examples: %.1f in [%.1f, %.1f]\n", i, c.Mean[i], c.Lo[i], c.Hi[i])
	}
	// Output:
	// zero predictor: 0.97
	// 0 examples: 1.0 in [0.9, 1.0]
	// 1 examples: 0.5 in [0.5, 0.5]
	// 2 examples: 0.0 in [0.0, 0.0]
	// 3 examples: 0.0 in [0.0, 0.0]
}
