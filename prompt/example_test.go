package prompt_test

import (
	"fmt"

	"icl/prompt"
	"icl/rng"
	"icl/task"
)

func ExampleSample() {
	// Two prompts of 4 points in d = 3 from a dense/sparse mixture, with
	// queries orthogonal to the context, as in Garg et al.'s OOD evaluation.
	spec := task.Spec{Class: "mixture", Weights: []float64{0.5, 0.5},
		Of: []task.Spec{{Class: "dense_linear"}, {Class: "sparse_linear", K: 1}}}
	c, err := spec.Build(3)
	if err != nil {
		fmt.Println(err)
		return
	}
	bt := prompt.NewBatch(2, 4, 3)
	st := prompt.Setting{Query: prompt.QueryOrthogonal}
	if err := prompt.Sample(bt, c, st, 1, rng.LabelEval); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("components:", len(bt.Class), "queries defined at positions <", bt.QueryLen)

	// Position i is scored on its query given context points 0..i-1.
	xs, ys := make([]float64, 4*3), make([]float64, 4)
	for i := 0; i < bt.N; i++ {
		ok := bt.QueryPrompt(xs, ys, 0, i)
		fmt.Printf("position %d: query defined %v\n", i, ok)
	}

	// Same seed and labels, same bits, whatever the number of goroutines.
	again := (&prompt.Sampler{Class: c, Setting: st, Workers: 1}).Batch(2, 4, 1, rng.LabelEval)
	fmt.Println("reproducible:", again.Xs[5] == bt.Xs[5] && again.QYs[1] == bt.QYs[1])

	// Invalid settings name the field and the allowed values.
	fmt.Println(prompt.Setting{Input: "uniform"}.Validate(3))
	// Output:
	// components: 2 queries defined at positions < 3
	// position 0: query defined true
	// position 1: query defined true
	// position 2: query defined true
	// position 3: query defined false
	// reproducible: true
	// prompt.input: "uniform" unknown; allowed: gaussian, skewed, half_subspace
}
