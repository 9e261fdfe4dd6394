package runplan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"icl/train"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ReadTrainTime is MetricsTime of the run directory dir's metrics.jsonl.
func ReadTrainTime(dir string) (TrainTime, bool) {
	b, err := os.ReadFile(filepath.Join(dir, train.MetricsFile))
	if err != nil {
		return TrainTime{}, false
	}
	return MetricsTime(b)
}

// TrainTime is the training time a run's metrics record.
type TrainTime struct {
	Wall    time.Duration // all of it, summed over the run's sessions
	Lost    time.Duration // the part spent on steps redone after a hard stop
	Resumes int
	// FinalLoss is the normalized loss of the run's last evaluation, NaN
	// when it has none.
	FinalLoss float64
}

// String is e.g. "1:02:03 (resumed twice; 0:41 of it redone ...)".
func (t TrainTime) String() string {
	s := train.FormatDuration(t.Wall)
	var notes []string
	switch t.Resumes {
	case 0:
	case 1:
		notes = append(notes, "resumed once")
	case 2:
		notes = append(notes, "resumed twice")
	default:
		notes = append(notes, fmt.Sprintf("resumed %d times", t.Resumes))
	}
	if t.Lost >= time.Second {
		notes = append(notes, train.FormatDuration(t.Lost)+" of it redone after stops without a checkpoint")
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, "; ") + ")"
	}
	return s
}

// MetricsTime returns the training time a metrics log records for its run
// (the "done" line's wall_s, summed over interruptions and resumes), with
// the resumes and the time they redid, and false if it has no "done" line.
func MetricsTime(b []byte) (TrainTime, bool) {
	t := TrainTime{FinalLoss: math.NaN()}
	ok := false
	for _, line := range bytes.Split(b, []byte("\n")) {
		var ev struct {
			train.EventLine
			train.EvalResult
		}
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		switch ev.Kind {
		case "eval":
			t.FinalLoss = ev.NormLoss
		case "done":
			t.Wall, ok = time.Duration(ev.WallS*float64(time.Second)), true
		case "resume":
			t.Resumes++
			t.Lost += time.Duration(ev.LostS * float64(time.Second))
		}
	}
	return t, ok
}

// ReusedNote says where a finished run's model came from.
func (r *Run) ReusedNote() string {
	if r.Shipped != "" {
		return "shipped model models/" + r.Shipped + ": used, not trained (-retrain trains it)"
	}
	return "finished earlier: reused"
}

// SummedTimes lists the training wall time each run's metrics record, e.g.
// "3:05:10 in all (dense_linear 39:08, ...)"; runs trained at once overlap.
func SummedTimes(runs []*Run) string {
	var sum time.Duration
	var each []string
	for _, r := range runs {
		d, ok := r.TrainedFor()
		if !ok {
			each = append(each, r.Name+" not finished")
			continue
		}
		sum += d
		each = append(each, r.Name+" "+train.FormatDuration(d))
	}
	return fmt.Sprintf("%s summed (%s)", train.FormatDuration(sum), strings.Join(each, ", "))
}
