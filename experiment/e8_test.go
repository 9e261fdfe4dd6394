package experiment

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"icl/gpt"
	"icl/prompt"
	"icl/report"
	"icl/rng"
	"icl/task"
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

// synthStreams is B prompts' streams at 3 layers and positions {0, 1}, C = 6
// features: layers 0 and 2 are standard normal noise; layer 1 holds the
// class (+-1 in feature 2, under noise of sd 0.3) and, in feature 3, a
// variable that the posterior target at position 1 is linear in.
func synthStreams(r *rand.Rand, B int) (*streams, probeTargets) {
	const L1, C = 3, 6
	pos := []int{0, 1}
	s := &streams{layers: L1, B: B, C: C, pos: pos, x: make([]float32, L1*len(pos)*B*C)}
	t := probeTargets{class: make([]float64, B), post: [][]float64{make([]float64, B), make([]float64, B)}}
	for q := range B {
		t.class[q] = float64(r.IntN(2))
	}
	for l := range L1 {
		for j := range pos {
			for q := range B {
				row := s.x[((l*len(pos)+j)*B+q)*C:][:C]
				for c := range row {
					row[c] = float32(r.NormFloat64())
				}
				if l == 1 {
					row[2] = float32(2*t.class[q]-1) + 0.3*row[2]
					if j == 1 {
						t.post[1][q] = 0.5 + 0.1*float64(row[3]) + 0.01*r.NormFloat64()
					}
				}
			}
		}
	}
	for q := range B {
		t.post[0][q] = 0.5 // no context: the prior
	}
	return s, t
}

// The probe grid finds a class that one layer encodes linearly (accuracy
// about 1, and that layer is the best by cross-validation) and nothing in
// noise (accuracy about 1/2: 4 standard errors at 400 held-out prompts);
// the posterior probe's R^2 is about 1 where the posterior is linear in the
// stream, about 0 on noise, and NaN where the posterior does not vary. The
// result does not depend on the number of goroutines.
func TestFitProbesSynthetic(t *testing.T) {
	const B = 400
	r := rand.New(rand.NewPCG(8, 8))
	fs, ft := synthStreams(r, B)
	ts, tt := synthStreams(r, B)
	g, err := fitProbes("synthetic", fs, ts, ft, tt, 3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for j, p := range g.pos {
		for l := range g.cells {
			c := g.cells[l][j]
			lo, hi := 0.4, 0.6
			if l == 1 {
				lo, hi = 0.97, 1
			}
			if c.acc < lo || c.acc > hi || c.acc != mean(c.correct) {
				t.Errorf("layer %d, position %d: accuracy %.3f (mean of correct %.3f), want in [%g, %g]", l, p, c.acc, mean(c.correct), lo, hi)
			}
			switch {
			case p == 0:
				if !math.IsNaN(c.r2) {
					t.Errorf("layer %d, position 0: R^2 %g of a constant posterior, want NaN", l, c.r2)
				}
			case l == 1 && c.r2 < 0.95:
				t.Errorf("layer 1, position 1: R^2 %.3f, want >= 0.95", c.r2)
			case l != 1 && c.r2 > 0.05:
				t.Errorf("layer %d, position 1: R^2 %.3f on noise, want <= 0.05", l, c.r2)
			}
		}
		if b := g.best(j); b != 1 {
			t.Errorf("position %d: best layer %d, want 1", p, b)
		}
	}
	one, err := fitProbes("synthetic", fs, ts, ft, tt, 3, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(flatCells(g))
	b, _ := json.Marshal(flatCells(one))
	if string(a) != string(b) {
		t.Error("1 and 2 goroutines give different probes")
	}
}

func flatCells(g *probeGrid) []any {
	var out []any
	for _, cs := range g.cells {
		for _, c := range cs {
			out = append(out, c.correct, c.acc, c.cv, math.Float64bits(c.r2))
		}
	}
	return out
}

// The streams captured chunk by chunk are those of one forward pass over all
// the prompts, at every layer and position kept.
func TestCaptureStreams(t *testing.T) {
	const B, N, D = 70, 5, 3 // B > eval.DefaultChunk: two chunks
	m, err := gpt.New(gpt.Config{Dim: D, Points: N, Layers: 2, Width: 16, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	c, err := (&task.Spec{Class: task.ClassDenseLinear}).Build(D)
	if err != nil {
		t.Fatal(err)
	}
	b := (&prompt.Sampler{Class: c}).Batch(B, N, 3, rng.LabelEval)
	pos := []int{0, 2, 4}
	s := captureStreams(m, b, pos)
	xs, ys := make([]float32, B*N*D), make([]float32, B*N)
	for i, v := range b.Xs {
		xs[i] = float32(v)
	}
	for i, v := range b.Ys {
		ys[i] = float32(v)
	}
	m.Predict(make([]float32, B*N), gpt.Input{Xs: xs, Ys: ys, B: B, N: N})
	C := m.Cfg.Width
	buf := make([]float32, B*N*C)
	for l := range m.Cfg.Layers + 1 {
		m.Stream(buf, l)
		for j, p := range pos {
			set := s.set(l, j, make([]float64, B))
			for q := range B {
				for k := range C {
					want, got := float64(buf[(q*N+p)*C+k]), set.X[q*C+k]
					if math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
						t.Fatalf("layer %d, position %d, prompt %d, feature %d: captured %g, one pass %g", l, p, q, k, got, want)
					}
				}
			}
		}
	}
}

// checkGrid is a probe grid of one position whose layer l has accuracy
// accs[l] on B prompts (the first accs[l]*B right) and cross-validated loss
// cvs[l].
func checkGrid(name string, B int, accs, cvs []float64) *probeGrid {
	g := &probeGrid{name: name, pos: []int{3}}
	for l, a := range accs {
		c := probeCell{correct: make([]float64, B), cv: cvs[l], r2: math.NaN()}
		for q := range int(math.Round(a * float64(B))) {
			c.correct[q] = 1
		}
		c.acc = mean(c.correct)
		g.cells = append(g.cells, []probeCell{c})
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
		bayes := checkGrid("bayes", B, []float64{c.bayes}, []float64{0}).cells[0][0].correct
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
	for _, cs := range [][]Check{o.Checks, o.Control.Checks} {
		if len(cs) != 3 || !cs[0].Precondition || Count(cs).Claims != 2 {
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
	if len(o.Tables) != 3 {
		t.Fatalf("%d tables, want 3", len(o.Tables))
	}
	if n := len(o.Tables[0].Rows); n != layers+1 {
		t.Errorf("layer table: %d rows, want %d layers and the Bayes classifier", n, layers)
	}
	for k, want := range []int{3*layers + 1, 3 * layers} {
		tb := o.Tables[k+1]
		if len(tb.Rows) != want || len(tb.Header) != 2+len(pos) {
			t.Errorf("table %q: %d rows, %d columns; want %d, %d", tb.Caption, len(tb.Rows), len(tb.Header), want, 2+len(pos))
		}
	}
	// The R^2 at position 0 (no context: the posterior is the prior) is n/a;
	// every accuracy lies in [0, 1].
	for _, row := range o.Tables[2].Rows {
		if row[2] != "n/a" {
			t.Errorf("R^2 at position 0: %q, want n/a", row[2])
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
	dir := t.TempDir()
	if err := o.Write(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range append(names, "verdict") {
		ext := ".svg"
		if f == "verdict" {
			ext = ".json"
		}
		if _, err := os.Stat(filepath.Join(dir, f+ext)); err != nil {
			t.Error(err)
		}
	}
	if est, err := EstimateCost(d, MicroScale(), models, AnalyzeOptions{}); err != nil || est <= 0 {
		t.Errorf("EstimateCost: %v, %v", est, err)
	}
}
