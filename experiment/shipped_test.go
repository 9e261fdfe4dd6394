package experiment

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"icl/configs"
	"icl/gpt"
	"icl/models"
	"icl/train"
)

// rehash rewrites dir's SHA256SUMS for the files now in it, so that a test
// can change a shipped run and still have its checksums verify.
func rehash(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if e.Name() != ManifestFile {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h[:]), n)
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// prepareE1 plans E1's runs at the micro scale in out and applies the
// shipped models of modelsDir, returning the runs by name and the log.
func prepareE1(t *testing.T, out, modelsDir string, retrain bool) (map[string]*PlannedRun, string) {
	t.Helper()
	d, err := LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := Plan([]*Def{d}, microScale(), out)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	logf := func(format string, args ...any) { fmt.Fprintf(&log, format+"\n", args...) }
	if err := useShipped(runs, os.DirFS(modelsDir), retrain, logf); err != nil {
		t.Fatal(err)
	}
	byName := map[string]*PlannedRun{}
	for _, r := range runs {
		byName[strings.TrimPrefix(r.Name, "micro/")] = r
	}
	return byName, log.String()
}

// TestShippedModels trains E1's three tiny runs, packs them into a models
// folder and checks that reproductions use them when their configs are
// equal and every checksum verifies, refuse them by name otherwise, ignore
// them under -retrain, and that Verify retrains one to the same bits.
func TestShippedModels(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 3 tiny runs, and one again")
	}
	ctx := context.Background()
	trained, modelsDir := t.TempDir(), t.TempDir()
	var log bytes.Buffer
	opts := Options{Preset: "micro", OutDir: trained, Progress: &log, Scale: microScale(), Only: []string{"E1"},
		Models: os.DirFS(modelsDir)}
	if err := Reproduce(ctx, opts); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	log.Reset()
	if err := Pack(PackOptions{Preset: "micro", OutDir: trained, ModelsDir: modelsDir, Progress: &log, Scale: microScale()}); err != nil {
		t.Fatalf("pack: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "[pack] 3 of ") || !strings.Contains(log.String(), "left out, not finished") {
		t.Errorf("pack log:\n%s", log.String())
	}
	// The layout, with checksums computed here independently of the package.
	for _, run := range []string{"dense_linear", "sparse_linear", "dense_sparse"} {
		dir := filepath.Join(modelsDir, "micro", run)
		sums, err := os.ReadFile(filepath.Join(dir, ManifestFile))
		if err != nil {
			t.Fatal(err)
		}
		var listed []string
		for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
			sum, name, _ := strings.Cut(line, "  ")
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != sum {
				t.Errorf("%s/%s: SHA256SUMS says %s", run, name, sum)
			}
			listed = append(listed, name)
		}
		if got := strings.Join(listed, " "); got != "config.yaml done metrics.jsonl model.safetensors" {
			t.Errorf("%s ships %s", run, got)
		}
		a, _ := os.ReadFile(filepath.Join(dir, train.ModelFile))
		b, _ := os.ReadFile(filepath.Join(trained, "runs", "micro", run, train.ModelFile))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: shipped model differs from the trained one", run)
		}
	}

	// Equal configs, every checksum good: used, nothing trained, and the
	// report says so per run.
	used := t.TempDir()
	log.Reset()
	opts.OutDir = used
	if err := Reproduce(ctx, opts); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if strings.Contains(log.String(), "] training ") {
		t.Errorf("a reproduction with every run shipped trained:\n%s", log.String())
	}
	page, err := os.ReadFile(filepath.Join(used, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []string{"dense_linear", "sparse_linear", "dense_sparse"} {
		if !strings.Contains(log.String(), "shipped model models/micro/"+run+": used") {
			t.Errorf("%s: not used:\n%s", run, log.String())
		}
		b, _ := os.ReadFile(filepath.Join(modelsDir, "micro", run, train.ModelFile))
		h := sha256.Sum256(b)
		for _, want := range []string{"shipped (models/micro/" + run + ")", hex.EncodeToString(h[:]),
			"icl reproduce -preset micro -verify " + run} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("report lacks %q", want)
			}
		}
	}
	// A second invocation keeps the copies.
	runs, msg := prepareE1(t, used, modelsDir, false)
	for name, r := range runs {
		if r.Shipped == nil || r.State != StateDone {
			t.Errorf("%s: copy not kept (%s):\n%s", name, r.State, msg)
		}
	}

	// On a cluster too: nothing is submitted for shipped runs.
	var script bytes.Buffer
	log.Reset()
	slurmOpts := opts
	slurmOpts.OutDir = t.TempDir()
	if _, err := ReproduceSlurm(ctx, slurmOpts, SlurmOptions{Print: &script}); err != nil {
		t.Fatalf("-slurm -print: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "nothing to submit") || script.Len() > 0 {
		t.Errorf("-slurm with every run shipped submits:\n%s\n%s", log.String(), script.String())
	}
	slurmOpts.OutDir, slurmOpts.Retrain = t.TempDir(), true
	if _, err := ReproduceSlurm(ctx, slurmOpts, SlurmOptions{Print: &script}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script.String(), "#SBATCH --array=0-2\n") {
		t.Errorf("-slurm -retrain: the script does not train E1's 3 runs:\n%s", script.String())
	}

	// A flipped byte: that run is refused by name and file, the others used.
	model := filepath.Join(modelsDir, "micro", "sparse_linear", train.ModelFile)
	orig, _ := os.ReadFile(model)
	flipped := bytes.Clone(orig)
	flipped[len(flipped)-3] ^= 1
	os.WriteFile(model, flipped, 0o644)
	runs, msg = prepareE1(t, t.TempDir(), modelsDir, false)
	if r := runs["sparse_linear"]; r.Shipped != nil || r.State != StateMissing {
		t.Errorf("corrupt shipped model used: %+v", r)
	}
	if !strings.Contains(msg, "shipped model micro/sparse_linear: model.safetensors: SHA-256") {
		t.Errorf("corrupt file not named:\n%s", msg)
	}
	if runs["dense_linear"].Shipped == nil || runs["dense_sparse"].Shipped == nil {
		t.Error("the intact shipped models were not used")
	}
	// The copy made earlier is still used: it verifies against its record,
	// but the shipped model no longer does, so it is removed and trained.
	runs, msg = prepareE1(t, used, modelsDir, false)
	if r := runs["sparse_linear"]; r.Shipped != nil || r.State != StateMissing || fileExists(r.ModelPath()) {
		t.Errorf("a copy of a shipped model that no longer verifies was kept:\n%s", msg)
	}
	os.WriteFile(model, orig, 0o644)
	// A file the manifest does not list.
	extra := filepath.Join(modelsDir, "micro", "sparse_linear", "notes.txt")
	os.WriteFile(extra, []byte("x"), 0o644)
	if runs, msg = prepareE1(t, t.TempDir(), modelsDir, false); runs["sparse_linear"].Shipped != nil ||
		!strings.Contains(msg, "notes.txt: not listed in SHA256SUMS") {
		t.Errorf("unlisted file not refused:\n%s", msg)
	}
	os.Remove(extra)

	// A config.yaml edited (checksums rewritten to match): the model no
	// longer carries the run's config, so the run is refused by name, with
	// the field.
	cfgPath := filepath.Join(modelsDir, "micro", "dense_linear", train.ConfigFile)
	cfgText, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(cfgText, []byte("\nseed: "), []byte("\nseed: 9"), 1), 0o644)
	rehash(t, filepath.Dir(cfgPath))
	runs, msg = prepareE1(t, t.TempDir(), modelsDir, false)
	if r := runs["dense_linear"]; r.Shipped != nil || r.State != StateMissing {
		t.Errorf("shipped model with another config used: %+v", r)
	}
	if !strings.Contains(msg, "shipped model micro/dense_linear: model.safetensors: the training config it carries is not config.yaml's") ||
		!strings.Contains(msg, "seed: 9") {
		t.Errorf("config mismatch not reported by name and field:\n%s", msg)
	}
	os.WriteFile(cfgPath, cfgText, 0o644)
	rehash(t, filepath.Dir(cfgPath))

	// Another run's model copied over this one's (checksums rewritten to
	// match): refused, naming the run and the model file.
	mixModel := filepath.Join(modelsDir, "micro", "dense_sparse", train.ModelFile)
	mixOrig, _ := os.ReadFile(mixModel)
	sparseModel, _ := os.ReadFile(filepath.Join(modelsDir, "micro", "sparse_linear", train.ModelFile))
	os.WriteFile(mixModel, sparseModel, 0o644)
	rehash(t, filepath.Dir(mixModel))
	runs, msg = prepareE1(t, t.TempDir(), modelsDir, false)
	if r := runs["dense_sparse"]; r.Shipped != nil {
		t.Errorf("another run's model was used as micro/dense_sparse:\n%s", msg)
	}
	if !strings.Contains(msg, "shipped model micro/dense_sparse: model.safetensors: the training config it carries is not config.yaml's") {
		t.Errorf("the swapped model is not reported by run and file:\n%s", msg)
	}
	os.WriteFile(mixModel, mixOrig, 0o644)
	rehash(t, filepath.Dir(mixModel))

	// Metrics packed compressed are copied decompressed.
	defer func(n int) { gzipMetricsAbove = n }(gzipMetricsAbove)
	gzipMetricsAbove = 0
	gzModels := t.TempDir()
	if err := Pack(PackOptions{Preset: "micro", OutDir: trained, ModelsDir: gzModels, Progress: io.Discard, Scale: microScale()}); err != nil {
		t.Fatal(err)
	}
	sums, _ := os.ReadFile(filepath.Join(gzModels, "micro", "dense_sparse", ManifestFile))
	if !strings.Contains(string(sums), "  metrics.jsonl.gz\n") || strings.Contains(string(sums), "  metrics.jsonl\n") {
		t.Errorf("packed with gzipMetricsAbove 0, SHA256SUMS:\n%s", sums)
	}
	runs, msg = prepareE1(t, t.TempDir(), gzModels, false)
	for _, run := range []string{"dense_linear", "sparse_linear", "dense_sparse"} {
		got, _ := os.ReadFile(filepath.Join(runs[run].Dir, train.MetricsFile))
		want, _ := os.ReadFile(filepath.Join(trained, "runs", "micro", run, train.MetricsFile))
		if runs[run].Shipped == nil || len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("%s shipped with metrics.jsonl.gz: used %v, metrics copied %d bytes of %d\n%s",
				run, runs[run].Shipped != nil, len(got), len(want), msg)
		}
	}

	// -retrain: nothing shipped is used, and copies made earlier are removed.
	for _, out := range []string{t.TempDir(), used} {
		runs, msg = prepareE1(t, out, modelsDir, true)
		for name, r := range runs {
			if r.Shipped != nil || r.State != StateMissing || fileExists(r.ModelPath()) {
				t.Errorf("-retrain in %s: %s is %s, shipped %v:\n%s", out, name, r.State, r.Shipped != nil, msg)
			}
		}
	}

	// -verify: retrained from scratch, the same bits.
	vout := t.TempDir()
	res, err := Verify(ctx, VerifyOptions{Preset: "micro", Run: "dense_linear", OutDir: vout, Models: os.DirFS(modelsDir),
		Train: train.Options{Progress: io.Discard}, Scale: microScale()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Identical || res.UsedFor != "micro/dense_linear" || res.TrainS <= 0 || res.ShippedS <= 0 {
		t.Errorf("verify: %+v", res)
	}
	// A shipped model whose weights differ (checksums rewritten) is not identical.
	m, meta, err := gpt.LoadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	m.Params[0] += 1e-3
	if err := gpt.SaveFile(model, m, meta); err != nil {
		t.Fatal(err)
	}
	rehash(t, filepath.Dir(model))
	res, err = Verify(ctx, VerifyOptions{Preset: "micro", Run: "micro/sparse_linear", OutDir: vout, Models: os.DirFS(modelsDir),
		Train: train.Options{Progress: io.Discard}, Scale: microScale()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Identical || len(res.Diffs) != 1 || !strings.Contains(res.Diffs[0], "1 of ") {
		t.Errorf("verify of an altered model: identical %v, diffs %q", res.Identical, res.Diffs)
	}
	if res.Comparison != CompareBits || res.Numerics != gpt.NumericsID(gpt.FP32) {
		t.Errorf("verify under one numerics id: comparison %q, numerics %q", res.Comparison, res.Numerics)
	}

	// Under another numerics id (the kernels changed since the shipped model
	// was trained) the comparison is statistical: the same weights agree, a
	// model whose predictions are all shifted by 1 does not.
	dl := filepath.Join(modelsDir, "micro", "dense_linear", train.ModelFile)
	dlOrig, _ := os.ReadFile(dl)
	for _, tc := range []struct {
		name  string
		edit  func(m *gpt.Model)
		agree bool
	}{
		{"same weights", func(*gpt.Model) {}, true},
		{"read-out shifted by 1", func(m *gpt.Model) { m.W.ReadOutB[0] += 1 }, false},
	} {
		m, meta, err := gpt.LoadFile(dl)
		if err != nil {
			t.Fatal(err)
		}
		tc.edit(m)
		meta[gpt.MetaNumerics] = "fp32.0"
		if err := gpt.SaveFile(dl, m, meta); err != nil {
			t.Fatal(err)
		}
		rehash(t, filepath.Dir(dl))
		res, err := Verify(ctx, VerifyOptions{Preset: "micro", Run: "dense_linear", OutDir: vout, Models: os.DirFS(modelsDir),
			Train: train.Options{Progress: io.Discard}, Scale: microScale()})
		if err != nil {
			t.Fatal(err)
		}
		if res.Comparison != CompareStatistical || res.ShippedNumerics != "fp32.0" || res.Identical || res.Agrees != tc.agree ||
			(tc.agree != (len(res.Diffs) == 0)) {
			t.Errorf("%s under numerics fp32.0: comparison %q, agrees %v (want %v), diffs %q", tc.name, res.Comparison, res.Agrees, tc.agree, res.Diffs)
		}
		os.WriteFile(dl, dlOrig, 0o644)
		rehash(t, filepath.Dir(dl))
	}
	if _, err := Verify(ctx, VerifyOptions{Preset: "micro", Run: "nothing", OutDir: vout, Models: os.DirFS(modelsDir),
		Scale: microScale()}); err == nil || !strings.Contains(err.Error(), "micro/dense_linear") {
		t.Errorf("verify of an unknown run: %v", err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
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
	got, ok := metricsTime([]byte(log))
	if !ok || got.Wall != 3725*time.Second || got.Resumes != 2 || got.Lost != 30500*time.Millisecond || !math.IsNaN(got.FinalLoss) {
		t.Fatalf("metricsTime = %+v, %v", got, ok)
	}
	if s, want := got.String(), "1:02:05 (resumed twice; 0:31 of it redone after stops without a checkpoint)"; s != want {
		t.Errorf("String() = %q, want %q", s, want)
	}
	if _, ok := metricsTime([]byte(`{"kind":"start","step":0,"wall_s":0}`)); ok {
		t.Error("a log without a done line gives a training time")
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
	got, ok := metricsTime([]byte(log))
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

// The medium scale trains E1's three runs (E3 and MS share the mixture) and
// takes E2's, E4-E6's and E7's from the small scale, as small configures them.
func TestPlanMedium(t *testing.T) {
	defs, err := Defs()
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadScale("medium")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := Plan(defs, s, t.TempDir())
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
	small, _ := LoadScale("small")
	for _, id := range []string{"E2", "E4"} {
		d, _ := LoadDef(id)
		a, err := RunConfig(d, &d.Runs[0], s)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := RunConfig(d, &d.Runs[0], small)
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

// The report's retrain command names a shipped run of another scale with
// its scale, one of the preset's without.
func TestRunsTableCommands(t *testing.T) {
	dir := t.TempDir()
	runs := []*PlannedRun{
		{Name: "medium/dense_sparse", Dir: dir, Shipped: &ShippedRun{Path: "medium/dense_sparse"}},
		{Name: "small/linear_sinusoid_d1", Dir: dir, Shipped: &ShippedRun{Path: "small/linear_sinusoid_d1"}},
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

// The default scale evaluates shipped models and trains nothing: every run
// it plans is shipped (models/) with its config and checksums verified.
func TestDefaultScaleShipped(t *testing.T) {
	defs, err := Defs()
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadScale(configs.DefaultScale)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := Plan(defs, s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	logf := func(format string, a ...any) { fmt.Fprintf(&log, format+"\n", a...) }
	if err := useShipped(runs, models.FS(), false, logf); err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if r.State != StateDone || r.Shipped == nil {
			t.Errorf("default scale %s: run %s is not shipped (state %s)", configs.DefaultScale, r.Name, r.State)
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
	long := &PlannedRun{Name: cfg.Name, Cfg: cfg, State: StateMissing, stepS: 0.02} // 100000 steps: over half an hour
	notShipped := &PlannedRun{Name: quick.Name, Cfg: quick, State: StateMissing, stepS: 0.02}
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
		err := checkShippedCover([]*PlannedRun{long, notShipped}, tc.fsys, "DIR", false, logf)
		var me *MissingShippedError
		if !errors.As(err, &me) || len(me.Runs) != 1 || !strings.Contains(err.Error(), "run small/dense_sparse") ||
			!strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "-retrain") {
			t.Errorf("%s: err %v, want a *MissingShippedError for small/dense_sparse alone saying %q and naming -retrain", tc.name, err, tc.want)
		}
		if err := checkShippedCover([]*PlannedRun{long}, tc.fsys, "DIR", true, logf); err != nil {
			t.Errorf("%s: -retrain: %v", tc.name, err)
		}
	}
	// A short run is trained with a note, not stopped.
	short := *long
	short.stepS = 1e-6
	log.Reset()
	if err := checkShippedCover([]*PlannedRun{&short}, fstest.MapFS{}, "DIR", false, logf); err != nil {
		t.Errorf("a run of a few seconds: %v", err)
	}
	if !strings.Contains(log.String(), "small/dense_sparse") || !strings.Contains(log.String(), "it is trained here") {
		t.Errorf("a short run is trained without a word: %q", log.String())
	}
}
