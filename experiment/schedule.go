package experiment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"icl/gpt/kernels"
	"icl/train"
)

// trainRuns trains the runs that are not done, up to jobs at a time, the
// longest (by predicted time) first, so that no long run starts last. The
// cores are shared out between the runs that are training; once fewer runs
// are left than jobs, the ones left get the freed cores, and the last run
// every core (the engine gives the same bits for any thread count, so the
// count may change in the middle of a run). jobs = 1 is one run after
// another with every core. A failed run stops new runs from starting and is
// returned once the others have stopped; a run stopped at the zero predictor
// (train.ZeroPredictorError) lets the others go on. Progress goes to disp.
func trainRuns(ctx context.Context, runs []*PlannedRun, jobs int, disp *display) error {
	var todo []*PlannedRun
	for _, r := range runs {
		if r.State == StateDone {
			disp.message("%s %s", disp.tag(r), reusedNote(r))
			continue
		}
		todo = append(todo, r)
	}
	if len(todo) == 0 {
		return nil
	}
	slices.SortStableFunc(todo, func(a, b *PlannedRun) int { return cmp.Compare(b.work(), a.work()) })
	jobs = max(1, min(jobs, len(todo)))
	cores := kernels.Threads()
	defer kernels.SetThreads(cores)
	share := func(left int) int { // threads per run with left runs still to train
		n := max(1, cores/max(1, min(jobs, left)))
		kernels.SetThreads(n)
		return n
	}
	disp.begin(todo, jobs, share(len(todo)))
	defer disp.end()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		r    *PlannedRun
		err  error
		took time.Duration
	}
	results := make(chan result)
	var errs []error
	// A budget's branch starts from its trunk's checkpoint: it waits until
	// the trunk is done. todo[next:] are the runs not started, in order.
	next, active := 0, 0
	ready := func() int {
		for i := next; i < len(todo); i++ {
			if t := todo[i].trunk; t == nil || t.State == StateDone || !slices.Contains(todo, t) {
				return i
			}
		}
		return -1
	}
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
			disp.started(r)
			go func() {
				t0 := time.Now()
				// A run stuck at the zero predictor stops (StopAtZero) instead
				// of spending hours that cannot help it.
				opts := train.Options{Quiet: true, Progress: disp.writer(r), OnStep: func(p train.StepProgress) { disp.step(r, p) },
					StopAtZero: true}
				err := r.ensure(ctx, opts)
				results <- result{r, err, time.Since(t0)}
			}()
		}
		if active == 0 {
			break
		}
		res := <-results
		active--
		if res.err != nil {
			errs = append(errs, fmt.Errorf("run %s: %w", res.r.Name, res.err))
			disp.failed(res.r)
			// A run stopped at the zero predictor leaves the others training;
			// any other failure stops them all.
			if ze := (*train.ZeroPredictorError)(nil); !errors.As(res.err, &ze) {
				cancel()
			}
			continue
		}
		res.r.State = StateDone
		// Freed cores go to the runs still training.
		disp.finished(res.r, res.took, share(active+len(todo)-next))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}
