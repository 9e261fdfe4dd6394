package plot

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// The report shows figures scaled to its text column: 560 px in a 600 px
// window (58rem max, 1.25rem padding each side). A figure drawn for that
// column at 1:1 is 420 pt wide (560 px at 96 px per 72 pt).
const narrowWidth = vg.Length(420)

// svgTextElem is one <text> of an SVG: its string, font size (pt), the
// baseline's left end in SVG coordinates (y down) and whether it is rotated.
type svgTextElem struct {
	s       string
	size    vg.Length
	x, y    float64
	rotated bool
}

// svgTexts parses the <text> elements of an SVG written by vgsvg: text is
// drawn at (x, y) with transform scale(1, -1) inside the canvas group
// scale(1, -1) translate(0, -H), so its baseline is at (x, H + y) from
// the top left; rotated text lies inside a rotate() group.
func svgTexts(t *testing.T, b []byte) []svgTextElem {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var out []svgTextElem
	var rot []bool // per open <g>
	var cur *svgTextElem
	var height float64
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("svg does not parse: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range tk.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch tk.Name.Local {
			case "svg":
				vb := strings.Fields(attr("viewBox"))
				height, _ = strconv.ParseFloat(vb[3], 64)
			case "g":
				r := strings.Contains(attr("transform"), "rotate")
				if len(rot) > 0 && rot[len(rot)-1] {
					r = true
				}
				rot = append(rot, r)
			case "text":
				x, _ := strconv.ParseFloat(attr("x"), 64)
				y, _ := strconv.ParseFloat(attr("y"), 64)
				var size float64
				for _, part := range strings.Split(attr("style"), ";") {
					if v, ok := strings.CutPrefix(strings.TrimSpace(part), "font-size:"); ok {
						size, _ = strconv.ParseFloat(strings.TrimSuffix(v, "px"), 64)
					}
				}
				cur = &svgTextElem{x: x, y: height + y, size: vg.Length(size), rotated: len(rot) > 0 && rot[len(rot)-1]}
			}
		case xml.CharData:
			if cur != nil {
				cur.s += string(tk)
			}
		case xml.EndElement:
			switch tk.Name.Local {
			case "g":
				rot = rot[:len(rot)-1]
			case "text":
				out = append(out, *cur)
				cur = nil
			}
		}
	}
}

// box returns a text's extent (SVG coordinates, y down) from the font
// metrics the drawing uses.
func (e svgTextElem) box() (x0, y0, x1, y1 float64) {
	sty := text.Style{Font: font.From(sansFont, e.size), Handler: gplot.DefaultTextHandler}
	ext := sty.FontExtents()
	return e.x, e.y - ext.Ascent.Points(), e.x + sty.Width(e.s).Points(), e.y + ext.Descent.Points()
}

// svgSize returns the SVG's viewBox width and height.
func svgSize(t *testing.T, b []byte) (w, h float64) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatal("no <svg> element")
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "svg" {
			for _, a := range se.Attr {
				if a.Name.Local == "viewBox" {
					f := strings.Fields(a.Value)
					w, _ = strconv.ParseFloat(f[2], 64)
					h, _ = strconv.ParseFloat(f[3], 64)
					return w, h
				}
			}
		}
	}
}

// checkInside fails when an unrotated text of the SVG reaches past the
// canvas, or two legend texts overlap.
func checkInside(t *testing.T, svg []byte) {
	t.Helper()
	w, h := svgSize(t, svg)
	texts := svgTexts(t, svg)
	const tol = 0.5
	var legend []svgTextElem
	for _, e := range texts {
		if e.rotated {
			continue
		}
		x0, y0, x1, y1 := e.box()
		if x0 < -tol || y0 < -tol || x1 > w+tol || y1 > h+tol {
			t.Errorf("text %q at [%.1f, %.1f] x [%.1f, %.1f] reaches past the canvas %.0f x %.0f", e.s, x0, x1, y0, y1, w, h)
		}
		if e.size == legendFontSize {
			legend = append(legend, e)
		}
	}
	for i, a := range legend {
		ax0, ay0, ax1, ay1 := a.box()
		for _, b := range legend[i+1:] {
			bx0, by0, bx1, by1 := b.box()
			if ax0 < bx1-tol && bx0 < ax1-tol && ay0 < by1-tol && by0 < ay1-tol {
				t.Errorf("legend texts %q and %q overlap", a.s, b.s)
			}
		}
	}
}

// manyLabels is an E1-like figure: seven series with long labels.
func manyLabels() *Figure {
	role := func(s Series, r Role) Series { s.Role = r; return s }
	return ICLCurves("E1: dense linear prompts (d = 8)", 1,
		role(icl("transformer: dense only", 17, 1, 3, 0.08), RoleModel),
		role(icl("transformer: sparse only", 17, 1, 30, 0.08), RoleModel),
		role(icl("transformer: dense_sparse (mixture)", 17, 1, 3.2, 0.08), RoleModel),
		role(icl("least squares", 17, 1, 2, 0.05), RoleBaseline),
		role(icl("lasso (best alpha in hindsight)", 17, 1, 2.5, 0.05), RoleBaseline),
		role(icl("Bayes-optimal", 17, 1, 2.1, 0.02), RoleReference),
		role(icl("Bayes, loss-weighted mixture", 17, 1, 2.2, 0.02), RoleReference))
}

// TestLegendNotClipped600 renders figures with many long labels at the
// default width (which the report shrinks to 560 px in a 600 px window)
// and at 420 pt (560 px at 1:1), and checks in the SVG that every legend
// label is drawn whole, inside the canvas, without overlaps; the PNG has
// the same size.
func TestLegendNotClipped600(t *testing.T) {
	ms := sampleFigures()["modelsel"]
	ms.Series = append(ms.Series, Series{Name: "squared-error posterior p(dense | context)", X: ms.Series[1].X, Y: ms.Series[1].Y, Role: RoleReference})
	ms.Series[1].Name = "loss-weighted posterior p(dense | context)"
	figs := map[string]*Figure{"many labels": manyLabels(), "model selection": ms, "roles": sampleFigures()["roles"]}
	zoomed := manyLabels()
	zoomed.Zoom = &Zoom{XMin: 8, XMax: 16}
	figs["zoomed"] = zoomed
	for name, f := range figs {
		for _, w := range []vg.Length{DefaultWidth, narrowWidth} {
			f.Width = w
			svg, err := f.Render("svg")
			if err != nil {
				t.Fatal(err)
			}
			checkInside(t, svg)
			var legend []string
			for _, e := range svgTexts(t, svg) {
				if e.size == legendFontSize {
					legend = append(legend, e.s)
				}
			}
			joined := strings.Join(legend, " ")
			for _, s := range f.Series {
				if !strings.Contains(joined, s.Name) {
					t.Errorf("%s at %v: label %q not drawn whole; legend: %q", name, w, s.Name, legend)
				}
			}
			sw, sh := svgSize(t, svg)
			if sw != w.Points() || sh < DefaultHeight.Points() {
				t.Errorf("%s at %v: svg %g x %g", name, w, sw, sh)
			}
			b, err := f.Render("png")
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			px := func(pt float64) int { return int(math.Round(pt / 72 * DefaultDPI)) }
			if r := img.Bounds(); r.Dx() != px(sw) || r.Dy() != px(sh) {
				t.Errorf("%s at %v: png %dx%d, svg %g x %g pt", name, w, r.Dx(), r.Dy(), sw, sh)
			}
		}
	}
}

// A legend too wide for a third of the figure goes below the plot, which
// keeps its full size; a short one stays beside it and the figure keeps
// its height.
func TestLegendPlacement(t *testing.T) {
	f := manyLabels()
	w, h := f.size()
	b, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	l := f.layout(b, w, h)
	if !l.below || l.stripW != 0 || l.h <= h || l.plotH != h {
		t.Errorf("many labels: below %v, strip %v, height %v (plot %v)", l.below, l.stripW, l.h, l.plotH)
	}
	rows := map[vg.Length]bool{}
	for _, p := range l.leg.entries {
		rows[p.y] = true
	}
	if len(rows) < 2 || len(rows) >= len(l.leg.entries) {
		t.Errorf("%d legend entries in %d rows, want several columns", len(l.leg.entries), len(rows))
	}
	short := ICLCurves("short", 1, icl("transformer", 11, 1, 3, 0.1), icl("lasso", 11, 1, 2, 0))
	b, _ = short.build()
	if l := short.layout(b, w, h); l.below || l.h != h || l.stripW == 0 {
		t.Errorf("short labels: below %v, height %v, want beside at %v", l.below, l.h, h)
	}
	short.LegendBelow = true
	b, _ = short.build()
	if l := short.layout(b, w, h); !l.below || l.h <= h {
		t.Errorf("LegendBelow: below %v, height %v", l.below, l.h)
	}
	if gw, gh, err := short.Size(); err != nil || gw != w || gh <= h {
		t.Errorf("Size() = %v, %v, %v", gw, gh, err)
	}
}

func TestWrapText(t *testing.T) {
	sty := legendStyle()
	s := "transformer: dense_sparse (mixture) with a long tail of words"
	max := sty.Width("transformer: dense_sparse")
	lines := wrapText(sty, s, max)
	if strings.Join(lines, " ") != s {
		t.Errorf("wrapped %q into %q", s, lines)
	}
	word := "averyveryverylongwordwithoutspacesanywhereinit"
	lines = wrapText(sty, word, sty.Width("averyvery"))
	if strings.Join(lines, "") != word || len(lines) < 3 {
		t.Errorf("broke %q into %q", word, lines)
	}
	for _, l := range lines {
		if sty.Width(l) > sty.Width("averyvery") {
			t.Errorf("line %q wider than the limit", l)
		}
	}
}

// A long title wraps to the width the plot gets.
func TestLongTitleWraps(t *testing.T) {
	f := manyLabels()
	f.Title = "E1: a very long title that says everything about the figure, the prompts, the runs and the classes they were trained on"
	f.Width = narrowWidth
	svg, err := f.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	checkInside(t, svg)
}
