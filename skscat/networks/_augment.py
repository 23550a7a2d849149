"""Data augmentation on image tensors, on whatever device they live on.

The random draws come from a CPU :class:`torch.Generator`, so a fit gives
the same crops and flips on CPU and on CUDA.
"""

import torch
import torch.nn.functional as F

__all__ = ["random_crop_flip"]


def random_crop_flip(x, generator, *, padding=4, flip=True):
    """Random crop with reflect padding and random horizontal flip.

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, H, W)
        Image batch, on any device.
    generator : torch.Generator
        CPU generator for the random offsets and flips.
    padding : int, default=4
        Pad each side by ``padding`` pixels (reflect mode), then crop back to
        ``(H, W)`` at a random offset; ``padding < min(H, W)`` (reflect
        padding cannot exceed the image). ``0`` disables cropping.
    flip : bool, default=True
        Flip each image left-right with probability 1/2.

    Returns
    -------
    torch.Tensor of shape (B, C, H, W)
    """
    batch, _, _height, _width = x.shape
    if padding > 0:
        x = _random_crop(x, generator, int(padding))
    if flip:
        flips = torch.rand(batch, generator=generator) < 0.5
        flips = flips.to(x.device).view(batch, 1, 1, 1)
        x = torch.where(flips, x.flip(-1), x)
    return x


def _random_crop(x, generator, pad):
    batch, _, height, width = x.shape
    padded = F.pad(x, (pad, pad, pad, pad), mode="reflect")
    offsets = torch.randint(0, 2 * pad + 1, (2, batch), generator=generator).to(x.device)
    rows = offsets[0, :, None] + torch.arange(height, device=x.device)
    cols = offsets[1, :, None] + torch.arange(width, device=x.device)
    index = torch.arange(batch, device=x.device)[:, None, None]
    # (B, H, W, C) after advanced indexing on the spatial axes.
    crops = padded.permute(0, 2, 3, 1)[index, rows[:, :, None], cols[:, None, :]]
    return crops.permute(0, 3, 1, 2).contiguous()
