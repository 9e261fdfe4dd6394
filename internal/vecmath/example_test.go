package vecmath_test

import (
	"fmt"
	"math"

	"icl/internal/vecmath"
)

func ExampleSin() {
	xs := []float64{0, math.Pi / 6, math.Pi / 2, 3, -1, 1e9}
	ys := make([]float64, len(xs))
	vecmath.Sin(ys, xs)
	for i, x := range xs {
		fmt.Printf("%v %.6f %v\n", x, ys[i], ys[i] == math.Sin(x))
	}
	// Output:
	// 0 0.000000 true
	// 0.5235987755982989 0.500000 true
	// 1.5707963267948966 1.000000 true
	// 3 0.141120 true
	// -1 -0.841471 true
	// 1e+09 0.545843 true
}
