package eval

import (
	"encoding/json"
	"fmt"

	"icl/internal/parallel"
	"icl/prompt"
	"icl/rng"
	"icl/task"
)

// FittedLine is one predictor evaluated on a grid of queries.
type FittedLine struct {
	Name string    `json:"name"`          // display text
	Key  string    `json:"key,omitempty"` // the predictor's Key
	Y    []float64 `json:"y"`             // (len(Fitted.Grid))
}

// Fitted is a function of one input drawn from a class, its in-context
// examples, and predictions on a grid of queries after those examples.
type Fitted struct {
	Class string       `json:"class"`
	CtxX  []float64    `json:"context_x"` // (n)
	CtxY  []float64    `json:"context_y"` // (n)
	Grid  []float64    `json:"grid"`      // (G)
	Truth []float64    `json:"truth"`     // (G) f on the grid, without noise
	Lines []FittedLine `json:"lines"`
}

// Grid returns g points evenly spaced on [lo, hi].
func Grid(lo, hi float64, g int) []float64 {
	out := make([]float64, g)
	for i := range out {
		if g == 1 {
			out[i] = (lo + hi) / 2
		} else {
			out[i] = lo + (hi-lo)*float64(i)/float64(g-1)
		}
	}
	return out
}

// FitFunction draws one function from c (which must have Dim 1) and n context
// points x ~ N(0, 1), y = f(x) plus the class's label noise, all from
// rng.New(seed, rng.LabelEval, index), and evaluates each predictor at every
// grid query given that context: prompt g is the n context points followed by
// (grid[g], 0), and its prediction at position n is read. A Baseline predicts
// each grid prompt on its own with the baseline's Predict (for a Monte Carlo
// Bayes predictor, the same prior samples for every query).
func FitFunction(c task.Class, n int, grid []float64, preds []Predictor, seed uint64, index int) (*Fitted, error) {
	if c.Dim() != 1 {
		return nil, fmt.Errorf("eval: fitted functions need d = 1, class %s has d = %d", c.Name(), c.Dim())
	}
	if n < 0 || len(grid) == 0 {
		return nil, fmt.Errorf("eval: fitted function with n = %d context points and %d grid points", n, len(grid))
	}
	r := rng.New(seed, rng.LabelEval, uint64(index))
	f := c.Sample(r)
	sigma := task.NoiseStd(c)
	fit := &Fitted{Class: c.Name(), CtxX: make([]float64, n), CtxY: make([]float64, n),
		Grid: append([]float64(nil), grid...), Truth: make([]float64, len(grid))}
	for i := 0; i < n; i++ {
		fit.CtxX[i] = r.NormFloat64()
	}
	for i := 0; i < n; i++ {
		fit.CtxY[i] = f.Eval(fit.CtxX[i : i+1])
		if sigma > 0 {
			fit.CtxY[i] += sigma * r.NormFloat64()
		}
	}
	for g, x := range grid {
		fit.Truth[g] = f.Eval([]float64{x})
	}
	G, m := len(grid), n+1
	xs := make([]float64, G*m)
	ys := make([]float64, G*m)
	for g, x := range grid {
		copy(xs[g*m:g*m+n], fit.CtxX)
		copy(ys[g*m:g*m+n], fit.CtxY)
		xs[g*m+n] = x
	}
	for _, pr := range preds {
		line := FittedLine{Name: pr.Name(), Key: pr.Key(), Y: make([]float64, G)}
		out := make([]float64, G*m)
		if b, ok := pr.(Baseline); ok {
			parallel.For(G, 0, func(g int) {
				b.P.Predict(out[g*m:(g+1)*m], xs[g*m:(g+1)*m], ys[g*m:(g+1)*m], m, 1)
			})
		} else {
			pr.Predict(out, &prompt.Batch{B: G, N: m, D: 1, Xs: xs, Ys: ys, QueryLen: m})
		}
		for g := range line.Y {
			line.Y[g] = out[g*m+n]
		}
		fit.Lines = append(fit.Lines, line)
	}
	return fit, nil
}

type fittedLineJSON struct {
	Name string `json:"name"`
	Key  string `json:"key,omitempty"`
	Y    floats `json:"y"`
}

// MarshalJSON writes NaN as null.
func (l FittedLine) MarshalJSON() ([]byte, error) {
	return json.Marshal(fittedLineJSON{l.Name, l.Key, l.Y})
}

// UnmarshalJSON reads null as NaN.
func (l *FittedLine) UnmarshalJSON(b []byte) error {
	var j fittedLineJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = FittedLine{Name: j.Name, Key: j.Key, Y: j.Y}
	return nil
}
