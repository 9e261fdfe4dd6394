package plot

import (
	"icl/atomicfile"

	"bytes"
	"errors"
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
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Default figure size and PNG resolution.
const (
	DefaultWidth  = 7 * vg.Inch
	DefaultHeight = 4 * vg.Inch
	DefaultDPI    = 150
)

// ErrNoData is returned when a figure has no finite point to draw.
var ErrNoData = errors.New("plot: figure has no finite data to draw")

// DataError reports a slice whose length does not match its series' X.
type DataError struct {
	Series string // series name
	Field  string // "Y", "Lo" or "Hi"
	Len    int    // length found
	Want   int    // len(X)
}

func (e *DataError) Error() string {
	return fmt.Sprintf("plot: series %q: len(%s) = %d, want len(X) = %d", e.Series, e.Field, e.Len, e.Want)
}

// Series is one named curve. Lo and Hi, when both non-nil, give an interval
// band (e.g. a 90% bootstrap interval) drawn as a translucent polygon; they
// must then have len(X) elements, as must Y.
type Series struct {
	Name   string
	X, Y   []float64
	Lo, Hi []float64 // optional interval band, nil for none

	Dashed  bool        // dashed line (e.g. a baseline)
	Markers bool        // draw markers on the line (at most about 12, staggered between series)
	Color   color.Color // nil: the palette colour of the series' index
	// Role says what the curve is; it sets the line style and the draw
	// order (RoleDefault: as Dashed and Markers say, in series order).
	Role Role
}

// Role is what a curve stands for in a figure.
type Role int

const (
	// RoleDefault draws the series as its Dashed and Markers fields say.
	RoleDefault Role = iota
	// RoleModel is a model under study: a solid line with markers, drawn
	// above baselines.
	RoleModel
	// RoleBaseline is a method to compare with (least squares, lasso,
	// nearest neighbours): a dashed line, each baseline its own dash
	// pattern, with markers, drawn beneath the models.
	RoleBaseline
	// RoleReference is what is achievable or true (a Bayes-optimal
	// predictor, a posterior): a dotted line drawn above everything else,
	// so that it stays visible where other curves lie on it.
	RoleReference
	// RoleTruth is a true function: a wide light line drawn beneath
	// everything, so that predictions on top of it leave it visible.
	RoleTruth
)

// layer is the draw order of a role: higher layers are drawn later, on top.
func (r Role) layer() int {
	switch r {
	case RoleTruth:
		return 0
	case RoleBaseline:
		return 1
	case RoleReference:
		return 3
	}
	return 2
}

// HLine is a horizontal reference line across the plotted x range, e.g. the
// zero predictor's error (1 for a normalized error).
type HLine struct {
	Y      float64
	Name   string // legend entry; empty for none
	Dashed bool
}

// Figure is a complete plot description. The zero values of YMin, YMax,
// Width, Height and DPI select automatic or default settings.
type Figure struct {
	Title, XLabel, YLabel string

	Series []Series // lines, with optional bands
	Points []Series // scatter markers only (Lo, Hi, Dashed are ignored)
	HLines []HLine

	LogX, LogY bool
	YMin, YMax float64 // y-axis clip; 0 means automatic
	ZeroBased  bool    // linear y axis always includes 0 (errors)

	Width, Height vg.Length // 0 means DefaultWidth, DefaultHeight
	DPI           int       // PNG resolution; 0 means DefaultDPI

	// linesOnly keeps roles from adding markers (fitted functions, whose
	// markers are the data).
	linesOnly bool
}

// Okabe–Ito colour-blind-safe palette, ordered for contrast on white
// (yellow last).
var palette = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0x00, 0x00, 0x00, 0xFF}, // black
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

// PaletteColor returns the i-th colour of the figure palette, cycling.
// Callers use it to give a method the same colour across figures.
func PaletteColor(i int) color.Color {
	if i < 0 {
		i = -i
	}
	return palette[i%len(palette)]
}

var (
	sansFont  = font.Font{Typeface: "Liberation", Variant: "Sans"}
	gridColor = color.NRGBA{0xD8, 0xD8, 0xD8, 0xFF}
	refColor  = color.NRGBA{0x55, 0x55, 0x55, 0xFF}
	faintRef  = color.NRGBA{0xA0, 0xA0, 0xA0, 0xFF}
	dashes    = []vg.Length{vg.Points(6), vg.Points(3)}
	// Dash patterns of baselines, one per baseline so that lines lying on
	// one another stay distinguishable.
	dashPatterns = [][]vg.Length{
		{vg.Points(6), vg.Points(3)},
		{vg.Points(3.5), vg.Points(2)},
		{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
		{vg.Points(11), vg.Points(4)},
		{vg.Points(4), vg.Points(2), vg.Points(1), vg.Points(2), vg.Points(1), vg.Points(2)},
	}
	// Dotted patterns of references.
	dotPatterns = [][]vg.Length{
		{vg.Points(1.6), vg.Points(2)},
		{vg.Points(1.6), vg.Points(2), vg.Points(5), vg.Points(2)},
		{vg.Points(1.6), vg.Points(4)},
	}
	truthColor = color.NRGBA{0xB8, 0xB8, 0xB8, 0xFF}
	glyphs     = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}}
)

const (
	lineWidth = 1.6 // points
	bandAlpha = 0x38
	// maxMarkers bounds the markers drawn on one line.
	maxMarkers = 12
	// outlierFactor: on an error axis (ZeroBased with a zero-predictor
	// line), data above outlierFactor x the zero line is an outlier, and
	// the axis is cut above the rest of the data (see ceiling).
	outlierFactor = 3.0
)

// style is how one series is drawn.
type style struct {
	line  draw.LineStyle
	glyph draw.GlyphStyle
	marks bool
	layer int
}

// styles returns the style of every series: colours from the Okabe-Ito
// palette by index, a marker shape per series, a dash pattern per
// baseline and a dot pattern per reference.
func (f *Figure) styles() []style {
	out := make([]style, len(f.Series))
	nb, nr := 0, 0
	for i, s := range f.Series {
		col := s.Color
		if col == nil {
			col = PaletteColor(i)
		}
		st := style{line: lineStyle(col, s.Dashed), marks: s.Markers, layer: s.Role.layer(),
			glyph: draw.GlyphStyle{Color: col, Radius: vg.Points(2.8), Shape: glyphs[i%len(glyphs)]}}
		switch s.Role {
		case RoleModel:
			st.line.Dashes, st.line.Width, st.marks = nil, vg.Points(1.8), true
		case RoleBaseline:
			st.line.Dashes, st.line.Width, st.marks = dashPatterns[nb%len(dashPatterns)], vg.Points(1.5), true
			nb++
		case RoleReference:
			st.line.Dashes, st.line.Width = dotPatterns[nr%len(dotPatterns)], vg.Points(1.6)
			nr++
		case RoleTruth:
			if s.Color == nil {
				st.line.Color = truthColor
			}
			st.line.Dashes, st.line.Width = nil, vg.Points(5)
		}
		if f.linesOnly {
			st.marks = s.Markers
		}
		out[i] = st
	}
	return out
}

// markerIndices returns the indices of the points of a line of n points
// that carry markers: at most maxMarkers, evenly spaced, the start shifted
// by the series index so that markers of lines lying on one another do not
// hide each other.
func markerIndices(n, series, nseries int) []int {
	stride := max(1, (n+maxMarkers-1)/maxMarkers)
	off := 0
	if stride > 1 && nseries > 1 {
		off = series * stride / nseries % stride
	}
	var out []int
	for j := off; j < n; j += stride {
		out = append(out, j)
	}
	return out
}

// ceiling returns the top of an error axis that keeps outliers from
// flattening every other curve, and whether one is needed: on a ZeroBased
// linear axis with a zero-predictor line at z and no YMax, data above
// outlierFactor x z are outliers; the axis then ends a little above the
// largest of the other values (and at least a little above z).
func (f *Figure) ceiling() (float64, bool) {
	if !f.ZeroBased || f.LogY || f.YMax != 0 {
		return 0, false
	}
	z := 0.0
	for _, h := range f.HLines {
		if h.Name != "" && finite(h.Y) && h.Y > z {
			z = h.Y
		}
	}
	if z <= 0 {
		return 0, false
	}
	limit := outlierFactor * z
	top, outlier := z, false
	for _, s := range f.Series {
		for _, v := range s.Y {
			switch {
			case !finite(v):
			case v > limit:
				outlier = true
			case v > top:
				top = v
			}
		}
	}
	if !outlier {
		return 0, false
	}
	return 1.1 * top, true
}

// validate checks slice lengths and the y range.
func (f *Figure) validate() error {
	check := func(s *Series) error {
		n := len(s.X)
		if len(s.Y) != n {
			return &DataError{Series: s.Name, Field: "Y", Len: len(s.Y), Want: n}
		}
		if s.Lo != nil || s.Hi != nil {
			if len(s.Lo) != n {
				return &DataError{Series: s.Name, Field: "Lo", Len: len(s.Lo), Want: n}
			}
			if len(s.Hi) != n {
				return &DataError{Series: s.Name, Field: "Hi", Len: len(s.Hi), Want: n}
			}
		}
		return nil
	}
	for i := range f.Series {
		if err := check(&f.Series[i]); err != nil {
			return err
		}
	}
	for i := range f.Points {
		if err := check(&f.Points[i]); err != nil {
			return err
		}
	}
	if f.YMin != 0 && f.YMax != 0 && f.YMin >= f.YMax {
		return fmt.Errorf("plot: figure %q: YMin = %g must be below YMax = %g", f.Title, f.YMin, f.YMax)
	}
	if f.LogY && (f.YMin < 0 || f.YMax < 0) {
		return fmt.Errorf("plot: figure %q: LogY needs YMin, YMax >= 0 (0 = automatic), got %g, %g", f.Title, f.YMin, f.YMax)
	}
	if f.DPI < 0 {
		return fmt.Errorf("plot: figure %q: DPI = %d, want > 0 (or 0 for %d)", f.Title, f.DPI, DefaultDPI)
	}
	return nil
}

// okX and okY report whether a coordinate can be drawn on the figure's axes.
func (f *Figure) okX(x float64) bool { return finite(x) && (!f.LogX || x > 0) }
func (f *Figure) okY(y float64) bool { return finite(y) && (!f.LogY || y > 0) }

// inClip reports whether y lies within the figure's y clip (markers outside
// it are dropped rather than drawn over the axes).
func (f *Figure) inClip(y float64) bool {
	return (f.YMin == 0 || y >= f.YMin) && (f.YMax == 0 || y <= f.YMax)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// segments splits the indices of s into maximal runs where ok(i) holds.
func segments(n int, ok func(i int) bool) [][2]int {
	var segs [][2]int
	start := -1
	for i := 0; i <= n; i++ {
		if i < n && ok(i) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			segs = append(segs, [2]int{start, i})
			start = -1
		}
	}
	return segs
}

func lineStyle(c color.Color, dashed bool) draw.LineStyle {
	ls := draw.LineStyle{Color: c, Width: vg.Points(lineWidth)}
	if dashed {
		ls.Dashes = dashes
	}
	return ls
}

func translucent(c color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return color.NRGBA{n.R, n.G, n.B, bandAlpha}
}

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

func (u unpadded) Plot(c draw.Canvas, p *gplot.Plot)           { u.p.Plot(c, p) }
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

// size returns the figure's size with defaults applied.
func (f *Figure) size() (w, h vg.Length) {
	w, h = f.Width, f.Height
	if w <= 0 {
		w = DefaultWidth
	}
	if h <= 0 {
		h = DefaultHeight
	}
	return w, h
}

// Render returns the figure as "svg" or "png" bytes, at f.Width × f.Height
// (defaults when zero). Equal figures give equal bytes.
func (f *Figure) Render(format string) ([]byte, error) {
	w, h := f.size()
	return f.render(format, w, h)
}

func (f *Figure) render(format string, w, h vg.Length) ([]byte, error) {
	if format != "svg" && format != "png" {
		return nil, fmt.Errorf("plot: format %q not supported (allowed: \"svg\", \"png\")", format)
	}
	p, leg, err := f.build(w)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	switch format {
	case "svg":
		c := vgsvg.New(w, h)
		drawTo(draw.New(c), p, leg, f.YLabel)
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("plot: writing svg: %w", err)
		}
		return fixSVGFonts(buf.Bytes()), nil
	default:
		dpi := f.DPI
		if dpi == 0 {
			dpi = DefaultDPI
		}
		c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
		drawTo(draw.New(c), p, leg, f.YLabel)
		if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("plot: writing png: %w", err)
		}
		return buf.Bytes(), nil
	}
}

// fixSVGFonts adds fallbacks to the font family: text is laid out with
// Liberation Sans metrics, which Arial and Helvetica share, and the fonts
// are not embedded (that would add ~0.5 MB per figure).
func fixSVGFonts(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("font-family:Liberation Sans;"),
		[]byte("font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"))
}

// Save writes pathWithoutExt+".svg" and pathWithoutExt+".png" at w × h
// (zero: the figure's size or the default). Each file is written to a
// temporary file and renamed, so readers never see a partial figure.
func (f *Figure) Save(pathWithoutExt string, w, h vg.Length) error {
	fw, fh := f.size()
	if w <= 0 {
		w = fw
	}
	if h <= 0 {
		h = fh
	}
	for _, format := range []string{"svg", "png"} {
		b, err := f.render(format, w, h)
		if err != nil {
			return err
		}
		if err := writeAtomic(pathWithoutExt+"."+format, b); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(path string, b []byte) error {
	if err := atomicfile.WriteBytes(path, b); err != nil {
		return fmt.Errorf("plot: writing %s: %w", path, err)
	}
	return nil
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
