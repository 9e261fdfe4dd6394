package train

import (
	"icl/config"
	"icl/gpt"
	"icl/optim"
	"icl/prompt"
	"icl/rng"
	"icl/task"
	"math"
	"strconv"
)

// trainer is the state of one training session.
type trainer struct {
	cfg     *Config
	class   task.Class
	model   *gpt.Model
	opt     *optim.AdamW
	sched   optim.Schedule
	xs      []float32 // (B, N, D)
	ys      []float32 // (B, N)
	weights []float32 // (B) per-prompt loss weights for Loss "normalized"
	ind     []float32 // (B, F) the prompts' family indicators; nil without

	trainBatch *prompt.Batch
	evalStage  Stage
	evalBatch  *prompt.Batch
}

func newTrainer(cfg *Config) (*trainer, error) {
	class, err := cfg.Class()
	if err != nil {
		return nil, config.Under("task", err)
	}
	m, err := gpt.New(cfg.GPT())
	if err != nil {
		return nil, err
	}
	if m.Precision, err = gpt.ParsePrecision(cfg.Train.Precision); err != nil {
		return nil, config.Errorf("train.precision", "%v", err)
	}
	sched, err := cfg.Train.Schedule.Build(cfg.Train.Steps)
	if err != nil {
		return nil, config.Under("train.schedule", err)
	}
	opt := cfg.Train.Optimizer.New(len(m.Params))
	B, N, D := cfg.Train.Batch, cfg.Data.Points, cfg.Data.Dim
	t := &trainer{cfg: cfg, class: class, model: m, opt: opt, sched: sched,
		xs: make([]float32, B*N*D), ys: make([]float32, B*N), weights: make([]float32, B)}
	if F := m.Cfg.Families; F > 0 {
		t.ind = make([]float32, B*F)
	}
	return t, nil
}

// draw returns the prompts of a batch at curriculum stage st, prompt p drawn from
// rng.New(seed, labels..., p).
func (t *trainer) draw(b int, st Stage, labels ...uint64) *prompt.Batch {
	s := t.sampler(st)
	return s.Batch(b, st.Points, t.cfg.Seed, labels...)
}

// sampler draws the prompts of curriculum stage st.
func (t *trainer) sampler(st Stage) prompt.Sampler {
	return prompt.Sampler{Class: t.class, ActiveDims: st.Dims, SparseInActive: t.cfg.Curriculum.SparseInActive,
		FamilyIndicator: t.cfg.Data.FamilyIndicator}
}

// drawTrain fills the reused training batch for step s at stage st.
func (t *trainer) drawTrain(s int, st Stage) *prompt.Batch {
	B := t.cfg.Train.Batch
	if t.trainBatch == nil || t.trainBatch.N != st.Points {
		t.trainBatch = prompt.NewBatch(B, st.Points, t.cfg.Data.Dim)
	}
	sm := t.sampler(st)
	sm.Fill(t.trainBatch, t.cfg.Seed, rng.LabelTrain, uint64(s))
	return t.trainBatch
}

// indicator writes the family indicators of prompts [lo, hi) of bt into
// t.ind and returns them, (hi-lo, F); nil for a model without one.
func (t *trainer) indicator(bt *prompt.Batch, lo, hi int) []float32 {
	if t.ind == nil {
		return nil
	}
	ind := t.ind[:(hi-lo)*bt.Families]
	bt.IndicatorFeatures(ind, lo, hi)
	return ind
}

// load converts prompts [lo, hi) of bt to float32 into t.xs, t.ys.
func (t *trainer) load(bt *prompt.Batch, lo, hi int) (xs, ys []float32) {
	nd, n := bt.N*bt.D, bt.N
	xs, ys = t.xs[:(hi-lo)*nd], t.ys[:(hi-lo)*n]
	for i, v := range bt.Xs[lo*nd : hi*nd] {
		xs[i] = float32(v)
	}
	for i, v := range bt.Ys[lo*n : hi*n] {
		ys[i] = float32(v)
	}
	return xs, ys
}

// step does update s (0-based) at stage st and returns the batch loss, the
// gradient norm before clipping and the learning rate used.
func (t *trainer) step(s int, st Stage) (loss, norm, lr float64) {
	B := t.cfg.Train.Batch
	bt := t.drawTrain(s, st)
	xs, ys := t.load(bt, 0, B)
	t.model.ZeroGrad()
	var w []float32 // (B) prompt weights; nil: plain mean squared error
	if t.cfg.Train.Loss == LossNormalized {
		w = t.weights[:B]
		for p := range w {
			w[p] = float32(1 / bt.Scale[p])
		}
	}
	loss = float64(t.model.Forward(gpt.Input{Xs: xs, Ys: ys, Ind: t.indicator(bt, 0, B), W: w, B: B, N: st.Points}))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss, 0, 0
	}
	t.model.Backward()
	norm = optim.ClipGradNorm(t.model.Grads, t.cfg.Train.GradClip) // 0: norm only
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		return loss, norm, 0
	}
	lr = t.sched.LR(s)
	t.opt.Update(t.model.Params, t.model.Grads, lr)
	return loss, norm, lr
}

// evaluate computes the model's loss on the fixed evaluation prompts at stage st,
// drawn from rng.New(seed, rng.LabelEval, p), in chunks of the training batch.
// They show their family as the training prompts do (Data.FamilyIndicator).
// The model runs in float32 whatever train.precision is, as evaluation
// (package eval) runs a trained model.
func (t *trainer) evaluate(st Stage) *EvalResult {
	prec := t.model.Precision
	t.model.Precision = gpt.FP32
	defer func() { t.model.Precision = prec }()
	if t.evalBatch == nil || t.evalStage != st {
		t.evalBatch = t.draw(t.cfg.EvalBatch, st, rng.LabelEval)
		t.evalStage = st
	}
	bt := t.evalBatch
	N := bt.N
	per := make([]float64, N)
	sum := 0.0
	for lo := 0; lo < bt.B; lo += t.cfg.Train.Batch {
		hi := min(lo+t.cfg.Train.Batch, bt.B)
		xs, ys := t.load(bt, lo, hi)
		t.model.Forward(gpt.Input{Xs: xs, Ys: ys, Ind: t.indicator(bt, lo, hi), B: hi - lo, N: N})
		preds := t.model.Preds()
		for p := lo; p < hi; p++ {
			for i := 0; i < N; i++ {
				d := float64(preds[(p-lo)*N+i]) - float64(ys[(p-lo)*N+i])
				sum += d * d
				per[i] += d * d / bt.Scale[p]
			}
		}
	}
	e := &EvalResult{Loss: sum / float64(bt.B*N), PerPosition: per}
	for i := range per {
		per[i] /= float64(bt.B)
		e.NormLoss += per[i]
	}
	e.NormLoss /= float64(N)
	return e
}

// writeModel writes the final weights in gpt's tensor names (gpt.SaveFile),
// with the step and the training config in the metadata.
func writeModel(path string, cfg *Config, m *gpt.Model, step int, numerics string) error {
	text, err := cfg.YAML()
	if err != nil {
		return err
	}
	return gpt.SaveFile(path, m, map[string]string{"step": strconv.Itoa(step), "train_config": string(text),
		gpt.MetaNumerics: numerics})
}

// afterStepHook, when set (by tests only), is called after every update with the
// number of completed updates and the parameters.
var afterStepHook func(k int, params []float32)
