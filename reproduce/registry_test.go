package reproduce

import (
	"context"
	"fmt"
	"icl/experiment"
	"icl/verdict"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exYAML is a test-only experiment: one run, one evaluation, one check.
const exYAML = `id: EX
title: A test-only experiment
claim: The dense-only model predicts dense prompts better than the zero predictor.
runs:
  - {role: dense, preset: dense_linear}
evals:
  - name: dense
    task: {class: dense_linear}
    models: [dense]
figures:
  - {name: icl_dense, caption: "The dense-only model on dense prompts."}
params:
  bound: 10
rule: The dense-only model's error at the last position is below bound.
`

func init() {
	experiment.Register(experiment.Registration{ID: "EX", Order: 1000, Summary: "a test-only experiment", YAML: exYAML,
		Analyze: func(e *experiment.Env) (*experiment.Outcome, error) {
			o, err := e.Evaluate()
			if err != nil {
				return nil, err
			}
			r := o.Results.Setting("dense")
			v := e.ModelError(r, "dense", e.Points()-1)
			o.Checks = append(o.Checks, verdict.Check{Name: "below bound", Pass: v < e.Def().Param("bound"), Detail: fmt.Sprintf("%.3f", v)})
			o.Figures = append(o.Figures, experiment.Fig{Name: "icl_dense", Caption: e.Def().Caption("icl_dense"), F: e.ICLFigure("EX: dense prompts", r)})
			return o, nil
		}})
}

// An experiment registered by a test, with nothing else edited, is listed,
// runs in a reproduction and has its section in the report.
func TestRegisteredExperimentReported(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a tiny run")
	}
	ids := experiment.IDs()
	if ids[len(ids)-1] != "EX" {
		t.Fatalf("IDs() = %v, want EX last (order 1000)", ids)
	}
	out := t.TempDir()
	opts := Options{Preset: "micro", OutDir: out, Progress: io.Discard, Scale: experiment.MicroScale(), Only: []string{"EX"}}
	if err := Reproduce(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	html, err := os.ReadFile(filepath.Join(out, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `<section id="EX">`) || !strings.Contains(string(html), "A test-only experiment") {
		t.Error("the registered experiment has no section in the report")
	}
	if _, err := os.Stat(filepath.Join(out, "EX", "verdict.json")); err != nil {
		t.Errorf("no verdict.json: %v", err)
	}
}
