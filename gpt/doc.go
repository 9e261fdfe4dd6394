// Package gpt is the GPT-2 in-context-learning model of Garg et al. with hand-written
// forward and backward passes in the style of llm.c's train_gpt2.c.
//
// A prompt of N points (x_i, y_i), x_i in R^d, becomes T = 2N tokens
// z_{2i} = x_i and z_{2i+1} = (y_i, 0, ..., 0); a model with a family indicator
// (Config.Families = F > 0) appends the prompt's F indicator features to every
// token (Input.Ind). The network is a read-in
// Linear(d+F -> C) plus learned position embeddings, L pre-LayerNorm transformer
// blocks (causal multi-head attention, GELU MLP), a final LayerNorm and a read-out
// Linear(C -> 1). The read-out at x-token 2i predicts y_i; the training loss is the
// mean squared error over all positions of all prompts.
//
// Parameters live in one flat float32 buffer (Model.Params) laid out tensor after
// tensor in the order and PyTorch nn.Linear (out, in) layout that Model.Tensors
// lists, so exported tensors are zero-copy views. Gradients live in a second buffer
// of the same layout. Activations live in one flat buffer allocated for the largest
// (B, T) seen so far. Every layer is a forward/backward pair of plain functions over
// flat slices; backward functions add into their gradient outputs. All matrix
// products go through kernels.Gemm. GELU, the softmax exponentials, LayerNorm and
// column sums have AVX2+FMA kernels in Go assembly (amd64, chosen at run time) with
// portable Go code beside them (also used with the purego build tag).
//
// Work is split over goroutines in a way that never changes the order of any
// floating-point sum, so results are identical bit for bit for any GOMAXPROCS.
package gpt
