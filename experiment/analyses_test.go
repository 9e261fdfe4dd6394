package experiment

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"icl/eval"
	"icl/plot"
	"icl/presets"
	"icl/report"
	"icl/task"
	"icl/train"
	"icl/verdict"
)

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
	for _, p := range presets.Scales {
		s, err := LoadScale(p)
		if err != nil {
			t.Fatal(err)
		}
		// Every run of every experiment resolves to a valid config at every
		// scale (runplan's tests plan them all, budget branches included).
		for _, d := range defs {
			for i := range d.Runs {
				if _, err := RunConfig(d, &d.Runs[i], s); err != nil {
					t.Errorf("scale %s: %s: %v", p, d.ID, err)
				}
			}
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
	if want := slices.Sorted(slices.Values(presets.Scales)); !slices.Equal(keys, want) {
		t.Errorf("scales.yaml has scales %v, presets.Scales %v", keys, want)
	}
	if _, err := LoadScale("huge"); err == nil || !strings.Contains(err.Error(), "quick, small, medium, long, paper") {
		t.Errorf("unknown preset: %v", err)
	}
	if _, err := LoadDef("E9"); err == nil {
		t.Error("E9: no error")
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

func TestVerdict(t *testing.T) {
	pre := func(p bool) verdict.Check { return verdict.Check{Pass: p, Precondition: true} }
	claim := func(p bool) verdict.Check { return verdict.Check{Pass: p} }
	untestable := func(p bool) verdict.Check { return verdict.Check{Pass: p, Untestable: "specialists alike"} }
	for _, tc := range []struct {
		cs   []verdict.Check
		want string
	}{
		{[]verdict.Check{claim(true), claim(true)}, report.Supported},
		{[]verdict.Check{claim(true), claim(false)}, report.Partly},
		{[]verdict.Check{claim(false), claim(false)}, report.NotAtScale},
		{nil, report.NotTestable},
		// A failed precondition (the models did not learn) makes the verdict
		// NotTestable even when every claim check passes; passed preconditions
		// do not count as evidence for the claim.
		{[]verdict.Check{pre(false), claim(true), claim(true)}, report.NotTestable},
		{[]verdict.Check{pre(true), claim(true), claim(true)}, report.Supported},
		{[]verdict.Check{pre(true), claim(true), claim(false)}, report.Partly},
		{[]verdict.Check{pre(true), claim(false)}, report.NotAtScale},
		{[]verdict.Check{pre(true)}, report.NotTestable},
		// An untestable check that passes is no support.
		{[]verdict.Check{untestable(true), untestable(true)}, report.NotTestable},
		{[]verdict.Check{untestable(true), claim(false)}, report.NotAtScale},
		{[]verdict.Check{untestable(false), claim(true)}, report.Partly},
	} {
		if got := verdict.Verdict(tc.cs); got != tc.want {
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
	if v := verdict.Verdict(cs); v != report.NotTestable {
		t.Errorf("verdict %q, want %q; checks %+v", v, report.NotTestable, cs)
	}
	tally := verdict.Count(cs)
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
	if v, tally := verdict.Verdict(cs), verdict.Count(cs); v != report.Supported || tally.Testable != 6 {
		t.Errorf("specialists apart: verdict %q, tally %+v, want supported with 6 testable", v, tally)
	}
	// A mixture at the zero predictor did not learn: not testable, saying so,
	// rather than "not supported".
	zero := map[string]float64{"dense": 0.1, "sparse": 0.6, "mix": 0.95}
	cs = checksE1(d, curveResult("dense", n, zero), curveResult("sparse", n, map[string]float64{"dense": 0.6, "sparse": 0.1, "mix": 0.95}),
		dim, n, "mix", "dense", "sparse", nil)
	if v, tally := verdict.Verdict(cs), verdict.Count(cs); v != report.NotTestable || !strings.Contains(tally.String(), "mixture model on dense prompts") {
		t.Errorf("mixture at the zero predictor: verdict %q (%s), want not testable naming the mixture", v, tally)
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
			e.models[role] = &model{Model: Model{Cfg: &train.Config{Task: ts}}}
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
	if v := verdict.Verdict(flat); v != report.NotTestable {
		t.Errorf("flat w: verdict %q, want %q", v, report.NotTestable)
	}
	if tl := verdict.Count(flat); tl.FailedPre == nil || !strings.Contains(tl.FailedPre.Detail, "w(5) = 0.901") || !strings.Contains(tl.FailedPre.Detail, "difference -0.156") {
		t.Errorf("flat w: %q, want the failed precondition with w(5) - w(2)", tl)
	}
	moving := checksE3(d, series(0.1, 0.2, 0.4, 0.6, 0.9), 2, 5)
	if v := verdict.Verdict(moving); v != report.Supported {
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
			if tl := verdict.Count([]verdict.Check{c}); tl.Inconclusive != 1 || tl.Held != 0 || !strings.Contains(tl.String(), "inconclusive") {
				t.Errorf("tally %+v: %s", tl, tl)
			}
		}
	}
}

// A control that earns the model's supported or partly supported verdict
// makes it not testable; a control that earns less leaves it.
func TestControl(t *testing.T) {
	held := verdict.Check{Name: "a", Pass: true}
	failed := verdict.Check{Name: "b"}
	for _, tc := range []struct {
		name            string
		checks, control []verdict.Check
		want            string
	}{
		{"control as good", []verdict.Check{held, failed}, []verdict.Check{held, failed}, report.NotTestable},
		{"control supported too", []verdict.Check{held, held}, []verdict.Check{held, held}, report.NotTestable},
		{"control worse", []verdict.Check{held, failed}, []verdict.Check{failed, failed}, report.Partly},
		{"both fail", []verdict.Check{failed}, []verdict.Check{failed}, report.NotAtScale},
	} {
		o := &Outcome{Checks: tc.checks, Control: &verdict.Control{Name: "c", Checks: tc.control}}
		o.Verdict = verdict.Verdict(o.Checks)
		o.applyControl()
		if o.Verdict != tc.want || o.ControlNote() == "" {
			t.Errorf("%s: verdict %q, want %q (%s)", tc.name, o.Verdict, tc.want, o.ControlNote())
		}
	}
	// E1 with the dense-only model in the mixture's place: a mixture that is
	// the dense-only model earns the control's verdict, so E1 is not testable.
	d, err := LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	const dim, n = 8, 17
	dense := curveResult("dense", n, map[string]float64{"dense": 0.1, "sparse": 0.6, "mix": 0.1})
	sparse := curveResult("sparse", n, map[string]float64{"dense": 0.6, "sparse": 0.1, "mix": 0.6})
	o := &Outcome{Checks: checksE1(d, dense, sparse, dim, n, "mix", "dense", "sparse", nil),
		Control: &verdict.Control{Name: "dense-only", Checks: checksE1(d, dense, sparse, dim, n, "dense", "dense", "sparse", nil)}}
	o.Verdict = verdict.Verdict(o.Checks)
	o.applyControl()
	if o.Verdict != report.NotTestable || o.Control.Verdict != report.Partly {
		t.Errorf("mixture = dense-only: verdict %q, control %q; want %q, %q", o.Verdict, o.Control.Verdict, report.NotTestable, report.Partly)
	}
}

// Every rule of the paper's experiments, MS and E8 says what its control is, or why it has none.
func TestRulesSayTheControl(t *testing.T) {
	for _, id := range []string{"E1", "E2", "E3", "E4", "E5", "E6", "E7", "MS", "E8"} {
		d, err := LoadDef(id)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(d.Rule, "control") {
			t.Errorf("%s rule lacks control: %q", id, d.Rule[max(0, len(d.Rule)-200):])
		}
	}
}
