package train

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"icl/optim"
)

// TestResumeUnderChangedSteps moves a checkpoint into a run directory whose
// config.yaml differs from the checkpoint's in name, train.steps and
// decay_steps only, and checks that the resumed run ends with the weights of
// a run configured so from the start; configs that differ in anything else,
// or in the schedule, are refused with the differing field named.
func TestResumeUnderChangedSteps(t *testing.T) {
	cosine := func(name string, steps, decay int) *Config {
		c := tinyConfig(t)
		c.Name = name
		c.Train.Steps = steps
		c.Train.Schedule = optim.ScheduleConfig{Kind: optim.KindWarmupCosine, LR: 0.003, MinLR: 1e-4, WarmupSteps: 5, DecaySteps: decay}
		return c
	}
	cooled := func(name string, steps, decay, cool int) *Config {
		c := cosine(name, steps, decay)
		c.Train.Schedule.CooldownSteps = cool
		return c
	}
	train := func(c *Config) string {
		dir := t.TempDir()
		if _, err := Run(context.Background(), c, dir, Options{Progress: io.Discard}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	params := func(dir string) []float32 {
		m, _, err := LoadModel(filepath.Join(dir, ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		return m.Params
	}
	// adopt makes a run directory holding cfg as config.yaml and the
	// checkpoint of run from at step, and resumes it.
	adopt := func(cfg *Config, from string, step int) (string, string, error) {
		dir := t.TempDir()
		text, err := cfg.YAML()
		if err != nil {
			t.Fatal(err)
		}
		text = append([]byte("# edited by hand: comments do not count\n"), text...)
		if err := os.WriteFile(filepath.Join(dir, ConfigFile), text, 0o644); err != nil {
			t.Fatal(err)
		}
		ck, err := os.ReadFile(CheckpointPath(from, step))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(CheckpointPath(dir, step), ck, 0o644); err != nil {
			t.Fatal(err)
		}
		var log strings.Builder
		_, err = Resume(context.Background(), dir, Options{Progress: &log})
		return dir, log.String(), err
	}

	want := params(train(cosine("want", 50, 60)))           // 50 steps of a 60-step cosine
	wantCooled := params(train(cooled("want", 50, 60, 25))) // the same, cooled down from step 25
	short := train(cosine("short", 20, 60))                 // ends at 20 with a checkpoint there
	long := train(cosine("long", 60, 0))                    // keeps the checkpoints at 50 and 60

	if slices.Equal(want, wantCooled) {
		t.Fatal("the cooldown changed nothing")
	}
	for _, tc := range []struct {
		name string
		cfg  *Config
		from string
		step int
		want []float32
	}{
		{"extended from 20", cosine("renamed", 50, 60), short, 20, want},
		{"cut short at 50", cosine("renamed", 50, 60), long, 50, want},
		{"cooled down from 20", cooled("renamed", 50, 60, 25), short, 20, wantCooled},
	} {
		dir, log, err := adopt(tc.cfg, tc.from, tc.step)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.Contains(log, "continuing under config.yaml") {
			t.Errorf("%s: the log does not say the config changed: %q", tc.name, log)
		}
		if !IsDone(dir) || !slices.Equal(params(dir), tc.want) {
			t.Errorf("%s: weights differ from a run configured so from the start", tc.name)
		}
	}

	refused := []struct {
		name string
		cfg  *Config
		from string
		step int
		want []string
	}{
		{"schedule changes", cosine("x", 50, 0), short, 20, []string{"learning rate at step 6 ", "decay_steps"}},
		{"cooldown before the checkpoint", cooled("x", 50, 60, 35), short, 20, []string{"learning rate at step 16 ", "cooldown"}},
		{"past the end", cosine("x", 40, 60), long, 50, []string{"step 50", "train.steps = 40"}},
		{"other field", func() *Config { c := cosine("x", 50, 60); c.Seed = 8; return c }(), short, 20,
			[]string{`"seed: 7"`, `"seed: 8"`, "only name, train.steps"}},
	}
	for _, tc := range refused {
		_, _, err := adopt(tc.cfg, tc.from, tc.step)
		if err == nil {
			t.Errorf("%s: resumed", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not contain %q", tc.name, err, w)
			}
		}
	}
}
