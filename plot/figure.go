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
