package runplan

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"icl/experiment"
	"icl/presets"
	"icl/train"
)

func TestTimeSteps(t *testing.T) {
	cfg := func(name string, width int) *train.Config {
		c, err := train.Preset("quick/dense_linear")
		if err != nil {
			t.Fatal(err)
		}
		c.Name, c.Model.Width = name, width
		return c
	}
	runs := []*Run{
		{Name: "a", Cfg: cfg("a", 32), State: StateMissing},
		{Name: "b", Cfg: cfg("b", 32), State: StateInterrupted},
		{Name: "c", Cfg: cfg("c", 64), State: StateMissing},
		{Name: "d", Cfg: cfg("d", 32), State: StateDone},
	}
	TimeSteps(runs, 1)
	if runs[0].StepS <= 0 || runs[2].StepS <= 0 {
		t.Fatalf("step times %v, %v, want > 0", runs[0].StepS, runs[2].StepS)
	}
	if runs[1].StepS != runs[0].StepS {
		t.Errorf("runs with the same model timed separately: %v and %v", runs[0].StepS, runs[1].StepS)
	}
	if runs[3].StepS != 0 || runs[3].Work() != 0 {
		t.Errorf("finished run timed: stepS %v", runs[3].StepS)
	}
	if w := runs[0].Work(); w != runs[0].StepS*float64(runs[0].Cfg.Train.Steps) {
		t.Errorf("work %v, want step time x steps", w)
	}
}

func TestTrainedFor(t *testing.T) {
	dir := t.TempDir()
	r := &Run{Name: "small/dense_linear", Dir: dir}
	if _, ok := r.TrainedFor(); ok {
		t.Error("no metrics file: reported a training time")
	}
	metrics := `{"kind":"start","step":0,"wall_s":0}
{"kind":"interrupt","step":3744,"wall_s":310.5}
{"kind":"resume","step":3744,"wall_s":310.5,"from":"ckpt-00003744.safetensors"}
{"kind":"done","step":20000,"wall_s":2348.25}
`
	if err := os.WriteFile(filepath.Join(dir, train.MetricsFile), []byte(metrics), 0o644); err != nil {
		t.Fatal(err)
	}
	d, ok := r.TrainedFor()
	if !ok || d != 2348250*time.Millisecond {
		t.Errorf("trainedFor = %v, %v; want 39m8.25s, true", d, ok)
	}
	if got, want := SummedTimes([]*Run{r, {Name: "small/sparse_linear", Dir: t.TempDir()}}), "39:08 summed (small/dense_linear 39:08, small/sparse_linear not finished)"; got != want {
		t.Errorf("runTimes = %q, want %q", got, want)
	}
	// A run trained in this invocation reports what training returned (its
	// time over every session, train.Result.WallS), not a re-read of the log.
	r.wallS = 2400.5
	if d, ok := r.TrainedFor(); !ok || d != 2400500*time.Millisecond {
		t.Errorf("trained here: trainedFor = %v, %v; want 40m0.5s, true", d, ok)
	}
}

// The quick preset shares runs: E1, E3, MS and E7 the dense+sparse model,
// E4-E6 the linear+sine model, E2 and E7 the rare-dense mixture.
func TestPlanSharesRuns(t *testing.T) {
	defs, _ := experiment.Defs()
	s, _ := experiment.LoadScale("quick")
	runs, err := Plan(defs, s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range runs {
		names = append(names, r.Name)
		if r.State != StateMissing {
			t.Errorf("%s: state %s in an empty directory", r.Name, r.State)
		}
	}
	want := "quick/dense_linear quick/sparse_linear quick/dense_sparse quick/dense_sparse_w0.1 quick/dense_sparse_w0.9 quick/linear_sinusoid_d1" +
		" quick/dense_sparse_cond quick/dense_sparse_w0.1_cond"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("runs:\n got %s\nwant %s", got, want)
	}
	// E2's balanced run (named dense_sparse_w0.5, no recipe at quick) is the
	// dense_sparse run: same config but for the name.
	if r := For(runs, "E2", "balanced"); r == nil || r.Name != "quick/dense_sparse" || !slices.Contains(r.Users, "E1.mixture") {
		t.Errorf("E2.balanced is not shared with E1.mixture: %+v", r)
	}
	for _, r := range runs {
		if r.Name == "quick/dense_sparse_w0.1" && r.Cfg.Task.Weights[0] != 0.1 {
			t.Errorf("weights not overridden: %v", r.Cfg.Task.Weights)
		}
		if r.Name == "quick/linear_sinusoid_d1" && r.Cfg.Data.Dim != 1 {
			t.Errorf("dim not overridden: %d", r.Cfg.Data.Dim)
		}
	}
}

// At the small scale E2's reweighted mixtures have seeds of their own
// (train_at on the runs) on the dense_sparse preset's recipe, and its balanced
// run is the preset's run, shared with E3.
func TestPlanTrainAt(t *testing.T) {
	defs, _ := experiment.Defs()
	s, _ := experiment.LoadScale("small")
	runs, err := Plan(defs, s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mix, bal := For(runs, "E3", "mixture"), For(runs, "E2", "balanced")
	if mix == nil || mix != bal {
		t.Fatalf("E3.mixture %+v, E2.balanced %+v: want one run", mix, bal)
	}
	preset, err := train.Preset("small/dense_sparse")
	if err != nil {
		t.Fatal(err)
	}
	if mix.Name != "small/dense_sparse" || mix.Cfg.Seed != preset.Seed || mix.Cfg.Train.Steps != preset.Train.Steps || mix.Cfg.Train.Schedule != preset.Train.Schedule {
		t.Errorf("E3's mixture %s is not the preset's recipe: seed %d, %+v", mix.Name, mix.Cfg.Seed, mix.Cfg.Train)
	}
	for _, c := range []struct {
		role string
		seed uint64
	}{{"rare_dense", 1}, {"rare_sparse", 3}} {
		r := For(runs, "E2", c.role)
		if r == nil || r == mix || r.Cfg.Seed != c.seed || r.Cfg.Train.Steps != preset.Train.Steps || r.Cfg.Train.Schedule != preset.Train.Schedule {
			t.Errorf("E2.%s: %+v; want seed %d on the preset's schedule", c.role, r, c.seed)
		}
	}
	quick, _ := experiment.LoadScale("quick")
	if runs, err = Plan(defs, quick, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	qp, _ := train.Preset("quick/dense_sparse")
	for _, role := range []string{"rare_dense", "balanced", "rare_sparse"} {
		if r := For(runs, "E2", role); r.Cfg.Seed != qp.Seed {
			t.Errorf("quick E2.%s: seed %d, want the preset's %d", role, r.Cfg.Seed, qp.Seed)
		}
	}
}

// Runs are shared by config, not only by name; one name with two configs is
// an error; train_at names known scales only.
func TestPlanSharingRules(t *testing.T) {
	s, _ := experiment.LoadScale("quick")
	seed := uint64(99)
	def := func(id string, refs ...experiment.RunRef) *experiment.Def { return &experiment.Def{ID: id, Runs: refs} }
	a := def("A", experiment.RunRef{Role: "m", Preset: "dense_sparse"})
	b := def("B", experiment.RunRef{Role: "m", Preset: "dense_sparse", Name: "other"})
	runs, err := Plan([]*experiment.Def{a, b}, s, t.TempDir())
	if err != nil || len(runs) != 1 || len(runs[0].Users) != 2 {
		t.Errorf("same config under two names: %d runs, %v", len(runs), err)
	}
	atQuick := map[string]experiment.Recipe{"quick": {Seed: &seed}}
	c := def("C", experiment.RunRef{Role: "m", Preset: "dense_sparse", TrainAt: atQuick})
	if _, err := Plan([]*experiment.Def{a, c}, s, t.TempDir()); err == nil || !strings.Contains(err.Error(), "defined twice with different configs") {
		t.Errorf("one name, two configs: %v", err)
	}
	d := def("D", experiment.RunRef{Role: "m", Preset: "dense_sparse", Name: "seeded", TrainAt: atQuick})
	runs, err = Plan([]*experiment.Def{a, d}, s, t.TempDir())
	if err != nil || len(runs) != 2 || runs[1].Cfg.Seed != 99 {
		t.Errorf("train_at at quick: %d runs, %v", len(runs), err)
	}
	small, _ := experiment.LoadScale("small")
	if runs, err = Plan([]*experiment.Def{a, d}, small, t.TempDir()); err != nil || len(runs) != 1 {
		t.Errorf("train_at at quick applied at small: %d runs, %v", len(runs), err)
	}
	bad := &experiment.Def{ID: "X", Title: "t", Claim: "c", Rule: "r", Runs: []experiment.RunRef{{Role: "m", Preset: "dense_sparse",
		TrainAt: map[string]experiment.Recipe{"huge": {}}}}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "runs[0].train_at") || !strings.Contains(err.Error(), "quick, small, medium, long, paper") {
		t.Errorf("unknown train_at scale of a run: %v", err)
	}
}

// A run's train_at applies at its scale only, and leaves the experiment's
// other runs alone.
func TestPlanRunTrainAt(t *testing.T) {
	quick, _ := experiment.LoadScale("quick")
	preset, err := train.Preset("quick/dense_sparse")
	if err != nil {
		t.Fatal(err)
	}
	runSeed := uint64(7)
	d := &experiment.Def{ID: "A", Runs: []experiment.RunRef{
		{Role: "own", Preset: "dense_sparse", Name: "own", TrainAt: map[string]experiment.Recipe{"quick": {Seed: &runSeed, Steps: 300}}},
		{Role: "other", Preset: "dense_sparse", Name: "other", TrainAt: map[string]experiment.Recipe{"small": {Seed: &runSeed}}},
		{Role: "plain", Preset: "dense_linear"},
	}}
	runs, err := Plan([]*experiment.Def{d}, quick, t.TempDir())
	if err != nil || len(runs) != 3 {
		t.Fatalf("%d runs, %v", len(runs), err)
	}
	if c := runs[0].Cfg; c.Seed != runSeed || c.Train.Steps != 300 {
		t.Errorf("own: seed %d, steps %d; want the run's seed %d and steps 300", c.Seed, c.Train.Steps, runSeed)
	}
	if c := runs[1].Cfg; c.Seed != preset.Seed || c.Train.Steps != preset.Train.Steps {
		t.Errorf("other (train_at at small only): seed %d, steps %d; want the preset's %d, %d", c.Seed, c.Train.Steps, preset.Seed, preset.Train.Steps)
	}
	linear, _ := train.Preset("quick/dense_linear")
	if c := runs[2].Cfg; c.Seed != linear.Seed || c.Train.Steps != linear.Train.Steps {
		t.Errorf("plain: seed %d, steps %d; want its preset's %d, %d", c.Seed, c.Train.Steps, linear.Seed, linear.Train.Steps)
	}
}

// Every run of every experiment resolves to a valid config, and every
// budget branch to a checkpoint its trunk keeps, at every scale.
func TestPlanEveryScale(t *testing.T) {
	defs, err := experiment.Defs()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range presets.Scales {
		s, err := experiment.LoadScale(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Plan(defs, s, t.TempDir()); err != nil {
			t.Errorf("scale %s: %v", p, err)
		}
	}
}

// The report's training time is the done line's, with the resumes and the
// time redone after hard stops from the resume lines.
func TestMetricsTime(t *testing.T) {
	log := `{"kind":"start","step":0,"wall_s":0}
{"kind":"train","step":100,"wall_s":50}
{"kind":"interrupt","step":100,"wall_s":50.5}
{"kind":"resume","step":100,"wall_s":51,"from":"ckpt-00000100.safetensors","lost_s":0.5}
{"kind":"resume","step":200,"wall_s":190,"from":"ckpt-00000200.safetensors","lost_s":30}
{"kind":"done","step":300,"wall_s":3725}
`
	got, ok := MetricsTime([]byte(log))
	if !ok || got.Wall != 3725*time.Second || got.Resumes != 2 || got.Lost != 30500*time.Millisecond || !math.IsNaN(got.FinalLoss) {
		t.Fatalf("metricsTime = %+v, %v", got, ok)
	}
	if s, want := got.String(), "1:02:05 (resumed twice; 0:31 of it redone after stops without a checkpoint)"; s != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
	if _, ok := MetricsTime([]byte(`{"kind":"start","step":0,"wall_s":0}`)); ok {
		t.Error("a log without a done line gives a training time")
	}
}
