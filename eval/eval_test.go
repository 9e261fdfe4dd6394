package eval

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"icl/baseline"
	"icl/gpt"
	"icl/prompt"
	"icl/rng"
	"icl/task"
)

func TestICLCurveMeanAndBand(t *testing.T) {
	const B, N = 400, 4
	r := rand.New(rand.NewPCG(1, 2))
	errs := make([]float64, B*N)
	for p := 0; p < B; p++ {
		for i := 0; i < N; i++ {
			errs[p*N+i] = float64(i) + r.NormFloat64() // mean i, sd 1
		}
	}
	errs[5*N+3] = math.NaN() // position 3 has no query for prompt 5
	c := ICLCurve("x", errs, B, N, 0.9, 2000, rand.New(rand.NewPCG(3, 4)))
	if len(c.Mean) != N || len(c.Lo) != N || len(c.Hi) != N || c.Name != "x" {
		t.Fatalf("shapes: %d %d %d", len(c.Mean), len(c.Lo), len(c.Hi))
	}
	for i := 0; i < 3; i++ {
		naive := 0.0
		for p := 0; p < B; p++ {
			naive += errs[p*N+i]
		}
		naive /= B
		if math.Abs(c.Mean[i]-naive) > 1e-12 {
			t.Errorf("mean[%d] = %g, naive %g", i, c.Mean[i], naive)
		}
		if !(c.Lo[i] <= c.Mean[i] && c.Mean[i] <= c.Hi[i]) {
			t.Errorf("band [%g, %g] does not contain mean %g at %d", c.Lo[i], c.Hi[i], c.Mean[i], i)
		}
		// Independent check: the 90% normal interval half-width is
		// 1.645 s/sqrt(B); the bootstrap's should be within 15%.
		s := 0.0
		for p := 0; p < B; p++ {
			s += (errs[p*N+i] - naive) * (errs[p*N+i] - naive)
		}
		want := 1.6449 * math.Sqrt(s/(B-1)) / math.Sqrt(B)
		if got := (c.Hi[i] - c.Lo[i]) / 2; math.Abs(got-want) > 0.15*want {
			t.Errorf("half-width[%d] = %g, normal theory %g", i, got, want)
		}
	}
	if !math.IsNaN(c.Mean[3]) || !math.IsNaN(c.Lo[3]) {
		t.Errorf("position with NaN: mean %g lo %g, want NaN", c.Mean[3], c.Lo[3])
	}
	d := ICLCurve("x", errs, B, N, 0.9, 2000, rand.New(rand.NewPCG(3, 4)))
	for i := 0; i < 3; i++ {
		if c.Lo[i] != d.Lo[i] || c.Hi[i] != d.Hi[i] {
			t.Fatalf("same seed, different bands at %d", i)
		}
	}
}

func TestQuantileSorted(t *testing.T) {
	v := []float64{1, 2, 3, 4, 5}
	for _, tc := range []struct{ q, want float64 }{{0, 1}, {0.5, 3}, {0.05, 1.2}, {0.95, 4.8}, {1, 5}} {
		if got := quantileSorted(v, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("q=%g: %g, want %g (numpy linear)", tc.q, got, tc.want)
		}
	}
}

// tinyModel is an untrained transformer, for shapes.
func tinyModel(t *testing.T, d, n int) *gpt.Model {
	t.Helper()
	m, err := gpt.New(gpt.Config{Dim: d, Points: n, Layers: 1, Width: 8, Heads: 2})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	return m
}

func TestEvaluateShapesAndBaselines(t *testing.T) {
	const d, n, B = 3, 7, 48
	s := Setting{Name: "dense", Task: task.Spec{Class: "dense_linear"}, Prompts: B, Seed: 5}
	cls, _ := s.Task.Build(d)
	bs, err := baseline.Select(cls, baseline.Options{KNN: 3, LassoAlphas: []float64{0.01}, Jitter: baseline.DefaultJitter, MCSamples: 10},
		[]string{"zero", "least_squares", "bayes"})
	if err != nil {
		t.Fatal(err)
	}
	if len(bs) != 3 {
		t.Fatalf("selected %d baselines, want zero, least_squares, bayes_dense", len(bs))
	}
	preds := append([]Predictor{&Transformer{Label: "tf", Model: tinyModel(t, d, n), Chunk: 20}}, Baselines(bs)...)
	res, err := Evaluate(s, d, n, preds, Options{Boots: 200})
	if err != nil {
		t.Fatal(err)
	}
	if res.B != B || res.N != n || res.D != d || len(res.Curves) != 4 || len(res.Preds) != 4 {
		t.Fatalf("result shape B=%d N=%d D=%d curves=%d", res.B, res.N, res.D, len(res.Curves))
	}
	for _, c := range res.Curves {
		if c.Len() != n {
			t.Fatalf("%s: %d positions, want %d", c.Name, c.Len(), n)
		}
		for i := range c.Mean {
			if !(c.Lo[i] <= c.Mean[i]+1e-12 && c.Mean[i] <= c.Hi[i]+1e-12) {
				t.Errorf("%s[%d]: band [%g, %g] misses mean %g", c.Name, i, c.Lo[i], c.Hi[i], c.Mean[i])
			}
		}
	}
	// The zero predictor's curve averages to ZeroError.
	z := res.Curve("zero")
	avg := 0.0
	for _, v := range z.Mean {
		avg += v / n
	}
	if math.Abs(avg-res.ZeroError) > 1e-12 || math.Abs(res.ZeroError-1) > 0.3 {
		t.Errorf("zero predictor: curve average %g, ZeroError %g (expected near 1)", avg, res.ZeroError)
	}
	// Noiseless dense linear: least squares and Bayes are exact once i >= d.
	for _, name := range []string{"least_squares", "bayes_dense"} {
		c := res.Curve(name)
		for i := d; i < n; i++ {
			if c.Mean[i] > 1e-6 {
				t.Errorf("%s at %d examples: error %g, want ~0", name, i, c.Mean[i])
			}
		}
		if c.Mean[0] < 0.3 {
			t.Errorf("%s with no examples: error %g, want ~1", name, c.Mean[0])
		}
	}
	// Chunking does not change the transformer's predictions.
	one := make([]float64, B*n)
	(&Transformer{Model: tinyModel(t, d, n), Chunk: B}).Predict(one, res.Batch)
	for k, v := range res.Preds[0] {
		if math.Abs(v-one[k]) > 1e-6 {
			t.Fatalf("chunked prediction %d: %g vs %g", k, v, one[k])
		}
	}
}

// With queries equal to the prompt's own points, the per-position query path
// must give the same predictions as one pass over the prompt.
func TestPredictQueriesMatchesPrompt(t *testing.T) {
	const d, n, B = 2, 5, 9
	cls := &task.DenseLinear{D: d, Std: 1}
	bt := (&prompt.Sampler{Class: cls}).Batch(B, n, 3, rng.LabelEval)
	q := *bt
	q.QXs = append([]float64(nil), bt.Xs...)
	q.QYs = append([]float64(nil), bt.Ys...)
	for _, pr := range []Predictor{Baseline{P: baseline.LeastSquares{}}, &Transformer{Model: tinyModel(t, d, n)}} {
		a := PredictQueries(pr, bt)
		b := PredictQueries(pr, &q)
		for k := range a {
			if math.Abs(a[k]-b[k]) > 1e-5*(1+math.Abs(a[k])) {
				t.Fatalf("%s: prediction %d: one pass %g, per query %g", pr.Name(), k, a[k], b[k])
			}
		}
	}
	// Positions past QueryLen are NaN.
	q.QueryLen = 3
	b := PredictQueries(Baseline{P: baseline.Zero{}}, &q)
	if !math.IsNaN(b[4]) || math.IsNaN(b[2]) {
		t.Errorf("QueryLen 3: prediction at 4 = %g (want NaN), at 2 = %g", b[4], b[2])
	}
}

// denseSparseMixture is the 0.5/0.5 mixture of dense and 1-sparse linear
// functions in dimension d and its exact Bayes predictor.
func denseSparseMixture(t *testing.T, d int) (*task.Mixture, *baseline.BayesMixture) {
	t.Helper()
	mixClass := &task.Mixture{Components: []task.Class{&task.DenseLinear{D: d, Std: 1}, &task.SparseLinear{D: d, K: 1, Std: 1}},
		Weights: []float64{0.5, 0.5}}
	ev, ok := baseline.Exact(mixClass, baseline.DefaultJitter)
	if !ok {
		t.Fatal("no exact Bayes for dense+sparse mixture")
	}
	return mixClass, ev.(*baseline.BayesMixture)
}

// PosteriorQueries with each query equal to its own position's point gives
// the one-pass predictions and posterior, which RunPosterior computes directly;
// its predictions are PredictQueries'; positions past QueryLen are NaN.
func TestPosteriorQueriesMatchesPrompt(t *testing.T) {
	const d, n, B = 3, 6, 11
	mixClass, mix := denseSparseMixture(t, d)
	bt := (&prompt.Sampler{Class: mixClass}).Batch(B, n, 4, rng.LabelEval)
	wantPred, wantPost := make([]float64, B*n), make([]float64, B*n*2)
	baseline.RunPosterior(wantPred, wantPost, mix, bt, 1)
	q := *bt
	q.QXs = append([]float64(nil), bt.Xs...)
	q.QYs = append([]float64(nil), bt.Ys...)
	for _, b := range []*prompt.Batch{bt, &q} {
		pred, post := PosteriorQueries(mix, b, 2)
		for k := range wantPred {
			if math.Abs(pred[k]-wantPred[k]) > 1e-9*(1+math.Abs(wantPred[k])) {
				t.Fatalf("queries %v: prediction %d: %g, want %g", b.QXs != nil, k, pred[k], wantPred[k])
			}
		}
		for k := range wantPost {
			if math.Abs(post[k]-wantPost[k]) > 1e-9 {
				t.Fatalf("queries %v: posterior %d: %g, want %g", b.QXs != nil, k, post[k], wantPost[k])
			}
		}
		same := PredictQueries(Baseline{P: mix}, b)
		for k := range same {
			if math.Abs(pred[k]-same[k]) > 1e-12*(1+math.Abs(same[k])) {
				t.Fatalf("queries %v: prediction %d: %g, PredictQueries %g", b.QXs != nil, k, pred[k], same[k])
			}
		}
	}
	q.QueryLen = 4
	pred, post := PosteriorQueries(mix, &q, 1)
	for p := 0; p < B; p++ {
		for i := 0; i < n; i++ {
			if past := i >= 4; past != math.IsNaN(pred[p*n+i]) || past != math.IsNaN(post[(p*n+i)*2]) {
				t.Fatalf("QueryLen 4: prompt %d position %d: prediction %g, posterior %g", p, i, pred[p*n+i], post[(p*n+i)*2])
			}
		}
	}
}

// NormalizedErrors divides each squared error by its prompt's scale and marks
// positions without a query NaN.
func TestNormalizedErrors(t *testing.T) {
	bt := prompt.NewBatch(2, 3, 1)
	copy(bt.Ys, []float64{1, 2, 3, 4, 5, 6})
	bt.Scale[0], bt.Scale[1] = 2, 4
	bt.QueryLen = 2
	got := NormalizedErrors([]float64{0, 0, 0, 4, 4, 4}, bt)
	want := []float64{0.5, 2, math.NaN(), 0, 0.25, math.NaN()}
	for k := range want {
		if math.IsNaN(want[k]) != math.IsNaN(got[k]) || (!math.IsNaN(want[k]) && math.Abs(got[k]-want[k]) > 1e-15) {
			t.Fatalf("errors %v, want %v", got, want)
		}
	}
}

func TestResultsRoundTrip(t *testing.T) {
	r := &Results{Level: 0.9, Boots: 10, Settings: []*SettingResult{
		{Setting: "a", Class: "dense", B: 2, N: 3, D: 1, ZeroError: 1.1, Curves: []Curve{
			{Name: "tf", Key: "model", Mean: []float64{1, 0.5, math.NaN()}, Lo: []float64{0.9, 0.4, math.NaN()}, Hi: []float64{1.1, 0.6, math.NaN()}},
			{Name: "ls", Mean: []float64{1, 0.25, 1e-17}, Lo: []float64{1, 0.2, 0}, Hi: []float64{1, 0.3, 2e-17}},
		}},
		{Setting: "b", N: 3, Curves: []Curve{{Name: "tf", Mean: []float64{3, 2, 1}, Lo: []float64{2, 1, 0}, Hi: []float64{4, 3, 2}}}},
	}}
	same := func(a, b []float64) bool {
		for i := range a {
			if !(a[i] == b[i] || math.IsNaN(a[i]) && math.IsNaN(b[i])) {
				return false
			}
		}
		return len(a) == len(b)
	}
	check := func(kind string, got *Results) {
		if len(got.Settings) != 2 {
			t.Fatalf("%s: %d settings", kind, len(got.Settings))
		}
		for i, s := range r.Settings {
			g := got.Settings[i]
			if g.Setting != s.Setting || len(g.Curves) != len(s.Curves) || g.N != s.N {
				t.Fatalf("%s: setting %d: %+v", kind, i, g)
			}
			for j, c := range s.Curves {
				gc := g.Curves[j]
				// CSV has no key column.
				if gc.Name != c.Name || kind == "json" && gc.Key != c.Key || !same(gc.Mean, c.Mean) || !same(gc.Lo, c.Lo) || !same(gc.Hi, c.Hi) {
					t.Errorf("%s: curve %s/%s: got %+v want %+v", kind, s.Setting, c.Name, gc, c)
				}
			}
		}
	}
	var jb, cb bytes.Buffer
	if err := r.WriteJSON(&jb); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteCSV(&cb); err != nil {
		t.Fatal(err)
	}
	gj, err := ReadJSON(&jb)
	if err != nil {
		t.Fatal(err)
	}
	check("json", gj)
	if gj.Settings[0].ZeroError != 1.1 || gj.Level != 0.9 || gj.Settings[0].Class != "dense" {
		t.Errorf("json metadata lost: %+v", gj.Settings[0])
	}
	if first := strings.SplitN(cb.String(), "\n", 2)[0]; first != "setting,predictor,position,mean,lo,hi" {
		t.Errorf("csv header %q", first)
	}
	gc, err := ReadCSV(&cb)
	if err != nil {
		t.Fatal(err)
	}
	check("csv", gc)
}

func TestImpliedWeightRecoversKnownWeight(t *testing.T) {
	const B, N = 500, 5
	want := []float64{math.NaN(), 0.1, 0.5, 0.9, 1.3}
	r := rand.New(rand.NewPCG(7, 7))
	tt, p1, p2 := make([]float64, B*N), make([]float64, B*N), make([]float64, B*N)
	for p := 0; p < B; p++ {
		for i := 0; i < N; i++ {
			k := p*N + i
			if i == 0 { // both classes predict alike: not identified
				p1[k], p2[k] = 0, 0
			} else {
				p1[k], p2[k] = r.NormFloat64(), r.NormFloat64()
			}
			tt[k] = want[i]*p1[k] + (1-want[i])*p2[k] + 0.05*r.NormFloat64()
		}
	}
	c := ImpliedWeight("tf", tt, p1, p2, B, N, 0.9, 500, rand.New(rand.NewPCG(1, 1)))
	if !math.IsNaN(c.Mean[0]) {
		t.Errorf("position 0: weight %g, want NaN (class predictions equal)", c.Mean[0])
	}
	for i := 1; i < N; i++ {
		// Standard error ~ 0.05/sqrt(2B) = 0.0016; allow 0.01.
		if math.Abs(c.Mean[i]-want[i]) > 0.01 {
			t.Errorf("position %d: weight %g, want %g", i, c.Mean[i], want[i])
		}
		if !(c.Lo[i] <= c.Mean[i] && c.Mean[i] <= c.Hi[i]) || c.Hi[i]-c.Lo[i] > 0.02 {
			t.Errorf("position %d: interval [%g, %g] around %g", i, c.Lo[i], c.Hi[i], c.Mean[i])
		}
	}
}

func TestModelSelection(t *testing.T) {
	const d, n, B = 4, 9, 60
	mixClass, mix := denseSparseMixture(t, d)
	// Dense prompts: the posterior on dense rises to 1; a model that is the
	// dense Bayes predictor has implied weight exactly 1 on dense.
	bt := (&prompt.Sampler{Class: mixClass.Components[0]}).Batch(B, n, 9, rng.LabelEval)
	sel, err := ModelSelection(bt, Baseline{P: mix.Components[0]}, mix, Options{Boots: 100})
	if err != nil {
		t.Fatal(err)
	}
	if sel.Class != "bayes_dense" || sel.Implied.Len() != n || sel.Posterior.Len() != n {
		t.Fatalf("selection %q, %d and %d positions", sel.Class, sel.Implied.Len(), sel.Posterior.Len())
	}
	identified := 0
	for i := 0; i < n; i++ {
		if w := sel.Implied.Mean[i]; !math.IsNaN(w) {
			identified++
			if math.Abs(w-1) > 1e-9 {
				t.Errorf("position %d: implied weight %g, want 1", i, w)
			}
		}
		if p := sel.Posterior.Mean[i]; p < 0 || p > 1 {
			t.Errorf("posterior %g outside [0, 1]", p)
		}
	}
	if identified < 2 {
		t.Errorf("only %d positions identified", identified)
	}
	if p0, pl := sel.Posterior.Mean[0], sel.Posterior.Mean[n-1]; math.Abs(p0-0.5) > 1e-9 || pl < 0.95 {
		t.Errorf("posterior on dense: %g with no examples (want 0.5), %g at the end (want ~1)", p0, pl)
	}
	// Another reference mixture (prior 0.5/4 : 0.5/1, so 0.2 on dense) adds
	// its posterior and leaves the first's alone.
	sel2, err := ModelSelection(bt, Baseline{P: mix.Components[0]}, mix, Options{Boots: 100}, mix.ScaleWeighted([]float64{4, 1}))
	if err != nil {
		t.Fatal(err)
	}
	if len(sel2.Others) != 1 || math.Abs(sel2.Others[0].Mean[0]-0.2) > 1e-9 || sel2.Posterior.Mean[n-1] != sel.Posterior.Mean[n-1] {
		t.Errorf("other posteriors %+v; posterior at the end %g, want %g", sel2.Others, sel2.Posterior.Mean[n-1], sel.Posterior.Mean[n-1])
	}
}

func TestSweep(t *testing.T) {
	// Lines follow the curves' keys, not their names: "ref" is named
	// differently in each setting and is one line; the two curves named
	// "same name" are two.
	mk := func(name string, v float64) *SettingResult {
		return &SettingResult{Setting: name, N: 3, Curves: []Curve{
			{Name: "tf", Key: "model", Mean: []float64{1, v, v / 2}, Lo: []float64{1, v - 0.1, 0}, Hi: []float64{1, v + 0.1, v}},
			{Name: "ref at " + name, Key: "ref", Mean: []float64{1, v / 4, 0}, Lo: []float64{1, v / 4, 0}, Hi: []float64{1, v / 4, 0}},
			{Name: "same name", Key: "a", Mean: []float64{1, 1, 1}, Lo: []float64{1, 1, 1}, Hi: []float64{1, 1, 1}},
			{Name: "same name", Key: "b", Mean: []float64{2, 2, 2}, Lo: []float64{2, 2, 2}, Hi: []float64{2, 2, 2}},
		}}
	}
	s := NewSweep("k", []float64{1, 2}, []*SettingResult{mk("k1", 0.2), mk("k2", 0.6)}, []int{1, 2, 5})
	if len(s.Lines) != 12 {
		t.Fatalf("%d lines, want 12", len(s.Lines))
	}
	l := s.Line("model", 1)
	if l.Mean[0] != 0.2 || l.Mean[1] != 0.6 || l.Lo[1] != 0.5 || l.Predictor != "tf" {
		t.Errorf("line at position 1: %+v", l)
	}
	if l := s.Line("ref", 1); l.Mean[0] != 0.05 || l.Mean[1] != 0.15 || l.Predictor != "ref at k1" {
		t.Errorf("line of key ref: %+v, want means 0.05, 0.15 named by the first setting's curve", l)
	}
	if a, b := s.Line("a", 2), s.Line("b", 2); a.Mean[1] != 1 || b.Mean[1] != 2 {
		t.Errorf("curves of one name and two keys: %+v, %+v", a, b)
	}
	if s.Line("tf", 1) != nil {
		t.Errorf("a line found by its name")
	}
	if l := s.Line("model", 5); !math.IsNaN(l.Mean[0]) {
		t.Errorf("position beyond N: %g, want NaN", l.Mean[0])
	}
	var b bytes.Buffer
	if err := s.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
}

func TestFitFunction(t *testing.T) {
	cls := &task.DenseLinear{D: 1, Std: 1}
	grid := Grid(-2, 2, 9)
	ev, _ := baseline.Exact(cls, baseline.DefaultJitter)
	preds := []Predictor{Baseline{P: ev}, &Transformer{Model: tinyModel(t, 1, 6)}}
	f, err := FitFunction(cls, 3, grid, preds, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.CtxX) != 3 || len(f.Truth) != 9 || len(f.Lines) != 2 || len(f.Lines[1].Y) != 9 {
		t.Fatalf("shapes: ctx %d truth %d lines %d", len(f.CtxX), len(f.Truth), len(f.Lines))
	}
	// Noiseless d = 1 linear: one example identifies w, so Bayes equals truth.
	for g := range grid {
		if math.Abs(f.Lines[0].Y[g]-f.Truth[g]) > 1e-4*(1+math.Abs(f.Truth[g])) {
			t.Errorf("bayes at x=%g: %g, truth %g", grid[g], f.Lines[0].Y[g], f.Truth[g])
		}
	}
	// Truth is the same line through the context points.
	w := f.CtxY[0] / f.CtxX[0]
	if math.Abs(f.Truth[0]-w*grid[0]) > 1e-9 {
		t.Errorf("truth %g, want %g", f.Truth[0], w*grid[0])
	}
	if _, err := FitFunction(&task.DenseLinear{D: 2, Std: 1}, 3, grid, preds, 1, 0); err == nil {
		t.Error("d = 2: no error")
	}
}

func TestFittedJSONWithNaN(t *testing.T) {
	f := &Fitted{Grid: []float64{0, 1}, Lines: []FittedLine{{Name: "tf", Y: []float64{1, math.NaN()}}}}
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(f); err != nil {
		t.Fatal(err)
	}
	var g Fitted
	if err := json.Unmarshal(b.Bytes(), &g); err != nil {
		t.Fatal(err)
	}
	if g.Lines[0].Y[0] != 1 || !math.IsNaN(g.Lines[0].Y[1]) {
		t.Errorf("round trip: %v", g.Lines[0].Y)
	}
}
