package shipped

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"icl/experiment"
	"icl/models"
	"icl/presets"
	"icl/runplan"
	"icl/train"
)

// The medium scale trains E1's three runs (E3 and MS share the mixture) and
// takes E2's, E4-E6's and E7's from the small scale, as small configures them.
func TestPlanMedium(t *testing.T) {
	defs, err := experiment.Defs()
	if err != nil {
		t.Fatal(err)
	}
	s, err := experiment.LoadScale("medium")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := runplan.Plan(defs, s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	want := "medium/dense_linear medium/sparse_linear medium/dense_sparse small/dense_sparse_w0.1 small/dense_sparse_w0.5 small/dense_sparse_w0.9 small/linear_sinusoid_d1" +
		" small/dense_sparse_cond small/dense_sparse_w0.1_cond small/dense_linear small/sparse_linear"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("runs:\n got %s\nwant %s", got, want)
	}
	small, _ := experiment.LoadScale("small")
	for _, id := range []string{"E2", "E4"} {
		d, _ := experiment.LoadDef(id)
		a, err := experiment.RunConfig(d, &d.Runs[0], s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := experiment.RunConfig(d, &d.Runs[0], small)
		if ok, diff := sameConfig(a, b); !ok || a.Name != b.Name {
			t.Errorf("%s at medium: %s, small's %s (%s)", id, a.Name, b.Name, diff)
		}
	}
	for _, r := range runs[:3] {
		c := r.Cfg
		if c.Model != (train.Model{Layers: 6, Width: 128, Heads: 4}) || c.Train.Steps != 72000 || !c.Curriculum.SparseInActive ||
			c.Train.Loss != train.LossNormalized || c.Seed != 1 {
			t.Errorf("%s: %+v", r.Name, c)
		}
	}
	bad := *s
	bad.RunsFrom = map[string]string{"E4": "medium"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "runs_from.E4") {
		t.Errorf("runs_from naming the scale itself: %v", err)
	}
}

// The default scale evaluates shipped models and trains nothing: every run
// it plans is shipped (models/) with its config and checksums verified.
func TestDefaultScaleShipped(t *testing.T) {
	defs, err := experiment.Defs()
	if err != nil {
		t.Fatal(err)
	}
	s, err := experiment.LoadScale(presets.DefaultScale)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := runplan.Plan(defs, s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	logf := func(format string, a ...any) { fmt.Fprintf(&log, format+"\n", a...) }
	if err := Use(runs, models.FS(), false, logf); err != nil {
		t.Fatal(err)
	}
	// Trunks of budget branches that no experiment reads do not ship.
	for _, r := range runplan.DropIdleTrunks(runs) {
		if r.State != runplan.StateDone || r.Shipped == "" {
			t.Errorf("default scale %s: run %s is not shipped (state %s)", presets.DefaultScale, r.Name, r.State)
		}
	}
	if log.Len() > 0 {
		t.Errorf("shipped models reported:\n%s", log.String())
	}
}

// A run of a shipped scale that the models folder does not give is not
// trained silently: the reproduction says what the folder lacks, run by run,
// and stops when the training would take long, unless -retrain.
func TestShippedCoverMissing(t *testing.T) {
	cfg, err := train.Preset("small/dense_sparse")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Name = "small/dense_sparse"
	quick, err := train.Preset("quick/dense_sparse")
	if err != nil {
		t.Fatal(err)
	}
	quick.Name = "quick/dense_sparse"
	long := &runplan.Run{Name: cfg.Name, Cfg: cfg, State: runplan.StateMissing, StepS: 0.02} // 100000 steps: over half an hour
	notShipped := &runplan.Run{Name: quick.Name, Cfg: quick, State: runplan.StateMissing, StepS: 0.02}
	var log strings.Builder
	logf := func(f string, a ...any) { fmt.Fprintf(&log, f+"\n", a...) }

	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"empty folder", fstest.MapFS{}, "has no directory small/dense_sparse"},
		{"no manifest", fstest.MapFS{"small/dense_sparse/config.yaml": {Data: []byte("name: x\n")}}, "has no SHA256SUMS"},
	} {
		err := CheckCover([]*runplan.Run{long, notShipped}, tc.fsys, "DIR", false, logf)
		var me *MissingError
		if !errors.As(err, &me) || len(me.Runs) != 1 || !strings.Contains(err.Error(), "run small/dense_sparse") ||
			!strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "-retrain") {
			t.Errorf("%s: err %v, want a *MissingError for small/dense_sparse alone saying %q and naming -retrain", tc.name, err, tc.want)
		}
		if err := CheckCover([]*runplan.Run{long}, tc.fsys, "DIR", true, logf); err != nil {
			t.Errorf("%s: -retrain: %v", tc.name, err)
		}
	}
	// A short run is trained with a note, not stopped.
	short := *long
	short.StepS = 1e-6
	log.Reset()
	if err := CheckCover([]*runplan.Run{&short}, fstest.MapFS{}, "DIR", false, logf); err != nil {
		t.Errorf("a run of a few seconds: %v", err)
	}
	if !strings.Contains(log.String(), "small/dense_sparse") || !strings.Contains(log.String(), "it is trained here") {
		t.Errorf("a short run is trained without a word: %q", log.String())
	}
}
