package slurm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"icl/atomicfile"
	"icl/reproduce"
	"icl/runplan"
	"icl/shipped"
	"icl/train"
)

// Options configures Reproduce.
type Options struct {
	Config Config
	// Print writes the batch script of the runs left to train to this writer
	// instead of submitting it.
	Print io.Writer
	// Detach returns once the array is submitted instead of waiting for it.
	Detach bool
	// Poll is how often the wait looks at the queue and the runs; 0 means 30s.
	Poll time.Duration
	// Sbatch and Squeue are the commands to run; empty means "sbatch" and
	// "squeue" on PATH.
	Sbatch, Squeue string
}

// Result says what Reproduce did.
type Result struct {
	Submitted string // the job id of the array submitted by this call, if any
	Tasks     int    // its number of tasks
	Evaluated bool   // every run was done and the report was written
	Waiting   int    // runs still queued or running (detached)
}

// slurmDir is where the Slurm files of a reproduction live: the batch
// scripts, the runs' resolved configs, the job ids and the tasks' own logs.
const slurmDir = "slurm"

// slurmJobs is OUT/slurm/jobs.json: every array submitted for OUT.
type slurmJobs struct {
	Arrays []slurmArray `json:"arrays"`
}

type slurmArray struct {
	JobID     string    `json:"job_id"`
	Runs      []string  `json:"runs"` // run name of task i
	Submitted time.Time `json:"submitted"`
}

// slurmTask is one array task as squeue shows it.
type slurmTask struct {
	state, reason string
}

// Reproduce is Reproduce with the training done by a Slurm job array:
// it plans the runs, writes the resolved config of each run that is neither
// done nor queued to OUT/slurm/configs, submits one array with one task per
// such run (each task trains or resumes its run with `icl train` in its run
// directory), then waits for the array, showing the runs' progress from
// their metrics, or returns at once with Detach. Called again with the same
// options it resubmits runs whose tasks ended without finishing them, and
// once every run is done it evaluates and writes the report (Reproduce).
//
// A task writes only its own run directory, and no two tasks of the arrays
// it submits train the same run at once: a run is submitted only when no
// task for it is queued or running.
func Reproduce(ctx context.Context, opts reproduce.Options, so Options) (*Result, error) {
	logf := opts.Defaults()
	cfg := so.Config
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if so.Poll <= 0 {
		so.Poll = 30 * time.Second
	}
	if so.Sbatch == "" {
		so.Sbatch = "sbatch"
	}
	if so.Squeue == "" {
		so.Squeue = "squeue"
	}
	out, err := filepath.Abs(opts.OutDir)
	if err != nil {
		return nil, err
	}
	opts.OutDir = out
	if cfg.ICL == "" {
		if cfg.ICL, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("cannot find the icl executable for the batch script (%w); set slurm.icl", err)
		}
	}
	runs, err := reproduce.PlanRuns(opts)
	if err != nil {
		return nil, err
	}
	// Shipped runs are copied in, not trained, as in a local reproduction.
	if err := shipped.Use(runs, opts.Shipped(), opts.Retrain, logf); err != nil {
		return nil, err
	}
	runs = runplan.DropIdleTrunks(runs)
	res := &Result{}
	jobsPath := filepath.Join(out, slurmDir, "jobs.json")
	jobs, err := readSlurmJobs(jobsPath)
	if err != nil {
		return nil, err
	}
	// Ask the queue only about arrays of ours that may still have tasks.
	queued := map[string]slurmTask{}
	allDone := true
	for _, r := range runs {
		allDone = allDone && train.IsDone(r.Dir)
	}
	if len(jobs.Arrays) > 0 && !allDone {
		q, err := squeue(ctx, so.Squeue, jobs)
		switch {
		case err == nil:
			queued = q
		case so.Print == nil:
			return nil, err
		default:
			logf("[reproduce] %v: the script below counts every run that is not done", err)
		}
	}
	var todo []*runplan.Run
	counts := map[string]int{}
	for _, r := range runs {
		st := runStatus(r, jobs, queued)
		counts[st.kind]++
		if st.kind == slurmFailed || st.kind == slurmNew {
			todo = append(todo, r)
		}
	}
	logf("[reproduce] preset %s: %d runs in %s: %d done, %d queued or running, %d failed, %d not submitted",
		opts.Preset, len(runs), out, counts[slurmDone], counts[slurmPending]+counts[slurmRunning], counts[slurmFailed], counts[slurmNew])
	if counts[slurmFailed] > 0 {
		again := ": resubmitting"
		if so.Print != nil {
			again = ": in the script below"
		}
		for _, r := range runs {
			if st := runStatus(r, jobs, queued); st.kind == slurmFailed {
				logf("[reproduce] %s: its task ended without finishing the run (logs: %s)%s", r.Name, st.logs, again)
			}
		}
	}

	if so.Print != nil {
		if len(todo) == 0 {
			logf("[reproduce] nothing to submit: every run is done, queued or running")
			return res, nil
		}
		_, err := io.WriteString(so.Print, BatchScript(cfg, out, opts.Preset, todo))
		return res, err
	}

	if len(todo) > 0 {
		sbatch, err := exec.LookPath(so.Sbatch)
		if err != nil {
			return nil, fmt.Errorf("-slurm: %s not found (%w): run on a machine with Slurm's client commands, such as the cluster's login node, or leave out -slurm to train here", so.Sbatch, err)
		}
		for _, r := range todo {
			text, err := r.Cfg.YAML()
			if err != nil {
				return nil, err
			}
			p := slurmConfigPath(out, r)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := atomicfile.WriteBytes(p, text); err != nil {
				return nil, err
			}
		}
		script := BatchScript(cfg, out, opts.Preset, todo)
		scriptPath := filepath.Join(out, slurmDir, fmt.Sprintf("array-%d.sh", len(jobs.Arrays)+1))
		if err := atomicfile.WriteBytes(scriptPath, []byte(script)); err != nil {
			return nil, err
		}
		var stdout, stderr bytes.Buffer
		// Not stopped by ctx: a job submitted must be recorded.
		cmd := exec.Command(sbatch, "--parsable", scriptPath)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("sbatch %s: %w: %s", scriptPath, err, strings.TrimSpace(stderr.String()))
		}
		id, _, _ := strings.Cut(strings.TrimSpace(stdout.String()), ";") // "ID" or "ID;cluster"
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return nil, fmt.Errorf("sbatch %s printed %q, not a job id", scriptPath, stdout.String())
		}
		a := slurmArray{JobID: id, Submitted: time.Now().UTC()}
		for _, r := range todo {
			a.Runs = append(a.Runs, r.Name)
		}
		jobs.Arrays = append(jobs.Arrays, a)
		if err := atomicfile.WriteJSON(jobsPath, jobs); err != nil {
			return nil, fmt.Errorf("array %s submitted, but its record could not be written: %w", id, err)
		}
		res.Submitted, res.Tasks = id, len(todo)
		logf("[reproduce] submitted job array %s: %d tasks (%s), script %s; each run's output goes to slurm.out and slurm.err in its directory",
			id, len(todo), strings.Join(a.Runs, ", "), scriptPath)
		for i := range todo { // until the next look at the queue
			queued[id+"_"+strconv.Itoa(i)] = slurmTask{state: "PENDING"}
		}
	}

	// Wait for the arrays, showing progress.
	for {
		left := 0
		var failed []string
		lines := make([]string, 0, len(runs))
		counts := map[string]int{}
		for _, r := range runs {
			st := runStatus(r, jobs, queued)
			counts[st.kind]++
			switch st.kind {
			case slurmPending, slurmRunning:
				left++
			case slurmFailed, slurmNew:
				failed = append(failed, fmt.Sprintf("%s (logs: %s)", r.Name, st.logs))
			}
			lines = append(lines, fmt.Sprintf("  %-28s %s", r.Name, st.line))
		}
		res.Waiting = left
		if left == 0 && len(failed) == 0 {
			break
		}
		logf("[reproduce] %s: %d pending, %d running, %d done, %d failed", time.Now().Format("15:04:05"),
			counts[slurmPending], counts[slurmRunning], counts[slurmDone], counts[slurmFailed]+counts[slurmNew])
		for _, l := range lines {
			logf("%s", l)
		}
		if left == 0 {
			n := fmt.Sprintf("%d runs", len(failed))
			if len(failed) == 1 {
				n = "1 run"
			}
			return res, fmt.Errorf("%s ended without finishing: %s; run the same command again to resubmit", n, strings.Join(failed, ", "))
		}
		if so.Detach {
			logf("[reproduce] detached: run the same command again to see the progress; it evaluates and writes the report once every run is done")
			return res, nil
		}
		select {
		case <-ctx.Done():
			return res, fmt.Errorf("stopped waiting (%w); the jobs go on: run the same command again to see them", ctx.Err())
		case <-time.After(so.Poll):
		}
		if queued, err = squeue(ctx, so.Squeue, jobs); err != nil {
			return res, err
		}
	}
	logf("[reproduce] every run is done: evaluating here")
	res.Evaluated = true
	return res, reproduce.Reproduce(ctx, opts)
}

func slurmConfigPath(out string, r *runplan.Run) string {
	return filepath.Join(out, slurmDir, "configs", filepath.FromSlash(r.Name)+".yaml")
}

// Kinds of a run's status under Slurm.
const (
	slurmDone    = "done"
	slurmPending = "pending"
	slurmRunning = "running"
	slurmFailed  = "failed" // submitted, no task in the queue, not done
	slurmNew     = "new"    // never submitted, not done
)

type runSlurmStatus struct {
	kind string
	line string // what the progress shows
	logs string // where its output went
}

// runStatus combines r's run directory, the arrays it was submitted in and
// the queue. A run is done when its directory says so, whatever the queue
// says; otherwise its newest task decides.
func runStatus(r *runplan.Run, jobs *slurmJobs, queued map[string]slurmTask) runSlurmStatus {
	logs := filepath.Join(r.Dir, "slurm.out") + ", " + filepath.Join(r.Dir, "slurm.err")
	p := readProgress(r)
	if train.IsDone(r.Dir) {
		return runSlurmStatus{kind: slurmDone, line: fmt.Sprintf("done       %d steps", r.Cfg.Train.Steps), logs: logs}
	}
	taskID := ""
	for i := len(jobs.Arrays) - 1; i >= 0 && taskID == ""; i-- {
		a := jobs.Arrays[i]
		if k := slices.Index(a.Runs, r.Name); k >= 0 {
			taskID = a.JobID + "_" + strconv.Itoa(k)
		}
	}
	if taskID == "" {
		return runSlurmStatus{kind: slurmNew, line: "not submitted " + p.String(r), logs: logs}
	}
	t, ok := queued[taskID]
	if !ok {
		return runSlurmStatus{kind: slurmFailed, line: fmt.Sprintf("FAILED     task %s ended at %s", taskID, p.String(r)), logs: logs}
	}
	switch t.state {
	case "RUNNING", "COMPLETING", "CONFIGURING", "SIGNALING", "STAGE_OUT", "RESIZING":
		return runSlurmStatus{kind: slurmRunning, line: fmt.Sprintf("running    task %s, %s", taskID, p.String(r)), logs: logs}
	}
	reason := ""
	if t.reason != "" && t.reason != "None" {
		reason = " (" + t.reason + ")"
	}
	return runSlurmStatus{kind: slurmPending, line: fmt.Sprintf("%-10s task %s%s, %s", strings.ToLower(t.state), taskID, reason, p.String(r)), logs: logs}
}

// runProgress is what a run's metrics say of its training.
type runProgress struct {
	step    int
	stepsPS float64
	started bool
}

func (p runProgress) String(r *runplan.Run) string {
	if !p.started {
		return "not started"
	}
	s := fmt.Sprintf("step %d/%d", p.step, r.Cfg.Train.Steps)
	if p.stepsPS > 0 {
		s += fmt.Sprintf(", %.1f steps/s, ETA %s", p.stepsPS,
			train.FormatDuration(time.Duration(float64(r.Cfg.Train.Steps-p.step)/p.stepsPS*float64(time.Second))))
	}
	return s
}

// readProgress reads the last step and training speed from r's metrics.
func readProgress(r *runplan.Run) runProgress {
	f, err := os.Open(filepath.Join(r.Dir, train.MetricsFile))
	if err != nil {
		return runProgress{}
	}
	defer f.Close()
	p := runProgress{started: true}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var l train.TrainLine
		if json.Unmarshal(sc.Bytes(), &l) != nil {
			continue
		}
		p.step = max(p.step, l.Step)
		if l.Kind == "train" {
			p.stepsPS = l.StepsPS
		}
	}
	return p
}

// squeue returns the tasks of jobs' arrays that are still in the queue, by
// "JOBID_TASK".
func squeue(ctx context.Context, name string, jobs *slurmJobs) (map[string]slurmTask, error) {
	bin, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("-slurm: %s not found (%w): run on a machine with Slurm's client commands, such as the cluster's login node", name, err)
	}
	var ids []string
	for _, a := range jobs.Arrays {
		ids = append(ids, a.JobID)
	}
	// Without -j: squeue fails on a job id the controller has forgotten.
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "--me", "--noheader", "--array", "--format=%F|%K|%T|%r")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("squeue: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parseSqueue(stdout.String(), ids), nil
}

// parseSqueue reads squeue lines "ARRAYJOB|TASK|STATE|REASON", keeping the
// arrays in ids.
func parseSqueue(text string, ids []string) map[string]slurmTask {
	q := map[string]slurmTask{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(strings.TrimSpace(line), "|")
		if len(f) != 4 || !slices.Contains(ids, f[0]) {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue // not an array task
		}
		q[f[0]+"_"+f[1]] = slurmTask{state: f[2], reason: f[3]}
	}
	return q
}

func readSlurmJobs(path string) (*slurmJobs, error) {
	var j slurmJobs
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &j, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &j, nil
}
