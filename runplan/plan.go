package runplan

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
	"icl/experiment"
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

// Run is one pretraining run of a reproduction.
type Run struct {
	Name  string // "quick/dense_sparse"
	Dir   string
	Cfg   *train.Config
	State string
	Users []string // "E1.mixture", ...
	// Shipped is the models-folder path ("small/dense_sparse") of the
	// shipped run copied into Dir in place of training; "" when the run is
	// trained here.
	Shipped string

	// trunk, for a budget's cooldown branch (Recipe.Budget), is the run it
	// branches off at step branchAt: it starts from the trunk's checkpoint
	// there, so it trains once the trunk has passed that step. branches are
	// a trunk's.
	trunk    *Run
	branchAt int
	branches []*Run

	// StepS is the measured seconds per training step at full size (see
	// TimeSteps).
	StepS float64
	// From is the step an interrupted run resumes at (its newest checkpoint;
	// 0 for a run not started; the trunk's step for a budget branch), where
	// its predicted time starts.
	From int
	// wallS is the training wall time over all sessions of a run trained or
	// resumed in this invocation (train.Result); 0 for a reused run.
	wallS float64
}

// Work is the run's predicted training time in seconds, for the order runs
// start in: the timed full-size step times the steps still to train (from
// r.From on), each weighted by its length under the curriculum (points per
// prompt) over the full length.
func (r *Run) Work() float64 {
	full := float64(r.Cfg.Data.Points)
	sum := 0.0
	for s := r.From; s < r.Cfg.Train.Steps; s++ {
		sum += float64(r.Cfg.Curriculum.At(s).Points) / full
	}
	return r.StepS * sum
}

// TimeSteps sets StepS for runs that are not done by timing two training
// steps of each distinct model (train.TimeStep) with threads threads, as
// each run will train. Runs with the same model share one timing.
func TimeSteps(runs []*Run, threads int) {
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
			r.StepS = s
			continue
		}
		t, err := train.TimeStep(c, prec, B, 2, 0)
		if err != nil { // Plan validated the config
			panic(err)
		}
		r.StepS = t.Total()
		byModel[key] = r.StepS
	}
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
func Plan(defs []*experiment.Def, scale *experiment.Scale, outDir string) ([]*Run, error) {
	var runs []*Run
	byName := map[string]*Run{}
	byConfig := map[string]*Run{} // config YAML without the name
	add := func(d *experiment.Def, cfg *train.Config, user string) (*Run, error) {
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
		r := &Run{Name: cfg.Name, Dir: filepath.Join(outDir, "runs", filepath.FromSlash(cfg.Name)), Cfg: cfg}
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
			cfg, err := experiment.RunConfig(d, ref, scale)
			if err != nil {
				return nil, fmt.Errorf("experiment %s: %w", d.ID, err)
			}
			r, err := add(d, cfg, d.ID+"."+ref.Role)
			if err != nil {
				return nil, err
			}
			b := ref.BudgetAt(scale.Name)
			if b == 0 || r.trunk != nil {
				continue
			}
			tcfg, err := experiment.RunConfig(d, ref.TrunkRef(), scale)
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
				r.From = b
			}
		}
	}
	return runs, nil
}

// Trunk is the run that the budget branch r starts from; nil when r is not
// a budget branch.
func (r *Run) Trunk() *Run { return r.trunk }

// TrunkOnly reports whether r is the trunk of budget branches that no
// experiment reads itself: only its branches' checkpoints are wanted.
func (r *Run) TrunkOnly() bool { return len(r.branches) > 0 && len(r.Users) == 0 }

// DropIdleTrunks removes from runs the trunks that no experiment reads and
// whose branches are all done (shipped, say): nothing needs them trained.
func DropIdleTrunks(runs []*Run) []*Run {
	out := runs[:0:0]
	for _, r := range runs {
		idle := r.TrunkOnly()
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
func (r *Run) probe() error {
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
		if _, ok := ReadShippedCopy(r.Dir); ok { // a copy of a shipped run: only copies are removed
			r.State = StateMissing
			return RemoveShippedCopy(r.Dir)
		}
		return fmt.Errorf("%s holds a run with a different config than %s needs; move it away or choose another -out directory",
			r.Dir, r.Name)
	}
	if train.IsDone(r.Dir) {
		r.State = StateDone
	} else {
		r.State = StateInterrupted
		r.From = train.ResumeStep(r.Dir)
	}
	return nil
}

// ensure trains, resumes or reuses r.
func (r *Run) ensure(ctx context.Context, opts train.Options) error {
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

// trunkReached reports whether the trunk of the budget branch r has written
// the checkpoint r starts from (its step branchAt), while it trains on.
func (r *Run) trunkReached() bool {
	if r.trunk == nil || r.branchAt == r.trunk.Cfg.Train.Steps {
		return false // the trunk's last step: its checkpoint comes as it ends
	}
	_, err := os.Stat(train.CheckpointPath(r.trunk.Dir, r.branchAt))
	return err == nil
}

// startBranch makes the directory of the budget branch r from its trunk's
// checkpoint at r.branchAt and its own config, to resume from there; false
// when the trunk has no such checkpoint (the branch then trains from
// scratch, to the same bits).
func (r *Run) startBranch() (bool, error) {
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

// TrainedFor returns the run's training wall time (summed over
// interruptions and resumes): what training returned for a run trained in
// this invocation, else what the metrics of a reused run record; false if
// the run has no "done" line.
func (r *Run) TrainedFor() (time.Duration, bool) {
	if r.wallS > 0 {
		return time.Duration(r.wallS * float64(time.Second)), true
	}
	d, ok := ReadTrainTime(r.Dir)
	return d.Wall, ok
}

// For returns the run that plays role in experiment id, or nil.
func For(runs []*Run, id, role string) *Run {
	for _, r := range runs {
		if slices.Contains(r.Users, id+"."+role) {
			return r
		}
	}
	return nil
}

// ModelPath is the final weights file of the run.
func (r *Run) ModelPath() string { return filepath.Join(r.Dir, train.ModelFile) }
