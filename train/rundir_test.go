package train

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"icl/gpt"
	"icl/internal/dirlock"
	"icl/internal/memlimit"
)

// TestSecondWriterRefused checks that a run directory has one writer: a
// Resume (or Run) while another is training it is refused, naming the
// holder's process id, and the first run is not disturbed.
func TestSecondWriterRefused(t *testing.T) {
	dir := t.TempDir()
	var second, third error
	afterStepHook = func(k int, _ []float32) {
		if k == 15 {
			_, second = Resume(context.Background(), dir, Options{Progress: io.Discard})
			_, third = Run(context.Background(), tinyConfig(t), dir, Options{Progress: io.Discard})
		}
	}
	defer func() { afterStepHook = nil }()
	if _, err := Run(context.Background(), tinyConfig(t), dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{second, third} {
		var he *dirlock.HeldError
		if !errors.As(err, &he) || he.PID != os.Getpid() || !strings.Contains(err.Error(), "in use by process") {
			t.Errorf("second writer: %v; want a *dirlock.HeldError naming pid %d", err, os.Getpid())
		}
	}
	if got, ref := fileHash(t, filepath.Join(dir, ModelFile)), referenceHash(t); got != ref {
		t.Errorf("model %s, uninterrupted %s", got, ref)
	}
	// Released at the end: a resume of the finished run goes through.
	if res, err := Resume(context.Background(), dir, Options{Progress: io.Discard}); err != nil || !res.AlreadyDone {
		t.Errorf("resume after the end: %+v, %v", res, err)
	}
}

// TestResumeRemovesTemporaries checks that the temporary files of writes
// killed midway are removed when the run resumes, and nothing else is.
func TestResumeRemovesTemporaries(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	afterStepHook = func(k int, _ []float32) {
		if k == 35 {
			cancel()
		}
	}
	defer func() { afterStepHook = nil }()
	if _, err := Run(ctx, tinyConfig(t), dir, Options{Progress: io.Discard}); err == nil {
		t.Fatal("not interrupted")
	}
	afterStepHook = nil
	stale := []string{".ckpt-00000040.safetensors.tmp123456", ".ckpt-00000050.safetensors.tmp9",
		".model.safetensors.tmp77", ".metrics.jsonl.tmp1", ".done.tmp5"}
	other := []string{"notes.txt", ".ckpt-00000040.safetensors.tmpx", "ckpt-00000040.safetensors.tmp1"}
	for _, n := range append(stale, other...) {
		if err := os.WriteFile(filepath.Join(dir, n), make([]byte, 100), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var log bytes.Buffer
	if _, err := Resume(context.Background(), dir, Options{Progress: &log}); err != nil {
		t.Fatal(err)
	}
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s left after resume", n)
		}
	}
	for _, n := range other {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
	if !strings.Contains(log.String(), "removed 5 temporary file(s) (500 bytes)") {
		t.Errorf("no message about the temporaries in %q", log.String())
	}
}

// TestResumeAfterModelLogsDoneOnce resumes a run killed after it wrote its
// model and its done line but before the done marker: it ends with one done line.
func TestResumeAfterModelLogsDoneOnce(t *testing.T) {
	dir := t.TempDir()
	if _, err := Run(context.Background(), tinyConfig(t), dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, DoneFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(context.Background(), dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), `"kind":"done"`); n != 1 {
		t.Errorf("%d done lines, want 1:\n%s", n, data)
	}
	if !IsDone(dir) {
		t.Error("no done marker after the resume")
	}
}

// TestModelMetadataContradiction checks that a model file whose metadata
// disagrees with itself is refused, naming both sides.
func TestModelMetadataContradiction(t *testing.T) {
	cfg := tinyConfig(t)
	m, err := gpt.New(cfg.GPT())
	if err != nil {
		t.Fatal(err)
	}
	other := *cfg
	other.Model.Heads = 4
	otherText, err := other.YAML()
	if err != nil {
		t.Fatal(err)
	}
	text, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		meta map[string]string
		want string
	}{
		{"heads", map[string]string{"train_config": string(otherText), "step": "60"}, `"config" has n_head 2, "train_config" has model.heads 4`},
		{"step", map[string]string{"train_config": string(text), "step": "59"}, `"step" is "59", "train_config" has train.steps 60`},
		{"consistent", map[string]string{"train_config": string(text), "step": "60"}, ""},
	} {
		path := filepath.Join(t.TempDir(), ModelFile)
		if err := gpt.SaveFile(path, m, tc.meta); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadModel(path)
		if tc.want == "" && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.want != "" && (err == nil || !strings.Contains(err.Error(), "contradicts itself") || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: err %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestMemoryRefusedBeforeAllocating checks that configs whose training would
// not fit in memory are refused before anything is allocated, naming the
// settings of the largest share, and leave no run directory behind.
func TestMemoryRefusedBeforeAllocating(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"batch: 8", "batch: 1000000000", "activations of a batch"},
		{"eval_batch: 16", "eval_batch: 1e12", "eval_batch = 1000000000000"},
		{"dim: 3,", "dim: 1e9,", "data.dim = 1000000000"},
		{"points: 5}", "points: 1e6}", "data.points = 1000000"},
		{"width: 16,", "width: 1e6,", "model.width = 1000000"},
		{"layers: 1,", "layers: 1e9,", "model.layers = 1000000000"},
	} {
		text := strings.Replace(tinyYAML, tc.from, tc.to, 1)
		if text == tinyYAML {
			t.Fatalf("%q not in the config", tc.from)
		}
		if tc.from == "points: 5}" { // the curriculum's ramp ends at data.points
			text = strings.Replace(text, "points: {start: 3, inc: 1, interval: 15}", "points: {start: 3, inc: 1, interval: 15, end: 1000000}", 1)
		}
		cfg, err := DecodeConfig(strings.NewReader(text))
		if err != nil {
			t.Fatalf("%s: %v", tc.to, err)
		}
		dir := filepath.Join(t.TempDir(), "run")
		_, err = Run(context.Background(), cfg, dir, Options{Progress: io.Discard})
		var me *memlimit.Error
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want a *memlimit.Error naming %q", tc.to, err, tc.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s: the run directory was made (%v)", tc.to, err)
		}
	}
	// The tiny config itself fits.
	if err := tinyConfig(t).CheckMemory(); err != nil {
		t.Error(err)
	}
}

// TestCheckpointConfigSizeChecked checks that a checkpoint whose stored
// config describes a far larger model than its tensors is refused before that
// model is allocated.
func TestCheckpointConfigSizeChecked(t *testing.T) {
	cfg := tinyConfig(t)
	big := *cfg
	big.Data.Points, big.Curriculum.Points = 1_100_000_000, Ramp{}
	big.Defaults()
	text, err := big.YAML()
	if err != nil {
		t.Fatal(err)
	}
	n := cfg.GPT().NumParams()
	path := CheckpointPath(t.TempDir(), 10)
	if err := WriteCheckpoint(path, &Checkpoint{Step: 10, AdamStep: 10, Config: string(text),
		Params: make([]float32, n), M: make([]float32, n), V: make([]float32, n)}); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadModel(path)
	var ce *CorruptError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "its config's model has 35200") {
		t.Errorf("err %v, want a *CorruptError on the parameter count", err)
	}
}
