package experiment

import (
	"fmt"
	"icl/gpt"
	"icl/train"
)

// RunConfig returns the training config of d's run ref at scale, named
// SCALE/NAME: the train preset TRAINSCALE/PRESET, then the ref's overrides
// (its Recipe, then its recipe at the scale, TrainAt), then the defaults.
// Scale.Train, set by tests only, edits the config before the defaults.
//
// An experiment the scale takes from another (Scale.RunsFrom) gets that
// scale's run: named, configured and trained as there.
func RunConfig(d *Def, ref *RunRef, scale *Scale) (*train.Config, error) {
	scale, err := scale.RunScale(d.ID)
	if err != nil {
		return nil, err
	}
	cfg, err := train.Preset(scale.PresetName(ref))
	if err != nil {
		return nil, err
	}
	cfg.Name = scale.Name + "/" + ref.RunName()
	if b := ref.BudgetAt(scale.Name); b > 0 {
		cfg.Name += budgetSuffix(b)
	}
	for _, r := range []Recipe{ref.Recipe, ref.TrainAt[scale.Name]} {
		if err := r.apply(cfg); err != nil {
			return nil, fmt.Errorf("run %s (preset %s): %w", cfg.Name, ref.Preset, err)
		}
	}
	if scale.Train != nil {
		scale.Train(cfg)
	}
	if scale.Precision == gpt.PrecisionBF16 {
		cfg.Train.Precision = scale.Precision
	}
	if b := ref.BudgetAt(scale.Name); b > 0 {
		branchAt(cfg, b)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("run %s: %w", cfg.Name, err)
	}
	return cfg, nil
}

// BudgetAt is the ref's Recipe.Budget at scale (TrainAt's where it sets one).
func (r *RunRef) BudgetAt(scale string) int {
	if b := r.TrainAt[scale].Budget; b > 0 {
		return b
	}
	return r.Budget
}

// TrunkRef is ref without its budget: the run its cooldown branch starts from.
func (r *RunRef) TrunkRef() *RunRef {
	t := *r
	t.Budget = 0
	t.TrainAt = map[string]Recipe{}
	for sc, rc := range r.TrainAt {
		rc.Budget = 0
		t.TrainAt[sc] = rc
	}
	return &t
}

// budgetSuffix names a budget's branch: "_b50k" for 50000 steps.
func budgetSuffix(b int) string {
	if b%1000 == 0 {
		return fmt.Sprintf("_b%dk", b/1000)
	}
	return fmt.Sprintf("_b%d", b)
}

// PresetName is the train preset ref starts from at s: TRAINSCALE/PRESET.
func (s *Scale) PresetName(ref *RunRef) string {
	ts := s.TrainScale
	if ts == "" {
		ts = s.Name
	}
	return ts + "/" + ref.Preset
}
