package plot

import (
	"image/color"
	"math"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// Figure layout metrics.
const (
	legendGap = vg.Length(16) // data area to a legend beside it
	belowGap  = vg.Length(10) // plot to a legend below it
	margin    = vg.Length(6)  // figure edge to a legend below, and under it
	zoomFrac  = 0.55          // zoom panel height / Height
	// topPad keeps a panel's title inside it: gonum puts the top of the
	// title's ascent a little above the canvas.
	topPad = vg.Length(3)
	// rightPad keeps the data area off the right edge when no legend is
	// beside it.
	rightPad = vg.Length(8)
)

// layout is where a figure's parts go on a canvas w x h (see Figure's
// doc): from the top, the plot (plotH high, stripW narrower than the
// figure when the legend is beside it), the zoom panel (zoomH) and the
// legend when below.
type layout struct {
	w, h         vg.Length
	plotH, zoomH vg.Length
	yl           vg.Length // left margin of the panels for the y label
	stripW       vg.Length // legend strip beside the plot, 0 for none
	below        bool      // legend below the plot
	leg          legendBox
}

// layout places a built figure's parts for a plot w x h. It wraps the
// titles to the width they get. The figure's height is whole points, the
// rest going to the bottom margin.
func (f *Figure) layout(b *built, w, h vg.Length) layout {
	l := f.place(b, w, h)
	l.h = vg.Length(math.Ceil(l.h.Points() - 1e-9))
	return l
}

func (f *Figure) place(b *built, w, h vg.Length) layout {
	l := layout{w: w, h: h, plotH: h}
	if b.zoom != nil {
		l.zoomH = vg.Length(zoomFrac) * h
		l.h += l.zoomH
	}
	if f.YLabel != "" {
		l.yl = b.main.Y.Label.TextStyle.Height(f.YLabel) + vg.Points(6)
	}
	sty := legendStyle()
	wrapTitle := func(p *gplot.Plot, title string) {
		if p != nil && title != "" {
			tw := w - max(l.stripW, rightPad) - l.yl - 2*margin
			p.Title.Text = strings.Join(wrapText(p.Title.TextStyle, title, tw), "\n")
		}
	}
	wrapTitles := func() {
		wrapTitle(b.main, f.Title)
		if b.zoom != nil {
			wrapTitle(b.zoom, zoomTitle(f.XLabel, f.Zoom))
		}
	}
	if len(b.entries) == 0 {
		wrapTitles()
		return l
	}
	if !f.LegendBelow {
		col := column(sty, b.entries)
		if col.w+legendGap <= vg.Length(besideMax)*w {
			l.stripW = col.w + legendGap
			wrapTitles()
			c := draw.NewCanvas(new(recorder.Canvas), w, h)
			pc := draw.Crop(c, l.yl, -l.stripW, 0, -topPad)
			if da := b.main.DataCanvas(pc); col.h <= da.Size().Y {
				l.leg = col
				return l
			}
			l.stripW = 0
		}
	}
	wrapTitles()
	l.below = true
	l.leg = grid(sty, b.entries, w-2*margin)
	l.h += belowGap + l.leg.h + margin
	return l
}

// drawFigure draws a built figure on c, laid out by l.
func drawFigure(c draw.Canvas, b *built, l layout, ylabel string) {
	// The background is white over the whole canvas, legend included.
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	top := c.Max.Y
	panel := func(p *gplot.Plot, h vg.Length) draw.Canvas {
		pc := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: c.Min.X + l.yl, Y: top - h},
			Max: vg.Point{X: c.Max.X - max(l.stripW, rightPad), Y: top - topPad},
		}}
		top -= h
		p.Draw(pc)
		da := p.DataCanvas(pc)
		if ylabel != "" {
			sty := p.Y.Label.TextStyle
			sty.Rotation = math.Pi / 2
			sty.XAlign = draw.XCenter
			sty.YAlign = draw.YTop
			c.FillText(sty, vg.Point{X: c.Min.X + vg.Points(3), Y: (da.Min.Y + da.Max.Y) / 2}, ylabel)
		}
		return da
	}
	da := panel(b.main, l.plotH)
	if b.zoom != nil {
		panel(b.zoom, l.zoomH)
	}
	switch {
	case len(l.leg.entries) == 0:
	case l.below:
		l.leg.draw(c, legendStyle(), c.Min.X+(l.w-l.leg.w)/2, top-belowGap)
	default:
		l.leg.draw(c, legendStyle(), c.Max.X-l.stripW+legendGap*0.4, da.Max.Y)
	}
}
