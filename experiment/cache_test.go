package experiment

import (
	"context"
	"encoding/json"
	"io"
	"reflect"
	"testing"
)

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
		runs, err := Plan([]*Def{d}, microScale(), out)
		if err != nil {
			t.Fatal(err)
		}
		if err := trainRuns(context.Background(), runs, 2, newDisplay(io.Discard, false, true, 0, runs)); err != nil {
			t.Fatal(err)
		}
		ec := &evalCache{dir: t.TempDir(), commit: "test"}
		logf := func(string, ...any) {}
		first, err := runExperiment(d, microScale(), runs, map[string]*model{}, ec, t.TempDir(), 0, logf)
		if err != nil {
			t.Fatal(err)
		}
		if ec.hits != 0 || ec.misses == 0 {
			t.Fatalf("%s first run: %d hits, %d misses", id, ec.hits, ec.misses)
		}
		misses := ec.misses
		second, err := runExperiment(d, microScale(), runs, map[string]*model{}, ec, t.TempDir(), 0, logf)
		if err != nil {
			t.Fatal(err)
		}
		if ec.misses != misses || ec.hits != misses {
			t.Errorf("%s second run: %d hits, %d more misses; want all %d from the cache", id, ec.hits, ec.misses-misses, misses)
		}
		a, _ := json.Marshal([]any{first.Checks, first.Tables, first.Results, first.Selections})
		b, _ := json.Marshal([]any{second.Checks, second.Tables, second.Results, second.Selections})
		if string(a) != string(b) || !reflect.DeepEqual(first.Verdict, second.Verdict) {
			t.Errorf("%s: the cached analysis differs from the computed one", id)
		}
		// Another model file (another SHA-256): evaluated again.
		models := map[string]*model{}
		if _, err := runExperiment(d, microScale(), runs, models, nil, t.TempDir(), 0, logf); err != nil {
			t.Fatal(err)
		}
		for _, m := range models {
			m.sha256 = "another"
		}
		hits := ec.hits
		if _, err := runExperiment(d, microScale(), runs, models, ec, t.TempDir(), 0, logf); err != nil {
			t.Fatal(err)
		}
		if ec.hits != hits {
			t.Errorf("%s: models with other files were read from the cache (%d hits)", id, ec.hits-hits)
		}
	}
}
