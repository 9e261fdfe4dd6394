package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Heatmap is a grid of values drawn as coloured cells with a colour bar:
// a probe's accuracy by layer (rows) and prompt position (columns), say.
//
// Layout. The figure is Width wide (DefaultWidth when 0), like a Figure, so
// that it scales in the report as the other figures do: the title on top
// (wrapped to the width), the y label and the row labels left of the grid,
// the column labels and the x label under it, the colour bar and its label
// on the right. The cells share the width the labels leave; each is
// HeatCellHeight high, so the figure's height follows the number of rows.
// Each cell shows its value with Digits decimals, in black or white by the
// cell's luminance, unless the widest number does not fit a cell (then no
// cell shows one). The last Apart rows are drawn below a gap: reference
// rows (the Bayes classifier's accuracy under the layers' probes, say) on
// the same colour scale.
//
// Colours follow the viridis map (Viridis), perceptually uniform and
// readable in grey and by colour-blind readers; values beyond [Min, Max]
// take the nearest end's colour, and a NaN value is a light grey cell
// without a number.
type Heatmap struct {
	Title          string
	XLabel, YLabel string
	Cols           []string    // column labels, left to right
	Rows           []string    // row labels, top to bottom
	Values         [][]float64 // (len(Rows), len(Cols))
	// Min and Max are the ends of the colour scale; both 0: the range of
	// the finite values.
	Min, Max   float64
	ColorLabel string // the colour bar's label
	// Apart is the number of trailing rows drawn apart, below a gap.
	Apart int
	// Digits is the decimals of the number written in each cell: 0 means
	// 2, a negative value writes none.
	Digits int
	Width  vg.Length // 0: DefaultWidth
	DPI    int       // PNG resolution; 0: DefaultDPI
}

// Heat map metrics.
const (
	HeatCellHeight = vg.Length(20) // a row of cells
	heatApartGap   = vg.Length(8)  // above the rows drawn apart
	heatBarW       = vg.Length(12) // the colour bar's width
	heatGap        = vg.Length(6)  // between a label and what it labels
	heatEdge       = vg.Length(6)  // the figure's edge to its content
	heatCellFont   = 9             // points: the numbers in the cells
	heatTickFont   = 9.5           // points: row, column and colour bar labels
	heatLabelFont  = 11            // points: axis labels
	heatTitleFont  = 13            // points: the title
	heatBarSteps   = 96            // bands the colour bar's gradient is drawn with
)

// viridis is the viridis colour map at t = 0, 1/9, ..., 1 (the ten colours
// of R's viridis(10), matplotlib's map).
var viridis = [...]color.NRGBA{
	{0x44, 0x01, 0x54, 0xFF}, {0x48, 0x28, 0x78, 0xFF}, {0x3E, 0x4A, 0x89, 0xFF}, {0x31, 0x68, 0x8E, 0xFF},
	{0x26, 0x82, 0x8E, 0xFF}, {0x1F, 0x9E, 0x89, 0xFF}, {0x35, 0xB7, 0x79, 0xFF}, {0x6D, 0xCD, 0x59, 0xFF},
	{0xB4, 0xDE, 0x2C, 0xFF}, {0xFD, 0xE7, 0x25, 0xFF},
}

// missingColor fills a cell without a value.
var missingColor = color.NRGBA{0xEE, 0xEE, 0xEE, 0xFF}

// Viridis returns the viridis colour at t in [0, 1] (dark purple at 0,
// yellow at 1), interpolated linearly between ten samples of the map; t
// outside [0, 1] is clamped and NaN gives 0's colour. Callers use it to
// colour ordered series (layers, say) as a heat map colours its cells.
func Viridis(t float64) color.NRGBA {
	if !(t > 0) {
		return viridis[0]
	}
	if t >= 1 {
		return viridis[len(viridis)-1]
	}
	s := t * float64(len(viridis)-1)
	i := int(s)
	f := s - float64(i)
	a, b := viridis[i], viridis[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xFF}
}

// validate checks the grid's shape, Apart and the colour scale.
func (h *Heatmap) validate() error {
	if len(h.Rows) == 0 || len(h.Cols) == 0 {
		return ErrNoData
	}
	if len(h.Values) != len(h.Rows) {
		return fmt.Errorf("plot: heat map %q: %d rows of values for %d row labels", h.Title, len(h.Values), len(h.Rows))
	}
	for i, r := range h.Values {
		if len(r) != len(h.Cols) {
			return fmt.Errorf("plot: heat map %q: row %d (%s) has %d values for %d column labels", h.Title, i, h.Rows[i], len(r), len(h.Cols))
		}
	}
	if h.Apart < 0 || h.Apart >= len(h.Rows) {
		return fmt.Errorf("plot: heat map %q: Apart = %d; allowed 0 .. %d (fewer than the rows)", h.Title, h.Apart, len(h.Rows)-1)
	}
	if h.Min != 0 || h.Max != 0 {
		if !(h.Min < h.Max) || !finite(h.Min) || !finite(h.Max) {
			return fmt.Errorf("plot: heat map %q: colour scale [%g, %g] is empty", h.Title, h.Min, h.Max)
		}
	}
	if h.DPI < 0 {
		return fmt.Errorf("plot: heat map %q: DPI = %d, want > 0 (or 0 for %d)", h.Title, h.DPI, DefaultDPI)
	}
	return nil
}

// scale returns the colour scale's ends: Min and Max, or the finite
// values' range (widened to a unit around a single value); ok is false
// without a finite value.
func (h *Heatmap) scale() (lo, hi float64, ok bool) {
	if h.Min != 0 || h.Max != 0 {
		return h.Min, h.Max, true
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, r := range h.Values {
		for _, v := range r {
			if finite(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if lo > hi {
		return 0, 0, false
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	return lo, hi, true
}

// cellText is value v as written in a cell ("" for none).
func (h *Heatmap) cellText(v float64) string {
	if h.Digits < 0 || !finite(v) {
		return ""
	}
	d := h.Digits
	if d == 0 {
		d = 2
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}

// heatStyle is the text style of size points, centred on its point.
func heatStyle(size float64) text.Style {
	return text.Style{Font: font.From(sansFont, font.Length(size)), Handler: gplot.DefaultTextHandler,
		Color: color.Black, XAlign: draw.XCenter, YAlign: draw.YCenter}
}

// heatLayout is where a heat map's parts go: lengths from the figure's
// left and top edges.
type heatLayout struct {
	w, h       vg.Length
	title      []string  // the title's lines
	titleH     vg.Length // the title's height, gap included
	gridX      vg.Length // the grid's left edge
	cellW      vg.Length
	rowTop     []vg.Length // each row's top edge, from the figure's top
	gridBottom vg.Length   // the last row's bottom edge, from the top
	barX       vg.Length   // the colour bar's left edge
	ticks      []gplot.Tick
	annotate   bool // the numbers fit the cells
	lo, hi     float64
}

// layout places the parts of a validated heat map.
func (h *Heatmap) layout() heatLayout {
	w := h.Width
	if w <= 0 {
		w = DefaultWidth
	}
	tick, label, title := heatStyle(heatTickFont), heatStyle(heatLabelFont), heatStyle(heatTitleFont)
	l := heatLayout{w: w}
	l.lo, l.hi, _ = h.scale()
	l.ticks = niceTicks{n: 5}.Ticks(l.lo, l.hi)
	// Left: the y label (rotated) and the row labels.
	left := heatEdge
	if h.YLabel != "" {
		left += lineHeight(label) + heatGap
	}
	rowW := vg.Length(0)
	for _, r := range h.Rows {
		rowW = max(rowW, tick.Width(r))
	}
	l.gridX = left + rowW + heatGap
	// Right: the colour bar, its tick labels and its label (rotated).
	barLabW := vg.Length(0)
	for _, t := range l.ticks {
		if t.Label != "" {
			barLabW = max(barLabW, tick.Width(t.Label))
		}
	}
	right := heatEdge + heatBarW + heatGap + barLabW
	if h.ColorLabel != "" {
		right += heatGap + lineHeight(label)
	}
	l.barX = w - right
	l.cellW = max((l.barX-2*heatGap-l.gridX)/vg.Length(len(h.Cols)), 1)
	// Top: the title, wrapped to the width.
	top := heatEdge
	if h.Title != "" {
		l.title = wrapText(title, h.Title, w-2*heatEdge)
		l.titleH = vg.Length(len(l.title))*lineHeight(title) + heatGap
		top += l.titleH
	}
	y := top
	for i := range h.Rows {
		if i == len(h.Rows)-h.Apart && h.Apart > 0 {
			y += heatApartGap
		}
		l.rowTop = append(l.rowTop, y)
		y += HeatCellHeight
	}
	l.gridBottom = y
	y += heatGap + lineHeight(tick)
	if h.XLabel != "" {
		y += heatGap + lineHeight(label)
	}
	l.h = vg.Length(math.Ceil((y + heatEdge).Points()))
	numW := vg.Length(0)
	cell := heatStyle(heatCellFont)
	for _, r := range h.Values {
		for _, v := range r {
			numW = max(numW, cell.Width(h.cellText(v)))
		}
	}
	l.annotate = numW > 0 && numW+vg.Length(4) <= l.cellW
	return l
}

// unit maps v onto the colour scale's [0, 1].
func (l heatLayout) unit(v float64) float64 { return (v - l.lo) / (l.hi - l.lo) }

// Size returns the rendered heat map's width and height.
func (h *Heatmap) Size() (w, hgt vg.Length, err error) {
	if err := h.validate(); err != nil {
		return 0, 0, err
	}
	if _, _, ok := h.scale(); !ok {
		return 0, 0, ErrNoData
	}
	l := h.layout()
	return l.w, l.h, nil
}

// Render returns the heat map as "svg" or "png" bytes. Equal heat maps give
// equal bytes.
func (h *Heatmap) Render(format string) ([]byte, error) {
	if format != "svg" && format != "png" {
		return nil, fmt.Errorf("plot: format %q not supported (allowed: \"svg\", \"png\")", format)
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	if _, _, ok := h.scale(); !ok {
		return nil, ErrNoData
	}
	l := h.layout()
	var buf bytes.Buffer
	if format == "svg" {
		c := vgsvg.New(l.w, l.h)
		h.draw(draw.New(c), l)
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("plot: writing svg: %w", err)
		}
		return fixSVGFonts(buf.Bytes()), nil
	}
	dpi := h.DPI
	if dpi == 0 {
		dpi = DefaultDPI
	}
	c := vgimg.NewWith(vgimg.UseWH(l.w, l.h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(color.White))
	h.draw(draw.New(c), l)
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plot: writing png: %w", err)
	}
	return buf.Bytes(), nil
}

// Save writes pathWithoutExt+".svg" and pathWithoutExt+".png", each
// atomically.
func (h *Heatmap) Save(pathWithoutExt string) error {
	for _, format := range []string{"svg", "png"} {
		b, err := h.Render(format)
		if err != nil {
			return err
		}
		if err := writeAtomic(pathWithoutExt+"."+format, b); err != nil {
			return err
		}
	}
	return nil
}

// rect fills the rectangle from (x, top) w wide and ht high (lengths from
// the figure's left and top edges) with col.
func rect(c draw.Canvas, x, top, w, ht vg.Length, col color.Color) {
	Y := c.Max.Y
	c.SetColor(col)
	c.Fill(vg.Rectangle{Min: vg.Point{X: c.Min.X + x, Y: Y - top - ht}, Max: vg.Point{X: c.Min.X + x + w, Y: Y - top}}.Path())
}

// draw draws the heat map on c, laid out by l.
func (h *Heatmap) draw(c draw.Canvas, l heatLayout) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	Y := c.Max.Y
	at := func(x, fromTop vg.Length) vg.Point { return vg.Point{X: c.Min.X + x, Y: Y - fromTop} }
	tick, label, cell := heatStyle(heatTickFont), heatStyle(heatLabelFont), heatStyle(heatCellFont)
	if len(l.title) > 0 {
		title := heatStyle(heatTitleFont)
		lh := lineHeight(title)
		for i, line := range l.title {
			c.FillText(title, at(l.w/2, heatEdge+(vg.Length(i)+0.5)*lh), line)
		}
	}
	gridW := l.cellW * vg.Length(len(h.Cols))
	for i, row := range h.Values {
		top := l.rowTop[i]
		for j, v := range row {
			col := color.Color(missingColor)
			if finite(v) {
				col = Viridis(l.unit(v))
			}
			rect(c, l.gridX+vg.Length(j)*l.cellW, top, l.cellW, HeatCellHeight, col)
			if l.annotate && finite(v) {
				s := cell
				if luminance(col) < 0.179 { // white where it contrasts more than black (WCAG)
					s.Color = color.White
				}
				c.FillText(s, at(l.gridX+(vg.Length(j)+0.5)*l.cellW, top+HeatCellHeight/2), h.cellText(v))
			}
		}
		rs := tick
		rs.XAlign = draw.XRight
		c.FillText(rs, at(l.gridX-heatGap, top+HeatCellHeight/2), h.Rows[i])
	}
	// Thin white lines between cells keep neighbours of one colour apart.
	sep := draw.LineStyle{Color: color.White, Width: vg.Points(0.75)}
	for j := 1; j < len(h.Cols); j++ {
		x := c.Min.X + l.gridX + vg.Length(j)*l.cellW
		for i := range h.Rows {
			c.StrokeLine2(sep, x, Y-l.rowTop[i], x, Y-l.rowTop[i]-HeatCellHeight)
		}
	}
	colTop := l.gridBottom + heatGap
	for j, name := range h.Cols {
		s := tick
		s.YAlign = draw.YTop
		c.FillText(s, at(l.gridX+(vg.Length(j)+0.5)*l.cellW, colTop), name)
	}
	if h.XLabel != "" {
		s := label
		s.YAlign = draw.YTop
		c.FillText(s, at(l.gridX+gridW/2, colTop+lineHeight(tick)+heatGap), h.XLabel)
	}
	if h.YLabel != "" {
		s := label
		s.Rotation = math.Pi / 2
		s.YAlign = draw.YTop
		c.FillText(s, at(heatEdge, (l.rowTop[0]+l.gridBottom)/2), h.YLabel)
	}
	h.drawBar(c, l, tick, label)
}

// drawBar draws the colour bar beside the grid, as high as the grid, with
// its ticks and label.
func (h *Heatmap) drawBar(c draw.Canvas, l heatLayout, tick, label text.Style) {
	Y := c.Max.Y
	top, bottom := l.rowTop[0], l.gridBottom
	ht := bottom - top
	step := ht / heatBarSteps
	for k := range heatBarSteps {
		// Band k from the bottom, coloured at its middle value.
		t := (float64(k) + 0.5) / heatBarSteps
		rect(c, l.barX, bottom-vg.Length(k+1)*step, heatBarW, step+vg.Points(0.3), Viridis(t))
	}
	edge := draw.LineStyle{Color: refColor, Width: vg.Points(0.6)}
	x0, x1 := c.Min.X+l.barX, c.Min.X+l.barX+heatBarW
	c.StrokeLines(edge, []vg.Point{{X: x0, Y: Y - top}, {X: x1, Y: Y - top}, {X: x1, Y: Y - bottom}, {X: x0, Y: Y - bottom}, {X: x0, Y: Y - top}})
	labW := vg.Length(0)
	for _, t := range l.ticks {
		if t.Value < l.lo-1e-9*(l.hi-l.lo) || t.Value > l.hi+1e-9*(l.hi-l.lo) {
			continue
		}
		y := Y - bottom + vg.Length(l.unit(t.Value))*ht
		n := vg.Points(2.5)
		if t.Label != "" {
			n = vg.Points(4)
			s := tick
			s.XAlign = draw.XLeft
			c.FillText(s, vg.Point{X: x1 + heatGap, Y: y}, t.Label)
			labW = max(labW, tick.Width(t.Label))
		}
		c.StrokeLine2(edge, x1, y, x1+n, y)
	}
	if h.ColorLabel != "" {
		s := label
		s.Rotation = -math.Pi / 2
		s.YAlign = draw.YTop
		c.FillText(s, vg.Point{X: c.Max.X - heatEdge, Y: Y - (top+bottom)/2}, h.ColorLabel)
	}
}

// luminance is c's relative luminance (sRGB, 0 black to 1 white), which
// decides whether a cell's number is written in black or white.
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}
