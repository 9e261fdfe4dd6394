package plot

import (
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
)

// niceTicks places about n labelled ticks at multiples of 1, 2, 2.5 or 5
// times a power of ten, with one unlabelled minor tick between them, and
// labels all ticks with the same number of decimals.
type niceTicks struct{ n int }

func (t niceTicks) Ticks(min, max float64) []gplot.Tick {
	if !(max > min) || !finite(min) || !finite(max) {
		return []gplot.Tick{{Value: min, Label: strconv.FormatFloat(min, 'g', 4, 64)}}
	}
	step := niceStep((max - min) / float64(t.n))
	dec := 0
	for dec < 12 {
		s := step * math.Pow10(dec)
		if math.Abs(s-math.Round(s)) < 1e-9*s {
			break
		}
		dec++
	}
	useG := dec > 5 || math.Max(math.Abs(min), math.Abs(max)) >= 1e6
	var ticks []gplot.Tick
	first := math.Ceil(min/step-1e-9) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > max+1e-9*step {
			break
		}
		if math.Abs(v) < 1e-9*step {
			v = 0
		}
		label := strconv.FormatFloat(v, 'f', dec, 64)
		if useG {
			label = strconv.FormatFloat(v, 'g', 4, 64)
		}
		ticks = append(ticks, gplot.Tick{Value: v, Label: label})
		if m := v + step/2; m <= max {
			ticks = append(ticks, gplot.Tick{Value: m})
		}
		if i > 1000 {
			break
		}
	}
	if m := first - step/2; m >= min {
		ticks = append(ticks, gplot.Tick{Value: m})
	}
	return ticks
}

// niceStep rounds x up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(x float64) float64 {
	p := math.Pow10(int(math.Floor(math.Log10(x))))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*p >= x*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// inRange drops the ticks a Ticker returns outside [min, max]: gonum makes
// room for their labels even though it does not draw them.
type inRange struct{ t gplot.Ticker }

func (r inRange) Ticks(min, max float64) []gplot.Tick {
	tol := 1e-9 * (max - min)
	var ts []gplot.Tick
	for _, t := range r.t.Ticks(min, max) {
		if t.Value >= min-tol && t.Value <= max+tol {
			ts = append(ts, t)
		}
	}
	return ts
}
