package kernels

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// EnvKernel names the environment variable that forces a kernel at start-up:
// ICL_GEMM=ref|go|avx2|avx512. An unknown or unsupported value panics at
// package initialisation with a message naming the variable.
const EnvKernel = "ICL_GEMM"

type kernelID int

const (
	kRef kernelID = iota
	kGo
	kAVX2
	kAVX512
)

// kernel describes one micro-kernel and its blocking. A micro-kernel computes
// an mr x nr tile of C from an mr x kc micro-panel of A and a kc x nr panel of
// B. mc and nc are the preferred tile sizes handed to one goroutine (multiples
// of mr and nr); kc is the K block. The K blocking never depends on the number
// of goroutines, which is what keeps results bit-identical. A direct kernel
// reads A through strides, so a non-transposed A needs no packing.
type kernel struct {
	id     kernelID
	name   string
	mr, nr int
	kc     int
	mc, nc int
	direct bool
}

var kernelTable = map[string]*kernel{
	"ref":    {id: kRef, name: "ref"},
	"go":     {id: kGo, name: "go", mr: 2, nr: 4, kc: 256, mc: 64, nc: 256},
	"avx2":   {id: kAVX2, name: "avx2", mr: 6, nr: 16, kc: 256, mc: 96, nc: 512, direct: true},
	"avx512": {id: kAVX512, name: "avx512", mr: 6, nr: 32, kc: 256, mc: 96, nc: 512, direct: true},
}

// KernelError reports a kernel name that is unknown or that this CPU or build
// cannot run.
type KernelError struct {
	Name   string
	Reason string
}

func (e *KernelError) Error() string {
	return fmt.Sprintf("kernels: kernel %q %s (supported here: %s; all: ref, go, avx2, avx512)",
		e.Name, e.Reason, strings.Join(Kernels(), ", "))
}

var current atomic.Pointer[kernel]

func init() {
	if v, ok := os.LookupEnv(EnvKernel); ok && v != "" {
		if err := SetKernel(v); err != nil {
			panic(fmt.Sprintf("%v (from %s=%q)", err, EnvKernel, v))
		}
		return
	}
	current.Store(kernelTable[bestKernel()])
}

func bestKernel() string {
	switch {
	case hasAVX512:
		return "avx512"
	case hasAVX2:
		return "avx2"
	}
	return "go"
}

func supported(name string) bool {
	switch name {
	case "ref", "go":
		return true
	case "avx2":
		return hasAVX2
	case "avx512":
		return hasAVX512
	}
	return false
}

// Kernels lists the kernels this CPU and build can run, slowest first.
func Kernels() []string {
	var s []string
	for _, n := range []string{"ref", "go", "avx2", "avx512"} {
		if supported(n) {
			s = append(s, n)
		}
	}
	return s
}

// Kernel names the kernel Gemm uses: "ref", "go", "avx2" or "avx512".
func Kernel() string { return current.Load().name }

// SetKernel selects the kernel Gemm uses; "" or "auto" selects the fastest one
// this CPU supports. It returns a *KernelError, and changes nothing, for an
// unknown name or a kernel this CPU or build cannot run. It is meant for
// start-up, tests and benchmarks, not for use concurrently with Gemm.
func SetKernel(name string) error {
	if name == "" || name == "auto" {
		name = bestKernel()
	}
	k, ok := kernelTable[name]
	if !ok {
		return &KernelError{Name: name, Reason: "is unknown"}
	}
	if !supported(name) {
		return &KernelError{Name: name, Reason: "is not supported by this CPU or build"}
	}
	current.Store(k)
	return nil
}

// kernGo is the portable 2x4 micro-kernel: c[i*ldc+j] = (acc ? c : 0) +
// sum_p a[p*2+i]*b[p*4+j], summed in order p = 0..k-1. The tile is small so
// that the compiler keeps all accumulators in registers.
func kernGo(k int, a, b, c []float32, ldc int, acc bool) {
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	a = a[:2*k]
	b = b[:4*k]
	for p := 0; p < k; p++ {
		ap := a[2*p : 2*p+2 : 2*p+2]
		bp := b[4*p : 4*p+4 : 4*p+4]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		a0, a1 := ap[0], ap[1]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
	}
	r0 := c[0:4:4]
	r1 := c[ldc : ldc+4 : ldc+4]
	if acc {
		r0[0], r0[1], r0[2], r0[3] = r0[0]+c00, r0[1]+c01, r0[2]+c02, r0[3]+c03
		r1[0], r1[1], r1[2], r1[3] = r1[0]+c10, r1[1]+c11, r1[2]+c12, r1[3]+c13
		return
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
}
