package eval

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"icl/baseline"
	"icl/config"
	"icl/prompt"
	"icl/rng"
	"icl/task"
)

// Defaults of Options and Setting.
const (
	DefaultPrompts = 1280
	DefaultLevel   = 0.9
	DefaultBoots   = 1000
)

// Setting is one evaluation: prompts of a class under a prompt setting.
type Setting struct {
	// Name identifies the setting in results ("dense", "sparse_k3", ...).
	Name string `yaml:"name"`
	// Task is the class the prompts' functions come from.
	Task task.Spec `yaml:"task"`
	// Prompt is the input and query setting; the zero value is in-distribution.
	Prompt prompt.Setting `yaml:"prompt,omitempty"`
	// Prompts is the number of prompts B; 0 means DefaultPrompts.
	Prompts int `yaml:"prompts,omitempty"`
	// Points is the number of points per prompt N; 0 means the N passed to
	// Evaluate.
	Points int `yaml:"points,omitempty"`
	// Seed selects the prompts: prompt p comes from rng.New(Seed, rng.LabelEval, p).
	Seed uint64 `yaml:"seed,omitempty"`
}

// Options are the bootstrap settings of an evaluation.
type Options struct {
	Level    float64 // interval level in (0, 1); 0 means DefaultLevel
	Boots    int     // bootstrap resamples; 0 means DefaultBoots, < 0 means none
	BootSeed uint64  // seed of the resampling stream
}

func (o Options) level() float64 {
	if o.Level == 0 {
		return DefaultLevel
	}
	return o.Level
}

func (o Options) boots() int {
	switch {
	case o.Boots == 0:
		return DefaultBoots
	case o.Boots < 0:
		return 0
	}
	return o.Boots
}

// Validate reports an invalid field.
func (o Options) Validate() error {
	if l := o.level(); !(l > 0 && l < 1) {
		return &config.Error{Path: "level", Msg: fmt.Sprintf("%g; allowed (0, 1), 0 means %g", o.Level, DefaultLevel)}
	}
	return nil
}

// Build validates s for inputs of dimension d and returns its class and the
// number of prompts and points (n is used when s.Points is 0).
func (s *Setting) Build(d, n int) (task.Class, int, int, error) {
	var errs []error
	c, err := s.Task.Build(d)
	if err != nil {
		errs = append(errs, fmt.Errorf("setting %s: %w", s.Name, err))
	}
	if err := s.Prompt.ValidatePath("setting "+s.Name+": prompt", d); err != nil {
		errs = append(errs, err)
	}
	if s.Prompts < 0 {
		errs = append(errs, &config.Error{Path: "setting " + s.Name + ": prompts", Msg: fmt.Sprintf("%d; must be >= 1 (0 means %d)", s.Prompts, DefaultPrompts)})
	}
	if s.Points < 0 {
		errs = append(errs, &config.Error{Path: "setting " + s.Name + ": points", Msg: fmt.Sprintf("%d; must be >= 1 (0 means the model's)", s.Points)})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, 0, 0, err
	}
	b, np := s.Prompts, s.Points
	if b == 0 {
		b = DefaultPrompts
	}
	if np == 0 {
		np = n
	}
	if np < 1 {
		return nil, 0, 0, &config.Error{Path: "setting " + s.Name + ": points", Msg: "no number of points given"}
	}
	return c, b, np, nil
}

// Draw returns the prompts of s in dimension d with n points (when s.Points
// is 0), and their class.
func (s *Setting) Draw(d, n int) (*prompt.Batch, task.Class, error) {
	c, b, np, err := s.Build(d, n)
	if err != nil {
		return nil, nil, err
	}
	sm := prompt.Sampler{Class: c, Setting: s.Prompt}
	if err := sm.Validate(); err != nil {
		return nil, nil, err
	}
	return sm.Batch(b, np, s.Seed, rng.LabelEval), c, nil
}

// SettingResult holds the curves of every predictor on one setting's prompts.
type SettingResult struct {
	Setting string `json:"setting"`
	Class   string `json:"class"` // the class's Name
	B       int    `json:"prompts"`
	N       int    `json:"points"`
	D       int    `json:"dim"`
	// ZeroError is the zero predictor's mean normalized error over all
	// positions and prompts (about 1 in-distribution).
	ZeroError float64 `json:"zero_error"`
	Curves    []Curve `json:"curves"`

	// Batch, Preds and Errs are kept in memory for further analysis and are
	// not written: the prompts, and per predictor (in Curves order) its
	// predictions (B, N) and normalized squared errors (B, N), NaN where a
	// position has no query.
	Batch *prompt.Batch `json:"-"`
	Preds [][]float64   `json:"-"`
	Errs  [][]float64   `json:"-"`
}

// Curve returns the curve of the predictor with key key (Predictor.Key),
// or nil.
func (r *SettingResult) Curve(key string) *Curve {
	for i := range r.Curves {
		if r.Curves[i].Key == key {
			return &r.Curves[i]
		}
	}
	return nil
}

// Predictions returns the (B, N) predictions of the predictor with key key,
// or nil.
func (r *SettingResult) Predictions(key string) []float64 {
	for i := range r.Curves {
		if r.Curves[i].Key == key && i < len(r.Preds) {
			return r.Preds[i]
		}
	}
	return nil
}

// Errors returns the (B, N) normalized errors of the predictor with key key,
// or nil.
func (r *SettingResult) Errors(key string) []float64 {
	for i := range r.Curves {
		if r.Curves[i].Key == key && i < len(r.Errs) {
			return r.Errs[i]
		}
	}
	return nil
}

// Evaluate draws the prompts of s (dimension d, n points unless s.Points is
// set) and scores every predictor on them.
func Evaluate(s Setting, d, n int, preds []Predictor, opts Options) (*SettingResult, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	bt, c, err := s.Draw(d, n)
	if err != nil {
		return nil, err
	}
	r := Score(bt, preds, opts)
	r.Setting = s.Name
	r.Class = c.Name()
	return r, nil
}

// Score runs every predictor on bt and summarizes their normalized squared
// errors. The bootstrap stream of predictor j is rng.New(opts.BootSeed,
// rng.LabelEval, j), so results do not depend on evaluation order.
func Score(bt *prompt.Batch, preds []Predictor, opts Options) *SettingResult {
	B, N := bt.B, bt.N
	r := &SettingResult{B: B, N: N, D: bt.D, Batch: bt}
	// Zero predictor's error, over positions with a query.
	z, cnt := 0.0, 0
	for p := 0; p < B; p++ {
		for i := 0; i < bt.QueryLen; i++ {
			_, y := bt.Query(p, i)
			if !math.IsNaN(y) {
				z += y * y / bt.Scale[p]
				cnt++
			}
		}
	}
	r.ZeroError = z / float64(max(cnt, 1))
	if len(preds) > 0 {
		r.Curves = make([]Curve, len(preds))
	}
	// A predictor's bootstrap (one goroutine, its own stream) runs while
	// the next predictor predicts, at most GOMAXPROCS of them at once.
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for j, pr := range preds {
		pd := PredictQueries(pr, bt)
		errs := NormalizedErrors(pd, bt)
		r.Preds = append(r.Preds, pd)
		r.Errs = append(r.Errs, errs)
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			rb := rng.New(opts.BootSeed, rng.LabelEval, uint64(j))
			c := ICLCurve(pr.Name(), errs, B, N, opts.level(), opts.boots(), rb)
			c.Key = pr.Key()
			r.Curves[j] = c
		}()
	}
	wg.Wait()
	return r
}

// NormalizedErrors returns the squared errors (B, N) of the predictions pred
// (B, N) of bt's query labels, each divided by its prompt's scale (bt.Scale),
// NaN at positions without a query.
func NormalizedErrors(pred []float64, bt *prompt.Batch) []float64 {
	B, N := bt.B, bt.N
	if len(pred) != B*N || len(bt.Scale) != B {
		panic(fmt.Sprintf("eval: NormalizedErrors: len(pred) = %d, len(Scale) = %d for B = %d, N = %d", len(pred), len(bt.Scale), B, N))
	}
	errs := make([]float64, B*N)
	for p := 0; p < B; p++ {
		for i := 0; i < N; i++ {
			_, y := bt.Query(p, i)
			if i >= bt.QueryLen {
				y = math.NaN()
			}
			e := pred[p*N+i] - y
			errs[p*N+i] = e * e / bt.Scale[p]
		}
	}
	return errs
}

// PredictQueries returns pr's predictions (B, N) of the query labels of bt.
// Without queries this is one Predict; with queries, position i of every
// prompt is predicted from the prompt's context points 0..i-1 followed by its
// query (QueryBatch), and positions without a query are NaN.
func PredictQueries(pr Predictor, bt *prompt.Batch) []float64 {
	B, N := bt.B, bt.N
	dst := make([]float64, B*N)
	if bt.QXs == nil {
		pr.Predict(dst, bt)
		nanFrom(dst, bt.QueryLen, B, N, 1)
		return dst
	}
	for i := 0; i < N; i++ {
		q := QueryBatch(bt, i)
		if q == nil {
			nanFrom(dst, i, B, N, 1)
			break
		}
		out := make([]float64, B*(i+1))
		pr.Predict(out, q)
		for p := 0; p < B; p++ {
			dst[p*N+i] = out[p*(i+1)+i]
		}
	}
	return dst
}

// PosteriorQueries is PredictQueries for a predictor with a class posterior:
// it returns the predictions (B, N) and p(class | context) (B, N, K) at every
// query of bt, NaN at positions without one. workers is as in baseline.Run.
func PosteriorQueries(pp baseline.Posterior, bt *prompt.Batch, workers int) (pred, post []float64) {
	B, N, K := bt.B, bt.N, pp.NumClasses()
	pred, post = make([]float64, B*N), make([]float64, B*N*K)
	if bt.QXs == nil {
		baseline.RunPosterior(pred, post, pp, bt, workers)
		nanFrom(pred, bt.QueryLen, B, N, 1)
		nanFrom(post, bt.QueryLen, B, N, K)
		return pred, post
	}
	for i := 0; i < N; i++ {
		q := QueryBatch(bt, i)
		if q == nil {
			nanFrom(pred, i, B, N, 1)
			nanFrom(post, i, B, N, K)
			break
		}
		m := i + 1
		qd, qp := make([]float64, B*m), make([]float64, B*m*K)
		baseline.RunPosterior(qd, qp, pp, q, workers)
		for p := 0; p < B; p++ {
			pred[p*N+i] = qd[p*m+i]
			copy(post[(p*N+i)*K:(p*N+i+1)*K], qp[(p*m+i)*K:(p*m+i+1)*K])
		}
	}
	return pred, post
}

// QueryBatch returns the prompts that predict the query of position i of every
// prompt of bt: B prompts of i+1 points, the context points 0..i-1 followed by
// the query, with bt's scales. It returns nil when position i has no query
// (i >= bt.QueryLen) and bt itself when bt has no separate queries.
func QueryBatch(bt *prompt.Batch, i int) *prompt.Batch {
	if i >= bt.QueryLen {
		return nil
	}
	if bt.QXs == nil {
		return bt
	}
	m := i + 1
	q := prompt.NewBatch(bt.B, m, bt.D)
	q.Scale = bt.Scale
	for p := 0; p < bt.B; p++ {
		xs, ys := q.Prompt(p)
		bt.QueryPrompt(xs, ys, p, i)
	}
	return q
}

// nanFrom sets positions from..N-1 of every prompt of v (B, N, k) to NaN.
func nanFrom(v []float64, from, B, N, k int) {
	for p := 0; p < B; p++ {
		for i := max(from, 0); i < N; i++ {
			for c := 0; c < k; c++ {
				v[(p*N+i)*k+c] = math.NaN()
			}
		}
	}
}
