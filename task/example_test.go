package task_test

import (
	"fmt"
	"strings"

	"icl/config"
	"icl/rng"
	"icl/task"
)

func ExampleSpec_Build() {
	// A 0.5/0.5 mixture of dense linear and sinusoid functions, the linear part
	// scaled by 1/sqrt(d), as one would write it in a YAML config.
	cfg := `
class: mixture
weights: [0.5, 0.5]
of:
  - class: dense_linear
    std: inv_sqrt_d
  - class: sinusoid
    omega_lo: 0.5
    omega_hi: 2
`
	var s task.Spec
	if err := config.Decode(strings.NewReader(cfg), &s); err != nil {
		fmt.Println(err)
		return
	}
	c, err := s.Build(4)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Name())
	m := c.(*task.Mixture)
	for _, k := range m.Components {
		fmt.Printf("%s: scale %g\n", k.Name(), k.Scale())
	}
	// Functions are drawn from a caller's stream: same stream, same function.
	x := []float64{1, 2, 3, 4}
	f := c.Sample(rng.New(1, rng.LabelEval, 0))
	g := c.Sample(rng.New(1, rng.LabelEval, 0))
	fmt.Println(f.Eval(x) == g.Eval(x))

	// Validation names the field and the allowed values.
	bad := task.Spec{Class: "mixture", Of: []task.Spec{{Class: "sparse_linear", K: 25}}}
	_, err = bad.Build(20)
	fmt.Println(err)
	// Output:
	// mixture(0.5 dense linear, 0.5 sinusoid (omega in [0.5, 2]))
	// dense linear: scale 1
	// sinusoid (omega in [0.5, 2]): scale 0.5
	// true
	// task.of[0].k: 25 > d = 20; allowed 1..20
}
