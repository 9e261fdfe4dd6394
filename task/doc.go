// Package task holds the function classes that prompts are drawn from.
//
// A Class is a distribution over functions f: R^d -> R. Sample draws one function
// with randomness from the caller's stream; Scale is the number that errors on
// this class are divided by (E f(x)^2 for f ~ class, x ~ N(0, I_d), which is
// also the variance of f(x) since E_f f(x) = 0), so that the zero predictor
// scores about 1 on every class. Each class's comment derives its Scale, and
// the tests check it by Monte Carlo.
//
// Spec is the YAML form of a class (Spec.Build makes it, Spec.Validate names
// the offending field and the allowed values); config.Decode decodes it from YAML
// and refuses unknown fields.
//
// Concrete classes are plain structs with exported parameters so that baselines
// (package baseline) can read the prior they need: a Bayes-optimal predictor for
// SparseLinear reads K and Std, one for a Mixture reads its Components and Weights.
package task
