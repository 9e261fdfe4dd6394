package gpt

import "math"

// expf is exp(x) in float32 to within about 2 ulp for x in [-87, 88]; it returns
// 0 below -87 (where exp(x) < 2e-38) and +Inf above 88.7. Range reduction
// x = n ln2 + r, |r| <= ln2/2, then a degree-7 Taylor polynomial for e^r
// (truncation error r^8/8! < 5e-9) and 2^n built from its exponent bits.
func expf(x float32) float32 {
	if x < -87 {
		return 0
	}
	if x > 88.72 {
		return float32(math.Inf(1))
	}
	const (
		log2e = 1.44269504088896341
		ln2hi = 0.693145751953125         // ln2 rounded to 16 bits, exact in n*ln2hi
		ln2lo = 1.42860682030941723212e-6 // ln2 - ln2hi
	)
	k := x * log2e
	var n int32
	if k >= 0 {
		n = int32(k + 0.5)
	} else {
		n = int32(k - 0.5)
	}
	fn := float32(n)
	r := x - fn*ln2hi - fn*ln2lo
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120+r*(1.0/720+r*(1.0/5040)))))))
	// n is in [-126, 128]; split 2^n in two factors so 2^128 does not overflow the
	// exponent field before the product saturates to +Inf.
	h := n >> 1
	return p * math.Float32frombits(uint32(h+127)<<23) * math.Float32frombits(uint32(n-h+127)<<23)
}
