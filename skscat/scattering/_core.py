"""The 2D scattering algorithm in torch: a few primitives and one short cascade.

Compared with kymatio's loop over paths, every orientation of a scale is
handled by one broadcast product: U1 for all ``t1`` of a scale ``j1`` at once,
U2 for all ``(t1, t2)`` of a pair ``(j1, j2)`` at once. Filters are real in
Fourier, so a product with a complex spectrum is two real multiplies on a real
view, not a complex multiply, and the periodization that follows is fused into
it as a sum of block products.

The low-pass filter phi is a separable Gaussian, so averaging by phi and
subsampling is ``A @ u @ B`` with two small real matrices: two batched matrix
products in space instead of an FFT, a product, a fold and an inverse FFT (see
:func:`separable_lowpass`). The images go through the cascade in chunks so
that the intermediate spectra stay within a fixed memory budget, and every
chunk writes its coefficients straight into the preallocated output.
"""

import math

import numpy as np
import torch

__all__ = [
    "Averaging",
    "angular_operator",
    "first_layer",
    "fold_layout",
    "power_of_two",
    "scattering2d",
    "separable_lowpass",
    "unfold_layout",
    "unit_scale_exponent",
]

# The batch goes through the cascade in chunks whose largest intermediate
# (complex spectra of all L orientations) holds about this many elements, and
# order-2 products are split along t1 to stay below it too. Bounds peak memory
# (results do not depend on it) and is also faster than large chunks: 2**18
# complex64 elements (2 MiB) stay in a core's L2 cache between the passes of
# one step (measured, 1 thread: 15-25 % faster than 2**20, 2**16 is slower
# from per-call overhead).
_CHUNK_ELEMENTS = 2**18

# A low-pass filter is applied as a rank-1 (separable) operator when the
# best rank-1 fit of its Fourier transform leaves a residual (Frobenius norm)
# below this fraction of the filter's (two float32 epsilons). phi is an exact
# outer product before its float32 rounding, which leaves ~1e-7, so the
# float32 computation uses the separable form; float64 keeps the exact
# Fourier product, to reproduce kymatio's rounded filter to ~1e-15.
_SEPARABLE_TOLERANCE = 2.0**-22


def _filter_and_fold(spectrum, filters):
    """periodize(spectrum * filters, k) without materialising the full product.

    The spectrum is first copied into block-major order, (k*k, ..., M/k, N/k):
    then each of the k*k block products is one long contiguous loop (with the
    blocks strided in place, the inner loops are rows of N/k values: 2-4x
    slower), and the products accumulate in place into the output.

    Parameters
    ----------
    spectrum : Tensor, complex, shape (..., M, N)
    filters : Tensor, real, shape (k * k, ..., M / k, N / k, 2)
        Real Fourier filters in the layout of :func:`fold_layout`: block-major,
        duplicated along a last axis of 2 (so they multiply the real and
        imaginary parts in one contiguous product) and already divided by
        ``k**2`` (exact: a power of two), which turns the periodization's mean
        into a sum of ``k**2`` block products.

    Returns
    -------
    Tensor, complex, shape (..., M / k, N / k)
    """
    real = torch.view_as_real(spectrum)
    n_blocks = filters.shape[0]
    if n_blocks == 1:
        return torch.view_as_complex(real * filters[0])
    k = math.isqrt(n_blocks)
    *batch, M, N, _ = real.shape
    blocks = real.reshape(*batch, k, M // k, k, N // k, 2)
    blocks = blocks.movedim((-5, -3), (0, 1)).reshape(n_blocks, *batch, M // k, N // k, 2)
    out = blocks[0] * filters[0]
    for q in range(1, n_blocks):
        out.addcmul_(blocks[q], filters[q])
    return torch.view_as_complex(out)


def fold_layout(filter_hat, k):
    """Lay out a real Fourier filter for :func:`_filter_and_fold` with subsampling ``k``.

    Parameters
    ----------
    filter_hat : ndarray, shape (..., M, N)
    k : int

    Returns
    -------
    ndarray, shape (k * k, ..., M / k, N / k, 2)
        ``filter_hat / k**2`` split into its k*k blocks (row-major block order)
        and duplicated along the last axis.
    """
    *batch, M, N = filter_hat.shape
    blocks = (filter_hat / (k * k)).reshape(*batch, k, M // k, k, N // k)
    blocks = np.moveaxis(blocks, (-4, -2), (0, 1)).reshape(k * k, *batch, M // k, N // k)
    return np.ascontiguousarray(np.repeat(blocks[..., None], 2, axis=-1))


def unfold_layout(layout, k):
    """Invert :func:`fold_layout`: the real Fourier filter ``(..., M, N)`` back from its layout.

    Exact: the layout only moves values and divides them by ``k**2``, a power
    of two.
    """
    _, *batch, m, n, _ = layout.shape
    blocks = layout[..., 0].reshape(k, k, *batch, m, n) * (k * k)
    return np.ascontiguousarray(np.moveaxis(blocks, (0, 1), (-4, -2)).reshape(*batch, k * m, k * n))


# Bits of an IEEE float: (integer type of the same width, mantissa bits, exponent bias).
_FLOAT_BITS = {torch.float32: (torch.int32, 23, 127), torch.float64: (torch.int64, 52, 1023)}
# Largest scaling exponent: 2**±e stays a normal number with 2**28 to spare (squares, sums of maps).
_MAX_SCALE_EXPONENT = {torch.float32: 100, torch.float64: 996}


def unit_scale_exponent(x):
    """Per image, the ``e`` with ``max |x| * 2**-e`` in ``[0.5, 1)``, clamped to a safe range.

    The scattering is positively homogeneous, ``S(a x) = a S(x)`` for
    ``a > 0``: computing ``2**e S(2**-e x)`` gives the same bits wherever
    ``S(x)`` neither overflows nor underflows (a power-of-two factor only
    shifts exponents), and stays finite and non-zero where the squares of the
    modulus would overflow (float32 input near 1e20) or underflow (near
    1e-20). The exponent is clamped so that ``2**-e`` and ``2**e`` are normal
    numbers of ``x``'s dtype; it is 0 for zero or non-finite images.

    Parameters
    ----------
    x : Tensor, shape (B, M, N), float32 or float64

    Returns
    -------
    Tensor of int, shape (B,)
    """
    largest = x.detach().abs().flatten(-2).amax(-1)
    _, exponent = torch.frexp(largest)
    limit = _MAX_SCALE_EXPONENT[x.dtype]
    return torch.where(torch.isfinite(largest), exponent, 0).clamp_(-limit, limit)


def power_of_two(exponent, dtype):
    """``2**exponent`` exactly, in ``dtype``, built from its bits (``exponent`` in the normal range)."""
    int_dtype, mantissa, bias = _FLOAT_BITS[dtype]
    return ((exponent.to(int_dtype) + bias) << mantissa).view(dtype)


def _modulus(z):
    """|z| of a complex tensor, as sqrt(re^2 + im^2) on the real view.

    ``abs`` of a complex tensor (and ``hypot`` of the strided real and
    imaginary parts) run a slow scalar loop on CPU; two strided products and
    a contiguous in-place square root are 1.5-3x faster. The in-place steps
    act on fresh tensors that autograd does not need to keep.
    """
    real = torch.view_as_real(z)
    return (real[..., 0] * real[..., 0]).addcmul_(real[..., 1], real[..., 1]).sqrt_()


def _band_modulus(spectrum, filters):
    """|IFFT(periodize(spectrum * filters, k))|: one wavelet layer, in space."""
    return _modulus(torch.fft.ifft2(_filter_and_fold(spectrum, filters)))


def _lowpass(spectrum, phi):
    """Real part of IFFT(periodize(spectrum * phi, k)), cropped by one pixel per side."""
    averaged = torch.fft.ifft2(_filter_and_fold(spectrum, phi)).real
    return averaged[..., 1:-1, 1:-1]


def separable_lowpass(phi_hat, k):
    """Factor "multiply by phi_hat, periodize by k, IFFT, crop" into two real matrices.

    For a Fourier filter that is an outer product ``p q^T``, the low-pass
    operator on real ``(M, N)`` maps is ``u -> rows @ u @ cols`` with ``rows``
    the rows ``k, 2k, ..`` (cropped) of the circulant matrix of ``IFFT(p)``
    (periodizing by k in Fourier is subsampling by k in space), likewise for
    ``cols``.

    Parameters
    ----------
    phi_hat : ndarray, shape (M, N)
        Real Fourier filter.
    k : int
        Subsampling factor.

    Returns
    -------
    tuple of ndarray or None
        ``rows`` (M/k - 2, M) and ``cols`` (N, N/k - 2) in float64, or None when
        the filter is not separable (to ``_SEPARABLE_TOLERANCE``) or its
        circulants are not real.
    """
    phi_hat = np.asarray(phi_hat, dtype=np.float64)
    p, q = _rank1_fit(phi_hat)
    if np.linalg.norm(phi_hat - np.outer(p, q)) > _SEPARABLE_TOLERANCE * np.linalg.norm(phi_hat):
        return None
    rows, cols = _subsampled_circulant(p, k), _subsampled_circulant(q, k)
    if rows is None or cols is None:
        return None
    return rows, cols.T


def _rank1_fit(matrix, n_iter=4):
    """Leading singular pair by power iteration, as ``p q^T`` (an SVD costs 0.2 s at 256x256)."""
    q = matrix[np.argmax(np.abs(matrix).sum(axis=1))]
    for _ in range(n_iter):
        q = matrix.T @ (matrix @ q)
        q /= np.linalg.norm(q)
    return matrix @ q, q


def _subsampled_circulant(f_hat, k):
    """Rows ``k * s`` (s = 1 .. M/k - 2) of the real circulant matrix ``v -> IFFT(f_hat * FFT(v))``."""
    M = len(f_hat)
    circulant = np.fft.ifft(f_hat[:, None] * np.fft.fft(np.eye(M), axis=0), axis=0)
    if np.abs(circulant.imag).max() > _SEPARABLE_TOLERANCE * np.abs(circulant.real).max():
        return None
    return np.ascontiguousarray(circulant.real[k : M - k : k])


class Averaging:
    """The low-pass step at every resolution: separable in space, or in Fourier.

    ``separable[res]`` is ``(rows, cols)`` (see :func:`separable_lowpass`) or
    None; ``phi[res]`` is the Fourier filter in :func:`_filter_and_fold`'s layout.
    """

    def __init__(self, phi, separable):
        self.phi, self.separable = phi, separable

    def in_space(self, res):
        return self.separable is not None and self.separable[res] is not None

    def __call__(self, res, u=None, spectrum=None):
        """Average real maps ``u`` (or their ``spectrum``) at resolution ``res``."""
        if self.in_space(res):
            rows, cols = self.separable[res]
            return torch.matmul(rows, torch.matmul(u, cols))
        if spectrum is None:
            spectrum = torch.fft.fft2(u)
        return _lowpass(spectrum, self.phi[res])


def scattering2d(x, phi, psi, J, max_order, separable=None, chunk_elements=None):
    """Scattering coefficients of padded images.

    Parameters
    ----------
    x : Tensor, shape (B, M, N)
        Real, already padded images (M, N multiples of ``2**J``).
    phi : list of Tensor
        Low-pass filter in Fourier at each resolution ``res = 0 .. J-1``, in the
        layout of :func:`fold_layout` for its subsampling factor ``2**(J - res)``.
    psi : list of list of Tensor
        ``psi[j][res]``: the L wavelets of scale ``j`` at resolution ``res``
        in the layout of :func:`fold_layout` for the factor ``k = 2**(j - res)``:
        shape (k * k, L, M / 2**res / k, N / 2**res / k, 2).
    J : int
        Number of scales.
    max_order : {1, 2}
        Highest order computed.
    separable : list of (Tensor, Tensor) or None, default=None
        For each resolution, the ``(rows, cols)`` matrices of
        :func:`separable_lowpass` in ``x``'s dtype (or None at a resolution
        that must use ``phi``); None averages in Fourier everywhere.
    chunk_elements : int, default=None
        Memory budget (see ``_CHUNK_ELEMENTS``, the default).

    Returns
    -------
    Tensor, shape (B, K, M / 2**J - 2, N / 2**J - 2)
        Channels in kymatio's order: S0, S1 by (j1, t1), S2 by (j1, t1, j2, t2).
    """
    B, M, N = x.shape
    L = psi[0][0].shape[1]
    K = 1 + L * J + (L * L * J * (J - 1) // 2 if max_order > 1 else 0)
    out = x.new_empty(B, K, M // 2**J - 2, N // 2**J - 2)
    budget = chunk_elements or _CHUNK_ELEMENTS
    step = max(1, budget // (L * M * N))
    average = Averaging(phi, separable)
    for start in range(0, B, step):
        _cascade(x[start : start + step], psi, average, J, max_order, out[start : start + step], budget)
    return out


def first_layer(x, psi, average, out, keep_spectrum):
    """Orders 0 and 1 of padded images, and the spectra of the first-order maps for the next layer.

    Fills ``out[:, 0]`` and the order-1 channels ``out[:, 1 : 1 + J L]`` and
    yields ``(j1, W1)`` after each scale, ``W1 = FFT(U1)`` the spectra of the
    L maps ``U1 = |x * psi_j1|`` (``None`` when ``keep_spectrum(j1)`` is false
    and the low-pass did not need it). The translation and the
    roto-translation cascades share this layer and differ in what they do
    with ``W1``.
    """
    U0 = torch.fft.fft2(x)
    out[:, 0] = average(0, u=x, spectrum=U0)
    L = psi[0][0].shape[1]
    for j1 in range(len(psi)):
        U1 = _band_modulus(U0.unsqueeze(1), psi[j1][0])
        W1 = torch.fft.fft2(U1) if keep_spectrum(j1) or not average.in_space(j1) else None
        out[:, 1 + j1 * L : 1 + (j1 + 1) * L] = average(j1, u=U1, spectrum=W1)
        yield j1, W1


def _cascade(x, psi, average, J, max_order, out, budget):
    """Fill ``out`` (b, K, h, w) with the coefficients of the padded images ``x`` (b, M, N)."""
    L = psi[0][0].shape[1]
    start = 1 + L * J  # views of out are taken after first_layer wrote to it (autograd's in-place rules)
    with_order2 = lambda j1: max_order > 1 and j1 < J - 1
    for j1, W1 in first_layer(x, psi, average, out, with_order2):
        if with_order2(j1):
            n_paths = L * (J - j1 - 1) * L
            _order2_from(W1, psi, average, j1, J, out[:, start : start + n_paths], budget)
            start += n_paths


def _order2_from(W1, psi, average, j1, J, out, budget):
    """Fill ``out`` with every second-order coefficient whose first wavelet has scale j1.

    ``out`` (b, L1 * (J-j1-1) * L2, h, w) is viewed as (b, L1, J-j1-1, L2, h, w):
    kymatio's (t1, j2, t2) order.
    """
    b, L, m, n = W1.shape
    out = out.unflatten(1, (L, J - j1 - 1, L))
    for j2 in range(j1 + 1, J):
        k = 2 ** (j2 - j1)
        chunk = max(1, budget * k * k // (b * L * m * n))
        for start in range(0, L, chunk):
            t1 = slice(start, start + chunk)
            U2 = _band_modulus(W1[:, t1].unsqueeze(2), psi[j2][j1])
            out[:, t1, j2 - j1 - 1] = average(j2, u=U2)


def angular_operator(bank, subsampling):
    """Periodic convolution along theta1 by each angular filter, kept samples only, as one matrix.

    Parameters
    ----------
    bank : ndarray, shape (n_filters, L)
        Real Fourier transforms of the angular filters (:func:`angular_filter_bank`).
    subsampling : list of int
        Kept-sample step of each filter.

    Returns
    -------
    ndarray of complex128, shape (sum_k L / s_k, L)
        Row ``(k, p)`` holds ``h_k(p - t)`` for ``t = 0 .. L-1``, rows ordered by
        filter then angle sample ``p = 0, s_k, 2 s_k, ..``.
    """
    L = bank.shape[1]
    impulse = np.fft.ifft(bank, axis=1)  # h_k(d) for d = 0 .. L-1
    lags = (np.arange(L)[:, None] - np.arange(L)[None, :]) % L  # p - t
    return np.concatenate([impulse[k][lags][::step] for k, step in enumerate(subsampling)])
