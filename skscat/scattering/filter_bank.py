"""Morlet filter bank for the 2D scattering transform (pure NumPy).

The filters follow kymatio 0.3's conventions exactly, including its
single-precision construction (complex64 accumulation, float32 rotation
matrices, ``pi`` truncated to 3.1415 in the normalisation), so that skscat
reproduces kymatio's coefficients to float64 rounding. Everything here is
vectorised; nothing depends on torch or scikit-learn.
"""

import math

import numpy as np
from scipy.fft import fft2

__all__ = [
    "angular_filter_bank",
    "compute_padding",
    "filter_bank",
    "gabor_2d",
    "littlewood_paley_sum",
    "morlet_2d",
    "periodize_filter_fft",
    "reflect_pad_indices",
]

# exp(x) for x below this is below float32's smallest subnormal, so a periodic
# copy whose envelope never exceeds it adds exactly zero to a complex64 filter.
_NEGLIGIBLE_LOG_ENVELOPE = -110.0


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _check_int(value, name, minimum, hint=""):
    """``value`` as an int >= ``minimum``; a ``ValueError`` naming the parameter, the value and the fix."""
    if not _is_int(value) or value < minimum:
        raise ValueError(f"{name}={value!r} is invalid: use an integer >= {minimum}{hint}.")
    return int(value)


def compute_padding(M, N, J):
    """Padded size used by the transform: the next multiple of 2**J, plus 2**J.

    Parameters
    ----------
    M, N : int
        Image height and width.
    J : int
        Number of scales.

    Returns
    -------
    M_padded, N_padded : int
        The padded height and width.
    """
    step = 2**J
    return ((M + step) // step + 1) * step, ((N + step) // step + 1) * step


def reflect_pad_indices(size, before, after):
    """Source index of every row (or column) of a reflect-padded axis.

    Reflect padding cannot add as many samples as the axis holds; kymatio then
    pads by one less and repeats the second and the second-to-last padded
    samples. Working on indices reproduces that rule exactly and lets the
    transform pad with a single gather.

    Parameters
    ----------
    size : int
        Length of the axis before padding.
    before, after : int
        Samples added at the start and at the end.

    Returns
    -------
    ndarray of int64, shape (before + size + after,)
        Source index of each padded position.
    """
    index = np.arange(size)
    if before < size and after < size:
        return np.pad(index, (before, after), mode="reflect")
    padded = np.pad(index, (before - 1, after - 1), mode="reflect")
    return np.concatenate([padded[1:2], padded, padded[-2:-1]])


def gabor_2d(M, N, sigma, theta, xi, slant=1.0):
    """Gabor filter on an (M, N) periodic grid, in space, as complex64.

    ``g(u) = exp(-u^T R D R^T u / (2 sigma^2)) exp(i xi (u_0 cos theta + u_1 sin theta))``
    with ``D = diag(1, slant^2)``, summed over the 5 x 5 nearest periodic copies
    and divided by ``2 * 3.1415 * sigma^2 / slant`` (kymatio's constants).

    Parameters
    ----------
    M, N : int
        Grid size.
    sigma : float
        Width of the Gaussian envelope.
    theta : float
        Orientation.
    xi : float
        Central frequency (0 gives a Gaussian).
    slant : float, default=1.0
        Ellipticity of the envelope.

    Returns
    -------
    ndarray of complex64, shape (M, N)
        The filter in space.
    """
    curv = _curvature(sigma, theta, slant)
    gab = np.zeros((M, N), np.complex64)
    for ex in range(-2, 3):
        for ey in range(-2, 3):
            xx, yy = np.mgrid[ex * M : M + ex * M, ey * N : N + ey * N]
            if _max_log_envelope(curv, xx, yy) < _NEGLIGIBLE_LOG_ENVELOPE:
                continue
            arg = -(curv[0, 0] * np.multiply(xx, xx) + (curv[0, 1] + curv[1, 0]) * np.multiply(xx, yy)
                    + curv[1, 1] * np.multiply(yy, yy)) + 1.0j * (
                xx * xi * np.cos(theta) + yy * xi * np.sin(theta))
            # In-place add: computed in complex128, rounded to complex64, as kymatio does.
            gab += np.exp(arg)
    gab /= 2 * 3.1415 * sigma * sigma / slant
    return gab


def _curvature(sigma, theta, slant):
    # float32 rotation matrices on purpose: they fix kymatio's filter values.
    c, s = np.cos(theta), np.sin(theta)
    R = np.array([[c, -s], [s, c]], np.float32)
    R_inv = np.array([[c, s], [-s, c]], np.float32)
    D = np.array([[1, 0], [0, slant * slant]])
    return np.dot(R, np.dot(D, R_inv)) / (2 * sigma * sigma)


def _max_log_envelope(curv, xx, yy):
    """Upper bound of the envelope's log over a copy: the quadratic form's minimum."""
    # The form is positive definite, so on a box it is at least lambda_min * min |u|^2.
    lam_min = np.linalg.eigvalsh(curv).min()
    dx = 0 if xx[0, 0] <= 0 <= xx[-1, 0] else min(abs(xx[0, 0]), abs(xx[-1, 0]))
    dy = 0 if yy[0, 0] <= 0 <= yy[0, -1] else min(abs(yy[0, 0]), abs(yy[0, -1]))
    return -lam_min * (dx * dx + dy * dy)


def morlet_2d(M, N, sigma, theta, xi, slant=0.5):
    """Zero-mean Morlet filter: a Gabor minus a scaled Gaussian, in space.

    Parameters
    ----------
    M, N : int
        Grid size.
    sigma, theta, xi, slant : float
        As in :func:`gabor_2d`.

    Returns
    -------
    ndarray of complex64, shape (M, N)
        The filter in space.
    """
    wave = gabor_2d(M, N, sigma, theta, xi, slant)
    envelope = gabor_2d(M, N, sigma, theta, 0, slant)
    beta = np.sum(wave) / np.sum(envelope)
    return wave - beta * envelope


def periodize_filter_fft(filter_hat, res):
    """Keep a Fourier filter's lowest ``1 / 2**res`` band on a grid ``2**res`` times smaller.

    Equivalent to kymatio's mask-and-fold (every folded sum has exactly one
    non-zero term), done by slicing.

    Parameters
    ----------
    filter_hat : ndarray, shape (..., M, N)
        Filter in Fourier, unshifted (frequency 0 at index 0).
    res : int
        Resolution level.

    Returns
    -------
    ndarray, shape (..., M // 2**res, N // 2**res)
        The periodised (aliased) Fourier transform.
    """
    if res == 0:
        return filter_hat
    M, N = filter_hat.shape[-2:]
    h, w = M // 2 ** (res + 1), N // 2 ** (res + 1)
    rows = np.r_[0:h, M - h : M]
    cols = np.r_[0:w, N - w : N]
    return filter_hat[..., rows, :][..., cols]


def filter_bank(M, N, J, L=8):
    """Build the Morlet wavelets and the low-pass filter in Fourier.

    Parameters
    ----------
    M, N : int
        Padded grid size (see :func:`compute_padding`).
    J : int
        Number of scales; the wavelets have scales ``j = 0 .. J-1``.
    L : int, default=8
        Number of orientations in ``[0, pi)``.

    Returns
    -------
    dict
        ``"phi"``: list over resolutions ``res = 0 .. J-1`` of float32 arrays
        ``(M / 2**res, N / 2**res)``; ``"psi"``: list over ``j`` of lists over
        resolutions ``res = 0 .. min(j + 1, max(J - 1, 1)) - 1`` of float32
        arrays ``(L, M / 2**res, N / 2**res)`` (orientation ``t`` on axis 0).

    Examples
    --------
    >>> from skscat.scattering.filter_bank import filter_bank
    >>> bank = filter_bank(40, 40, J=3, L=8)
    >>> bank["psi"][1][1].shape
    (8, 20, 20)
    """
    J, L = _check_int(J, "J", 1, " (the number of scales)"), _check_int(L, "L", 1, " (orientations)")
    for name, size in (("M", M), ("N", N)):
        if _check_int(size, name, 1) % 2**J:
            raise ValueError(f"{name}={size} is not a multiple of 2**J = {2**J}: pass the padded size, "
                             "compute_padding(height, width, J).")
    psi = []
    for j in range(J):
        full = np.stack([_wavelet_hat(M, N, j, t, L) for t in range(L)])
        psi.append([periodize_filter_fft(full, res) for res in range(min(j + 1, max(J - 1, 1)))])
    phi_full = np.real(fft2(gabor_2d(M, N, 0.8 * 2 ** (J - 1), 0, 0)))
    phi = [periodize_filter_fft(phi_full, res) for res in range(J)]
    return {"phi": phi, "psi": psi}


def _wavelet_hat(M, N, j, t, L):
    theta = (int(L - L / 2 - 1) - t) * math.pi / L
    wavelet = morlet_2d(M, N, 0.8 * 2**j, theta, 3.0 / 4.0 * math.pi / 2**j, 4.0 / L)
    # The imaginary part of the spectrum is zero up to rounding: the filters are real in Fourier.
    return np.real(fft2(wavelet))


def angular_filter_bank(L, n_scales=2):
    """Periodic 1D Morlet filters along the orientation axis, in Fourier.

    The roto-translation scattering convolves second-order coefficients along
    ``theta1`` (L samples covering ``[0, pi)``, periodic) with ``n_scales``
    Morlet wavelets and one Gaussian low-pass, as ScatNetLight does: wavelet
    ``k`` has centre frequency ``xi_k = 0.75 pi / 2**k`` (radians per sample)
    and width ``sigma_k = (2 / sqrt(3)) 2**k`` samples; the low-pass has the
    width of the coarsest wavelet. Each filter is a Gaussian in Fourier summed
    over its periodic copies, the wavelets minus a multiple of the low
    frequency Gaussian so that they have zero mean.

    The low-pass has ``phi_hat(0) = 1``; the wavelets share one scale factor,
    the largest for which the Littlewood-Paley sum::

        A(w) = |phi_hat(w)|**2 + 1/2 sum_k (|psi_hat_k(w)|**2 + |psi_hat_k(-w)|**2)

    stays ``<= 1`` at all L frequencies ``w = 2 pi m / L`` (it equals 1 at
    ``w = 0`` and at least one other frequency). Hence for every real signal f
    along the angle ``||f * phi||**2 + sum_k ||f * psi_k||**2 <= ||f||**2``: the
    angular transform is non-expansive (for complex signals the sum is at most
    ``2 ||f||**2``). ScatNetLight instead scales the wavelets so that
    ``max sum_k |psi_hat_k|**2 = 2``, which lets A reach about 1.04 at L=8;
    the two differ by one global factor on the wavelets (about 2 %).

    Parameters
    ----------
    L : int
        Number of angle samples.
    n_scales : int, default=2
        Number of angular wavelets (ScatNetLight uses 2).

    Returns
    -------
    ndarray of float64, shape (n_scales + 1, L)
        Real Fourier transforms: rows ``0 .. n_scales-1`` are the wavelets from
        fine to coarse, the last row the low-pass.

    Examples
    --------
    >>> from skscat.scattering.filter_bank import angular_filter_bank
    >>> angular_filter_bank(8).shape
    (3, 8)
    """
    L = _check_int(L, "L", 2, ": the angular wavelets need at least 2 angle samples")
    n_scales = _check_int(n_scales, "n_scales", 1, " (ScatNetLight uses 2)")
    omega = 2 * np.pi * np.arange(L) / L
    copies = omega[None, :] + 2 * np.pi * np.arange(-2, 3)[:, None]
    rows = []
    for k in range(n_scales):
        sigma, xi = (2 / np.sqrt(3)) * 2**k, 0.75 * np.pi / 2**k
        band = np.exp(-0.5 * sigma**2 * (copies - xi) ** 2).sum(0)
        low = np.exp(-0.5 * sigma**2 * copies**2).sum(0)
        rows.append(band - band[0] / low[0] * low)
    sigma_phi = (2 / np.sqrt(3)) * 2 ** (n_scales - 1)
    phi = np.exp(-0.5 * sigma_phi**2 * copies**2).sum(0)
    phi /= phi[0]
    psi = np.stack(rows)
    wavelet_sum = littlewood_paley_sum(np.vstack([psi, np.zeros(L)]))
    nonzero = wavelet_sum > 1e-12
    scale = np.sqrt(np.min((1 - phi[nonzero] ** 2) / wavelet_sum[nonzero]))
    return np.vstack([scale * psi, phi])


def littlewood_paley_sum(angular_bank):
    """Compute ``A(w)`` of :func:`angular_filter_bank` at each of its L frequencies.

    Parameters
    ----------
    angular_bank : ndarray of shape (n_scales + 1, L)
        The output of :func:`angular_filter_bank`.

    Returns
    -------
    ndarray of shape (L,)
        The Littlewood-Paley sum at each angular frequency.
    """
    psi, phi = angular_bank[:-1], angular_bank[-1]
    mirrored = np.roll(psi[:, ::-1], 1, axis=1)  # psi_hat(-w) on the same grid
    return phi**2 + 0.5 * (psi**2 + mirrored**2).sum(0)
