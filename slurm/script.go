package slurm

import (
	"fmt"
	"icl/runplan"
	"icl/train"
	"path/filepath"
	"strings"
	"syscall"
)

// BatchScript returns the sbatch script of a job array with one task per
// run: task i trains runs[i] in its directory under out, from the resolved
// config in out/slurm/configs, or resumes it when the directory holds a run.
func BatchScript(c Config, out, preset string, runs []*runplan.Run) string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	p("#!/bin/bash")
	p("# icl reproduce -preset %s -slurm: one task per run left to train.", preset)
	p("#SBATCH --job-name=icl-%s", preset)
	p("#SBATCH --array=0-%d", len(runs)-1)
	p("#SBATCH --ntasks=1")
	p("#SBATCH --cpus-per-task=%d", c.CPUsPerTask)
	if c.Partition != "" {
		p("#SBATCH --partition=%s", c.Partition)
	}
	if c.Account != "" {
		p("#SBATCH --account=%s", c.Account)
	}
	if c.Time != "" {
		p("#SBATCH --time=%s", c.Time)
	}
	if c.Mem != "" {
		p("#SBATCH --mem=%s", c.Mem)
	}
	p("# SIGTERM to the training step %d s before the time limit: it checkpoints, then the task requeues itself.", c.SignalS)
	p("#SBATCH --signal=TERM@%d", c.SignalS)
	p("#SBATCH --requeue")
	p("#SBATCH --open-mode=append")
	p("# Only what happens before the task's output moves to its run directory.")
	p("#SBATCH --output=%s", filepath.Join(out, slurmDir, "task-%A_%a.out"))
	for _, x := range c.Extra {
		p("#SBATCH %s", x)
	}
	p("")
	p("icl=%s", shellQuote(c.ICL))
	p("dirs=(")
	for _, r := range runs {
		p("\t%s", shellQuote(r.Dir))
	}
	p(")")
	p("configs=(")
	for _, r := range runs {
		p("\t%s", shellQuote(slurmConfigPath(out, r)))
	}
	p(")")
	// The task's training: `icl train` as train.Command writes it, on the
	// task's directory and config (shell variables, expanded by bash).
	resume := shellArgs(train.Command{Resume: "$dir", StopAtZero: true}.Args())
	fresh := shellArgs(train.Command{Config: "$config", Out: "$dir", StopAtZero: true}.Args())
	b.WriteString(`dir=${dirs[$SLURM_ARRAY_TASK_ID]}
config=${configs[$SLURM_ARRAY_TASK_ID]}
mkdir -p "$dir" || exit 1
exec >>"$dir/slurm.out" 2>>"$dir/slurm.err"
task=${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}
# The engine splits its matrix products over GOMAXPROCS goroutines.
export GOMAXPROCS=${SLURM_CPUS_PER_TASK:-1}
echo "[slurm] task $task (job $SLURM_JOB_ID) on $(hostname), start $((${SLURM_RESTART_COUNT:-0} + 1)), GOMAXPROCS=$GOMAXPROCS, $(date -u +%FT%TZ)"
# SIGTERM for the batch shell too (a plain scancel) ends it before it can requeue.
if [ -f "$dir/config.yaml" ]; then
	echo "[slurm] resuming $dir"
	srun --ntasks=1 --cpus-per-task="$GOMAXPROCS" "$icl" ` + resume + `
else
	echo "[slurm] training $config into $dir"
	srun --ntasks=1 --cpus-per-task="$GOMAXPROCS" "$icl" ` + fresh + `
fi
rc=$?
`)
	fmt.Fprintf(&b, `if { [ "$rc" -eq %d ] || [ "$rc" -eq %d ]; } && [ ! -f "$dir/done" ]; then
	echo "[slurm] interrupted with a checkpoint saved: requeueing $task to resume"
	scontrol requeue "$task" && exit 0
fi
echo "[slurm] exit status $rc, $(date -u +%%FT%%TZ)"
exit "$rc"
`, train.StoppedStatus(syscall.SIGTERM), train.StoppedStatus(syscall.SIGINT))
	return b.String()
}

// shellArgs joins args into bash words: the variables $dir and $config
// double-quoted (expanded once, never split), plain words as they are,
// anything else shellQuote'd.
func shellArgs(args []string) string {
	words := make([]string, len(args))
	for i, a := range args {
		switch {
		case a == "$dir" || a == "$config":
			words[i] = `"` + a + `"`
		case strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./") == "" && a != "":
			words[i] = a
		default:
			words[i] = shellQuote(a)
		}
	}
	return strings.Join(words, " ")
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
