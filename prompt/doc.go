// Package prompt draws batches of in-context prompts (x_1, y_1, ..., x_N, y_N)
// from a task.Class, under an input distribution and optional out-of-distribution
// transforms.
package prompt
