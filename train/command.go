package train

import "syscall"

// Flag names of `icl train` that other programs write (Command.Args); the
// CLI's train command declares its flags with them.
const (
	FlagConfig     = "config"
	FlagOut        = "out"
	FlagResume     = "resume"
	FlagStopAtZero = "stop-at-zero"
)

// Command is an `icl train` invocation that another program writes down, a
// Slurm batch script say: Args are its arguments after the program name.
type Command struct {
	Config     string // -config FILE: train the config in FILE...
	Out        string // -out DIR: ...into the new run directory DIR
	Resume     string // -resume DIR: continue the run in DIR
	StopAtZero bool   // -stop-at-zero: stop a run stuck at the zero predictor (Options.StopAtZero)
}

// Args returns c's arguments: "train", then its flags.
func (c Command) Args() []string {
	a := []string{"train"}
	if c.StopAtZero {
		a = append(a, "-"+FlagStopAtZero)
	}
	for _, f := range []struct{ name, value string }{{FlagResume, c.Resume}, {FlagConfig, c.Config}, {FlagOut, c.Out}} {
		if f.value != "" {
			a = append(a, "-"+f.name, f.value)
		}
	}
	return a
}

// StoppedStatus is the exit status of an icl command that sig stopped after
// it saved its work (training's checkpoint): 128 + the signal's number, as a
// shell reports a process the signal ended.
func StoppedStatus(sig syscall.Signal) int { return 128 + int(sig) }
