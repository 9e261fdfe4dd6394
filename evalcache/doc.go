// Package evalcache keeps evaluation results between invocations, keyed by
// the SHA-256 of everything a result is a function of, so that a second
// reproduction with nothing changed reads them instead of evaluating again.
package evalcache
