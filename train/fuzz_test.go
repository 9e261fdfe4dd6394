package train

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"icl/gpt"
	"icl/safetensors"
)

// FuzzDecodeConfig decodes arbitrary YAML as a training config: it must not
// panic, and a config it accepts must be valid and survive its own YAML
// (config.yaml) unchanged.
func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte(tinyYAML))
	f.Add([]byte(strings.Replace(tinyYAML, "batch: 8", "batch: 0", 1)))
	f.Add([]byte(strings.Replace(tinyYAML, "layers: 1", "layers: 2.5", 1)))
	f.Add([]byte("train: {optimizer: {beta1: 0}}\n"))
	f.Add([]byte("a: &x {b: *x}\n"))
	for _, name := range PresetNames() {
		if c, err := Preset(name); err == nil {
			if y, err := c.YAML(); err == nil {
				f.Add(y)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted an invalid config: %v", err)
		}
		y, err := c.YAML()
		if err != nil {
			t.Fatalf("YAML of an accepted config: %v", err)
		}
		back, err := DecodeConfig(bytes.NewReader(y))
		if err != nil {
			t.Fatalf("the YAML of an accepted config does not decode: %v\n%s", err, y)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("round trip changed the config:\n%+v\n%+v", c, back)
		}
	})
}

// FuzzTruncateMetrics resumes arbitrary metrics files: no error but a write
// error, every line kept is a metrics line at or before the step and not
// "done", and a file with lines left out is kept whole beside it.
func FuzzTruncateMetrics(f *testing.F) {
	f.Add([]byte("{\"kind\":\"start\",\"step\":0}\n{\"kind\":\"train\",\"step\":10,\"loss\":1}\n{\"kind\":\"eval\",\"step\":20,\"loss\":1,\"loss_norm\":0.5,\"per_position\":[1,0.5]}\n{\"kind\":\"done\",\"step\":30}\n"), 20)
	f.Add([]byte("{\"kind\":\"train\",\"step\":4"), 10)
	f.Add([]byte("\x00\xff garbage\n\n{\"step\":1}\n"), 5)
	f.Fuzz(func(t *testing.T, data []byte, step int) {
		dir := t.TempDir()
		path := filepath.Join(dir, MetricsFile)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		said := 0
		if err := truncateMetrics(path, step, func(string) { said++ }, func(EvalLine) {}); err != nil {
			t.Fatal(err)
		}
		out, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
			if line == "" {
				continue
			}
			var head struct {
				Kind string `json:"kind"`
				Step *int   `json:"step"`
			}
			if json.Unmarshal([]byte(line), &head) != nil || head.Step == nil || *head.Step > step || head.Kind == "" || head.Kind == "done" {
				t.Fatalf("kept line %q (step %d)", line, step)
			}
		}
		kept, err := os.ReadFile(path + ".corrupt")
		if said > 0 && (err != nil || !bytes.Equal(kept, data)) {
			t.Fatalf("lines left out, but the original is not kept (%v)", err)
		}
		if said == 0 && err == nil {
			t.Fatal("a copy was kept without a word")
		}
	})
}

// FuzzModelFromFile loads arbitrary safetensors files as models: it must not
// panic nor allocate beyond the file's size, and a model it accepts has
// finite weights.
func FuzzModelFromFile(f *testing.F) {
	m, err := gpt.New(gpt.Config{Dim: 2, Points: 2, Layers: 1, Width: 4, Heads: 2})
	if err != nil {
		f.Fatal(err)
	}
	for i := range m.Params {
		m.Params[i] = float32(i%7) / 7
	}
	dir := f.TempDir()
	for _, meta := range []map[string]string{nil, {"train_config": "name: x\n", "step": "3"}} {
		p := filepath.Join(dir, "m.safetensors")
		if err := gpt.SaveFile(p, m, meta); err != nil {
			f.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := safetensors.Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		m, _, err := ModelFromFile(file, "fuzz.safetensors")
		if err != nil {
			return
		}
		if err := m.CheckFinite(); err != nil {
			t.Fatal(err)
		}
		if float64(len(m.Params)) > float64(len(data)) {
			t.Fatalf("%d parameters from %d bytes", len(m.Params), len(data))
		}
	})
}

// FuzzCheckDone reads arbitrary done files beside a real run's model: it
// must not panic, and it accepts only a done file that vouches for that
// model (a completed run's, or one recording the model's SHA-256 or, without
// one, the step the model was saved at).
func FuzzCheckDone(f *testing.F) {
	f.Add([]byte(`{"step":60,"wall_s":1,"eval_loss":1,"eval_loss_norm":0.5}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"step":60,"model_sha256":"00"}`))
	f.Add([]byte("\x00garbage"))
	dir := f.TempDir()
	if _, err := Run(context.Background(), tinyConfig(f), dir, Options{Progress: io.Discard}); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, DoneFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	mb, _ := os.ReadFile(filepath.Join(dir, ModelFile))
	sum := sha256.Sum256(mb)
	f.Fuzz(func(t *testing.T, data []byte) {
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, ModelFile), mb, 0o644)
		os.WriteFile(filepath.Join(d, DoneFile), data, 0o644)
		if CheckDone(d) != nil {
			return
		}
		var rec doneRecord
		if err := json.Unmarshal(data, &rec); err != nil || rec.Step < 1 {
			t.Fatalf("accepted %q, which records no completed run", data)
		}
		if rec.ModelSHA256 != "" && rec.ModelSHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("accepted %q, whose SHA-256 is not the model's", data)
		}
		if rec.ModelSHA256 == "" && rec.Step != 60 {
			t.Fatalf("accepted %q: the model was saved at step 60", data)
		}
	})
}
