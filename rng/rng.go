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
