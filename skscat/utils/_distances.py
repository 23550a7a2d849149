"""The one squared-Euclidean-distance computation of skscat (kernels, neighbours, analyses).

``|a - b|^2 = |a|^2 + |b|^2 - 2 a.b`` with one matrix product, clamped at 0
(rounding can leave small negative residues). In float32 the squared norms
overflow once entries exceed ~1e19 and the products underflow below ~1e-19.
Multiplying both inputs by a power of two ``2^-e`` is exact in binary floating
point (no rounding, only an exponent shift), so the inputs are brought to a
unit scale when their largest entry lies outside ``[2^-SAFE_EXPONENT,
2^SAFE_EXPONENT]``, and the result is ``2^(2e)`` times the distances of the
scaled inputs: the same bits as the direct computation wherever that one
neither overflows nor underflows, and correct at any finite scale.
"""

import math

import torch

__all__ = [
    "SAFE_EXPONENT",
    "scale_exponent",
    "scaled_squared_distances",
    "squared_distances",
    "squared_norms",
    "times_power_of_two",
]

# Inside [2^-40, 2^40] the float32 squared norms of up to ~1e14 features stay finite and the
# rounding error of the difference (~1e-7 of the largest squared norm) stays a normal number.
SAFE_EXPONENT = 40


def squared_norms(X):
    """Compute the row-wise squared Euclidean norms ``|x_i|^2``, in the dtype of ``X``.

    Parameters
    ----------
    X : torch.Tensor of shape (n, d)
        Rows.

    Returns
    -------
    torch.Tensor of shape (n,)
        The squared norms.
    """
    return torch.einsum("ij,ij->i", X, X)


def scale_exponent(*tensors):
    """``e`` such that ``2^-e`` brings the largest finite entry of ``tensors`` near 1; 0 when already safe.

    Returns 0 for empty or all-zero inputs, and when the largest magnitude lies
    in ``[2^-SAFE_EXPONENT, 2^SAFE_EXPONENT]`` (no rescaling needed).
    """
    largest = max((float(t.abs().amax()) for t in tensors if t.numel()), default=0.0)
    if largest == 0.0 or not math.isfinite(largest):
        return 0
    exponent = math.frexp(largest)[1]  # largest = m * 2^exponent, 0.5 <= m < 1
    return 0 if abs(exponent) <= SAFE_EXPONENT else exponent


def scaled_squared_distances(A, B, sq_a=None, sq_b=None, exponent=None):
    """Compute the squared distances of ``2^-e A`` and ``2^-e B``, and ``e``: ``|a - b|^2 = 2^(2e) D``.

    Parameters
    ----------
    A : torch.Tensor of shape (n_a, d), floating
        First rows.
    B : torch.Tensor of shape (n_b, d), same dtype and device as ``A``
        Second rows.
    sq_a, sq_b : torch.Tensor, optional
        :func:`squared_norms` of ``A`` and ``B`` (unscaled). Used only when
        no rescaling is needed (``e = 0``); otherwise the norms are computed
        from the scaled inputs, since those given may have over- or underflowed.
    exponent : int, optional
        The power of two ``e``; by default ``scale_exponent`` of ``A`` and ``B``.

    Returns
    -------
    D : torch.Tensor of shape (n_a, n_b)
        Squared distances of the scaled rows, ``>= 0``.
    exponent : int
        The power of two ``e``.
    """
    exponent = scale_exponent(A, B) if exponent is None else int(exponent)
    if exponent:
        A, B = times_power_of_two(A, -exponent), times_power_of_two(B, -exponent)
        sq_a = sq_b = None
    sq_a = squared_norms(A) if sq_a is None else sq_a
    sq_b = squared_norms(B) if sq_b is None else sq_b
    D = A @ B.T
    D.mul_(-2.0).add_(sq_a[:, None]).add_(sq_b[None, :]).clamp_(min=0.0)
    return D, exponent


def squared_distances(A, B, sq_a=None, sq_b=None):
    """Compute squared Euclidean distances ``D[i, j] = |A[i] - B[j]|^2``, safe at any finite scale.

    Computed as ``|a|^2 + |b|^2 - 2 a.b`` (one matrix product) on inputs
    rescaled by an exact power of two (see the module notes), clamped at 0.
    The result is in the dtype of the inputs: it is ``inf`` only where the
    true squared distance exceeds that dtype's range (e.g. above ~3e38 in
    float32); callers that only compare or exponentiate distances should use
    :func:`scaled_squared_distances`, which never overflows. Subtract a common
    centre from both inputs first when they lie far from the origin: it keeps
    the cancellation in ``|a|^2 + |b|^2 - 2 a.b`` small.

    Parameters
    ----------
    A : torch.Tensor of shape (n_a, d), floating
        First rows.
    B : torch.Tensor of shape (n_b, d), same dtype and device as ``A``
        Second rows.
    sq_a, sq_b : torch.Tensor, optional
        Precomputed :func:`squared_norms` of ``A`` and ``B`` (used when no
        rescaling is needed).

    Returns
    -------
    torch.Tensor of shape (n_a, n_b)
        The squared distances, ``>= 0``.

    Examples
    --------
    >>> import torch
    >>> from skscat.utils import squared_distances
    >>> A = torch.tensor([[0.0, 0.0], [3.0, 4.0]]) * 1e25
    >>> (squared_distances(A, A) / 1e50).tolist()
    [[0.0, 25.0], [25.0, 0.0]]
    """
    D, exponent = scaled_squared_distances(A, B, sq_a, sq_b)
    return times_power_of_two(D, 2 * exponent) if exponent else D


def times_power_of_two(X, exponent):
    """``X * 2^exponent``, exact unless the result over- or underflows (a new tensor).

    The factor is applied in steps of at most ``2^64`` so that every step's
    factor is a normal number of ``X``'s dtype (float32 too).
    """
    out = X.clone()
    while exponent:
        step = max(-64, min(64, exponent))
        out.mul_(math.ldexp(1.0, step))
        exponent -= step
    return out
