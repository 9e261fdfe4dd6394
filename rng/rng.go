package rng

import "math/rand/v2"

// Label constants name the purpose of a stream, so that two uses of the same
// (seed, step, index) coordinates never share bits.
const (
	LabelTrain uint64 = 0x7472_6169_6e00_0001 // training batches
	LabelEval  uint64 = 0x6576_616c_0000_0002 // evaluation prompts
	LabelInit  uint64 = 0x696e_6974_0000_0003 // parameter initialisation
	LabelMC    uint64 = 0x6d63_0000_0000_0004 // Monte Carlo baselines
	LabelPool  uint64 = 0x706f_6f6c_0000_0005 // finite pretraining pools
)

// Stream constants are the last label of a bootstrap stream, after
// LabelEval, where the stream is not one of a numbered series. Under
// (eval.Options.BootSeed, LabelEval) the labels below 1<<32 are the
// predictor indices j of eval.Score's bootstrap streams; the model-selection
// streams sit above them. The values are fixed: changing one changes
// recorded intervals.
const (
	// StreamSelectionWeight is eval.ModelSelection's bootstrap of the
	// model's implied weight on component 0.
	StreamSelectionWeight uint64 = 1 << 32
	// StreamSelectionPosterior is the bootstrap of eval.ModelSelection's
	// mean posterior of component 0 (each mixture's, resampled alike).
	StreamSelectionPosterior uint64 = 1<<32 + 1
	// StreamSweepWeight is the bootstrap of a sweep's implied weight at one
	// setting, under that setting's prompt seed (experiment E3). It is the
	// label prompt 7 of the setting is drawn with as well, so the two share
	// bits; the value is kept for the recorded results.
	StreamSweepWeight uint64 = 7
	// StreamPaired is the bootstrap of a paired difference between two
	// predictors' errors on shared prompts, under a seed named (Name) for
	// that comparison alone.
	StreamPaired uint64 = 0
)

// Name returns the FNV-1a 64-bit hash of s, exactly what hash/fnv's New64a
// gives: how a named setting or comparison becomes a seed, so that seeds are
// written as names, not numbers.
func Name(s string) uint64 {
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= prime64
	}
	return h
}

// mix is SplitMix64's finaliser: a bijection on uint64 with good avalanche.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Key hashes a seed and labels to a 64-bit stream key. It is order-sensitive:
// Key(s, 1, 2) != Key(s, 2, 1).
func Key(seed uint64, labels ...uint64) uint64 {
	h := mix(seed)
	for i, l := range labels {
		h = mix(h ^ mix(l+uint64(i+1)*0x632be59bd9b4e019))
	}
	return h
}

// New returns a PCG-backed generator whose bits depend only on seed and labels.
func New(seed uint64, labels ...uint64) *rand.Rand {
	k := Key(seed, labels...)
	return rand.New(rand.NewPCG(k, mix(k^0xda942042e4dd58b5)))
}
