package vecmath

import "math"

// kernel names a vector kernel: its assembly, the scalar function it
// equals, and the arguments it leaves to that function.
type kernel int

const (
	kSin kernel = iota // sinAVX512/sinAVX2; math.Sin for 0, NaN, ±Inf and |x| >= 2^29
	kExp               // expAVX512/expFMA; math.Exp above 708 and for NaN
)

// vec runs the kernel on len(x) values (a multiple of 4), eight lanes at a
// time where the CPU has AVX-512, and reports whether some lane lies outside
// its path.
func (k kernel) vec(d, x []float64) bool {
	n8, fix := 0, 0
	if hasAVX512 && len(x) >= 8 {
		n8 = len(x) &^ 7
		if k == kSin {
			fix = sinAVX512(&d[0], &x[0], n8, &sinTable)
		} else {
			fix = expAVX512(&d[0], &x[0], n8, &expTable)
		}
		if n8 == len(x) {
			return fix != 0
		}
	}
	if k == kSin {
		fix |= sinAVX2(&d[n8], &x[n8], len(x)-n8, &sinTable)
	} else {
		fix |= expFMA(&d[n8], &x[n8], len(x)-n8, &expTable)
	}
	return fix != 0
}

// on reports whether the kernel runs on this CPU and build.
func (k kernel) on() bool {
	if k == kSin {
		return useAVX2
	}
	return useExpFMA
}

// scalar is the function of package math that the kernel equals.
func (k kernel) scalar(x float64) float64 {
	if k == kSin {
		return math.Sin(x)
	}
	return math.Exp(x)
}

// outside reports whether x lies outside the kernel's path.
func (k kernel) outside(x float64) bool {
	if k == kSin {
		return !(math.Abs(x) < reduceThreshold) || x == 0
	}
	return !(x <= expMax)
}

// fix sets d[i] from the scalar function wherever x[i] lies outside the
// kernel's path.
func (k kernel) fix(d, x []float64) {
	for i, v := range x {
		if k.outside(v) {
			d[i] = k.scalar(v)
		}
	}
}

// apply sets dst[i] = k.scalar(src[i]) for i < len(src): by the kernel,
// with the scalar function where the kernel reports lanes outside its path
// and for the last len(src) % 4 values (or everywhere, where the kernel does
// not run). In place, blocks go through a copy, which the fix-ups read.
func apply(k kernel, dst, src []float64) {
	if len(dst) < len(src) {
		panic("vecmath: len(dst) < len(src)")
	}
	n := len(src) &^ 3
	switch {
	case n == 0 || !k.on():
		n = 0
	case &dst[0] != &src[0]:
		if k.vec(dst[:n], src[:n]) {
			k.fix(dst, src[:n])
		}
	default:
		var buf [block]float64
		for lo := 0; lo < n; lo += block {
			x := buf[:copy(buf[:min(block, n-lo)], src[lo:n])]
			if k.vec(dst[lo:], x) {
				k.fix(dst[lo:], x)
			}
		}
	}
	for i := n; i < len(src); i++ {
		dst[i] = k.scalar(src[i]) // a tail of 1 to 3 values: as quick
	}
}

// block is how many values an in-place call copies at a time (a multiple
// of 4).
const block = 256
