package slurm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"icl/experiment"
	"icl/gpt"
	"icl/reproduce"
	"icl/rng"
	"icl/runplan"
	"icl/train"
)

func TestSlurmConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		c     Config
		field string // "" when valid
	}{
		{Config{}, ""},
		{Config{Partition: "cpu", Account: "proj-1", Time: "2-00:00:00", CPUsPerTask: 8, Mem: "8G", SignalS: 120, Extra: []string{"--qos=long"}}, ""},
		{Config{Time: "90"}, ""},
		{Config{Time: "1:30:00"}, ""},
		{Config{Time: "3h"}, "slurm.time"},
		{Config{CPUsPerTask: -1}, "slurm.cpus_per_task"},
		{Config{Mem: "8 GB"}, "slurm.mem"},
		{Config{Partition: "a b"}, "slurm.partition"},
		{Config{Account: "x;y"}, "slurm.account"},
		{Config{SignalS: -5}, "slurm.signal_s"},
		{Config{Extra: []string{"qos=long"}}, "slurm.extra"},
		{Config{Extra: []string{"--qos=a\n#SBATCH --x"}}, "slurm.extra"},
	} {
		c := tc.c
		c.Defaults()
		err := c.Validate()
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: %v", tc.c, err)
		case tc.field != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.field+" ")):
			t.Errorf("%+v: error %v, want one on %s", tc.c, err, tc.field)
		}
	}
}

func TestLoadSlurmConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	os.WriteFile(p, []byte("slurm:\n  partition: cpu\n  cpus_per_task: 4\n  extra: [--qos=long]\n"), 0o644)
	c, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Partition != "cpu" || c.CPUsPerTask != 4 || len(c.Extra) != 1 || c.Extra[0] != "--qos=long" {
		t.Errorf("got %+v", c)
	}
	os.WriteFile(p, []byte("slurm:\n  cpus: 4\n"), 0o644)
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), "cpus_per_task") {
		t.Errorf("unknown field: error %v, want one listing the fields", err)
	}
}

func TestParseSqueue(t *testing.T) {
	text := "12|0|RUNNING|None\n12|1|PENDING|Resources\n13|N/A|RUNNING|None\n99|0|RUNNING|None\n\n"
	got := parseSqueue(text, []string{"12", "13"})
	want := map[string]slurmTask{"12_0": {"RUNNING", "None"}, "12_1": {"PENDING", "Resources"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestBatchScript(t *testing.T) {
	runs := []*runplan.Run{{Name: "quick/a", Dir: "/o/runs/quick/a"}, {Name: "quick/b'c", Dir: "/o/runs/quick/b'c"}}
	c := Config{Partition: "cpu", Time: "1:00:00", ICL: "/bin/icl", Extra: []string{"--qos=long"}}
	c.Defaults()
	s := BatchScript(c, "/o", "quick", runs)
	for _, want := range []string{
		"#SBATCH --array=0-1\n", "#SBATCH --cpus-per-task=2\n", "#SBATCH --partition=cpu\n", "#SBATCH --time=1:00:00\n",
		"#SBATCH --signal=TERM@300\n", "#SBATCH --requeue\n", "#SBATCH --qos=long\n",
		"\t'/o/runs/quick/b'\\''c'\n", "\t'/o/slurm/configs/quick/a.yaml'\n",
		"export GOMAXPROCS=${SLURM_CPUS_PER_TASK:-1}\n", `train -stop-at-zero -resume "$dir"`, `train -stop-at-zero -config "$config" -out "$dir"`,
		`if { [ "$rc" -eq 143 ] || [ "$rc" -eq 130 ]; }`, `scontrol requeue "$task"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "--account") || strings.Contains(s, "--mem") {
		t.Errorf("script sets options that were not given:\n%s", s)
	}
	// bash parses it.
	if sh, err := exec.LookPath("bash"); err == nil {
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(s)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("bash -n: %v: %s", err, out)
		}
	}
}

// slurmScale is microScale with runs long enough to interrupt one mid-run:
// seconds each on one core.
func slurmScale() *experiment.Scale {
	s := experiment.MicroScale()
	micro := s.Train
	s.Train = func(c *train.Config) {
		micro(c)
		c.Train.Steps = 1000
		c.LogEvery, c.EvalEvery, c.CheckpointEvery = 10, 500, 100
	}
	return s
}

// cluster is a one-node Slurm started by testdata/slurm/start.sh.
type cluster struct {
	dir  string
	conf string
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startSlurm starts a cluster that lives until the test ends, or skips the
// test with the reason it cannot.
func startSlurm(t *testing.T) *cluster {
	dir, err := os.MkdirTemp("", "icl-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{dir: dir, conf: filepath.Join(dir, "slurm.conf")}
	script, _ := filepath.Abs(filepath.Join("testdata", "slurm", "start.sh"))
	cmd := exec.Command("bash", script, dir, strconv.Itoa(freePort(t)), strconv.Itoa(freePort(t)))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t.Cleanup(func() {
		// Cancel what is left and let slurmd see it end, then stop the
		// daemons: slurmd, slurmctld, munged.
		env := append(os.Environ(), "SLURM_CONF="+c.conf)
		cancel := exec.Command("scancel", "--me")
		cancel.Env = env
		if cancel.Run() == nil {
			for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
				q := exec.Command("squeue", "--me", "--noheader")
				q.Env = env
				if out, err := q.Output(); err != nil || len(bytes.TrimSpace(out)) == 0 {
					break
				}
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "pids")); err == nil {
			pids := strings.Fields(string(b))
			for i := len(pids) - 1; i >= 0; i-- {
				pid, err := strconv.Atoi(pids[i])
				if err != nil || pid <= 1 {
					continue
				}
				syscall.Kill(pid, syscall.SIGTERM)
				for end := time.Now().Add(5 * time.Second); time.Now().Before(end) && syscall.Kill(pid, 0) == nil; {
					time.Sleep(50 * time.Millisecond)
				}
				if syscall.Kill(pid, 0) == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		os.RemoveAll(dir)
	})
	if err := cmd.Run(); err != nil {
		if t.Failed() {
			return nil
		}
		t.Skipf("cannot start a local Slurm: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	t.Setenv("SLURM_CONF", c.conf)
	return c
}

func (c *cluster) slurm(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s\nslurmctld log:\n%s", name, strings.Join(args, " "), err, out, c.tail("slurmctld.log"))
	}
	return strings.TrimSpace(string(out))
}

func (c *cluster) tail(log string) string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log", log))
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// goTool returns the go command that runs this test.
func goTool(t *testing.T) string {
	if p := filepath.Join(runtime.GOROOT(), "bin", "go"); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build icl for the Slurm tasks")
	}
	return p
}

// TestReproduceSlurm trains a preset of three runs as a job array on a local
// Slurm, interrupts one task with scancel --signal=TERM, checks that the
// task requeued itself and resumed its run, then evaluates, and compares
// every model with a local reproduction byte for byte.
func TestReproduceSlurm(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the Slurm integration test")
	}
	start := time.Now()
	c := startSlurm(t)
	tmp := t.TempDir()
	icl := filepath.Join(tmp, "icl")
	if out, err := exec.Command(goTool(t), "build", "-o", icl, "icl/cmd/icl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v: %s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var log bytes.Buffer
	defer func() {
		if t.Failed() {
			t.Logf("reproduce's output:\n%s\nslurmctld log:\n%s", log.String(), c.tail("slurmctld.log"))
		}
	}()
	opts := reproduce.Options{Preset: "micro", Only: []string{"E1"}, OutDir: filepath.Join(tmp, "slurm"), Scale: slurmScale(), Progress: &log, Quiet: true}
	so := Options{Config: Config{CPUsPerTask: 1, ICL: icl}, Detach: true, Poll: 500 * time.Millisecond}
	res, err := Reproduce(ctx, opts, so)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first call:\n%s", log.String())
	if res.Submitted == "" || res.Tasks != 3 || res.Evaluated {
		t.Fatalf("first call: %+v, want an array of 3 tasks submitted and nothing evaluated", res)
	}
	runs, err := reproduce.PlanRuns(opts)
	if err != nil {
		t.Fatal(err)
	}
	// Once runs 0 and 1 are under way, interrupt task 0 with SIGTERM, as
	// Slurm does before a time limit, and cancel task 1 for good.
	victim, cancelled := runs[0], runs[1]
	task := res.Submitted + "_0"
	for killed, cancelledOK := false, false; !killed || !cancelledOK; time.Sleep(50 * time.Millisecond) {
		for _, x := range []struct {
			r    *runplan.Run
			done *bool
			args []string
		}{{victim, &killed, []string{"--signal=TERM", task}}, {cancelled, &cancelledOK, []string{res.Submitted + "_1"}}} {
			if *x.done {
				continue
			}
			switch p := readProgress(x.r); {
			case p.step >= 50 && p.step < 900:
				c.slurm(t, "scancel", x.args...)
				*x.done = true
			case p.step >= 900 || train.IsDone(x.r.Dir):
				t.Fatalf("run %s reached step %d before it could be interrupted", x.r.Name, p.step)
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("runs did not get under way: %v", ctx.Err())
		}
	}
	// The task requeues itself; Slurm holds a requeued job for a while
	// before it may start again, which the test does not wait for.
	for {
		st := c.slurm(t, "squeue", "--noheader", "--array", "--job="+task, "--format=%T|%r")
		if strings.HasPrefix(st, "PENDING|BeginTime") {
			c.slurm(t, "scontrol", "update", "JobId="+task, "StartTime=now")
			break
		}
		if train.IsDone(victim.Dir) {
			t.Fatalf("run %s finished before the signal reached it", victim.Name)
		}
		if ctx.Err() != nil {
			t.Fatalf("task %s not requeued (state %q)", task, st)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A cancelled task stays in the queue (COMPLETING) for a moment after
	// scancel returns, and reproduce counts it as running until it leaves;
	// the second call must find it gone to resubmit it.
	for gone := res.Submitted + "_1"; ; time.Sleep(100 * time.Millisecond) {
		q := c.slurm(t, "squeue", "--noheader", "--array", "--job="+res.Submitted, "--format=%i|%T")
		if !strings.Contains("\n"+q, "\n"+gone+"|") {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("cancelled task %s still in the queue:\n%s", gone, q)
		}
	}
	// Resubmit the cancelled run, wait for the arrays and evaluate.
	so.Detach = false
	first := res.Submitted
	res, err = Reproduce(ctx, opts, so)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !res.Evaluated || res.Submitted == "" || res.Submitted == first || res.Tasks != 1 {
		t.Fatalf("second call: %+v, want the cancelled run resubmitted alone, and the evaluation", res)
	}
	if want := cancelled.Name + ": its task ended without finishing the run"; !strings.Contains(log.String(), want) {
		t.Errorf("output lacks %q", want)
	}
	if out, _ := os.ReadFile(filepath.Join(cancelled.Dir, "slurm.out")); !strings.Contains(string(out), "resuming "+cancelled.Dir) ||
		strings.Contains(string(out), "requeueing") {
		t.Errorf("%s/slurm.out: want the resubmitted task resuming, no requeue:\n%s", cancelled.Dir, out)
	}
	if !fileExists(filepath.Join(opts.OutDir, reproduce.ReportFile)) {
		t.Errorf("no report")
	}
	if !strings.Contains(log.String(), "running    task") || !strings.Contains(log.String(), "step ") {
		t.Errorf("no progress lines with steps in the output:\n%s", log.String())
	}
	// The interrupted run resumed from its checkpoint in the requeued task.
	out, _ := os.ReadFile(filepath.Join(victim.Dir, "slurm.out"))
	for _, want := range []string{"requeueing " + task, "start 2, GOMAXPROCS=1,", "resuming " + victim.Dir} {
		if !strings.Contains(string(out), want) {
			t.Errorf("%s/slurm.out lacks %q:\n%s", victim.Dir, want, out)
		}
	}
	var kinds []string
	mb, _ := os.ReadFile(filepath.Join(victim.Dir, train.MetricsFile))
	for _, line := range bytes.Split(mb, []byte("\n")) {
		var ev train.EventLine
		if json.Unmarshal(line, &ev) == nil && ev.Kind != "train" && ev.Kind != "eval" {
			kinds = append(kinds, ev.Kind)
		}
	}
	if got := strings.Join(kinds, ","); got != "start,interrupt,resume,done" {
		t.Errorf("%s events %s, want start,interrupt,resume,done", victim.Name, got)
	}
	slurmTook := time.Since(start)

	// The same preset trained here gives the same bytes.
	local := opts
	local.OutDir = filepath.Join(tmp, "local")
	local.Progress = &bytes.Buffer{}
	if err := reproduce.Reproduce(ctx, local); err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		a, err := os.ReadFile(r.ModelPath())
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(local.OutDir, "runs", filepath.FromSlash(r.Name), train.ModelFile))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: the model trained on Slurm differs from the local one", r.Name)
		}
	}
	t.Logf("output:\n%s", log.String())
	t.Logf("Slurm part %s, total %s", slurmTook.Round(time.Second), time.Since(start).Round(time.Second))
}

// fakeSlurm writes an sbatch that records its script and prints job ids
// 41, 42, ... and a squeue that prints the file queue (empty: no job).
func fakeSlurm(t *testing.T) (dir string) {
	dir = t.TempDir()
	sbatch := `#!/bin/sh
n=$(cat "` + dir + `/n" 2>/dev/null || echo 40); n=$((n + 1)); echo $n >"` + dir + `/n"
cp "$2" "` + dir + `/script-$n.sh"; echo "$n;cluster"
`
	squeue := "#!/bin/sh\ncat \"" + dir + "/queue\" 2>/dev/null; exit 0\n"
	os.WriteFile(filepath.Join(dir, "sbatch"), []byte(sbatch), 0o755)
	os.WriteFile(filepath.Join(dir, "squeue"), []byte(squeue), 0o755)
	return dir
}

// TestReproduceSlurmResubmits checks the bookkeeping between calls with
// stand-ins for sbatch and squeue: queued runs are not submitted again,
// runs whose task left the queue unfinished are, done runs never are.
func TestReproduceSlurmResubmits(t *testing.T) {
	fake := fakeSlurm(t)
	var log bytes.Buffer
	out := t.TempDir()
	opts := reproduce.Options{Preset: "micro", Only: []string{"E1"}, OutDir: out, Scale: experiment.MicroScale(), Progress: &log}
	so := Options{Config: Config{ICL: "/bin/icl"}, Detach: true,
		Sbatch: filepath.Join(fake, "sbatch"), Squeue: filepath.Join(fake, "squeue")}
	ctx := context.Background()
	res, err := Reproduce(ctx, opts, so)
	if err != nil {
		t.Fatal(err)
	}
	if res.Submitted != "41" || res.Tasks != 3 || res.Waiting != 3 {
		t.Fatalf("first call: %+v, want array 41 of 3 tasks, 3 waiting", res)
	}
	runs, err := reproduce.PlanRuns(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		want, _ := r.Cfg.YAML()
		if got, err := os.ReadFile(slurmConfigPath(out, r)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: config file %v, want the resolved config", r.Name, err)
		}
	}
	// Task 0 runs, 1 is pending, 2 is gone without finishing its run.
	os.WriteFile(filepath.Join(fake, "queue"), []byte("41|0|RUNNING|None\n41|1|PENDING|Priority\n7|0|RUNNING|None\n"), 0o644)
	log.Reset()
	res, err = Reproduce(ctx, opts, so)
	if err != nil {
		t.Fatal(err)
	}
	if res.Submitted != "42" || res.Tasks != 1 || res.Waiting != 3 {
		t.Fatalf("second call: %+v, want array 42 with the one failed run", res)
	}
	if !strings.Contains(log.String(), runs[2].Name+": its task ended without finishing the run") {
		t.Errorf("no word of the failed run:\n%s", log.String())
	}
	script, _ := os.ReadFile(filepath.Join(fake, "script-42.sh"))
	if !strings.Contains(string(script), "#SBATCH --array=0-0\n") || !strings.Contains(string(script), shellQuote(runs[2].Dir)) ||
		strings.Contains(string(script), shellQuote(runs[0].Dir)) {
		t.Errorf("resubmitted script:\n%s", script)
	}
	// Runs 0 and 2 finish, run 1's task vanishes: run 1 alone is resubmitted.
	os.WriteFile(filepath.Join(fake, "queue"), nil, 0o644)
	for _, i := range []int{0, 2} {
		markDone(t, runs[i])
	}
	log.Reset()
	if res, err = Reproduce(ctx, opts, so); err != nil {
		t.Fatal(err)
	}
	if res.Submitted != "43" || res.Tasks != 1 {
		t.Fatalf("third call: %+v, want array 43 with run 1", res)
	}
	script, _ = os.ReadFile(filepath.Join(fake, "script-43.sh"))
	if !strings.Contains(string(script), shellQuote(runs[1].Dir)) {
		t.Errorf("third script:\n%s", script)
	}
	var jobs slurmJobs
	b, _ := os.ReadFile(filepath.Join(out, slurmDir, "jobs.json"))
	if err := json.Unmarshal(b, &jobs); err != nil || len(jobs.Arrays) != 3 {
		t.Errorf("jobs.json: %v, %d arrays, want 3:\n%s", err, len(jobs.Arrays), b)
	}
	// Waiting (not detached): run 1 is resubmitted, its task leaves the
	// queue unfinished, and the wait ends with an error naming the run.
	so.Detach, so.Poll = false, time.Millisecond
	res, err = Reproduce(ctx, opts, so)
	if err == nil || !strings.Contains(err.Error(), "1 run ended without finishing: "+runs[1].Name) || res.Submitted != "44" {
		t.Fatalf("fourth call: %+v, %v; want array 44 and an error naming %s", res, err, runs[1].Name)
	}
}

func TestReproduceSlurmNoSbatch(t *testing.T) {
	opts := reproduce.Options{Preset: "micro", Only: []string{"E1"}, OutDir: t.TempDir(), Scale: experiment.MicroScale(), Progress: &bytes.Buffer{}}
	so := Options{Sbatch: "icl-test-no-such-sbatch"}
	_, err := Reproduce(context.Background(), opts, so)
	if err == nil || !strings.Contains(err.Error(), "icl-test-no-such-sbatch not found") {
		t.Fatalf("error %v, want one saying sbatch is not found", err)
	}
	// -print needs no Slurm.
	var script bytes.Buffer
	so.Print = &script
	if _, err := Reproduce(context.Background(), opts, so); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script.String(), "#SBATCH --array=0-2\n") {
		t.Errorf("printed script:\n%s", script.String())
	}
	if fileExists(filepath.Join(opts.OutDir, slurmDir)) {
		t.Errorf("-print wrote %s", filepath.Join(opts.OutDir, slurmDir))
	}
}

// markDone makes r's directory hold a finished run, as a Slurm task leaves
// it: an (untrained) model saved at the last step and the done file that
// vouches for it.
func markDone(t *testing.T, r *runplan.Run) {
	t.Helper()
	os.MkdirAll(r.Dir, 0o755)
	m, err := gpt.New(r.Cfg.GPT())
	if err != nil {
		t.Fatal(err)
	}
	m.Init(rng.New(1, rng.LabelInit))
	text, _ := r.Cfg.YAML()
	path := filepath.Join(r.Dir, train.ModelFile)
	if err := gpt.SaveFile(path, m, map[string]string{"step": strconv.Itoa(r.Cfg.Train.Steps), "train_config": string(text)}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	sum := sha256.Sum256(b)
	done := fmt.Sprintf(`{"step":%d,"model_sha256":"%x"}`, r.Cfg.Train.Steps, sum)
	if err := os.WriteFile(filepath.Join(r.Dir, train.DoneFile), []byte(done), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := train.CheckDone(r.Dir); err != nil {
		t.Fatal(err)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
