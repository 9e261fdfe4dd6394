package experiment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"icl/atomicfile"
	"icl/gpt"
	"icl/gpt/kernels"
	"icl/train"
)

// Run states found by Plan.
const (
	StateDone        = "done"        // finished: reused
	StateInterrupted = "interrupted" // started, not finished: resumed
	StateMissing     = "missing"     // not started: trained
)

// PlannedRun is one pretraining run of a reproduction.
type PlannedRun struct {
	Name  string // "quick/dense_sparse"
	Dir   string
	Cfg   *train.Config
	State string
	Users []string // "E1.mixture", ...
	// Shipped is the shipped run copied into Dir in place of training; nil
	// when the run was trained here.
	Shipped *ShippedRun

	// trunk, for a budget's cooldown branch (Recipe.Budget), is the run it
	// branches off at step branchAt: it starts from the trunk's checkpoint
	// there, so it trains after the trunk. branches are a trunk's.
	trunk    *PlannedRun
	branchAt int
	branches []*PlannedRun

	stepS float64 // measured seconds per training step at full size (see timeSteps)
	// from is the step an interrupted run resumes at (its newest checkpoint;
	// 0 for a run not started), where its predicted time starts.
	from int
	// wallS is the training wall time over all sessions of a run trained or
	// resumed in this invocation (train.Result); 0 for a reused run.
	wallS float64
}

// work is the run's predicted training time in seconds, for the order runs
// start in: the timed full-size step times the steps still to train (from
// r.from on), each weighted by its length under the curriculum (points per
// prompt) over the full length.
func (r *PlannedRun) work() float64 {
	full := float64(r.Cfg.Data.Points)
	sum := 0.0
	for s := r.from; s < r.Cfg.Train.Steps; s++ {
		sum += float64(r.Cfg.Curriculum.At(s).Points) / full
	}
	return r.stepS * sum
}

// timeSteps sets stepS for runs that are not done by timing two training
// steps of each distinct model (train.TimeStep) with threads threads, as
// each run will train. Runs with the same model share one timing.
func timeSteps(runs []*PlannedRun, threads int) {
	prev := kernels.SetThreads(threads)
	defer kernels.SetThreads(prev)
	byModel := map[string]float64{}
	for _, r := range runs {
		if r.State == StateDone {
			continue
		}
		c, B := r.Cfg.GPT(), r.Cfg.Train.Batch
		prec, err := gpt.ParsePrecision(r.Cfg.Train.Precision)
		if err != nil { // Plan validated the config
			panic(err)
		}
		key := fmt.Sprintf("%+v/%d/%v", c, B, prec)
		if s, ok := byModel[key]; ok {
			r.stepS = s
			continue
		}
		t, err := train.TimeStep(c, prec, B, 2, 0)
		if err != nil { // Plan validated the config
			panic(err)
		}
		r.stepS = t.Total()
		byModel[key] = r.stepS
	}
}

// RunConfig returns the training config of d's run ref at scale, named
// SCALE/NAME: the train preset TRAINSCALE/PRESET, then the ref's overrides
// (its Recipe, then its recipe at the scale, TrainAt), then the defaults.
// Scale.Train, set by tests only, edits the config before the defaults.
//
// An experiment the scale takes from another (Scale.RunsFrom) gets that
// scale's run: named, configured and trained as there.
func RunConfig(d *Def, ref *RunRef, scale *Scale) (*train.Config, error) {
	scale, err := scale.runScale(d.ID)
	if err != nil {
		return nil, err
	}
	cfg, err := train.Preset(scale.presetName(ref))
	if err != nil {
		return nil, err
	}
	cfg.Name = scale.Name + "/" + ref.RunName()
	if b := ref.budget(scale.Name); b > 0 {
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
	if b := ref.budget(scale.Name); b > 0 {
		branchAt(cfg, b)
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("run %s: %w", cfg.Name, err)
	}
	return cfg, nil
}

// budget is the ref's Recipe.Budget at scale (TrainAt's where it sets one).
func (r *RunRef) budget(scale string) int {
	if b := r.TrainAt[scale].Budget; b > 0 {
		return b
	}
	return r.Budget
}

// trunkRef is ref without its budget: the run its cooldown branch starts from.
func (r *RunRef) trunkRef() *RunRef {
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

// presetName is the train preset ref starts from at s: TRAINSCALE/PRESET.
func (s *Scale) presetName(ref *RunRef) string {
	ts := s.TrainScale
	if ts == "" {
		ts = s.Name
	}
	return ts + "/" + ref.Preset
}

// Plan resolves the runs that defs need at scale, with their directories
// under outDir/runs and their state on disk. Runs with the same name are
// shared, and so are runs whose configs differ only in name (trained once,
// under the name that comes first); two refs that name the same run with
// different configs are an error, as is a run directory that holds a
// different config.
//
// A budget's cooldown branch (Recipe.Budget) brings its trunk into the plan,
// with no users of its own unless an experiment reads it too.
func Plan(defs []*Def, scale *Scale, outDir string) ([]*PlannedRun, error) {
	var runs []*PlannedRun
	byName := map[string]*PlannedRun{}
	byConfig := map[string]*PlannedRun{} // config YAML without the name
	add := func(d *Def, cfg *train.Config, user string) (*PlannedRun, error) {
		unnamed := *cfg
		unnamed.Name = ""
		key, err := unnamed.YAML()
		if err != nil {
			return nil, err
		}
		if r, ok := byName[cfg.Name]; ok {
			if byConfig[string(key)] != r {
				return nil, fmt.Errorf("experiment %s: run %s is defined twice with different configs", d.ID, cfg.Name)
			}
			if user != "" {
				r.Users = append(r.Users, user)
			}
			return r, nil
		}
		if r, ok := byConfig[string(key)]; ok {
			if user != "" {
				r.Users = append(r.Users, user)
			}
			return r, nil
		}
		r := &PlannedRun{Name: cfg.Name, Dir: filepath.Join(outDir, "runs", filepath.FromSlash(cfg.Name)), Cfg: cfg}
		if user != "" {
			r.Users = []string{user}
		}
		if err := r.probe(); err != nil {
			return nil, err
		}
		byName[cfg.Name] = r
		byConfig[string(key)] = r
		runs = append(runs, r)
		return r, nil
	}
	for _, d := range defs {
		if !d.RunsAt(scale.Name) {
			continue
		}
		for i := range d.Runs {
			ref := &d.Runs[i]
			cfg, err := RunConfig(d, ref, scale)
			if err != nil {
				return nil, fmt.Errorf("experiment %s: %w", d.ID, err)
			}
			r, err := add(d, cfg, d.ID+"."+ref.Role)
			if err != nil {
				return nil, err
			}
			b := ref.budget(scale.Name)
			if b == 0 || r.trunk != nil {
				continue
			}
			tcfg, err := RunConfig(d, ref.trunkRef(), scale)
			if err != nil {
				return nil, fmt.Errorf("experiment %s: trunk of %s: %w", d.ID, cfg.Name, err)
			}
			if k := tcfg.KeepCheckpointsEvery; tcfg.Train.Steps < b || (b != tcfg.Train.Steps && (k == 0 || b%k != 0)) {
				return nil, fmt.Errorf("experiment %s: run %s branches off %s at step %d, which %s does not keep "+
					"(train.steps %d, keep_checkpoints_every %d)", d.ID, cfg.Name, tcfg.Name, b, tcfg.Name, tcfg.Train.Steps, k)
			}
			t, err := add(d, tcfg, "")
			if err != nil {
				return nil, err
			}
			r.trunk, r.branchAt = t, b
			t.branches = append(t.branches, r)
			if r.State == StateMissing {
				r.from = b
			}
		}
	}
	return runs, nil
}

// dropIdleTrunks removes from runs the trunks that no experiment reads and
// whose branches are all done (shipped, say): nothing needs them trained.
func dropIdleTrunks(runs []*PlannedRun) []*PlannedRun {
	out := runs[:0:0]
	for _, r := range runs {
		idle := len(r.branches) > 0 && len(r.Users) == 0
		for _, b := range r.branches {
			idle = idle && b.State == StateDone
		}
		if !idle {
			out = append(out, r)
		}
	}
	return out
}

// probe sets r.State from the run directory.
func (r *PlannedRun) probe() error {
	have, err := os.ReadFile(filepath.Join(r.Dir, train.ConfigFile))
	if errors.Is(err, os.ErrNotExist) {
		r.State = StateMissing
		return nil
	}
	if err != nil {
		return err
	}
	want, err := r.Cfg.YAML()
	if err != nil {
		return err
	}
	if !bytes.Equal(bytes.TrimSpace(have), bytes.TrimSpace(want)) {
		if _, ok := readShippedCopy(r.Dir); ok { // a copy of a shipped run: only copies are removed
			r.State = StateMissing
			return removeShippedCopy(r.Dir)
		}
		return fmt.Errorf("%s holds a run with a different config than %s needs; move it away or choose another -out directory",
			r.Dir, r.Name)
	}
	if train.IsDone(r.Dir) {
		r.State = StateDone
	} else {
		r.State = StateInterrupted
		r.from = train.ResumeStep(r.Dir)
	}
	return nil
}

// ensure trains, resumes or reuses r.
func (r *PlannedRun) ensure(ctx context.Context, opts train.Options) error {
	switch r.State {
	case StateDone:
		return nil
	case StateInterrupted:
		res, err := train.Resume(ctx, r.Dir, opts)
		if err == nil {
			r.wallS = res.WallS
		}
		return err
	default:
		if r.trunk != nil {
			ok, err := r.startBranch()
			if err != nil {
				return err
			}
			if ok {
				res, err := train.Resume(ctx, r.Dir, opts)
				if err == nil {
					r.wallS = res.WallS
				}
				return err
			}
		}
		res, err := train.Run(ctx, r.Cfg, r.Dir, opts)
		if err == nil {
			r.wallS = res.WallS
		}
		return err
	}
}

// startBranch makes the directory of the budget branch r from its trunk's
// checkpoint at r.branchAt and its own config, to resume from there; false
// when the trunk has no such checkpoint (the branch then trains from
// scratch, to the same bits).
func (r *PlannedRun) startBranch() (bool, error) {
	ck, err := os.ReadFile(train.CheckpointPath(r.trunk.Dir, r.branchAt))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	text, err := r.Cfg.YAML()
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return false, err
	}
	if err := atomicfile.WriteBytes(train.CheckpointPath(r.Dir, r.branchAt), ck); err != nil {
		return false, err
	}
	if err := atomicfile.WriteBytes(filepath.Join(r.Dir, train.ConfigFile), text); err != nil {
		return false, err
	}
	return true, nil
}

// trainedFor returns the run's training wall time (summed over
// interruptions and resumes): what training returned for a run trained in
// this invocation, else what the metrics of a reused run record; false if
// the run has no "done" line.
func (r *PlannedRun) trainedFor() (time.Duration, bool) {
	if r.wallS > 0 {
		return time.Duration(r.wallS * float64(time.Second)), true
	}
	d, ok := runMetrics(r.Dir)
	return d.Wall, ok
}

// runFor returns the run that plays role in experiment id, or nil.
func runFor(runs []*PlannedRun, id, role string) *PlannedRun {
	for _, r := range runs {
		if slices.Contains(r.Users, id+"."+role) {
			return r
		}
	}
	return nil
}

// ModelPath is the final weights file of the run.
func (r *PlannedRun) ModelPath() string { return filepath.Join(r.Dir, train.ModelFile) }
