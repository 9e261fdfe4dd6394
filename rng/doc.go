// Package rng derives reproducible random streams from a seed and a list of labels.
//
// Every random draw in icl comes from a *rand.Rand made by New. A stream is a pure
// function of (seed, labels...), so prompt i of batch s is the same bits whatever the
// number of goroutines and wherever a run resumed: callers label streams with the
// coordinates of the work (step, prompt index, purpose), never with thread ids.
// The Label constants name purposes and the Stream constants the bootstrap streams
// outside a numbered series; a named setting becomes a seed, or a label, by Name.
package rng
