// Package probe fits linear probes: a binary label or a real target regressed
// on features, such as a transformer's residual stream at one layer and one
// position, with the regularisation chosen by cross-validation and the probe
// scored on held-out rows. It is the machinery of E8 ("where does the model
// decide the class?").
//
// Data are Sets of N rows of P features (X, flat and row-major, (N, P)) with
// one target each (Y, (N)).
//
// # Models
//
// Both probes are linear in standardised features: each feature is centred and
// divided by its standard deviation on the fitting set (population form, 1/n;
// a constant feature is divided by 1), so that one lambda grid serves features
// of any scale. With z the standardised row, the linear predictor is
// eta = b + w.z, and the intercept b is not penalised.
//
//   - Logistic regression (FitLogistic) of a label y in {0, 1} minimizes
//     (1/n) sum_i [log(1 + exp(eta_i)) - y_i eta_i] + (lambda/2) |w|^2,
//     by Newton's method (iteratively reweighted least squares) with a
//     backtracking line search, from zero or a warm start. It stops when the
//     largest entry of the gradient is at most Options.Tol and reports a
//     *NotConvergedError after Options.MaxIter steps, or at lambda = 0 as
//     soon as a step separates the classes (then there is no minimum).
//     P(y = 1 | x) =
//     1/(1 + exp(-eta)); the predicted class is 1 where eta > 0.
//   - Ridge regression (FitRidge) of a real y minimizes
//     (1/(2n)) sum_i (y_i - eta_i)^2 + (lambda/2) |w|^2, solved from its normal
//     equations by a Cholesky factorization.
//
// Dividing the losses by n makes lambda mean the same thing at any n.
// Model.Coef gives the coefficients in the features' own units.
//
// # Cross-validation and scores
//
// Logistic and Linear choose lambda from a grid (Options.Lambdas) by k-fold
// cross-validation on the fitting set: the lambda with the least mean held-out
// loss (log loss for Logistic, squared error for Linear; the larger lambda on
// a tie), each fold's model standardised by its own training rows. They then
// refit on the whole fitting set at that lambda and score the model on the
// held-out set: accuracy for Logistic, and for Linear
//
//	R^2 = 1 - SSE/SST, SSE = sum_i (y_i - pred_i)^2, SST = sum_i (y_i - mean(y))^2,
//
// with both sums over the held-out rows and mean(y) the held-out mean (so a
// probe that predicts the fitting set's mean scores a little below 0).
//
// Folds are deterministic: rows are dealt to folds 0, 1, ..., k-1 in turn, in
// index order, or in the order of a shuffle by Options.Rand when it is set
// (randomness is passed in). Logistic deals class 0's rows first and then
// class 1's, so that every fold holds both classes in about their overall
// proportions.
//
// # Errors
//
// Unusable data or options (a shape that does not match, a value that is not
// finite, a label other than 0 and 1, a class with fewer than 2 rows, fewer
// rows than folds) give an *InputError; a logistic fit that does not converge
// a *NotConvergedError; a penalised system that is not positive definite
// (lambda = 0 with collinear features) a *SingularError. Errors from
// cross-validation name the fold and lambda and wrap these.
package probe
