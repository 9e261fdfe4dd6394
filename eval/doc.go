// Package eval measures in-context learning: it runs a trained transformer and
// baseline predictors on the same prompts and summarizes their errors
// (docs/design.md section 5).
//
// An ICL curve is, for each prompt position i, the mean over prompts of the
// squared error of the prediction of y_i from points 0..i-1, divided by the
// scale of the prompt's class (so the zero predictor scores about 1), with a
// percentile bootstrap interval over prompts. Evaluate draws the prompts of a
// Setting (a class, an input/query setting, a number of prompts and a seed) and
// returns one Curve per predictor; Results collects settings and writes them
// as JSON and CSV.
//
// Beyond curves the package computes: sweeps (the error at a few positions
// against a parameter such as sparsity, a combination weight or a frequency);
// the transformer's implied model-selection weight, the least-squares weight w
// in pred ≈ w p_1 + (1 - w) p_2 where p_c is the Bayes predictor of class c,
// next to the Bayes class posterior p(class 1 | context); and fitted functions
// for d = 1 (predictions on a grid of queries after a fixed context).
//
// All randomness comes from seeds and *rand.Rand arguments; results do not
// depend on the number of goroutines.
package eval
