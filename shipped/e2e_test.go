package shipped_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"icl/experiment"
	"icl/gpt"
	"icl/reproduce"
	"icl/runplan"
	"icl/shipped"
	"icl/slurm"
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
		if e.Name() != shipped.ManifestFile {
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
	if err := os.WriteFile(filepath.Join(dir, shipped.ManifestFile), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// prepareE1 plans E1's runs at the micro scale in out and applies the
// shipped models of modelsDir, returning the runs by name and the log.
func prepareE1(t *testing.T, out, modelsDir string, retrain bool) (map[string]*runplan.Run, string) {
	t.Helper()
	d, err := experiment.LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	runs, err := runplan.Plan([]*experiment.Def{d}, experiment.MicroScale(), out)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	logf := func(format string, args ...any) { fmt.Fprintf(&log, format+"\n", args...) }
	if err := shipped.Use(runs, os.DirFS(modelsDir), retrain, logf); err != nil {
		t.Fatal(err)
	}
	byName := map[string]*runplan.Run{}
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
	opts := reproduce.Options{Preset: "micro", OutDir: trained, Progress: &log, Scale: experiment.MicroScale(), Only: []string{"E1"},
		Models: os.DirFS(modelsDir)}
	if err := reproduce.Reproduce(ctx, opts); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	log.Reset()
	if err := shipped.Pack(shipped.PackOptions{Preset: "micro", OutDir: trained, ModelsDir: modelsDir, Progress: &log, Scale: experiment.MicroScale()}); err != nil {
		t.Fatalf("pack: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "[pack] 3 of ") || !strings.Contains(log.String(), "left out, not finished") {
		t.Errorf("pack log:\n%s", log.String())
	}
	// The layout, with checksums computed here independently of the package.
	for _, run := range []string{"dense_linear", "sparse_linear", "dense_sparse"} {
		dir := filepath.Join(modelsDir, "micro", run)
		sums, err := os.ReadFile(filepath.Join(dir, shipped.ManifestFile))
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
	if err := reproduce.Reproduce(ctx, opts); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if strings.Contains(log.String(), "] training ") {
		t.Errorf("a reproduction with every run shipped trained:\n%s", log.String())
	}
	page, err := os.ReadFile(filepath.Join(used, reproduce.ReportFile))
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
		if r.Shipped == "" || r.State != runplan.StateDone {
			t.Errorf("%s: copy not kept (%s):\n%s", name, r.State, msg)
		}
	}

	// On a cluster too: nothing is submitted for shipped runs.
	var script bytes.Buffer
	log.Reset()
	slurmOpts := opts
	slurmOpts.OutDir = t.TempDir()
	if _, err := slurm.Reproduce(ctx, slurmOpts, slurm.Options{Print: &script}); err != nil {
		t.Fatalf("-slurm -print: %v\n%s", err, log.String())
	}
	if !strings.Contains(log.String(), "nothing to submit") || script.Len() > 0 {
		t.Errorf("-slurm with every run shipped submits:\n%s\n%s", log.String(), script.String())
	}
	slurmOpts.OutDir, slurmOpts.Retrain = t.TempDir(), true
	if _, err := slurm.Reproduce(ctx, slurmOpts, slurm.Options{Print: &script}); err != nil {
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
	if r := runs["sparse_linear"]; r.Shipped != "" || r.State != runplan.StateMissing {
		t.Errorf("corrupt shipped model used: %+v", r)
	}
	if !strings.Contains(msg, "shipped model micro/sparse_linear: model.safetensors: SHA-256") {
		t.Errorf("corrupt file not named:\n%s", msg)
	}
	if runs["dense_linear"].Shipped == "" || runs["dense_sparse"].Shipped == "" {
		t.Error("the intact shipped models were not used")
	}
	// The copy made earlier is still used: it verifies against its record,
	// but the shipped model no longer does, so it is removed and trained.
	runs, msg = prepareE1(t, used, modelsDir, false)
	if r := runs["sparse_linear"]; r.Shipped != "" || r.State != runplan.StateMissing || fileExists(r.ModelPath()) {
		t.Errorf("a copy of a shipped model that no longer verifies was kept:\n%s", msg)
	}
	os.WriteFile(model, orig, 0o644)
	// A file the manifest does not list.
	extra := filepath.Join(modelsDir, "micro", "sparse_linear", "notes.txt")
	os.WriteFile(extra, []byte("x"), 0o644)
	if runs, msg = prepareE1(t, t.TempDir(), modelsDir, false); runs["sparse_linear"].Shipped != "" ||
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
	if r := runs["dense_linear"]; r.Shipped != "" || r.State != runplan.StateMissing {
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
	if r := runs["dense_sparse"]; r.Shipped != "" {
		t.Errorf("another run's model was used as micro/dense_sparse:\n%s", msg)
	}
	if !strings.Contains(msg, "shipped model micro/dense_sparse: model.safetensors: the training config it carries is not config.yaml's") {
		t.Errorf("the swapped model is not reported by run and file:\n%s", msg)
	}
	os.WriteFile(mixModel, mixOrig, 0o644)
	rehash(t, filepath.Dir(mixModel))

	// Metrics packed compressed are copied decompressed.
	defer func(n int) { *shipped.GzipMetricsAbove = n }(*shipped.GzipMetricsAbove)
	*shipped.GzipMetricsAbove = 0
	gzModels := t.TempDir()
	if err := shipped.Pack(shipped.PackOptions{Preset: "micro", OutDir: trained, ModelsDir: gzModels, Progress: io.Discard, Scale: experiment.MicroScale()}); err != nil {
		t.Fatal(err)
	}
	sums, _ := os.ReadFile(filepath.Join(gzModels, "micro", "dense_sparse", shipped.ManifestFile))
	if !strings.Contains(string(sums), "  metrics.jsonl.gz\n") || strings.Contains(string(sums), "  metrics.jsonl\n") {
		t.Errorf("packed with gzipMetricsAbove 0, SHA256SUMS:\n%s", sums)
	}
	runs, msg = prepareE1(t, t.TempDir(), gzModels, false)
	for _, run := range []string{"dense_linear", "sparse_linear", "dense_sparse"} {
		got, _ := os.ReadFile(filepath.Join(runs[run].Dir, train.MetricsFile))
		want, _ := os.ReadFile(filepath.Join(trained, "runs", "micro", run, train.MetricsFile))
		if runs[run].Shipped == "" || len(want) == 0 || !bytes.Equal(got, want) {
			t.Errorf("%s shipped with metrics.jsonl.gz: used %v, metrics copied %d bytes of %d\n%s",
				run, runs[run].Shipped != "", len(got), len(want), msg)
		}
	}

	// -retrain: nothing shipped is used, and copies made earlier are removed.
	for _, out := range []string{t.TempDir(), used} {
		runs, msg = prepareE1(t, out, modelsDir, true)
		for name, r := range runs {
			if r.Shipped != "" || r.State != runplan.StateMissing || fileExists(r.ModelPath()) {
				t.Errorf("-retrain in %s: %s is %s, shipped %v:\n%s", out, name, r.State, r.Shipped != "", msg)
			}
		}
	}

	// -verify: retrained from scratch, the same bits.
	vout := t.TempDir()
	res, err := shipped.Verify(ctx, shipped.VerifyOptions{Preset: "micro", Run: "dense_linear", OutDir: vout, Models: os.DirFS(modelsDir),
		Train: train.Options{Progress: io.Discard}, Scale: experiment.MicroScale()})
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
	res, err = shipped.Verify(ctx, shipped.VerifyOptions{Preset: "micro", Run: "micro/sparse_linear", OutDir: vout, Models: os.DirFS(modelsDir),
		Train: train.Options{Progress: io.Discard}, Scale: experiment.MicroScale()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Identical || len(res.Diffs) != 1 || !strings.Contains(res.Diffs[0], "1 of ") {
		t.Errorf("verify of an altered model: identical %v, diffs %q", res.Identical, res.Diffs)
	}
	if res.Comparison != shipped.CompareBits || res.Numerics != gpt.NumericsID(gpt.FP32) {
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
		res, err := shipped.Verify(ctx, shipped.VerifyOptions{Preset: "micro", Run: "dense_linear", OutDir: vout, Models: os.DirFS(modelsDir),
			Train: train.Options{Progress: io.Discard}, Scale: experiment.MicroScale()})
		if err != nil {
			t.Fatal(err)
		}
		if res.Comparison != shipped.CompareStatistical || res.ShippedNumerics != "fp32.0" || res.Identical || res.Agrees != tc.agree ||
			(tc.agree != (len(res.Diffs) == 0)) {
			t.Errorf("%s under numerics fp32.0: comparison %q, agrees %v (want %v), diffs %q", tc.name, res.Comparison, res.Agrees, tc.agree, res.Diffs)
		}
		// Every position of the pretraining setting is compared; a shift
		// by 1 moves every error out of its interval.
		if want := res.Shipped.Cfg.Data.Points; res.Compared != want || (!tc.agree && len(res.Diffs) != want) {
			t.Errorf("%s: %d of %d errors outside, want %d compared", tc.name, len(res.Diffs), res.Compared, want)
		}
		os.WriteFile(dl, dlOrig, 0o644)
		rehash(t, filepath.Dir(dl))
	}
	if _, err := shipped.Verify(ctx, shipped.VerifyOptions{Preset: "micro", Run: "nothing", OutDir: vout, Models: os.DirFS(modelsDir),
		Scale: experiment.MicroScale()}); err == nil || !strings.Contains(err.Error(), "micro/dense_linear") {
		t.Errorf("verify of an unknown run: %v", err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
