//go:build amd64 && !purego

package kernels

import (
	"testing"

	"icl/internal/cputime"
)

// BenchmarkMicro times the micro-kernel alone on L1-resident panels (k = 256):
// the ceiling that blocking and packing can approach on one core.
func BenchmarkMicro(b *testing.B) {
	for _, name := range []string{"avx2", "avx512"} {
		b.Run(name, func(b *testing.B) {
			if !supported(name) {
				b.Skip("not supported on this CPU")
			}
			kr := kernelTable[name]
			const k = 256
			a := make([]float32, kr.mr*k)
			bp := make([]float32, kr.nr*k)
			c := make([]float32, kr.mr*kr.nr)
			cpu0 := cputime.Process()
			for b.Loop() {
				micro(kr.id, k, a, 1, kr.mr, bp, c, kr.nr, true)
			}
			flop := 2 * float64(kr.mr*kr.nr*k) * float64(b.N)
			b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if cpu := (cputime.Process() - cpu0).Seconds(); cpu > 0 {
				b.ReportMetric(flop/cpu/1e9, "GFLOP/cpu-s")
			}
		})
	}
}

// BenchmarkMicroBF16 times the bf16 micro-kernel alone on L1-resident panels
// (bf16KQ pairs, k = 256), beside the float32 one at the same k: the ceiling
// of GemmBF16 on one core, and the ratio the blocking can approach.
func BenchmarkMicroBF16(b *testing.B) {
	if !hasAVX512BF16 {
		b.Skip("no AVX512-BF16 on this CPU")
	}
	const kq = bf16KQ
	a := make([]uint32, bf16MR*kq)
	bp := make([]uint32, kq*bf16NR)
	c := make([]float32, bf16MR*bf16NR)
	cpu0 := cputime.Process()
	for b.Loop() {
		microBF16(kq, a, kq, 1, bp, bf16NR, c, bf16NR, true)
	}
	flop := 2 * float64(bf16MR*bf16NR*2*kq) * float64(b.N)
	b.ReportMetric(flop/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := (cputime.Process() - cpu0).Seconds(); cpu > 0 {
		b.ReportMetric(flop/cpu/1e9, "GFLOP/cpu-s")
	}
}
