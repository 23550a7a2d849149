"""Separable roto-translation scattering (Sifre & Mallat; Oyallon & Mallat, CVPR 2015).

Orders 0 and 1 are the translation scattering's. Order 2 filters each first
order map ``U1(., theta1)`` with spatial wavelets over 2L orientations covering
``[0, 2 pi)`` (the second half are the complex conjugates of the first, whose
Fourier transforms are mirrored), then with a periodic 1D Morlet transform
along ``theta1``, takes the modulus and averages in space. The rotation of the
image by 90 degrees then shifts both angle axes cyclically (see
:meth:`RotoTranslationScattering2D.rotation_permutation`).
"""

import numpy as np
import torch
from torch import nn

from ._core import (
    Averaging,
    _filter_and_fold,
    _modulus,
    angular_operator,
    first_layer,
    fold_layout,
)
from ._module import (
    Scattering2D,
    check_order2_averaging,
    check_scattering_params,
    scatter_batch,
)
from ._scatnet import ScatNetCascade, scatnet_angular_subsampling
from .filter_bank import _check_int, _is_int, angular_filter_bank

__all__ = ["RotoTranslationScattering2D", "angular_operator", "angular_subsampling", "roto_translation_paths"]

# Batch chunks keep one chunk's order-2 complex maps (b, L, 2L, m, n) below this many elements.
_CHUNK_ELEMENTS = 2**23


def angular_subsampling(n_angular_scales, oversampling):
    """Subsampling factor along ``theta1`` of each angular filter (wavelets fine to coarse, then low-pass).

    A filter of scale ``k`` (the low-pass has ``k = n_angular_scales``) is
    critically sampled every ``2**k`` angles; ``oversampling`` keeps
    ``2**oversampling`` times more samples (never fewer than one per angle).
    """
    return [2 ** max(0, k - oversampling) for k in range(n_angular_scales + 1)]


def roto_translation_paths(J, L, n_angular_scales=2, angular_oversampling=1):
    """Path of every output channel of the roto-translation scattering.

    Parameters
    ----------
    J, L : int
        Spatial scales and orientations (in ``[0, pi)``).
    n_angular_scales : int, default=2
        Angular wavelets along ``theta1``.
    angular_oversampling : int, default=1
        See ``angular_subsampling``.

    Returns
    -------
    dict of ndarray of int
        ``order``, ``j1``, ``theta1``, ``j2``, ``theta2``, ``angular_scale``;
        -1 where a field does not apply. For order 2, ``theta1`` is the angle
        sample (``0 .. L-1``, a multiple of the filter's subsampling),
        ``theta2`` the spatial orientation index in ``0 .. 2L-1`` (angle
        ``(L/2 - 1 - theta2) pi / L`` mod 2 pi) and ``angular_scale`` the
        angular filter (``0 .. n_angular_scales - 1`` wavelets fine to coarse,
        ``n_angular_scales`` the low-pass). Channels are ordered by order, then
        (j1, theta1) for order 1 and (j1, j2, angular_scale, theta1, theta2)
        for order 2.
    """
    J, L = _check_int(J, "J", 1, " (spatial scales)"), _check_int(L, "L", 2, " (orientations; the paper: 8)")
    n_angular_scales = _check_int(n_angular_scales, "n_angular_scales", 1, " (ScatNetLight uses 2)")
    angular_oversampling = _check_int(angular_oversampling, "angular_oversampling", 0)
    rows = [(0, -1, -1, -1, -1, -1)]
    rows += [(1, j1, t1, -1, -1, -1) for j1 in range(J) for t1 in range(L)]
    steps = angular_subsampling(n_angular_scales, angular_oversampling)
    rows += [(2, j1, t1, j2, t2, k) for j1 in range(J) for j2 in range(j1 + 1, J)
             for k, step in enumerate(steps) for t1 in range(0, L, step) for t2 in range(2 * L)]
    table = np.array(rows, dtype=np.int64)
    fields = ("order", "j1", "theta1", "j2", "theta2", "angular_scale")
    return {field: table[:, i] for i, field in enumerate(fields)}


class RotoTranslationScattering2D(nn.Module):
    """Separable roto-translation scattering of order 2, as a torch module.

    Parameters
    ----------
    J : int
        Number of spatial scales; output subsampled by ``2**J``.
    shape : tuple of int
        ``(H, W)`` of the images, ``2**J <= min(H, W)``.
    L : int, default=8
        Orientations in ``[0, pi)`` (order 2 uses 2L in ``[0, 2 pi)``), at
        least 2.
    n_angular_scales : int, default=2
        Angular Morlet wavelets along ``theta1`` (ScatNetLight: 2), plus one
        low-pass; at least 1.
    angular_oversampling : int, default=1
        Angular filter ``k`` keeps every ``2**max(0, k - angular_oversampling)``-th
        angle (the low-pass has ``k = n_angular_scales``); under "scatnet",
        ScatNetLight's rule (``scatnet_angular_subsampling``:
        steps ``(1, 2, 2)`` with the defaults).
    Q : int, default=1
        Wavelets per octave of the first layer; ``Q > 1`` needs
        ``convention="scatnet"``.
    convention : {"kymatio", "scatnet"}, default="kymatio"
        ``"kymatio"``: the transform described above on kymatio's filters,
        padding and ``(..., n_paths, H', W')`` layout. ``"scatnet"``:
        ScatNetLight's ``scat`` with its roto-translation operators (type
        ``'tr'``), exactly: its filters, padding, scaling, angular filters
        and its coefficient vector, shape ``(..., n_coefficients)``
        (see :class:`Scattering2D` and docs/conventions.md).
    order2_averaging_J : int or None, default=None
        Scale ``2**order2_averaging_J`` of the low-pass that averages the
        second order (``None``: ``J``), with its own padding. ScatNetLight's
        Caltech colour operator (U and V planes at 64x64, J=4) averages order
        2 with its luma operator's ``J=6``: ``order2_averaging_J=6``, a 1x1
        grid. Needs ``convention="scatnet"`` and ``order2_averaging_J >= J``.

    Attributes
    ----------
    n_paths : int
        Channels per input channel,
        ``K = 1 + J L + J (J - 1) / 2 * 2L * sum_k L / s_k``, with ``s_k`` the
        subsampling of the ``n_angular_scales + 1`` angular filters (see
        ``angular_subsampling``). J=4, L=8 and the defaults: ``s = (1, 1, 2)``,
        ``K = 1 + 32 + 6 * 16 * 20 = 1953``.
    n_coefficients : int
        Values per input channel.
    output_shape : tuple of int
        ``(H', W')``, as for :class:`Scattering2D` (of orders 0 and 1 under
        "scatnet"; order 2 has ``order2_shape``).
    paths : dict of ndarray
        See :func:`roto_translation_paths` (under "scatnet",
        ``scatnet_paths``: ``j1`` counts ``1/Q`` octaves,
        orientation ``t`` has angle ``t pi / L``, channels in ScatNetLight's
        order).

    Examples
    --------
    >>> import torch
    >>> from skscat.scattering import RotoTranslationScattering2D
    >>> module = RotoTranslationScattering2D(J=2, shape=(32, 32))
    >>> module(torch.rand(2, 32, 32)).shape
    torch.Size([2, 337, 8, 8])

    The paper's CIFAR operator, ScatNetLight's coefficient vector of each plane:

    >>> paper = RotoTranslationScattering2D(J=4, shape=(64, 64), Q=2, convention="scatnet")
    >>> paper(torch.rand(2, 64, 64)).shape
    torch.Size([2, 37904])
    """

    def __init__(self, J, shape, L=8, n_angular_scales=2, angular_oversampling=1, Q=1, convention="kymatio",
                 order2_averaging_J=None):
        super().__init__()
        shape = check_scattering_params(J, shape, L, 2, Q, convention)
        _check_angular(L, n_angular_scales, angular_oversampling)
        self.Q, self.convention = int(Q), convention
        if convention == "scatnet":
            self._init_scatnet(J, shape, L, n_angular_scales, angular_oversampling, order2_averaging_J)
            return
        check_order2_averaging(J, shape, order2_averaging_J, convention)
        self.scatnet, self.order2_averaging_J = None, int(J)
        # The translation scattering is the front end: its padding, low-pass and first-layer wavelets.
        self.translation = Scattering2D(J, shape, L=L, max_order=2)
        self.J, self.shape, self.L = self.translation.J, self.translation.shape, self.translation.L
        self.n_angular_scales, self.angular_oversampling = int(n_angular_scales), int(angular_oversampling)
        self.subsampling = angular_subsampling(self.n_angular_scales, self.angular_oversampling)
        self.paths = roto_translation_paths(self.J, self.L, self.n_angular_scales, self.angular_oversampling)
        self.n_paths = len(self.paths["order"])
        self.output_shape = self.order2_shape = self.translation.output_shape
        self.n_coefficients = self.n_paths * self.output_shape[0] * self.output_shape[1]
        self._register_second_wavelets()
        operator = angular_operator(angular_filter_bank(self.L, self.n_angular_scales), self.subsampling)
        self.register_buffer("_angular", torch.from_numpy(operator.astype(np.complex64)), persistent=False)

    def forward(self, x):
        """Roto-translation scattering coefficients.

        Parameters
        ----------
        x : Tensor, shape (..., H, W)
            Real images, float32 or float64.

        Returns
        -------
        Tensor, shape (..., n_paths, H', W'), or (..., n_coefficients) for "scatnet"
            The coefficients, paths in the order of ``paths``.
        """
        return scatter_batch(self, x)

    def _scatter(self, x):
        """Coefficients of a batch ``(B, H, W)`` of images whose largest value is near 1."""
        if self.scatnet is not None:
            return self.scatnet(x)
        x = self.translation.pad(x)
        phi, psi, separable = self.translation.cascade_filters(x.dtype)
        average = Averaging(phi, separable)
        both = {(j2, j1): getattr(self, f"_psi2_{j2}_{j1}").to(x.dtype) for j2 in range(self.J) for j1 in range(j2)}
        angular = self._angular.to(torch.complex128 if x.dtype == torch.float64 else torch.complex64)
        out = x.new_empty(x.shape[0], self.n_paths, *self.output_shape)
        per_image = (self.L + angular.shape[0]) * 2 * self.L * (x.shape[-1] // 2) * (x.shape[-2] // 2)
        step = max(1, _CHUNK_ELEMENTS // per_image)
        for start in range(0, x.shape[0], step):
            chunk = slice(start, start + step)
            self._cascade(x[chunk], psi, both, angular, average, out[chunk])
        return out

    def _init_scatnet(self, J, shape, L, n_angular_scales, angular_oversampling, order2_averaging_J):
        J2 = check_order2_averaging(J, shape, order2_averaging_J, "scatnet")
        _check_scatnet_roto(L, n_angular_scales, angular_oversampling)
        self.translation = None
        self.J, self.shape, self.L = int(J), shape, int(L)
        self.n_angular_scales, self.angular_oversampling = int(n_angular_scales), int(angular_oversampling)
        self.order2_averaging_J = int(J2)
        self.subsampling = scatnet_angular_subsampling(self.n_angular_scales, self.angular_oversampling)
        self.scatnet = ScatNetCascade(self.J, self.shape, self.L, self.Q, 2, roto=True,
                                      n_angular_scales=self.n_angular_scales,
                                      angular_oversampling=self.angular_oversampling, order2_averaging_J=int(J2))
        self.paths, self.n_paths = self.scatnet.paths, self.scatnet.n_paths
        self.output_shape, self.order2_shape = self.scatnet.grid1, self.scatnet.grid2
        self.n_coefficients = self.scatnet.n_coefficients

    def _cascade(self, x, psi, both, angular, average, out):
        start = 1 + self.J * self.L  # views of out are taken after first_layer wrote to it (autograd)
        for j1, W1 in first_layer(x, psi, average, out, lambda _: True):
            for j2 in range(j1 + 1, self.J):
                start += self._order2(W1, both[j2, j1], angular, average, j2, out[:, start:])

    def _register_second_wavelets(self):
        """Second-layer wavelets for the 2L orientations of [0, 2 pi), in the cascade's layout.

        The translation front end's wavelets and their mirrored copies (the
        complex conjugates in space).
        """
        for j2 in range(1, self.J):
            for j1 in range(j2):
                both = _with_conjugates(self.translation.wavelet_hat(j2, j1))
                layout = fold_layout(both, 2 ** (j2 - j1))
                self.register_buffer(f"_psi2_{j2}_{j1}", torch.from_numpy(layout), persistent=False)

    def _order2(self, W1, psi2, angular, average, j2, out):
        """Fill the first channels of ``out`` with the paths (j1, j2, *, *, *); return how many."""
        Y = torch.fft.ifft2(_filter_and_fold(W1.unsqueeze(2), psi2))  # (b, L, 2L, m, n)
        # Every angular filter at every kept angle sample in one matrix product along theta1.
        Z = torch.matmul(angular, Y.flatten(2)).unflatten(2, Y.shape[2:])  # (b, sum L / s_k, 2L, m, n)
        S = average(j2, u=_modulus(Z))
        n = S.shape[1] * S.shape[2]
        out[:, :n] = S.flatten(1, 2)
        return n

    def rotation_permutation(self):
        """Channel permutation that a 90-degree rotation of the image induces.

        For a square image x, ``S(rot90(x))[c] == rot90(S(x)[perm[c]])`` (spatially
        rotated the same way), up to the boundary and sampling-grid effects of
        padding and subsampling: ``np.rot90`` turns every orientation by
        ``pi / 2``, which is ``L / 2`` orientation indices, so ``theta1`` moves
        by ``L / 2`` (mod L) and ``theta2`` by ``L / 2`` (mod 2L). Exact on the
        subsampled angle grid when every angular subsampling factor divides
        ``L / 2``.

        Returns
        -------
        ndarray of int, shape (n_paths,)
            ``perm`` of the formula above.
        """
        if self.L % 4:
            raise ValueError(f"L={self.L}: a 90-degree rotation maps orientations onto orientations only when L "
                             "is divisible by 4.")
        return rotated_path_permutation(self.paths, self.L)

    def extra_repr(self):
        return (f"J={self.J}, shape={self.shape}, L={self.L}, n_angular_scales={self.n_angular_scales}, "
                f"angular_oversampling={self.angular_oversampling}, Q={self.Q}, convention={self.convention!r}, "
                f"order2_averaging_J={self.order2_averaging_J}")


def rotated_path_permutation(paths, L):
    """Index of the path of x that feeds each path of rot90(x) (see ``rotation_permutation``)."""
    fields = ("order", "j1", "theta1", "j2", "theta2", "angular_scale")
    table = np.stack([paths[f] for f in fields if f in paths], axis=1)
    shifted = table.copy()
    has_t1, has_t2 = table[:, 2] >= 0, table[:, 4] >= 0
    shifted[has_t1, 2] = (table[has_t1, 2] + L // 2) % L
    shifted[has_t2, 4] = (table[has_t2, 4] + L // 2) % (2 * L)
    index = {tuple(row): i for i, row in enumerate(table)}
    try:
        return np.array([index[tuple(row)] for row in shifted])
    except KeyError as exc:
        raise ValueError("The angular subsampling does not divide L / 2: a 90-degree rotation moves the "
                         "angle samples off the subsampled grid; lower the subsampling.") from exc


def _with_conjugates(psi_hat):
    """Wavelets for the 2L orientations of [0, 2 pi): psi and conj(psi), in Fourier.

    ``conj(psi)`` in space has Fourier transform ``psi_hat(-w)``: the real
    Fourier filters (L, M, N) mirrored on the periodic frequency grid.
    """
    mirrored = np.roll(psi_hat[:, ::-1, ::-1], shift=(1, 1), axis=(-2, -1))
    return np.concatenate([psi_hat, mirrored])


def _check_scatnet_roto(L, n_angular_scales, angular_oversampling):
    """Refuse what ScatNetLight's roto-translation operators cannot express, naming the fix."""
    if L & (L - 1):
        raise ValueError(f"L={L} with convention='scatnet': ScatNetLight's angular filters need L a power of two "
                         "(L=4, 8, 16); use such an L or convention='kymatio'.")
    if n_angular_scales < 1 or max(scatnet_angular_subsampling(n_angular_scales, angular_oversampling)) > L:
        raise ValueError(f"n_angular_scales={n_angular_scales} with L={L} and convention='scatnet': ScatNetLight's "
                         "angular transform needs 1 <= n_angular_scales and its coarsest angle step "
                         f"<= L; use n_angular_scales between 1 and {int(np.log2(L)) + angular_oversampling}.")


def _check_angular(L, n_angular_scales, angular_oversampling):
    if L < 2:
        raise ValueError(f"L={L} is invalid for the roto-translation scattering: its angular wavelets along "
                         "theta1 need at least 2 orientations; use L >= 2 (the paper: 8).")
    if not _is_int(n_angular_scales) or n_angular_scales < 1:
        raise ValueError(f"n_angular_scales={n_angular_scales!r} is invalid: use an integer >= 1 "
                         "(ScatNetLight uses 2).")
    if not _is_int(angular_oversampling) or angular_oversampling < 0:
        raise ValueError(f"angular_oversampling={angular_oversampling!r} is invalid: use an integer >= 0.")
