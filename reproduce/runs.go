package reproduce

import (
	"fmt"
	"icl/provenance"
	"icl/report"
	"icl/runplan"
	"icl/train"
	"math"
	"os"
	"path"
	"path/filepath"
)

// lossNote shows a run's final normalized evaluation loss, saying so when it
// is the zero predictor's: such a run did not learn in context, and every
// experiment that uses it measures a model that predicts about 0.
func lossNote(v float64) string {
	switch {
	case math.IsNaN(v):
		return "n/a"
	case train.AtZeroPredictor(v):
		return fmt.Sprintf("%.3f: at the zero predictor, the run did not learn (train it again from another seed)", v)
	}
	return fmt.Sprintf("%.3f", v)
}

// runsTable is the report's table of the runs: whether each was shipped or
// trained here, its model's SHA-256, the training time its metrics record
// and the command that trains it again.
func runsTable(preset string, runs []*runplan.Run) *report.Table {
	t := &report.Table{
		Caption: "Models: where each run's model comes from, the SHA-256 of its model.safetensors, " +
			"the training time its metrics record (summed over resumes), its last evaluation's normalized loss " +
			"(the zero predictor scores 1) and the command that trains it again",
		Header: []string{"run", "model", "SHA-256", "training time", "final evaluation loss", "retrain with"},
	}
	for _, r := range runs {
		src := "trained here"
		cmd := "icl train -config " + filepath.Join(r.Dir, train.ConfigFile) + " -out NEWDIR"
		if r.Shipped != "" {
			src = "shipped (models/" + r.Shipped + ")"
			run := r.Shipped // a run of another scale (Scale.RunsFrom) is named with its scale
			if path.Dir(run) == preset {
				run = path.Base(run)
			}
			cmd = fmt.Sprintf("icl reproduce -preset %s -verify %s", preset, run)
		}
		sum := "not finished"
		if b, err := os.ReadFile(r.ModelPath()); err == nil {
			sum = provenance.SHA256Hex(b)
		}
		took, final := "not finished", "n/a"
		if d, ok := runplan.ReadTrainTime(r.Dir); ok {
			took = d.String()
			final = lossNote(d.FinalLoss)
		}
		t.Rows = append(t.Rows, []string{r.Name, src, sum, took, final, cmd})
	}
	return t
}
