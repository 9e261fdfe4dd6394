package gpt

import (
	"fmt"
	"runtime"
	"strings"

	"icl/gpt/kernels"
)

// Numerics identifies the arithmetic a model was trained under: its
// precision and the summation order of the kernels that ran it. Two runs of
// one config under one id give the same bits; under different ids they give
// models that agree only statistically. Model files and checkpoints record
// it under the metadata key MetaNumerics.
//
// An id is PRECISION.VERSION for the kernels that amd64 machines run (the
// AVX2 and AVX-512 GEMMs and attention tiles, and for bf16 VDPBF16PS or its
// plain-Go twin, which all give the same bits), and PRECISION-KERNEL.VERSION
// for the portable kernels (ICL_GEMM=go or ref, other architectures), whose
// float32 sums round differently. A build with GOAMD64=v3 or later adds
// "-fma" (e.g. fp32-fma.1): its compiler fuses the multiply-adds of icl's Go
// code (LayerNorm, AdamW, the data draw), which changes training's bits. VERSION changes whenever a change to the
// kernels, the optimizer or the data draw changes the training bits of that
// precision: train/bits_test.go holds the hash of a short run per id and
// fails until the version is raised and the new hash recorded.
const MetaNumerics = "numerics"

// numericsVersion is VERSION of each precision's id.
var numericsVersion = map[Precision]int{FP32: 1, BF16: 1}

// LegacyNumerics returns the id of a file of precision p written before ids
// were recorded: version 1 of p's kernels. Every model shipped then was
// float32 (fp32.1); bf16 builds that recorded no id ran bf16.1's kernels.
func LegacyNumerics(p Precision) string {
	return fmt.Sprintf("%s.1", p)
}

// NumericsID returns the id of training at precision p with the kernels
// selected now (kernels.Kernel).
func NumericsID(p Precision) string {
	k := kernels.Kernel()
	name := p.String()
	if runtime.GOARCH != "amd64" || (k != "avx2" && k != "avx512") {
		name += "-" + runtime.GOARCH + "-" + k
	}
	if fusedBuild {
		name += "-fma"
	}
	return fmt.Sprintf("%s.%d", name, numericsVersion[p])
}

// NumericsPrecision returns the precision an id names ("bf16.1" -> BF16).
func NumericsPrecision(id string) (Precision, error) {
	name, _, ok := strings.Cut(id, ".")
	if !ok {
		return FP32, fmt.Errorf("numerics %q: want PRECISION.VERSION, e.g. %q", id, NumericsID(FP32))
	}
	name, _, _ = strings.Cut(name, "-")
	return ParsePrecision(name)
}
