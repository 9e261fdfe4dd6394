// Command icl samples function-class prompts, trains GPT-2-style transformers on
// them, evaluates their in-context learning against classical and Bayes-optimal
// baselines, and reproduces the experiments of Yadlowsky, Doshi and Tripuraneni
// (2023). Run `icl help` for the list of subcommands.
package main

import (
	"os"

	"icl/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
