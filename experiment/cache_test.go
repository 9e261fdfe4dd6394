package experiment

import (
	"context"
	"encoding/json"
	"icl/evalcache"
	"icl/gpt"
	"icl/train"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// microModels trains d's runs at MicroScale into dir (one per distinct
// config) and loads them by role.
func microModels(t *testing.T, d *Def, dir string) map[string]*Model {
	t.Helper()
	models := map[string]*Model{}
	byName := map[string]*Model{}
	for i := range d.Runs {
		cfg, err := RunConfig(d, &d.Runs[i], MicroScale())
		if err != nil {
			t.Fatal(err)
		}
		if m := byName[cfg.Name]; m != nil {
			models[d.Runs[i].Role] = m
			continue
		}
		run := filepath.Join(dir, filepath.FromSlash(cfg.Name))
		if !train.IsDone(run) { // another experiment's run of the same name and config
			if _, err := train.Run(context.Background(), cfg, run, train.Options{Quiet: true}); err != nil {
				t.Fatal(err)
			}
		}
		gm, _, err := gpt.LoadFile(filepath.Join(run, train.ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		m := &Model{Run: cfg.Name, Cfg: cfg, M: gm, SHA256: cfg.Name}
		byName[cfg.Name], models[d.Runs[i].Role] = m, m
	}
	return models
}

// A second analysis of the same models with the evaluation cache reads every
// evaluation from it and gives the same checks, tables and results to the
// bit; a model whose file changed is evaluated again.
func TestEvalCache(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 3 tiny runs")
	}
	out := t.TempDir()
	for _, id := range []string{"E1", "MS"} {
		d, err := LoadDef(id)
		if err != nil {
			t.Fatal(err)
		}
		models := microModels(t, d, out)
		ec := evalcache.Open(t.TempDir(), "test")
		first, err := Analyze(d, MicroScale(), models, AnalyzeOptions{Cache: ec})
		if err != nil {
			t.Fatal(err)
		}
		if ec.Hits != 0 || ec.Misses == 0 {
			t.Fatalf("%s first run: %d hits, %d misses", id, ec.Hits, ec.Misses)
		}
		misses := ec.Misses
		second, err := Analyze(d, MicroScale(), models, AnalyzeOptions{Cache: ec})
		if err != nil {
			t.Fatal(err)
		}
		if ec.Misses != misses || ec.Hits != misses {
			t.Errorf("%s second run: %d hits, %d more misses; want all %d from the cache", id, ec.Hits, ec.Misses-misses, misses)
		}
		a, _ := json.Marshal([]any{first.Checks, first.Tables, first.Results, first.Selections})
		b, _ := json.Marshal([]any{second.Checks, second.Tables, second.Results, second.Selections})
		if string(a) != string(b) || !reflect.DeepEqual(first.Verdict, second.Verdict) {
			t.Errorf("%s: the cached analysis differs from the computed one", id)
		}
		// Another model file (another SHA-256): evaluated again.
		other := map[string]*Model{}
		for role, m := range models {
			c := *m
			c.SHA256 = "another"
			other[role] = &c
		}
		hits := ec.Hits
		if _, err := Analyze(d, MicroScale(), other, AnalyzeOptions{Cache: ec}); err != nil {
			t.Fatal(err)
		}
		if ec.Hits != hits {
			t.Errorf("%s: models with other files were read from the cache (%d hits)", id, ec.Hits-hits)
		}
	}
}

// EstimateCost times each evaluation setting on a few prompts and scales it
// to the scale's prompts: a prediction of the order of the analysis's own
// time, and nothing for settings the cache holds in full.
func TestEstimateCost(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 3 tiny runs")
	}
	d, err := LoadDef("E1")
	if err != nil {
		t.Fatal(err)
	}
	models := microModels(t, d, t.TempDir())
	ec := evalcache.Open(t.TempDir(), "test")
	est, err := EstimateCost(d, MicroScale(), models, AnalyzeOptions{Cache: ec})
	if err != nil {
		t.Fatal(err)
	}
	if est <= 0 || ec.Hits+ec.Misses != 0 {
		t.Fatalf("estimate %v (cache %d hits, %d misses: the estimate reads and writes nothing)", est, ec.Hits, ec.Misses)
	}
	t0 := time.Now()
	if _, err := Analyze(d, MicroScale(), models, AnalyzeOptions{Cache: ec}); err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	// MicroScale has 48 prompts a setting: the estimate times 16 and
	// scales by 3; fixed costs make it rough, not 10 times off.
	if est > 10*took+time.Second || 10*est < took {
		t.Errorf("estimate %v, analysis took %v", est, took)
	}
	if est, err = EstimateCost(d, MicroScale(), models, AnalyzeOptions{Cache: ec}); err != nil || est != 0 {
		t.Errorf("with every setting cached: estimate %v (%v), want 0", est, err)
	}
}
