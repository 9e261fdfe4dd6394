package optim

import (
	"fmt"
	"icl/config"
	"math"
)

// Schedule gives the learning rate of each step, counted from 0.
type Schedule interface {
	LR(step int) float64
}

// Constant is a fixed learning rate.
type Constant float64

// LR returns c.
func (c Constant) LR(int) float64 { return float64(c) }

// WarmupCosine rises linearly from Base/Warmup at step 0 to Base at step
// Warmup-1, then falls along half a cosine from Base at step Warmup to Min at
// step Total, and stays at Min after.
type WarmupCosine struct {
	Base, Min     float64
	Warmup, Total int
}

// LR returns the learning rate of step.
func (s WarmupCosine) LR(step int) float64 {
	if step < s.Warmup {
		return s.Base * float64(step+1) / float64(s.Warmup)
	}
	span := s.Total - s.Warmup
	if span <= 0 {
		return s.Min
	}
	p := math.Min(float64(step-s.Warmup)/float64(span), 1)
	return s.Min + (s.Base-s.Min)*0.5*(1+math.Cos(math.Pi*p))
}

// WarmupConstant rises linearly from Base/Warmup at step 0 to Base at step
// Warmup-1 and stays at Base after: the stable phase of a warmup-stable-decay
// schedule, whose decay is a Cooldown branched off any of its steps.
type WarmupConstant struct {
	Base   float64
	Warmup int
}

// LR returns the learning rate of step.
func (s WarmupConstant) LR(step int) float64 {
	if step < s.Warmup {
		return s.Base * float64(step+1) / float64(s.Warmup)
	}
	return s.Base
}

// Cooldown follows Inner up to step Start, then falls linearly from Inner's
// rate at Start to Min at step End-1 (the run's last step), as in a
// warmup-stable-decay schedule: a run can be cooled down from any point of
// another run's trajectory.
type Cooldown struct {
	Inner      Schedule
	Min        float64
	Start, End int
}

// LR returns the learning rate of step.
func (s Cooldown) LR(step int) float64 {
	if step < s.Start {
		return s.Inner.LR(step)
	}
	from := s.Inner.LR(s.Start)
	if step >= s.End-1 {
		return s.Min
	}
	p := float64(step-s.Start) / float64(s.End-1-s.Start)
	return from + (s.Min-from)*p
}

// Schedule kinds.
const (
	KindConstant     = "constant"
	KindWarmupCosine = "warmup_cosine"
	// KindWarmupConstant is a linear warmup, then lr for good: the stable
	// phase of a warmup-stable-decay schedule (its decay is cooldown_steps).
	KindWarmupConstant = "warmup_constant"
)

// ScheduleConfig describes a schedule in a config file.
type ScheduleConfig struct {
	Kind string  `yaml:"kind" json:"kind"` // "constant" (also when empty), "warmup_cosine" or "warmup_constant"
	LR   float64 `yaml:"lr" json:"lr"`
	// MinLR is where warmup_cosine ends and where a cooldown ends. A
	// warmup_constant run may set it without cooldown_steps, so that the
	// cooldown branches taken from its checkpoints differ from it only in
	// cooldown_steps (and train.steps).
	MinLR       float64 `yaml:"min_lr" json:"min_lr"`
	WarmupSteps int     `yaml:"warmup_steps" json:"warmup_steps"` // warmup_cosine and warmup_constant only
	// DecaySteps (warmup_cosine only) is the step at which the cosine reaches
	// MinLR; 0 means the run's last step. A value above the run's steps stops
	// the run partway down the cosine, with the learning rates, and so the
	// weights, that a run of DecaySteps steps has at that step.
	DecaySteps int `yaml:"decay_steps,omitempty" json:"decay_steps,omitempty"`
	// CooldownSteps, where set, ends the run with a linear fall of that
	// many steps from the schedule's rate at their start to MinLR at the
	// run's last step: the run follows the schedule until then.
	CooldownSteps int `yaml:"cooldown_steps,omitempty" json:"cooldown_steps,omitempty"`
}

// Validate reports the first invalid field of c, or nil.
func (c ScheduleConfig) Validate() error {
	switch c.Kind {
	case "", KindConstant, KindWarmupCosine, KindWarmupConstant:
	default:
		return config.Must("kind", fmt.Sprintf("%q", c.Kind), `"constant", "warmup_cosine" or "warmup_constant"`)
	}
	if !(c.LR > 0) || math.IsInf(c.LR, 0) {
		return config.Must("lr", c.LR, "a finite number > 0")
	}
	if c.CooldownSteps < 0 {
		return config.Must("cooldown_steps", c.CooldownSteps, "an integer >= 0")
	}
	if (c.Kind == KindWarmupCosine || c.Kind == KindWarmupConstant || c.CooldownSteps > 0) && !(c.MinLR >= 0 && c.MinLR <= c.LR) {
		return config.Must("min_lr", c.MinLR, fmt.Sprintf("in [0, lr = %v]", c.LR))
	}
	if c.Kind == KindWarmupCosine || c.Kind == KindWarmupConstant {
		if c.WarmupSteps < 0 {
			return config.Must("warmup_steps", c.WarmupSteps, "an integer >= 0")
		}
	} else if c.WarmupSteps != 0 {
		return config.Must("warmup_steps", c.WarmupSteps, `0: it applies to kinds "warmup_cosine" and "warmup_constant" only`)
	}
	if c.Kind == KindWarmupCosine {
		if c.DecaySteps != 0 && c.DecaySteps <= c.WarmupSteps {
			return config.Must("decay_steps", c.DecaySteps, fmt.Sprintf("0 (the run's steps) or above warmup_steps = %d", c.WarmupSteps))
		}
	} else {
		if c.DecaySteps != 0 {
			return config.Must("decay_steps", c.DecaySteps, `0: it applies to kind "warmup_cosine" only`)
		}
		if c.Kind != KindWarmupConstant && c.CooldownSteps == 0 && c.MinLR != 0 {
			return config.Must("min_lr", c.MinLR, `0: it applies to kinds "warmup_cosine" and "warmup_constant" and to cooldown_steps only`)
		}
	}
	return nil
}

// Build returns the schedule for a run of totalSteps steps (the cosine's
// horizon is DecaySteps where set), with its cooldown where set.
func (c ScheduleConfig) Build(totalSteps int) (Schedule, error) {
	s, err := c.build(totalSteps)
	if err != nil || c.CooldownSteps == 0 {
		return s, err
	}
	if c.CooldownSteps >= totalSteps {
		return nil, config.Must("cooldown_steps", c.CooldownSteps,
			fmt.Sprintf("below the number of training steps (%d)", totalSteps))
	}
	return Cooldown{Inner: s, Min: c.MinLR, Start: totalSteps - c.CooldownSteps, End: totalSteps}, nil
}

func (c ScheduleConfig) build(totalSteps int) (Schedule, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Kind == KindWarmupCosine {
		total := c.DecaySteps // Validate: above WarmupSteps where set
		if total == 0 {
			if totalSteps <= c.WarmupSteps {
				return nil, config.Must("warmup_steps", c.WarmupSteps,
					fmt.Sprintf("below the number of training steps (%d)", totalSteps))
			}
			total = totalSteps
		}
		return WarmupCosine{Base: c.LR, Min: c.MinLR, Warmup: c.WarmupSteps, Total: total}, nil
	}
	if c.Kind == KindWarmupConstant {
		if c.WarmupSteps >= totalSteps {
			return nil, config.Must("warmup_steps", c.WarmupSteps,
				fmt.Sprintf("below the number of training steps (%d)", totalSteps))
		}
		return WarmupConstant{Base: c.LR, Warmup: c.WarmupSteps}, nil
	}
	return Constant(c.LR), nil
}
