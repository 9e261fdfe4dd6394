// Package slurm trains a reproduction's runs as a Slurm job array (one task
// per run, requeued at its time limit after a checkpoint) and, once every
// run is done, evaluates and reports like a local reproduction
// (reproduce.Reproduce). Its batch script calls `icl train` as
// train.Command writes it.
package slurm
