package train

import (
	"icl/atomicfile"

	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Lines of metrics.jsonl. Every line has "kind" and "step" (completed updates).

// TrainLine is logged every log_every steps. Loss is the mean training loss (MSE)
// over the steps since the previous train line.
type TrainLine struct {
	Kind     string  `json:"kind"` // "train"
	Step     int     `json:"step"`
	Loss     float64 `json:"loss"`
	LR       float64 `json:"lr"`
	Dims     int     `json:"dims"`
	Points   int     `json:"points"`
	StepsPS  float64 `json:"steps_per_s"`
	WallS    float64 `json:"wall_s"`
	GradNorm float64 `json:"grad_norm"`
}

// EvalLine is logged every eval_every steps, on the fixed evaluation prompts.
type EvalLine struct {
	Kind   string  `json:"kind"` // "eval"
	Step   int     `json:"step"`
	Dims   int     `json:"dims"`
	Points int     `json:"points"`
	WallS  float64 `json:"wall_s"`
	EvalResult
}

// EventLine marks a resume, an interruption or the end of a run. WallS is
// the time spent training the run so far, summed over its sessions (a
// checkpoint carries it across a restart, and a resume adds LostS); on
// "done" it is the run's training time.
type EventLine struct {
	Kind  string  `json:"kind"` // "start", "resume", "interrupt", "done"
	Step  int     `json:"step"`
	WallS float64 `json:"wall_s"`
	From  string  `json:"from,omitempty"` // resume: the checkpoint file
	// LostS (resume) is the training time spent past the checkpoint, as far
	// as the log records it: the steps the resumed run redoes, when a process
	// was killed without the chance to checkpoint (SIGKILL, a power cut), or
	// the moments between a checkpoint and the process's end. It is counted
	// in WallS from this line on, so that WallS is all the time training took.
	LostS float64 `json:"lost_s,omitempty"`
}

// EvalResult is the model's error on the evaluation prompts.
type EvalResult struct {
	Loss        float64   `json:"loss"`         // MSE over all positions, as the training loss
	NormLoss    float64   `json:"loss_norm"`    // squared error / class scale, averaged over all positions
	PerPosition []float64 `json:"per_position"` // squared error / class scale at each position i, (N)
}

type metricsLog struct{ f *os.File }

func openMetrics(path string) (*metricsLog, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	return &metricsLog{f: f}, nil
}

func (m *metricsLog) write(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = m.f.Write(append(b, '\n'))
	return err
}

func (m *metricsLog) close() error { return m.f.Close() }

// truncateMetrics drops the lines of path with step > step: a resumed run redoes
// those steps, and would otherwise log them twice; it drops the "done" line
// too, which the run writes again when it ends. Lines may be of any length.
// A line that is not a metrics line (a torn last line of a process killed
// mid-write, or anything else) is not lost: the file as it was is kept beside
// it as metrics.jsonl.corrupt (or .corrupt-2, ...) and say reports that.
// onEval, if not nil, is called with each evaluation line kept, in order.
func truncateMetrics(path string, step int, say func(string), onEval func(EvalLine)) error {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var out bytes.Buffer
	bad, firstBad := 0, 0
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var head struct {
			Kind string `json:"kind"`
			Step *int   `json:"step"`
		}
		if json.Unmarshal(line, &head) != nil || head.Step == nil || head.Kind == "" {
			if bad == 0 {
				firstBad = i + 1
			}
			bad++
			continue
		}
		if *head.Step > step || head.Kind == "done" {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
		var e EvalLine
		if onEval != nil && head.Kind == "eval" && json.Unmarshal(line, &e) == nil {
			onEval(e)
		}
	}
	if bad > 0 {
		keep := path + ".corrupt"
		for n := 2; ; n++ {
			if _, err := os.Lstat(keep); os.IsNotExist(err) {
				break
			}
			keep = fmt.Sprintf("%s.corrupt-%d", path, n)
		}
		if err := atomicfile.WriteBytes(keep, data); err != nil {
			return fmt.Errorf("%s has %d line(s) that are not metrics lines, and keeping a copy failed: %w", path, bad, err)
		}
		say(fmt.Sprintf("warning: %s: %d line(s) are not metrics lines (the first is line %d); "+
			"they are left out, and the file as it was is kept as %s", path, bad, firstBad, keep))
	}
	return atomicfile.WriteBytes(path, out.Bytes())
}

// wallAfter returns the largest wall_s that the lines of path with step >=
// step record, or 0.
func wallAfter(path string, step int) float64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	w := 0.0
	for _, line := range bytes.Split(data, []byte("\n")) {
		var head struct {
			Step  *int    `json:"step"`
			WallS float64 `json:"wall_s"`
		}
		if json.Unmarshal(line, &head) == nil && head.Step != nil && *head.Step >= step {
			w = max(w, head.WallS)
		}
	}
	return w
}
