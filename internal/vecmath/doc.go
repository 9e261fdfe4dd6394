// Package vecmath evaluates float64 elementary functions over slices with
// the bits package math gives one value at a time: Sin(dst, src) sets
// dst[i] = math.Sin(src[i]) for every i, bit for bit.
//
// On amd64 with AVX2 it runs four values per instruction: math.Sin's own
// reduction and polynomials (Cephes' sin.c), in the same order of
// operations, each product and sum rounded on its own. Arguments outside
// that path (0, NaN, ±Inf, |x| >= 2^29), other architectures and builds with
// GOAMD64=v3 or later (where the compiler may fuse math.Sin's multiply-adds,
// which rounds differently) call math.Sin. The Monte Carlo Bayes predictor
// of the sinusoid classes spends most of its time in sines.
package vecmath
