// Package task holds the function classes that prompts are drawn from.
//
// A Class is a distribution over functions f: R^d -> R. Sample draws one function
// with randomness from the caller's stream; Scale is the number that errors on
// this class are divided by (the variance of f(x) for x ~ N(0, I_d)), so that the
// zero predictor scores about 1 on every class.
//
// Concrete classes are plain structs with exported parameters so that baselines
// (package baseline) can read the prior they need: a Bayes-optimal predictor for
// SparseLinear reads K and Std, one for a Mixture reads its Components and Weights.
package task
