package progress

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"icl/report"
	"icl/runplan"
	"icl/train"
)

// Display shows the training of a reproduction's runs. On a terminal it is
// one live block, redrawn in place: a line per running run (step, loss,
// steps/s, its ETA) and a total line with the ETA of all training and what
// the estimate rests on; messages (a run started or finished, warnings)
// scroll above it. Elsewhere (a log file, a pipe) it prints plain lines: the
// messages, and a line per run at every tenth of its steps.
//
// ETAs come from measured step times: a running run's from its own steps
// over the last window, weighted by the curriculum's sequence length (early
// steps are shorter, so a plain steps/s rate would promise too soon); a
// waiting run's from a step timed before training, scaled by how much
// slower than their timed steps the runs so far actually went. The total
// assigns the waiting runs, longest first, to the job slots as they free.
type Display struct {
	mu    sync.Mutex
	w     io.Writer
	term  bool
	quiet bool // plain mode: no per-run progress lines

	index   map[*runplan.Run]int // position in the plan, for "[run 2/6 ...]"
	nplan   int
	views   map[*runplan.Run]*runView
	live    []*runView // training, in start order
	waiting []*runplan.Run
	jobs    int
	threads int // per run now
	done    int // trained in this invocation
	total   int // to train in this invocation
	// ratios are measured over timed seconds per full-size step of runs
	// that trained long enough to tell.
	ratios map[*runplan.Run]float64

	lines int // lines of the live block on screen
	width int // terminal columns; live lines are cut to fit, so that each takes one row
	stop  chan struct{}
	wg    sync.WaitGroup
}

// etaWindow is how far back a run's step times are taken for its ETA.
const etaWindow = 30 * time.Second

// runView is what the display knows of one run.
type runView struct {
	r     *runplan.Run
	steps int
	cost  []float64 // cost[k]: summed points per prompt of steps 0..k-1
	unit  float64   // one full-size step's cost
	hist  []sample  // recent steps, oldest first, spanning about etaWindow
	last  train.StepProgress
	seen  bool
	next  int // next tenth of the steps at which plain mode prints a line
}

type sample struct {
	t    time.Time
	step int
}

// New returns the display of training plan (every run of the reproduction,
// in plan order) on w: live when term (width columns), plain lines otherwise,
// without per-run progress lines when quiet.
func New(w io.Writer, term, quiet bool, width int, plan []*runplan.Run) *Display {
	if width <= 0 {
		width = 100
	}
	d := &Display{w: w, term: term, quiet: quiet, width: width, index: map[*runplan.Run]int{}, nplan: len(plan),
		views: map[*runplan.Run]*runView{}, ratios: map[*runplan.Run]float64{}}
	for i, r := range plan {
		d.index[r] = i
	}
	return d
}

func newRunView(r *runplan.Run) *runView {
	steps := r.Cfg.Train.Steps
	v := &runView{r: r, steps: steps, cost: make([]float64, steps+1), next: 1}
	// The step's cost grows with the sequence: 2 tokens per point.
	for s := 0; s < steps; s++ {
		v.cost[s+1] = v.cost[s] + float64(r.Cfg.Curriculum.At(s).Points)
	}
	v.unit = float64(r.Cfg.Data.Points)
	return v
}

// Reused says that r is done before training, and where its model comes
// from.
func (d *Display) Reused(r *runplan.Run) { d.message("%s %s", d.tag(r), r.ReusedNote()) }

// tag names a run as the lines about it do: "[run 2/6 quick/sparse_linear]".
func (d *Display) tag(r *runplan.Run) string {
	return fmt.Sprintf("[run %d/%d %s]", d.index[r]+1, d.nplan, r.Name)
}

// Begin starts the display of training todo (in the order they will
// start), jobs at a time with threads each.
func (d *Display) Begin(todo []*runplan.Run, jobs, threads int) {
	d.mu.Lock()
	d.jobs, d.threads, d.total = jobs, threads, len(todo)
	d.waiting = append([]*runplan.Run(nil), todo...)
	for _, r := range todo {
		d.views[r] = newRunView(r)
	}
	eta, basis := d.totalETA()
	d.mu.Unlock()
	d.message("[reproduce] training %s, %d at a time (%s each), longest first; all training ~%s (%s)",
		report.Plural(len(todo), "run"), jobs, report.Plural(threads, "thread"), train.FormatDuration(eta), basis)
	d.stop = make(chan struct{})
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		every := time.Second
		if d.term {
			every = 250 * time.Millisecond
		}
		tk := time.NewTicker(every)
		defer tk.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-tk.C:
				d.tick()
			}
		}
	}()
}

// End stops the display and clears the live block.
func (d *Display) End() {
	if d.stop != nil {
		close(d.stop)
		d.wg.Wait()
		d.stop = nil
	}
	d.mu.Lock()
	d.clear()
	d.mu.Unlock()
}

// Started notes that r began training.
func (d *Display) Started(r *runplan.Run) {
	d.mu.Lock()
	v := d.views[r]
	d.live = append(d.live, v)
	for i, w := range d.waiting {
		if w == r {
			d.waiting = append(d.waiting[:i], d.waiting[i+1:]...)
			break
		}
	}
	d.mu.Unlock()
	if r.State == runplan.StateInterrupted {
		d.message("%s resuming (%d steps in all)", d.tag(r), r.Cfg.Train.Steps)
		return
	}
	d.message("%s training %d steps", d.tag(r), r.Cfg.Train.Steps)
}

// Step records a training step of r (train.Options.OnStep).
func (d *Display) Step(r *runplan.Run, p train.StepProgress) {
	d.mu.Lock()
	defer d.mu.Unlock()
	v := d.views[r]
	if v == nil {
		return
	}
	v.last, v.seen = p, true
	// Samples at least 200 ms apart, the newest step always last.
	if n := len(v.hist); n < 2 || v.hist[n-1].t.Sub(v.hist[n-2].t) >= 200*time.Millisecond {
		v.hist = append(v.hist, sample{p.Time, p.Step})
	} else {
		v.hist[n-1] = sample{p.Time, p.Step}
	}
	// Drop samples older than the window, keeping one just outside it.
	for len(v.hist) > 2 && p.Time.Sub(v.hist[1].t) >= etaWindow {
		v.hist = v.hist[1:]
	}
}

// Finished notes that r finished after took; the runs still training now
// have threads each.
func (d *Display) Finished(r *runplan.Run, took time.Duration, threads int) {
	d.mu.Lock()
	d.remove(r)
	d.done++
	more := ""
	left := d.total - d.done
	if threads != d.threads {
		more = fmt.Sprintf("; the %s left now use %s each", report.Plural(len(d.live), "running run"), report.Plural(threads, "thread"))
		if len(d.live) == 1 && left == 1 {
			more = fmt.Sprintf("; the last run gets %s", report.Plural(threads, "thread"))
		}
		d.threads = threads
	}
	eta, basis := d.totalETA()
	d.mu.Unlock()
	if left == 0 {
		d.message("%s finished in %s; all runs trained", d.tag(r), train.FormatDuration(took))
		return
	}
	d.message("%s finished in %s; %s left, all training ~%s more (%s)%s", d.tag(r), train.FormatDuration(took),
		report.Plural(left, "run"), train.FormatDuration(eta), basis, more)
}

// Failed notes that r stopped with an error.
func (d *Display) Failed(r *runplan.Run) {
	d.mu.Lock()
	d.remove(r)
	d.mu.Unlock()
	d.message("%s stopped", d.tag(r))
}

// remove takes r off the live runs, keeping what its steps measured.
func (d *Display) remove(r *runplan.Run) {
	for i, v := range d.live {
		if v.r == r {
			if spc, _, ok := v.rate(); ok && r.StepS > 0 {
				d.ratios[r] = spc * v.unit / r.StepS
			}
			d.live = append(d.live[:i], d.live[i+1:]...)
			return
		}
	}
}

// rate returns the run's measured seconds per unit of cost over its recent
// steps, and over how long it was measured.
func (v *runView) rate() (float64, time.Duration, bool) {
	if len(v.hist) < 2 {
		return 0, 0, false
	}
	a, b := v.hist[0], v.hist[len(v.hist)-1]
	dt := b.t.Sub(a.t)
	dc := v.cost[b.step] - v.cost[a.step]
	if dt < time.Second || dc <= 0 {
		return 0, 0, false
	}
	return dt.Seconds() / dc, dt, true
}

// stepsPerS is the run's recent steps per second, or 0.
func (v *runView) stepsPerS() float64 {
	if len(v.hist) < 2 {
		return 0
	}
	a, b := v.hist[0], v.hist[len(v.hist)-1]
	if dt := b.t.Sub(a.t).Seconds(); dt > 0 {
		return float64(b.step-a.step) / dt
	}
	return 0
}

// ratio is how much slower than their timed steps the runs measured so far
// went (1 before any measurement); the mutex is held.
func (d *Display) ratio() (float64, int) {
	sum, n := 0.0, 0
	for _, r := range d.ratios {
		sum += r
		n++
	}
	for _, v := range d.live {
		if spc, _, ok := v.rate(); ok && v.r.StepS > 0 {
			sum += spc * v.unit / v.r.StepS
			n++
		}
	}
	if n == 0 {
		return 1, 0
	}
	return sum / float64(n), n
}

// predicted is the time a run needs from step k, from its timed step scaled
// by ratio; the mutex is held.
func (v *runView) predicted(k int, ratio float64) time.Duration {
	return time.Duration(v.r.StepS * ratio * (v.cost[v.steps] - v.cost[k]) / v.unit * float64(time.Second))
}

// eta is the run's time left and whether its own steps measured it.
func (v *runView) eta(ratio float64) (time.Duration, bool) {
	k := v.r.From
	if v.seen {
		k = v.last.Step
	}
	if spc, _, ok := v.rate(); ok {
		return time.Duration(spc * (v.cost[v.steps] - v.cost[k]) * float64(time.Second)), true
	}
	return v.predicted(k, ratio), false
}

// totalETA is the time left for all training, and its basis in words; the
// mutex is held.
func (d *Display) totalETA() (time.Duration, string) {
	t, basis, _ := d.totalETAShort()
	return t, basis
}

// totalETAShort is totalETA with also a short basis for the live line.
func (d *Display) totalETAShort() (time.Duration, string, string) {
	ratio, nratio := d.ratio()
	slots := make([]time.Duration, max(d.jobs, 1))
	measured := 0
	for i, v := range d.live {
		t, own := v.eta(ratio)
		if own {
			measured++
		}
		slots[i%len(slots)] += t
	}
	for _, r := range d.waiting {
		j := 0
		for i := range slots {
			if slots[i] < slots[j] {
				j = i
			}
		}
		slots[j] += d.views[r].predicted(r.From, ratio)
	}
	var total time.Duration
	for _, s := range slots {
		total = max(total, s)
	}
	var basis, short []string
	if measured > 0 {
		short = append(short, fmt.Sprintf("%d from own step times", measured))
		basis = append(basis, fmt.Sprintf("%s from %s own step times over the last %s", report.Plural(measured, "running run"),
			map[bool]string{true: "its", false: "their"}[measured == 1], train.FormatDuration(etaWindow)))
	}
	if rest := len(d.live) - measured + len(d.waiting); rest > 0 {
		if nratio == 0 {
			basis = append(basis, fmt.Sprintf("%s from a step timed before training", report.Plural(rest, "run")))
			short = append(short, fmt.Sprintf("%d from a timed step", rest))
		} else {
			basis = append(basis, fmt.Sprintf("%s from a timed step x %.2f, the slowdown measured so far", report.Plural(rest, "run"), ratio))
			short = append(short, fmt.Sprintf("%d from a timed step x %.2f", rest, ratio))
		}
	}
	return total, strings.Join(basis, "; "), strings.Join(short, ", ")
}

// tick redraws the live block, or prints the plain lines that are due.
func (d *Display) tick() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.term {
		d.draw()
		return
	}
	if d.quiet {
		return
	}
	ratio, _ := d.ratio()
	var due []*runView
	for _, v := range d.live {
		if v.seen && v.last.Step*10 >= v.next*v.steps && v.last.Step < v.steps {
			due = append(due, v)
			v.next = v.last.Step*10/v.steps + 1
		}
	}
	if len(due) == 0 {
		return
	}
	eta, basis := d.totalETA()
	for _, v := range due {
		t, _ := v.eta(ratio)
		fmt.Fprintf(d.w, "%s %s, ETA %s; all training ~%s (%s)\n", d.tag(v.r), v.status(), train.FormatDuration(t), train.FormatDuration(eta), basis)
	}
}

// status is a run's step, loss and rate.
func (v *runView) status() string {
	if !v.seen {
		return "starting"
	}
	return fmt.Sprintf("step %d/%d (%d%%)  loss %.4g  %.1f steps/s", v.last.Step, v.steps, v.last.Step*100/v.steps, v.last.Loss, v.stepsPerS())
}

// draw redraws the live block; the mutex is held.
func (d *Display) draw() {
	ratio, _ := d.ratio()
	var b bytes.Buffer
	d.clearTo(&b)
	n := 0
	line := func(s string) {
		if r := []rune(s); len(r) >= d.width {
			s = string(r[:d.width-2]) + "…"
		}
		b.WriteString(s + "\x1b[K\n")
		n++
	}
	// What matters first comes first: a narrow terminal cuts the end.
	for _, v := range d.live {
		t, _ := v.eta(ratio)
		if !v.seen {
			line(fmt.Sprintf("%s starting, ETA %s", d.tag(v.r), train.FormatDuration(t)))
			continue
		}
		line(fmt.Sprintf("%s %d%% ETA %s  step %d/%d  loss %.4g  %.1f steps/s", d.tag(v.r), v.last.Step*100/v.steps, train.FormatDuration(t),
			v.last.Step, v.steps, v.last.Loss, v.stepsPerS()))
	}
	eta, _, short := d.totalETAShort()
	line(fmt.Sprintf("all training: ETA %s  (%d of %d runs done, %d running with %s each, %d waiting; ETAs of runs: %s)",
		train.FormatDuration(eta), d.done, d.total, len(d.live), report.Plural(d.threads, "thread"), len(d.waiting), short))
	d.lines = n
	d.w.Write(b.Bytes())
}

// clearTo writes what erases the live block to b; the mutex is held.
func (d *Display) clearTo(b *bytes.Buffer) {
	if d.term && d.lines > 0 {
		fmt.Fprintf(b, "\x1b[%dA\r\x1b[J", d.lines)
	}
	d.lines = 0
}

// clear erases the live block; the mutex is held.
func (d *Display) clear() {
	var b bytes.Buffer
	d.clearTo(&b)
	if b.Len() > 0 {
		d.w.Write(b.Bytes())
	}
}

// message prints a line above the live block.
func (d *Display) message(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	live := d.lines > 0
	d.clear()
	fmt.Fprintf(d.w, format+"\n", args...)
	if live {
		d.draw()
	}
}

// Writer returns a writer whose lines are messages about r (training's own
// warnings and its closing summary).
func (d *Display) Writer(r *runplan.Run) io.Writer {
	return &lineWriter{emit: func(line string) {
		if line = strings.TrimSpace(line); line != "" {
			d.message("%s %s", d.tag(r), line)
		}
	}}
}

// lineWriter passes every complete line written to it to emit.
type lineWriter struct {
	emit func(string)
	buf  []byte
}

func (l *lineWriter) Write(b []byte) (int, error) {
	for _, c := range b {
		if c == '\n' || c == '\r' {
			if len(l.buf) > 0 {
				l.emit(string(l.buf))
				l.buf = l.buf[:0]
			}
			continue
		}
		l.buf = append(l.buf, c)
	}
	return len(b), nil
}
