package probe_test

import (
	"fmt"

	"icl/probe"
	"icl/rng"
)

// A label that a direction of the features encodes is probed at about 100%
// held-out accuracy; a target that is linear in them with as much noise
// as signal at R^2 about 1/2.
func Example() {
	r := rng.New(1, rng.Name("probe example"))
	const n, p = 1000, 8      // 500 rows to fit, 500 held out
	x := make([]float64, n*p) // (n, p)
	label, target := make([]float64, n), make([]float64, n)
	for i := range n {
		row := x[i*p : (i+1)*p]
		for j := range row {
			row[j] = 100 * r.NormFloat64() // any scale: features are standardised
		}
		if row[0]-row[1] > 0 {
			label[i] = 1
		}
		target[i] = (row[2]+row[3])/100/1.4142 + r.NormFloat64()
	}
	set := func(y []float64, lo, hi int) probe.Set {
		return probe.Set{X: x[lo*p : hi*p], Y: y[lo:hi], N: hi - lo, P: p}
	}
	lg, err := probe.Logistic(set(label, 0, 500), set(label, 500, n), probe.Options{})
	if err != nil {
		panic(err)
	}
	ln, err := probe.Linear(set(target, 0, 500), set(target, 500, n), probe.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("held-out accuracy %.2f\n", lg.Score)
	fmt.Printf("held-out R^2 %.1f\n", ln.Score)
	// Output:
	// held-out accuracy 0.99
	// held-out R^2 0.5
}
