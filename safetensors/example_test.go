package safetensors_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"icl/safetensors"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "safetensors-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.safetensors")

	tensors := []safetensors.Tensor{
		{Name: "read_in.weight", Shape: []int{4, 2}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8}},
		{Name: "read_in.bias", Shape: []int{4}, Data: []float32{0.5, 0, 0, -0.5}},
	}
	meta := map[string]string{"config": `{"n_embd": 4}`}
	if err := safetensors.WriteFile(path, tensors, meta); err != nil {
		log.Fatal(err)
	}

	f, err := safetensors.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Names(), f.Meta["config"])
	w, err := f.Float32("read_in.weight", 4, 2)
	fmt.Println(w[2:4], err)
	_, err = f.Float32("read_in.weight", 4, 3)
	fmt.Println(filepath.Base(err.Error()))
	// Output:
	// [read_in.weight read_in.bias] {"n_embd": 4}
	// [3 4] <nil>
	// model.safetensors: tensor "read_in.weight" has shape [4 2] but [4 3] is needed
}
