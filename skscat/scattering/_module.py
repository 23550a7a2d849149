"""``Scattering2D``: the translation scattering transform as a torch module."""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from ._core import (
    fold_layout,
    power_of_two,
    scattering2d,
    separable_lowpass,
    unfold_layout,
    unit_scale_exponent,
)
from ._paths import scattering_paths
from ._scatnet import ScatNetCascade
from .filter_bank import _is_int, compute_padding, filter_bank, reflect_pad_indices

__all__ = [
    "CONVENTIONS",
    "Scattering2D",
    "check_images",
    "check_order2_averaging",
    "check_scattering_params",
    "check_shape",
    "empty_output",
    "homogeneous",
    "scatter_batch",
]

CONVENTIONS = ("kymatio", "scatnet")


def check_scattering_params(J, shape, L, max_order, Q=1, convention="kymatio"):
    """Validate the transform's parameters; raise ``ValueError`` naming the culprit.

    Parameters
    ----------
    J, L, max_order, Q : int
        As in :class:`Scattering2D`.
    shape : tuple of int
        Image height and width.
    convention : str
        As in :class:`Scattering2D`.

    Returns
    -------
    tuple of int
        ``shape`` as ``(H, W)`` (see :func:`check_shape`).
    """
    check_convention(Q, convention)
    M, N = check_shape(shape)
    if not _is_int(J) or J < 1:
        raise ValueError(f"J={J!r} is invalid: J must be an integer >= 1 (the number of dyadic scales).")
    if not _is_int(L) or L < 1:
        raise ValueError(f"L={L!r} is invalid: L must be an integer >= 1 (the number of orientations).")
    if not _is_int(max_order) or max_order not in (1, 2):
        raise ValueError(f"max_order={max_order!r} is invalid: use max_order=1 or max_order=2.")
    largest_J = min(M, N).bit_length() - 1  # 2**J <= min(M, N), without computing 2**J for a huge J
    if J > largest_J:
        raise ValueError(
            f"Images of size {M}x{N} are too small for J={J}: the scattering needs 2**J <= "
            f"min(height, width) = {min(M, N)}. Use J <= {largest_J} or larger images."
        )
    _check_filter_size(J, (M, N), L, Q)
    return M, N


def check_shape(shape, name="shape"):
    """``shape`` as ``(H, W)``, a tuple of two positive ints; ``TypeError`` / ``ValueError`` naming the fix."""
    try:
        sizes = tuple(shape)
    except TypeError:
        raise TypeError(f"{name}={shape!r} is not a sequence: pass the image size as {name}=(height, width).") from None
    if not all(_is_int(s) for s in sizes):
        raise TypeError(f"{name}={shape!r} must hold integers: pass {name}=(height, width) in pixels.")
    if len(sizes) != 2:
        raise ValueError(f"{name}={shape!r} has {len(sizes)} entries; the torch modules take {name}=(height, width) "
                         "and scatter every leading axis (channels, batch) separately.")
    if min(sizes) < 1:
        raise ValueError(f"{name}={shape!r} must hold positive sizes (height, width >= 1).")
    return tuple(int(s) for s in sizes)


# Refuse a filter bank above this many values (1 GiB in float32): L or Q far beyond any use
# (the paper: L=8, Q=2), whose filters would take many minutes to build.
_MAX_FILTER_VALUES = 2**28


def _check_filter_size(J, shape, L, Q):
    padded = compute_padding(*shape, J)
    values = int(L) * int(J) * (int(Q) + 1) * padded[0] * padded[1]  # both layers, every resolution: a bound
    if values > _MAX_FILTER_VALUES:
        raise ValueError(f"L={L}, J={J}, Q={Q} on {shape[0]}x{shape[1]} images need about {values:.1e} filter "
                         f"values (more than {_MAX_FILTER_VALUES:.1e}): lower L (the paper: 8) or Q (the paper: 2).")


def check_convention(Q, convention):
    """Validate ``Q`` and ``convention``; raise ``ValueError`` naming the culprit and the fix."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention={convention!r} is invalid: use 'kymatio' (kymatio 0.3's filters, padding "
                         "and layout) or 'scatnet' (ScatNetLight's, the CVPR 2015 paper's code).")
    if not _is_int(Q) or Q < 1:
        raise ValueError(f"Q={Q!r} is invalid: Q must be an integer >= 1 (wavelets per octave of the first "
                         "layer; the paper uses Q=2).")
    if Q != 1 and convention == "kymatio":
        raise ValueError(f"Q={Q} needs convention='scatnet': kymatio's filter bank has one wavelet per octave. "
                         "Use Q=1, or convention='scatnet' for ScatNetLight's Q wavelets per octave.")


def check_order2_averaging(J, shape, order2_averaging_J, convention):
    """Validate the scale of the order-2 low-pass; return it (``J`` for ``None``).

    ScatNetLight's Caltech colour operator averages order 2 at the luma
    operator's scale (6) on 64x64 planes scattered with ``J=4``; kymatio's
    convention has one scale for every order.
    """
    if order2_averaging_J is None:
        return int(J)
    if convention != "scatnet" and order2_averaging_J != J:
        raise ValueError(f"order2_averaging_J={order2_averaging_J!r} needs convention='scatnet' (ScatNetLight's "
                         "Caltech colour operator); with convention='kymatio' leave it None.")
    if not _is_int(order2_averaging_J) or order2_averaging_J < J:
        raise ValueError(f"order2_averaging_J={order2_averaging_J!r} is invalid: ScatNetLight averages order 2 at "
                         f"a scale >= J; use an integer >= J={J} or None.")
    if order2_averaging_J > (4 * max(shape)).bit_length() - 1:  # 2**order2_averaging_J > 4 * max(shape)
        raise ValueError(f"order2_averaging_J={order2_averaging_J} is too large for images of size {shape}: use "
                         f"2**order2_averaging_J <= 4 * max(height, width) (the paper: 6 on 64x64).")
    return int(order2_averaging_J)


def check_images(x, shape):
    """Refuse a batch that is not a float tensor of images of ``shape``."""
    if not torch.is_tensor(x):
        raise TypeError(f"Scattering2D expects a torch.Tensor, got {type(x).__name__}.")
    if x.ndim < 2 or tuple(x.shape[-2:]) != shape:
        raise ValueError(
            f"Scattering2D was built for images of shape {shape}, got a tensor of shape "
            f"{tuple(x.shape)}. Build a module with shape={tuple(x.shape[-2:])} for these images."
        )
    if not x.is_floating_point() or x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"Scattering2D needs float32 or float64 input, got {x.dtype}; cast with x.float().")


def empty_output(module, x, batch_shape):
    """The output of ``module`` for a batch without images: zeros of shape ``(*batch_shape, ...)``."""
    tail = (module.n_coefficients,) if module.scatnet is not None else (module.n_paths, *module.output_shape)
    return x.new_zeros(*batch_shape, *tail)


def scatter_batch(module, x):
    """``module._scatter`` over images of any leading batch shape ``(..., H, W)``.

    Checks the images, returns the empty output for an empty batch, and scatters
    the images as one ``(B, H, W)`` batch through :func:`homogeneous`.
    """
    check_images(x, module.shape)
    batch_shape = x.shape[:-2]
    if x.numel() == 0:
        return empty_output(module, x, batch_shape)
    S = homogeneous(module._scatter, x.reshape(-1, *module.shape))
    return S.reshape(*batch_shape, *S.shape[1:])


def homogeneous(scatter, x):
    """``scatter(x)`` computed as ``2**e scatter(2**-e x)`` per image (see :func:`~._core.unit_scale_exponent`).

    The same bits in the normal range, and no overflow or underflow of the
    modulus at extreme scales (float32 input near 1e20 or 1e-20).
    """
    exponent = unit_scale_exponent(x)
    S = scatter(x * power_of_two(-exponent, x.dtype).view(-1, 1, 1))
    return S * power_of_two(exponent, x.dtype).view(-1, *([1] * (S.ndim - 1)))


class Scattering2D(nn.Module):
    """2D Morlet scattering transform (orders 0, 1 and 2) as a torch module.

    Follows kymatio 0.3's conventions exactly (filters, reflect padding,
    subsampling, cropping and channel order), so the coefficients agree with
    kymatio's to float rounding, and computes them several times faster: all
    orientations of a scale in one broadcast product, real filters applied
    on real views, periodization fused into a reshape-mean.

    Parameters
    ----------
    J : int
        Number of dyadic scales; the output is subsampled by ``2**J``.
    shape : tuple of int
        ``(H, W)`` of the images; ``2**J <= min(H, W)``.
    L : int, default=8
        Number of wavelet orientations in ``[0, pi)``.
    max_order : {1, 2}, default=2
        Highest scattering order.
    Q : int, default=1
        Wavelets per octave of the first layer (the second has one per
        octave). ``Q > 1`` needs ``convention="scatnet"``.
    convention : {"kymatio", "scatnet"}, default="kymatio"
        ``"kymatio"``: kymatio 0.3's filters, reflect padding, cropping and
        ``(..., K, H', W')`` output. ``"scatnet"``: ScatNetLight's (the code of
        Oyallon & Mallat, CVPR 2015): its Morlet filter bank with ``Q``, its
        symmetric padding, subsampling and scaling, and its output, the
        vector ``[S{1}(:); S{2}(:); S{3}(:)]`` of ``format_scat(S,
        'order_table')`` of each image, shape ``(..., n_coefficients)``
        (see docs/conventions.md).
    order2_averaging_J : int or None, default=None
        Scale ``2**order2_averaging_J`` of the low-pass that averages order 2
        (``None``: ``J``). ScatNetLight's Caltech colour operator uses 6 with
        ``J=4`` on 64x64 planes (order 2 on a 1x1 grid). Needs
        ``convention="scatnet"``.

    Attributes
    ----------
    n_paths : int
        Number of channels ``K`` per input channel:
        ``1 + L*J + L**2 * J*(J-1)/2`` for ``max_order=2`` (kymatio);
        ``1 + L*J*Q + L**2 * sum_j2 #{j1 <= j2 - 1}`` (scatnet).
    n_coefficients : int
        Values per input channel: ``n_paths * H' * W'``.
    output_shape : tuple of int
        Spatial size ``(H', W')`` of each channel's grid.
    paths : dict of ndarray
        Path table: ``order``, ``j1``, ``theta1``, ``j2``, ``theta2`` for each
        channel (-1 where a field does not apply), in the output's channel
        order (see :func:`~skscat.scattering.scattering_paths`; for
        "scatnet", ``j1`` counts ``1/Q`` octaves and the angle of
        orientation ``t`` is ``t pi / L``).

    Notes
    -----
    The filters are non-persistent buffers: ``.to(device)`` and ``.double()``
    move them, and they are rebuilt (not saved) with the module's
    ``state_dict``. The module has no parameters; gradients flow to the input.

    Each image is scattered as ``2**e S(2**-e x)`` with ``2**-e`` bringing its
    largest value near 1 (exact: the transform is positively homogeneous and
    a power of two only shifts exponents), so float32 input near 1e20 or
    1e-20 neither overflows nor underflows, and ordinary input gives the same
    bits as without it. An empty batch gives an empty output.

    Examples
    --------
    >>> import torch
    >>> from skscat.scattering import Scattering2D
    >>> scattering = Scattering2D(J=2, shape=(32, 32))
    >>> scattering(torch.rand(4, 3, 32, 32)).shape
    torch.Size([4, 3, 81, 8, 8])
    >>> scatnet = Scattering2D(J=4, shape=(64, 64), Q=2, convention="scatnet")
    >>> scatnet(torch.rand(4, 3, 64, 64)).shape
    torch.Size([4, 3, 10256])
    """

    def __init__(self, J, shape, L=8, max_order=2, Q=1, convention="kymatio", order2_averaging_J=None):
        super().__init__()
        shape = check_scattering_params(J, shape, L, max_order, Q, convention)
        self.J, self.shape, self.L, self.max_order = int(J), shape, int(L), int(max_order)
        self.Q, self.convention = int(Q), convention
        self.order2_averaging_J = check_order2_averaging(self.J, shape, order2_averaging_J, convention)
        if convention == "scatnet":
            self.scatnet = ScatNetCascade(self.J, shape, self.L, self.Q, self.max_order,
                                          order2_averaging_J=self.order2_averaging_J)
            self.paths, self.n_paths = self.scatnet.paths, self.scatnet.n_paths
            self.output_shape, self.n_coefficients = self.scatnet.grid1, self.scatnet.n_coefficients
            return
        self.scatnet = None
        self.paths = scattering_paths(self.J, self.L, self.max_order)
        self.n_paths = len(self.paths["order"])
        padded = compute_padding(*shape, self.J)
        self.output_shape = (padded[0] // 2**self.J - 2, padded[1] // 2**self.J - 2)
        self.n_coefficients = self.n_paths * self.output_shape[0] * self.output_shape[1]
        self._register_padding(shape, padded)
        self._register_filters(filter_bank(*padded, self.J, self.L))

    def _register_padding(self, shape, padded):
        for axis, (size, size_padded) in enumerate(zip(shape, padded)):
            extra = size_padded - size
            index = reflect_pad_indices(size, extra // 2, (extra + 1) // 2)
            self.register_buffer(f"_pad_index{axis}", torch.from_numpy(index), persistent=False)

    def _register_filters(self, bank):
        for res, phi in enumerate(bank["phi"]):
            self._register_filter(f"_phi_{res}", phi, 2 ** (self.J - res))
        for j, levels in enumerate(bank["psi"]):
            for res, psi in enumerate(levels):
                self._register_filter(f"_psi_{j}_{res}", psi, 2 ** (j - res))
        self._separable_res = []
        for res, phi in enumerate(bank["phi"]):
            factors = separable_lowpass(phi, 2 ** (self.J - res))
            self._separable_res.append(factors is not None)
            for name, matrix in zip(("rows", "cols"), factors or ()):
                self.register_buffer(f"_lowpass_{name}_{res}", torch.from_numpy(matrix.astype(np.float32)),
                                     persistent=False)

    def _register_filter(self, name, filter_hat, k):
        # The layout the cascade wants: divided by k**2 (exact), block-major,
        # duplicated for the real and imaginary parts of the spectra it multiplies.
        self.register_buffer(name, torch.from_numpy(fold_layout(filter_hat, k)), persistent=False)

    def cascade_filters(self, dtype):
        """Return the filters in the computation's real dtype (a no-op once the module has been cast).

        A building block for cascades built on this one (the
        roto-translation scattering reuses its first layer).

        Parameters
        ----------
        dtype : torch.dtype
            ``torch.float32`` or ``torch.float64``.

        Returns
        -------
        phi, psi, separable
            As ``_core.scattering2d`` takes them. The separable low-pass
            (exact up to phi's float32 rounding) is used in float32; float64
            keeps the exact Fourier product (``separable`` is None).
        """
        phi = [getattr(self, f"_phi_{res}").to(dtype) for res in range(self.J)]
        psi = [[getattr(self, f"_psi_{j}_{res}").to(dtype) for res in range(min(j + 1, max(self.J - 1, 1)))]
               for j in range(self.J)]
        separable = None
        if dtype != torch.float64:
            separable = [(getattr(self, f"_lowpass_rows_{res}").to(dtype), getattr(self, f"_lowpass_cols_{res}").to(dtype))
                         if ok else None for res, ok in enumerate(self._separable_res)]
        return phi, psi, separable

    def wavelet_hat(self, j, res):
        """Return the ``L`` wavelets of scale ``j`` in Fourier at resolution ``res``, as a NumPy array.

        Recovered exactly from the registered buffer (no second filter bank).

        Parameters
        ----------
        j : int
            Scale, ``0 .. J-1``.
        res : int
            Resolution, ``0 .. min(j, J - 2)`` (``0`` when ``J = 1``).

        Returns
        -------
        ndarray, shape (L, M / 2**res, N / 2**res)
            Padded grid ``(M, N)``, orientation ``t`` on axis 0.
        """
        layout = getattr(self, f"_psi_{j}_{res}").detach().cpu().numpy()
        return unfold_layout(layout, 2 ** (j - res))

    def pad(self, x):
        """Reflect-pad images to the padded grid, as kymatio does.

        Parameters
        ----------
        x : Tensor, shape (..., H, W)
            Real images.

        Returns
        -------
        Tensor, shape (..., H_padded, W_padded)
            The padded images.
        """
        (M, N), (M_pad, N_pad) = self.shape, (len(self._pad_index0), len(self._pad_index1))
        pads = ((N_pad - N) // 2, (N_pad - N + 1) // 2, (M_pad - M) // 2, (M_pad - M + 1) // 2)
        if max(pads[:2]) < N and max(pads[2:]) < M:
            # Plain reflect padding: torch's kernel is ~15x faster than the two gathers.
            padded = F.pad(x.reshape(-1, M, N), pads, mode="reflect")
            return padded.reshape(*x.shape[:-2], M_pad, N_pad)
        return x.index_select(-2, self._pad_index0).index_select(-1, self._pad_index1)

    def forward(self, x):
        """Scattering coefficients.

        Parameters
        ----------
        x : Tensor, shape (..., H, W)
            Real images, float32 or float64, on the module's device.

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
        phi, psi, separable = self.cascade_filters(x.dtype)
        return scattering2d(self.pad(x), phi, psi, self.J, self.max_order, separable)

    def extra_repr(self):
        return (f"J={self.J}, shape={self.shape}, L={self.L}, max_order={self.max_order}, Q={self.Q}, "
                f"convention={self.convention!r}, order2_averaging_J={self.order2_averaging_J}")
