package plot

import (
	"math"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
)

// niceTicks places about n labelled ticks at multiples of 1, 2, 2.5 or 5
// times a power of ten, with one unlabelled minor tick between them, and
// labels all ticks with the same number of decimals.
type niceTicks struct{ n int }

func (t niceTicks) Ticks(min, max float64) []gplot.Tick {
	if !(max > min) || !finite(min) || !finite(max) {
		return []gplot.Tick{{Value: min, Label: FormatNumber(min)}}
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
	// Steps below 1e-5 and values from 1e6 up get mantissa and exponent,
	// with as many digits as tell the ticks apart.
	useG := dec > 5 || math.Max(math.Abs(min), math.Abs(max)) >= 1e6
	prec := 3
	if useG {
		for prec < 10 && compact(first(min, step), prec) == compact(first(min, step)+step, prec) {
			prec++
		}
	}
	var ticks []gplot.Tick
	first := first(min, step)
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
			label = compact(v, prec)
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

// first is the first multiple of step from min up.
func first(min, step float64) float64 { return math.Ceil(min/step-1e-9) * step }

// logTicks labels a log axis: at 1, 2 and 5 times powers of ten over up to
// about two decades, at 1 to 9 times them over less than one, and at
// powers of ten (every second, third, ... over more than seven decades)
// beyond; unlabelled minor ticks fall on the rest of 1 to 9 times powers
// of ten (powers of ten only beyond six decades). Where fewer than two
// labels fall in the range, the ticks are linear ones.
type logTicks struct{}

func (logTicks) Ticks(min, max float64) []gplot.Tick {
	if !(min > 0) || !(max > min) || !finite(min) || !finite(max) {
		return niceTicks{n: 5}.Ticks(min, max)
	}
	span := math.Log10(max / min)
	lo := int(math.Floor(math.Log10(min) + 1e-9))
	hi := int(math.Ceil(math.Log10(max) - 1e-9))
	label := map[int]bool{1: true}
	stride := 1
	switch {
	case span <= 0.8:
		for m := 2; m <= 9; m++ {
			label[m] = true
		}
	case span <= 2.3:
		label[2], label[5] = true, true
	case span > 7:
		stride = int(math.Ceil(span / 7))
	}
	tol := 1e-9 * max
	var ts []gplot.Tick
	n := 0
	for e := lo; e <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow10(e)
			if v < min-tol || v > max+tol {
				continue
			}
			switch {
			case label[m] && (stride == 1 || ((e%stride)+stride)%stride == 0):
				ts = append(ts, gplot.Tick{Value: v, Label: FormatNumber(v)})
				n++
			case m == 1 || span <= 6:
				ts = append(ts, gplot.Tick{Value: v})
			}
		}
	}
	if n < 2 {
		return niceTicks{n: 5}.Ticks(min, max)
	}
	return ts
}

// FormatNumber formats a number compactly, for tick labels, legends and
// tables: 3 significant digits between 0.001 and 100 (0.0185, 45.2), whole
// numbers up to 10,000 (655, 1234), and mantissa and exponent beyond
// (1.57e7 for 15654897.004, 6.7e-23); 0 is "0".
func FormatNumber(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case a >= 100 && a < 1e4:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 1e-3 && a < 100:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return compact(v, 3)
}

// compact formats v with prec significant digits as mantissa and exponent,
// trailing zeros and the exponent's sign and padding dropped: 1.57e7,
// 2.5e-7, 1e4; 0 is "0".
func compact(v float64, prec int) string {
	if v == 0 {
		return "0"
	}
	s := strconv.FormatFloat(v, 'e', prec-1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(exp, "+-")
	exp = strings.TrimLeft(exp, "0")
	if exp == "" {
		return mant
	}
	if neg {
		exp = "-" + exp
	}
	return mant + "e" + exp
}
