// Package prompt draws batches of in-context prompts (x_1, y_1, ..., x_N, y_N)
// from a task.Class, under an input distribution and optional out-of-distribution
// transforms.
//
// A Setting (YAML-decodable with config.Decode, checked by Validate) picks
// the input distribution (gaussian, skewed covariance, half subspace), input and
// label scaling, extra label noise and a query setting (normal, orthant,
// orthogonal, repeat). A Sampler adds the class, the curriculum's active
// dimensions and the goroutine count, and fills a Batch.
//
// Reproducibility: prompt p of a batch is drawn only from
// rng.New(seed, labels..., p), so a batch is the same bits for any number of
// goroutines and any batch size it is a prefix of.
//
// Query settings (Garg et al. 2022, section 5): in in-context learning every
// position i is a query for the points before it. For the orthant, orthogonal
// and repeat settings the context (Xs, Ys) is kept and each position i gets its
// own query (QXs[i], QYs[i]), to be predicted from context points 0..i-1:
// orthant folds every context point into one random orthant per prompt and
// queries with the unfolded point; orthogonal queries with x_i's component
// orthogonal to x_0..x_{i-1}, rescaled to |x_i| (defined while i is below the
// rank of the inputs, NaN after; see Batch.QueryLen); repeat queries with x_j,
// j uniform in 0..i-1 (x_0 at i = 0), with a fresh label-noise draw.
// Batch.QueryPrompt assembles the i+1 points that score position i; a causal
// model needs one pass per position.
//
// Sweeps over frequency bands, sparsity k or the convex weight alpha are not
// settings here: build the class with those parameters (task.Spec).
package prompt
