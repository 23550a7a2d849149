"""Filters, padding and low-pass operators of ScatNetLight's conventions (pure NumPy).

ScatNetLight (Oyallon & Mallat, CVPR 2015; Sifre & Mallat) builds its filters
differently from kymatio: Morlet wavelets sampled once on the padded grid (no
periodic copies), ``Q`` wavelets per octave with centre frequency
``xi = (1 + 2**(-1/Q)) pi / 2`` divided by the scale ``2**(j + q/Q)``, one
global Littlewood-Paley normalisation (``max sum_p |psi_hat_p|**2 = 2``), a
Gaussian low-pass of width ``0.8 * 2**(J-1)``, symmetric padding at the end of
each axis (the start wraps around) to ``2**J ceil((n + 1.6 * 2**J) / 2**J)``
samples, and filters carried to coarser grids by keeping the central band
with half weights on its Nyquist lines. This module re-derives those rules
(see docs/conventions.md); nothing here depends on torch or scikit-learn.
"""

import math

import numpy as np

__all__ = [
    "angular_bank",
    "lowpass_operator",
    "morlet_bank",
    "padded_size",
    "periodize",
    "symmetric_pad_indices",
]

_SIGMA = 0.8  # width of the wavelets and of the low-pass, in samples at scale 1
_SIGMA0 = 2 / math.sqrt(3)  # width parameter of the 1D angular Morlet filters


def padded_size(size, J):
    """Padded length of an axis: a multiple of ``2**J`` leaving ``0.8 * 2**J`` samples each side.

    Parameters
    ----------
    size : int
        Length of the axis.
    J : int
        Scale of the low-pass.

    Returns
    -------
    int
    """
    step = 2**J
    return max(1, step * math.ceil((size + 2 * _SIGMA * step) / step))


def symmetric_pad_indices(size, padded):
    """Source index of each sample of an axis padded symmetrically after its end.

    The signal keeps its place at the start; the first half of the padding
    mirrors its end (edge sample repeated), the second half, which wraps around
    to sit before the signal on the periodic grid, mirrors its start.

    Parameters
    ----------
    size, padded : int
        Length before and after padding.

    Returns
    -------
    ndarray of int64, shape (padded,)
    """
    mirror = np.r_[np.arange(size), np.arange(size)[::-1]]
    index = np.empty(padded, np.int64)
    index[:size] = np.arange(size)
    extra = padded - size
    after = np.arange(extra // 2)
    index[size : size + extra // 2] = mirror[(size + after) % (2 * size)]
    before = np.arange(1, extra - extra // 2 + 1)
    index[padded - before] = mirror[(2 * size - before) % (2 * size)]
    return index


def unpadded_size(size, ds):
    """Samples kept after subsampling an axis of ``size`` samples by ``2**ds`` and unpadding."""
    return 1 + (size - 1) // 2**ds


def periodize(filter_hat, res, axis):
    """Carry a Fourier filter to the grid ``2**res`` times coarser along one axis.

    Keeps the band ``|f| < n/2`` (``n = N / 2**res``) and gives the coarse
    Nyquist sample the mean of the two fine samples at ``+-n/2``.
    """
    if res == 0:
        return filter_hat
    filter_hat = np.moveaxis(filter_hat, axis, -1)
    N = filter_hat.shape[-1]
    n = N // 2**res
    out = np.concatenate(
        [
            filter_hat[..., : n // 2],
            0.5 * (filter_hat[..., n // 2 : n // 2 + 1] + filter_hat[..., N - n // 2 : N - n // 2 + 1]),
            filter_hat[..., N - n // 2 + 1 :],
        ],
        axis=-1,
    )
    return np.moveaxis(out, -1, axis)


def periodize_2d(filter_hat, res):
    """:func:`periodize` along the last two axes."""
    return periodize(periodize(filter_hat, res, -2), res, -1)


def _grid(N, M):
    """Coordinates of the fftshifted sampling grid: rows ``y``, columns ``x``, origin at (0, 0)."""
    y = np.fft.ifftshift(np.arange(N) - N // 2)
    x = np.fft.ifftshift(np.arange(M) - M // 2)
    return y[:, None].astype(np.float64), x[None, :].astype(np.float64)


def morlet_spatial(N, M, sigma, slant, xi, theta):
    """Zero-mean Morlet wavelet on an (N, M) grid, in space, origin at index (0, 0).

    ``psi(x, y) = g(x, y) (exp(i xi (x cos theta + y sin theta)) - K)``, with
    ``x`` the column and ``y`` the row coordinate, ``g`` the Gaussian of widths
    ``sigma`` along ``theta`` and ``sigma / slant`` across it, ``K`` such that
    the samples sum to zero, scaled by ``slant / (2 pi sigma**2)``.
    """
    y, x = _grid(N, M)
    c, s = math.cos(theta), math.sin(theta)
    along, across = x * c + y * s, -x * s + y * c
    envelope = np.exp(-(along**2 + slant**2 * across**2) / (2 * sigma**2))
    wave = envelope * np.exp(1j * xi * along)
    wave -= wave.sum() / envelope.sum() * envelope
    return wave * slant / (2 * math.pi * sigma**2)


def gaussian_1d(n, sigma):
    """Samples of ``exp(-u**2 / (2 sigma**2)) / (sqrt(2 pi) sigma)`` at ``u = 0 .. n/2-1, -n/2 .. -1``."""
    u = np.fft.ifftshift(np.arange(n) - n // 2).astype(np.float64)
    return np.exp(-(u**2) / (2 * sigma**2)) / (math.sqrt(2 * math.pi) * sigma)


def morlet_bank(padded, J, L=8, Q=1):
    """Wavelets of ScatNetLight's 2D Morlet filter bank, real in Fourier.

    Parameters
    ----------
    padded : tuple of int
        ``(N, M)``, the padded grid (see :func:`padded_size`).
    J, L, Q : int
        Octaves, orientations in ``[0, pi)`` and wavelets per octave.

    Returns
    -------
    scales : ndarray of float, shape (J * Q,)
        ``j + q / Q`` of each scale, increasing.
    psi_hat : ndarray of float32, shape (J * Q, L, N, M)
        Fourier transforms; orientation ``t`` has angle ``t pi / L``.
    """
    N, M = padded
    xi = 0.5 * (2 ** (-1 / Q) + 1) * math.pi
    scales = np.array([j + q / Q for j in range(J) for q in range(Q)])
    # float32 storage (the filters are used in float32 or cast from it), float64 construction.
    psi_hat = np.empty((len(scales), L, N, M), np.float32)
    littlewood_paley = np.zeros((N, M))
    for i, scale in enumerate(scales):
        for t in range(L):
            wavelet = morlet_spatial(N, M, _SIGMA * 2**scale, 4 / L, xi / 2**scale, t * math.pi / L)
            spectrum = np.fft.fft2(wavelet).real
            littlewood_paley += spectrum**2
            psi_hat[i, t] = spectrum
    psi_hat *= np.float32(1 / math.sqrt(littlewood_paley.max() / 2))
    return scales, psi_hat


def _fold_operator(kernel_hat, size, res, ds):
    """The 1D map ``u -> ifft(fold(fft(pad(u)) * kernel_hat))[:kept]`` as a complex matrix.

    ``u`` has ``size`` samples at resolution ``res``; ``kernel_hat`` is the
    filter on the full-resolution padded grid, carried to resolution ``res``;
    ``fold`` sums the ``2**ds`` blocks of the spectrum (subsampling in space).
    ``ifft(fold(Z)) = 2**ds (ifft(Z))[:: 2**ds]``, so this is ``2**ds`` times
    the subsampled circular convolution.
    """
    h = periodize(kernel_hat, res, 0)
    n = len(h)
    embed = np.zeros((n, size))
    embed[np.arange(n), symmetric_pad_indices(size, n)] = 1.0
    impulse = np.fft.ifft(h)
    lags = (np.arange(n)[:, None] - np.arange(n)[None, :]) % n
    rows = impulse[lags][:: 2**ds][: unpadded_size(size, ds)] * 2**ds
    return rows @ embed


def lowpass_operator(shape, padded, J, res):
    """ScatNetLight's averaging step as a sum of separable real products.

    The step pads maps of ``shape`` samples (at resolution ``res``) to the
    grid ``padded / 2**res``, multiplies their spectrum by the Gaussian
    low-pass of scale ``2**J``, subsamples by ``k = 2**(J - res)`` (dividing by
    ``k``, not ``k**2``, as ScatNetLight does), keeps the real part and
    unpads. The low-pass is the real part of the spectrum of a separable
    Gaussian, ``Re(a b^T) = Re a Re b^T - Im a Im b^T``, and each factor is a
    complex 1D operator, so the whole step is ``sum_t rows[t] @ u @ cols[t]``.

    Parameters
    ----------
    shape : tuple of int
        ``(h, w)`` of the maps.
    padded : tuple of int
        Padded full-resolution grid of the low-pass (:func:`padded_size`).
    J : int
        Scale of the low-pass.
    res : int
        Resolution of the maps.

    Returns
    -------
    rows : ndarray of float64, shape (4, h', h)
    cols : ndarray of float64, shape (4, w, w')
    """
    ds = max(J - res, 0)
    factors = []
    for size, full in zip(shape, padded):
        spectrum = np.fft.fft(gaussian_1d(full, _SIGMA * 2 ** (J - 1)))
        factors.append([_fold_operator(part, size, res, ds) for part in (spectrum.real, spectrum.imag)])
    (y_re, y_im), (x_re, x_im) = factors
    rows, cols = [], []
    # Re(A u B^T) = Re A u Re B^T - Im A u Im B^T for each of the two separable parts.
    for a, b, sign in ((y_re, x_re, 1.0), (y_im, x_im, -1.0)):
        for part_a, part_b, s in ((a.real, b.real, 1.0), (a.imag, b.imag, -1.0)):
            rows.append(sign * s * part_a / 2**ds)
            cols.append(part_b.T)
    return np.stack(rows), np.stack(cols)


def angular_bank(L, n_scales=2):
    """ScatNetLight's periodic 1D Morlet filters along the orientation axis, in Fourier.

    Wavelet ``k`` is a Gaussian of width ``sigma0 2**k`` (``sigma0 = 2/sqrt(3)``)
    in Fourier centred on ``0.75 pi / 2**k`` and summed over the copies
    ``-1 .. 2`` periods away, minus its value at 0 times the centred Gaussian;
    the wavelets are scaled so that ``max sum_k |psi_hat_k|**2 = 2``. The
    low-pass is the centred Gaussian of the coarsest wavelet's width, unscaled.

    Parameters
    ----------
    L : int
        Angle samples (a power of two).
    n_scales : int, default=2

    Returns
    -------
    ndarray of float64, shape (n_scales + 1, L)
        Wavelets fine to coarse, then the low-pass.
    """
    omega = 2 * np.pi * np.arange(L) / L
    copies = omega[None, :] - 2 * np.pi * np.arange(-1, 3)[:, None]

    def gaussian(sigma, centre):
        return np.exp(-0.5 * sigma**2 * (copies - centre) ** 2).sum(0)

    psi = []
    for k in range(n_scales):
        sigma, centre = _SIGMA0 * 2**k, 0.75 * np.pi / 2**k
        band = gaussian(sigma, centre)
        psi.append(band - band[0] * gaussian(sigma, 0.0))
    psi = np.array(psi).reshape(n_scales, L)
    if n_scales:
        psi *= math.sqrt(2 / (psi**2).sum(0).max())
    phi = gaussian(_SIGMA0 * 2 ** (n_scales - 1) / 2, 0.0)
    return np.vstack([psi, phi])
