package train

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// StderrIsTerminal reports whether os.Stderr is a terminal, for Options.IsTerminal.
func StderrIsTerminal() bool { return term.IsTerminal(int(os.Stderr.Fd())) }

// progress prints training progress: on a terminal a single line redrawn with \r at
// most every redraw interval; otherwise a plain line every log_every steps.
type progress struct {
	w        io.Writer
	term     bool
	quiet    bool
	verbose  bool
	total    int
	lastDraw time.Time
	drawn    bool // a live line is on screen
}

const redrawInterval = 100 * time.Millisecond

// StepProgress is a run's progress after one training step (Options.OnStep).
type StepProgress struct {
	Step  int     // completed steps
	Steps int     // train.steps
	Start int     // the step this process started from (0, or a resumed checkpoint's)
	Loss  float64 // this step's training loss
	Stage Stage   // the curriculum's stage of this step
	Time  time.Time
}

// status is one progress report.
type status struct {
	Step  int // completed steps
	Loss  float64
	LR    float64
	Stage Stage
	Rate  float64 // steps per second
}

func (p *progress) eta(st status) string {
	if st.Rate <= 0 {
		return "?"
	}
	return FormatDuration(time.Duration(float64(p.total-st.Step) / st.Rate * float64(time.Second)))
}

// FormatDuration writes d as m:ss, or h:mm:ss from an hour on (negative as
// 0:00): how icl prints times.
func FormatDuration(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// bar renders a width-character bar for fraction f in [0, 1].
func bar(f float64, width int) string {
	if f < 0 {
		f = 0
	}
	if f > 1 {
		f = 1
	}
	n := int(f*float64(width) + 0.5)
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", width-n) + "]"
}

// live redraws the terminal line; force draws even within the redraw interval.
func (p *progress) live(st status, now time.Time, force bool) {
	if p.quiet || !p.term || p.w == nil {
		return
	}
	if !force && p.drawn && now.Sub(p.lastDraw) < redrawInterval {
		return
	}
	p.lastDraw = now
	p.drawn = true
	fmt.Fprintf(p.w, "\r%s step %d/%d  loss %.4g  lr %.2e  dims %d pts %d  %.1f steps/s  ETA %s\x1b[K",
		bar(float64(st.Step)/float64(p.total), 20), st.Step, p.total, st.Loss, st.LR,
		st.Stage.Dims, st.Stage.Points, st.Rate, p.eta(st))
}

// logLine prints the periodic plain line (non-terminal only).
func (p *progress) logLine(st status) {
	if p.quiet || p.term || p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "step %d/%d  loss %.4g  lr %.2e  dims %d  points %d  %.1f steps/s  eta %s\n",
		st.Step, p.total, st.Loss, st.LR, st.Stage.Dims, st.Stage.Points, st.Rate, p.eta(st))
}

// message prints a line that must not be interleaved with the live bar. Messages
// with important set are printed even when quiet.
func (p *progress) message(important bool, format string, args ...any) {
	if p.w == nil || (p.quiet && !important) {
		return
	}
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

// eval prints an evaluation: a summary normally, per-position losses when verbose.
func (p *progress) eval(step int, e *EvalResult) {
	if p.quiet {
		return
	}
	if !p.verbose && p.term {
		return // the live bar is enough on a terminal
	}
	p.message(false, "eval step %d  loss %.4g  normalized %.4g", step, e.Loss, e.NormLoss)
	if p.verbose {
		var b strings.Builder
		for i, v := range e.PerPosition {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.3g", v)
		}
		p.message(false, "  per-position normalized loss: %s", b.String())
	}
}

// finish ends the live line.
func (p *progress) finish() {
	if p.drawn && p.w != nil {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
