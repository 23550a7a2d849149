"""Colour conversions applied before scattering (BT.709, as in Oyallon & Mallat 2015)."""

import torch

__all__ = ["rgb_to_gray", "rgb_to_yuv"]

_LUMA = (0.2126, 0.7152, 0.0722)


def rgb_to_gray(images):
    """Compute the BT.709 luma of RGB images.

    Parameters
    ----------
    images : Tensor, shape (..., 3, H, W)
        RGB images.

    Returns
    -------
    Tensor, shape (..., 1, H, W)
        The luma channel.
    """
    r, g, b = _rgb(images).unbind(-3)
    return (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b).unsqueeze(-3)


def rgb_to_yuv(images):
    """BT.709 Y'UV of RGB images: ``U = .436 (B - Y) / (1 - .0722)``, ``V = .615 (R - Y) / (1 - .2126)``.

    Parameters
    ----------
    images : Tensor, shape (..., 3, H, W)
        RGB images.

    Returns
    -------
    Tensor, shape (..., 3, H, W)
        Channels Y, U, V.

    Examples
    --------
    >>> import torch
    >>> from skscat.scattering import rgb_to_yuv
    >>> white = torch.ones(3, 1, 1)
    >>> torch.allclose(rgb_to_yuv(white).flatten(), torch.tensor([1.0, 0.0, 0.0]), atol=1e-6)
    True
    """
    y = rgb_to_gray(images).squeeze(-3)
    r, _, b = _rgb(images).unbind(-3)
    u = 0.436 * (b - y) / (1 - _LUMA[2])
    v = 0.615 * (r - y) / (1 - _LUMA[0])
    return torch.stack([y, u, v], dim=-3)


def _rgb(images):
    """Refuse anything but a tensor with 3 channels on axis -3."""
    if not torch.is_tensor(images):
        raise TypeError(f"images must be a torch.Tensor of shape (..., 3, H, W), got {type(images).__name__}; "
                        "use torch.as_tensor(images).")
    if images.ndim < 3 or images.shape[-3] != 3:
        raise ValueError(f"images of shape {tuple(images.shape)} are not RGB: the colour conversions need 3 "
                         "channels on axis -3, shape (..., 3, H, W).")
    return images
