package vecmath

import "math"

// Exp sets dst[i] = math.Exp(src[i]) for i < len(src), with math.Exp's bits.
// It panics if dst is shorter than src. dst and src are the same slice or do
// not overlap.
func Exp(dst, src []float64) { apply(kExp, dst, src) }

// expMax is the largest argument of Exp's vector path, which covers every
// x <= 708 (subnormal results and zeros included) but NaN.
const expMax = 708

// expTable holds exp_amd64.s's constants over four lanes, in the order of
// its offsets: log2(e), ln2 in two parts, 1/16, the Taylor coefficients
// 1/8! down to 1/2, 1, 2, 708, 2^-1022, the int32 lanes 1023, 1022, 1 and
// -52 (in the low 16 bytes), and -746. They are those of math.Exp on amd64 (after
// Shibata, "Efficient evaluation methods of elementary functions suitable
// for SIMD computation", ISC 2010).
var expTable = func() (t [20][4]uint64) {
	const (
		log2e = 1.4426950408889634073599246810018920
		ln2U  = 0.69314718055966295651160180568695068359375
		ln2L  = 0.28235290563031577122588448175013436025525412068e-12
	)
	f := []float64{log2e, ln2U, ln2L, 0.0625,
		2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
		8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1,
		0.5, 1, 2, expMax, 0x1p-1022}
	for i, v := range f {
		b := math.Float64bits(v)
		t[i] = [4]uint64{b, b, b, b}
	}
	for i, k := range []int32{1023, 1022, 1, -52} {
		b := uint64(uint32(k)) | uint64(uint32(k))<<32
		t[len(f)+i] = [4]uint64{b, b, b, b}
	}
	b := math.Float64bits(-746)
	t[len(f)+4] = [4]uint64{b, b, b, b}
	return t
}()
