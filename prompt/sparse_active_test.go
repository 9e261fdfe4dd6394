package prompt

import (
	"testing"

	"icl/task"
)

// With SparseInActive, 1-sparse functions of a mixture never fall on a
// zeroed coordinate, so no prompt's labels are all 0; without it about
// (D - ActiveDims) / D of the sparse prompts are; the dense prompts are the
// same draws either way, and at ActiveDims = D nothing changes.
func TestSparseInActive(t *testing.T) {
	spec := task.Spec{Class: task.ClassMixture, Weights: []float64{0.5, 0.5},
		Of: []task.Spec{{Class: task.ClassDenseLinear}, {Class: task.ClassSparseLinear, K: 1}}}
	c, err := spec.Build(8)
	if err != nil {
		t.Fatal(err)
	}
	const B, N = 400, 5
	zeros := func(b *Batch) (sparse, zero int) {
		for p := 0; p < B; p++ {
			if b.Class[p] != 1 {
				continue
			}
			sparse++
			all := true
			for _, y := range b.Ys[p*N : (p+1)*N] {
				all = all && y == 0
			}
			if all {
				zero++
			}
		}
		return
	}
	off := (&Sampler{Class: c, ActiveDims: 2}).Batch(B, N, 9)
	on := (&Sampler{Class: c, ActiveDims: 2, SparseInActive: true}).Batch(B, N, 9)
	ns, nzOff := zeros(off)
	_, nzOn := zeros(on)
	if nzOn != 0 {
		t.Errorf("SparseInActive: %d of %d sparse prompts have all labels 0", nzOn, ns)
	}
	// 6 of 8 coordinates zeroed: 3/4 of the sparse prompts, binomial sd about 0.03.
	if f := float64(nzOff) / float64(ns); f < 0.6 || f > 0.9 {
		t.Errorf("without SparseInActive %.2f of sparse prompts are all 0, want about 0.75", f)
	}
	for p := 0; p < B; p++ {
		if off.Class[p] != on.Class[p] {
			t.Fatalf("prompt %d: the class drawn changed", p)
		}
		if on.Class[p] == 0 {
			for i := p * N; i < (p+1)*N; i++ {
				if off.Ys[i] != on.Ys[i] {
					t.Fatalf("dense prompt %d changed", p)
				}
			}
		}
	}
	sameBatch(t, "ActiveDims = D", (&Sampler{Class: c}).Batch(B, N, 9), (&Sampler{Class: c, SparseInActive: true}).Batch(B, N, 9))
}
