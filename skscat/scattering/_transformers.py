"""Scikit-learn transformers around the scattering torch modules."""

from numbers import Integral, Real
from typing import ClassVar

import torch

from ..utils._sklearn import Interval, Options, StrOptions
from ._base import BaseScatteringTransformer
from ._color import rgb_to_gray, rgb_to_yuv
from ._module import (
    CONVENTIONS,
    Scattering2D,
    check_order2_averaging,
    check_scattering_params,
)
from ._roto import RotoTranslationScattering2D

__all__ = ["RotoTranslationScattering", "ScatteringTransformer"]

# Scales, orientations and the convention: shared by both transformers.
_SCALE_CONSTRAINTS = {
    "J": [Interval(Integral, 1, None, closed="left")],
    "L": [Interval(Integral, 1, None, closed="left")],
    "Q": [Interval(Integral, 1, None, closed="left")],
    "convention": [StrOptions(set(CONVENTIONS))],
}

class ScatteringTransformer(BaseScatteringTransformer):
    """2D Morlet scattering transform as a scikit-learn transformer (CPU or GPU).

    Computes the order 0, 1 (and 2) scattering coefficients of each image with
    :class:`~skscat.scattering.Scattering2D`, batch by batch, on CPU or CUDA.
    The coefficients equal kymatio 0.3's (same filters, padding and channel
    order). Filters are built in :meth:`fit`, so ``set_params`` and grid
    searches over ``J`` or ``L`` always use the right ones.

    Parameters
    ----------
    J : int, default=2
        Number of dyadic scales; coefficients are averaged over ``2**J``
        pixels and subsampled by ``2**J``. Needs ``2**J <= min(H, W)``.
    L : int, default=8
        Number of wavelet orientations.
    max_order : {1, 2}, default=2
        Highest scattering order.
    Q : int, default=1
        Wavelets per octave of the first layer (the paper: 2). ``Q > 1``
        needs ``convention="scatnet"``.
    convention : {"kymatio", "scatnet"}, default="kymatio"
        ``"kymatio"``: the coefficients equal kymatio 0.3's (filters, reflect
        padding, channel order). ``"scatnet"``: they equal ScatNetLight's
        translation scattering (its type ``'t'``; the paper's code): its
        Morlet filters with ``Q``, its symmetric padding and scaling, and
        each channel's row is its coefficient vector ``[S{1}(:); S{2}(:);
        S{3}(:)]`` in MATLAB's column-major order (see docs/conventions.md).
    order2_averaging_J : int or None, default=None
        Scale ``2**order2_averaging_J`` of the low-pass that averages order 2
        (``None``: ``J``). ScatNetLight's Caltech colour operator uses 6 with
        ``J=4`` on the 64x64 U and V planes (order 2 on a 1x1 grid). Needs
        ``convention="scatnet"``.
    shape : tuple of int, default=None
        Image shape ``(H, W)`` or ``(C, H, W)`` of flat input rows. ``None``
        infers it: from the array for (n, H, W) / (n, C, H, W) input, and for
        flat rows of length D from D being a square (one channel) or three
        times a square (three channels).
    pooling : {None, "mean"}, default=None
        ``None`` keeps the (H', W') grid of coefficients; ``"mean"`` averages
        each channel over it.
    device : str, default="auto"
        ``"cpu"``, ``"cuda"``, ``"cuda:<index>"``, or ``"auto"`` (CUDA when
        available). Resolved in :meth:`fit`.
    batch_size : int, default=128
        Images transformed at once; bounds memory, never changes the result.
    verbose : bool or int, default=False
        Show a progress bar over batches.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(C, H, W)`` of the images.
    n_paths_ : int
        Scattering channels per image channel:
        ``K = 1 + L*J + L**2 * J*(J-1)/2`` for ``max_order=2`` (kymatio).
    paths_ : dict of ndarray
        The path of each of the K channels: ``order``, ``j1``, ``theta1``,
        ``j2``, ``theta2`` (-1 where not applicable), in the output's order;
        ``pandas.DataFrame(paths_)`` shows it as a table. Under "scatnet"
        ``j1`` counts ``1/Q`` octaves (half-octaves for Q=2: ScatNetLight's
        ``meta.j = j1 / Q``) and orientation ``t`` has angle ``t pi / L``.
    output_shape_ : tuple of int
        ``(H', W')`` of each coefficient map, or ``()`` with ``pooling="mean"``.
    n_output_channels_ : int
        Image channels scattered, ``C``: the output has
        ``n_output_channels_ * n_paths_`` features with ``pooling="mean"``
        (see :meth:`get_feature_paths_out` for every column).
    n_features_in_ : int
        Values per image, ``C * H * W``.
    feature_names_in_ : ndarray of str
        Input column names, when fitted on a DataFrame.

    See Also
    --------
    skscat.scattering.Scattering2D : The torch module, for use inside networks.
    skscat.scattering.RotoTranslationScattering : The roto-translation variant.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVC
    >>> from skscat.scattering import ScatteringTransformer
    >>> X, y = load_digits(return_X_y=True)
    >>> scattering = ScatteringTransformer(J=1, L=4, device="cpu").fit(X)
    >>> scattering.image_shape_, scattering.transform(X[:2]).shape
    ((1, 8, 8), (2, 80))
    >>> model = make_pipeline(ScatteringTransformer(J=1, L=4, device="cpu"), StandardScaler(), SVC())
    >>> round(model.fit(X[:1000], y[:1000]).score(X[1000:], y[1000:]), 2) > 0.9
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseScatteringTransformer._parameter_constraints,
        **_SCALE_CONSTRAINTS,
        "max_order": [Options(Integral, {1, 2})],
        "order2_averaging_J": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, *, J=2, L=8, max_order=2, Q=1, convention="kymatio", order2_averaging_J=None, shape=None,
                 pooling=None, device="auto", batch_size=128, verbose=False):
        self.J = J
        self.L = L
        self.max_order = max_order
        self.Q = Q
        self.convention = convention
        self.order2_averaging_J = order2_averaging_J
        self.shape = shape
        self.pooling = pooling
        self.device = device
        self.batch_size = batch_size
        self.verbose = verbose

    def _check_image_size(self, image_size):
        check_scattering_params(self.J, image_size, self.L, self.max_order, self.Q, self.convention)
        check_order2_averaging(self.J, image_size, self.order2_averaging_J, self.convention)

    def _build_module(self, image_size):
        return Scattering2D(J=self.J, shape=image_size, L=self.L, max_order=self.max_order, Q=self.Q,
                            convention=self.convention, order2_averaging_J=self.order2_averaging_J)


class RotoTranslationScattering(BaseScatteringTransformer):
    """Separable roto-translation scattering (Oyallon & Mallat, CVPR 2015) as a transformer.

    Orders 0 and 1 equal :class:`ScatteringTransformer`'s (order 1 is not
    averaged over the angle); order 2 convolves the first-order maps with
    spatial wavelets over 2L orientations of ``[0, 2 pi)`` and with a periodic
    1D Morlet transform along ``theta1``, then takes the modulus and averages
    in space (see :class:`~skscat.scattering.RotoTranslationScattering2D`).
    The paper's CIFAR pipeline is
    ``make_pipeline(RotoTranslationScattering(J=..., log=True), StandardScaler(), TorchSVC(...))``.

    Per colour channel the transform has
    ``K = 1 + J L + J (J - 1) / 2 * 2L * sum_k L / s_k`` channels, where
    ``s_k = 2**max(0, k - angular_oversampling)`` is the angular subsampling of
    filter ``k = 0 .. n_angular_scales`` (the last is the low-pass); with the
    defaults (L=8, 2 angular scales, oversampling 1) ``sum_k L / s_k = 20``,
    e.g. ``K = 337`` at J=2 and ``K = 1953`` at J=4. Output features:
    ``C' * K * H' * W'`` (``C' * K`` with ``pooling="mean"``), C' = 3 for
    "yuv" and "rgb", 1 for "gray".

    Parameters
    ----------
    J : int, default=2
        Number of spatial scales (``2**J <= min(H, W)``).
    L : int, default=8
        Orientations in ``[0, pi)``, at least 2 (the angular wavelets need them).
    n_angular_scales : int, default=2
        Angular wavelets along ``theta1`` (ScatNetLight: 2), at least 1.
    angular_oversampling : int, default=1
        Keep ``2**angular_oversampling`` times more angle samples than critical.
    Q : int, default=1
        Wavelets per octave of the first layer (the paper: 2). ``Q > 1``
        needs ``convention="scatnet"``.
    convention : {"kymatio", "scatnet"}, default="kymatio"
        ``"kymatio"``: the transform above on kymatio's filters and padding.
        ``"scatnet"``: exactly ScatNetLight's roto-translation scattering (the
        paper's code, its type ``'tr'``): its filters with ``Q``, padding,
        scaling and angular filters, and each channel's row is its
        coefficient vector ``[S{1}(:); S{2}(:); S{3}(:)]`` in MATLAB's
        column-major order (see docs/conventions.md). The paper's
        configurations: CIFAR ``J=4, Q=2`` on 64x64 images, Caltech-101
        ``J=6, Q=2`` on the 256x256 Y plane and ``J=4, Q=2,
        order2_averaging_J=6`` on the 64x64 U and V planes.
    order2_averaging_J : int or None, default=None
        Scale ``2**order2_averaging_J`` of the low-pass that averages order 2
        (``None``: ``J``). ScatNetLight's Caltech colour operator uses 6 with
        ``J=4`` (order 2 on a 1x1 grid). Needs ``convention="scatnet"``.
    colorspace : {"yuv", "rgb", "gray"}, default="yuv"
        "yuv" converts RGB to BT.709 Y'UV and scatters each channel (the
        paper's choice; the formula of ScatNetLight's ``rgb2yuv.m``, see
        :func:`~skscat.scattering.rgb_to_yuv`); "rgb" scatters the input channels as they are (any
        number of channels); "gray" scatters the BT.709 luma of RGB input (or
        the single channel of grey input). "yuv" needs 3 input channels.
    log : bool, default=False
        Return ``log(|S| + eps)`` (the paper's first step before
        standardisation), applied after pooling.
    eps : float, default=1e-6
        Offset inside the logarithm.
    shape : tuple of int, default=None
        Image shape of flat input rows, as in :class:`ScatteringTransformer`.
    pooling : {None, "mean"}, default=None
        As in :class:`ScatteringTransformer`.
    device : str, default="auto"
        As in :class:`ScatteringTransformer`.
    batch_size : int, default=64
        Images transformed at once; bounds memory, never changes the result.
    verbose : bool or int, default=False
        Show a progress bar over batches.

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(C, H, W)`` of the input images.
    n_paths_ : int
        K, the channels per scattered colour channel.
    paths_ : dict of ndarray
        ``order``, ``j1``, ``theta1``, ``j2``, ``theta2``, ``angular_scale``
        of each channel (see :func:`~skscat.scattering.roto_translation_paths`).
    output_shape_ : tuple of int
        ``(H', W')``, or ``()`` with ``pooling="mean"`` (under "scatnet" the
        grid of orders 0 and 1; order 2 has the grid of
        ``order2_averaging_J``).
    n_output_channels_ : int
        Channels scattered, ``C'``: 1 for "gray", else the input's ``C``
        (the output has ``n_output_channels_ * n_paths_`` features with
        ``pooling="mean"``).
    n_features_in_ : int
        ``C * H * W``.

    Examples
    --------
    >>> import numpy as np
    >>> from skscat.scattering import RotoTranslationScattering
    >>> images = np.random.default_rng(0).random((2, 3, 16, 16))
    >>> roto = RotoTranslationScattering(J=2, pooling="mean", log=True, device="cpu")
    >>> roto.fit_transform(images).shape
    (2, 1011)
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseScatteringTransformer._parameter_constraints,
        **_SCALE_CONSTRAINTS,
        "n_angular_scales": [Interval(Integral, 1, None, closed="left")],
        "angular_oversampling": [Interval(Integral, 0, None, closed="left")],
        "order2_averaging_J": [Interval(Integral, 1, None, closed="left"), None],
        "colorspace": [StrOptions({"yuv", "rgb", "gray"})],
        "log": ["boolean"],
        "eps": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, *, J=2, L=8, n_angular_scales=2, angular_oversampling=1, Q=1, convention="kymatio",
                 order2_averaging_J=None, colorspace="yuv", log=False, eps=1e-6, shape=None, pooling=None,
                 device="auto", batch_size=64, verbose=False):
        self.J = J
        self.L = L
        self.n_angular_scales = n_angular_scales
        self.angular_oversampling = angular_oversampling
        self.Q = Q
        self.convention = convention
        self.order2_averaging_J = order2_averaging_J
        self.colorspace = colorspace
        self.log = log
        self.eps = eps
        self.shape = shape
        self.pooling = pooling
        self.device = device
        self.batch_size = batch_size
        self.verbose = verbose

    def _check_image_size(self, image_size):
        check_scattering_params(self.J, image_size, self.L, 2, self.Q, self.convention)
        check_order2_averaging(self.J, image_size, self.order2_averaging_J, self.convention)
        channels = self.image_shape_[0]
        if self.colorspace == "yuv" and channels != 3:
            raise ValueError(f"colorspace='yuv' needs RGB images (3 channels); these have {channels}. "
                             "Use colorspace='rgb' to scatter the channels as they are, or 'gray'.")
        if self.colorspace == "gray" and channels not in (1, 3):
            raise ValueError(f"colorspace='gray' needs 1 or 3 channels; these have {channels}. "
                             "Use colorspace='rgb' to scatter the channels as they are.")

    def _build_module(self, image_size):
        return RotoTranslationScattering2D(J=self.J, shape=image_size, L=self.L,
                                           n_angular_scales=self.n_angular_scales,
                                           angular_oversampling=self.angular_oversampling, Q=self.Q,
                                           convention=self.convention, order2_averaging_J=self.order2_averaging_J)

    def _n_output_channels(self):
        return 1 if self.colorspace == "gray" else self.image_shape_[0]

    def _prepare_images(self, images):
        if self.colorspace == "yuv":
            return rgb_to_yuv(images)
        if self.colorspace == "gray" and images.shape[-3] == 3:
            return rgb_to_gray(images)
        return images

    def _finish_coefficients(self, coefficients):
        return torch.log(coefficients.abs() + self.eps) if self.log else coefficients
