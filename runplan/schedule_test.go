package runplan

import (
	"context"
	"io"
	"testing"
	"time"

	"icl/experiment"
	"icl/train"
)

// events records when runs start and finish; it shows nothing.
type events struct{ log []string }

func (e *events) Reused(*Run)                             {}
func (e *events) Begin([]*Run, int, int)                  {}
func (e *events) Started(r *Run)                          { e.log = append(e.log, "start "+r.Name) }
func (e *events) Step(*Run, train.StepProgress)           {}
func (e *events) Writer(*Run) io.Writer                   { return io.Discard }
func (e *events) Finished(r *Run, _ time.Duration, _ int) { e.log = append(e.log, "finish "+r.Name) }
func (e *events) Failed(r *Run)                           { e.log = append(e.log, "fail "+r.Name) }
func (e *events) End()                                    {}
func (e *events) index(s string) int {
	for i, v := range e.log {
		if v == s {
			return i
		}
	}
	return -1
}

// A budget branch starts as soon as its trunk has written the checkpoint it
// starts from, while the trunk trains on, when a job is free; a branch at
// the trunk's last step waits for the trunk to end.
func TestBranchStartsAtItsCheckpoint(t *testing.T) {
	defer func(p time.Duration) { branchPoll = p }(branchPoll)
	branchPoll = time.Millisecond
	s := experiment.MicroBudgetScale(400, 20)
	d := &experiment.Def{ID: "B", Runs: []experiment.RunRef{
		{Role: "b20", Preset: "dense_linear", Recipe: experiment.Recipe{Budget: 20}},
		{Role: "b400", Preset: "dense_linear", Recipe: experiment.Recipe{Budget: 400}},
	}}
	runs, err := Plan([]*experiment.Def{d}, s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var e events
	if err := Train(context.Background(), runs, 2, &e); err != nil {
		t.Fatal(err)
	}
	at := map[int]*Run{} // the branches by budget
	for _, r := range runs {
		at[r.branchAt] = r
	}
	if at[20] == nil || at[400] == nil || at[20].trunk == nil {
		t.Fatalf("planned %d runs, not the two branches and their trunk", len(runs))
	}
	b20, b400, done := e.index("start "+at[20].Name), e.index("start "+at[400].Name), e.index("finish "+at[20].trunk.Name)
	if b20 < 0 || b400 < 0 || done < 0 {
		t.Fatalf("events %v", e.log)
	}
	if b20 > done {
		t.Errorf("the 20-step branch started after its 400-step trunk finished: %v", e.log)
	}
	if b400 < done {
		t.Errorf("the branch at the trunk's last step started before the trunk finished: %v", e.log)
	}
}
