package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
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
//
// Layout. Figures are made for an HTML report that shows them scaled to its
// column: about 888 px wide in a 1280 px window and 560 px in a 600 px one,
// where a 7 in figure (504 pt) is shrunk by 0.83 and its smallest text (9.5
// pt tick labels) is still about 10.5 px. One rendering serves both widths,
// and SVG and PNG share one layout (the same code places everything, with
// the same font metrics); only the width is fixed, the height grows:
//
//   - The plot (title, axes, data area) is Width x Height.
//   - The legend sits beside the data area, on the right, only when every
//     entry fits on one line in a third of the width and the column fits
//     the data area's height; otherwise (or with LegendBelow) it goes below
//     the plot, across the full width, its entries in as many columns as fit
//     and as many rows as needed, and the figure grows by its height. So a
//     legend is never cut off, and a figure with a long legend keeps the full
//     width for its data, which stays legible when the report scales it down.
//   - Legend labels are never shortened: a label wider than the figure wraps
//     onto further lines at spaces (inside a word only when one word alone is
//     wider than the line).
//   - A Zoom adds a second, smaller panel below the plot (0.55 x Height),
//     the same curves over Zoom's x range with their own y axis; the figure
//     grows by its height, and the main panel shades the zoomed x range.
//
// Off-scale values. The y axis can end before the data does: at YMax or
// YMin, at the error ceiling (see ICLCurves: a ZeroBased figure with a named
// reference line z cuts values above 3 z), where a series explodes by more
// than 10 x the 90th percentile of all |y| (any other linear axis), and on a
// log axis at the floor (YMin, or 4 decades below the top when the data go
// further down). A line leaves the panel through the edge there, a small
// triangle in the series' colour marks the edge where it does, and its legend
// entry says "(off scale, up to 1.57e7)" or "(off scale, down to 1e-12)".
// Markers off scale are not drawn; bands are cut at the edges. Numbers are
// printed compactly (FormatNumber).
type Figure struct {
	Title, XLabel, YLabel string

	Series []Series // lines, with optional bands
	Points []Series // scatter markers only (Lo, Hi, Dashed are ignored)
	HLines []HLine

	// LogX and LogY draw the axis on a log scale. Non-positive x are
	// skipped. On a log y axis, non-positive y are skipped, except an exact
	// 0 on a ZeroBased figure (an error of 0), which is off scale below the
	// floor; band bounds at or below 0 are drawn to the floor. Log ticks are
	// labelled at 1, 2 and 5 times powers of ten over up to two decades
	// (E6's frequencies 0.1 to 7), at powers of ten beyond.
	LogX, LogY bool
	// XTicks, when set, are the x axis's labelled ticks (e.g. the budgets
	// a figure's points lie at), in place of the automatic ones.
	XTicks     []float64
	YMin, YMax float64 // y-axis clip; 0 means automatic (on LogY, YMin > 0 sets the floor)
	ZeroBased  bool    // linear y axis always includes 0 (errors)

	// LegendBelow puts the legend below the plot even where it would fit
	// beside it.
	LegendBelow bool
	// Zoom, when not nil, adds a panel showing the x range [XMin, XMax]
	// with its own y axis, where differences that the full axis hides show.
	Zoom *Zoom

	// Width and Height are the plot's size (0: DefaultWidth,
	// DefaultHeight). The rendered figure is Width wide; its height is
	// Height plus the zoom panel and a legend below the plot, if any.
	Width, Height vg.Length
	DPI           int // PNG resolution; 0 means DefaultDPI

	// Heatmap, when set, makes the figure that heat map: Render, Size and
	// Save draw it (Save at its own width), and the fields above are not
	// used.
	Heatmap *Heatmap

	// linesOnly keeps roles from adding markers (fitted functions, whose
	// markers are the data).
	linesOnly bool
}

// Zoom is a detail panel drawn below the plot: every series and reference
// line over x in [XMin, XMax], on the figure's axis scales, with a y axis
// of its own. YMin and YMax fix that axis (0: automatic). Automatically it
// spans the values in the x range (bands included, and 0 on a ZeroBased
// figure), except series far above the rest: sorting the series by their
// largest value in the range, a series more than 4 x the next one's is left
// off scale (at most half of the series), so that a curve that failed does
// not flatten the ones being compared (E1's tail, examples 8 to 16, where
// 0.065 against 0.029 must show); values below 1e-3 of the main panel's
// range count as 0 here and leave no series off scale. LogY draws the
// zoom's y axis on a log scale (the floor as for Figure.LogY), for tails
// that fall over decades. Off-scale parts are marked as in the main panel.
type Zoom struct {
	XMin, XMax float64
	YMin, YMax float64
	LogY       bool
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
	for _, x := range f.XTicks {
		if !f.okX(x) {
			return fmt.Errorf("plot: figure %q: x tick %g is not on the x axis", f.Title, x)
		}
	}
	if f.LogY && (f.YMin < 0 || f.YMax < 0) {
		return fmt.Errorf("plot: figure %q: LogY needs YMin, YMax >= 0 (0 = automatic), got %g, %g", f.Title, f.YMin, f.YMax)
	}
	if z := f.Zoom; z != nil {
		if !(z.XMin < z.XMax) || !finite(z.XMin) || !finite(z.XMax) || (f.LogX && z.XMin <= 0) {
			return fmt.Errorf("plot: figure %q: Zoom's x range [%g, %g] is empty or not on the x axis", f.Title, z.XMin, z.XMax)
		}
		if z.YMin != 0 && z.YMax != 0 && z.YMin >= z.YMax {
			return fmt.Errorf("plot: figure %q: Zoom's YMin = %g must be below its YMax = %g", f.Title, z.YMin, z.YMax)
		}
		if (f.LogY || z.LogY) && (z.YMin < 0 || z.YMax < 0) {
			return fmt.Errorf("plot: figure %q: LogY needs Zoom's YMin, YMax >= 0 (0 = automatic), got %g, %g", f.Title, z.YMin, z.YMax)
		}
	}
	if f.DPI < 0 {
		return fmt.Errorf("plot: figure %q: DPI = %d, want > 0 (or 0 for %d)", f.Title, f.DPI, DefaultDPI)
	}
	return nil
}

// okX and okY report whether a coordinate can be drawn on the figure's axes.
func (f *Figure) okX(x float64) bool { return finite(x) && (!f.LogX || x > 0) }
func (f *Figure) okY(y float64) bool { return finite(y) && (!f.LogY || y > 0) }

// drawY reports whether a series value is drawn: as okY, and also an exact
// 0 on a log axis of a ZeroBased figure (an error of 0), off scale below.
func (f *Figure) drawY(y float64) bool { return f.okY(y) || (f.LogY && f.ZeroBased && y == 0) }

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
