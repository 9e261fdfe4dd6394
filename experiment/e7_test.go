package experiment

import (
	"math"
	"math/rand/v2"
	"testing"

	"icl/eval"
)

// E7's check: the indicator removes most of the cost when the cost shown is
// at most remove x the cost hidden, and can tell only when there is a cost.
func TestRemoves(t *testing.T) {
	const remove, floor = 0.5, 0.02
	for _, c := range []struct {
		shown, hidden    float64
		pass, untestable bool
	}{
		{0.01, 0.10, true, false},
		{0.05, 0.10, true, false},
		{0.06, 0.10, false, false},
		{-0.01, 0.03, true, false}, // shown beats the specialist
		{0.00, 0.01, true, true},   // no cost to remove
		{0.02, -0.05, false, true}, // the hidden model beats the specialist
		{0.01, math.NaN(), false, true},
	} {
		got := removes("x", c.shown, c.hidden, remove, floor)
		if got.Pass != c.pass || (got.Untestable != "") != c.untestable {
			t.Errorf("shown %g, hidden %g: pass %v untestable %q; want pass %v untestable %v",
				c.shown, c.hidden, got.Pass, got.Untestable, c.pass, c.untestable)
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
