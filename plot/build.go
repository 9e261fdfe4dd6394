package plot

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"

	gplot "gonum.org/v1/plot"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// build assembles the gonum plot and the legend drawn outside it, for a
// figure w wide.
func (f *Figure) build(w vg.Length) (*gplot.Plot, *gplot.Legend, error) {
	if err := f.validate(); err != nil {
		return nil, nil, err
	}
	p := gplot.New()
	p.Title.Text = f.Title
	p.Title.TextStyle.Font = font.From(sansFont, 13)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 11)
		a.Tick.Label.Font = font.From(sansFont, 9.5)
		a.Padding = vg.Points(3)
	}
	p.X.Label.Text = f.XLabel
	// The y label is drawn by drawTo: gonum reserves room for it at the
	// arithmetic middle of the axis range, which on a log axis lies near
	// the top and leaves a large empty margin above the data.
	p.X.Tick.Marker = niceTicks{n: 6}
	p.Y.Tick.Marker = niceTicks{n: 6}
	if f.LogX {
		p.X.Scale = gplot.LogScale{}
		p.X.Tick.Marker = inRange{gplot.LogTicks{Prec: -1}}
	}
	if f.LogY {
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = inRange{gplot.LogTicks{Prec: -1}}
	}
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	grid.Horizontal = grid.Vertical
	p.Add(grid)

	leg := gplot.NewLegend()
	leg.TextStyle.Font = font.From(sansFont, 10)
	leg.Top, leg.Left = true, true
	leg.ThumbnailWidth = vg.Points(22)
	leg.Padding = vg.Points(3)
	// Legend names longer than the legend strip (see drawTo) end in an
	// ellipsis rather than running off the figure.
	fit := func(name string) string {
		return fitText(leg.TextStyle, name, legendMax(w)-leg.ThumbnailWidth-2*leg.Padding-legendGap)
	}

	// Floor for band lower bounds on a log axis: the smallest positive value.
	logFloor := math.Inf(1)
	if f.LogY {
		for _, s := range append(append([]Series(nil), f.Series...), f.Points...) {
			for _, v := range [][]float64{s.Y, s.Lo, s.Hi} {
				for _, y := range v {
					if f.okY(y) && y < logFloor {
						logFloor = y
					}
				}
			}
		}
		if f.YMin > 0 {
			logFloor = f.YMin
		}
	}

	xmin, xmax := math.Inf(1), math.Inf(-1)
	ndata := 0
	ceil, clipped := f.ceiling()
	var bands []gplot.Plotter
	var layers [5][]gplot.Plotter // by Role.layer; layer 4: scatter points
	styles := f.styles()
	for i, s := range f.Series {
		st := styles[i]
		col := st.line.Color
		ls, gs := st.line, st.glyph
		thumbs := []gplot.Thumbnailer{}
		if s.Lo != nil {
			ok := func(j int) bool {
				return f.okX(s.X[j]) && finite(s.Lo[j]) && finite(s.Hi[j]) && (!f.LogY || s.Hi[j] > 0)
			}
			var band *plotter.Polygon
			for _, sg := range segments(len(s.X), ok) {
				ring := make(plotter.XYs, 0, 2*(sg[1]-sg[0]))
				for j := sg[0]; j < sg[1]; j++ {
					hi := s.Hi[j]
					if clipped {
						hi = math.Min(hi, 2*ceil) // drawn clipped at the axis; keeps the range finite
					}
					ring = append(ring, plotter.XY{X: s.X[j], Y: hi})
				}
				for j := sg[1] - 1; j >= sg[0]; j-- {
					lo := s.Lo[j]
					if f.LogY && lo <= 0 {
						lo = logFloor
					}
					if clipped {
						lo = math.Min(lo, 2*ceil)
					}
					ring = append(ring, plotter.XY{X: s.X[j], Y: lo})
				}
				poly, err := plotter.NewPolygon(ring)
				if err != nil {
					return nil, nil, fmt.Errorf("plot: series %q band: %w", s.Name, err)
				}
				poly.Color = translucent(col)
				poly.LineStyle.Width = 0
				bands = append(bands, poly)
				band = poly
			}
			if band != nil {
				thumbs = append(thumbs, band)
			}
		}
		n, off := 0, math.Inf(-1)
		for _, sg := range segments(len(s.X), func(j int) bool { return f.okX(s.X[j]) && f.okY(s.Y[j]) }) {
			xy := make(plotter.XYs, 0, sg[1]-sg[0])
			for j := sg[0]; j < sg[1]; j++ {
				y := s.Y[j]
				if clipped && y > ceil {
					off = math.Max(off, y)
					y = math.Min(y, 2*ceil) // the line leaves the plot at the top
				}
				xy = append(xy, plotter.XY{X: s.X[j], Y: y})
				xmin, xmax = math.Min(xmin, s.X[j]), math.Max(xmax, s.X[j])
			}
			n += len(xy)
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, nil, fmt.Errorf("plot: series %q: %w", s.Name, err)
			}
			l.LineStyle = ls
			layers[st.layer] = append(layers[st.layer], unpadded{l})
			if st.marks || len(xy) == 1 {
				var in plotter.XYs
				idx := []int{0}
				if len(xy) > 1 {
					idx = markerIndices(len(xy), i, len(f.Series))
				}
				for _, j := range idx {
					if pt := xy[j]; f.inClip(pt.Y) && (!clipped || pt.Y <= ceil) {
						in = append(in, pt)
					}
				}
				if len(in) == 0 {
					continue
				}
				sc, err := plotter.NewScatter(in)
				if err != nil {
					return nil, nil, fmt.Errorf("plot: series %q: %w", s.Name, err)
				}
				sc.GlyphStyle = gs
				layers[st.layer] = append(layers[st.layer], sc)
			}
		}
		ndata += n
		ln := &plotter.Line{LineStyle: ls}
		thumbs = append(thumbs, ln)
		if st.marks {
			thumbs = append(thumbs, &plotter.Scatter{GlyphStyle: gs})
		}
		name := s.Name
		switch {
		case n == 0:
			name += " (no data)"
		case !math.IsInf(off, -1):
			name += " (off scale, up to " + fmtNum(off) + ")"
		}
		if s.Name != "" {
			leg.Add(fit(name), thumbs...)
		}
	}
	for i, s := range f.Points {
		col := s.Color
		if col == nil {
			col = PaletteColor(len(f.Series) + i)
		}
		gs := draw.GlyphStyle{Color: col, Radius: vg.Points(3.2), Shape: glyphs[i%len(glyphs)]}
		var xy plotter.XYs
		for j := range s.X {
			if f.okX(s.X[j]) && f.okY(s.Y[j]) && f.inClip(s.Y[j]) {
				xy = append(xy, plotter.XY{X: s.X[j], Y: s.Y[j]})
				xmin, xmax = math.Min(xmin, s.X[j]), math.Max(xmax, s.X[j])
			}
		}
		ndata += len(xy)
		name := s.Name
		if len(xy) == 0 {
			name += " (no data)"
		} else {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, nil, fmt.Errorf("plot: points %q: %w", s.Name, err)
			}
			sc.GlyphStyle = gs
			layers[4] = append(layers[4], sc)
		}
		if s.Name != "" {
			leg.Add(fit(name), &plotter.Scatter{GlyphStyle: gs})
		}
	}
	if ndata == 0 {
		return nil, nil, ErrNoData
	}
	var refs []gplot.Plotter // reference lines, beneath the data
	for _, h := range f.HLines {
		if !f.okY(h.Y) {
			continue
		}
		x0, x1 := xmin, xmax
		if x0 == x1 {
			x0, x1 = x0-0.5, x1+0.5
			if f.LogX {
				x0, x1 = xmin/2, xmax*2
			}
		}
		l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: h.Y}, {X: x1, Y: h.Y}})
		if err != nil {
			return nil, nil, fmt.Errorf("plot: hline %q: %w", h.Name, err)
		}
		l.LineStyle = lineStyle(refColor, h.Dashed)
		l.LineStyle.Width = vg.Points(1.2)
		if h.Name == "" {
			l.LineStyle.Color = faintRef
			l.LineStyle.Width = vg.Points(0.8)
		}
		refs = append(refs, unpadded{l})
		if h.Name != "" {
			leg.Add(fit(h.Name), &plotter.Line{LineStyle: l.LineStyle})
		}
	}
	p.Add(bands...)
	p.Add(refs...)
	// References are drawn last first: the first reference (a class's
	// Bayes predictor, with the sparsest dots) lands on top, so that where
	// two references coincide the later one shows in its gaps.
	slices.Reverse(layers[RoleReference.layer()])
	for _, l := range layers {
		p.Add(l...)
	}
	if clipped {
		p.Y.Max = ceil
	}

	if f.ZeroBased && !f.LogY {
		p.Y.Min = math.Min(p.Y.Min, 0)
		p.Y.Max = math.Max(p.Y.Max, 0)
	}
	// Clip the y axis; keep a non-empty range when the clip excludes all data.
	if f.YMin != 0 {
		p.Y.Min = f.YMin
		if p.Y.Max <= p.Y.Min {
			p.Y.Max = p.Y.Min + 1
			if f.LogY {
				p.Y.Max = p.Y.Min * 10
			}
		}
	}
	if f.YMax != 0 {
		p.Y.Max = f.YMax
		if p.Y.Min >= p.Y.Max {
			p.Y.Min = p.Y.Max - 1
			if f.LogY {
				p.Y.Min = p.Y.Max / 10
			}
		}
	}
	if f.LogY && p.Y.Min <= 0 {
		p.Y.Min = logFloor
	}
	return p, &leg, nil
}

// fmtNum formats an off-scale value for a legend: 655, 45.2, 3.1e+04.
func fmtNum(v float64) string {
	if math.Abs(v) >= 1e4 {
		return fmt.Sprintf("%.1e", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// unpadded hides a plotter's glyph boxes: gonum shrinks the data area so
// that every glyph box fits, which for lines running past a y clip leaves a
// large empty margin. Lines need no such room; markers keep theirs.
type unpadded struct {
	p interface {
		gplot.Plotter
		gplot.DataRanger
	}
}

func (u unpadded) Plot(c draw.Canvas, p *gplot.Plot) { u.p.Plot(c, p) }

func (u unpadded) DataRange() (xmin, xmax, ymin, ymax float64) { return u.p.DataRange() }

// drawTo draws plot p into c with the legend in a strip on the right.
func drawTo(c draw.Canvas, p *gplot.Plot, leg *gplot.Legend, ylabel string) {
	gap := legendGap
	var lw vg.Length
	if hasEntries(leg, c) {
		lw = min(leg.Rectangle(c).Size().X+gap, legendMax(c.Size().X))
	}
	// The background is white over the whole canvas, legend strip included.
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	var yl vg.Length
	sty := p.Y.Label.TextStyle
	if ylabel != "" {
		yl = sty.Height(ylabel) + vg.Points(6)
	}
	pc := draw.Crop(c, yl, -lw, 0, 0)
	p.Draw(pc)
	da := p.DataCanvas(pc)
	if ylabel != "" {
		sty.Rotation = math.Pi / 2
		sty.XAlign = draw.XCenter
		sty.YAlign = draw.YTop
		c.FillText(sty, vg.Point{X: c.Min.X + vg.Points(3), Y: (da.Min.Y + da.Max.Y) / 2}, ylabel)
	}
	if lw == 0 {
		return
	}
	lc := draw.Crop(c, c.Size().X-lw+gap*0.4, 0, 0, 0)
	leg.YOffs = da.Max.Y - c.Max.Y
	leg.Draw(lc)
}

func hasEntries(leg *gplot.Legend, c draw.Canvas) bool {
	return leg.Rectangle(c).Size().Y > 0
}

// legendGap separates the data area from the legend strip.
const legendGap = vg.Length(16)

// legendMax is the widest legend strip of a figure w wide.
func legendMax(w vg.Length) vg.Length { return w * 0.45 }

// fitText returns s, or its longest prefix followed by an ellipsis, whose
// width in sty is at most max.
func fitText(sty text.Style, s string, max vg.Length) string {
	if sty.Width(s) <= max {
		return s
	}
	r := []rune(s)
	for n := len(r) - 1; n > 0; n-- {
		if t := strings.TrimRight(string(r[:n]), " ") + "…"; sty.Width(t) <= max {
			return t
		}
	}
	return "…"
}
