"""Solver diagnostics shared by the parity tests, benchmarks and docs scripts."""

import numpy as np

__all__ = ["pair_dual_objectives"]


def pair_dual_objectives(model, X):
    """LIBSVM's dual objective ``1/2 c^T K c - sum |c|`` of each one-vs-one pair, in float64.

    Two solvers of the same problems agree on these values to their stopping
    tolerance even where near-ties make their support sets differ, so they
    compare models better than the dual coefficients do.

    Parameters
    ----------
    model : fitted sklearn.svm.SVC or TorchSVC
        Gaussian (``kernel="rbf"``) or linear kernel.
    X : ndarray of shape (n_samples, n_features)
        The training rows the model was fitted on.

    Returns
    -------
    ndarray of shape (n_classes * (n_classes - 1) / 2,)
        One value per pair, in LIBSVM's order (0 vs 1, 0 vs 2, ..., 1 vs 2, ...).
    """
    sv = np.asarray(X, dtype=np.float64)[model.support_]
    if model.kernel == "rbf":
        sq = (sv * sv).sum(1)
        K = np.exp(-model._gamma * np.maximum(sq[:, None] + sq[None, :] - 2 * sv @ sv.T, 0))
    else:
        K = sv @ sv.T
    starts = np.concatenate([[0], np.cumsum(model.n_support_)])
    k, dual, out = len(model.classes_), model._dual_coef_, []
    for a in range(k):
        for b in range(a + 1, k):
            # LIBSVM stores the coefficients of class a against b in row b - 1, those of b against a in row a.
            coef = np.zeros(sv.shape[0])
            coef[starts[a] : starts[a + 1]] = dual[b - 1, starts[a] : starts[a + 1]]
            coef[starts[b] : starts[b + 1]] = dual[a, starts[b] : starts[b + 1]]
            out.append(0.5 * coef @ K @ coef - np.abs(coef).sum())
    return np.array(out)
