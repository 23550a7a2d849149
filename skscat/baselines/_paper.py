"""The CVPR 2015 protocol's settings, ScatNetLight's preprocessing and the scattering of each plane.

Oyallon & Mallat (CVPR 2015), as ScatNetLight runs it: RGB pixels (0..255)
to BT.709 Y'UV (greyscale images: Y = the image, U = V = 0), each plane
resized by MATLAB's bicubic ``imresize`` to its own size (aspect ratio not
kept), scattered on its own, the coefficients of the planes concatenated.
"""

from dataclasses import dataclass, replace

import numpy as np
import torch

from skscat.datasets import imresize
from skscat.scattering import (
    RotoTranslationScattering,
    ScatteringTransformer,
    rgb_to_yuv,
)

__all__ = [
    "REPRESENTATIONS",
    "SETTINGS",
    "PaperSetting",
    "PlaneGroup",
    "describe_operators",
    "paper_planes",
    "representation",
]

REPRESENTATIONS = ("translation", "roto-translation")
CONVENTIONS = ("auto", "kymatio", "scatnet")


@dataclass(frozen=True)
class PlaneGroup:
    """Planes (0 = Y, 1 = U, 2 = V) resized to one ``size`` and scattered with one operator."""

    planes: tuple
    size: int
    J: int
    #: Scale of the order-2 low-pass when it differs from J: ScatNetLight's Caltech colour operator copies its
    #: third layer from the Y operator, so U/V order 2 is averaged at the Y plane's J (a 1x1 grid at 64x64).
    order2_J: int = None


@dataclass(frozen=True)
class PaperSetting:
    """What the paper fixes for one data set."""

    dataset: str
    groups: tuple
    n_atoms_per_class: int
    n_rounds: int
    published: dict

    def scaled(self, image_size=None, J=None):
        """The setting with the Y plane at ``image_size`` and scale ``J``; the other groups follow.

        Each group keeps its size ratio and its scale offset to the Y group
        (Caltech: U/V at a quarter of Y's side and J - 2), as ScatNetLight
        derives the colour operator from the Y one.
        """
        first = self.groups[0]
        size = first.size if image_size is None else int(image_size)
        J = first.J if J is None else int(J)
        groups = []
        for group in self.groups:
            side = max(1, round(group.size * size / first.size))
            order2_J = None if group.order2_J is None else J - (first.J - group.order2_J)
            groups.append(replace(group, size=side, J=J - (first.J - group.J), order2_J=order2_J))
        for group in groups:
            if group.J < 1 or 2 ** max(group.J, group.order2_J or 0) > group.size:
                raise ValueError(
                    f"image_size={size}, J={J} give the {_plane_names(group)} planes "
                    f"{group.size} x {group.size} "
                    f"pixels with J={group.J}"
                    + (f" (order 2 at J={group.order2_J})" if group.order2_J else "")
                    + "; each needs 1 <= J and 2**J <= its side. Choose a larger "
                    "--image-size or another -J."
                )
        return replace(self, groups=tuple(groups))


_CIFAR = (PlaneGroup((0, 1, 2), 64, 4),)
#: The paper's settings (ScatNetLight's create_config_*.m): plane sizes and J, OLS atoms per class x rounds.
SETTINGS = {
    "cifar10": PaperSetting("cifar10", _CIFAR, 200, 2, {"roto-translation": 82.3, "translation": 80.3}),
    "cifar100": PaperSetting("cifar100", _CIFAR, 20, 2, {"roto-translation": 56.8}),
    "caltech101": PaperSetting(
        "caltech101",
        (PlaneGroup((0,), 256, 6), PlaneGroup((1, 2), 64, 4, order2_J=6)),
        30,
        5,
        {"roto-translation": 79.9},
    ),
}


def _plane_names(group):
    return "/".join("YUV"[p] for p in group.planes)


def _yuv(image):
    """(C, H, W) uint8 -> (3, H, W) float64 Y'UV on the 0..255 scale (BT.709, ScatNetLight's rgb2yuv)."""
    pixels = np.asarray(image, dtype=np.float64)
    if pixels.shape[0] == 1:  # ScatNetLight: a greyscale image is Y, with U = V = 0
        return np.concatenate([pixels, np.zeros((2, *pixels.shape[1:]))])
    return rgb_to_yuv(torch.from_numpy(pixels)).numpy()


def paper_planes(images, groups):
    """ScatNetLight's input of the scattering: Y'UV planes, each group resized to its size.

    Parameters
    ----------
    images : sequence of ndarray of shape (C, H, W), uint8
        RGB (C = 3) or greyscale (C = 1) images, any sizes.
    groups : sequence of PlaneGroup

    Returns
    -------
    list of ndarray of shape (n_images, len(group.planes), size, size), float32
        One array per group, pixels on the 0..255 scale.
    """
    out = [np.empty((len(images), len(g.planes), g.size, g.size), dtype=np.float32) for g in groups]
    for i, image in enumerate(images):
        yuv = _yuv(image)
        for array, group in zip(out, groups):
            array[i] = imresize(yuv[list(group.planes)], (group.size, group.size))
    return out


_CLASSES = {"translation": ScatteringTransformer, "roto-translation": RotoTranslationScattering}


def resolve_convention(kind, convention):
    """``"auto"``: ScatNetLight's conventions (both transformers have them); otherwise ``convention``."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention={convention!r} is not known. Use one of {list(CONVENTIONS)}.")
    if kind not in _CLASSES:
        raise ValueError(f"representation={kind!r} is not known. Use one of {list(REPRESENTATIONS)}.")
    return "scatnet" if convention == "auto" else convention


def _convention_params(convention, group):
    """ScatNetLight's conventions: Q = 2 wavelets per octave, and for the colour operator
    (Caltech's U/V) order 2 averaged at ``group.order2_J`` (``order2_averaging_J``: ScatNetLight
    copies the colour operator's third layer from the luma one, for both representations)."""
    if convention == "kymatio":
        return {"convention": "kymatio"}
    params = {"convention": "scatnet", "Q": 2}
    if group.order2_J is not None:
        params["order2_averaging_J"] = group.order2_J
    return params


def representation(kind, group, *, convention, device="auto", batch_size=16):
    """The unfitted scattering transformer of one plane group.

    Parameters
    ----------
    kind : {"translation", "roto-translation"}
    group : PlaneGroup
    convention : {"kymatio", "scatnet"}
        Filter conventions (resolved by :func:`resolve_convention`).
    device : str, default="auto"
    batch_size : int, default=16

    Returns
    -------
    ScatteringTransformer or RotoTranslationScattering
        Applied to (n, len(group.planes), size, size) arrays, every plane on its own.
    """
    cls = _CLASSES[kind]
    params = {"J": group.J, "L": 8, "device": device, "batch_size": batch_size}
    if kind == "roto-translation":
        params["colorspace"] = "rgb"  # the planes are already Y, U, V: scatter them as they are
    params.update(_convention_params(convention, group))
    return cls(**params)


def n_reduced_features(setting, n_classes):
    """Columns after OLS: atoms per class x classes x rounds."""
    return setting.n_atoms_per_class * n_classes * setting.n_rounds


def describe_operators(groups, transformers):
    """What each plane group is scattered with: 'Y 256x256 J=6 Q=2; U/V 64x64 J=4 Q=2, order 2 at J=6'."""
    parts = []
    for group, transformer in zip(groups, transformers):
        params = transformer.get_params()
        text = f"{_plane_names(group)} {group.size}x{group.size} J={group.J} Q={params.get('Q', 1)}"
        order2 = params.get("order2_averaging_J")
        parts.append(text + (f", order 2 at J={order2}" if order2 else ""))
    return "; ".join(parts)
