// Package runeval evaluates one training run, what `icl eval` does: its
// model and the baselines on its pretraining distribution, each mixture
// component and Garg et al.'s out-of-distribution settings, with results
// and figures. It also names the baselines' curves (BaselineCurve), which
// the experiments' analyses share.
package runeval
