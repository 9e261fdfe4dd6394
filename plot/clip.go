package plot

import (
	"image/color"
	"math"
	"slices"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

const (
	// spreadFactor: on a linear axis without an error ceiling, values
	// beyond spreadFactor x the 90th percentile of |y| (and of the
	// reference lines) are off scale, when there are at least spreadMin
	// values.
	spreadFactor = 10.0
	spreadMin    = 10
	// logDecades: a log axis reaches at most this many decades below the
	// top of the data; values further down are off scale.
	logDecades = 4
	// zoomGap: in a zoom panel, a series whose largest value exceeds
	// zoomGap x the next series' is left off scale.
	zoomGap = 4.0
	// zoomFloor: nor is a series left off scale for one whose values are
	// below zoomFloor x the main panel's range (0 on that scale).
	zoomFloor = 1e-3
)

// view is the y range of a panel. A fixed end clips: data beyond it are
// off scale, drawn leaving the panel through that edge and noted. An end
// that is not fixed is left to the data (gonum's autoscaling).
type view struct {
	lo, hi       float64
	fixLo, fixHi bool
	log          bool
	// dlo, dhi: the data's range within the view, from which off-scale
	// values are drawn a panel's height beyond the edge.
	dlo, dhi float64
}

// place returns the value at which y is drawn and whether it is off
// scale: +1 above the view, -1 below it, 0 within. Off-scale values are
// drawn beyond the edge but at most one panel's span beyond it, so that a
// line keeps its slope as it leaves and the data range stays finite.
func (v view) place(y float64) (float64, int) {
	lo, hi := v.dlo, v.dhi
	if v.fixLo {
		lo = v.lo
	}
	if v.fixHi {
		hi = v.hi
	}
	if v.log {
		r := math.Max(hi/lo, 10)
		if !(r < math.Inf(1)) {
			r = 10
		}
		switch {
		case v.fixHi && y > v.hi:
			return math.Min(y, v.hi*r), 1
		case v.fixLo && y < v.lo:
			return math.Max(y, v.lo/r), -1
		}
		return y, 0
	}
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		span = math.Max(math.Abs(hi), 1)
	}
	switch {
	case v.fixHi && y > v.hi:
		return math.Min(y, v.hi+span), 1
	case v.fixLo && y < v.lo:
		return math.Max(y, v.lo-span), -1
	}
	return y, 0
}

// ceiling returns the top of an error axis that keeps outliers from
// flattening every other curve, and whether one is needed: on a ZeroBased
// axis with a zero-predictor line at z and no YMax, data above
// outlierFactor x z are outliers; the axis then ends a little above the
// largest of the other values (and at least a little above z).
func (f *Figure) ceiling() (float64, bool) {
	if !f.ZeroBased || f.YMax != 0 {
		return 0, false
	}
	z := f.zeroLine()
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

// zeroLine is the largest named reference line of the figure (the zero
// predictor's error), 0 for none.
func (f *Figure) zeroLine() float64 {
	z := 0.0
	for _, h := range f.HLines {
		if h.Name != "" && finite(h.Y) && h.Y > z {
			z = h.Y
		}
	}
	return z
}

// values returns the finite y values of the lines and points that the
// figure draws (not bands) and the finite reference-line values.
func (f *Figure) values() (ys, refs []float64) {
	for _, ss := range [][]Series{f.Series, f.Points} {
		for _, s := range ss {
			for j, y := range s.Y {
				if f.okX(s.X[j]) && f.drawY(y) {
					ys = append(ys, y)
				}
			}
		}
	}
	for _, h := range f.HLines {
		if f.okY(h.Y) {
			refs = append(refs, h.Y)
		}
	}
	return ys, refs
}

// spread applies the exploding-series rule of a linear axis: it returns
// the in-scale range and whether values lie above or below it.
func spread(ys, refs []float64) (lo, hi float64, above, below bool) {
	if len(ys) < spreadMin {
		return 0, 0, false, false
	}
	abs := make([]float64, len(ys))
	for i, y := range ys {
		abs[i] = math.Abs(y)
	}
	slices.Sort(abs)
	base := abs[int(0.9*float64(len(abs)-1))]
	for _, r := range refs {
		base = math.Max(base, math.Abs(r))
	}
	limit := spreadFactor * base
	if !(limit > 0) {
		return 0, 0, false, false
	}
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, y := range append(slices.Clone(ys), refs...) {
		switch {
		case y > limit:
			above = true
		case y < -limit:
			below = true
		default:
			lo, hi = math.Min(lo, y), math.Max(hi, y)
		}
	}
	return lo, hi, above, below
}

// mainView returns the y range of the main panel (see Figure's doc). ok is
// false when a log axis has no positive value to place its floor by.
func (f *Figure) mainView() (v view, ok bool) {
	ys, refs := f.values()
	v.log = f.LogY
	v.dlo, v.dhi = math.Inf(1), math.Inf(-1)
	if f.LogY {
		minPos, maxPos := math.Inf(1), math.Inf(-1)
		for _, ss := range [][]Series{f.Series, f.Points} {
			for _, s := range ss {
				for _, vs := range [][]float64{s.Y, s.Lo, s.Hi} {
					for j, y := range vs {
						if f.okX(s.X[j]) && f.okY(y) {
							minPos, maxPos = math.Min(minPos, y), math.Max(maxPos, y)
						}
					}
				}
			}
		}
		for _, r := range refs {
			minPos, maxPos = math.Min(minPos, r), math.Max(maxPos, r)
		}
		switch {
		case f.YMax > 0:
			v.hi, v.fixHi = f.YMax, true
		default:
			if c, clip := f.ceiling(); clip {
				v.hi, v.fixHi = c, true
			}
		}
		top := maxPos
		if v.fixHi {
			top = v.hi
		}
		switch {
		case f.YMin > 0:
			v.lo = f.YMin
		case math.IsInf(minPos, 1):
			return v, false
		default:
			floor := math.Pow10(int(math.Floor(math.Log10(top))) - logDecades)
			v.lo = math.Max(minPos, floor)
		}
		v.fixLo = true
		v.dlo, v.dhi = v.lo, math.Max(top, v.lo*10)
		return v, true
	}
	for _, y := range append(slices.Clone(ys), refs...) {
		v.dlo, v.dhi = math.Min(v.dlo, y), math.Max(v.dhi, y)
	}
	if f.ZeroBased {
		v.dlo, v.dhi = math.Min(v.dlo, 0), math.Max(v.dhi, 0)
	}
	lo, hi, above, below := spread(ys, refs)
	c, clip := f.ceiling()
	switch {
	case f.YMax != 0:
		v.hi, v.fixHi = f.YMax, true
	case clip:
		v.hi, v.fixHi = c, true
	case above && !(f.ZeroBased && f.zeroLine() > 0):
		v.hi, v.fixHi = hi+0.05*(hi-math.Min(lo, 0)), true
	}
	switch {
	case f.YMin != 0:
		v.lo, v.fixLo = f.YMin, true
	case below && !f.ZeroBased:
		v.lo, v.fixLo = lo-0.05*(math.Max(hi, 0)-lo), true
	}
	if v.fixHi {
		v.dhi = math.Min(v.dhi, v.hi)
	}
	if v.fixLo {
		v.dlo = math.Max(v.dlo, v.lo)
	}
	if above || below {
		v.dlo, v.dhi = math.Max(v.dlo, lo), math.Min(v.dhi, hi)
	}
	return v, true
}

// zoomView returns the y range of the zoom panel (see Zoom's doc).
func (f *Figure) zoomView(main view) view {
	z := f.Zoom
	in := func(x float64) bool { return f.okX(x) && x >= z.XMin && x <= z.XMax }
	type ext struct{ top, lo, hi float64 }
	var exts []ext
	for _, ss := range [][]Series{f.Series, f.Points} {
		for _, s := range ss {
			e := ext{math.Inf(-1), math.Inf(1), math.Inf(-1)}
			for j, x := range s.X {
				if !in(x) {
					continue
				}
				vals := []float64{s.Y[j]}
				if f.drawY(s.Y[j]) && (!f.LogY || s.Y[j] > 0) {
					e.top = math.Max(e.top, s.Y[j])
				}
				if s.Lo != nil {
					vals = append(vals, s.Lo[j], s.Hi[j])
				}
				for _, y := range vals {
					if f.okY(y) {
						e.lo, e.hi = math.Min(e.lo, y), math.Max(e.hi, y)
					}
				}
			}
			if !math.IsInf(e.top, -1) {
				exts = append(exts, e)
			}
		}
	}
	cut := math.Inf(1)
	if !f.LogY {
		tops := make([]float64, len(exts))
		for i, e := range exts {
			tops[i] = e.top
		}
		slices.Sort(tops)
		slices.Reverse(tops)
		// Values below zoomFloor x the main panel's range are 0 on its
		// scale: the zoom does not close in on them.
		small := zoomFloor * (main.dhi - main.dlo)
		for k := 0; k+1 < len(tops) && k < len(tops)/2; k++ {
			if tops[k+1] > small && tops[k] > zoomGap*tops[k+1] {
				cut = tops[k+1]
			}
		}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range exts {
		if e.top <= cut {
			lo, hi = math.Min(lo, e.lo), math.Max(hi, e.hi)
		}
	}
	if math.IsInf(lo, 1) { // nothing in the range: the main panel's view
		lo, hi = main.dlo, main.dhi
	}
	v := view{log: f.LogY, fixLo: true, fixHi: true}
	if f.LogY {
		lo = math.Max(lo, main.lo)
		if main.fixHi {
			hi = math.Min(hi, main.hi)
		}
		lo, hi = lo/1.1, hi*1.1
		if !(hi > lo) {
			hi = lo * 10
		}
	} else {
		if f.ZeroBased {
			lo, hi = math.Min(lo, 0), math.Max(hi, 0)
		}
		pad := 0.05 * (hi - lo)
		hi += pad
		if lo != 0 {
			lo -= pad
		}
		if !(hi > lo) {
			lo, hi = lo-0.5, hi+0.5
		}
	}
	v.lo, v.hi = lo, hi
	if z.YMin != 0 {
		v.lo = z.YMin
	}
	if z.YMax != 0 {
		v.hi = z.YMax
	}
	if !(v.hi > v.lo) {
		if z.YMax != 0 {
			v.lo = v.hi - math.Max(math.Abs(v.hi), 1)
			if f.LogY {
				v.lo = v.hi / 10
			}
		} else {
			v.hi = v.lo + math.Max(math.Abs(v.lo), 1)
			if f.LogY {
				v.hi = v.lo * 10
			}
		}
	}
	v.dlo, v.dhi = v.lo, v.hi
	return v
}

// edgeMark is an off-scale mark: a small triangle at the panel's edge, at
// x, pointing up (the series leaves through the top) or down.
type edgeMark struct {
	x   float64
	up  bool
	col color.Color
}

// edgeMarks draws off-scale marks at the edges of the data area.
type edgeMarks []edgeMark

const edgeMarkSize = vg.Length(4.5)

func (ms edgeMarks) Plot(c draw.Canvas, p *gplot.Plot) {
	for _, m := range ms {
		x := c.X(p.X.Norm(m.x))
		if x < c.Min.X-0.5 || x > c.Max.X+0.5 {
			continue
		}
		tip, base := c.Max.Y-0.5, c.Max.Y-0.5-edgeMarkSize*1.5
		if !m.up {
			tip, base = c.Min.Y+0.5, c.Min.Y+0.5+edgeMarkSize*1.5
		}
		var path vg.Path
		path.Move(vg.Point{X: x, Y: tip})
		path.Line(vg.Point{X: x - edgeMarkSize, Y: base})
		path.Line(vg.Point{X: x + edgeMarkSize, Y: base})
		path.Close()
		c.SetColor(m.col)
		c.Fill(path)
	}
}

// zoomSpan shades the x range of a figure's zoom panel in the main panel.
type zoomSpan struct{ x0, x1 float64 }

var spanColor = color.NRGBA{0xF2, 0xF2, 0xF2, 0xFF}

func (s zoomSpan) Plot(c draw.Canvas, p *gplot.Plot) {
	x0 := max(c.Min.X, c.X(p.X.Norm(s.x0)))
	x1 := min(c.Max.X, c.X(p.X.Norm(s.x1)))
	if x1 <= x0 {
		return
	}
	var path vg.Path
	path.Move(vg.Point{X: x0, Y: c.Min.Y})
	path.Line(vg.Point{X: x1, Y: c.Min.Y})
	path.Line(vg.Point{X: x1, Y: c.Max.Y})
	path.Line(vg.Point{X: x0, Y: c.Max.Y})
	path.Close()
	c.SetColor(spanColor)
	c.Fill(path)
}
