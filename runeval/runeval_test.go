package runeval

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"icl/gpt"
	"icl/rng"
	"icl/safetensors"
	"icl/task"
	"icl/train"
)

// tinyEvalModel is an untrained model, seeded.
func tinyEvalModel(t *testing.T, d, n int) *gpt.Model {
	t.Helper()
	m, err := gpt.New(gpt.Config{Dim: d, Points: n, Layers: 1, Width: 8, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	return m
}

// tinyRun writes a run directory with an untrained tiny model and its config.
func tinyRun(t *testing.T, spec task.Spec, d, n int) (string, *train.Config) {
	t.Helper()
	cfg := &train.Config{Name: "tiny", Seed: 1, Task: spec, Data: train.Data{Dim: d, Points: n},
		Model: train.Model{Layers: 1, Width: 8, Heads: 2}, Train: train.Optimize{Steps: 1}}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	m := tinyEvalModel(t, d, n)
	var ts []safetensors.Tensor
	for _, nt := range m.Tensors() {
		ts = append(ts, safetensors.Tensor{Name: nt.Name, Shape: nt.Shape, Data: nt.Data})
	}
	text, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	gj, err := json.Marshal(m.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	meta := map[string]string{"config": string(gj), "train_config": string(text)}
	if err := safetensors.WriteFile(filepath.Join(dir, train.ModelFile), ts, meta); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, train.ConfigFile), text, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

func TestLoadModelRoundTrip(t *testing.T) {
	const d, n = 3, 7
	dir, _ := tinyRun(t, task.Spec{Class: "dense_linear"}, d, n)
	m, cfg, err := LoadWeights(filepath.Join(dir, train.ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Data.Dim != d || m.Cfg.Points != n {
		t.Fatalf("loaded dim %d points %d", cfg.Data.Dim, m.Cfg.Points)
	}
	ref := tinyEvalModel(t, d, n)
	for i, v := range ref.Params {
		if m.Params[i] != v {
			t.Fatalf("param %d: %g, want %g", i, m.Params[i], v)
		}
	}
}

// A run's checkpoint is read by LoadWeights as the model at that step, with
// the run's config.
func TestLoadWeightsCheckpoint(t *testing.T) {
	const d, n = 3, 7
	_, cfg := tinyRun(t, task.Spec{Class: "dense_linear"}, d, n)
	ref := tinyEvalModel(t, d, n)
	text, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	P := len(ref.Params)
	c := &train.Checkpoint{Step: 9, AdamStep: 9, Config: string(text),
		Params: ref.Params, M: make([]float32, P), V: make([]float32, P)}
	path := train.CheckpointPath(t.TempDir(), 9)
	if err := train.WriteCheckpoint(path, c); err != nil {
		t.Fatal(err)
	}
	m, got, err := LoadWeights(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != cfg.Name || got.Data != cfg.Data || m.Cfg != ref.Cfg {
		t.Fatalf("config %q %+v, model %+v; want %q %+v, %+v", got.Name, got.Data, m.Cfg, cfg.Name, cfg.Data, ref.Cfg)
	}
	for i, v := range ref.Params {
		if m.Params[i] != v {
			t.Fatalf("param %d: %g, want %g", i, m.Params[i], v)
		}
	}
}

func TestEvaluateRunWritesResultsAndFigures(t *testing.T) {
	const d, n = 2, 5
	spec := task.Spec{Class: "mixture", Of: []task.Spec{{Class: "dense_linear"}, {Class: "sparse_linear", K: 1}}}
	dir, _ := tinyRun(t, spec, d, n)
	var log bytes.Buffer
	res, err := EvaluateRun(dir, RunOptions{Prompts: 16, Boots: 20, MCSamples: 10, Progress: &log})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"pretrain", "class0", "class1"}
	for _, o := range OODSettings {
		names = append(names, o.Name)
	}
	if len(res.Settings) != len(names) {
		t.Fatalf("%d settings, want %d", len(res.Settings), len(names))
	}
	for i, s := range res.Settings {
		if s.Setting != names[i] || s.B != 16 || s.N != n || s.Curve(KeyRunModel) == nil {
			t.Errorf("setting %d: %s B=%d N=%d", i, s.Setting, s.B, s.N)
		}
	}
	// orthogonal queries exist only while the context does not span R^d.
	if c := res.Setting("orthogonal").Curve(KeyRunModel); math.IsNaN(c.Mean[1]) || !math.IsNaN(c.Mean[n-1]) {
		t.Errorf("orthogonal: %v", c.Mean)
	}
	for _, f := range []string{"results.json", "results.csv", "pretrain.svg", "pretrain.png", "repeat.svg"} {
		if _, err := os.Stat(filepath.Join(dir, "eval", f)); err != nil {
			t.Error(err)
		}
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "eval", "class1.svg"))
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("transformer")) || !bytes.Contains(svg, []byte("bayes_sparse_k=1")) {
		t.Error("class1.svg lacks the svg element or the expected series names")
	}
	png, _ := os.ReadFile(filepath.Join(dir, "eval", "class1.png"))
	if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Error("class1.png is not a PNG")
	}
}

// A config.yaml edited after training (here the task: a dense model's run
// relabelled sparse) is refused with the field named, rather than used to
// label the model's results.
func TestEvaluateRunRefusesEditedConfig(t *testing.T) {
	dir, cfg := tinyRun(t, task.Spec{Class: task.ClassDenseLinear}, 3, 5)
	edited := *cfg
	edited.Task = task.Spec{Class: task.ClassSparseLinear, K: 2}
	text, err := edited.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, train.ConfigFile), text, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = EvaluateRun(dir, RunOptions{Prompts: 8, Boots: 10, OutDir: t.TempDir()})
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte("does not match the training config")) ||
		!bytes.Contains([]byte(err.Error()), []byte("sparse_linear")) {
		t.Errorf("edited config.yaml: err %v, want a refusal naming the differing field", err)
	}
}
