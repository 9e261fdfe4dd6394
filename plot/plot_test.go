package plot

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// icl returns a synthetic ICL curve err(i) = a/(1+i/b) with a band ±w·err.
func icl(name string, n int, a, b, w float64) Series {
	s := Series{Name: name}
	for i := 0; i < n; i++ {
		y := a / (1 + float64(i)/b)
		s.X = append(s.X, float64(i))
		s.Y = append(s.Y, y)
		s.Lo = append(s.Lo, y*(1-w))
		s.Hi = append(s.Hi, y*(1+w))
	}
	return s
}

func sampleFigures() map[string]*Figure {
	ls := icl("least squares", 41, 1, 6, 0)
	ls.Lo, ls.Hi, ls.Dashed = nil, nil, true
	curves := ICLCurves("Dense linear functions (d = 20)", 1,
		icl("transformer (mixture)", 41, 1, 8, 0.15),
		icl("transformer (dense only)", 41, 1, 7, 0.12),
		icl("transformer (sparse only)", 41, 1.1, 30, 0.2),
		ls,
	)
	sweep := Sweep("Mixture model on sparsity k", "non-zero coefficients k", 1,
		Series{Name: "position 5", X: []float64{1, 2, 3, 4, 5, 6, 7, 8}, Y: []float64{.3, .4, .5, .6, .7, .75, .8, .82}},
		Series{Name: "position 10", X: []float64{1, 2, 3, 4, 5, 6, 7, 8}, Y: []float64{.05, .1, .2, .35, .5, .6, .65, .7}},
	)
	var grid, truth, tr, bayes []float64
	for i := 0; i <= 100; i++ {
		x := -3 + 6*float64(i)/100
		grid = append(grid, x)
		truth = append(truth, 0.5*x+0.5*math.Sin(2*x))
		tr = append(tr, 0.5*x+0.3*math.Sin(2.2*x))
		bayes = append(bayes, 0.5*x+0.45*math.Sin(2*x))
	}
	fitted := FittedFunction("0.5 linear + 0.5 sine, 10 examples",
		Series{X: []float64{-2, -1.2, -0.3, 0.4, 1.1, 2.5}, Y: []float64{-1.3, -0.9, -0.4, 0.56, 0.95, 0.77}},
		Series{X: grid, Y: truth},
		Series{Name: "transformer", X: grid, Y: tr, Role: RoleModel},
		Series{Name: "Bayes", X: grid, Y: truth, Role: RoleReference},
	)
	imp := Series{Name: "transformer: implied weight"}
	post := Series{Name: "Bayes: posterior p(sparse | context)"}
	for i := 0; i < 30; i++ {
		p := 1 / (1 + math.Exp(-(float64(i)-8)/2))
		imp.X, imp.Y = append(imp.X, float64(i)), append(imp.Y, 0.9*p+0.05)
		imp.Lo, imp.Hi = append(imp.Lo, 0.9*p), append(imp.Hi, 0.9*p+0.1)
		post.X, post.Y = append(post.X, float64(i)), append(post.Y, p)
		post.Lo, post.Hi = append(post.Lo, p*0.95), append(post.Hi, math.Min(1, p*1.05))
	}
	ms := ModelSelection("Model selection on sparse functions", "sparse class", imp, post)
	lsq := icl("least squares (noiseless)", 41, 1, 3, 0.1)
	for i := 20; i < 41; i++ {
		lsq.Y[i], lsq.Lo[i], lsq.Hi[i] = 1e-3*math.Pow(0.7, float64(i-20)), 0, 2e-3*math.Pow(0.7, float64(i-20))
	}
	lsq.Y[10] = math.NaN()
	logc := ICLCurves("Log scale with a NaN gap", 1, icl("transformer", 41, 1, 5, 0.2), lsq)
	logc.LogY, logc.YMin = true, 1e-4
	// E1-like: three transformers, two baselines and two references lying
	// on one another, and an outlier (least squares at 1 example in d = 1).
	role := func(s Series, r Role) Series { s.Role = r; return s }
	ls2 := icl("least squares", 11, 1, 4, 0.05)
	ls2.Y[1], ls2.Hi[1] = 310, 655
	roles := ICLCurves("Roles, overlapping curves and an outlier", 1,
		role(icl("transformer: dense only", 11, 1, 3, 0.08), RoleModel),
		role(icl("transformer: sparse only", 11, 1, 3.1, 0.08), RoleModel),
		role(icl("transformer: dense+sparse mixture", 11, 1, 3.2, 0.08), RoleModel),
		role(ls2, RoleBaseline),
		role(icl("lasso (best alpha in hindsight)", 11, 1, 4, 0.05), RoleBaseline),
		role(icl("Bayes-optimal", 11, 1, 4.1, 0.02), RoleReference),
		role(icl("Bayes-optimal, mixture prior", 11, 1, 4.1, 0.02), RoleReference))
	return map[string]*Figure{"curves": curves, "logcurves": logc, "sweep": sweep, "fitted": fitted, "modelsel": ms, "roles": roles}
}

// svgElements parses b as XML and counts elements by name.
func svgElements(t *testing.T, b []byte) map[string]int {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	counts := map[string]int{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("svg does not parse as XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
	return counts
}

// svgText returns the concatenated character data of the SVG.
func svgText(t *testing.T, b []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var sb strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return sb.String()
		}
		if err != nil {
			t.Fatal(err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			sb.Write(cd)
			sb.WriteByte('\n')
		}
	}
}

// fillOpacity matches the translucent band fills.
var fillOpacity = regexp.MustCompile(`fill-opacity:0\.2[0-9]*`)

func TestRenderSVG(t *testing.T) {
	for name, f := range sampleFigures() {
		t.Run(name, func(t *testing.T) {
			b, err := f.Render("svg")
			if err != nil {
				t.Fatal(err)
			}
			if n := svgElements(t, b)["svg"]; n != 1 {
				t.Errorf("%d <svg> elements, want 1", n)
			}
			text := svgText(t, b)
			for _, s := range append(append([]Series(nil), f.Series...), f.Points...) {
				if !strings.Contains(text, s.Name) {
					t.Errorf("legend name %q missing from svg text", s.Name)
				}
			}
			for _, s := range []string{f.Title, f.XLabel, f.YLabel} {
				if !strings.Contains(text, s) {
					t.Errorf("label %q missing from svg text", s)
				}
			}
			if bytes.Contains(b, []byte("font-family:Liberation Sans;")) {
				t.Errorf("font family without fallbacks")
			}
		})
	}
}

// TestBands checks one translucent polygon per band (plus one legend
// thumbnail each), and none for series without Lo/Hi.
func TestBands(t *testing.T) {
	tests := []struct {
		name  string
		fig   *Figure
		fills int // band polygons plus one legend thumbnail per banded series
	}{
		{"three bands", sampleFigures()["curves"], 3 + 3},
		{"no bands", sampleFigures()["sweep"], 0},
		{"gap splits band", &Figure{Series: []Series{{Name: "a",
			X:  []float64{0, 1, 2, 3, 4},
			Y:  []float64{1, 1, 1, 1, 1},
			Lo: []float64{0, 0, math.NaN(), 0, 0},
			Hi: []float64{2, 2, 2, 2, 2}}}}, 2 + 1},
	}
	for _, tt := range tests {
		b, err := tt.fig.Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		got := len(fillOpacity.FindAll(b, -1))
		if got != tt.fills {
			t.Errorf("%s: %d translucent fills, want %d", tt.name, got, tt.fills)
		}
	}
}

func TestRenderPNGSize(t *testing.T) {
	tests := []struct {
		w, h   vg.Length
		dpi    int
		px, py int
	}{
		{0, 0, 0, 1050, 600}, // 7 x 4 in at 150 dpi
		{6 * vg.Inch, 4 * vg.Inch, 100, 600, 400},
	}
	for _, tt := range tests {
		f := sampleFigures()["curves"]
		f.Width, f.Height, f.DPI = tt.w, tt.h, tt.dpi
		if _, h, _ := f.Size(); h != tt.h && tt.h != 0 {
			// the legend went below the plot: the figure grows
			tt.py = int(math.Round(h.Points() / 72 * float64(tt.dpi)))
		}
		b, err := f.Render("png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("png does not decode: %v", err)
		}
		if r := img.Bounds(); r.Dx() != tt.px || r.Dy() != tt.py {
			t.Errorf("png size %dx%d, want %dx%d", r.Dx(), r.Dy(), tt.px, tt.py)
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range []string{"svg", "png"} {
		a, err := sampleFigures()["curves"].Render(format)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sampleFigures()["curves"].Render(format)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders of the same figure differ", format)
		}
	}
}

func TestNonFinite(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name    string
		fig     Figure
		wantErr error
	}{
		{"nan and inf inside", Figure{LogY: true, Series: []Series{{Name: "a",
			X:  []float64{0, 1, 2, 3, 4, nan},
			Y:  []float64{1, nan, inf, 0, -1, 2},
			Lo: []float64{0.5, 0, -1, nan, 0, 0},
			Hi: []float64{2, 2, inf, 2, 2, 2}}}}, nil},
		{"one finite point", Figure{Series: []Series{{Name: "a", X: []float64{nan, 1}, Y: []float64{1, 2}}}}, nil},
		{"constant", Figure{Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{3, 3}}}}, nil},
		{"empty series next to data", Figure{Series: []Series{{Name: "empty"}, {Name: "a", X: []float64{1, 2}, Y: []float64{3, 4}}}}, nil},
		{"points only", Figure{Points: []Series{{Name: "p", X: []float64{1}, Y: []float64{1}}}}, nil},
		{"all nan", Figure{Series: []Series{{Name: "a", X: []float64{0, 1}, Y: []float64{nan, nan}}}, HLines: []HLine{{Y: 1}}}, ErrNoData},
		{"no series", Figure{}, ErrNoData},
		{"log of non-positive", Figure{LogY: true, Series: []Series{{Name: "a", X: []float64{0, 1}, Y: []float64{0, -1}}}}, ErrNoData},
	}
	for _, tt := range tests {
		for _, format := range []string{"svg", "png"} {
			_, err := tt.fig.Render(format)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("%s %s: err = %v, want %v", tt.name, format, err, tt.wantErr)
			}
		}
	}
}

// TestLineBreaksAtNaN checks that a line is split, not bridged, at a
// non-finite value: two stroked paths plus the legend thumbnail.
func TestLineBreaksAtNaN(t *testing.T) {
	col := color.NRGBA{0x00, 0x00, 0xFF, 0xFF}
	tests := []struct {
		y       []float64
		paths   int // stroked: line segments of 2+ points, plus the legend
		markers int // filled: isolated points
	}{
		{[]float64{1, 2, 3, 4, 5}, 1 + 1, 0},
		{[]float64{1, 2, math.NaN(), 4, 5}, 2 + 1, 0},
		{[]float64{1, math.Inf(1), 3, math.NaN(), 5, 6}, 1 + 1, 2},
	}
	for _, tt := range tests {
		x := make([]float64, len(tt.y))
		for i := range x {
			x[i] = float64(i)
		}
		f := Figure{Series: []Series{{Name: "a", X: x, Y: tt.y, Color: col}}}
		b, err := f.Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Count(b, []byte("stroke:#0000FF")); got != tt.paths {
			t.Errorf("y = %v: %d stroked paths, want %d", tt.y, got, tt.paths)
		}
		if got := bytes.Count(b, []byte("fill:#0000FF")); got != tt.markers {
			t.Errorf("y = %v: %d filled markers, want %d", tt.y, got, tt.markers)
		}
	}
}

func TestEmptySeriesLegend(t *testing.T) {
	f := Figure{Series: []Series{{Name: "empty"}, {Name: "a", X: []float64{1, 2}, Y: []float64{3, 4}}}}
	b, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(svgText(t, b), "empty (no data)") {
		t.Error(`series without finite points not marked "(no data)"`)
	}
}

func TestInvalid(t *testing.T) {
	var de *DataError
	f := Figure{Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1}}}}
	if _, err := f.Render("svg"); !errors.As(err, &de) || de.Field != "Y" {
		t.Errorf("short Y: err = %v, want *DataError for Y", err)
	}
	f = Figure{Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1, 2}, Lo: []float64{1, 2}}}}
	if _, err := f.Render("svg"); !errors.As(err, &de) || de.Field != "Hi" {
		t.Errorf("missing Hi: err = %v, want *DataError for Hi", err)
	}
	f = Figure{YMin: 2, YMax: 1, Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1, 2}}}}
	if _, err := f.Render("svg"); err == nil {
		t.Error("YMin > YMax accepted")
	}
	f = Figure{Series: []Series{{Name: "a", X: []float64{1, 2}, Y: []float64{1, 2}}}}
	if _, err := f.Render("jpg"); err == nil || !strings.Contains(err.Error(), `"svg"`) {
		t.Errorf("format jpg: err = %v, want one naming the allowed formats", err)
	}
}

// TestYMaxClips checks that YMax sets the axis top: the tick label of a
// value far above the clip must not appear.
func TestYMaxClips(t *testing.T) {
	f := Figure{YMax: 2, Series: []Series{{Name: "a", X: []float64{0, 1, 2}, Y: []float64{1, 1000, 1.5}}}}
	b, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range svgTexts(t, b) {
		if e.size == 9.5 && (e.s == "1000" || e.s == "500") {
			t.Errorf("axis not clipped at YMax = 2: tick %q", e.s)
		}
	}
	if text := svgText(t, b); !strings.Contains(text, "a (off scale, up to 1000)") {
		t.Errorf("legend does not say the series leaves the axis: %q", text)
	}
}

func TestSaveWritesBoth(t *testing.T) {
	for name, f := range sampleFigures() {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			base := filepath.Join(dir, "fig")
			if err := f.Save(base, 5*vg.Inch, 3*vg.Inch); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(base + ".png")
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			g := *f
			g.Width, g.Height = 5*vg.Inch, 3*vg.Inch
			_, h, err := g.Size()
			if err != nil {
				t.Fatal(err)
			}
			if py := int(math.Round(h.Points() / 72 * DefaultDPI)); img.Bounds().Dx() != 750 || img.Bounds().Dy() != py || h < 3*vg.Inch {
				t.Errorf("saved png %dx%d, want 750x%d", img.Bounds().Dx(), img.Bounds().Dy(), py)
			}
			b, err = os.ReadFile(base + ".svg")
			if err != nil {
				t.Fatal(err)
			}
			if n := svgElements(t, b)["svg"]; n != 1 {
				t.Errorf("saved svg has %d <svg> elements, want 1", n)
			}
			want, err := f.render("svg", 5*vg.Inch, 3*vg.Inch)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, want) {
				t.Error("saved svg differs from the rendered one")
			}
			ents, _ := os.ReadDir(dir)
			if len(ents) != 2 {
				t.Errorf("%d files in output dir, want 2 (temp files left?)", len(ents))
			}
		})
	}
}

// TestLongLegendNames checks that a legend name too long for one line is
// drawn whole, wrapped onto lines that fit the figure, below the plot, and
// that names that fit are left whole.
func TestLongLegendNames(t *testing.T) {
	long := "transformer: a pretraining mixture with a very long descriptive name that goes on and on: implied weight on the dense class"
	f := ICLCurves("long names", 1, icl(long, 11, 1, 3, 0.1), icl("least squares", 11, 1, 2, 0))
	svg, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(svg, []byte("…")) {
		t.Error("a legend name was shortened")
	}
	texts := svgTexts(t, svg)
	var legend []string
	for _, tx := range texts {
		if tx.size == legendFontSize {
			legend = append(legend, tx.s)
		}
	}
	if joined := strings.Join(legend, " "); !strings.Contains(joined, long) {
		t.Errorf("long name not drawn whole; legend lines %q", legend)
	}
	if len(legend) < 3 {
		t.Errorf("legend lines %q: want the long name on two lines and least squares", legend)
	}
	if !slices.Contains(legend, "least squares") {
		t.Error("a short name was changed")
	}
	w, h := f.size()
	b, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	if l := f.layout(b, w, h); !l.below {
		t.Error("a legend with a long name is beside the plot")
	}
	checkInside(t, svg)
}

// A curve with an outlier (least squares at 1 example in d = 1: 655) must not
// flatten the others onto 0: the axis ends a little above them and the
// outlier's legend says it leaves the plot.
func TestOutlierKeepsCurvesVisible(t *testing.T) {
	ls := icl("least squares", 11, 0.5, 3, 0.1)
	ls.Y[1], ls.Hi[1] = 655, 900
	ls.Role = RoleBaseline
	tf := icl("transformer", 11, 0.8, 2, 0.1)
	tf.Role = RoleModel
	f := ICLCurves("outlier", 1, tf, ls)
	b, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	p := b.main
	if p.Y.Max < 1 || p.Y.Max > 1.5 {
		t.Errorf("y axis up to %g, want within [1, 1.5] (zero line 1, curves below 0.9)", p.Y.Max)
	}
	if p.Y.Min != 0 {
		t.Errorf("y axis from %g, want 0", p.Y.Min)
	}
	// The transformer's curve spans more than half of the axis.
	if span := (tf.Y[0] - tf.Y[10]) / (p.Y.Max - p.Y.Min); span < 0.4 {
		t.Errorf("transformer spans %.2f of the axis, want >= 0.4", span)
	}
	svg, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	if txt := svgText(t, svg); !strings.Contains(txt, "off scale, up to 655") {
		t.Errorf("legend does not mark the outlier: %q", txt)
	}
	// Without the outlier the axis is left to autoscale.
	ls.Y[1], ls.Hi[1] = 0.4, 0.45
	f = ICLCurves("no outlier", 1, tf, ls)
	if _, clipped := f.ceiling(); clipped {
		t.Error("clipped without an outlier")
	}
	// An error above the zero predictor but within 3x of it stays in view
	// (a model failing out of distribution, 1.5, is a result, not an outlier).
	ls.Y[1] = 1.5
	f = ICLCurves("high but in range", 1, tf, ls)
	if b, _ := f.build(); b.main.Y.Max < 1.5 {
		t.Errorf("y axis up to %g hides 1.5", b.main.Y.Max)
	}
}

// Roles give distinct line styles: every baseline its own dash pattern, every
// series its own marker shape, references drawn last (on top).
func TestRoleStyles(t *testing.T) {
	f := ICLCurves("roles", 1,
		Series{Name: "m1", X: []float64{0, 1}, Y: []float64{1, 0.5}, Role: RoleModel},
		Series{Name: "m2", X: []float64{0, 1}, Y: []float64{1, 0.5}, Role: RoleModel},
		Series{Name: "b1", X: []float64{0, 1}, Y: []float64{1, 0.5}, Role: RoleBaseline},
		Series{Name: "b2", X: []float64{0, 1}, Y: []float64{1, 0.5}, Role: RoleBaseline},
		Series{Name: "r", X: []float64{0, 1}, Y: []float64{1, 0.5}, Role: RoleReference})
	st := f.styles()
	if st[0].line.Dashes != nil || st[1].line.Dashes != nil {
		t.Error("models dashed")
	}
	if len(st[2].line.Dashes) == 0 || len(st[3].line.Dashes) == 0 || fmt.Sprint(st[2].line.Dashes) == fmt.Sprint(st[3].line.Dashes) {
		t.Errorf("baselines' dashes %v and %v, want two distinct patterns", st[2].line.Dashes, st[3].line.Dashes)
	}
	shapes := map[string]bool{}
	for _, s := range st {
		shapes[fmt.Sprintf("%T", s.glyph.Shape)] = true
	}
	if len(shapes) != len(st) {
		t.Errorf("%d marker shapes for %d series", len(shapes), len(st))
	}
	if !(st[4].layer > st[0].layer && st[0].layer > st[2].layer) {
		t.Errorf("layers: reference %d, model %d, baseline %d; want reference on top, baselines beneath", st[4].layer, st[0].layer, st[2].layer)
	}
	for i, s := range st {
		if s.line.Color != PaletteColor(i) {
			t.Errorf("series %d colour %v, want palette %v", i, s.line.Color, PaletteColor(i))
		}
	}
	// Markers of lines lying on one another are staggered.
	if a, b := markerIndices(41, 0, 3), markerIndices(41, 1, 3); len(a) > maxMarkers || a[0] == b[0] {
		t.Errorf("markers %v and %v: want at most %d, staggered", a, b, maxMarkers)
	}
}
