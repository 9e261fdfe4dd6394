package streamprobe

import (
	"encoding/json"
	"icl/gpt"
	"icl/prompt"
	"icl/rng"
	"icl/task"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// synthStreams is B prompts' streams at 3 layers and positions {0, 1}, C = 6
// features: layers 0 and 2 are standard normal noise; layer 1 holds the
// class (+-1 in feature 2, under noise of sd 0.3) and, in feature 3, a
// variable that the posterior target at position 1 is linear in. Of the two
// classes' prediction targets at position 1, class 0's is linear in layer
// 2's feature 4; class 1's is linear in layer 1's feature 5 on the prompts
// of class 1 and NaN (left out) on the others.
func synthStreams(r *rand.Rand, B int) (*Streams, Targets) {
	const L1, C = 3, 6
	pos := []int{0, 1}
	s := &Streams{layers: L1, B: B, C: C, pos: pos, x: make([]float32, L1*len(pos)*B*C)}
	t := Targets{Class: make([]float64, B), Post: [][]float64{make([]float64, B), make([]float64, B)}}
	for range 2 {
		t.Pred = append(t.Pred, [][]float64{make([]float64, B), make([]float64, B)})
	}
	for q := range B {
		t.Class[q] = float64(r.IntN(2))
	}
	for l := range L1 {
		for j := range pos {
			for q := range B {
				row := s.x[((l*len(pos)+j)*B+q)*C:][:C]
				for c := range row {
					row[c] = float32(r.NormFloat64())
				}
				if l == 1 {
					row[2] = float32(2*t.Class[q]-1) + 0.3*row[2]
					if j == 1 {
						t.Post[1][q] = 0.5 + 0.1*float64(row[3]) + 0.01*r.NormFloat64()
					}
				}
				if l == 2 && j == 1 {
					t.Pred[0][1][q] = 2*float64(row[4]) + 0.05*r.NormFloat64()
				}
				if l == 1 && j == 1 {
					t.Pred[1][1][q] = math.NaN()
					if t.Class[q] == 1 {
						t.Pred[1][1][q] = -float64(row[5]) + 0.05*r.NormFloat64()
					}
				}
			}
		}
	}
	for q := range B {
		t.Post[0][q] = 0.5 // no context: the prior
		t.Pred[0][0][q], t.Pred[1][0][q] = 0, 0
	}
	return s, t
}

// The probe grid finds a class that one layer encodes linearly (accuracy
// about 1, and that layer is the best by cross-validation) and nothing in
// noise (accuracy about 1/2: 4 standard errors at 400 held-out prompts);
// the posterior probe's and the prediction probes' R^2 is about 1 where the
// target is linear in the stream, about 0 on noise, and NaN where the target
// does not vary. The result does not depend on the number of goroutines.
func TestFitProbesSynthetic(t *testing.T) {
	const B = 400
	r := rand.New(rand.NewPCG(8, 8))
	fs, ft := synthStreams(r, B)
	ts, tt := synthStreams(r, B)
	g, err := Fit("synthetic", fs, ts, ft, tt, 3, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	for j, p := range g.Pos {
		for l := range g.Cells {
			c := g.Cells[l][j]
			lo, hi := 0.4, 0.6
			if l == 1 {
				lo, hi = 0.97, 1
			}
			if c.Acc < lo || c.Acc > hi || c.Acc != mean(c.Correct) {
				t.Errorf("layer %d, position %d: accuracy %.3f (mean of correct %.3f), want in [%g, %g]", l, p, c.Acc, mean(c.Correct), lo, hi)
			}
			switch {
			case p == 0:
				if !math.IsNaN(c.R2) {
					t.Errorf("layer %d, position 0: R^2 %g of a constant posterior, want NaN", l, c.R2)
				}
			case l == 1 && c.R2 < 0.95:
				t.Errorf("layer 1, position 1: R^2 %.3f, want >= 0.95", c.R2)
			case l != 1 && c.R2 > 0.05:
				t.Errorf("layer %d, position 1: R^2 %.3f on noise, want <= 0.05", l, c.R2)
			}
		}
		for k := range 2 {
			for l := range g.Cells {
				got := g.Cells[l][j].R2Pred[k]
				switch {
				case p == 0:
					if !math.IsNaN(got) {
						t.Errorf("layer %d, position 0: class %d prediction R^2 %g of a constant target, want NaN", l, k, got)
					}
				case k == 0 && l == 2, k == 1 && l == 1:
					if got < 0.95 {
						t.Errorf("layer %d, position 1: class %d prediction R^2 %.3f, want >= 0.95", l, k, got)
					}
				case got > 0.05:
					t.Errorf("layer %d, position 1: class %d prediction R^2 %.3f on noise, want <= 0.05", l, k, got)
				}
			}
		}
		if b := g.Best(j); b != 1 {
			t.Errorf("position %d: best layer %d, want 1", p, b)
		}
	}
	one, err := Fit("synthetic", fs, ts, ft, tt, 3, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(flatCells(g))
	b, _ := json.Marshal(flatCells(one))
	if string(a) != string(b) {
		t.Error("1 and 2 goroutines give different probes")
	}
}

func flatCells(g *Grid) []any {
	var out []any
	for _, cs := range g.Cells {
		for _, c := range cs {
			out = append(out, c.Correct, c.Acc, c.CV, math.Float64bits(c.R2))
			for _, v := range c.R2Pred {
				out = append(out, math.Float64bits(v))
			}
		}
	}
	return out
}

// The streams captured chunk by chunk are those of one forward pass over all
// the prompts, at every layer and position kept, with the family indicator
// hidden and with each prompt's own family shown (which changes them).
func TestCaptureStreams(t *testing.T) {
	const B, N, D, F = 70, 5, 3, 2 // B > eval.DefaultChunk (16 or 32): several chunks
	m, err := gpt.New(gpt.Config{Dim: D, Points: N, Layers: 2, Width: 16, Heads: 2, Families: F})
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	c, err := (&task.Spec{Class: task.ClassDenseLinear}).Build(D)
	if err != nil {
		t.Fatal(err)
	}
	b := (&prompt.Sampler{Class: c}).Batch(B, N, 3, rng.LabelEval)
	pos := []int{0, 2, 4}
	xs, ys := make([]float32, B*N*D), make([]float32, B*N)
	for i, v := range b.Xs {
		xs[i] = float32(v)
	}
	for i, v := range b.Ys {
		ys[i] = float32(v)
	}
	family, ind := make([]int, B), make([]float32, B*F)
	for q := range B {
		family[q] = q % 3 % F
		ind[q*F+family[q]] = 1
	}
	C := m.Cfg.Width
	buf := make([]float32, B*N*C)
	var captured []*Streams
	for _, shown := range []bool{false, true} {
		in := gpt.Input{Xs: xs, Ys: ys, B: B, N: N}
		s := Capture(m, b, pos, nil)
		if shown {
			in.Ind, s = ind, Capture(m, b, pos, family)
		}
		captured = append(captured, s)
		m.Predict(make([]float32, B*N), in)
		for l := range m.Cfg.Layers + 1 {
			m.Stream(buf, l)
			for j, p := range pos {
				set := s.set(l, j, make([]float64, B))
				for q := range B {
					for k := range C {
						want, got := float64(buf[(q*N+p)*C+k]), set.X[q*C+k]
						if math.Abs(got-want) > 1e-6*(1+math.Abs(want)) {
							t.Fatalf("family shown %v: layer %d, position %d, prompt %d, feature %d: captured %g, one pass %g", shown, l, p, q, k, got, want)
						}
					}
				}
			}
		}
	}
	if slices.Equal(captured[0].x, captured[1].x) {
		t.Error("the streams with the family shown equal those with it hidden")
	}
}
