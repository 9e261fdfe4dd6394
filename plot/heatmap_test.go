package plot

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// sampleHeatmap is an E8-like heat map: a probe's accuracy for 7 layers at
// 9 positions, and a reference row (the Bayes classifier) drawn apart.
func sampleHeatmap() *Heatmap {
	cols := []string{"0", "1", "2", "3", "4", "6", "8", "12", "16"}
	rows := []string{"embedding", "block 1", "block 2", "block 3", "block 4", "block 5", "block 6", "Bayes classifier"}
	var vals [][]float64
	for i := range rows {
		var r []float64
		for j := range cols {
			v := 0.5 + 0.5*float64(i*j)/float64((len(rows)-1)*(len(cols)-1))
			r = append(r, v)
		}
		vals = append(vals, r)
	}
	return &Heatmap{Title: "E8: probe accuracy of the class, mixture model (held-out prompts)", XLabel: "in-context examples", YLabel: "layer",
		Cols: cols, Rows: rows, Values: vals, Min: 0.5, Max: 1, ColorLabel: "held-out accuracy", Apart: 1}
}

// A heat map renders at the report's widths (the default, which the report
// shrinks to 560 px in a 600 px window, and 420 pt, 560 px at 1:1) with
// every label and every cell's number drawn whole inside the canvas, each
// number inside its cell, no text under 9 pt, and a PNG the SVG's size.
func TestHeatmapRender(t *testing.T) {
	for _, w := range []vg.Length{DefaultWidth, narrowWidth} {
		h := sampleHeatmap()
		h.Width = w
		svg, err := h.Render("svg")
		if err != nil {
			t.Fatal(err)
		}
		checkInside(t, svg)
		sw, sh := svgSize(t, svg)
		if sw != w.Points() {
			t.Errorf("width %v: svg %g pt wide", w, sw)
		}
		texts := svgTexts(t, svg)
		all := svgText(t, svg)
		for _, s := range append(append([]string{h.XLabel, h.YLabel, h.ColorLabel}, h.Rows...), h.Cols...) {
			if !strings.Contains(all, s) {
				t.Errorf("width %v: label %q missing", w, s)
			}
		}
		if !strings.Contains(strings.ReplaceAll(all, "\n", " "), h.Title) {
			t.Errorf("width %v: title missing", w)
		}
		l := h.layout()
		var cells int
		for _, e := range texts {
			if e.size < 9 {
				t.Errorf("width %v: text %q at %v pt", w, e.s, e.size)
			}
			if e.size != heatCellFont {
				continue
			}
			cells++
			x0, y0, x1, y1 := e.box()
			j := int((x0 - l.gridX.Points()) / l.cellW.Points())
			left := l.gridX.Points() + float64(j)*l.cellW.Points()
			if x0 < left || x1 > left+l.cellW.Points() {
				t.Errorf("width %v: number %q [%.1f, %.1f] leaves its cell [%.1f, %.1f]", w, e.s, x0, x1, left, left+l.cellW.Points())
			}
			in := false
			for _, top := range l.rowTop {
				in = in || (y0 >= top.Points() && y1 <= (top+HeatCellHeight).Points())
			}
			if !in {
				t.Errorf("width %v: number %q [%.1f, %.1f] is not inside a row", w, e.s, y0, y1)
			}
		}
		if want := len(h.Rows) * len(h.Cols); cells != want {
			t.Errorf("width %v: %d numbers in cells, want %d", w, cells, want)
		}
		b, err := h.Render("png")
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		px := func(pt float64) int { return int(math.Round(pt / 72 * DefaultDPI)) }
		if r := img.Bounds(); r.Dx() != px(sw) || r.Dy() != px(sh) {
			t.Errorf("width %v: png %dx%d, svg %g x %g pt", w, r.Dx(), r.Dy(), sw, sh)
		}
	}
}

// Cells take the viridis colour of their value on [Min, Max], values
// beyond it the nearest end's, and NaN the missing grey without a number.
func TestHeatmapColors(t *testing.T) {
	h := &Heatmap{Cols: []string{"a", "b", "c", "d", "e"}, Rows: []string{"r"}, Min: 0, Max: 1,
		Values: [][]float64{{0, 1, 2, -1, math.NaN()}}}
	svg, err := h.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	fill := func(c color.NRGBA) string { return fmt.Sprintf("fill:#%02X%02X%02X\"", c.R, c.G, c.B) }
	count := func(c color.NRGBA) int { return bytes.Count(svg, []byte(fill(c))) }
	// Each end colour: two cells (one in range, one beyond), plus the
	// colour bar's band at that end when it rounds to the same colour.
	if n := count(viridis[0]); n < 2 {
		t.Errorf("%d fills of the low colour, want >= 2 (0 and -1)", n)
	}
	if n := count(viridis[len(viridis)-1]); n < 2 {
		t.Errorf("%d fills of the high colour, want >= 2 (1 and 2)", n)
	}
	if n := count(missingColor); n != 1 {
		t.Errorf("%d fills of the missing colour, want 1 (NaN)", n)
	}
	texts := svgTexts(t, svg)
	var nums []string
	for _, e := range texts {
		if e.size == heatCellFont {
			nums = append(nums, e.s)
		}
	}
	if strings.Join(nums, " ") != "0.00 1.00 2.00 -1.00" {
		t.Errorf("cell numbers %q, want 0.00 1.00 2.00 -1.00 (none for NaN)", nums)
	}
}

// Viridis runs from dark purple to yellow, growing lighter all the way
// (what makes it readable in grey), clamped outside [0, 1].
func TestViridis(t *testing.T) {
	if got := Viridis(0); got != viridis[0] {
		t.Errorf("Viridis(0) = %v", got)
	}
	if got := Viridis(1); got != viridis[9] {
		t.Errorf("Viridis(1) = %v", got)
	}
	for _, v := range []float64{-3, math.NaN()} {
		if got := Viridis(v); got != viridis[0] {
			t.Errorf("Viridis(%g) = %v, want the low end", v, got)
		}
	}
	if got := Viridis(7); got != viridis[9] {
		t.Errorf("Viridis(7) = %v, want the high end", got)
	}
	if got, want := Viridis(1.0/9), viridis[1]; got != want {
		t.Errorf("Viridis(1/9) = %v, want the second sample %v", got, want)
	}
	prev := -1.0
	for k := 0; k <= 100; k++ {
		l := luminance(Viridis(float64(k) / 100))
		if l <= prev {
			t.Fatalf("luminance %.4f at t = %.2f after %.4f: not increasing", l, float64(k)/100, prev)
		}
		prev = l
	}
}

// Cells too narrow for their numbers show none (the colours still do).
func TestHeatmapNarrowCells(t *testing.T) {
	h := &Heatmap{Rows: []string{"a", "b"}}
	for j := range 60 {
		h.Cols = append(h.Cols, fmt.Sprint(j))
	}
	h.Values = [][]float64{make([]float64, 60), make([]float64, 60)}
	h.Values[0][0] = 123.456
	if h.layout().annotate {
		t.Fatal("60 columns at the default width: numbers annotated")
	}
	svg, err := h.Render("svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range svgTexts(t, svg) {
		if e.size == heatCellFont {
			t.Errorf("number %q drawn in a cell too narrow for it", e.s)
		}
	}
	h.Digits = -1
	h.Cols, h.Values = h.Cols[:3], [][]float64{{1, 2, 3}, {4, 5, 6}}
	if h.layout().annotate {
		t.Error("Digits < 0: numbers annotated")
	}
}

func TestHeatmapInvalid(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(h *Heatmap)
		want string
	}{
		{"no rows", func(h *Heatmap) { h.Rows, h.Values = nil, nil }, "no finite data"},
		{"rows", func(h *Heatmap) { h.Values = h.Values[1:] }, "rows of values"},
		{"columns", func(h *Heatmap) { h.Values[2] = h.Values[2][1:] }, "row 2 (block 2) has 8 values"},
		{"apart", func(h *Heatmap) { h.Apart = len(h.Rows) }, "Apart"},
		{"scale", func(h *Heatmap) { h.Min, h.Max = 1, 0.5 }, "colour scale"},
		{"dpi", func(h *Heatmap) { h.DPI = -1 }, "DPI"},
		{"all NaN", func(h *Heatmap) {
			h.Min, h.Max = 0, 0
			for _, r := range h.Values {
				for j := range r {
					r[j] = math.NaN()
				}
			}
		}, "no finite data"},
	} {
		h := sampleHeatmap()
		c.edit(h)
		_, err := h.Render("svg")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := sampleHeatmap().Render("pdf"); err == nil {
		t.Error("format pdf accepted")
	}
	h := sampleHeatmap()
	h.Rows, h.Values = nil, nil
	if _, err := h.Render("png"); !errors.Is(err, ErrNoData) {
		t.Errorf("no rows: %v, want ErrNoData", err)
	}
}

// Equal heat maps give equal bytes, and Save writes both formats.
func TestHeatmapDeterministicSave(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "heat")
	if err := sampleHeatmap().Save(base); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"svg", "png"} {
		a, err := sampleHeatmap().Render(format)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(base + "." + format)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: Save and Render differ, or two renders differ", format)
		}
	}
	// An automatic scale spans the finite values; a single value gets a
	// unit range around it.
	h := &Heatmap{Rows: []string{"r"}, Cols: []string{"a", "b"}, Values: [][]float64{{0.2, math.NaN()}}}
	if lo, hi, ok := h.scale(); !ok || lo != -0.3 || hi != 0.7 {
		t.Errorf("scale of one value 0.2: [%g, %g] %v, want [-0.3, 0.7]", lo, hi, ok)
	}
}

// A Figure holding a heat map renders as the heat map, and sizes as it.
func TestFigureHeatmap(t *testing.T) {
	f := &Figure{Heatmap: sampleHeatmap()}
	for _, format := range []string{"svg", "png"} {
		a, err := f.Render(format)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sampleHeatmap().Render(format)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the figure's rendering is not the heat map's", format)
		}
	}
	fw, fh, err := f.Size()
	hw, hh, _ := sampleHeatmap().Size()
	if err != nil || fw != hw || fh != hh {
		t.Errorf("figure size %v x %v (%v), heat map %v x %v", fw, fh, err, hw, hh)
	}
}
