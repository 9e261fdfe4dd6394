package plot

import (
	"image/color"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one line of the legend: a label and the thumbnails
// (band, line, marker) drawn on top of one another before it.
type legendEntry struct {
	label  string
	thumbs []gplot.Thumbnailer
}

// Legend metrics.
const (
	legendFontSize = 10
	thumbW         = vg.Length(22) // thumbnail width
	thumbGap       = vg.Length(4)  // thumbnail to text
	rowGap         = vg.Length(3)  // between entries, vertically
	colGap         = vg.Length(14) // between columns of a legend below the plot
	lineGap        = vg.Length(1)  // between the lines of a wrapped label
	// besideMax: a legend goes beside the plot only when its column is
	// at most this fraction of the figure's width.
	besideMax = 1.0 / 3
)

func legendStyle() text.Style {
	return text.Style{Font: font.From(sansFont, legendFontSize), Handler: gplot.DefaultTextHandler, Color: color.Black}
}

// lineHeight is the height of one line of text in sty.
func lineHeight(sty text.Style) vg.Length {
	e := sty.FontExtents()
	return e.Ascent + e.Descent
}

// placed is a legend entry at its place in the legend's box: x from the
// box's left, y down from its top.
type placed struct {
	e     *legendEntry
	lines []string
	x, y  vg.Length
}

// legendBox is a laid-out legend, w x h.
type legendBox struct {
	entries []placed
	w, h    vg.Length
}

// entrySize returns the size of an entry whose label has the given lines.
func entrySize(sty text.Style, lines []string) (w, h vg.Length) {
	for _, l := range lines {
		w = max(w, sty.Width(l))
	}
	n := vg.Length(len(lines))
	return thumbW + thumbGap + w, n*lineHeight(sty) + (n-1)*lineGap
}

// column lays the entries out in one column, each label on one line.
func column(sty text.Style, es []legendEntry) legendBox {
	var b legendBox
	for i := range es {
		lines := []string{es[i].label}
		w, h := entrySize(sty, lines)
		if i > 0 {
			b.h += rowGap
		}
		b.entries = append(b.entries, placed{e: &es[i], lines: lines, y: b.h})
		b.w, b.h = max(b.w, w), b.h+h
	}
	return b
}

// grid lays the entries out in rows within width avail, in as many
// columns as fit (each as wide as its widest entry) and as few as give the
// same number of rows, entries in reading order. A label wider than avail
// wraps onto further lines.
func grid(sty text.Style, es []legendEntry, avail vg.Length) legendBox {
	n := len(es)
	lines := make([][]string, n)
	ws, hs := make([]vg.Length, n), make([]vg.Length, n)
	for i := range es {
		lines[i] = wrapText(sty, es[i].label, avail-thumbW-thumbGap)
		ws[i], hs[i] = entrySize(sty, lines[i])
	}
	widths := func(ncols int) ([]vg.Length, vg.Length) {
		cw := make([]vg.Length, ncols)
		for i := range es {
			cw[i%ncols] = max(cw[i%ncols], ws[i])
		}
		total := vg.Length(ncols-1) * colGap
		for _, w := range cw {
			total += w
		}
		return cw, total
	}
	ncols := 1
	for c := n; c > 1; c-- {
		if _, total := widths(c); total <= avail {
			ncols = c
			break
		}
	}
	if ncols > 1 {
		rows := (n + ncols - 1) / ncols
		ncols = (n + rows - 1) / rows
	}
	cw, total := widths(max(ncols, 1))
	var b legendBox
	b.w = total
	for r := 0; r*ncols < n; r++ {
		if r > 0 {
			b.h += rowGap
		}
		var x, rh vg.Length
		for c := 0; c < ncols && r*ncols+c < n; c++ {
			i := r*ncols + c
			b.entries = append(b.entries, placed{e: &es[i], lines: lines[i], x: x, y: b.h})
			x += cw[c] + colGap
			rh = max(rh, hs[i])
		}
		b.h += rh
	}
	return b
}

// wrapText breaks s into lines no wider than max in sty, at spaces; a word
// wider than max alone is broken inside. Nothing is dropped.
func wrapText(sty text.Style, s string, max vg.Length) []string {
	if sty.Width(s) <= max {
		return []string{s}
	}
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		for sty.Width(w) > max {
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			r := []rune(w)
			k := len(r) - 1
			for k > 1 && sty.Width(string(r[:k])) > max {
				k--
			}
			lines = append(lines, string(r[:k]))
			w = string(r[k:])
		}
		switch {
		case cur == "":
			cur = w
		case sty.Width(cur+" "+w) <= max:
			cur += " " + w
		default:
			lines = append(lines, cur)
			cur = w
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// draw draws the legend with its box's top-left corner at (x0, top).
func (b legendBox) draw(c draw.Canvas, sty text.Style, x0, top vg.Length) {
	lh := lineHeight(sty)
	asc := sty.FontExtents().Ascent
	face := sty.Handler.Cache().Lookup(sty.Font, sty.Font.Size)
	for _, p := range b.entries {
		y := top - p.y
		icon := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x0 + p.x, Y: y - lh},
			Max: vg.Point{X: x0 + p.x + thumbW, Y: y},
		}}
		for _, t := range p.e.thumbs {
			t.Thumbnail(&icon)
		}
		c.SetColor(sty.Color)
		for k, line := range p.lines {
			base := y - asc - vg.Length(k)*(lh+lineGap)
			c.FillString(face, vg.Point{X: x0 + p.x + thumbW + thumbGap, Y: base}, line)
		}
	}
}
