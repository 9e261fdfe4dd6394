package experiment

import (
	"icl/optim"
	"icl/task"
	"icl/train"
)

// MicroScale is a scale for tests of the packages that train and evaluate
// experiments: the quick presets cut to 1-layer models of width 16 trained
// 20 steps, with small evaluations. It takes seconds, and its numbers mean
// nothing.
func MicroScale() *Scale {
	return &Scale{
		Name: "micro", TrainScale: "quick",
		Prompts: 48, Boots: 40, MCSamples: 100,
		LassoAlphas:   []float64{0.01, 0.1},
		Alphas:        []float64{0, 0.5, 1},
		OmegaBands:    [][2]float64{{0.1, 0.25}, {0.5, 2}, {4, 6}},
		FittedPrompts: 1, Grid: 9,
		Train: func(c *train.Config) {
			c.Model = train.Model{Layers: 1, Width: 16, Heads: 2}
			c.Train.Steps = 20
			if c.Train.Schedule.Kind == optim.KindWarmupCosine { // a constant schedule has no warmup
				c.Train.Schedule.WarmupSteps = 2
			}
			c.LogEvery, c.EvalEvery, c.EvalBatch, c.CheckpointEvery = 10, 10, 16, 10
			// Pretrain on 1 of d like the small preset, so evaluations
			// that leave k to the runs must resolve it to 1 (the quick
			// presets use 2), and train mixtures with the normalized loss,
			// so MS compares with the loss-weighted posterior.
			for i := range c.Task.Of {
				if c.Task.Of[i].Class == task.ClassSparseLinear {
					c.Task.Of[i].K = 1
				}
			}
			if c.Task.Class == task.ClassSparseLinear {
				c.Task.K = 1
			}
			if c.Task.Class == task.ClassMixture {
				c.Train.Loss = train.LossNormalized
			}
		},
	}
}

// MicroBudgetScale is MicroScale with warmup-stable-decay runs of steps
// steps that keep a checkpoint every keep steps: trunks of budget branches.
// They are evaluated three times at most, too rarely for the zero-predictor
// stop, which runs this small would meet.
func MicroBudgetScale(steps, keep int) *Scale {
	s := MicroScale()
	inner := s.Train
	s.Train = func(c *train.Config) {
		inner(c)
		c.Train.Steps = steps
		c.Train.Schedule = optim.ScheduleConfig{Kind: optim.KindWarmupConstant, LR: 3e-3, MinLR: 1e-5, WarmupSteps: 5}
		c.KeepCheckpointsEvery = keep
		c.EvalEvery = max(30, steps/2)
	}
	return s
}
