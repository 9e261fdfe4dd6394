// Package runplan owns the pretraining runs of a reproduction: which runs
// the selected experiments need at a scale (Plan), their state on disk, the
// budget branches that start from a trunk's checkpoint, the time each is
// predicted to take (TimeSteps), and training them on this machine's cores
// (Train), the longest first, reporting to an Observer.
package runplan
