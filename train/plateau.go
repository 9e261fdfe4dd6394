package train

// A model that has not learned in context predicts about 0 for every query, and
// its normalized evaluation loss (squared error over the class's scale) is about
// 1. Small models can stay there for good: runs with five evaluations in a row
// at 0.9 or above at the curriculum's last stage have not been seen to fall
// below 0.9 afterwards, while no run that learned has had such a streak
// (docs/scale.md). plateau watches the evaluations so that the
// trainer can say so while the run goes on, instead of the user finding out
// hours later.

const (
	// plateauLoss is the normalized evaluation loss at or above which a model
	// counts as predicting like the zero predictor (which scores 1).
	plateauLoss = 0.9
	// plateauEvals is how many evaluations in a row must be at or above
	// plateauLoss, all at the curriculum's last stage, before the warning.
	plateauEvals = 5
)

// AtZeroPredictor reports whether a normalized evaluation loss is at the zero
// predictor's: a model with that loss at the end of its run has not learned in
// context.
func AtZeroPredictor(normLoss float64) bool { return normLoss >= plateauLoss }

// plateau counts consecutive evaluations at the zero predictor's loss. Only
// evaluations at the curriculum's last stage count: before it the prompts use
// fewer dimensions than the class's scale assumes, so even predicting 0 scores
// below 1 there.
type plateau struct {
	last   Stage // the curriculum's last stage
	from   int   // step of the first evaluation of the current streak
	n      int   // evaluations in the current streak
	warned bool
}

func newPlateau(c Curriculum, steps int) *plateau {
	return &plateau{last: c.At(steps - 1)}
}

// observe records the evaluation at step k (curriculum stage st, normalized loss
// norm). It returns the step the streak started at and true the first time a
// streak reaches plateauEvals evaluations; once warned, it stays silent.
func (p *plateau) observe(k int, st Stage, norm float64) (from int, warn bool) {
	if st != p.last || !(norm >= plateauLoss) {
		p.n = 0
		return 0, false
	}
	if p.n == 0 {
		p.from = k
	}
	p.n++
	if p.n < plateauEvals || p.warned {
		return 0, false
	}
	p.warned = true
	return p.from, true
}

// stuck reports whether the evaluations observed last form a streak of at
// least plateauEvals, and the step it began at.
func (p *plateau) stuck() (from int, ok bool) { return p.from, p.n >= plateauEvals }
