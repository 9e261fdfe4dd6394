package experiment

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"icl/baseline"
	"icl/report"
	"icl/streamprobe"
	"icl/task"
	"icl/verdict"
)

func TestProbePositions(t *testing.T) {
	for _, c := range []struct {
		n, at int
		want  []int
	}{
		{17, 3, []int{0, 1, 2, 3, 4, 6, 8, 12, 16}},
		{11, 3, []int{0, 1, 2, 3, 4, 6, 8, 10}},
		{41, 3, []int{0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 40}},
		{17, 5, []int{0, 1, 2, 3, 4, 5, 6, 8, 12, 16}}, // the check position joins
		{3, 3, []int{0, 1, 2}},                         // clamped to N-1
		{1, 3, []int{0}},
	} {
		if got := probePositions(c.n, c.at); !slices.Equal(got, c.want) {
			t.Errorf("probePositions(%d, %d) = %v, want %v", c.n, c.at, got, c.want)
		}
	}
}

// checkGrid is a probe grid of one position whose layer l has accuracy
// accs[l] on B prompts (the first accs[l]*B right) and cross-validated loss
// cvs[l].
func checkGrid(name string, B int, accs, cvs []float64) *streamprobe.Grid {
	g := &streamprobe.Grid{Name: name, Pos: []int{3}}
	for l, a := range accs {
		c := streamprobe.Cell{Correct: make([]float64, B), CV: cvs[l], R2: math.NaN()}
		for q := range int(math.Round(a * float64(B))) {
			c.Correct[q] = 1
		}
		c.Acc = math.Round(a*float64(B)) / float64(B)
		g.Cells = append(g.Cells, []streamprobe.Cell{c})
	}
	return g
}

// E8's checks: the precondition on the Bayes classifier, (1) the best
// layer by cross-validation (not by held-out accuracy) against ratio x
// Bayes, and (2) against the random initialisation's best layer by more
// than margin, each decided by its paired interval.
func TestChecksE8(t *testing.T) {
	const B = 400
	e := &env{def: &Def{ID: "E8", Params: map[string]float64{"bayes_min": 0.75, "ratio": 0.9, "margin": 0.1}}, scale: &Scale{Boots: 400}}
	type want struct{ pass, inconclusive bool }
	held, failed, straddles := want{true, false}, want{false, false}, want{false, true}
	for _, c := range []struct {
		name          string
		bayes         float64
		accs, cvs     []float64 // the model's layers
		random        float64   // the random initialisation's (one layer)
		pre, one, two want
	}{
		{"represented", 1, []float64{0.5, 0.97}, []float64{0.7, 0.1}, 0.55, held, held, held},
		{"far below Bayes", 1, []float64{0.5, 0.8}, []float64{0.7, 0.1}, 0.55, held, failed, held},
		{"at 0.9 x Bayes", 1, []float64{0.5, 0.9}, []float64{0.7, 0.1}, 0.55, held, straddles, held},
		{"no better than random", 1, []float64{0.5, 0.97}, []float64{0.7, 0.1}, 0.97, held, held, failed},
		// The layer with the best held-out accuracy is not the one chosen on
		// the fitting set: the check judges the chosen one.
		{"best by cross-validation", 1, []float64{0.99, 0.8}, []float64{0.5, 0.3}, 0.55, held, failed, held},
		{"Bayes too weak", 0.6, []float64{0.5, 0.6}, []float64{0.7, 0.1}, 0.5, failed, held, straddles},
	} {
		bayes := checkGrid("bayes", B, []float64{c.bayes}, []float64{0}).Cells[0][0].Correct
		g := checkGrid("model", B, c.accs, c.cvs)
		rg := checkGrid("random initialisation", B, []float64{c.random}, []float64{0})
		cs := e.checksE8(g, rg, [][]float64{bayes}, 0)
		if len(cs) != 3 || !cs[0].Precondition || cs[1].Precondition || cs[2].Precondition {
			t.Fatalf("%s: checks %+v", c.name, cs)
		}
		for k, w := range []want{c.pre, c.one, c.two} {
			if cs[k].Pass != w.pass || cs[k].Inconclusive != w.inconclusive {
				t.Errorf("%s: %s: pass %v inconclusive %v (%s); want %v %v", c.name, cs[k].Name, cs[k].Pass, cs[k].Inconclusive, cs[k].Detail, w.pass, w.inconclusive)
			}
		}
	}
}

// E8 on models trained a few steps at MicroScale runs end to end: its
// checks (a precondition and two claims) for the mixture and for the
// dense-only control, its tables and figures, written; and EstimateCost
// times it.
func TestE8Micro(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 2 tiny runs")
	}
	d, err := LoadDef("E8")
	if err != nil {
		t.Fatal(err)
	}
	models := microModels(t, d, t.TempDir())
	o, err := Analyze(d, MicroScale(), models, AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, cs := range [][]verdict.Check{o.Checks, o.Control.Checks} {
		if len(cs) != 3 || !cs[0].Precondition || verdict.Count(cs).Claims != 2 {
			t.Fatalf("checks %+v", cs)
		}
		for _, c := range cs {
			if c.Detail == "" || strings.Contains(c.Detail, "NaN") {
				t.Errorf("check %q: detail %q", c.Name, c.Detail)
			}
		}
	}
	if !slices.Contains([]string{report.Supported, report.Partly, report.NotAtScale, report.NotTestable}, o.Verdict) {
		t.Errorf("verdict %q", o.Verdict)
	}
	layers := models["mixture"].M.Cfg.Layers + 1
	pos := probePositions(models["mixture"].Cfg.Data.Points, 3)
	if len(o.Tables) != 4 {
		t.Fatalf("%d tables, want 4", len(o.Tables))
	}
	if n := len(o.Tables[0].Rows); n != layers+1 {
		t.Errorf("layer table: %d rows, want %d layers and the Bayes classifier", n, layers)
	}
	for k, want := range []int{3*layers + 1, 3 * layers, 3 * layers} {
		tb := o.Tables[k+1]
		if len(tb.Rows) != want || len(tb.Header) != 2+len(pos) {
			t.Errorf("table %q: %d rows, %d columns; want %d, %d", tb.Caption, len(tb.Rows), len(tb.Header), want, 2+len(pos))
		}
	}
	// The R^2 at position 0 (no context: the posterior is the prior) is n/a;
	// every accuracy lies in [0, 1].
	for k, want := range map[int]string{2: "n/a", 3: "n/a / n/a"} {
		for _, row := range o.Tables[k].Rows {
			if row[2] != want {
				t.Errorf("table %d: R^2 at position 0: %q, want %q", k, row[2], want)
			}
		}
	}
	for _, row := range o.Tables[1].Rows {
		for _, s := range row[2:] {
			var v float64
			if err := json.Unmarshal([]byte(s), &v); err != nil || v < 0 || v > 1 {
				t.Errorf("accuracy %q", s)
			}
		}
	}
	var names []string
	for _, f := range d.Figures {
		names = append(names, f.Name)
	}
	var got []string
	for _, f := range o.Figures {
		got = append(got, f.Name)
		if f.Caption == "" {
			t.Errorf("figure %s: no caption", f.Name)
		}
	}
	if !slices.Equal(got, names) {
		t.Errorf("figures %v, want those of e8.yaml %v", got, names)
	}
	for _, f := range o.Figures { // each draws (reproduce writes them)
		for _, format := range []string{"svg", "png"} {
			if _, err := f.F.Render(format); err != nil {
				t.Errorf("figure %s: %v", f.Name, err)
			}
		}
	}
	if est, err := EstimateCost(d, MicroScale(), models, AnalyzeOptions{}); err != nil || est <= 0 {
		t.Errorf("EstimateCost: %v, %v", est, err)
	}
}

// probeSet's targets: each prompt's class, the posterior of the sparse
// class, and, on the sparse class's prompts alone, each class's own Bayes
// prediction in the order of the mixture's components. Checked against what
// each class alone implies: with d = 4 and no noise, after 2 points a
// 1-sparse prompt's y is known to the sparse class and not to the dense one;
// after 6 points the Bayes classifier is right.
func TestProbeSetTargets(t *testing.T) {
	const B, N, D = 64, 7, 4
	spec := task.Spec{Class: task.ClassMixture, Of: []task.Spec{{Class: task.ClassDenseLinear}, {Class: task.ClassSparseLinear, K: 1}}, Weights: []float64{0.5, 0.5}}
	c, err := spec.Build(D)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := baseline.Exact(c, baseline.DefaultJitter)
	bm := ev.(*baseline.BayesMixture)
	pos := []int{0, 2, 6}
	b, tg, post := probeSet(c, bm, []string{"dense", "sparse"}, 1, B, N, pos, 5)
	if len(tg.Pred) != 2 || len(tg.Pred[0]) != len(pos) || len(post) != B*N {
		t.Fatalf("targets of shape %d x %d, posterior %d", len(tg.Pred), len(tg.Pred[0]), len(post))
	}
	exact := func(pred, y float64) bool { return math.Abs(pred-y) <= 1e-6*(1+math.Abs(y)) }
	var classes [2]int
	for q := range B {
		k := b.Class[q]
		classes[k]++
		if tg.Class[q] != float64(k) {
			t.Fatalf("prompt %d of class %d has label %g", q, k, tg.Class[q])
		}
		if p := tg.Post[2][q]; (p > 0.5) != (k == 1) {
			t.Errorf("prompt %d (class %d): p(sparse) %g at 6 points", q, k, p)
		}
		if k == 0 {
			for j := range pos {
				if !math.IsNaN(tg.Pred[0][j][q]) || !math.IsNaN(tg.Pred[1][j][q]) {
					t.Errorf("dense prompt %d at %d points: prediction targets %g, %g, want NaN (left out)", q, pos[j], tg.Pred[0][j][q], tg.Pred[1][j][q])
				}
			}
			continue
		}
		y := b.Ys[q*N+2]
		if sp, de := tg.Pred[1][1][q], tg.Pred[0][1][q]; !exact(sp, y) || exact(de, y) {
			t.Errorf("sparse prompt %d at 2 points: y %g, the sparse class predicts %g, the dense one %g", q, y, sp, de)
		}
		if tg.Pred[0][0][q] != 0 || tg.Pred[1][0][q] != 0 {
			t.Errorf("prompt %d: predictions with no context %g, %g; want the prior mean 0", q, tg.Pred[0][0][q], tg.Pred[1][0][q])
		}
	}
	if classes[0] == 0 || classes[1] == 0 {
		t.Fatalf("prompts of each class: %v", classes)
	}
}
