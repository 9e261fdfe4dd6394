package cli

import (
	"context"
	"flag"
	"fmt"
	"icl/reproduce"
	"icl/slurm"
	"strings"
	"time"
)

// slurmHelp is the part of 'icl reproduce -h' on -slurm.
const slurmHelp = `
On a Slurm cluster, -slurm hands the training to one job array instead: it
writes each run's resolved config under DIR/slurm/configs and submits a task
per run that is neither done, shipped (used as without -slurm; -retrain
submits it too) nor queued, which runs 'icl train' (or
'icl train -resume' when the run directory holds a run) with GOMAXPROCS set
to the task's cores, its output going to slurm.out and slurm.err in the run
directory. A task gets SIGTERM -signal-s seconds before its time limit (also
from 'scancel --signal=TERM'), saves a checkpoint and requeues itself; the
requeued task resumes with the same bits. Without -detach the command waits,
showing each run's state, step and ETA from its metrics, and evaluates when
every run is done. The same command run again later shows the progress,
resubmits runs whose task ended without finishing them, and once all are done
evaluates here and writes the report. DIR and the icl binary must be on a
filesystem shared with the nodes. Options come from flags or the slurm
section of -slurm-config FILE (flags win):

	slurm:
	  partition: gpu
	  account: myproject
	  time: 2-00:00:00
	  cpus_per_task: 8
	  mem: 8G
	  signal_s: 300
	  extra: ["--qos=long"]
	  icl: /shared/bin/icl

	icl reproduce -preset paper -slurm -partition cpu -time 2-00:00:00 -cpus 8 -print
	icl reproduce -preset paper -slurm -slurm-config slurm.yaml -detach
	icl reproduce -preset paper -slurm -slurm-config slurm.yaml    # later: progress, report
`

// slurmFlags are reproduce's flags for -slurm.
type slurmFlags struct {
	on                                 *bool
	config                             *string
	partition, account, time, mem, icl *string
	cpus, signalS                      *int
	extra                              []string
	print, detach                      *bool
	poll                               *time.Duration
	set                                map[string]bool
}

func addSlurmFlags(fs *flag.FlagSet) *slurmFlags {
	s := &slurmFlags{
		on:        fs.Bool("slurm", false, "train the runs as a Slurm job array (see above)"),
		config:    fs.String("slurm-config", "", "YAML `file` with a slurm section of sbatch options"),
		partition: fs.String("partition", "", "with -slurm: sbatch --partition"),
		account:   fs.String("account", "", "with -slurm: sbatch --account"),
		time:      fs.String("time", "", "with -slurm: each task's time limit (sbatch --time), e.g. 2-00:00:00"),
		mem:       fs.String("mem", "", "with -slurm: each task's memory (sbatch --mem), e.g. 8G"),
		icl:       fs.String("icl", "", "with -slurm: `path` of the icl binary on the nodes (default: this one)"),
		cpus:      fs.Int("cpus", 0, fmt.Sprintf("with -slurm: cores per run (sbatch --cpus-per-task; default %d)", slurm.DefaultCPUs)),
		signalS: fs.Int("signal-s", 0, fmt.Sprintf("with -slurm: SIGTERM this many `seconds` before the time limit, to checkpoint (default %d)",
			slurm.DefaultSignalS)),
		print:  fs.Bool("print", false, "with -slurm: print the batch script, submit nothing"),
		detach: fs.Bool("detach", false, "with -slurm: return once submitted; run the same command again for progress and the report"),
		poll:   fs.Duration("poll", 30*time.Second, "with -slurm: how often the wait looks at the queue and the runs"),
	}
	fs.Func("sbatch", "with -slurm: one more sbatch `option`, e.g. --qos=long (repeatable)", func(v string) error {
		s.extra = append(s.extra, v)
		return nil
	})
	return s
}

// check reports flags for -slurm given without it, and values of its flags that
// are out of range, and records which flags were set. A numeric flag given as 0
// is refused rather than read as unset (which would give it its default).
func (s *slurmFlags) check(fs *flag.FlagSet) error {
	s.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { s.set[f.Name] = true })
	if *s.on {
		if s.set["jobs"] {
			return usageErrorf("-jobs: with -slurm each run is a task of its own, with -cpus cores")
		}
		for _, n := range []string{"verify", "pack"} {
			if s.set[n] {
				return usageErrorf("-%s works on this machine only; leave out -slurm", n)
			}
		}
		// Worded as slurm.Config.Validate words the same fields.
		if s.set["cpus"] && *s.cpus < 1 {
			return fmt.Errorf("slurm.cpus_per_task (flag -cpus): %d: must be 1 or more", *s.cpus)
		}
		if s.set["signal-s"] && (*s.signalS < 1 || *s.signalS > 65535) {
			return fmt.Errorf("slurm.signal_s (flag -signal-s): %d: seconds between 1 and 65535", *s.signalS)
		}
		if *s.poll <= 0 {
			return usageErrorf("-poll %s: must be positive", *s.poll)
		}
		return nil
	}
	for _, n := range []string{"slurm-config", "partition", "account", "time", "mem", "icl", "cpus", "signal-s", "print", "detach", "poll", "sbatch"} {
		if s.set[n] {
			return usageErrorf("-%s is an option of -slurm; add -slurm, or leave it out to train here", n)
		}
	}
	return nil
}

// run is reproduce -slurm.
func (s *slurmFlags) run(ctx context.Context, e *env, opts reproduce.Options) error {
	var c slurm.Config
	if *s.config != "" {
		fc, err := slurm.LoadConfig(*s.config)
		if err != nil {
			return err
		}
		c = *fc
	}
	for _, f := range []struct {
		name     string
		dst, src *string
	}{{"partition", &c.Partition, s.partition}, {"account", &c.Account, s.account}, {"time", &c.Time, s.time},
		{"mem", &c.Mem, s.mem}, {"icl", &c.ICL, s.icl}} {
		if s.set[f.name] {
			*f.dst = *f.src
		}
	}
	if s.set["cpus"] {
		c.CPUsPerTask = *s.cpus
	}
	if s.set["signal-s"] {
		c.SignalS = *s.signalS
	}
	c.Extra = append(c.Extra, s.extra...)
	so := slurm.Options{Config: c, Detach: *s.detach, Poll: *s.poll}
	if *s.print {
		so.Print = e.stdout
	}
	res, err := slurm.Reproduce(ctx, opts, so)
	if err != nil {
		if res != nil && res.Evaluated {
			return fmt.Errorf("%w\n(what finished is kept; run the same command again to continue)", err)
		}
		return err
	}
	switch {
	case *s.print:
	case res.Evaluated:
		fmt.Fprintf(e.stdout, "reproduced the %s preset on Slurm: open %s/%s\n", opts.Preset, opts.OutDir, reproduce.ReportFile)
	case res.Submitted != "":
		fmt.Fprintf(e.stdout, "submitted job array %s (%d runs); %d runs queued or running: run the same command again to follow them\n",
			res.Submitted, res.Tasks, res.Waiting)
	default:
		fmt.Fprintf(e.stdout, "%d runs queued or running: run the same command again to follow them\n", res.Waiting)
	}
	return nil
}

// slurmUsage adds the -slurm flags to reproduce's synopsis.
func slurmUsage(u string) string {
	return strings.TrimSpace(u) + "\n       icl reproduce -slurm [-slurm-config FILE] [-partition P] [-time T] [-cpus N] [-print | -detach] [reproduce flags]"
}
