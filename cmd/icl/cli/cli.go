package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"icl/train"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
)

// command is one subcommand: its flags are declared in setup, and run executes
// it with the parsed flag set's remaining arguments.
type command struct {
	name  string
	short string // one line for `icl help`
	usage string // argument synopsis
	long  string // what `icl CMD -h` prints after the synopsis
	// expand, when set, fills long in when it is printed (lists made from
	// what is registered by then).
	expand func(long string) string
	setup  func(fs *flag.FlagSet) func(ctx context.Context, env *env) error
}

// env is what a subcommand writes to.
type env struct {
	stdout, stderr io.Writer
	args           []string // positional arguments left after flags; Main refuses any, so none
}

// errUsage marks an error caused by bad command-line usage; Main prints the
// subcommand's usage after it.
var errUsage = errors.New("usage")

// usageError is a usage error's message; it matches errUsage.
type usageError struct{ msg string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) Is(target error) bool { return target == errUsage }

// usageErrorf returns an error that matches errUsage, with a message.
func usageErrorf(format string, a ...any) error {
	return &usageError{fmt.Sprintf(format, a...)}
}

// commands is icl's command table, in the order of `icl help`: the main job
// first, then the steps it is made of. Each command's flags, help and run
// function live in its own file.
var commands = []*command{reproduceCommand, trainCommand, evalCommand, sampleCommand, baselinesCommand, predictCommand, probeCommand, benchCommand}

// commandNames lists the commands in table order.
func commandNames() []string {
	var names []string
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Main runs icl with args (without the program name) and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		if len(args) >= 2 {
			c := lookup(args[1])
			if c == nil {
				fmt.Fprintf(stderr, "icl help: unknown command %q; commands: %s\n", args[1], strings.Join(commandNames(), ", "))
				return 2
			}
			fs := newFlagSet(c, stdout)
			c.setup(fs)
			printUsage(fs, c)
			return 0
		}
		printHelp(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c := lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "icl: unknown command %q; run 'icl help' for the list\n", args[0])
		return 2
	}
	fs := newFlagSet(c, stderr)
	run := c.setup(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			printUsage(fs, c)
			return 0
		}
		// The flag package printed the error; one usage line follows it.
		fmt.Fprintf(stderr, "usage: icl %s %s\n(run 'icl %s -h' for help)\n", c.name, c.usage, c.name)
		return 2
	}
	ctx, caught, stop := notifySignals()
	defer stop()
	var err error
	if rest := fs.Args(); len(rest) > 0 {
		// No command takes positional arguments: every input is a flag's
		// value, and a word left over is a mistake (a flag's second value,
		// or flags after a word, which the flag package stops at).
		err = usageErrorf("unexpected arguments %q (every input is a flag's value)", rest)
	} else {
		err = run(ctx, &env{stdout: stdout, stderr: stderr, args: rest})
	}
	if err != nil {
		fmt.Fprintf(stderr, "icl %s: %v\n", c.name, err)
		if sig := caught(); sig != 0 {
			// Stopped by a signal (after its checkpoint).
			return train.StoppedStatus(sig)
		}
		if errors.Is(err, errUsage) {
			fmt.Fprintf(stderr, "usage: icl %s %s\n(run 'icl %s -h' for help)\n", c.name, c.usage, c.name)
			return 2
		}
		return 1
	}
	return 0
}

// notifySignals returns a context cancelled at the first SIGINT or SIGTERM,
// a function reporting which of them arrived first (0 if none), and stop,
// which stops catching them.
func notifySignals() (context.Context, func() syscall.Signal, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	var mu sync.Mutex
	var first syscall.Signal
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				mu.Lock()
				if first == 0 {
					first, _ = s.(syscall.Signal)
				}
				mu.Unlock()
				cancel()
			case <-done:
				return
			}
		}
	}()
	caught := func() syscall.Signal {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
	stop := func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
	return ctx, caught, stop
}

// newFlagSet returns c's flag set writing to w. Its Usage prints nothing:
// after a parse error Main prints one usage line, so that the error is not
// buried under the full help (printUsage, for -h).
func newFlagSet(c *command, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("icl "+c.name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {}
	return fs
}

// printUsage prints c's full help: usage line, description and flags.
func printUsage(fs *flag.FlagSet, c *command) {
	w := fs.Output()
	long := c.long
	if c.expand != nil {
		long = c.expand(long)
	}
	fmt.Fprintf(w, "usage: icl %s %s\n\n%s\n", c.name, c.usage, strings.TrimSpace(long))
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		fmt.Fprintf(w, "\nFlags:\n")
		fs.PrintDefaults()
	}
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `icl studies in-context learning of function classes by small transformers.

Usage:

	icl <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.short)
	}
	fmt.Fprint(w, `
Run 'icl help <command>' or 'icl <command> -h' for a command's flags.
Start with 'icl reproduce': it evaluates the models that ship with icl at the
default preset and writes out/PRESET/report.html ('icl reproduce -preset quick'
trains every run from scratch, in minutes).
`)
}
