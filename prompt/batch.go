package prompt

// Batch is B prompts of N points in dimension D, row-major, float64.
type Batch struct {
	B, N, D int
	Xs      []float64 // (B, N, D)
	Ys      []float64 // (B, N)
	// Class is the mixture component each prompt was drawn from, (B); nil when
	// the class is not a mixture.
	Class []int
	// Scale is the error normalizer of each prompt's class, (B).
	Scale []float64
}

// NewBatch allocates a zeroed batch.
func NewBatch(b, n, d int) *Batch {
	return &Batch{B: b, N: n, D: d,
		Xs: make([]float64, b*n*d), Ys: make([]float64, b*n), Scale: make([]float64, b)}
}

// X returns point i of prompt p, a view of length D.
func (bt *Batch) X(p, i int) []float64 {
	o := (p*bt.N + i) * bt.D
	return bt.Xs[o : o+bt.D]
}

// Prompt returns views of prompt p's inputs (N, D) and labels (N).
func (bt *Batch) Prompt(p int) (xs, ys []float64) {
	return bt.Xs[p*bt.N*bt.D : (p+1)*bt.N*bt.D], bt.Ys[p*bt.N : (p+1)*bt.N]
}
