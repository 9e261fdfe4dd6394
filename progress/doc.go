// Package progress shows a reproduction's training on the terminal: a live
// block redrawn in place on a terminal, plain lines in a log, with each
// run's ETA and the total's from measured step times. Its Display is the
// runplan.Observer of local training.
package progress
