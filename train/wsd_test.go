package train

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"icl/gpt"
	"icl/optim"
)

// A warmup_constant run keeps the checkpoints of every keep_checkpoints_every
// steps, and a cooldown branched from one of them (a new directory with the
// checkpoint and a config that differs in name, train.steps,
// keep_checkpoints_every and cooldown_steps) ends with the weights of a run
// configured so from the start: the budgets of a warmup-stable-decay
// schedule.
func TestWarmupStableDecayBranches(t *testing.T) {
	stable := func(name string, steps, cool, keep int) *Config {
		c := tinyConfig(t)
		c.Name, c.Train.Steps, c.KeepCheckpointsEvery = name, steps, keep
		c.Train.Schedule = optim.ScheduleConfig{Kind: optim.KindWarmupConstant, LR: 0.003, MinLR: 1e-4, WarmupSteps: 5, CooldownSteps: cool}
		return c
	}
	trunk := t.TempDir()
	if _, err := Run(context.Background(), stable("trunk", 60, 0, 20), trunk, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	var kept []int
	paths, _ := ListCheckpoints(trunk)
	for _, p := range paths {
		s, _ := ckptStepOf(p)
		kept = append(kept, s)
	}
	if want := []int{60, 50, 40, 20}; !slices.Equal(kept, want) { // the two newest, and the multiples of 20
		t.Errorf("checkpoints kept at steps %v, want %v", kept, want)
	}

	want := t.TempDir() // 40 steps, the last 8 a cooldown, from scratch
	if _, err := Run(context.Background(), stable("budget40", 40, 8, 0), want, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	branch := t.TempDir()
	text, err := stable("budget40", 40, 8, 0).YAML()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(branch, ConfigFile), text, 0o644); err != nil {
		t.Fatal(err)
	}
	ck, err := os.ReadFile(CheckpointPath(trunk, 20))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(CheckpointPath(branch, 20), ck, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Resume(context.Background(), branch, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	a, _, err := LoadModel(filepath.Join(branch, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := LoadModel(filepath.Join(want, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Params, b.Params) {
		t.Error("the cooldown branched from step 20 ends with other weights than the run configured so from the start")
	}
}

func ckptStepOf(path string) (int, bool) {
	items, err := checkpointFiles(filepath.Dir(path))
	if err != nil {
		return 0, false
	}
	for _, it := range items {
		if it.path == path {
			return it.step, true
		}
	}
	return 0, false
}

// A model file and its checkpoints record the numerics id they were trained
// under; a run resumed under another id says so and records both, in order.
func TestNumericsRecorded(t *testing.T) {
	for _, prec := range []string{"fp32", "bf16"} {
		t.Run(prec, func(t *testing.T) {
			c := tinyConfig(t)
			c.Train.Precision = prec
			dir := t.TempDir()
			if _, err := Run(context.Background(), c, dir, Options{Progress: io.Discard}); err != nil {
				t.Fatal(err)
			}
			p, _ := gpt.ParsePrecision(prec)
			id := gpt.NumericsID(p)
			if !strings.HasPrefix(id, prec) {
				t.Fatalf("NumericsID(%v) = %q", p, id)
			}
			_, meta, err := gpt.LoadFile(filepath.Join(dir, ModelFile))
			if err != nil {
				t.Fatal(err)
			}
			if meta[gpt.MetaNumerics] != id {
				t.Errorf("model file numerics %q, want %q", meta[gpt.MetaNumerics], id)
			}
			ck, err := ReadCheckpoint(CheckpointPath(dir, 60), -1)
			if err != nil {
				t.Fatal(err)
			}
			if ck.Numerics != id {
				t.Errorf("checkpoint numerics %q, want %q", ck.Numerics, id)
			}
		})
	}

	// A checkpoint of step 60 written under another id: the resumed run
	// says so and records both.
	log, got := resumeUnder(t, tinyConfig(t), "fp32.0")
	if !strings.Contains(log, "numerics fp32.0 and goes on under "+gpt.NumericsID(gpt.FP32)) {
		t.Errorf("the resumed run does not say its numerics changed: %q", log)
	}
	if want := "fp32.0," + gpt.NumericsID(gpt.FP32); got != want {
		t.Errorf("model numerics %q, want %q", got, want)
	}
}

// resumeUnder trains c to step 60, writes that checkpoint as if trained
// under numerics (as before ids were recorded when empty) into a run of 70
// steps, resumes it, and returns what it said and the numerics its model
// file records.
func resumeUnder(t *testing.T, c *Config, numerics string) (log, got string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := Run(context.Background(), c, dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	ck, err := ReadCheckpoint(CheckpointPath(dir, 60), -1)
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	text, _ := c.YAML()
	long := *c
	long.Train.Steps = 70
	ltext, _ := long.YAML()
	if err := os.WriteFile(filepath.Join(other, ConfigFile), ltext, 0o644); err != nil {
		t.Fatal(err)
	}
	ck.Numerics, ck.Config = numerics, string(text)
	path := CheckpointPath(other, 60)
	if err := WriteCheckpoint(path, ck); err != nil {
		t.Fatal(err)
	}
	if back, err := ReadCheckpoint(path, -1); err != nil || back.Numerics != numerics {
		t.Fatalf("a checkpoint written under numerics %q reads back as %q (err %v)", numerics, back.Numerics, err)
	}
	var b strings.Builder
	if _, err := Resume(context.Background(), other, Options{Progress: &b}); err != nil {
		t.Fatal(err)
	}
	_, meta, err := gpt.LoadFile(filepath.Join(other, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), meta[gpt.MetaNumerics]
}

// A checkpoint written before ids were recorded takes the legacy id of its
// own precision: a bf16 run resumed from one goes on under bf16's id, with no
// note and one id recorded, where reading it as float32 would record two.
func TestLegacyNumericsFollowPrecision(t *testing.T) {
	c := tinyConfig(t)
	c.Train.Precision = "bf16"
	log, got := resumeUnder(t, c, "")
	// Under the portable kernels bf16's id names them, and the resumed run
	// records both; under the amd64 ones it is the legacy id itself.
	legacy, now := gpt.LegacyNumerics(gpt.BF16), gpt.NumericsID(gpt.BF16)
	want, note := legacy, false
	if now != legacy {
		want, note = legacy+","+now, true
	}
	if said := strings.Contains(log, "numerics "+legacy+" and goes on under"); said != note {
		t.Errorf("note of changed numerics %v, want %v: %q", said, note, log)
	}
	if got != want {
		t.Errorf("model numerics %q, want %q", got, want)
	}
}

// A done file vouches for the model: a stray one (no model, or "{}") or one
// whose model was replaced is not taken for a completed run, and resuming
// says why instead of reporting the run complete.
func TestDoneVouchesForModel(t *testing.T) {
	dir := t.TempDir()
	if _, err := Run(context.Background(), tinyConfig(t), dir, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if err := CheckDone(dir); err != nil {
		t.Fatalf("a finished run: %v", err)
	}
	model := filepath.Join(dir, ModelFile)
	orig, _ := os.ReadFile(model)

	stray := t.TempDir()
	text, _ := tinyConfig(t).YAML()
	os.WriteFile(filepath.Join(stray, ConfigFile), text, 0o644)
	os.WriteFile(filepath.Join(stray, DoneFile), []byte("{}\n"), 0o644)
	other := t.TempDir()
	if _, err := Run(context.Background(), func() *Config { c := tinyConfig(t); c.Seed = 99; return c }(), other, Options{Progress: io.Discard}); err != nil {
		t.Fatal(err)
	}
	swapped, _ := os.ReadFile(filepath.Join(other, ModelFile))

	for _, tc := range []struct {
		name  string
		dir   string
		setup func()
		want  string
	}{
		{"stray {}", stray, func() {}, "does not record a completed run"},
		{"no model", dir, func() { os.Remove(model) }, "cannot be read"},
		{"model replaced", dir, func() { os.WriteFile(model, swapped, 0o644) }, "was changed after the run finished"},
	} {
		tc.setup()
		if IsDone(tc.dir) {
			t.Errorf("%s: IsDone", tc.name)
		}
		res, err := Resume(context.Background(), tc.dir, Options{Progress: io.Discard})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Resume = %+v, %v; want an error saying %q", tc.name, res, err, tc.want)
		}
		os.WriteFile(model, orig, 0o644)
	}
}
