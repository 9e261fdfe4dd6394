package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"icl/gpt"
	"icl/train"
)

// TestPrintAtPeak checks the products-at-peak table against figures worked by
// hand from made-up timings and peaks.
func TestPrintAtPeak(t *testing.T) {
	cfg := gpt.Config{Dim: 2, Points: 2, Layers: 1, Width: 8, Heads: 2}
	// batch 1: 4 rows, 2 x-token rows; c_attn 2*4*8*24 = 1536, the rest
	// 2*2*8*72 = 2304; forward and backward 3 * 3840 = 11520 FLOP.
	const flops = 11520.0
	p := benchPreset{name: "tiny", cfg: cfg, threads: 2}
	step := func(total, matmul time.Duration) train.StepTime {
		return train.StepTime{Forward: total.Seconds(), Layers: gpt.Profile{Matmul: matmul}}
	}
	rows := []benchRow{
		{p, gpt.FP32, step(10*time.Millisecond, 6*time.Millisecond)},
		{p, gpt.BF16, step(8*time.Millisecond, 4*time.Millisecond)},
	}
	// Peaks in GFLOP/s per core, so that the products take 1 ms (fp32) and
	// 0.5 ms (bf16) at them on 2 threads.
	peak := map[gpt.Precision]float64{gpt.FP32: flops / 2 / 1e-3 / 1e9, gpt.BF16: flops / 2 / 0.5e-3 / 1e9}
	var b strings.Builder
	if err := printAtPeak(&b, rows, peak, 1); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	// fp32: 10 - 6 + 1 = 5 ms at peak, 11520 FLOP in 6 ms, 1/6 of the peak.
	// bf16: 8 - 4 + 0.5 = 4.5 ms, 1/8 of the peak, 4.5/10 of fp32's step.
	for _, want := range []string{
		fmt.Sprintf("tiny  fp32  0.00  %.1f  17%%  5.00  -", flops/6e-3/1e9),
		fmt.Sprintf("tiny  bf16  0.00  %.1f  12%%  4.50  0.45", flops/4e-3/1e9),
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), "  "), want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// No peak (the ref kernel): the row says so rather than dividing by zero.
	b.Reset()
	if err := printAtPeak(&b, rows[:1], map[gpt.Precision]float64{gpt.FP32: 0}, 1); err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(strings.Split(strings.TrimSpace(b.String()), "\n")[2]); len(f) != 7 || f[3] != "-" || f[6] != "-" {
		t.Errorf("row without a peak: %q, want dashes", f)
	}
}
