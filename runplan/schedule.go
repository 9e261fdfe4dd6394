package runplan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"icl/gpt/kernels"
	"icl/train"
)

// Observer is told how training goes: a terminal display, a log.
type Observer interface {
	// Reused is called for each run that is done before training starts.
	Reused(r *Run)
	// Begin is called once with the runs to train, how many train at once and
	// with how many threads each.
	Begin(todo []*Run, jobs, threads int)
	Started(r *Run)
	// Step reports the training progress of r (train.Options.OnStep).
	Step(r *Run, p train.StepProgress)
	// Writer receives r's training log (train.Options.Progress).
	Writer(r *Run) io.Writer
	// Finished is called when r is done, with the threads each run still
	// training gets from now on.
	Finished(r *Run, took time.Duration, threads int)
	Failed(r *Run)
	End()
}

// branchPoll is how often Train looks whether a waiting budget branch's
// trunk has written the checkpoint the branch starts from.
var branchPoll = 10 * time.Second

// Train trains the runs that are not done, up to jobs at a time, the
// longest (by predicted time) first, so that no long run starts last. The
// cores are shared out between the runs that are training; once fewer runs
// are left than jobs, the ones left get the freed cores, and the last run
// every core (the engine gives the same bits for any thread count, so the
// count may change in the middle of a run). jobs = 1 is one run after
// another with every core. A budget branch starts once its trunk has written
// the checkpoint it starts from. A failed run stops new runs from starting and is
// returned once the others have stopped; a run stopped at the zero predictor
// (train.ZeroPredictorError) lets the others go on. Progress goes to disp.
func Train(ctx context.Context, runs []*Run, jobs int, disp Observer) error {
	var todo []*Run
	for _, r := range runs {
		if r.State == StateDone {
			disp.Reused(r)
			continue
		}
		todo = append(todo, r)
	}
	if len(todo) == 0 {
		return nil
	}
	slices.SortStableFunc(todo, func(a, b *Run) int { return cmp.Compare(b.Work(), a.Work()) })
	jobs = max(1, min(jobs, len(todo)))
	cores := kernels.Threads()
	defer kernels.SetThreads(cores)
	share := func(left int) int { // threads per run with left runs still to train
		n := max(1, cores/max(1, min(jobs, left)))
		kernels.SetThreads(n)
		return n
	}
	disp.Begin(todo, jobs, share(len(todo)))
	defer disp.End()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		r    *Run
		err  error
		took time.Duration
	}
	results := make(chan result)
	var errs []error
	// A budget's branch starts from its trunk's checkpoint at the budget: it
	// waits until the trunk has written it (a kept checkpoint, never
	// removed), or is done. todo[next:] are the runs not started, in order.
	next, active := 0, 0
	ready := func() int {
		for i := next; i < len(todo); i++ {
			if r := todo[i]; r.trunk == nil || r.trunk.State == StateDone || !slices.Contains(todo, r.trunk) || r.trunkReached() {
				return i
			}
		}
		return -1
	}
	// While a branch waits for its trunk and a job is free, whether the
	// trunk has reached the budget is looked at every branchPoll.
	poll := time.NewTicker(branchPoll)
	defer poll.Stop()
	for next < len(todo) || active > 0 {
		for active < jobs && next < len(todo) && ctx.Err() == nil {
			i := ready()
			if i < 0 {
				break // every run left waits for a trunk still training
			}
			r := todo[i]
			copy(todo[next+1:i+1], todo[next:i])
			todo[next] = r
			next++
			active++
			disp.Started(r)
			go func() {
				t0 := time.Now()
				// A run stuck at the zero predictor stops (StopAtZero) instead
				// of spending hours that cannot help it.
				opts := train.Options{Quiet: true, Progress: disp.Writer(r), OnStep: func(p train.StepProgress) { disp.Step(r, p) },
					StopAtZero: true}
				err := r.ensure(ctx, opts)
				results <- result{r, err, time.Since(t0)}
			}()
		}
		if active == 0 {
			break
		}
		var res result
		select {
		case res = <-results:
		case <-poll.C:
			continue
		}
		active--
		if res.err != nil {
			errs = append(errs, fmt.Errorf("run %s: %w", res.r.Name, res.err))
			disp.Failed(res.r)
			// A run stopped at the zero predictor leaves the others training;
			// any other failure stops them all.
			if ze := (*train.ZeroPredictorError)(nil); !errors.As(res.err, &ze) {
				cancel()
			}
			continue
		}
		res.r.State = StateDone
		// Freed cores go to the runs still training.
		disp.Finished(res.r, res.took, share(active+len(todo)-next))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}
