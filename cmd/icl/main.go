// Command icl samples function-class prompts, trains GPT-2-style transformers on
// them, evaluates their in-context learning against classical and Bayes-optimal
// baselines, and reproduces the experiments of Yadlowsky, Doshi and Tripuraneni
// (2023). Run `icl help` for the list of subcommands.
//
// With the environment variable ICL_CPUPROFILE=FILE, icl writes a CPU profile
// of the whole command to FILE (go tool pprof reads it), and with
// ICL_MEMPROFILE=FILE a heap profile at its end.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"icl/cmd/icl/cli"
)

func main() {
	if path := os.Getenv("ICL_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "icl: ICL_CPUPROFILE: %v\n", err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(os.Stderr, "icl: ICL_CPUPROFILE: %v\n", err)
			os.Exit(2)
		}
		code := cli.Main(os.Args[1:], os.Stdout, os.Stderr)
		pprof.StopCPUProfile()
		f.Close()
		writeHeap()
		os.Exit(code)
	}
	code := cli.Main(os.Args[1:], os.Stdout, os.Stderr)
	writeHeap()
	os.Exit(code)
}

// writeHeap writes the heap profile ICL_MEMPROFILE asks for.
func writeHeap() {
	path := os.Getenv("ICL_MEMPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "icl: ICL_MEMPROFILE: %v\n", err)
		return
	}
	defer f.Close()
	runtime.GC()
	pprof.WriteHeapProfile(f)
}
