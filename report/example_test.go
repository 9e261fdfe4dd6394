package report_test

import (
	"bytes"
	"fmt"
	"log"
	"strings"

	"icl/report"
)

// A one-experiment report; the figure bytes would normally come from
// icl/plot's Figure.Render("svg").
func ExampleWrite() {
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>`)
	r := report.Report{
		Title: "icl reproduction",
		Meta:  []report.KV{{Key: "preset", Value: "quick"}, {Key: "seed", Value: "1"}},
		Experiments: []report.Experiment{{
			ID:          "E3",
			Title:       "Intermediate sparsity",
			Claim:       "The mixture model predicts between the two classes.",
			Figures:     []report.Figure{{Caption: "Error against sparsity k.", SVG: svg}},
			Tables:      []report.Table{{Header: []string{"k", "error"}, Rows: [][]string{{"1", "0.05"}, {"5", "0.48"}}}},
			Verdict:     report.Partly,
			VerdictNote: "Error rises smoothly with k (0.05 at k = 1, 0.48 at k = 5).",
			Commands:    []string{"icl eval -config presets/quick/e3.yaml"},
		}},
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, r); err != nil {
		log.Fatal(err)
	}
	html := buf.String()
	fmt.Println(strings.Contains(html, `<section id="E3">`), strings.Contains(html, "http://"))
	// Output: true false
}
