// Package optim holds the optimizer and learning-rate schedules used to train the
// models of package gpt: AdamW over flat float32 buffers (PyTorch semantics),
// gradient-norm clipping, and constant and warmup+cosine schedules.
//
// Every function here gives the same bits for any GOMAXPROCS: updates are
// elementwise, and the one reduction (the gradient norm) sums fixed chunks in a
// fixed order.
package optim
