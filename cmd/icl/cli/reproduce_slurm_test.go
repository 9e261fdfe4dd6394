package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestReproduceSlurmFlags(t *testing.T) {
	out := t.TempDir()
	code, stdout, stderr := run(t, "reproduce", "-preset", "quick", "-only", "E1", "-out", out, "-slurm", "-print",
		"-partition", "cpu", "-time", "1-00:00:00", "-cpus", "4", "-sbatch", "--qos=long", "-icl", "/shared/icl")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"#SBATCH --array=0-2\n", "#SBATCH --partition=cpu\n", "#SBATCH --time=1-00:00:00\n",
		"#SBATCH --cpus-per-task=4\n", "#SBATCH --qos=long\n", "icl='/shared/icl'\n",
		"'" + filepath.Join(out, "runs", "quick", "dense_linear") + "'"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("-print lacks %q:\n%s", want, stdout)
		}
	}
	// The default scale's runs ship with icl: nothing to submit, unless
	// -retrain.
	code, stdout, stderr = run(t, "reproduce", "-only", "E1", "-out", t.TempDir(), "-slurm", "-print")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "nothing to submit") {
		t.Errorf("default scale, -slurm -print: exit %d, script %q, log %s", code, stdout, stderr)
	}
	// At the default (long) scale E1 reads three budget branches, each of
	// its own trunk: six tasks.
	code, stdout, stderr = run(t, "reproduce", "-only", "E1", "-out", t.TempDir(), "-slurm", "-print", "-retrain")
	if code != 0 || !strings.Contains(stdout, "#SBATCH --array=0-5\n") {
		t.Errorf("default scale, -slurm -print -retrain: exit %d, %s\n%s", code, stdout, stderr)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-detach"}, 2, "-detach is an option of -slurm"},
		{[]string{"-slurm", "-jobs", "2"}, 2, "-jobs: with -slurm"},
		{[]string{"-slurm", "-verify", "dense_linear"}, 2, "-verify works on this machine only"},
		{[]string{"-slurm", "-print", "-pack", "models"}, 2, "-pack works on this machine only"},
		{[]string{"-slurm", "-print", "-time", "3h"}, 1, "slurm.time (flag -time)"},
		{[]string{"-slurm", "-print", "-cpus", "-2"}, 1, "slurm.cpus_per_task (flag -cpus)"},
		{[]string{"-slurm", "-slurm-config", filepath.Join(out, "none.yaml")}, 1, "none.yaml"},
	} {
		code, _, stderr := run(t, append([]string{"reproduce", "-only", "E1", "-out", out}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want exit %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}
