package slurm

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Config holds the options of the Slurm job array that trains a
// reproduction's runs (see Reproduce). It is the "slurm" section of a
// YAML file (LoadConfig) or set from flags.
type Config struct {
	Partition string `yaml:"partition,omitempty"` // --partition; empty: the cluster's default
	Account   string `yaml:"account,omitempty"`   // --account; empty: the user's default
	// Time is each task's time limit (--time) in one of Slurm's formats:
	// MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS,
	// DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS. A run longer than
	// that checkpoints at the warning signal and continues in the requeued
	// task. Empty: the partition's default.
	Time string `yaml:"time,omitempty"`
	// CPUsPerTask is --cpus-per-task, the cores of one run (its GOMAXPROCS).
	// 0 means the default, 2.
	CPUsPerTask int `yaml:"cpus_per_task,omitempty"`
	// Mem is --mem, the memory of one task, e.g. 4G; empty: the partition's default.
	Mem string `yaml:"mem,omitempty"`
	// SignalS is how many seconds before the time limit Slurm sends SIGTERM
	// (--signal=TERM@SignalS), on which a run saves a checkpoint and requeues
	// itself. 0 means the default, 300.
	SignalS int `yaml:"signal_s,omitempty"`
	// Extra holds further sbatch options, one per #SBATCH line, e.g. "--qos=long".
	Extra []string `yaml:"extra,omitempty"`
	// ICL is the path of the icl binary on the compute nodes; empty means the
	// running executable (which must then be on the shared filesystem).
	ICL string `yaml:"icl,omitempty"`
}

// Defaults of Config.
const (
	DefaultCPUs    = 2
	DefaultSignalS = 300
)

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.CPUsPerTask == 0 {
		c.CPUsPerTask = DefaultCPUs
	}
	if c.SignalS == 0 {
		c.SignalS = DefaultSignalS
	}
}

var (
	slurmTimeRE = regexp.MustCompile(`^(\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d{1,2}|\d+-\d{1,2}:\d{1,2}|\d+-\d{1,2}:\d{1,2}:\d{1,2}|infinite|UNLIMITED)$`)
	slurmMemRE  = regexp.MustCompile(`^\d+[KMGT]?$`)
	slurmNameRE = regexp.MustCompile(`^[A-Za-z0-9_.,-]+$`)
)

// Validate checks the config after Defaults.
func (c *Config) Validate() error {
	flags := map[string]string{"partition": "partition", "account": "account", "time": "time", "cpus_per_task": "cpus",
		"mem": "mem", "signal_s": "signal-s", "extra": "sbatch", "icl": "icl"}
	bad := func(field, format string, a ...any) error {
		return fmt.Errorf("slurm.%s (flag -%s): %s", field, flags[field], fmt.Sprintf(format, a...))
	}
	if c.Partition != "" && !slurmNameRE.MatchString(c.Partition) {
		return bad("partition", "%q: letters, digits and _ . , - only", c.Partition)
	}
	if c.Account != "" && !slurmNameRE.MatchString(c.Account) {
		return bad("account", "%q: letters, digits and _ . , - only", c.Account)
	}
	if c.Time != "" && !slurmTimeRE.MatchString(c.Time) {
		return bad("time", "%q: allowed: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, DAYS-HOURS, DAYS-HOURS:MINUTES, DAYS-HOURS:MINUTES:SECONDS", c.Time)
	}
	if c.CPUsPerTask < 1 {
		return bad("cpus_per_task", "%d: must be 1 or more", c.CPUsPerTask)
	}
	if c.Mem != "" && !slurmMemRE.MatchString(c.Mem) {
		return bad("mem", "%q: a number with an optional unit K, M, G or T, e.g. 4G", c.Mem)
	}
	if c.SignalS < 1 || c.SignalS > 65535 {
		return bad("signal_s", "%d: seconds between 1 and 65535", c.SignalS)
	}
	for _, x := range c.Extra {
		if !strings.HasPrefix(x, "-") || strings.ContainsAny(x, "\n\r") {
			return bad("extra", "%q: one sbatch option per entry, starting with -, e.g. --qos=long", x)
		}
	}
	if strings.ContainsAny(c.ICL, "\n\r") {
		return bad("icl", "%q: a path on one line", c.ICL)
	}
	return nil
}

// LoadConfig reads the "slurm" section of a YAML file.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Slurm *Config `yaml:"slurm"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w (fields of slurm: partition, account, time, cpus_per_task, mem, signal_s, extra, icl)", path, err)
	}
	if f.Slurm == nil {
		return nil, fmt.Errorf("%s: no slurm section", path)
	}
	return f.Slurm, nil
}
