package experiment

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"icl/optim"
	"icl/train"
)

// budgetScale trains tiny warmup-stable-decay runs that keep a checkpoint
// every 20 steps, 60 steps in all.
func budgetScale() *Scale {
	s := microScale()
	inner := s.Train
	s.Train = func(c *train.Config) {
		inner(c)
		c.Train.Steps = 60
		c.Train.Schedule = optim.ScheduleConfig{Kind: optim.KindWarmupConstant, LR: 3e-3, MinLR: 1e-5, WarmupSteps: 5}
		c.KeepCheckpointsEvery = 20
		c.EvalEvery = 30 // too few evaluations for the zero-predictor stop, which tiny runs would meet
	}
	return s
}

// A run with a budget is the cooldown branch of its trunk: planned with the
// trunk (shared by the branches), trained after it from its checkpoint, and
// ending with the bits of a run configured so from scratch. A trunk whose
// branches are all done is not needed.
func TestBudgetBranches(t *testing.T) {
	s := budgetScale()
	d := &Def{ID: "B", Runs: []RunRef{
		{Role: "b20", Preset: "dense_linear", Recipe: Recipe{Budget: 20}},
		{Role: "b40", Preset: "dense_linear", TrainAt: map[string]Recipe{"micro": {Budget: 40}}},
		{Role: "final", Preset: "dense_linear"},
	}}
	out := t.TempDir()
	runs, err := Plan([]*Def{d}, s, out)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
	}
	if want := []string{"micro/dense_linear_b20", "micro/dense_linear", "micro/dense_linear_b40"}; !slices.Equal(names, want) {
		t.Fatalf("planned %v, want the two branches and their shared trunk %v", names, want)
	}
	b20, trunk, b40 := runs[0], runs[1], runs[2]
	if b20.trunk != trunk || b40.trunk != trunk || b20.Cfg.Train.Steps != 22 || b20.Cfg.Train.Schedule.CooldownSteps != 2 ||
		b40.Cfg.Train.Steps != 44 || b40.Cfg.Train.Schedule.CooldownSteps != 4 {
		t.Fatalf("branches: %+v / %+v", b20.Cfg.Train, b40.Cfg.Train)
	}
	disp := newDisplay(io.Discard, false, true, 0, runs)
	if err := trainRuns(context.Background(), runs, 2, disp); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*PlannedRun{b20, b40} {
		events := string(mustRead(t, filepath.Join(b.Dir, train.MetricsFile)))
		if !strings.Contains(events, `"kind":"resume"`) {
			t.Errorf("%s did not start from the trunk's checkpoint:\n%s", b.Name, events)
		}
		scratch := t.TempDir()
		if _, err := train.Run(context.Background(), b.Cfg, scratch, train.Options{Progress: io.Discard}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(mustRead(t, filepath.Join(scratch, train.ModelFile)), mustRead(t, b.ModelPath())) {
			t.Errorf("%s: the branch's model differs from the same config trained from scratch", b.Name)
		}
	}

	// Branches done, trunk unread: with "final" gone from the def, the trunk
	// is dropped from a new plan of the same output.
	d.Runs = d.Runs[:2]
	os.RemoveAll(trunk.Dir)
	runs, err = Plan([]*Def{d}, s, out)
	if err != nil {
		t.Fatal(err)
	}
	if kept := dropIdleTrunks(runs); len(kept) != 2 || kept[0].trunk == nil || kept[1].trunk == nil {
		t.Errorf("after the branches are done: %d runs kept, want the two branches", len(kept))
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
