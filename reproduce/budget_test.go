package reproduce

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"icl/experiment"
	"icl/progress"
	"icl/report"
	"icl/runplan"
	"icl/train"
)

// A run with a budget is the cooldown branch of its trunk: planned with the
// trunk (shared by the branches), trained after it from its checkpoint, and
// ending with the bits of a run configured so from scratch. A trunk whose
// branches are all done is not needed.
func TestBudgetBranches(t *testing.T) {
	s := experiment.MicroBudgetScale(60, 20)
	d := &experiment.Def{ID: "B", Runs: []experiment.RunRef{
		{Role: "b20", Preset: "dense_linear", Recipe: experiment.Recipe{Budget: 20}},
		{Role: "b40", Preset: "dense_linear", TrainAt: map[string]experiment.Recipe{"micro": {Budget: 40}}},
		{Role: "final", Preset: "dense_linear"},
	}}
	out := t.TempDir()
	runs, err := runplan.Plan([]*experiment.Def{d}, s, out)
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
	if b20.Trunk() != trunk || b40.Trunk() != trunk || b20.Cfg.Train.Steps != 22 || b20.Cfg.Train.Schedule.CooldownSteps != 2 ||
		b40.Cfg.Train.Steps != 44 || b40.Cfg.Train.Schedule.CooldownSteps != 4 {
		t.Fatalf("branches: %+v / %+v", b20.Cfg.Train, b40.Cfg.Train)
	}
	disp := progress.New(io.Discard, false, true, 0, runs)
	if err := runplan.Train(context.Background(), runs, 2, disp); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*runplan.Run{b20, b40} {
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
	runs, err = runplan.Plan([]*experiment.Def{d}, s, out)
	if err != nil {
		t.Fatal(err)
	}
	if kept := runplan.DropIdleTrunks(runs); len(kept) != 2 || kept[0].Trunk() == nil || kept[1].Trunk() == nil {
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

// E1B's analysis on tiny budget branches: its definition with budgets of
// 20 to 80 steps of 80-step trunks, at the micro scale. It runs, its checks
// are E1's target and MS's sparse half per seed at the largest budget (plus
// the preconditions), its tables list every budget, and its figures draw.
func TestE1BMicro(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 4 tiny trunks and 13 branches")
	}
	d, err := experiment.LoadDef("E1B")
	if err != nil {
		t.Fatal(err)
	}
	d.Scales = nil
	small := map[int]int{50000: 20, 100000: 40, 200000: 60, 400000: 80}
	for i := range d.Runs {
		d.Runs[i].Budget = small[d.Runs[i].Budget]
		if rc, ok := d.Runs[i].TrainAt["long"]; ok {
			d.Runs[i].TrainAt = map[string]experiment.Recipe{"micro": rc}
		}
	}
	s := experiment.MicroBudgetScale(80, 20)
	out := t.TempDir()
	runs, err := runplan.Plan([]*experiment.Def{d}, s, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 13+4 {
		t.Fatalf("planned %d runs, want 13 branches and 4 trunks", len(runs))
	}
	if err := runplan.Train(context.Background(), runs, 2, progress.New(io.Discard, false, true, 0, runs)); err != nil {
		t.Fatal(err)
	}
	o, err := runExperiment(d, s, runs, map[string]*experiment.Model{}, experiment.AnalyzeOptions{Log: func(string, ...any) {}}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var claims []string
	for _, c := range o.Checks {
		if !c.Precondition {
			claims = append(claims, c.Name)
		}
	}
	// The checks name each mixture by its trunk's seed: the preset's, then
	// E1B's second seed (5).
	var seed1 uint64
	for _, r := range runs {
		if strings.HasSuffix(r.Name, "/dense_sparse") {
			seed1 = r.Cfg.Seed
		}
	}
	if seed1 == 5 || len(claims) != 4 || !strings.Contains(claims[0], fmt.Sprintf("(1) mixture seed %d, budget 80", seed1)) ||
		!strings.Contains(claims[3], "(2) mixture seed 5, budget 80") {
		t.Errorf("checks of the claim %q (the preset's mixture seed %d)", claims, seed1)
	}
	if len(o.Tables) != 3 || len(o.Tables[0].Rows) != 3*4+1+3 || len(o.Figures) != 2 {
		t.Fatalf("%d tables (%d rows in the first), %d figures", len(o.Tables), len(o.Tables[0].Rows), len(o.Figures))
	}
	// E1's checks at each budget: a row per budget and seed, a column per
	// check of E1's claim (six at the micro scale's d = 5, 11 points) and the verdict.
	e1 := o.Tables[1]
	if len(e1.Rows) != 4*2 || len(e1.Header) != 2+6+1 || !strings.HasPrefix(e1.Header[2], "(1) dense prompts, 5 examples") {
		t.Errorf("E1 by budget: header %q, %d rows", e1.Header, len(e1.Rows))
	}
	verdicts := []string{report.Supported, report.Partly, report.NotAtScale, report.NotTestable}
	for _, row := range e1.Rows {
		for _, c := range row[2 : len(row)-1] {
			if !slices.Contains([]string{"yes", "no", "inconclusive", "not testable"}, c) {
				t.Errorf("E1 by budget, row %q: cell %q", row, c)
			}
		}
		if !slices.Contains(verdicts, row[len(row)-1]) {
			t.Errorf("E1 by budget, row %q: verdict %q", row, row[len(row)-1])
		}
	}
	if want := fmt.Sprintf("seed %d", seed1); e1.Rows[6][0] != "80" || e1.Rows[6][1] != want {
		t.Errorf("E1 by budget: row 7 %q, want budget 80, %s", e1.Rows[6], want)
	}
	for _, f := range o.Figures {
		if len(f.F.Series) != 3 || len(f.F.Series[0].X) != 4 {
			t.Errorf("figure %s: %d series, %d budgets", f.Name, len(f.F.Series), len(f.F.Series[0].X))
		}
		if want := fmt.Sprintf("mixture, seed %d", seed1); f.F.Series[0].Name != want || f.F.Series[1].Name != "mixture, seed 5" {
			t.Errorf("figure %s: series %q and %q, want %q and \"mixture, seed 5\"", f.Name, f.F.Series[0].Name, f.F.Series[1].Name, want)
		}
		// Every model's value is on the axis (no error ceiling cuts it).
		for _, sr := range f.F.Series {
			for _, y := range sr.Y {
				if !(y <= f.F.YMax) {
					t.Errorf("figure %s: %s at %g above the axis's top %g", f.Name, sr.Name, y, f.F.YMax)
				}
			}
		}
	}
}
