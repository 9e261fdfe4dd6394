package reproduce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"icl/eval"
	"icl/experiment"
	"icl/report"
	"icl/runplan"
	"icl/train"
	"icl/verdict"
)

// The verdict box speaks of the scale shown: the note of that scale
// whatever the verdict, never another scale's.
func TestReportScaleNote(t *testing.T) {
	d, err := experiment.LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	small := d.ScaleNotes["small"]
	if small == "" {
		t.Fatal("E1 has no small scale note")
	}
	for _, preset := range []string{"small", "quick"} {
		s, err := experiment.LoadScale(preset)
		if err != nil {
			t.Fatal(err)
		}
		runs, err := runplan.Plan([]*experiment.Def{d}, s, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{report.Supported, report.Partly, report.NotAtScale} {
			out := &experiment.Outcome{Def: d, Verdict: v, Checks: []verdict.Check{{Name: "c", Pass: v == report.Supported}}}
			rep := buildReport(Options{Preset: preset, OutDir: "out"}, s, []*experiment.Def{d}, []*experiment.Def{d}, []*experiment.Outcome{out}, nil, runs, 0, 0, 0)
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
	s, err := experiment.LoadScale("medium")
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
		d, err := experiment.LoadDef(tc.id)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.TrimSpace(d.ScaleNotes[tc.note])
		if want == "" {
			t.Fatalf("%s has no %s scale note", tc.id, tc.note)
		}
		runs, err := runplan.Plan([]*experiment.Def{d}, s, t.TempDir())
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

// The terminal, verdict.json and the report count the same checks.
func TestCountsAgree(t *testing.T) {
	d, err := experiment.LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	cs := []verdict.Check{{Name: "(precondition) learned", Pass: true, Precondition: true},
		{Name: "a", Pass: true}, {Name: "b", Pass: true, Untestable: "alike"}, {Name: "c"}}
	o := &experiment.Outcome{Def: d, Checks: cs, Verdict: verdict.Verdict(cs), Results: &eval.Results{}}
	s, _ := experiment.LoadScale("quick")
	rep := buildReport(Options{Preset: "quick", OutDir: "out"}, s, []*experiment.Def{d}, []*experiment.Def{d}, []*experiment.Outcome{o}, nil, nil, 0, 0, 0)
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
	opts := Options{Preset: "micro", OutDir: out, Progress: &log, Scale: experiment.MicroScale()}
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
	for _, id := range experiment.IDs() {
		if d, _ := experiment.LoadDef(id); d.RunsAt("micro") {
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
		d, _ := experiment.LoadDef(id)
		words := map[string]int{"One": 1, "Two": 2, "Three": 3, "Four": 4, "Five": 5, "Six": 6}
		if m := regexp.MustCompile(`\b(One|Two|Three|Four|Five|Six) checks?\b`).FindStringSubmatch(d.Rule); m != nil && words[m[1]] != v.Claims {
			t.Errorf("%s: the rule says %q, the table has %d checks of the claim", id, m[0], v.Claims)
		}
	}
	// Every experiment that ran lists its checks once.
	if n, want := len(regexp.MustCompile(`</b> Checks(, and whether each holds for the control \(.*?\))?</caption>`).FindAllString(h, -1)), len(ran); n != want {
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
	} else if c := s.Curve(experiment.KeyMixtureBayes); c == nil || c.Name != "Bayes, loss-weighted mixture" {
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
	for _, want := range []string{"preset quick/dense_sparse (presets/quick/dense_sparse.yaml)", "run micro/dense_sparse ("} {
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
				hidden, shown := s.Curve(experiment.ModelKey(role)), s.Curve(experiment.ShownKey(role))
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
				if s.Curve(experiment.ShownKey(role)) != nil {
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
	if defs, err := experiment.Defs(); err != nil {
		t.Fatal(err)
	} else if runs, err := runplan.Plan(defs, experiment.MicroScale(), out); err != nil {
		t.Fatal(err)
	} else {
		i := slices.IndexFunc(runs, func(r *runplan.Run) bool { return r.Name == "micro/sparse_linear" })
		if i < 0 {
			t.Fatal("micro/sparse_linear not planned")
		}
		if r := runs[i]; r.State != runplan.StateInterrupted || r.From != r.Cfg.Train.Steps {
			t.Errorf("%s: planned %s from step %d, want interrupted from step %d", r.Name, r.State, r.From, r.Cfg.Train.Steps)
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
	if !strings.Contains(h, `<th scope="col">Control</th>`) {
		t.Error("the summary has no control column")
	}
	// E1, E3 and MS run their rule again on a control; verdict.json keeps it.
	for _, id := range []string{"E1", "E3", "MS"} {
		b, _ := os.ReadFile(filepath.Join(out, id, "verdict.json"))
		var v struct {
			Control *struct{ Name, Verdict, Note string } `json:"control"`
		}
		if json.Unmarshal(b, &v) != nil || v.Control == nil || v.Control.Verdict == "" || v.Control.Note == "" {
			t.Errorf("%s/verdict.json has no control: %s", id, b)
		}
	}
	if !strings.Contains(h, `<th scope="col">Models (scale)</th>`) {
		t.Error("the summary has no models column")
	}
	// -only E2 into the same output keeps every other experiment's section,
	// marked as kept, and reruns E2 alone.
	log.Reset()
	e1Verdict, _ := os.ReadFile(filepath.Join(out, "E1", "verdict.json"))
	if err := Reproduce(context.Background(), Options{Preset: "micro", OutDir: out, Progress: &log, Scale: experiment.MicroScale(), Only: []string{"E2"}}); err != nil {
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
		opts := Options{Preset: "micro", OutDir: dirs[i], Progress: &log, Scale: experiment.MicroScale(), Only: []string{"E1"}, Jobs: jobs}
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
	opts := Options{Preset: "micro", OutDir: dirs[1], Progress: &log, Scale: experiment.MicroScale(), Only: []string{"E1"}, EvalSeed: 5}
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

// The Models table gives each run's last evaluation loss and says when it is
// the zero predictor's: such a run did not learn.
func TestFinalLoss(t *testing.T) {
	log := `{"kind":"start","step":0,"wall_s":0}
{"kind":"eval","step":0,"loss":2.5,"loss_norm":0.62,"per_position":[1]}
{"kind":"eval","step":1000,"loss":4.7,"loss_norm":0.91,"per_position":[1]}
{"kind":"done","step":1000,"wall_s":60}
`
	got, ok := runplan.MetricsTime([]byte(log))
	if !ok || got.FinalLoss != 0.91 {
		t.Fatalf("metricsTime = %+v, %v; want the last evaluation's 0.91", got, ok)
	}
	for _, c := range []struct {
		v    float64
		zero bool
	}{{0.91, true}, {0.9, true}, {0.34, false}, {1.05, true}} {
		if s := lossNote(c.v); strings.Contains(s, "zero predictor") != c.zero || !strings.HasPrefix(s, fmt.Sprintf("%.3f", c.v)) {
			t.Errorf("lossNote(%g) = %q", c.v, s)
		}
	}
	if s := lossNote(math.NaN()); s != "n/a" {
		t.Errorf("lossNote(NaN) = %q", s)
	}
}

// The report's retrain command names a shipped run of another scale with
// its scale, one of the preset's without.
func TestRunsTableCommands(t *testing.T) {
	dir := t.TempDir()
	runs := []*runplan.Run{
		{Name: "medium/dense_sparse", Dir: dir, Shipped: "medium/dense_sparse"},
		{Name: "small/linear_sinusoid_d1", Dir: dir, Shipped: "small/linear_sinusoid_d1"},
		{Name: "medium/dense_linear", Dir: dir},
	}
	tab := runsTable("medium", runs)
	want := []string{"icl reproduce -preset medium -verify dense_sparse",
		"icl reproduce -preset medium -verify small/linear_sinusoid_d1",
		"icl train -config " + filepath.Join(dir, train.ConfigFile) + " -out NEWDIR"}
	for i, row := range tab.Rows {
		if got := row[len(row)-1]; got != want[i] {
			t.Errorf("row %d: %q, want %q", i, got, want[i])
		}
		if row[2] != "not finished" || row[3] != "not finished" {
			t.Errorf("row %d: a run without files has SHA-256 %q, time %q", i, row[2], row[3])
		}
	}
}

// The evaluation ETA scales the predicted costs of the experiments left by
// how much slower than predicted the finished ones went.
func TestEvalETA(t *testing.T) {
	eta := &evalETA{cost: []time.Duration{10 * time.Second, -1, 60 * time.Second, 30 * time.Second}}
	for _, tc := range []struct {
		j    int
		took time.Duration
		want string
	}{
		{1, 10 * time.Second, "1:30"},  // on time: 60 + 30 s left
		{1, 20 * time.Second, "3:00"},  // twice as slow
		{3, 140 * time.Second, "1:00"}, // 70 s predicted took 140: 30 s left take 60
		{1, 0, "0:23"},                 // faster than a quarter is held at a quarter
	} {
		if got := eta.left(tc.j, tc.took); got != tc.want {
			t.Errorf("left(%d, %v) = %s, want %s", tc.j, tc.took, got, tc.want)
		}
	}
}
