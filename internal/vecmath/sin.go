package vecmath

import "math"

// Sin sets dst[i] = math.Sin(src[i]) for i < len(src), with math.Sin's bits.
// It panics if dst is shorter than src. dst and src are the same slice or do
// not overlap.
func Sin(dst, src []float64) { apply(kSin, dst, src) }

// reduceThreshold is the argument above which math.Sin reduces by
// Payne-Hanek instead of the three-part Pi/4 of the vector path.
const reduceThreshold = 1 << 29

// The constants of math.Sin (Cephes' sin.c): Pi/4 split into three parts,
// and the polynomials of sin and cos on [-Pi/4, Pi/4].
const (
	pi4A = 7.85398125648498535156e-1  // 0x3fe921fb40000000
	pi4B = 3.77489470793079817668e-8  // 0x3e64442d00000000
	pi4C = 2.69515142907905952645e-15 // 0x3ce8469898cc5170
)

var sinCoef = [6]float64{
	1.58962301576546568060e-10, // 0x3de5d8fd1fd19ccd
	-2.50507477628578072866e-8, // 0xbe5ae5e5a9291f5d
	2.75573136213857245213e-6,  // 0x3ec71de3567d48a1
	-1.98412698295895385996e-4, // 0xbf2a01a019bfdf03
	8.33333333332211858878e-3,  // 0x3f8111111110f7d0
	-1.66666666666666307295e-1, // 0xbfc5555555555548
}

var cosCoef = [6]float64{
	-1.13585365213876817300e-11, // 0xbda8fa49a0861a9b
	2.08757008419747316778e-9,   // 0x3e21ee9d7b4e3f05
	-2.75573141792967388112e-7,  // 0xbe927e4f7eac4bc6
	2.48015872888517045348e-5,   // 0x3efa01a019c844f5
	-1.38888888888730564116e-3,  // 0xbf56c16c16c14f91
	4.16666666666665929218e-2,   // 0x3fa555555555554b
}

// sinTable holds sin_amd64.s's constants, each row one value over four
// lanes, in the order of its offsets: 4/Pi, pi4A, pi4B, pi4C, 1, 0.5, the
// cos coefficients, the sin coefficients, the sign bit, the magnitude bits,
// the int32 lanes 1, 7, 3 and 2 (in the low 16 bytes), and 2^29.
var sinTable = func() (t [25][4]uint64) {
	f := []float64{4 / math.Pi, pi4A, pi4B, pi4C, 1, 0.5}
	f = append(f, cosCoef[:]...)
	f = append(f, sinCoef[:]...)
	rows := make([]uint64, 0, 25)
	for _, v := range f {
		rows = append(rows, math.Float64bits(v))
	}
	rows = append(rows, 1<<63, 1<<63-1)
	for _, k := range []uint64{1, 7, 3, 2} {
		rows = append(rows, k|k<<32)
	}
	rows = append(rows, math.Float64bits(reduceThreshold))
	for i, r := range rows {
		t[i] = [4]uint64{r, r, r, r}
	}
	return t
}()
