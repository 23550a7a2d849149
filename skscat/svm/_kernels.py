"""Kernel blocks in float32 (as LIBSVM stores its kernel cache) and diagonals in float64.

Pure torch; knows nothing of scikit-learn. The Gaussian kernel is
``exp(-gamma * D)`` with ``D`` the squared distances of
:func:`skscat.utils.scaled_squared_distances` (one matrix product, exact
power-of-two rescaling outside the safe float32 range, ``gamma`` rescaled to
match). The caller centres the data (the Gaussian kernel is translation
invariant), which keeps the float32 cancellation in ``|a|^2 + |b|^2 - 2 a.b``
small.
"""

import math

import torch

from ..utils._distances import scale_exponent, scaled_squared_distances, squared_norms

__all__ = [
    "KERNELS",
    "check_finite_kernel",
    "kernel_block",
    "kernel_diag",
    "scaled_gamma",
    "squared_norms",
    "symmetric_kernel",
]

KERNELS = ("linear", "rbf")


def scaled_gamma(gamma, exponent, dtype=torch.float32):
    """``gamma * 4^exponent``: the width for data divided by ``2^exponent`` (the RBF kernel is unchanged).

    Capped at the largest finite value of ``dtype``, so that a zero distance
    still gives ``exp(-gamma * 0) = 1`` (``inf * 0`` would be NaN).
    """
    try:
        value = math.ldexp(float(gamma), 2 * int(exponent))
    except OverflowError:
        value = math.inf
    return min(value, torch.finfo(dtype).max)


def kernel_block(A, B, kernel, gamma, sq_a=None, sq_b=None, exponent=None):
    """Kernel matrix ``K[i, j] = k(A[i], B[j])`` in the dtype of ``A`` and ``B`` (float32 in training).

    Parameters
    ----------
    A : torch.Tensor of shape (n_a, n_features), float32 or float64
    B : torch.Tensor of shape (n_b, n_features), same dtype as ``A``
    kernel : {"rbf", "linear"}
    gamma : float
        Width of the Gaussian kernel (ignored for ``"linear"``).
    sq_a, sq_b : torch.Tensor, optional
        Precomputed :func:`squared_norms` of ``A`` and ``B``.
    exponent : int, optional
        Power of two the distances are computed at (see
        :func:`skscat.utils.scaled_squared_distances`); by default chosen from
        ``A`` and ``B``. The RBF values do not depend on it, except that an
        unsafe one over- or underflows.

    Returns
    -------
    torch.Tensor of shape (n_a, n_b)
    """
    if kernel == "linear":
        return A @ B.T
    K, exponent = scaled_squared_distances(A, B, sq_a, sq_b, exponent)
    return K.mul_(-scaled_gamma(gamma, exponent, K.dtype)).exp_()


def symmetric_kernel(X, kernel, gamma, sq=None, block=1024, on_rows=None):
    """Training kernel ``k(X, X)`` in float32, computing only the upper block triangle.

    Row block ``[s, e)`` is computed against columns ``[s, n)`` and mirrored,
    which saves about 40 % of the matrix-product work at ``n = 5000`` and
    makes the matrix exactly symmetric, like LIBSVM's. ``on_rows(count)``,
    when given, is called after each row block (a progress hook).
    """
    n = X.shape[0]
    exponent = scale_exponent(X) if kernel == "rbf" else 0
    sq = squared_norms(X) if sq is None or exponent else sq
    K = torch.empty(n, n, dtype=torch.float32, device=X.device)
    for start in range(0, n, block):
        stop = min(start + block, n)
        K[start:stop, start:] = kernel_block(
            X[start:stop], X[start:], kernel, gamma, sq[start:stop], sq[start:], exponent
        )
        K[stop:, start:stop] = K[start:stop, stop:].T
        if on_rows is not None:
            on_rows(stop - start)
    return K


def kernel_diag(X, kernel):
    """Diagonal ``k(x_i, x_i)`` in float64 (LIBSVM keeps its diagonal in double)."""
    if kernel == "rbf":
        return torch.ones(X.shape[0], dtype=torch.float64, device=X.device)
    X64 = X.to(torch.float64)
    return torch.einsum("ij,ij->i", X64, X64)


def check_finite_kernel(K, gamma):
    """``K`` itself, after checking it is finite: a NaN or inf kernel would make SMO run to ``max_iter``."""
    # One float32 pass, no temporary (a float64 sum materialised a float64 copy of K: 2x its memory);
    # entries of a finite kernel on unit-scale data are at most n_features, so the sum cannot overflow.
    if not math.isfinite(float(K.sum())):
        raise ValueError(
            f"The training kernel has non-finite values (kernel width gamma={gamma!r} on data rescaled "
            "to unit size); check X for extreme values or pass a finite, moderate gamma."
        )
    return K
