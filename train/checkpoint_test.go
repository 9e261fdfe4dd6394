package train

import (
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"icl/gpt"
	"icl/safetensors"
)

func randomCheckpoint(step, n int) *Checkpoint {
	r := rand.New(rand.NewPCG(uint64(step), 1))
	c := &Checkpoint{Step: step, AdamStep: step + 3, WallS: 1.25, Config: "name: x\n",
		Params: make([]float32, n), M: make([]float32, n), V: make([]float32, n)}
	for i := 0; i < n; i++ {
		c.Params[i] = float32(r.NormFloat64())
		c.M[i] = float32(r.NormFloat64() * 1e-3)
		c.V[i] = float32(r.Float64() * 1e-6)
	}
	c.Params[0] = float32(math.Copysign(0, -1)) // bits, not values, must survive
	c.V[n-1] = math.SmallestNonzeroFloat32
	return c
}

func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

func TestResumeStep(t *testing.T) {
	dir := t.TempDir()
	if s := ResumeStep(dir); s != 0 {
		t.Errorf("no checkpoints: ResumeStep = %d, want 0", s)
	}
	if s := ResumeStep(filepath.Join(dir, "absent")); s != 0 {
		t.Errorf("no directory: ResumeStep = %d, want 0", s)
	}
	for _, step := range []int{900, 12000, 3000} {
		if err := os.WriteFile(CheckpointPath(dir, step), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "ckpt-99999999.safetensors.tmp"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if s := ResumeStep(dir); s != 12000 {
		t.Errorf("ResumeStep = %d, want the newest checkpoint's 12000", s)
	}
}

func TestCheckpointRoundTrip(t *testing.T) {
	dir := t.TempDir()
	c := randomCheckpoint(40, 1000)
	path := CheckpointPath(dir, 40)
	if filepath.Base(path) != "ckpt-00000040.safetensors" {
		t.Errorf("path %s", path)
	}
	if err := WriteCheckpoint(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(path, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if got.Step != 40 || got.AdamStep != 43 || got.WallS != 1.25 || got.Config != c.Config {
		t.Errorf("scalars: %+v", got)
	}
	if !sameBits(got.Params, c.Params) || !sameBits(got.M, c.M) || !sameBits(got.V, c.V) {
		t.Error("tensors differ in bits")
	}
	if _, err := ReadCheckpoint(path, 999); err == nil {
		t.Error("wrong parameter count accepted")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the checkpoint (no temporary files)", len(ents))
	}
}

// corrupt damages a file in one of several ways.
func corrupt(t *testing.T, path, how string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch how {
	case "flip": // one bit in the tensor data, near the end
		data[len(data)-10] ^= 0x04
	case "truncate":
		data = data[:len(data)/2]
	case "header":
		data[9] ^= 0xff
	case "empty":
		data = nil
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCheckpointCorruptFallsBack(t *testing.T) {
	for _, how := range []string{"flip", "truncate", "header", "empty"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			for _, s := range []int{10, 20, 30} {
				if err := WriteCheckpoint(CheckpointPath(dir, s), randomCheckpoint(s, 200)); err != nil {
					t.Fatal(err)
				}
			}
			if err := pruneCheckpoints(dir, 2, 0); err != nil {
				t.Fatal(err)
			}
			paths, _ := ListCheckpoints(dir)
			if len(paths) != 2 || filepath.Base(paths[0]) != "ckpt-00000030.safetensors" || filepath.Base(paths[1]) != "ckpt-00000020.safetensors" {
				t.Fatalf("after pruning: %v", paths)
			}
			corrupt(t, paths[0], how)
			var warnings []string
			c, path, err := LatestCheckpoint(dir, 200, func(s string) { warnings = append(warnings, s) })
			if err != nil {
				t.Fatal(err)
			}
			if c.Step != 20 || path != paths[1] {
				t.Errorf("used step %d from %s, want 20", c.Step, path)
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], "ckpt-00000030.safetensors") ||
				!strings.Contains(warnings[0], "corrupt") || !strings.Contains(warnings[0], "ckpt-00000020") {
				t.Errorf("warnings = %q", warnings)
			}
			// Both corrupt: an error, not a silent restart.
			corrupt(t, paths[1], how)
			_, _, err = LatestCheckpoint(dir, 200, nil)
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Errorf("all corrupt: err = %v, want a *CorruptError", err)
			}
		})
	}
}

func TestTruncateMetrics(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.jsonl")
	for _, tc := range []struct {
		name, in, want string
		kept           bool // the original is kept as .corrupt
	}{
		{"clean", `{"kind":"start","step":0}
{"kind":"train","step":10,"loss":1}
{"kind":"eval","step":20}
{"kind":"train","step":30,"loss":2}
`, `{"kind":"start","step":0}
{"kind":"train","step":10,"loss":1}
{"kind":"eval","step":20}
`, false},
		{"done dropped", `{"kind":"train","step":20,"loss":1}
{"kind":"done","step":20}
`, `{"kind":"train","step":20,"loss":1}
`, false},
		{"torn last line", `{"kind":"start","step":0}
{"kind":"train","step":4`, `{"kind":"start","step":0}
`, true},
		{"garbage line", `{"kind":"start","step":0}
not json at all
{"kind":"train","step":10,"loss":1}
`, `{"kind":"start","step":0}
{"kind":"train","step":10,"loss":1}
`, true},
		{"random bytes", "\x00\xff\x13garbage\x9c\n\x01", "", true},
	} {
		os.Remove(path + ".corrupt")
		if err := os.WriteFile(path, []byte(tc.in), 0o644); err != nil {
			t.Fatal(err)
		}
		var said []string
		if err := truncateMetrics(path, 20, func(s string) { said = append(said, s) }, nil); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		kept, err := os.ReadFile(path + ".corrupt")
		switch {
		case tc.kept && (err != nil || string(kept) != tc.in):
			t.Errorf("%s: the original is not kept as .corrupt (%v)", tc.name, err)
		case tc.kept && (len(said) != 1 || !strings.Contains(said[0], ".corrupt")):
			t.Errorf("%s: said %q; want one message naming the kept file", tc.name, said)
		case !tc.kept && (err == nil || len(said) > 0):
			t.Errorf("%s: kept a copy (%v) or said %q of a clean file", tc.name, err, said)
		}
	}
	// A second bad file does not overwrite the first copy.
	os.WriteFile(path, []byte("junk\n"), 0o644)
	if err := truncateMetrics(path, 20, func(string) {}, nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path + ".corrupt-2"); err != nil || string(b) != "junk\n" {
		t.Errorf("second copy: %q, %v", b, err)
	}
}

// TestTruncateMetricsLongLine checks that a line longer than any fixed buffer
// (70 MB; bufio.Scanner stopped at 64 MiB) is read.
func TestTruncateMetricsLongLine(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 70 MB")
	}
	path := filepath.Join(t.TempDir(), "m.jsonl")
	long := `{"kind":"train","step":10,"pad":"` + strings.Repeat("x", 70<<20) + `"}`
	in := `{"kind":"start","step":0}` + "\n" + long + "\n" + `{"kind":"train","step":30}` + "\n"
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := truncateMetrics(path, 20, func(s string) { t.Error(s) }, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if want := `{"kind":"start","step":0}` + "\n" + long + "\n"; string(got) != want {
		t.Errorf("got %d bytes, want %d", len(got), len(want))
	}
}

func TestCheckpointModel(t *testing.T) {
	cfg := tinyConfig(t)
	text, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	m, err := gpt.New(cfg.GPT())
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rand.New(rand.NewPCG(3, 4)))
	n := len(m.Params)
	c := randomCheckpoint(20, n)
	c.Config = string(text)
	copy(c.Params, m.Params)
	dir := t.TempDir()
	path := CheckpointPath(dir, 20)
	if err := WriteCheckpoint(path, c); err != nil {
		t.Fatal(err)
	}
	load := func(path string) (*gpt.Model, *Config, error) {
		f, err := safetensors.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return CheckpointModel(f, path)
	}
	got, gotCfg, err := load(path)
	if err != nil {
		t.Fatal(err)
	}
	if gotCfg.Name != cfg.Name || got.Cfg != cfg.GPT() {
		t.Errorf("name %q, model %+v; want %q, %+v", gotCfg.Name, got.Cfg, cfg.Name, cfg.GPT())
	}
	if !sameBits(got.Params, m.Params) {
		t.Error("parameters differ in bits")
	}

	// A checkpoint whose parameters do not fit its config's model is corrupt.
	c.Params, c.M, c.V = c.Params[:n-1], c.M[:n-1], c.V[:n-1]
	bad := CheckpointPath(dir, 21)
	if err := WriteCheckpoint(bad, c); err != nil {
		t.Fatal(err)
	}
	var ce *CorruptError
	if _, _, err := load(bad); !errors.As(err, &ce) || !strings.Contains(err.Error(), "parameters") {
		t.Errorf("short parameters: err = %v, want a *CorruptError naming the parameter count", err)
	}
}
