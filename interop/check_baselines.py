#!/usr/bin/python3
"""Recompute icl's baselines independently with numpy and scikit-learn.

Usage: check_baselines.py PROMPTS.npz BASELINES.npz [--subset S] [--lasso-subset L]

PROMPTS.npz is written by `icl sample` (xs (B,N,D), ys (B,N), scale (B),
config_yaml), BASELINES.npz by `icl baselines`. Every baseline predicts y_i from
the first i points (0 at i = 0). References, each a different algorithm from
icl's where one exists:

  zero, averaging      w = (1/i) sum_j x_j y_j (direct formula)
  knn_k=K              mean y of the K nearest points (Euclidean), all i when
                       i < K; ties in distance go to the earlier point
                       (numpy argsort kind="stable" on squared distances)
  least_squares        numpy.linalg.lstsq(X, y, rcond=None): SVD, minimum norm,
                       cutoff eps*max(i, d)*s_max (icl: Householder QR, SVD
                       fallback)
  ridge_lambda=L       w = solve(X^T X + L I, X^T y) for |y-Xw|^2 + L|w|^2
                       (icl: dual form when i < d)
  lasso_alpha=A        sklearn.linear_model.Lasso(A, fit_intercept=False,
                       tol=1e-12, max_iter=10^6), objective (1/2i)|y-Xw|^2 + A|w|_1;
                       where it reports non-convergence, LassoLars with the
                       same objective, its KKT conditions checked
  lasso_best_in_hindsight  per position, the lasso (of those in the file) with
                       the smallest squared error, ties to the first alpha
  bayes_dense          posterior mean and evidence from the SVD of X in one
                       batch: w = V diag(s/(s^2+lam)) U^T y, lam = sigma^2/tau^2,
                       log p(y) = -1/2 [i log(2 pi sigma^2) + sum log(1+s^2/lam)
                       + (|y-Xw|^2 + lam|w|^2)/sigma^2]  (icl: chain rule of
                       one-step predictives, Cholesky)
  bayes_sparse_k=K     sum over all C(d,K) supports of the same, uniform prior
  bayes_mixture, posterior   p(c | data) ~ weight_c p(y | c); mean = sum_c p(c|.) mean_c
Noiseless linear classes use sigma^2 = 1e-10 tau^2 (icl's DefaultJitter).

Error metric, per baseline, over all checked prompts p and positions i:
  rel = max |icl - ref| / (|ref| + 1e-8 sqrt(scale_p))
(a relative error; the floor 1e-8 * the prompt's label std only matters where
the reference is exactly 0, e.g. at i = 0). Also printed: max |icl - ref| /
sqrt(scale_p) (absolute, in label-std units). Tolerances on rel: 1e-10 for the
direct formulas (zero, averaging, knn), 1e-6 for closed forms and Bayes, 1e-4
for lasso; the class posterior is compared by max absolute difference, 1e-6.
Exit status 0 iff every check passes.
"""
import argparse, itertools, math, sys, time, warnings

import numpy as np
import yaml

JITTER = 1e-10


def load_prompts(path):
    z = np.load(path)
    xs, ys = z["xs"].astype(np.float64), z["ys"].astype(np.float64)
    scale = z["scale"].astype(np.float64) if "scale" in z else np.ones(xs.shape[0])
    cfg = yaml.safe_load(bytes(z["config_yaml"]).decode()) if "config_yaml" in z else None
    return xs, ys, scale, cfg


def prior(spec, d, sigma=0.0):
    """A linear prior from a task spec: ('dense', tau, sigma2) | ('sparse', tau,
    sigma2, k) | ('mixture', [components], weights), or None if not linear."""
    sigma = math.hypot(sigma, float(spec.get("noise", 0) or 0))
    cls = spec["class"]
    if cls in ("dense_linear", "sparse_linear"):
        std = spec.get("std", 0) or 0
        tau = 1 / math.sqrt(d) if std == "inv_sqrt_d" else (float(std) if std else 1.0)
        s2 = sigma ** 2 if sigma > 0 else JITTER * tau ** 2
        return ("dense", tau, s2) if cls == "dense_linear" else ("sparse", tau, s2, int(spec["k"]))
    if cls == "mixture":
        comps = [prior(c, d, sigma) for c in spec["of"]]
        if any(c is None for c in comps):
            return None
        w = spec.get("weights") or [1 / len(comps)] * len(comps)
        return ("mixture", comps, [float(v) for v in w])
    return None


# ---- references: each returns (P, N) predictions -------------------------------

def ref_zero(xs, ys):
    return np.zeros(ys.shape)


def ref_averaging(xs, ys):
    P, N, d = xs.shape
    out = np.zeros((P, N))
    for i in range(1, N):
        w = (xs[:, :i, :] * ys[:, :i, None]).mean(axis=1)
        out[:, i] = (w * xs[:, i, :]).sum(axis=1)
    return out


def ref_knn(xs, ys, k):
    P, N, d = xs.shape
    out = np.zeros((P, N))
    for p in range(P):
        for i in range(1, N):
            dist = ((xs[p, :i, :] - xs[p, i, :]) ** 2).sum(axis=1)
            nn = np.argsort(dist, kind="stable")[: min(k, i)]
            out[p, i] = ys[p, nn].mean()
    return out


def ref_lstsq(xs, ys):
    P, N, d = xs.shape
    out = np.zeros((P, N))
    for p in range(P):
        for i in range(1, N):
            w = np.linalg.lstsq(xs[p, :i, :], ys[p, :i], rcond=None)[0]
            out[p, i] = xs[p, i, :] @ w
    return out


def ref_ridge(xs, ys, lam):
    P, N, d = xs.shape
    out = np.zeros((P, N))
    for i in range(1, N):
        X, y = xs[:, :i, :], ys[:, :i]
        A = np.einsum("pid,pie->pde", X, X) + lam * np.eye(d)
        w = np.linalg.solve(A, np.einsum("pid,pi->pd", X, y)[..., None])[..., 0]
        out[:, i] = (w * xs[:, i, :]).sum(axis=1)
    return out


def ref_lasso(xs, ys, alpha):
    """sklearn's coordinate descent; where it reports non-convergence (it can
    stall along flat directions when i < d), sklearn's LassoLars (exact
    homotopy), accepted only if its KKT conditions hold to 1e-9 relative."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Lasso, LassoLars
    P, N, d = xs.shape
    out = np.zeros((P, N))
    lars = 0
    for p in range(P):
        for i in range(1, N):
            X, y = xs[p, :i, :], ys[p, :i]
            m = Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=1_000_000)
            with warnings.catch_warnings(record=True) as ws:
                warnings.simplefilter("always", ConvergenceWarning)
                m.fit(X, y)
            w = m.coef_
            if any(issubclass(v.category, ConvergenceWarning) for v in ws):
                lars += 1
                w = LassoLars(alpha=alpha, fit_intercept=False, max_iter=100 * d).fit(X, y).coef_
                g = X.T @ (y - X @ w) / i  # KKT: g_j = alpha sign(w_j) on the support, |g_j| <= alpha off it
                kkt = np.where(w != 0, np.abs(g - alpha * np.sign(w)), np.maximum(np.abs(g) - alpha, 0)).max() / alpha
                if kkt > 1e-9:
                    raise SystemExit("lasso reference failed: prompt %d, i %d: CD unconverged and LARS KKT violation %g" % (p, i, kkt))
            out[p, i] = xs[p, i, :] @ w
    if lars:
        print("  note: lasso alpha %g: %d of %d fits where scikit-learn's coordinate descent did not converge "
              "use LassoLars (KKT verified)" % (alpha, lars, P * (N - 1)))
    return out


def gauss_svd(X, y, xq, tau, s2):
    """Batched posterior mean at xq and log evidence for y = X w + N(0, s2),
    w ~ N(0, tau^2 I), from the thin SVD. X (..., i, m), y (..., i), xq (..., m)."""
    lam = s2 / tau ** 2
    i = X.shape[-2]
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    coef = s / (s ** 2 + lam) * np.einsum("...ir,...i->...r", U, y)
    w = np.einsum("...rm,...r->...m", Vt, coef)
    res = y - np.einsum("...im,...m->...i", X, w)
    quad = ((res ** 2).sum(-1) + lam * (w ** 2).sum(-1)) / s2
    logdet = i * math.log(s2) + np.log1p(s ** 2 / lam).sum(-1)
    logev = -0.5 * (i * math.log(2 * math.pi) + logdet + quad)
    return (w * xq).sum(-1), logev


def ref_bayes(xs, ys, pr):
    """(mean (P, N), log evidence (P, N), posterior (P, N, K) or None) for prior pr."""
    P, N, d = xs.shape
    kind = pr[0]
    if kind == "mixture":
        parts = [ref_bayes(xs, ys, c) for c in pr[1]]
        lw = np.stack([math.log(w) + ev for w, (_, ev, _) in zip(pr[2], parts)], axis=-1)  # (P, N, K)
        lz = np.logaddexp.reduce(lw, axis=-1)
        post = np.exp(lw - lz[..., None])
        mean = sum(post[..., c] * parts[c][0] for c in range(len(parts)))
        return mean, lz, post
    mean, logev = np.zeros((P, N)), np.zeros((P, N))
    for i in range(1, N):
        X, y, xq = xs[:, :i, :], ys[:, :i], xs[:, i, :]
        if kind == "dense":
            mean[:, i], logev[:, i] = gauss_svd(X, y, xq, pr[1], pr[2])
        else:
            sups = np.array(list(itertools.combinations(range(d), pr[3])))  # (S, k)
            XS = X[:, :, sups].transpose(0, 2, 1, 3)  # (P, S, i, k)
            mu, ev = gauss_svd(XS, y[:, None, :], xq[:, sups], pr[1], pr[2])  # (P, S)
            lz = np.logaddexp.reduce(ev, axis=1)
            mean[:, i] = (np.exp(ev - lz[:, None]) * mu).sum(axis=1)
            logev[:, i] = lz - math.log(len(sups))
    return mean, logev, None


def components(pr):
    return pr[1] if pr and pr[0] == "mixture" else ([pr] if pr else [])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("prompts"), ap.add_argument("baselines")
    ap.add_argument("--subset", type=int, default=0, help="prompts for every check (0: all)")
    ap.add_argument("--lasso-subset", type=int, default=64, help="prompts for lasso (sklearn is slow)")
    ap.add_argument("--bayes-subset", type=int, default=256, help="prompts for the Bayes predictors")
    a = ap.parse_args()
    xs, ys, scale, cfg = load_prompts(a.prompts)
    if a.subset:
        xs, ys, scale = xs[: a.subset], ys[: a.subset], scale[: a.subset]
    bl = np.load(a.baselines)
    P, N, d = xs.shape
    pr = prior(cfg["task"], d) if cfg else None
    floor = 1e-8 * np.sqrt(scale)[:, None]
    rows, ok = [], True

    def check(name, ref, tol):
        nonlocal ok
        n = ref.shape[0]
        got = bl[name][:n].astype(np.float64)
        rel = (np.abs(got - ref) / (np.abs(ref) + floor[:n])).max()
        absn = (np.abs(got - ref) / np.sqrt(scale[:n, None])).max()
        good = bool(rel <= tol)
        ok &= good
        rows.append((name, n, rel, absn, tol, good))

    t0 = time.time()
    lasso_names = sorted((k for k in bl.files if k.startswith("lasso_alpha=")), key=lambda k: float(k.split("=")[1]))
    lasso_refs = {}
    for name in bl.files:
        if name == "zero":
            check(name, ref_zero(xs, ys), 1e-10)
        elif name == "averaging":
            check(name, ref_averaging(xs, ys), 1e-10)
        elif name.startswith("knn_k="):
            check(name, ref_knn(xs, ys, int(name.split("=")[1])), 1e-10)
        elif name == "least_squares":
            check(name, ref_lstsq(xs, ys), 1e-6)
        elif name.startswith("ridge_lambda="):
            check(name, ref_ridge(xs, ys, float(name.split("=")[1])), 1e-6)
    Ls = min(a.lasso_subset, P)
    for name in lasso_names:
        lasso_refs[name] = ref_lasso(xs[:Ls], ys[:Ls], float(name.split("=")[1]))
        check(name, lasso_refs[name], 1e-4)
    if "lasso_best_in_hindsight" in bl.files and lasso_refs:
        preds = np.stack([lasso_refs[n] for n in bl.files if n in lasso_refs])  # file order = alpha order of icl
        best = np.argmin((preds - ys[None, :Ls]) ** 2, axis=0)  # first minimum wins ties
        check("lasso_best_in_hindsight", np.take_along_axis(preds, best[None], 0)[0], 1e-4)
    Bs = min(a.bayes_subset, P)
    bx, by = xs[:Bs], ys[:Bs]
    for c in components(pr):
        name = "bayes_dense" if c[0] == "dense" else "bayes_sparse_k=%d" % c[3]
        if name in bl.files:
            check(name, ref_bayes(bx, by, c)[0], 1e-6)
    if pr and pr[0] == "mixture" and "bayes_mixture" in bl.files:
        mean, _, post = ref_bayes(bx, by, pr)
        check("bayes_mixture", mean, 1e-6)
        if "posterior" in bl.files:
            dp = np.abs(bl["posterior"][:Bs] - post).max()
            good = bool(dp <= 1e-6)
            ok &= good
            rows.append(("posterior (abs)", Bs, dp, dp, 1e-6, good))
    unchecked = [n for n in bl.files if n not in {r[0] for r in rows} and n != "posterior"]
    print("%-26s %7s %12s %14s %8s" % ("baseline", "prompts", "max rel err", "max abs/std", "tol"))
    for name, n, rel, absn, tol, good in rows:
        print("%-26s %7d %12.3e %14.3e %8.0e %s" % (name, n, rel, absn, tol, "ok" if good else "FAIL"))
    if unchecked:
        print("not checked (no reference here):", ", ".join(unchecked))
    print("(%d prompts, N = %d, d = %d; %.1f s)" % (P, N, d, time.time() - t0))
    print("RESULT", "OK" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
