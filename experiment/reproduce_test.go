package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"icl/configs"
	"icl/eval"
	"icl/optim"
	"icl/plot"
	"icl/report"
	"icl/task"
	"icl/train"
)

// microScale is a test-only scale: quick presets cut to tiny models and 20
// steps, with small evaluations.
func microScale() *Scale {
	return &Scale{
		Name: "micro", TrainScale: "quick",
		Prompts: 48, Boots: 40, MCSamples: 100,
		LassoAlphas:   []float64{0.01, 0.1},
		Alphas:        []float64{0, 0.5, 1},
		OmegaBands:    [][2]float64{{0.1, 0.25}, {0.5, 2}, {4, 6}},
		FittedPrompts: 1, Grid: 9,
		Train: func(c *train.Config) {
			c.Model = train.Model{Layers: 1, Width: 16, Heads: 2}
			c.Train.Steps = 20
			if c.Train.Schedule.Kind == optim.KindWarmupCosine { // a constant schedule has no warmup
				c.Train.Schedule.WarmupSteps = 2
			}
			c.LogEvery, c.EvalEvery, c.EvalBatch, c.CheckpointEvery = 10, 10, 16, 10
			// Pretrain on 1 of d like the small preset, so evaluations
			// that leave k to the runs must resolve it to 1 (the quick
			// presets use 2), and train mixtures with the normalized loss,
			// so MS compares with the loss-weighted posterior.
			for i := range c.Task.Of {
				if c.Task.Of[i].Class == task.ClassSparseLinear {
					c.Task.Of[i].K = 1
				}
			}
			if c.Task.Class == task.ClassSparseLinear {
				c.Task.K = 1
			}
			if c.Task.Class == task.ClassMixture {
				c.Train.Loss = train.LossNormalized
			}
		},
	}
}

func TestDefsLoad(t *testing.T) {
	defs, err := Defs()
	if err != nil {
		t.Fatal(err)
	}
	if len(defs) != len(IDs()) {
		t.Fatalf("%d defs", len(defs))
	}
	for _, d := range defs {
		if registry[d.ID] == nil || registry[d.ID].Analyze == nil {
			t.Errorf("%s: no analysis", d.ID)
		}
		if len(d.Figures) == 0 {
			t.Errorf("%s: no figures", d.ID)
		}
	}
	for _, p := range configs.Scales {
		s, err := LoadScale(p)
		if err != nil {
			t.Fatal(err)
		}
		// Every run of every experiment resolves to a valid config at every scale.
		if _, err := Plan(defs, s, t.TempDir()); err != nil {
			t.Errorf("scale %s: %v", p, err)
		}
	}
	// scales.yaml holds exactly the preset scales.
	text, err := scalesYAML, error(nil)
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]any
	if err := yaml.Unmarshal(text, &all); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(all))
	if want := slices.Sorted(slices.Values(configs.Scales)); !slices.Equal(keys, want) {
		t.Errorf("scales.yaml has scales %v, configs.Scales %v", keys, want)
	}
	if _, err := LoadScale("huge"); err == nil || !strings.Contains(err.Error(), "quick, small, medium, long, paper") {
		t.Errorf("unknown preset: %v", err)
	}
	if _, err := LoadDef("E9"); err == nil {
		t.Error("E9: no error")
	}
}

// The quick preset shares runs: E1, E3, MS and E7 the dense+sparse model,
// E4-E6 the linear+sine model, E2 and E7 the rare-dense mixture.
func TestPlanSharesRuns(t *testing.T) {
	defs, _ := Defs()
	s, _ := LoadScale("quick")
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
	if r := runFor(runs, "E2", "balanced"); r == nil || r.Name != "quick/dense_sparse" || !slices.Contains(r.Users, "E1.mixture") {
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
	defs, _ := Defs()
	s, _ := LoadScale("small")
	runs, err := Plan(defs, s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mix, bal := runFor(runs, "E3", "mixture"), runFor(runs, "E2", "balanced")
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
		r := runFor(runs, "E2", c.role)
		if r == nil || r == mix || r.Cfg.Seed != c.seed || r.Cfg.Train.Steps != preset.Train.Steps || r.Cfg.Train.Schedule != preset.Train.Schedule {
			t.Errorf("E2.%s: %+v; want seed %d on the preset's schedule", c.role, r, c.seed)
		}
	}
	quick, _ := LoadScale("quick")
	if runs, err = Plan(defs, quick, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	qp, _ := train.Preset("quick/dense_sparse")
	for _, role := range []string{"rare_dense", "balanced", "rare_sparse"} {
		if r := runFor(runs, "E2", role); r.Cfg.Seed != qp.Seed {
			t.Errorf("quick E2.%s: seed %d, want the preset's %d", role, r.Cfg.Seed, qp.Seed)
		}
	}
}

// Runs are shared by config, not only by name; one name with two configs is
// an error; train_at names known scales only.
func TestPlanSharingRules(t *testing.T) {
	s, _ := LoadScale("quick")
	seed := uint64(99)
	def := func(id string, refs ...RunRef) *Def { return &Def{ID: id, Runs: refs} }
	a := def("A", RunRef{Role: "m", Preset: "dense_sparse"})
	b := def("B", RunRef{Role: "m", Preset: "dense_sparse", Name: "other"})
	runs, err := Plan([]*Def{a, b}, s, t.TempDir())
	if err != nil || len(runs) != 1 || len(runs[0].Users) != 2 {
		t.Errorf("same config under two names: %d runs, %v", len(runs), err)
	}
	atQuick := map[string]Recipe{"quick": {Seed: &seed}}
	c := def("C", RunRef{Role: "m", Preset: "dense_sparse", TrainAt: atQuick})
	if _, err := Plan([]*Def{a, c}, s, t.TempDir()); err == nil || !strings.Contains(err.Error(), "defined twice with different configs") {
		t.Errorf("one name, two configs: %v", err)
	}
	d := def("D", RunRef{Role: "m", Preset: "dense_sparse", Name: "seeded", TrainAt: atQuick})
	runs, err = Plan([]*Def{a, d}, s, t.TempDir())
	if err != nil || len(runs) != 2 || runs[1].Cfg.Seed != 99 {
		t.Errorf("train_at at quick: %d runs, %v", len(runs), err)
	}
	small, _ := LoadScale("small")
	if runs, err = Plan([]*Def{a, d}, small, t.TempDir()); err != nil || len(runs) != 1 {
		t.Errorf("train_at at quick applied at small: %d runs, %v", len(runs), err)
	}
	bad := &Def{ID: "X", Title: "t", Claim: "c", Rule: "r", Runs: []RunRef{{Role: "m", Preset: "dense_sparse",
		TrainAt: map[string]Recipe{"huge": {}}}}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "runs[0].train_at") || !strings.Contains(err.Error(), "quick, small, medium, long, paper") {
		t.Errorf("unknown train_at scale of a run: %v", err)
	}
}

// A run's train_at applies at its scale only, and leaves the experiment's
// other runs alone.
func TestPlanRunTrainAt(t *testing.T) {
	quick, _ := LoadScale("quick")
	preset, err := train.Preset("quick/dense_sparse")
	if err != nil {
		t.Fatal(err)
	}
	runSeed := uint64(7)
	d := &Def{ID: "A", Runs: []RunRef{
		{Role: "own", Preset: "dense_sparse", Name: "own", TrainAt: map[string]Recipe{"quick": {Seed: &runSeed, Steps: 300}}},
		{Role: "other", Preset: "dense_sparse", Name: "other", TrainAt: map[string]Recipe{"small": {Seed: &runSeed}}},
		{Role: "plain", Preset: "dense_linear"},
	}}
	runs, err := Plan([]*Def{d}, quick, t.TempDir())
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

// A run's overrides are one type at two levels: its own (every scale), then
// its train_at at the scale, which wins; weights need a mixture of as many
// classes, and a negative dim is refused by name.
func TestRunConfigOverrides(t *testing.T) {
	quick, _ := LoadScale("quick")
	small, _ := LoadScale("small")
	seed := uint64(5)
	ref := RunRef{Role: "m", Preset: "dense_sparse", Name: "w",
		Recipe:  Recipe{Weights: []float64{0.2, 0.8}, Dim: 3, Seed: &seed},
		TrainAt: map[string]Recipe{"quick": {Weights: []float64{0.3, 0.7}, Steps: 40}}}
	d := &Def{ID: "A", Runs: []RunRef{ref}}
	for _, tc := range []struct {
		scale   *Scale
		weights []float64
		steps   int // 0: the preset's
	}{{quick, []float64{0.3, 0.7}, 40}, {small, []float64{0.2, 0.8}, 0}} {
		cfg, err := RunConfig(d, &d.Runs[0], tc.scale)
		if err != nil {
			t.Fatal(err)
		}
		preset, err := train.Preset(tc.scale.Name + "/dense_sparse")
		if err != nil {
			t.Fatal(err)
		}
		steps := tc.steps
		if steps == 0 {
			steps = preset.Train.Steps
		}
		// No curriculum over dimensions: the defaults hold it at dim.
		if dims := cfg.Curriculum.Dims; !slices.Equal(cfg.Task.Weights, tc.weights) || cfg.Data.Dim != 3 || dims.Start != 3 || dims.End != 3 ||
			cfg.Seed != seed || cfg.Train.Steps != steps {
			t.Errorf("%s: weights %v, dim %d, dims curriculum %+v, seed %d, steps %d; want %v, 3, held at 3, %d, %d",
				tc.scale.Name, cfg.Task.Weights, cfg.Data.Dim, cfg.Curriculum.Dims, cfg.Seed, cfg.Train.Steps, tc.weights, seed, steps)
		}
	}
	lin := &Def{ID: "B", Runs: []RunRef{{Role: "m", Preset: "dense_linear", Recipe: Recipe{Weights: []float64{0.5, 0.5}}}}}
	if _, err := RunConfig(lin, &lin.Runs[0], quick); err == nil || !strings.Contains(err.Error(), "not a mixture of 2 classes") {
		t.Errorf("weights on a preset that is not a mixture: %v", err)
	}
	bad := &Def{ID: "X", Title: "t", Claim: "c", Rule: "r", Runs: []RunRef{{Role: "m", Preset: "dense_sparse", Recipe: Recipe{Dim: -1}}}}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "runs[0].dim") {
		t.Errorf("negative dim: %v", err)
	}
}

// The verdict box speaks of the scale shown: the note of that scale
// whatever the verdict, never another scale's.
func TestReportScaleNote(t *testing.T) {
	d, err := LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	small := d.ScaleNotes["small"]
	if small == "" {
		t.Fatal("E1 has no small scale note")
	}
	for _, preset := range []string{"small", "quick"} {
		s, err := LoadScale(preset)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := Plan([]*Def{d}, s, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{report.Supported, report.Partly, report.NotAtScale} {
			out := &Outcome{Def: d, Verdict: v, Checks: []Check{{Name: "c", Pass: v == report.Supported}}}
			rep := buildReport(Options{Preset: preset, OutDir: "out"}, s, []*Def{d}, []*Def{d}, []*Outcome{out}, nil, runs, 0, 0, 0)
			got := rep.Experiments[0].VerdictNote
			if !strings.Contains(got, "About the scale: this report is at the "+preset+" scale (") {
				t.Errorf("%s, verdict %q: the note does not name the scale shown:\n%s", preset, v, got)
			}
			if has := strings.Contains(got, strings.TrimSpace(small)); has != (preset == "small") {
				t.Errorf("%s, verdict %q: small's note shown: %v, want %v", preset, v, has, preset == "small")
			}
		}
	}
}

// At the medium scale an experiment that trains its own runs there shows
// medium's note; one that takes the small scale's runs (runs_from) says so
// and shows small's note.
func TestReportScaleNoteRunsFrom(t *testing.T) {
	s, err := LoadScale("medium")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		id, note string
		from     bool
	}{
		{"E1", "medium", false},
		{"E3", "medium", false},
		{"MS", "medium", false},
		{"E2", "small", true},
		{"E4", "small", true},
	} {
		d, err := LoadDef(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(d.ScaleNotes[tc.note])
		if want == "" {
			t.Fatalf("%s has no %s scale note", tc.id, tc.note)
		}
		runs, err := Plan([]*Def{d}, s, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		got := scaleNote(d, s, runs)
		if !strings.Contains(got, want) {
			t.Errorf("%s at medium: the %s note is not shown:\n%s", tc.id, tc.note, got)
		}
		if other := d.ScaleNotes["small"]; !tc.from && strings.Contains(got, strings.TrimSpace(other)) {
			t.Errorf("%s at medium: small's note shown:\n%s", tc.id, got)
		}
		says := strings.Contains(got, "evaluates the small scale's runs")
		if says != tc.from {
			t.Errorf("%s at medium: says it takes small's runs: %v, want %v:\n%s", tc.id, says, tc.from, got)
		}
		for _, r := range runs {
			if wantScale := map[bool]string{true: "small/", false: "medium/"}[tc.from]; !strings.HasPrefix(r.Name, wantScale) {
				t.Errorf("%s at medium: run %s, want a %s run", tc.id, r.Name, wantScale)
			}
		}
	}
}

func TestVerdict(t *testing.T) {
	pre := func(p bool) Check { return Check{Pass: p, Precondition: true} }
	claim := func(p bool) Check { return Check{Pass: p} }
	untestable := func(p bool) Check { return Check{Pass: p, Untestable: "specialists alike"} }
	for _, tc := range []struct {
		cs   []Check
		want string
	}{
		{[]Check{claim(true), claim(true)}, report.Supported},
		{[]Check{claim(true), claim(false)}, report.Partly},
		{[]Check{claim(false), claim(false)}, report.NotAtScale},
		{nil, report.NotTestable},
		// A failed precondition (the models did not learn) makes the verdict
		// NotTestable even when every claim check passes; passed preconditions
		// do not count as evidence for the claim.
		{[]Check{pre(false), claim(true), claim(true)}, report.NotTestable},
		{[]Check{pre(true), claim(true), claim(true)}, report.Supported},
		{[]Check{pre(true), claim(true), claim(false)}, report.Partly},
		{[]Check{pre(true), claim(false)}, report.NotAtScale},
		{[]Check{pre(true)}, report.NotTestable},
		// An untestable check that passes is no support.
		{[]Check{untestable(true), untestable(true)}, report.NotTestable},
		{[]Check{untestable(true), claim(false)}, report.NotAtScale},
		{[]Check{untestable(false), claim(true)}, report.Partly},
	} {
		if got := Verdict(tc.cs); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.cs, got, tc.want)
		}
	}
}

// curveResult is a setting result with constant curves key -> error, each
// named by its key in capitals (checks find curves by key, not by name).
func curveResult(setting string, n int, errs map[string]float64) *eval.SettingResult {
	r := &eval.SettingResult{Setting: setting, N: n}
	for key, v := range errs {
		c := eval.Curve{Name: strings.ToUpper(key), Key: key}
		for range n {
			c.Mean = append(c.Mean, v)
			c.Lo = append(c.Lo, v-0.01)
			c.Hi = append(c.Hi, v+0.01)
		}
		r.Curves = append(r.Curves, c)
	}
	return r
}

// When the specialists score alike (the quick preset's dense prompts: 0.300,
// 0.306, 0.310 for dense-only, sparse-only and the mixture), the mixture
// "matching" them is no support: E1 is not testable, and says so with the
// numbers.
func TestE1IndistinguishableSpecialists(t *testing.T) {
	d, err := LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	const dim, n = 5, 11
	alike := map[string]float64{"dense": 0.300, "sparse": 0.306, "mix": 0.310}
	cs := checksE1(d, curveResult("dense", n, alike), curveResult("sparse", n, alike), dim, n, "mix", "dense", "sparse", nil)
	if v := Verdict(cs); v != report.NotTestable {
		t.Errorf("verdict %q, want %q; checks %+v", v, report.NotTestable, cs)
	}
	tally := Count(cs)
	if tally.FailedPre == nil || !strings.Contains(tally.String(), "Precondition failed: the specialists differ") ||
		!strings.Contains(tally.FailedPre.Detail, "0.306") {
		t.Errorf("tally %q: want a failed precondition with the specialists' numbers", tally)
	}
	for _, c := range cs {
		if strings.Contains(c.Name, "matches") && !strings.Contains(c.Untestable, "0.306") {
			t.Errorf("%s: untestable %q, want the specialists' numbers", c.Name, c.Untestable)
		}
	}
	// Specialists that differ make the matching checks count.
	dense := curveResult("dense", n, map[string]float64{"dense": 0.1, "sparse": 0.6, "mix": 0.12})
	sparse := curveResult("sparse", n, map[string]float64{"dense": 0.6, "sparse": 0.1, "mix": 0.12})
	cs = checksE1(d, dense, sparse, dim, n, "mix", "dense", "sparse", nil)
	if v, tally := Verdict(cs), Count(cs); v != report.Supported || tally.Testable != 6 {
		t.Errorf("specialists apart: verdict %q, tally %+v, want supported with 6 testable", v, tally)
	}
	// A mixture at the zero predictor did not learn: not testable, saying so,
	// rather than "not supported".
	zero := map[string]float64{"dense": 0.1, "sparse": 0.6, "mix": 0.95}
	cs = checksE1(d, curveResult("dense", n, zero), curveResult("sparse", n, map[string]float64{"dense": 0.6, "sparse": 0.1, "mix": 0.95}),
		dim, n, "mix", "dense", "sparse", nil)
	if v, tally := Verdict(cs), Count(cs); v != report.NotTestable || !strings.Contains(tally.String(), "mixture model on dense prompts") {
		t.Errorf("mixture at the zero predictor: verdict %q (%s), want not testable naming the mixture", v, tally)
	}
}

// The terminal, verdict.json and the report count the same checks.
func TestCountsAgree(t *testing.T) {
	d, err := LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	cs := []Check{{Name: "(precondition) learned", Pass: true, Precondition: true},
		{Name: "a", Pass: true}, {Name: "b", Pass: true, Untestable: "alike"}, {Name: "c"}}
	o := &Outcome{Def: d, Checks: cs, Verdict: Verdict(cs), Results: &eval.Results{}}
	s, _ := LoadScale("quick")
	rep := buildReport(Options{Preset: "quick", OutDir: "out"}, s, []*Def{d}, []*Def{d}, []*Outcome{o}, nil, nil, 0, 0, 0)
	meta := map[string]string{}
	for _, kv := range rep.Meta {
		meta[kv.Key] = kv.Value
	}
	for _, k := range []string{"icl version", "git commit", "machine"} {
		if meta[k] == "" {
			t.Errorf("report does not record the %s", k)
		}
	}
	if !strings.Contains(meta["machine"], "cores") {
		t.Errorf("machine %q", meta["machine"])
	}
	note := rep.Experiments[0].VerdictNote
	want := "1 of the claim's 3 checks holds (1 not testable at this scale)"
	if !strings.HasPrefix(note, want) {
		t.Errorf("report note starts %q, want %q", note[:min(len(note), 80)], want)
	}
	if line := verdictLine(o, 0); !strings.Contains(line, want) {
		t.Errorf("terminal line %q lacks %q", line, want)
	}
	dir := t.TempDir()
	if err := writeOutcome(o, dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "verdict.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Verdict, Summary       string
		Held, Testable, Claims int
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Held != 1 || v.Testable != 2 || v.Claims != 3 || !strings.HasPrefix(v.Summary, want) || v.Verdict != report.Partly {
		t.Errorf("verdict.json %+v", v)
	}
	// The rule as shown counts the same checks.
	if !strings.Contains(note, "The claim has 3 checks") {
		t.Errorf("rule does not count 3 checks:\n%s", note)
	}
}

func TestReproduceMicro(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 8 tiny runs")
	}
	out := t.TempDir()
	var log bytes.Buffer
	opts := Options{Preset: "micro", OutDir: out, Progress: &log, Scale: microScale()}
	if err := Reproduce(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	html, err := os.ReadFile(filepath.Join(out, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	h := string(html)
	if !strings.HasPrefix(strings.TrimSpace(h), "<!DOCTYPE html>") || !strings.Contains(h, "</html>") {
		t.Error("report is not an HTML document")
	}
	if regexp.MustCompile(`(?i)(src|href)\s*=\s*"(https?:)?//`).MatchString(h) {
		t.Error("report links something external")
	}
	var ran []string // E1B runs at the long scale only
	for _, id := range IDs() {
		if d, _ := LoadDef(id); d.RunsAt("micro") {
			ran = append(ran, id)
		}
	}
	for _, id := range ran {
		if !strings.Contains(h, `<section id="`+id+`">`) {
			t.Errorf("report has no section %s", id)
		}
		var v struct {
			Verdict string
			Claims  int
			Checks  []struct{ Pass bool }
		}
		b, err := os.ReadFile(filepath.Join(out, id, "verdict.json"))
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if err := json.Unmarshal(b, &v); err != nil || len(v.Checks) == 0 || v.Verdict == "" {
			t.Errorf("%s: verdict.json %s (%v)", id, b, err)
		}
		// A rule that says how many checks the claim has says what the table counts.
		d, _ := LoadDef(id)
		words := map[string]int{"One": 1, "Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6}
		if m := regexp.MustCompile(`\b(One|Two|Three|Four|Five|Six) checks?\b`).FindStringSubmatch(d.Rule); m != nil && words[m[1]] != v.Claims {
			t.Errorf("%s: the rule says %q, the table has %d checks of the claim", id, m[0], v.Claims)
		}
	}
	// Every experiment that ran lists its checks once.
	if n, want := len(regexp.MustCompile(`</b> Checks</caption>`).FindAllString(h, -1)), len(ran); n != want {
		t.Errorf("report has %d checks tables, want one per experiment (%d)", n, want)
	}
	if n := strings.Count(h, `src="data:image/svg+xml;base64,`); n < 15 {
		t.Errorf("report embeds %d figures", n)
	}
	for _, f := range []string{"E1/icl_dense", "E1/icl_sparse", "E2/icl_sparse", "E3/sweep_k", "E3/weight_k", "E4/icl_combination",
		"E4/fitted_sine_1", "E5/sweep_alpha", "E6/sweep_omega", "MS/weight_dense", "E7/icl_dense", "E7/excess_sparse"} {
		svg, err := os.ReadFile(filepath.Join(out, f+".svg"))
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s.svg: %v", f, err)
		}
		png, err := os.ReadFile(filepath.Join(out, f+".png"))
		if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("%s.png: %v", f, err)
		}
	}
	// The E1 figure holds the expected series (legend entries are SVG text).
	svg, _ := os.ReadFile(filepath.Join(out, "E1", "icl_dense.svg"))
	for _, want := range []string{"transformer: dense only", "transformer: sparse only", "transformer: dense+sparse mixture",
		"least squares", "lasso (best alpha in hindsight)", "Bayes-optimal", "zero predictor"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("E1/icl_dense.svg lacks series %q", want)
		}
	}
	fr, err := os.Open(filepath.Join(out, "E1", "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer fr.Close()
	res, err := eval.ReadJSON(fr)
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Setting("sparse"); s == nil || s.B != 48 || len(s.Curves) != 7 || len(s.Curves[0].Mean) != 11 {
		t.Errorf("E1 sparse results: %+v", s)
	} else if s.Class != "sparse linear (1 of 5)" {
		t.Errorf("E1 sparse prompts are %s, want the runs' 1 of 5", s.Class)
	} else if c := s.Curve(keyMixtureBayes); c == nil || c.Name != "Bayes, loss-weighted mixture" {
		t.Error("E1's reference for the normalized-loss mixture is not the loss-weighted Bayes mixture")
	}
	// MS compares with the posterior under the loss-weighted prior and shows
	// the squared-error posterior beside it.
	var sels []eval.Selection
	if b, err := os.ReadFile(filepath.Join(out, "MS", "selection.json")); err != nil || json.Unmarshal(b, &sels) != nil {
		t.Errorf("MS/selection.json: %v", err)
	} else if len(sels) != 2 || len(sels[0].Others) != 1 {
		t.Errorf("MS/selection.json holds %d selections (want 2, each with the squared-error posterior)", len(sels))
	} else if p0, q0 := sels[0].Posterior.Mean[0], sels[0].Others[0].Mean[0]; math.Abs(p0-1.0/6) > 1e-9 || math.Abs(q0-0.5) > 1e-9 {
		// d = 5: dense scale 5, 1-sparse scale 1, so the prior 0.5/0.5
		// weighted by 1/scale is 1/6 on dense.
		t.Errorf("MS posteriors with no examples: %g and %g, want 1/6 (loss-weighted) and 0.5", p0, q0)
	}
	// Each experiment shows the preset files its runs start from, comments
	// included, beside the runs' resolved configs.
	for _, want := range []string{"preset quick/dense_sparse (configs/quick/dense_sparse.yaml)", "run micro/dense_sparse ("} {
		if n := strings.Count(h, want); n < 4 { // E1, E2, E3, MS
			t.Errorf("report shows %q %d times, want once in each of E1, E2, E3 and MS", want, n)
		}
	}
	if !strings.Contains(h, "loss-weighted prior") {
		t.Error("report does not name the loss-weighted posterior of MS")
	}
	// E7 asks each conditional model with its family shown and hidden, on
	// the same prompts: two curves, and the indicator reaches the model (the
	// predictions differ). The unconditional and specialist models are
	// asked once.
	if f, err := os.Open(filepath.Join(out, "E7", "results.json")); err != nil {
		t.Error(err)
	} else {
		res, err := eval.ReadJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"dense", "sparse"} {
			s := res.Setting(name)
			if s == nil {
				t.Errorf("E7: no setting %s", name)
				continue
			}
			for _, role := range []string{"conditional", "conditional_rare"} {
				hidden, shown := s.Curve(modelKey(role)), s.Curve(shownKey(role))
				if hidden == nil || shown == nil {
					t.Errorf("E7 %s: %s lacks its hidden or shown curve", name, role)
					continue
				}
				if slices.Equal(hidden.Mean, shown.Mean) {
					t.Errorf("E7 %s: %s has the same errors with its family shown and hidden", name, role)
				}
				if !strings.HasSuffix(hidden.Name, ", hidden") || !strings.HasSuffix(shown.Name, ", shown") {
					t.Errorf("E7 %s: labels %q and %q", name, hidden.Name, shown.Name)
				}
			}
			for _, role := range []string{"mixture", "rare_dense"} {
				if s.Curve(shownKey(role)) != nil {
					t.Errorf("E7 %s: the unconditional %s is asked with a family shown", name, role)
				}
			}
		}
	}
	if log.Len() == 0 {
		t.Error("no progress shown")
	}

	// A second invocation reuses finished runs and resumes an interrupted one:
	// the finished run's metrics stay as they were, the interrupted run's gain
	// a resume event.
	runDir := func(name string) string { return filepath.Join(out, "runs", "micro", name) }
	denseMetrics, err := os.ReadFile(filepath.Join(runDir("dense_linear"), train.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(runDir("sparse_linear"), train.DoneFile)); err != nil {
		t.Fatal(err)
	}
	// Planning again finds it interrupted at its newest checkpoint, where
	// its predicted time starts.
	if defs, err := Defs(); err != nil {
		t.Fatal(err)
	} else if runs, err := Plan(defs, microScale(), out); err != nil {
		t.Fatal(err)
	} else {
		i := slices.IndexFunc(runs, func(r *PlannedRun) bool { return r.Name == "micro/sparse_linear" })
		if i < 0 {
			t.Fatal("micro/sparse_linear not planned")
		}
		if r := runs[i]; r.State != StateInterrupted || r.from != r.Cfg.Train.Steps {
			t.Errorf("%s: planned %s from step %d, want interrupted from step %d", r.Name, r.State, r.from, r.Cfg.Train.Steps)
		}
	}
	log.Reset()
	opts.Only = []string{"e1"}
	if err := Reproduce(context.Background(), opts); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if b, err := os.ReadFile(filepath.Join(runDir("dense_linear"), train.MetricsFile)); err != nil || !bytes.Equal(b, denseMetrics) {
		t.Errorf("finished run dense_linear was trained again (metrics changed; %v)", err)
	}
	resumed := false
	if b, err := os.ReadFile(filepath.Join(runDir("sparse_linear"), train.MetricsFile)); err == nil {
		for _, line := range bytes.Split(b, []byte("\n")) {
			var ev struct{ Kind string }
			if json.Unmarshal(line, &ev) == nil && ev.Kind == "resume" {
				resumed = true
			}
		}
	}
	if !resumed {
		t.Error("interrupted run sparse_linear was not resumed (no resume event in its metrics)")
	}
	if !train.IsDone(filepath.Join(out, "runs", "micro", "sparse_linear")) {
		t.Error("resumed run not done")
	}
	// The first paragraph says in plain words what is reproduced, the
	// central claim first, with the models that decided it.
	lead := regexp.MustCompile(`(?s)<p class="lead"><b>(.*?)</b></p>`).FindStringSubmatch(h)
	if lead == nil || !strings.HasPrefix(lead[1], "The paper&#39;s central claim") || !strings.Contains(lead[1], "micro: 1 layer, width 16") {
		t.Errorf("no lead paragraph on the central claim with its models: %q", lead)
	} else {
		t.Logf("lead: %s", lead[1])
	}
	if !strings.Contains(h, `<th scope="col">Models (scale)</th>`) {
		t.Error("the summary has no models column")
	}
	// -only E2 into the same output keeps every other experiment's section,
	// marked as kept, and reruns E2 alone.
	log.Reset()
	e1Verdict, _ := os.ReadFile(filepath.Join(out, "E1", "verdict.json"))
	if err := Reproduce(context.Background(), Options{Preset: "micro", OutDir: out, Progress: &log, Scale: microScale(), Only: []string{"E2"}}); err != nil {
		t.Fatalf("-only E2: %v\n%s", err, log.String())
	}
	html, _ = os.ReadFile(filepath.Join(out, ReportFile))
	h = string(html)
	for _, id := range ran {
		if !strings.Contains(h, `<section id="`+id+`">`) {
			t.Errorf("after -only E2 the report has no section %s", id)
		}
	}
	if n := strings.Count(h, "Kept from an earlier invocation"); n != len(ran)-1 {
		t.Errorf("after -only E2: %d sections marked kept, want %d", n, len(ran)-1)
	}
	if strings.Contains(h, "Not selected with -only") {
		t.Error("after -only E2 the report still says other experiments were not selected")
	}
	if b, _ := os.ReadFile(filepath.Join(out, "E1", "verdict.json")); !bytes.Equal(b, e1Verdict) {
		t.Error("-only E2 changed E1's verdict.json")
	}
}

func TestFmtDur(t *testing.T) {
	if got := train.FormatDuration(3725e9); got != "1:02:05" {
		t.Errorf("fmtDur: %s", got)
	}
}

// TestReproduceJobs trains E1's runs two at a time and one after another:
// the weights must be the same bits.
func TestReproduceJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 8 tiny runs")
	}
	var dirs [2]string
	for i, jobs := range []int{1, 2} {
		dirs[i] = t.TempDir()
		var log bytes.Buffer
		opts := Options{Preset: "micro", OutDir: dirs[i], Progress: &log, Scale: microScale(), Only: []string{"E1"}, Jobs: jobs}
		if err := Reproduce(context.Background(), opts); err != nil {
			t.Fatalf("jobs %d: %v\n%s", jobs, err, log.String())
		}
		if jobs == 2 {
			for _, want := range []string{"training 3 runs, 2 at a time", "[run 3/3 micro/dense_sparse] finished in", "[E1] evaluating"} {
				if !strings.Contains(log.String(), want) {
					t.Errorf("jobs 2: progress lacks %q:\n%s", want, log.String())
				}
			}
		}
	}
	for _, run := range []string{"dense_linear", "sparse_linear", "dense_sparse"} {
		a, err := os.ReadFile(filepath.Join(dirs[0], "runs", "micro", run, train.ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dirs[1], "runs", "micro", run, train.ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: weights differ between -jobs 1 and -jobs 2", run)
		}
	}

	// -eval-seed: the same runs scored on other prompts, and the report says so.
	results := func(dir string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, "E1", "results.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(results(dirs[0]), results(dirs[1])) {
		t.Fatal("E1's results differ between two reproductions with the same runs and prompts")
	}
	standard := results(dirs[1])
	var log bytes.Buffer
	opts := Options{Preset: "micro", OutDir: dirs[1], Progress: &log, Scale: microScale(), Only: []string{"E1"}, EvalSeed: 5}
	if err := Reproduce(context.Background(), opts); err != nil {
		t.Fatalf("-eval-seed 5: %v\n%s", err, log.String())
	}
	if bytes.Equal(results(dirs[1]), standard) {
		t.Error("-eval-seed 5 gave the standard prompts' results")
	}
	page, err := os.ReadFile(filepath.Join(dirs[1], ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"drawn with -eval-seed 5: not the standard evaluation prompts", "-only E1 -out " + dirs[1] + " -eval-seed 5"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// TestResolveSparseK checks that a sparse_linear evaluation without k takes
// the k of the runs' pretraining classes, that an explicit k and other classes
// are left alone, and that runs with no or conflicting k are errors naming
// the field.
func TestResolveSparseK(t *testing.T) {
	sparse := func(k int) task.Spec { return task.Spec{Class: task.ClassSparseLinear, K: k} }
	mixture := func(k int) task.Spec {
		return task.Spec{Class: task.ClassMixture, Weights: []float64{0.5, 0.5},
			Of: []task.Spec{{Class: task.ClassDenseLinear}, sparse(k)}}
	}
	envOf := func(tasks ...task.Spec) *env {
		e := &env{def: &Def{ID: "E9"}, models: map[string]*model{}}
		for i, ts := range tasks {
			role := fmt.Sprint("r", i)
			e.def.Runs = append(e.def.Runs, RunRef{Role: role})
			e.models[role] = &model{run: &PlannedRun{Cfg: &train.Config{Task: ts}}}
		}
		return e
	}
	for _, tc := range []struct {
		name  string
		runs  []task.Spec
		spec  task.Spec
		wantK int
		err   bool
	}{
		{"mixture and specialist agree", []task.Spec{mixture(1), sparse(1), {Class: task.ClassDenseLinear}}, sparse(0), 1, false},
		{"explicit k kept", []task.Spec{mixture(1)}, sparse(3), 3, false},
		{"dense task untouched", []task.Spec{{Class: task.ClassDenseLinear}}, task.Spec{Class: task.ClassDenseLinear}, 0, false},
		{"runs disagree", []task.Spec{mixture(1), sparse(2)}, sparse(0), 0, true},
		{"no sparse run", []task.Spec{{Class: task.ClassDenseLinear}}, sparse(0), 0, true},
	} {
		got, err := envOf(tc.runs...).resolve("evals[1].task", tc.spec)
		switch {
		case tc.err && (err == nil || !strings.Contains(err.Error(), "evals[1].task.k")):
			t.Errorf("%s: error %v, want one naming evals[1].task.k", tc.name, err)
		case !tc.err && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case !tc.err && got.K != tc.wantK:
			t.Errorf("%s: k = %d, want %d", tc.name, got.K, tc.wantK)
		}
	}
}

// An implied weight flat at about 1 for every k (a model that treats every
// prompt as dense) is trivially non-decreasing: E3 is not testable, and its
// checks do not count as support.
func TestE3FlatWeightNotTestable(t *testing.T) {
	d, err := LoadDef("E3")
	if err != nil {
		t.Fatal(err)
	}
	series := func(ys ...float64) plot.Series {
		s := plot.Series{}
		for i, y := range ys {
			s.X, s.Y = append(s.X, float64(i+1)), append(s.Y, y)
			s.Lo, s.Hi = append(s.Lo, y-0.05), append(s.Hi, y+0.05)
		}
		return s
	}
	flat := checksE3(d, series(0.983, 1.057, 0.958, 0.978, 0.901), 2, 5)
	if v := Verdict(flat); v != report.NotTestable {
		t.Errorf("flat w: verdict %q, want %q", v, report.NotTestable)
	}
	if tl := Count(flat); tl.FailedPre == nil || !strings.Contains(tl.FailedPre.Detail, "0.901 - 1.057") {
		t.Errorf("flat w: %q, want the failed precondition with w(5) - w(2)", tl)
	}
	moving := checksE3(d, series(0.1, 0.2, 0.4, 0.6, 0.9), 2, 5)
	if v := Verdict(moving); v != report.Supported {
		t.Errorf("w rising from 0.2 to 0.9: verdict %q, want %q (%+v)", v, report.Supported, moving)
	}
}

// pairedResult is a setting of B prompts and n positions whose per-prompt
// errors are given: sparse-only 0.1 everywhere, the mixture 1.5 x 0.1 + diff
// + a spread of +-spread alternating over prompts.
func pairedResult(B, n int, diff, spread float64) *eval.SettingResult {
	r := &eval.SettingResult{Setting: "sparse", B: B, N: n}
	sp, mx := make([]float64, B*n), make([]float64, B*n)
	for p := 0; p < B; p++ {
		s := spread
		if p%2 == 1 {
			s = -spread
		}
		for i := 0; i < n; i++ {
			sp[p*n+i] = 0.1
			mx[p*n+i] = 1.5*0.1 + diff + s*float64(p%7)/6
		}
	}
	for _, k := range []struct {
		key  string
		errs []float64
	}{{"mix", mx}, {"sparse", sp}} {
		c := eval.ICLCurve(k.key, k.errs, B, n, 0.9, 0, nil)
		c.Key = k.key
		r.Curves = append(r.Curves, c)
		r.Errs = append(r.Errs, k.errs)
	}
	return r
}

// A check decided by a paired interval holds when the interval lies on the
// passing side of its threshold, fails when it lies on the other, and is
// inconclusive when it straddles it; the tally counts inconclusive checks
// apart.
func TestIntervalDecisions(t *testing.T) {
	e := &env{def: &Def{ID: "T"}, scale: &Scale{Boots: 500}}
	for _, tc := range []struct {
		name               string
		diff, spread       float64
		pass, inconclusive bool
	}{
		{"well below the threshold", 0, 0.01, true, false},
		{"on the threshold, wide", 0.05, 0.3, false, true},
		{"well above", 0.3, 0.01, false, false},
	} {
		r := pairedResult(400, 3, tc.diff, tc.spread)
		c := leAt("c", r, "mix", "sparse", 1, 1.5, 0.05, "mixture", "sparse-only", e.paired)
		if c.Pass != tc.pass || c.Inconclusive != tc.inconclusive || !strings.Contains(c.Detail, "[90%:") {
			t.Errorf("%s: pass %v inconclusive %v (%s), want %v %v", tc.name, c.Pass, c.Inconclusive, c.Detail, tc.pass, tc.inconclusive)
		}
		if tc.inconclusive {
			if tl := Count([]Check{c}); tl.Inconclusive != 1 || tl.Held != 0 || !strings.Contains(tl.String(), "1 inconclusive") {
				t.Errorf("tally %+v: %s", tl, tl)
			}
		}
	}
}
