"""Kernel blocks in float32 (as LIBSVM stores its kernel cache) and diagonals in float64.

Pure torch; knows nothing of scikit-learn. The Gaussian kernel is computed as
``exp(-gamma * max(|a|^2 + |b|^2 - 2 a.b, 0))`` with one matrix product. The
caller centres the data (the Gaussian kernel is translation invariant), which
keeps the float32 cancellation in ``|a|^2 + |b|^2 - 2 a.b`` small.
"""

import contextlib

import torch

__all__ = [
    "KERNELS",
    "full_precision_matmul",
    "kernel_block",
    "kernel_diag",
    "squared_norms",
    "symmetric_kernel",
]

KERNELS = ("linear", "rbf")


@contextlib.contextmanager
def full_precision_matmul():
    """Disable TF32 (and bf16 shortcuts) for float32 matrix products inside the block.

    TF32 keeps ~10 mantissa bits, which would change which constraints are
    active in the dual and so break parity with LIBSVM.
    """
    previous = torch.get_float32_matmul_precision()
    torch.set_float32_matmul_precision("highest")
    try:
        yield
    finally:
        torch.set_float32_matmul_precision(previous)


def squared_norms(X):
    """Row-wise squared Euclidean norms of a float32 matrix, as float32."""
    return torch.einsum("ij,ij->i", X, X)


def kernel_block(A, B, kernel, gamma, sq_a=None, sq_b=None):
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

    Returns
    -------
    torch.Tensor of shape (n_a, n_b)
    """
    K = A @ B.T
    if kernel == "linear":
        return K
    sq_a = squared_norms(A) if sq_a is None else sq_a
    sq_b = squared_norms(B) if sq_b is None else sq_b
    K.mul_(-2.0).add_(sq_a[:, None]).add_(sq_b[None, :]).clamp_(min=0.0)
    return K.mul_(-gamma).exp_()


def symmetric_kernel(X, kernel, gamma, sq=None, block=1024, on_rows=None):
    """Training kernel ``k(X, X)`` in float32, computing only the upper block triangle.

    Row block ``[s, e)`` is computed against columns ``[s, n)`` and mirrored,
    which saves about 40 % of the matrix-product work at ``n = 5000`` and
    makes the matrix exactly symmetric, like LIBSVM's. ``on_rows(count)``,
    when given, is called after each row block (a progress hook).
    """
    n = X.shape[0]
    sq = squared_norms(X) if sq is None else sq
    K = torch.empty(n, n, dtype=torch.float32, device=X.device)
    for start in range(0, n, block):
        stop = min(start + block, n)
        K[start:stop, start:] = kernel_block(X[start:stop], X[start:], kernel, gamma, sq[start:stop], sq[start:])
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
