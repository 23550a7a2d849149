"""Residual building blocks, the hybrid networks' trunks, and the WRN baseline.

``BasicBlock`` is the post-activation block of the hybrid networks' code
(conv-BN-ReLU-conv-BN plus shortcut, then ReLU). ``WideResNet`` is the
pre-activation WRN-d-k of Zagoruyko and Komodakis (2016), the end-to-end
baseline of the small-data experiments.
"""

from torch import nn

from ..utils import check_image_shape

__all__ = ["BasicBlock", "WideResNet", "residual_trunk"]


def _conv3x3(n_in, n_out, stride=1):
    return nn.Conv2d(n_in, n_out, 3, stride=stride, padding=1, bias=False)


def _shortcut(n_in, n_out, stride):
    """Identity, or a 1x1 convolution (+ BN when ``bn``) when the shape changes."""
    if stride == 1 and n_in == n_out:
        return nn.Identity()
    return nn.Sequential(nn.Conv2d(n_in, n_out, 1, stride=stride, bias=False), nn.BatchNorm2d(n_out))


class BasicBlock(nn.Module):
    """Post-activation residual block: ``relu(bn(conv(relu(bn(conv(x))))) + shortcut(x))``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output channels.
    stride : int, default=1
        Stride of the first convolution (and of the 1x1 shortcut).
    """

    def __init__(self, n_in, n_out, stride=1):
        super().__init__()
        self.conv1 = _conv3x3(n_in, n_out, stride)
        self.bn1 = nn.BatchNorm2d(n_out)
        self.conv2 = _conv3x3(n_out, n_out)
        self.bn2 = nn.BatchNorm2d(n_out)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = _shortcut(n_in, n_out, stride)

    def forward(self, x):
        """Apply the two 3x3 convolutions and add the shortcut.

        Parameters
        ----------
        x : torch.Tensor
            Input of shape (N, n_in, H, W).

        Returns
        -------
        torch.Tensor of shape (N, n_out, H / stride, W / stride)
            The block output.
        """
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


def residual_trunk(n_in, stem_width, groups, n_classes):
    """Stem conv-BN-ReLU, groups of ``BasicBlock``, global average pool, linear.

    Parameters
    ----------
    n_in : int
        Input channels (e.g. the 3 x 81 scattering channels).
    stem_width : int
        Output channels of the 3x3 stem convolution.
    groups : list of (width, n_blocks, stride)
        Each group's width, number of blocks and the stride of its first block.
    n_classes : int
        Number of logits.

    Returns
    -------
    torch.nn.Sequential
    """
    layers = [_conv3x3(n_in, stem_width), nn.BatchNorm2d(stem_width), nn.ReLU(inplace=True)]
    width = stem_width
    for group_width, n_blocks, stride in groups:
        for block in range(n_blocks):
            layers.append(BasicBlock(width, group_width, stride if block == 0 else 1))
            width = group_width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, n_classes)]
    return nn.Sequential(*layers)


class _PreActBlock(nn.Module):
    """WRN block: ``conv(relu(bn(conv(relu(bn(x)))))) + shortcut``."""

    def __init__(self, n_in, n_out, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(n_in)
        self.conv1 = _conv3x3(n_in, n_out, stride)
        self.bn2 = nn.BatchNorm2d(n_out)
        self.conv2 = _conv3x3(n_out, n_out)
        self.relu = nn.ReLU(inplace=True)
        same = stride == 1 and n_in == n_out
        self.shortcut = None if same else nn.Conv2d(n_in, n_out, 1, stride=stride, bias=False)

    def forward(self, x):
        out = self.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(out)
        out = self.conv2(self.relu(self.bn2(self.conv1(out))))
        return out + skip


class WideResNet(nn.Module):
    """Wide residual network WRN-``depth``-``width`` (pre-activation), for CIFAR-sized images.

    Three groups of ``(depth - 4) / 6`` blocks of widths 16k, 32k, 64k
    (strides 1, 2, 2) after a 3x3 stem of 16 channels; BN-ReLU, global
    average pool, linear. WRN-16-8 has 10.96M parameters (the paper's 11.0M).

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of one image.
    n_classes : int
        Number of logits.
    depth : int, default=16
        ``6 n + 4`` layers.
    width : int, default=8
        Widening factor ``k``.

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import WideResNet
    >>> net = WideResNet(in_shape=(3, 32, 32), n_classes=10, depth=10, width=1)
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(self, *, in_shape, n_classes, depth=16, width=8):
        super().__init__()
        in_shape = check_image_shape(in_shape, "WideResNet")
        if depth < 10 or (depth - 4) % 6:
            raise ValueError(f"depth={depth!r} is invalid for a WideResNet: use depth = 6n + 4 with n >= 1 (10, 16, 22, 28...).")
        n_blocks = (depth - 4) // 6
        widths = [16, 16 * width, 32 * width, 64 * width]
        layers = [_conv3x3(in_shape[0], widths[0])]
        for n_in, n_out, stride in zip(widths[:-1], widths[1:], (1, 2, 2)):
            layers += [_PreActBlock(n_in if b == 0 else n_out, n_out, stride if b == 0 else 1) for b in range(n_blocks)]
        layers += [nn.BatchNorm2d(widths[-1]), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(widths[-1], n_classes)

    def forward(self, x):
        """Compute the class scores (logits).

        Parameters
        ----------
        x : torch.Tensor
            Images of shape (N, C, H, W).

        Returns
        -------
        torch.Tensor of shape (N, n_classes)
            Logits, one column per class.
        """
        return self.classifier(self.features(x))
