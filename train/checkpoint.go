package train

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"icl/gpt"
	"icl/safetensors"
)

// Checkpoint file format, in safetensors: tensors "params", "adam.m", "adam.v" (flat,
// float32, the model's parameter order) and metadata keys below. The checksum is the
// SHA-256 of the metadata (every key but "checksum", sorted, as key=value lines)
// followed by the three tensors' float32 bits, little-endian.
const (
	ckptFormat  = "icl-train-checkpoint"
	ckptVersion = "1"

	metaFormat   = "format"
	metaVersion  = "version"
	metaStep     = "step"
	metaAdamStep = "adam_step"
	metaWall     = "wall_s"
	metaConfig   = "config"
	metaChecksum = "checksum"
	metaNumerics = gpt.MetaNumerics
	metaWinLoss  = "window_loss"
	metaWinSteps = "window_steps"

	tensorParams = "params"
	tensorM      = "adam.m"
	tensorV      = "adam.v"
)

// Checkpoint is the whole training state after Step updates.
type Checkpoint struct {
	Step     int       // completed updates
	AdamStep int       // the optimizer's step counter (bias correction)
	WallS    float64   // training wall time so far, seconds (not part of the trajectory)
	Config   string    // the resolved config, YAML
	Params   []float32 // (P)
	M, V     []float32 // Adam moments, (P)
	// Numerics lists the numerics ids (gpt.NumericsID) the steps so far
	// ran under, in order, comma-separated: one id unless the run was
	// resumed under other kernels. Empty in a checkpoint written before ids
	// were recorded: the run's precision says which (gpt.LegacyNumerics).
	Numerics string
	// WindowLoss is the sum of the training losses of the WindowSteps steps
	// since the last logged train line (0, 0 in older checkpoints).
	WindowLoss  float64
	WindowSteps int
}

// CorruptError reports a checkpoint that cannot be used.
type CorruptError struct {
	Path   string
	Reason string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("checkpoint %s is corrupt: %s", e.Path, e.Reason)
}

var ckptName = regexp.MustCompile(`^ckpt-(\d+)\.safetensors$`)

// CheckpointPath returns the file name of the checkpoint after step updates.
func CheckpointPath(dir string, step int) string {
	return filepath.Join(dir, fmt.Sprintf("ckpt-%08d.safetensors", step))
}

// ListCheckpoints returns dir's checkpoint files, newest (highest step) first.
func ListCheckpoints(dir string) ([]string, error) {
	items, err := checkpointFiles(dir)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.path
	}
	return out, nil
}

// ResumeStep is the step of dir's newest checkpoint file, where Resume
// starts (earlier only when that file fails to verify); 0 when dir has none.
func ResumeStep(dir string) int {
	items, err := checkpointFiles(dir)
	if err != nil || len(items) == 0 {
		return 0
	}
	return items[0].step
}

type checkpointFile struct {
	step int
	path string
}

// checkpointFiles returns dir's checkpoint files with the steps their names
// give, newest first.
func checkpointFiles(dir string) ([]checkpointFile, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var items []checkpointFile
	for _, e := range ents {
		m := ckptName.FindStringSubmatch(e.Name())
		if m == nil || !e.Type().IsRegular() {
			continue
		}
		s, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		items = append(items, checkpointFile{s, filepath.Join(dir, e.Name())})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].step > items[j].step })
	return items, nil
}

func (c *Checkpoint) meta() map[string]string {
	m := map[string]string{
		metaFormat:   ckptFormat,
		metaVersion:  ckptVersion,
		metaStep:     strconv.Itoa(c.Step),
		metaAdamStep: strconv.Itoa(c.AdamStep),
		metaWall:     strconv.FormatFloat(c.WallS, 'g', -1, 64),
		metaConfig:   c.Config,
		metaNumerics: c.Numerics,
		metaWinLoss:  strconv.FormatFloat(c.WindowLoss, 'g', -1, 64),
		metaWinSteps: strconv.Itoa(c.WindowSteps),
	}
	if c.Numerics == "" {
		delete(m, metaNumerics) // as a checkpoint written before ids were recorded
	}
	return m
}

// checksum hashes meta (without the checksum key) and the tensors.
func checksum(meta map[string]string, tensors ...[]float32) string {
	h := sha256.New()
	safetensors.HashMeta(h, meta, metaChecksum)
	for _, t := range tensors {
		fmt.Fprintf(h, "tensor %d\n", len(t))
		safetensors.HashFloat32s(h, t)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WriteCheckpoint writes c to path atomically (temporary file, fsync, rename,
// directory fsync).
func WriteCheckpoint(path string, c *Checkpoint) error {
	if len(c.M) != len(c.Params) || len(c.V) != len(c.Params) {
		panic("train: checkpoint moments and params differ in length")
	}
	meta := c.meta()
	meta[metaChecksum] = checksum(meta, c.Params, c.M, c.V)
	ts := []safetensors.Tensor{
		{Name: tensorParams, Shape: []int{len(c.Params)}, Data: c.Params},
		{Name: tensorM, Shape: []int{len(c.M)}, Data: c.M},
		{Name: tensorV, Shape: []int{len(c.V)}, Data: c.V},
	}
	// WriteFile is atomic: temporary file, fsync, rename, directory fsync.
	if err := safetensors.WriteFile(path, ts, meta); err != nil {
		return fmt.Errorf("writing checkpoint: %w", err)
	}
	return nil
}

// ReadCheckpoint reads and verifies a checkpoint. A file that cannot be parsed,
// lacks a field, or fails its checksum gives a *CorruptError. If nParams >= 0
// the tensors must have that length.
func ReadCheckpoint(path string, nParams int) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		return nil, &CorruptError{path, err.Error()}
	}
	return decodeCheckpoint(f, path, nParams)
}

// decodeCheckpoint is ReadCheckpoint for a file already read.
func decodeCheckpoint(f *safetensors.File, path string, nParams int) (*Checkpoint, error) {
	var err error
	bad := func(format string, args ...any) error {
		return &CorruptError{path, fmt.Sprintf(format, args...)}
	}
	meta := f.Meta
	if meta[metaFormat] != ckptFormat {
		return nil, bad("format %q, want %q", meta[metaFormat], ckptFormat)
	}
	if meta[metaVersion] != ckptVersion {
		return nil, bad("version %q, want %q", meta[metaVersion], ckptVersion)
	}
	get := func(name string) ([]float32, error) {
		for i := range f.Tensors {
			t := &f.Tensors[i]
			if t.Name != name {
				continue
			}
			if len(t.Shape) != 1 || t.Shape[0] != len(t.Data) {
				return nil, bad("tensor %s has shape %v", name, t.Shape)
			}
			if nParams >= 0 && len(t.Data) != nParams {
				return nil, bad("tensor %s has %d values, the model has %d parameters", name, len(t.Data), nParams)
			}
			return t.Data, nil
		}
		return nil, bad("tensor %s missing", name)
	}
	c := &Checkpoint{Config: meta[metaConfig], Numerics: meta[metaNumerics]}
	if c.Params, err = get(tensorParams); err != nil {
		return nil, err
	}
	if c.M, err = get(tensorM); err != nil {
		return nil, err
	}
	if c.V, err = get(tensorV); err != nil {
		return nil, err
	}
	if len(c.M) != len(c.Params) || len(c.V) != len(c.Params) {
		return nil, bad("tensor lengths differ: %d, %d, %d", len(c.Params), len(c.M), len(c.V))
	}
	if sum := checksum(meta, c.Params, c.M, c.V); sum != meta[metaChecksum] {
		return nil, bad("checksum mismatch (stored %.12s..., computed %.12s...)", meta[metaChecksum], sum)
	}
	if c.Step, err = strconv.Atoi(meta[metaStep]); err != nil || c.Step < 0 {
		return nil, bad("step %q", meta[metaStep])
	}
	if c.AdamStep, err = strconv.Atoi(meta[metaAdamStep]); err != nil || c.AdamStep < 0 {
		return nil, bad("adam_step %q", meta[metaAdamStep])
	}
	if c.WallS, err = strconv.ParseFloat(meta[metaWall], 64); err != nil {
		return nil, bad("wall_s %q", meta[metaWall])
	}
	if v, ok := meta[metaWinLoss]; ok {
		if c.WindowLoss, err = strconv.ParseFloat(v, 64); err != nil || math.IsNaN(c.WindowLoss) || math.IsInf(c.WindowLoss, 0) {
			return nil, bad("window_loss %q", v)
		}
	}
	if v, ok := meta[metaWinSteps]; ok {
		if c.WindowSteps, err = strconv.Atoi(v); err != nil || c.WindowSteps < 0 {
			return nil, bad("window_steps %q", v)
		}
	}
	return c, nil
}

// LatestCheckpoint returns the newest valid checkpoint in dir, or nil if dir has
// none. Each corrupt newer checkpoint is reported through warn (naming the file
// and the reason) and skipped. If every checkpoint is corrupt it returns an error.
func LatestCheckpoint(dir string, nParams int, warn func(string)) (*Checkpoint, string, error) {
	paths, err := ListCheckpoints(dir)
	if err != nil {
		return nil, "", err
	}
	var firstErr error
	for i, p := range paths {
		c, err := ReadCheckpoint(p, nParams)
		if err == nil {
			return c, p, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if warn != nil {
			next := "no older checkpoint left"
			if i+1 < len(paths) {
				next = "trying the previous one, " + filepath.Base(paths[i+1])
			}
			warn(fmt.Sprintf("warning: %v; %s", err, next))
		}
	}
	if firstErr != nil {
		return nil, "", fmt.Errorf("no usable checkpoint in %s: %w", dir, firstErr)
	}
	return nil, "", nil
}

// pruneCheckpoints deletes all but the keep newest checkpoints in dir, except
// those of steps that are multiples of every (where every > 0).
func pruneCheckpoints(dir string, keep, every int) error {
	items, err := checkpointFiles(dir)
	if err != nil {
		return err
	}
	for _, it := range items[min(keep, len(items)):] {
		if every > 0 && it.step%every == 0 {
			continue
		}
		if err := os.Remove(it.path); err != nil {
			return err
		}
	}
	return nil
}

// CheckpointFormat is the "format" metadata value of a training checkpoint
// (ckpt-*.safetensors in a run directory).
const CheckpointFormat = ckptFormat

// CheckpointModel returns the model with the parameters a checkpoint file
// (already read; path names it in errors) holds and the run's config stored in
// it, so that an intermediate or interrupted run can be evaluated. The
// checkpoint is verified as for resuming (*CorruptError otherwise).
func CheckpointModel(f *safetensors.File, path string) (*gpt.Model, *Config, error) {
	c, err := decodeCheckpoint(f, path, -1)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := DecodeConfig(strings.NewReader(c.Config))
	if err != nil {
		return nil, nil, &CorruptError{path, "stored config: " + err.Error()}
	}
	// Compared before the model is made, so that a stored config cannot make
	// it allocate more than the file holds.
	if want := cfg.GPT().Size(); float64(len(c.Params)) != want {
		return nil, nil, &CorruptError{path, fmt.Sprintf("%d parameters, its config's model has %.0f", len(c.Params), want)}
	}
	m, err := gpt.New(cfg.GPT())
	if err != nil {
		return nil, nil, &CorruptError{path, "stored config: " + err.Error()}
	}
	copy(m.Params, c.Params)
	return m, cfg, nil
}

// LoadModel reads a model file (a run's model.safetensors) or a training
// checkpoint (the weights at its step). cfg is the run's config where the file
// carries one: always for a checkpoint, in the "train_config" metadata for a
// model file; nil for a model file without it (weights converted from elsewhere).
func LoadModel(path string) (m *gpt.Model, cfg *Config, err error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return ModelFromFile(f, path)
}

// ModelFromFile is LoadModel for a file already read; path names it in errors.
// A model file's metadata must agree with itself: the model's "config" with
// the "train_config"'s data and model sections, and "step" with its
// train.steps.
func ModelFromFile(f *safetensors.File, path string) (m *gpt.Model, cfg *Config, err error) {
	if f.Meta["format"] == CheckpointFormat {
		if m, cfg, err = CheckpointModel(f, path); err != nil {
			return nil, nil, err
		}
		if err := m.CheckFinite(); err != nil {
			return nil, nil, &CorruptError{path, err.Error()}
		}
		return m, cfg, nil
	}
	m, meta, err := gpt.FromFile(f, path)
	if err != nil {
		return nil, nil, err
	}
	text, ok := meta["train_config"]
	if !ok {
		return m, nil, nil
	}
	if cfg, err = DecodeConfig(strings.NewReader(text)); err != nil {
		return nil, nil, fmt.Errorf("%s: train_config: %w", path, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: the metadata contradicts itself: %s", path, fmt.Sprintf(format, args...))
	}
	a, b := m.Cfg, cfg.GPT()
	for _, f := range []struct {
		json, yaml string
		a, b       int
	}{
		{"n_dims", "data.dim", a.Dim, b.Dim}, {"n_points", "data.points", a.Points, b.Points},
		{"n_layer", "model.layers", a.Layers, b.Layers}, {"n_embd", "model.width", a.Width, b.Width},
		{"n_head", "model.heads", a.Heads, b.Heads},
	} {
		if f.a != f.b {
			return nil, nil, bad("\"config\" has %s %d, \"train_config\" has %s %d", f.json, f.a, f.yaml, f.b)
		}
	}
	if s, ok := meta["step"]; ok {
		if n, err := strconv.Atoi(s); err != nil || n != cfg.Train.Steps {
			return nil, nil, bad("\"step\" is %q, \"train_config\" has train.steps %d", s, cfg.Train.Steps)
		}
	}
	return m, cfg, nil
}
