package train

import (
	"bytes"
	"fmt"
	"strings"
)

// continues reports why a checkpoint taken at step ckStep under the config
// text ckText cannot continue under cfg (whose config.yaml text is cfgText),
// or nil if it can.
//
// The two configs must agree on everything that decides the weights. They may
// differ in name, in train.steps, in keep_checkpoints_every and in
// train.schedule's decay_steps and cooldown_steps, as long as the learning rate of every step before the
// checkpoint is the same under both and the checkpoint's step is at most cfg's
// steps: the run then goes on exactly as a run configured with cfg from the
// start would have. This is how a run is renamed, extended, cut short at one
// of its checkpoints, or cooled down from one.
func continues(ckText string, ckStep int, cfg *Config, cfgText string) error {
	if ckText == cfgText {
		return nil
	}
	old, err := DecodeConfig(strings.NewReader(ckText))
	if err != nil {
		return fmt.Errorf("its config does not decode: %w", err)
	}
	if ckStep > cfg.Train.Steps {
		return fmt.Errorf("it was taken at step %d, past train.steps = %d "+
			"(to end the run at an earlier checkpoint, move the later ones out of the directory)", ckStep, cfg.Train.Steps)
	}
	was, err := old.Train.Schedule.Build(old.Train.Steps)
	if err != nil {
		return fmt.Errorf("its config: %w", err)
	}
	now, err := cfg.Train.Schedule.Build(cfg.Train.Steps)
	if err != nil {
		return err
	}
	for s := range ckStep {
		if a, b := was.LR(s), now.LR(s); a != b {
			return fmt.Errorf("its learning rate at step %d was %g, config.yaml's is %g: the steps "+
				"taken must keep their rates (to change train.steps, set train.schedule.decay_steps to "+
				"the cosine's old horizon; a cooldown must start at or after the checkpoint's step)", s, a, b)
		}
	}
	rest := *old
	rest.Name, rest.Train.Steps, rest.KeepCheckpointsEvery = cfg.Name, cfg.Train.Steps, cfg.KeepCheckpointsEvery
	rest.Train.Schedule.DecaySteps, rest.Train.Schedule.CooldownSteps = cfg.Train.Schedule.DecaySteps, cfg.Train.Schedule.CooldownSteps
	a, err := rest.YAML()
	if err != nil {
		return err
	}
	b, err := cfg.YAML() // resolved, so that layout and comments in config.yaml do not count
	if err != nil {
		return err
	}
	if i, ok := firstLineDiff(a, b); ok {
		return fmt.Errorf("its config has %q where config.yaml has %q "+
			"(only name, train.steps, keep_checkpoints_every and train.schedule's decay_steps and cooldown_steps may differ)", i[0], i[1])
	}
	return nil
}

// firstLineDiff returns the first pair of lines, a's and b's, that differ, and
// whether there is one (a missing line reads as "").
func firstLineDiff(a, b []byte) ([2]string, bool) {
	la := strings.Split(string(bytes.TrimSpace(a)), "\n")
	lb := strings.Split(string(bytes.TrimSpace(b)), "\n")
	for i := range max(len(la), len(lb)) {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return [2]string{strings.TrimSpace(x), strings.TrimSpace(y)}, true
		}
	}
	return [2]string{}, false
}

// ConfigDiff compares two configs as their resolved YAML (so layout and
// comments do not count) and returns the first pair of lines that differ,
// as "A" where the other has "B", and true; "", false when they are equal.
func ConfigDiff(a, b *Config) (string, bool) {
	x, err := a.YAML()
	if err != nil {
		return err.Error(), true
	}
	y, err := b.YAML()
	if err != nil {
		return err.Error(), true
	}
	if d, ok := firstLineDiff(x, y); ok {
		return fmt.Sprintf("%q where the other has %q", d[0], d[1]), true
	}
	return "", false
}
