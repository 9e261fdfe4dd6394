// Command perturb writes a copy of a training checkpoint with every parameter
// moved one float32 ulp up or down: a perturbation the size of float32
// rounding, to measure how far training carries it (docs/scale.md, "bf16
// against float32").
//
//	go run ./docs/pilot/perturb SRC.safetensors DST.safetensors up|down
//
// Put DST in a run directory with the run's config.yaml (train.steps may be
// raised) and metrics.jsonl, and continue it with icl train -resume.
package main

import (
	"fmt"
	"math"
	"os"

	"icl/train"
)

func main() {
	if len(os.Args) != 4 || (os.Args[3] != "up" && os.Args[3] != "down") {
		fmt.Fprintln(os.Stderr, "usage: perturb SRC.safetensors DST.safetensors up|down")
		os.Exit(2)
	}
	ck, err := train.ReadCheckpoint(os.Args[1], -1)
	if err != nil {
		fmt.Fprintln(os.Stderr, "perturb:", err)
		os.Exit(1)
	}
	toward := float32(math.Inf(1))
	if os.Args[3] == "down" {
		toward = float32(math.Inf(-1))
	}
	for i, v := range ck.Params {
		ck.Params[i] = math.Nextafter32(v, toward)
	}
	if err := train.WriteCheckpoint(os.Args[2], ck); err != nil {
		fmt.Fprintln(os.Stderr, "perturb:", err)
		os.Exit(1)
	}
}
