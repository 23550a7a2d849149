"""The 2D scattering algorithm in torch: a few primitives and one short cascade.

Compared with kymatio's loop over paths, every orientation of a scale is
handled by one broadcast product: U1 for all ``t1`` of a scale ``j1`` at once,
U2 for all ``(t1, t2)`` of a pair ``(j1, j2)`` at once (in chunks of ``t1``
that bound memory). Filters are real in Fourier, so a product with a complex
spectrum is two real multiplies on a real view, not a complex multiply, and
the periodization that follows is fused into it as a sum of block products.
"""

import torch

__all__ = ["scattering2d"]

# Order-2 products are split along t1 so that one chunk's complex spectra stay
# below this many elements (about 64 MiB in complex64).
_ORDER2_CHUNK_ELEMENTS = 2**23


def _filter_and_fold(spectrum, filters, k):
    """periodize(spectrum * filters, k) without materialising the full product.

    Parameters
    ----------
    spectrum : Tensor, complex, shape (..., M, N)
    filters : Tensor, real, shape (..., M, N, 2)
        Real Fourier filters duplicated along a last axis of 2 (so they multiply
        the real and imaginary parts in one contiguous product) and already
        divided by ``k**2`` (exact: a power of two), which turns the
        periodization's mean into a sum of ``k**2`` block products.
    k : int
        Subsampling factor in space.

    Returns
    -------
    Tensor, complex, shape (..., M / k, N / k)
    """
    real = torch.view_as_real(spectrum)
    if k == 1:
        return torch.view_as_complex(real * filters)
    M, N = real.shape[-3:-1]
    m, n = M // k, N // k
    out = None
    for i in range(k):
        for j in range(k):
            block = (..., slice(i * m, (i + 1) * m), slice(j * n, (j + 1) * n), slice(None))
            if out is None:
                out = real[block] * filters[block]
            else:
                out.addcmul_(real[block], filters[block])
    return torch.view_as_complex(out)


def _modulus(z):
    """|z| of a complex tensor: hypot on the real view is ~3x faster than ``abs`` on CPU."""
    real = torch.view_as_real(z)
    return torch.hypot(real[..., 0], real[..., 1])


def _band_modulus(spectrum, filters, k):
    """|IFFT(periodize(spectrum * filters, k))|: one wavelet layer, in space."""
    return _modulus(torch.fft.ifft2(_filter_and_fold(spectrum, filters, k)))


def _lowpass(spectrum, phi, k):
    """Real part of IFFT(periodize(spectrum * phi, k)), cropped by one pixel per side."""
    averaged = torch.fft.ifft2(_filter_and_fold(spectrum, phi, k)).real
    return averaged[..., 1:-1, 1:-1]


def scattering2d(x, phi, psi, J, max_order):
    """Scattering coefficients of padded images.

    Parameters
    ----------
    x : Tensor, shape (B, M, N)
        Real, already padded images (M, N multiples of ``2**J``).
    phi : list of Tensor
        Low-pass filter in Fourier at each resolution ``res = 0 .. J-1``, in the
        layout of :func:`_filter_and_fold` (duplicated last axis, divided by
        the square of its subsampling factor ``2**(J - res)``).
    psi : list of list of Tensor
        ``psi[j][res]``: the L wavelets of scale ``j`` at resolution ``res``,
        shape (L, M / 2**res, N / 2**res, 2), divided by ``4**(j - res)``.
    J : int
        Number of scales.
    max_order : {1, 2}
        Highest order computed.

    Returns
    -------
    Tensor, shape (B, K, M / 2**J - 2, N / 2**J - 2)
        Channels in kymatio's order: S0, S1 by (j1, t1), S2 by (j1, t1, j2, t2).
    """
    U0 = torch.fft.fft2(x)
    order0 = [_lowpass(U0, phi[0], 2**J).unsqueeze(1)]
    order1, order2 = [], []
    for j1 in range(J):
        U1 = _band_modulus(U0.unsqueeze(1), psi[j1][0], 2**j1)
        W1 = torch.fft.fft2(U1)
        order1.append(_lowpass(W1, phi[j1], 2 ** (J - j1)))
        if max_order > 1 and j1 < J - 1:
            order2.append(_order2_from(W1, psi, phi, j1, J))
    return torch.cat(order0 + order1 + order2, dim=1)


def _order2_from(W1, psi, phi, j1, J):
    """All second-order coefficients whose first wavelet has scale j1, in kymatio's order."""
    B, L = W1.shape[:2]
    chunk = max(1, _ORDER2_CHUNK_ELEMENTS // max(1, B * L * W1.shape[-1] * W1.shape[-2]))
    per_t1 = [_order2_chunk(W1[:, start : start + chunk], psi, phi, j1, J)
              for start in range(0, L, chunk)]
    # (B, L1, J-j1-1, L2, h, w) -> (B, L1 * (J-j1-1) * L2, h, w)
    S2 = torch.cat(per_t1, dim=1)
    return S2.reshape(B, -1, *S2.shape[-2:])


def _order2_chunk(W1, psi, phi, j1, J):
    per_j2 = []
    for j2 in range(j1 + 1, J):
        U2 = _band_modulus(W1.unsqueeze(2), psi[j2][j1], 2 ** (j2 - j1))
        per_j2.append(_lowpass(torch.fft.fft2(U2), phi[j2], 2 ** (J - j2)))
    return torch.stack(per_j2, dim=2)
