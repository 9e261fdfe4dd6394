// Package baseline holds the reference predictors that transformers are compared
// with (docs/design.md section 4). Every predictor reads one prompt of n points in
// dimension d and predicts y at position i from the first i points only; the
// prediction at i = 0 is 0.
//
// Conventions, chosen so that results can be checked against numpy/scikit-learn:
//
//   - Least squares is the minimum-norm solution pinv(X) y, computed from a thin
//     SVD with singular values below rcond*s_max treated as zero, rcond =
//     eps*max(i, d) (numpy.linalg.lstsq's default).
//   - Ridge minimizes |y - Xw|^2 + lambda |w|^2 (no intercept, no 1/n). It is solved
//     from the QR factor R of the augmented matrix [X; sqrt(lambda) I], updated
//     by Givens rotations one point at a time (O(d^2) per position), so errors
//     are O(eps cond), not O(eps cond^2) as with a Cholesky of X^T X + lambda I.
//     The Gaussian Bayes predictors (dense, and each support of sparse) use the
//     same factor: predictive variance tau^2 lambda (1 + |R^{-T} x|^2).
//   - Lasso minimizes (1/(2i)) |y - Xw|^2 + alpha |w|_1 (scikit-learn's objective,
//     no intercept) by cyclic coordinate descent, warm-started from position i-1's
//     solution, with an exact active-set step every 3 sweeps (solve the KKT
//     system on the current support and signs, or move along a null direction
//     when the support has more columns than rank). It stops when scikit-learn's
//     duality gap of 0.5|y - Xw|^2 + i alpha |w|_1 is at most LassoTol * y.y
//     (1e-12; scikit-learn's default tol is 1e-4) and every KKT condition holds
//     to LassoKKTTol = 1e-9 relative to i alpha, or after LassoMaxSweeps sweeps.
//   - Least squares uses QR factorizations updated point by point (of X^T by
//     Gram-Schmidt with reorthogonalization when i < d, of X by Givens rotations
//     when i >= d) when LAPACK's estimate of 1/cond(R) is at least 1e-10, and
//     the SVD with numpy's cutoff otherwise.
//   - RunSuite runs a whole suite with shared work (each lasso path once for
//     the lassos and the best in hindsight; a mixture's components reused by
//     the same Bayes predictors standing alone), bit for bit as Run would.
//   - Bayes predictors are posterior means under the class's prior. Linear classes
//     have w ~ N(0, tau^2 I) on a support; label noise sigma^2 is task.NoiseStd,
//     and a noiseless class gets a jitter sigma^2 = Jitter * tau^2 (DefaultJitter =
//     1e-10) so that its marginal likelihood is a density. Posterior means and log
//     evidences use the chain rule log p(y_<i) = sum_j log N(y_j; mean_j, var_j)
//     over the posterior predictive at each position, which needs no cancellation
//     of large quadratic forms.
//   - The sparse Bayes predictor sums exactly over all C(d, k) supports with a
//     uniform prior; the mixture Bayes predictor weighs each component's posterior
//     mean by p(class | first i points), which is also an output (PredictPosterior).
//   - The Monte Carlo Bayes predictor draws M functions from the class prior with
//     the stream rng.New(Seed, rng.LabelMC, promptIndex) and weighs them by a
//     Gaussian likelihood with sigma = task.NoiseStd, or MCNoiseFrac*sqrt(Scale)
//     for a noiseless class (a tempered posterior, documented as such).
//
// Select is where every list of baselines is chosen: the suite for a class
// (prior-free when the class is not known), filtered by name prefixes, with
// Options.Components adding a mixture's per-component Bayes predictors.
//
// Predictors are safe for concurrent use; Run predicts a whole prompt.Batch in
// parallel with results that do not depend on the number of workers.
package baseline
