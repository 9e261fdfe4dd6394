package plot

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/plotter"
)

// e1Tail is an E1-like figure whose curves differ only in the tail, where
// the full axis (to the zero predictor at 1) flattens them: at 8 examples
// the mixture is at 0.065 and the dense-only model at 0.029, least squares
// at 0, and a failed model stays near 0.6.
func e1Tail() *Figure {
	x := make([]float64, 17)
	mk := func(name string, role Role, f func(i float64) float64) Series {
		s := Series{Name: name, X: x, Role: role}
		for i := range x {
			y := f(float64(i))
			s.Y = append(s.Y, y)
			s.Lo = append(s.Lo, 0.9*y)
			s.Hi = append(s.Hi, 1.1*y)
		}
		return s
	}
	for i := range x {
		x[i] = float64(i)
	}
	lin := func(at8 float64) func(float64) float64 {
		return func(i float64) float64 {
			if i <= 8 {
				return 1 - (1-at8)*i/8
			}
			return at8 * math.Pow(0.7, i-8)
		}
	}
	return ICLCurves("E1 tail", 1,
		mk("transformer: dense only", RoleModel, lin(0.029)),
		mk("transformer: sparse only", RoleModel, func(i float64) float64 { return 1 - 0.025*i }),
		mk("transformer: dense_sparse (mixture)", RoleModel, lin(0.065)),
		mk("least squares", RoleBaseline, func(i float64) float64 { return math.Max(0, 1-i/8) }),
		mk("Bayes-optimal", RoleReference, func(i float64) float64 { return math.Max(0, 1-i/8) }))
}

func TestZoom(t *testing.T) {
	f := e1Tail()
	f.Zoom = &Zoom{XMin: 8, XMax: 16}
	mv, ok := f.mainView()
	if !ok {
		t.Fatal("no main view")
	}
	zv := f.zoomView(mv)
	// The zoom spans the compared curves (0.065 at most, with its band:
	// 0.0715), from 0; the failed model (0.8 at 8) is left off its scale.
	if zv.lo != 0 || zv.hi < 0.0715 || zv.hi > 0.08 {
		t.Errorf("zoom y range [%g, %g], want [0, about 0.075]", zv.lo, zv.hi)
	}
	b, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	if b.zoom == nil || b.zoom.X.Min != 8 || b.zoom.X.Max != 16 {
		t.Fatalf("zoom panel missing or x range wrong: %+v", b.zoom)
	}
	if b.zoom.Y.Max != zv.hi || b.zoom.Y.Min != zv.lo {
		t.Errorf("zoom axis [%g, %g], view [%g, %g]", b.zoom.Y.Min, b.zoom.Y.Max, zv.lo, zv.hi)
	}
	w, h := f.size()
	l := f.layout(b, w, h)
	if l.zoomH <= 0 || l.h < h+l.zoomH {
		t.Errorf("zoom panel %v high, figure %v for a plot %v", l.zoomH, l.h, h)
	}
	svg, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	if txt := svgText(t, svg); !strings.Contains(txt, "detail: in-context examples from 8 to 16") {
		t.Error("zoom panel has no title")
	}
	checkInside(t, svg)

	// An explicit y range wins; a log zoom floors at the data's decades.
	f.Zoom = &Zoom{XMin: 8, XMax: 16, YMax: 0.05}
	if zv := f.zoomView(mv); zv.hi != 0.05 {
		t.Errorf("Zoom.YMax: top %g", zv.hi)
	}
	f.Zoom = &Zoom{XMin: 8, XMax: 16, LogY: true}
	if b, err = f.build(); err != nil {
		t.Fatal(err)
	}
	if b.zoom.Y.Min <= 0 || b.zoom.Y.Max > 1 || b.zoom.Y.Min > 0.029*math.Pow(0.7, 8) {
		t.Errorf("log zoom [%g, %g]", b.zoom.Y.Min, b.zoom.Y.Max)
	}
	if b.main.Y.Min != 0 {
		t.Errorf("a log zoom changed the main panel: y from %g", b.main.Y.Min)
	}

	// Near-zero curves (least squares, Bayes at 0) do not make the zoom
	// leave the one model with a visible error off scale (E4.1's tail).
	g := e1Tail()
	g.Series = []Series{g.Series[1], g.Series[2], g.Series[3], g.Series[4]}
	g.Series[2].Y[12] = 1e-17
	g.Zoom = &Zoom{XMin: 8, XMax: 16}
	mv, _ = g.mainView()
	if zv := g.zoomView(mv); zv.hi < 0.065 {
		t.Errorf("zoom top %g leaves the mixture (0.065) off scale", zv.hi)
	}

	for _, z := range []Zoom{{XMin: 3, XMax: 3}, {XMin: 0, XMax: math.NaN()}, {XMin: 1, XMax: 2, YMin: 2, YMax: 1}} {
		f.Zoom = &z
		if _, err := f.Render("svg"); err == nil {
			t.Errorf("zoom %+v accepted", z)
		}
	}
}

// On a log axis, values far below the rest (least squares in the noiseless
// case, 1e-12, and an error of exactly 0) are cut at a floor 4 decades below
// the top, and the legend says so; bands down to 0 are drawn to the floor.
func TestLogFloor(t *testing.T) {
	f := e1Tail()
	f.LogY = true
	f.Series[3].Y[12] = 1e-12
	b, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.main.Y.Min; math.Abs(got-1e-4) > 1e-12 {
		t.Errorf("log axis from %g, want the floor 1e-4", got)
	}
	svg, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	txt := svgText(t, svg)
	for _, want := range []string{"least squares (off scale, down to 0)", "Bayes-optimal (off scale, down to 0)", "1e-4"} {
		if !strings.Contains(txt, want) {
			t.Errorf("svg text lacks %q", want)
		}
	}
	// YMin sets the floor; data all above it are not noted.
	f.YMin = 1e-2
	if b, _ = f.build(); b.main.Y.Min != 1e-2 {
		t.Errorf("YMin: log axis from %g", b.main.Y.Min)
	}
	g := ICLCurves("all above", 1, icl("a", 11, 1, 3, 0.5))
	g.LogY = true
	g.Series[0].Lo[4] = 0
	svg, err = g.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(svgText(t, svg), "off scale") {
		t.Error("data within the axis noted as off scale")
	}
	if b, _ := g.build(); b.main.Y.Min != g.Series[0].Lo[10] && b.main.Y.Min > g.Series[0].Y[10] {
		t.Errorf("log axis from %g, above the data", b.main.Y.Min)
	}
}

// A series that explodes (least squares at the interpolation threshold:
// 15654897.004) does not flatten the others, on any figure: the axis ends
// near the rest, the legend gives the value compactly.
func TestExplodingSeries(t *testing.T) {
	var grid, truth, ls []float64
	for i := 0; i <= 40; i++ {
		x := -2 + 4*float64(i)/40
		grid, truth = append(grid, x), append(truth, math.Sin(2*x))
		ls = append(ls, math.Sin(2*x)+0.1)
	}
	ls[20] = 15654897.004
	f := FittedFunction("fit", Series{X: []float64{-1, 0, 1}, Y: []float64{-0.9, 0, 0.9}},
		Series{X: grid, Y: truth}, Series{Name: "least squares", X: grid, Y: ls, Role: RoleBaseline})
	b, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	if b.main.Y.Max > 2 || b.main.Y.Max < 1.1 {
		t.Errorf("y axis to %g, want just above the curves (1.1)", b.main.Y.Max)
	}
	svg, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	txt := svgText(t, svg)
	if !strings.Contains(txt, "least squares (off scale, up to 1.57e7)") {
		t.Errorf("legend does not give the off-scale value compactly: %q", txt)
	}
	if strings.Contains(txt, "15654897") {
		t.Error("a long number printed")
	}
	// An error figure: the ceiling, and 1e7 printed compactly.
	e := e1Tail()
	e.Series[3].Y[3], e.Series[3].Hi[3] = 15654897.004, 3e7
	if b, _ := e.build(); b.main.Y.Max > 1.2 {
		t.Errorf("error axis to %g", b.main.Y.Max)
	}
	// Negative explosions are cut below.
	ls[20] = -15654897.004
	if b, _ := f.build(); b.main.Y.Min < -2 {
		t.Errorf("y axis from %g", b.main.Y.Min)
	}
}

func TestRunMarks(t *testing.T) {
	xy := plotter.XYs{{X: 0}, {X: 1}, {X: 2}, {X: 3}, {X: 4}, {X: 5}}
	offs := []int{0, 1, 1, 0, -1, -1}
	ms := runMarks(xy, offs, nil, func(x float64) bool { return x != 1 })
	if len(ms) != 2 || ms[0].x != 2 || !ms[0].up || ms[1].x != 4 || ms[1].up {
		t.Errorf("marks %+v, want up at 2 (1 outside the panel), down at 4", ms)
	}
}

func TestViewPlace(t *testing.T) {
	v := view{lo: 0, hi: 1, fixHi: true, dlo: 0, dhi: 1}
	if y, off := v.place(0.5); y != 0.5 || off != 0 {
		t.Errorf("in view: %g, %d", y, off)
	}
	if y, off := v.place(1.5); y != 1.5 || off != 1 {
		t.Errorf("just above: %g, %d (want drawn where it is)", y, off)
	}
	if y, off := v.place(1e9); y != 2 || off != 1 {
		t.Errorf("far above: %g, %d (want one span beyond the top)", y, off)
	}
	lv := view{lo: 1e-4, hi: 1, fixLo: true, fixHi: true, log: true, dlo: 1e-4, dhi: 1}
	if y, off := lv.place(0); y != 1e-8 || off != -1 {
		t.Errorf("log, 0: %g, %d", y, off)
	}
}
