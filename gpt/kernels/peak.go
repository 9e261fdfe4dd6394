package kernels

import "time"

// MicroRate returns the GFLOP/s of the micro-kernel that Gemm (bf16 false) or
// GemmBF16 (bf16 true) runs with the kernel selected now, on the calling
// goroutine, timed over at least minTime: one tile computed again and again
// over one K block as the products use it (Gemm's kc values of k, GemmBF16's
// bf16KQ pairs), added into C, with every operand in L1. It is the rate the
// products' arithmetic runs at when nothing else costs time, so a product's
// (or a training step's products') GFLOP/s divided by it is the share of the
// kernel's peak reached. It returns 0 for the ref kernel, which has no
// micro-kernel.
func MicroRate(bf16 bool, minTime time.Duration) float64 {
	kr := current.Load()
	if kr.id == kRef {
		return 0
	}
	var call func()
	var flops float64
	if bf16 {
		// Pairs of 2^-10: each call adds 2*bf16KQ*2^-20 to every element
		// of C, which stays far from overflow and subnormals.
		one := pairOf(1.0/1024, 1.0/1024)
		a := make([]uint32, bf16MR*bf16KQ) // (MR, KQ) pair rows
		b := make([]uint32, bf16KQ*bf16NR) // (KQ, NR)
		for i := range a {
			a[i] = one
		}
		for i := range b {
			b[i] = one
		}
		c := make([]float32, bf16MR*bf16NR)
		asm := useBF16Asm()
		call = func() {
			if asm {
				microBF16(bf16KQ, a, bf16KQ, 1, b, bf16NR, c, bf16NR, true)
			} else {
				kernBF16Go(bf16KQ, a, bf16KQ, 1, b, bf16NR, c, bf16NR, true)
			}
		}
		flops = 2 * bf16MR * bf16NR * 2 * bf16KQ
	} else {
		mr, nr, kc := kr.mr, kr.nr, kr.kc
		a := make([]float32, mr*kc) // packed micro-panel: (kc, mr)
		b := make([]float32, kc*nr) // packed panel: (kc, nr)
		for i := range a {
			a[i] = 1.0 / 1024
		}
		for i := range b {
			b[i] = 1.0 / 1024
		}
		c := make([]float32, mr*nr)
		id := kr.id
		call = func() { micro(id, kc, a, 1, mr, b, c, nr, true) }
		flops = 2 * float64(mr*nr*kc)
	}
	call() // untimed: the operands into L1
	const batch = 256
	calls := 0
	start := time.Now()
	for calls < batch || time.Since(start) < minTime {
		for range batch {
			call()
		}
		calls += batch
	}
	return flops * float64(calls) / time.Since(start).Seconds() / 1e9
}
