package plot

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	gplot "gonum.org/v1/plot"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// built is a figure's plot panels and legend entries, before layout.
type built struct {
	main, zoom *gplot.Plot // zoom: nil without a Zoom
	entries    []legendEntry
}

// build assembles the gonum plots of a figure's panels and its legend.
func (f *Figure) build() (*built, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	mv, ok := f.mainView()
	if !ok {
		return nil, ErrNoData
	}
	styles := f.styles()
	main, info, err := f.panel(mv, styles, nil)
	if err != nil {
		return nil, err
	}
	main.Title.Text = f.Title
	b := &built{main: main}
	if z := f.Zoom; z != nil {
		g, gv := f, mv
		if z.LogY && !f.LogY {
			c := *f
			c.LogY, c.YMin, c.YMax = true, 0, 0
			if gv, ok = c.mainView(); !ok {
				return nil, ErrNoData
			}
			g = &c
		}
		b.zoom, _, err = g.panel(g.zoomView(gv), styles, z)
		if err != nil {
			return nil, err
		}
		b.zoom.Title.Text = zoomTitle(f.XLabel, z)
		b.zoom.Title.TextStyle.Font = font.From(sansFont, 11)
		b.zoom.Title.Padding = vg.Points(5)
	}

	for i, s := range f.Series {
		if s.Name == "" {
			continue
		}
		st := styles[i]
		var thumbs []gplot.Thumbnailer
		if info[i].band {
			thumbs = append(thumbs, &plotter.Polygon{Color: translucent(st.line.Color), LineStyle: draw.LineStyle{Width: 0}})
		}
		thumbs = append(thumbs, &plotter.Line{LineStyle: st.line})
		if st.marks {
			thumbs = append(thumbs, &plotter.Scatter{GlyphStyle: st.glyph})
		}
		b.entries = append(b.entries, legendEntry{label: s.Name + info[i].note(), thumbs: thumbs})
	}
	for i, s := range f.Points {
		if s.Name == "" {
			continue
		}
		in := info[len(f.Series)+i]
		b.entries = append(b.entries, legendEntry{label: s.Name + in.note(),
			thumbs: []gplot.Thumbnailer{&plotter.Scatter{GlyphStyle: f.pointGlyph(i)}}})
	}
	for _, h := range f.HLines {
		if h.Name != "" && f.okY(h.Y) {
			b.entries = append(b.entries, legendEntry{label: h.Name,
				thumbs: []gplot.Thumbnailer{&plotter.Line{LineStyle: hlineStyle(h)}}})
		}
	}
	return b, nil
}

// zoomTitle names a zoom panel by its x range.
func zoomTitle(xlabel string, z *Zoom) string {
	if xlabel == "" {
		xlabel = "x"
	}
	return fmt.Sprintf("detail: %s from %s to %s", xlabel, FormatNumber(z.XMin), FormatNumber(z.XMax))
}

// seriesInfo is what a panel drew of one series (or points).
type seriesInfo struct {
	n        int     // points drawn
	up, down float64 // the extreme off-scale values above and below; NaN for none
	band     bool    // a band was drawn
}

// note is the legend's remark on a series: no data, or off scale.
func (in seriesInfo) note() string {
	switch {
	case in.n == 0:
		return " (no data)"
	case !math.IsNaN(in.up) && !math.IsNaN(in.down):
		return " (off scale: up to " + FormatNumber(in.up) + ", down to " + FormatNumber(in.down) + ")"
	case !math.IsNaN(in.up):
		return " (off scale, up to " + FormatNumber(in.up) + ")"
	case !math.IsNaN(in.down):
		return " (off scale, down to " + FormatNumber(in.down) + ")"
	}
	return ""
}

func (f *Figure) pointGlyph(i int) draw.GlyphStyle {
	col := f.Points[i].Color
	if col == nil {
		col = PaletteColor(len(f.Series) + i)
	}
	return draw.GlyphStyle{Color: col, Radius: vg.Points(3.2), Shape: glyphs[i%len(glyphs)]}
}

func hlineStyle(h HLine) draw.LineStyle {
	ls := lineStyle(refColor, h.Dashed)
	ls.Width = vg.Points(1.2)
	if h.Name == "" {
		ls.Color = faintRef
		ls.Width = vg.Points(0.8)
	}
	return ls
}

// newPlot returns an empty gonum plot with the figure's axes, fonts and
// ticks.
func (f *Figure) newPlot() *gplot.Plot {
	p := gplot.New()
	p.Title.TextStyle.Font = font.From(sansFont, 13)
	p.Title.Padding = vg.Points(8)
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sansFont, 11)
		a.Tick.Label.Font = font.From(sansFont, 9.5)
		a.Padding = vg.Points(3)
	}
	p.X.Label.Text = f.XLabel
	// The y label is drawn by drawFigure: gonum reserves room for it at the
	// arithmetic middle of the axis range, which on a log axis lies near
	// the top and leaves a large empty margin above the data.
	p.X.Tick.Marker = niceTicks{n: 6}
	p.Y.Tick.Marker = niceTicks{n: 6}
	if f.LogX {
		p.X.Scale = gplot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if f.LogY {
		p.Y.Scale = gplot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	if len(f.XTicks) > 0 {
		ts := make(gplot.ConstantTicks, len(f.XTicks))
		for i, x := range f.XTicks {
			ts[i] = gplot.Tick{Value: x, Label: FormatNumber(x)}
		}
		p.X.Tick.Marker = ts
	}
	return p
}

// xExtent is the x range of the drawn data, over which reference lines run.
func (f *Figure) xExtent() (float64, float64) {
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, ss := range [][]Series{f.Series, f.Points} {
		for _, s := range ss {
			for j, x := range s.X {
				if f.okX(x) && f.drawY(s.Y[j]) {
					xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
				}
			}
		}
	}
	if xmin == xmax {
		xmin, xmax = xmin-0.5, xmax+0.5
		if f.LogX {
			xmin, xmax = xmax/2, xmax*2
		}
	}
	return xmin, xmax
}

// panel builds one panel: the main plot (z nil) or the zoom panel, with y
// range v. It returns what it drew of each series and then each Points.
func (f *Figure) panel(v view, styles []style, z *Zoom) (*gplot.Plot, []seriesInfo, error) {
	p := f.newPlot()
	grid := plotter.NewGrid()
	grid.Vertical = draw.LineStyle{Color: gridColor, Width: vg.Points(0.5)}
	grid.Horizontal = grid.Vertical
	if z == nil && f.Zoom != nil {
		p.Add(zoomSpan{f.Zoom.XMin, f.Zoom.XMax})
	}
	p.Add(grid)
	inX := func(x float64) bool { return z == nil || (x >= z.XMin && x <= z.XMax) }

	info := make([]seriesInfo, 0, len(f.Series)+len(f.Points))
	var bands []gplot.Plotter
	var layers [5][]gplot.Plotter // by Role.layer; layer 4: scatter points
	var marks edgeMarks
	// offScale records an off-scale value y of a series.
	offScale := func(in *seriesInfo, y float64, off int) {
		switch {
		case off > 0 && (math.IsNaN(in.up) || y > in.up):
			in.up = y
		case off < 0 && (math.IsNaN(in.down) || y < in.down):
			in.down = y
		}
	}
	for i, s := range f.Series {
		st := styles[i]
		in := seriesInfo{up: math.NaN(), down: math.NaN()}
		if s.Lo != nil {
			ok := func(j int) bool {
				return f.okX(s.X[j]) && finite(s.Lo[j]) && finite(s.Hi[j]) && (!f.LogY || s.Hi[j] > 0)
			}
			for _, sg := range segments(len(s.X), ok) {
				ring := make(plotter.XYs, 0, 2*(sg[1]-sg[0]))
				for j := sg[0]; j < sg[1]; j++ {
					hi, _ := v.place(s.Hi[j])
					ring = append(ring, plotter.XY{X: s.X[j], Y: hi})
				}
				for j := sg[1] - 1; j >= sg[0]; j-- {
					lo := s.Lo[j]
					if f.LogY && lo <= 0 {
						lo = 0 // below any floor
					}
					lo, _ = v.place(lo)
					ring = append(ring, plotter.XY{X: s.X[j], Y: lo})
				}
				poly, err := plotter.NewPolygon(ring)
				if err != nil {
					return nil, nil, fmt.Errorf("plot: series %q band: %w", s.Name, err)
				}
				poly.Color = translucent(st.line.Color)
				poly.LineStyle.Width = 0
				bands = append(bands, poly)
				in.band = true
			}
		}
		for _, sg := range segments(len(s.X), func(j int) bool { return f.okX(s.X[j]) && f.drawY(s.Y[j]) }) {
			xy := make(plotter.XYs, 0, sg[1]-sg[0])
			offs := make([]int, 0, sg[1]-sg[0])
			for j := sg[0]; j < sg[1]; j++ {
				y, off := v.place(s.Y[j])
				if off != 0 && inX(s.X[j]) {
					offScale(&in, s.Y[j], off)
				}
				xy = append(xy, plotter.XY{X: s.X[j], Y: y})
				offs = append(offs, off)
			}
			in.n += len(xy)
			marks = append(marks, runMarks(xy, offs, st.line.Color, inX)...)
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, nil, fmt.Errorf("plot: series %q: %w", s.Name, err)
			}
			l.LineStyle = st.line
			layers[st.layer] = append(layers[st.layer], unpadded{l})
			if st.marks || len(xy) == 1 {
				idx := []int{0}
				if len(xy) > 1 {
					idx = markerIndices(len(xy), i, len(f.Series))
				}
				var pts plotter.XYs
				for _, j := range idx {
					if offs[j] == 0 && inX(xy[j].X) {
						pts = append(pts, xy[j])
					}
				}
				if len(pts) == 0 {
					continue
				}
				sc, err := plotter.NewScatter(pts)
				if err != nil {
					return nil, nil, fmt.Errorf("plot: series %q: %w", s.Name, err)
				}
				sc.GlyphStyle = st.glyph
				layers[st.layer] = append(layers[st.layer], sc)
			}
		}
		info = append(info, in)
	}
	for i, s := range f.Points {
		in := seriesInfo{up: math.NaN(), down: math.NaN()}
		var xy plotter.XYs
		for j := range s.X {
			if !f.okX(s.X[j]) || !f.drawY(s.Y[j]) {
				continue
			}
			in.n++
			if _, off := v.place(s.Y[j]); off != 0 {
				if inX(s.X[j]) {
					offScale(&in, s.Y[j], off)
				}
				continue
			}
			if inX(s.X[j]) {
				xy = append(xy, plotter.XY{X: s.X[j], Y: s.Y[j]})
			}
		}
		if len(xy) > 0 {
			sc, err := plotter.NewScatter(xy)
			if err != nil {
				return nil, nil, fmt.Errorf("plot: points %q: %w", s.Name, err)
			}
			sc.GlyphStyle = f.pointGlyph(i)
			layers[4] = append(layers[4], sc)
		}
		info = append(info, in)
	}
	ndata := 0
	for _, in := range info {
		ndata += in.n
	}
	if ndata == 0 {
		return nil, nil, ErrNoData
	}
	var refs []gplot.Plotter // reference lines, beneath the data
	x0, x1 := f.xExtent()
	for _, h := range f.HLines {
		if !f.okY(h.Y) {
			continue
		}
		l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: h.Y}, {X: x1, Y: h.Y}})
		if err != nil {
			return nil, nil, fmt.Errorf("plot: hline %q: %w", h.Name, err)
		}
		l.LineStyle = hlineStyle(h)
		refs = append(refs, unpadded{l})
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
	if len(marks) > 0 {
		p.Add(marks)
	}
	f.setRange(p, v, z)
	return p, info, nil
}

// runMarks returns an edge mark for each run of consecutive off-scale
// points of a line, at the first point of the run within the panel's x
// range: where the line leaves the panel.
func runMarks(xy plotter.XYs, offs []int, col color.Color, inX func(float64) bool) []edgeMark {
	var ms []edgeMark
	for j := 0; j < len(xy); {
		if offs[j] == 0 {
			j++
			continue
		}
		k, at := j, -1
		for ; k < len(xy) && offs[k] == offs[j]; k++ {
			if at < 0 && inX(xy[k].X) {
				at = k
			}
		}
		if at >= 0 {
			ms = append(ms, edgeMark{x: xy[at].X, up: offs[j] > 0, col: col})
		}
		j = k
	}
	return ms
}

// setRange sets a panel's axis ranges: the fixed ends of its view, 0 on
// a ZeroBased linear axis, the zoom's x range; it keeps a non-empty range
// when a clip excludes all data.
func (f *Figure) setRange(p *gplot.Plot, v view, z *Zoom) {
	if z != nil {
		p.X.Min, p.X.Max = z.XMin, z.XMax
	}
	if f.ZeroBased && !f.LogY && !v.fixLo {
		p.Y.Min = math.Min(p.Y.Min, 0)
	}
	if f.ZeroBased && !f.LogY && !v.fixHi {
		p.Y.Max = math.Max(p.Y.Max, 0)
	}
	if v.fixLo {
		p.Y.Min = v.lo
		if !v.fixHi && p.Y.Max <= p.Y.Min {
			p.Y.Max = p.Y.Min + 1
			if f.LogY {
				p.Y.Max = p.Y.Min * 10
			}
		}
	}
	if v.fixHi {
		p.Y.Max = v.hi
		if p.Y.Min >= p.Y.Max {
			p.Y.Min = p.Y.Max - 1
			if f.LogY {
				p.Y.Min = p.Y.Max / 10
			}
		}
	}
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
