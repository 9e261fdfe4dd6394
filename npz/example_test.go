package npz_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"icl/npz"
)

func ExampleWriteNPZ() {
	dir, err := os.MkdirTemp("", "npz-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "prompts.npz")

	// Two prompts of three points in dimension 2: xs (B, N, D), ys (B, N).
	xs := npz.NewFloat64("xs", []int{2, 3, 2}, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	ys := npz.NewFloat32("ys", []int{2, 3}, []float32{0.5, 1, 1.5, 2, 2.5, 3})
	class := npz.NewInt64("class", []int{2}, []int64{0, 1})
	if err := npz.WriteNPZCompressed(path, xs, ys, class); err != nil {
		log.Fatal(err)
	}

	f, err := npz.ReadNPZ(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Names())
	data, shape, err := f.Float64("xs", -1, -1, 2) // any B and N, D = 2
	fmt.Println(shape, data[len(data)-1], err)
	_, _, err = f.Float64("xs", -1, -1, 5)
	fmt.Println(filepath.Base(err.Error()))
	_, _, err = f.Float64("zs")
	fmt.Println(filepath.Base(err.Error()))
	// Output:
	// [xs ys class]
	// [2 3 2] 12 <nil>
	// prompts.npz: array "xs" has shape (2, 3, 2) but (*, *, 5) is needed
	// prompts.npz: array "zs" missing (have: xs, ys, class)
}
