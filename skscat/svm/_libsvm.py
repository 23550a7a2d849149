"""TorchSVC's small-problem path: LIBSVM itself (scikit-learn's SVC) on the same problem.

A lockstep SMO step costs a fixed ~0.12 ms of tensor-operation overhead on
CPU (about 60 small operations) plus ~30 ns per entry of the padded
``(n_pairs, m)`` batch; a LIBSVM step costs microseconds. TorchSVC takes about
``2.2 m`` steps for pairs of ``m`` rows, while LIBSVM's whole fit scales with
the kernel entries it evaluates, ``~2.7e-10 s * d * sum_p m_p^2`` (fitted on
1,000 x 60 binary, 2,000 x 500 and 5,000 x 2,000 with 10 classes: 0.02, 0.74
and 26.4 s, each within 30 %). Where the second estimate is the smaller one
(small problems on CPU: 1,000 x 60 binary is 0.02 s against ~0.3 s), the
pair problems go to LIBSVM; the model is SVC's, by construction.
"""

import warnings

import numpy as np
from sklearn.svm import SVC

from ._ovo import SolveResult

__all__ = ["LibsvmResult", "libsvm_is_faster", "solve_libsvm"]

LIBSVM_SECONDS_PER_KERNEL_FLOP = 2.7e-10
STEP_SECONDS = 1.2e-4
STEP_SECONDS_PER_ENTRY = 3e-8
STEPS_PER_ROW = 2.2


def libsvm_is_faster(layout, n_features, device):
    """Whether LIBSVM's estimated fit time is below the lockstep solver's (CPU only)."""
    if device.type != "cpu":
        return False
    sizes = np.array([layout.pair_size(p) for p in range(len(layout.pairs))], dtype=np.float64)
    libsvm = LIBSVM_SECONDS_PER_KERNEL_FLOP * n_features * float((sizes**2).sum())
    steps = STEPS_PER_ROW * layout.size
    lockstep = steps * (STEP_SECONDS + STEP_SECONDS_PER_ENTRY * sizes.size * layout.size)
    return libsvm < lockstep


class LibsvmResult(SolveResult):
    """A :class:`._ovo.SolveResult` read from a fitted SVC (rows in the order SVC saw them)."""

    def __init__(self, svc, X, kernel, gamma, n_rows):
        coef = _pair_coefficients(svc._dual_coef_, svc.n_support_)  # (n_sv, n_pairs), LIBSVM's signs
        self.pair_coef = np.zeros((coef.shape[1], n_rows))
        self.pair_coef[:, svc.support_] = coef.T
        self.rho = -np.asarray(svc._intercept_, dtype=np.float64)
        self.objective = _objectives(X[svc.support_], coef, kernel, gamma)
        self.n_iter = np.asarray(svc.n_iter_, dtype=np.int32)
        self.fit_status = int(svc.fit_status_)


def solve_libsvm(X, y, C_rows, kernel, gamma, tol, max_iter, cache_size):
    """Every pair problem by LIBSVM: box ``C_rows`` per row (``C = 1`` times the sample weights).

    Parameters
    ----------
    X : ndarray of shape (n, d), float64, rows sorted by class (centred and rescaled like the torch paths)
    y : ndarray of shape (n,)
        Class index of every row.
    C_rows : ndarray of shape (n,)
        Per-row box bound (all positive).
    kernel, gamma, tol, max_iter, cache_size
        As SVC takes them; ``gamma`` for ``X`` as given.

    Returns
    -------
    LibsvmResult
    """
    svc = SVC(C=1.0, kernel=kernel, gamma=gamma, tol=tol, max_iter=max_iter, cache_size=cache_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # TorchSVC warns itself when max_iter stopped a pair
        svc.fit(X, y, sample_weight=C_rows)
    return LibsvmResult(svc, X, kernel, gamma, X.shape[0])


def _pair_coefficients(dual_coef, n_support):
    """``(n_SV, n_pairs)`` matrix of ``y_t alpha_t`` per pair, from LIBSVM's ``sv_coef`` layout."""
    n_classes = len(n_support)
    starts = np.concatenate([[0], np.cumsum(n_support)])
    coef = np.zeros((dual_coef.shape[1], n_classes * (n_classes - 1) // 2))
    pairs = [(a, b) for a in range(n_classes) for b in range(a + 1, n_classes)]
    for p, (a, b) in enumerate(pairs):
        coef[starts[a] : starts[a + 1], p] = dual_coef[b - 1, starts[a] : starts[a + 1]]
        coef[starts[b] : starts[b + 1], p] = dual_coef[a, starts[b] : starts[b + 1]]
    return coef


def _objectives(sv, coef, kernel, gamma):
    """LIBSVM's dual objective ``1/2 c^T K c - sum |c|`` of every pair, in float64."""
    K = sv @ sv.T
    if kernel == "rbf":
        sq = np.einsum("ij,ij->i", sv, sv)
        K = np.exp(-gamma * np.maximum(sq[:, None] + sq[None, :] - 2.0 * K, 0.0))
    return 0.5 * np.einsum("ip,ij,jp->p", coef, K, coef) - np.abs(coef).sum(axis=0)
