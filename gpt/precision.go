package gpt

import (
	"fmt"

	"icl/gpt/kernels"
)

// Precision is the arithmetic of the transformer blocks' matrix products.
type Precision int

const (
	// FP32 multiplies float32 operands with float32 sums (kernels.Gemm).
	FP32 Precision = iota
	// BF16 rounds the operands of each product to bfloat16 (once per
	// product, to nearest even) and sums in float32 (kernels.GemmBF16),
	// forward and backward. Parameters, gradients, optimizer state,
	// LayerNorm, GELU, attention, the read-in, the read-out and the loss stay
	// float32. It gives the same bits on every CPU and thread count; CPUs
	// without AVX512-BF16 compute them in plain Go, many times slower
	// (kernels.HasBF16).
	BF16
)

// Precision names, as configs write them.
const (
	PrecisionFP32 = "fp32"
	PrecisionBF16 = "bf16"
)

// String returns "fp32" or "bf16".
func (p Precision) String() string {
	switch p {
	case FP32:
		return PrecisionFP32
	case BF16:
		return PrecisionBF16
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// ParsePrecision returns the Precision a config names: "fp32" (also "") or
// "bf16".
func ParsePrecision(s string) (Precision, error) {
	switch s {
	case "", PrecisionFP32:
		return FP32, nil
	case PrecisionBF16:
		return BF16, nil
	}
	return FP32, fmt.Errorf("%q: must be %q (the default) or %q", s, PrecisionFP32, PrecisionBF16)
}

// PrecisionKernel names the kernel that runs p's products on this CPU: the
// float32 GEMM's (kernels.Kernel) or the bf16 one's (kernels.BF16Kernel).
func PrecisionKernel(p Precision) string {
	if p == BF16 {
		return kernels.BF16Kernel()
	}
	return kernels.Kernel()
}
