package plot_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"icl/plot"
)

// An ICL curve with its 90% interval band, a baseline, and the zero
// predictor's error as a dashed reference line, saved as SVG and PNG.
func ExampleICLCurves() {
	x := []float64{0, 1, 2, 3, 4, 5}
	fig := plot.ICLCurves("Sparse linear functions", 1,
		plot.Series{Name: "transformer (mixture)", X: x,
			Y:  []float64{1, 0.7, 0.45, 0.3, 0.2, 0.15},
			Lo: []float64{0.9, 0.6, 0.38, 0.24, 0.15, 0.11},
			Hi: []float64{1.1, 0.8, 0.52, 0.36, 0.25, 0.19}},
		plot.Series{Name: "lasso", X: x, Y: []float64{1, 0.68, 0.42, 0.28, 0.19, 0.14}, Dashed: true},
	)
	dir, err := os.MkdirTemp("", "icl-plot")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := fig.Save(filepath.Join(dir, "e1_sparse"), 0, 0); err != nil {
		log.Fatal(err)
	}
	svg, err := fig.Render("svg")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(svg) > 0)
	// Output: true
}
