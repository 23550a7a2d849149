"""The scattering cascade in ScatNetLight's conventions (Oyallon & Mallat, CVPR 2015), in torch.

ScatNetLight's ``scat`` with the operators of its CIFAR and Caltech
configurations, re-derived (not translated) from its documented behaviour:

- layer 1: ``Q`` Morlet wavelets per octave (scales ``j1 = j + q/Q``), each map
  ``|x * psi|`` subsampled by ``2**floor(j1)`` and unpadded;
- layer 2: every first-order map is padded again (symmetric, see
  :func:`~._scatnet_filters.symmetric_pad_indices`), averaged (order 1) and
  filtered by one-per-octave wavelets of scales ``j2 >= j1 + 1``;
  roto-translation: those maps and their complex conjugates (the
  orientations of ``[pi, 2 pi)``) are filtered along ``theta1`` by periodic
  1D Morlet wavelets and a low-pass, with their own subsampling;
- layer 3: the moduli are padded again and averaged at the scale ``2**J2``
  (``J2 = J`` except for the Caltech colour operator).

A subsampling by ``k`` in space divides by ``k`` (not ``k**2``) and along the
angle by ``sqrt(k)``: ScatNetLight's scaling, kept so that the coefficients
are its coefficients. The output of each image is ScatNetLight's coefficient
vector: ``[S{1}(:); S{2}(:); S{3}(:)]`` of ``format_scat(S, 'order_table')``,
in MATLAB's column-major order (the row index ``y`` varies fastest). The
low-pass steps (pad, average, subsample, unpad) are exact products of small
real matrices (:func:`~._scatnet_filters.lowpass_operator`).
"""

import math

import numpy as np
import torch
from torch import nn

from ._core import _filter_and_fold, _modulus, angular_operator, fold_layout
from ._scatnet_filters import (
    angular_bank,
    lowpass_operator,
    morlet_bank,
    padded_size,
    periodize_2d,
    symmetric_pad_indices,
    unpadded_size,
)

__all__ = ["ScatNetCascade", "scatnet_angular_subsampling", "scatnet_paths"]

# A batch chunk keeps its largest order-2 complex maps below this many elements.
_CHUNK_ELEMENTS = 2**22

# Blocks of a Fourier filter's fold (see _sparse_fold) whose largest value is below this fraction of
# the filter's largest are skipped, and so are low-pass terms below it: the wavelets of large scales
# live in a few of the k*k blocks (J=6: 17 to 125 of the 1024 blocks at k=32, 14 of 64 at k=8).
# Their sum adds less than float32 rounding (measured against ScatNetLight: largest relative error
# ~1e-6 with or without them).
_NEGLIGIBLE = 1e-7


def scatnet_angular_subsampling(n_angular_scales, oversampling=1):
    """ScatNetLight's angle step of each angular filter (wavelets fine to coarse, then the low-pass).

    Its ``wavelet_1d`` keeps every ``2**(k + 1 - max(1, oversampling))``-th
    sample after wavelet ``k`` and every ``2**(K - oversampling)``-th after the
    low-pass (``K = n_angular_scales``); its configurations use oversampling 1:
    steps ``(1, 2, 2)`` for K = 2.
    """
    steps = [2 ** max(k + 1 - max(1, oversampling), 0) for k in range(n_angular_scales)]
    return steps + [2 ** max(n_angular_scales - oversampling, 0)]


def scatnet_paths(J, L, Q, max_order=2, roto=False, n_angular_scales=2, angular_oversampling=1):
    """Path of every channel of the ScatNetLight-convention output, in its order.

    Parameters
    ----------
    J, L, Q : int
        Octaves, orientations and first-layer wavelets per octave.
    max_order : {1, 2}, default=2
    roto : bool, default=False
        Roto-translation (second layer filtered along ``theta1``) or translation.
    n_angular_scales, angular_oversampling : int, default=2, 1
        Angular filters and their subsampling (:func:`scatnet_angular_subsampling`).

    Returns
    -------
    dict of ndarray of int
        ``order``, ``j1`` (in units of ``1/Q`` octave: ScatNetLight's
        ``meta.j = j1 / Q``), ``theta1`` (angle ``theta1 pi / L``), ``j2``
        (octaves), ``theta2`` (angle ``theta2 pi / L``; ``0 .. 2L-1`` for
        roto-translation, the second half being the conjugate wavelets) and,
        with ``roto``, ``angular_scale`` (0 .. n_angular_scales-1 wavelets,
        n_angular_scales the low-pass); -1 where a field does not apply.
        Channel order: order 1 by (j1, theta1); order 2 by (j2, j1, theta2,
        theta1) for translation and (j2, angular_scale, conjugate, j1,
        theta2, theta1) for roto-translation, the last field varying fastest.
    """
    rows = [(0, -1, -1, -1, -1, -1)]
    rows += [(1, i, t1, -1, -1, -1) for i in range(J * Q) for t1 in range(L)]
    if max_order > 1:
        for j2 in range(J):
            first = [i for i in range(J * Q) if i / Q <= j2 - 1]
            if not roto:
                rows += [(2, i, t1, j2, t2, -1) for i in first for t2 in range(L) for t1 in range(L)]
                continue
            for k, step in enumerate(scatnet_angular_subsampling(n_angular_scales, angular_oversampling)):
                rows += [
                    (2, i, t1, j2, t2 + L * neg, k)
                    for neg in range(2)
                    for i in first
                    for t2 in range(L)
                    for t1 in range(0, L, step)
                ]
    table = np.array(rows, dtype=np.int64)
    fields = ("order", "j1", "theta1", "j2", "theta2", "angular_scale")
    paths = {field: table[:, n] for n, field in enumerate(fields)}
    if not roto:
        del paths["angular_scale"]
    return paths


class ScatNetCascade(nn.Module):
    """ScatNetLight's ``scat`` for one image size, as a torch module (used by the public modules).

    Parameters
    ----------
    J : int
        Octaves of both wavelet layers and of the averaging of orders 0 and 1.
    shape : tuple of int
        ``(H, W)``.
    L : int
        Orientations in ``[0, pi)``.
    Q : int
        Wavelets per octave of the first layer.
    max_order : {1, 2}
    roto : bool
        Roto-translation second layer (ScatNetLight's type ``'tr'``) or
        translation (``'t'``).
    n_angular_scales, angular_oversampling : int
        Angular wavelets and their oversampling (roto-translation only).
    order2_averaging_J : int
        Scale ``2**order2_averaging_J`` of the low-pass of order 2.
    """

    def __init__(
        self,
        J,
        shape,
        L,
        Q,
        max_order,
        roto=False,
        n_angular_scales=2,
        angular_oversampling=1,
        order2_averaging_J=None,
    ):
        super().__init__()
        self.J, self.shape, self.L, self.Q = J, tuple(shape), L, Q
        self.max_order, self.roto = max_order, roto
        self.J2 = J if order2_averaging_J is None else order2_averaging_J
        self.n_angular_scales, self.angular_oversampling = n_angular_scales, angular_oversampling
        self.padded = tuple(padded_size(s, J) for s in self.shape)
        self.scales = [i / Q for i in range(J * Q)]
        self.grid1 = tuple(unpadded_size(s, J) for s in self.shape)
        self.grid2 = tuple(unpadded_size(s, self.J2) for s in self.shape)
        self.paths = scatnet_paths(J, L, Q, max_order, roto, n_angular_scales, angular_oversampling)
        self.n_paths = len(self.paths["order"])
        n2 = int((self.paths["order"] == 2).sum())
        self.n_coefficients = (self.n_paths - n2) * math.prod(self.grid1) + n2 * math.prod(self.grid2)
        self._blocks, self._lowpass_terms = {}, {}
        self._register_layer1()
        self._register_layer2()
        if max_order > 1 and roto:
            steps = scatnet_angular_subsampling(n_angular_scales, angular_oversampling)
            operator = angular_operator(angular_bank(L, n_angular_scales), steps)
            operator *= np.concatenate([np.full(L // s, math.sqrt(s)) for s in steps])[:, None]
            # A conj(Y) = conj(conj(A) Y) and the modulus follows: the conjugate half from the same Y.
            self._buffer("_angular", np.concatenate([operator, operator.conj()]))
            self.angular_sizes = [L // s for s in steps]

    # -- filters ---------------------------------------------------------------------------
    def _buffer(self, name, array):
        self.register_buffer(name, torch.from_numpy(np.ascontiguousarray(array)), persistent=False)

    def _register_layer1(self):
        scales, psi = morlet_bank(self.padded, self.J, self.L, self.Q)
        for i, scale in enumerate(scales):
            k = 2 ** math.floor(scale)
            self._register_wavelet(f"_psi1_{i}", psi[i], k)
        self._register_lowpass("_phi0", self.shape, self.padded, self.J, 0)

    def _register_layer2(self):
        """Per resolution r of the first-order maps: padding, order-1 averaging, order-2 wavelets."""
        _, psi = morlet_bank(self.padded, self.J, self.L, 1)
        padded2 = tuple(padded_size(s, self.J2) for s in self.shape)
        for r in sorted({math.floor(s) for s in self.scales}):
            size = self._size_at(r)
            for axis, name in enumerate(("rows", "cols")):
                self._buffer(f"_pad{r}_{name}", symmetric_pad_indices(size[axis], self.padded[axis] // 2**r))
            self._register_lowpass(f"_phi1_{r}", size, self.padded, self.J, r)
            if self.max_order < 2:
                continue
            for j2 in range(r + 1, self.J):
                k = 2 ** (j2 - r)
                self._register_wavelet(f"_psi2_{j2}_{r}", periodize_2d(psi[j2], r), k)
        if self.max_order > 1:
            for j2 in range(1, self.J):
                self._register_lowpass(f"_phi2_{j2}", self._size_at(j2), padded2, self.J2, j2)

    def _register_wavelet(self, name, psi_hat, k):
        """Wavelets in the layout of :func:`_sparse_fold` for subsampling ``k``: kept blocks and their indices."""
        # fold_layout divides by k**2; ScatNetLight divides the subsampled map by k.
        layout = fold_layout(psi_hat * k, k)
        peak = np.abs(layout).reshape(k * k, -1).max(axis=1)
        blocks = np.flatnonzero(peak > _NEGLIGIBLE * peak.max())
        if len(blocks) > k * k // 4:
            # Most blocks matter: a block-major copy of the spectrum makes every product contiguous.
            blocks = np.arange(k * k)
        self._buffer(name, layout[blocks].astype(np.float32))
        self._blocks[name] = (k, blocks.tolist())

    def _register_lowpass(self, name, size, padded, J, res):
        rows, cols = lowpass_operator(size, padded, J, res)
        weight = np.linalg.norm(rows, axis=(1, 2)) * np.linalg.norm(cols, axis=(1, 2))
        kept = weight > _NEGLIGIBLE * weight.max()
        rows, cols = rows[kept], cols[kept]
        # Laid out for two large products (see _lowpass): cols side by side, rows transposed and stacked.
        self._buffer(f"{name}_cols", np.concatenate(list(cols), axis=1))
        self._buffer(f"{name}_rows", np.concatenate([r.T for r in rows]))
        self._lowpass_terms[name] = len(rows)

    def _size_at(self, res):
        return tuple(unpadded_size(s, res) for s in self.shape)

    # -- computation -----------------------------------------------------------------------
    def forward(self, x):
        """ScatNetLight coefficient vectors of images ``x`` (B, H, W); returns (B, n_coefficients)."""
        out = x.new_empty(x.shape[0], self.n_coefficients)
        per_image = self.L * self.L * 4 * math.prod(self.padded) // 4
        step = max(1, _CHUNK_ELEMENTS // per_image)
        for start in range(0, x.shape[0], step):
            out[start : start + step] = self._cascade(x[start : start + step])
        return out

    def _lowpass(self, name, u):
        """``sum_t rows[t] @ u @ cols[t]`` for maps ``u`` (..., h, w), as two products with all maps at once.

        ``v_t = u @ cols[t]`` for every t is one product with the side-by-side
        cols; the transposed output ``sum_t v_t^T rows[t]^T`` is one more with
        the stacked transposed rows. Returns a (..., h', w') view.
        """
        rows, cols = (getattr(self, f"{name}_{part}").to(u.dtype) for part in ("rows", "cols"))
        terms = self._lowpass_terms[name]
        v = torch.matmul(u, cols).unflatten(-1, (terms, -1))  # (..., h, T, w')
        v = v.permute(*range(v.ndim - 3), -1, -2, -3).flatten(-2)  # (..., w', T h)
        return torch.matmul(v, rows).transpose(-1, -2)

    def _pad(self, u, res):
        rows, cols = getattr(self, f"_pad{res}_rows"), getattr(self, f"_pad{res}_cols")
        return u.index_select(-2, rows).index_select(-1, cols)

    def _cascade(self, x):
        S0 = self._lowpass("_phi0", x)
        X = torch.fft.fft2(self._pad(x, 0))
        S1, S2 = [], {}
        for i, scale in enumerate(self.scales):
            r = math.floor(scale)
            h, w = self._size_at(r)
            U1 = _modulus(torch.fft.ifft2(self._fold(f"_psi1_{i}", X.unsqueeze(1))))[..., :h, :w]
            S1.append(self._lowpass(f"_phi1_{r}", U1))
            if self.max_order > 1:
                W1 = torch.fft.fft2(self._pad(U1, r))
                for j2 in range(self.J):
                    if j2 >= scale + 1:
                        S2[i, j2] = self._order2(W1, r, j2)
        parts = [_column_major(S0), _column_major(torch.stack(S1, 1))]
        if self.max_order > 1:
            parts += self._layout_order2(S2)
        return torch.cat(parts, dim=1)

    def _order2(self, W1, r, j2):
        """Averaged second-order moduli from the spectra ``W1`` (b, L, m, n) of the maps of one j1."""
        h, w = self._size_at(j2)
        Y = torch.fft.ifft2(self._fold(f"_psi2_{j2}_{r}", W1.unsqueeze(2)))[..., :h, :w]  # (b, L1, L2, h, w)
        if self.roto:
            # Angular filters on Y and on conj(U1 * psi), the orientations of [pi, 2 pi).
            angular = self._angular.to(Y.dtype)
            Y = (
                torch.matmul(angular, Y.flatten(2)).unflatten(2, Y.shape[2:]).unflatten(1, (2, -1))
            )  # (b, 2, R, L2, h, w)
        return self._lowpass(f"_phi2_{j2}", _modulus(Y))

    def _fold(self, name, spectrum):
        k, blocks = self._blocks[name]
        filters = getattr(self, name).to(spectrum.real.dtype)
        if len(blocks) == k * k:
            return _filter_and_fold(spectrum, filters)
        return _sparse_fold(spectrum, filters, blocks, k)

    def _layout_order2(self, S2):
        """ScatNetLight's cells of order 2, each flattened column-major, in its order."""
        parts = []
        for j2 in range(self.J):
            maps = [S2[i, j2] for i in range(len(self.scales)) if (i, j2) in S2]
            if not maps:
                continue
            stacked = torch.stack(maps, 1)  # (b, n_j1, L1, L2, h, w) or (b, n_j1, conj, R, L2, h, w)
            if not self.roto:
                # cell (y, x, theta1, theta2, j1) -> C order (j1, theta2, theta1, x, y)
                parts.append(_column_major(stacked.transpose(2, 3)))
                continue
            for block in stacked.split(self.angular_sizes, dim=3):
                # cell (y, x, theta1, theta2, j1, conj) -> C order (conj, j1, theta2, theta1, x, y)
                parts.append(_column_major(block.permute(0, 2, 1, 4, 3, 5, 6)))
        return parts

    def pool(self, coefficients):
        """Mean of each channel over its positions: (..., n_coefficients) -> (..., n_paths)."""
        n2 = int((self.paths["order"] == 2).sum())
        g1, g2 = math.prod(self.grid1), math.prod(self.grid2)
        low, high = coefficients.split([(self.n_paths - n2) * g1, n2 * g2], dim=-1)
        return torch.cat(
            [low.unflatten(-1, (-1, g1)).mean(-1), high.unflatten(-1, (-1, g2)).mean(-1)], dim=-1
        )

    def positions(self):
        """``(channel, y, x)`` of every coefficient, in the output's order (``y`` varies fastest)."""
        n2 = int((self.paths["order"] == 2).sum())
        out, channels = [], iter(range(self.n_paths))
        for grid, count in ((self.grid1, self.n_paths - n2), (self.grid2, n2)):
            for k in (next(channels) for _ in range(count)):
                out += [(k, y, x) for x in range(grid[1]) for y in range(grid[0])]
        return out


def _sparse_fold(spectrum, filters, blocks, k):
    """``periodize(spectrum * filter, k)`` summed over the filter's kept blocks only.

    Parameters
    ----------
    spectrum : Tensor, complex, shape (..., M, N)
    filters : Tensor, real, shape (n_blocks, ..., M / k, N / k, 2)
        The kept blocks of the filter's :func:`~._core.fold_layout`.
    blocks : list of int
        Their indices ``a * k + b`` (block row a, block column b).
    k : int

    Returns
    -------
    Tensor, complex, shape (..., M / k, N / k)
    """
    real = torch.view_as_real(spectrum)
    *batch, M, N, _ = real.shape
    grid = real.reshape(*batch, k, M // k, k, N // k, 2)
    out = None
    for n, q in enumerate(blocks):
        block = grid[..., q // k, :, q % k, :, :]
        out = block * filters[n] if out is None else out.addcmul_(block, filters[n])
    return torch.view_as_complex(out)


def _column_major(t):
    """Flatten (b, d1, ..., dn) as MATLAB's ``(:)`` of an array whose dimensions are (dn, ..., d1)."""
    return t.transpose(-1, -2).reshape(t.shape[0], -1)
