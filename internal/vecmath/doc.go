// Package vecmath evaluates float64 elementary functions over slices with
// the bits package math gives one value at a time: Sin(dst, src) sets
// dst[i] = math.Sin(src[i]) and Exp(dst, src) dst[i] = math.Exp(src[i]) for
// every i, bit for bit.
//
// On amd64 with AVX2 they run four values per instruction, eight with
// AVX-512 (F, DQ, VL), the same steps either way. Sin follows
// math.Sin's own reduction and polynomials (Cephes' sin.c) in the same
// order of operations, each product and sum rounded on its own; arguments
// outside that path (0, NaN, ±Inf, |x| >= 2^29), other architectures and
// builds with GOAMD64=v3 or later (where the compiler may fuse math.Sin's
// multiply-adds, which rounds differently) call math.Sin. Exp follows
// math.Exp's amd64 assembly on a CPU with FMA, fused steps included;
// arguments above 708 and NaN call math.Exp. The Monte Carlo Bayes
// predictor spends most of its time in these two functions.
package vecmath
