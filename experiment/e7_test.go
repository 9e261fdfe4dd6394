package experiment

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"icl/eval"
	"icl/report"
)

// removesResult is a setting whose per-prompt errors give a shown cost
// (over the specialist, every position) of shown, a hidden cost of hidden,
// each prompt's costs spread by +-spread around them.
func removesResult(B, n int, shown, hidden, spread float64) *eval.SettingResult {
	r := &eval.SettingResult{Setting: "dense", B: B, N: n}
	sp, sh, hd := make([]float64, B*n), make([]float64, B*n), make([]float64, B*n)
	for p := 0; p < B; p++ {
		s := spread * float64(p%5-2) / 2
		for i := 0; i < n; i++ {
			sp[p*n+i] = 0.2
			sh[p*n+i] = 0.2 + shown + s
			hd[p*n+i] = 0.2 + hidden
		}
	}
	for _, k := range []struct {
		key  string
		errs []float64
	}{{"shown", sh}, {"hidden", hd}, {"spec", sp}} {
		c := eval.ICLCurve(k.key, k.errs, B, n, 0.9, 0, nil)
		c.Key = k.key
		r.Curves = append(r.Curves, c)
		r.Errs = append(r.Errs, k.errs)
	}
	return r
}

// E7's check: the indicator removes most of the cost when the interval of
// cost shown - remove x cost hidden lies at or below 0, fails when it lies
// above, is inconclusive when it straddles 0, and can tell only when there
// is a cost and the specialist qualifies.
func TestRemoves(t *testing.T) {
	const remove, floor = 0.5, 0.02
	e := &env{def: &Def{ID: "T"}, scale: &Scale{Boots: 400}}
	for _, c := range []struct {
		shown, hidden, spread float64
		unqualified           string
		pass, inconclusive    bool
		untestable            bool
	}{
		{0.01, 0.10, 0.001, "", true, false, false},
		{0.06, 0.10, 0.001, "", false, false, false},
		{0.05, 0.10, 0.2, "", false, true, false}, // straddles 0
		{-0.01, 0.03, 0.001, "", true, false, false},
		{0.00, 0.01, 0.001, "", true, false, true},                               // no cost to remove
		{0.02, -0.05, 0.001, "", false, false, true},                             // the hidden model beats the specialist
		{0.01, 0.10, 0.001, "the specialist has not learned", true, false, true}, // unqualified specialist
	} {
		r := removesResult(300, 4, c.shown, c.hidden, c.spread)
		got := e.removes("x", r, "shown", "hidden", "spec", remove, floor, c.unqualified)
		if got.Pass != c.pass || got.Inconclusive != c.inconclusive || (got.Untestable != "") != c.untestable {
			t.Errorf("shown %g, hidden %g, spread %g: pass %v inconclusive %v untestable %q (%s); want %v %v %v",
				c.shown, c.hidden, c.spread, got.Pass, got.Inconclusive, got.Untestable, got.Detail, c.pass, c.inconclusive, c.untestable)
		}
	}
}

// The paired excess curve's mean is the difference of the two curves' means
// (a second computation: ICLCurve on each predictor's errors), and its
// interval is narrower than the difference of independent intervals
// suggests when the errors are correlated across the pair.
func TestPairedExcess(t *testing.T) {
	const B, N = 200, 6
	r := rand.New(rand.NewPCG(1, 2))
	a, b := make([]float64, B*N), make([]float64, B*N)
	for i := range a {
		base := r.ExpFloat64()
		a[i], b[i] = base+0.1+0.05*r.Float64(), base
	}
	a[N+3] = math.NaN() // one missing query: NaN at that position only
	res := &eval.SettingResult{Setting: "s", B: B, N: N, Errs: [][]float64{a, b},
		Curves: []eval.Curve{{Key: "model/a"}, {Key: "model/b"}}}
	for j, e := range [][]float64{a, b} {
		c := eval.ICLCurve("", e, B, N, 0.9, 0, nil)
		c.Key = res.Curves[j].Key
		res.Curves[j] = c
	}
	e := &env{def: &Def{ID: "T"}, scale: &Scale{Boots: 200}}
	x, err := e.pairedExcess(res, "model/a", "model/b", "a over b")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < N; i++ {
		want := at(res, "model/a", i) - at(res, "model/b", i)
		m, lo, hi := x.At(i)
		if i == 3 {
			if !math.IsNaN(m) {
				t.Errorf("position 3: %g, want NaN (a query missing)", m)
			}
			continue
		}
		if math.Abs(m-want) > 1e-12 || !(lo <= m && m <= hi) || hi-lo > 0.02 {
			t.Errorf("position %d: %g [%g, %g], want mean %g inside a band narrower than 0.02", i, m, lo, hi, want)
		}
	}
	if _, err := e.pairedExcess(res, "model/a", "model/c", ""); err == nil {
		t.Error("no error for a missing predictor")
	}
}

// E7's probes of the conditional model: with the family shown, the class is
// in the embedding (the indicator's one-hot), so its probe there is all but
// exact; hidden, it is not. Its figure and tables join E7's.
func TestE7ProbesMicro(t *testing.T) {
	if testing.Short() {
		t.Skip("trains 6 tiny runs")
	}
	d, err := LoadDef("E7")
	if err != nil {
		t.Fatal(err)
	}
	o, err := Analyze(d, MicroScale(), microModels(t, d, t.TempDir()), AnalyzeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var names, got []string
	for _, f := range d.Figures {
		names = append(names, f.Name)
	}
	for _, f := range o.Figures {
		got = append(got, f.Name)
	}
	if !slices.Equal(got, names) {
		t.Fatalf("figures %v, want those of e7.yaml %v", got, names)
	}
	var acc *report.Table
	for i := range o.Tables {
		if strings.HasPrefix(o.Tables[i].Caption, "Class probe accuracy") {
			acc = &o.Tables[i]
		}
	}
	if acc == nil {
		t.Fatal("no class probe table")
	}
	emb := map[string]float64{} // model: accuracy at the embedding, the last position
	for _, row := range acc.Rows {
		if row[1] == "embedding" {
			v, err := strconv.ParseFloat(row[len(row)-1], 64)
			if err != nil {
				t.Fatalf("accuracy %q", row[len(row)-1])
			}
			emb[row[0]] = v
		}
	}
	shown, hidden := emb["conditional 0.5/0.5, family shown"], emb["conditional 0.5/0.5, family hidden"]
	if len(emb) != 3 || shown < 0.99 || hidden > 0.9 {
		t.Errorf("class probe accuracy at the embedding: %v; want about 1 shown, well below hidden", emb)
	}
}
