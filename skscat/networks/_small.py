"""Tiny default networks: a perceptron for vectors and a small CNN for images."""

import itertools
import math

from torch import nn

from ..utils import check_image_shape

__all__ = ["MLP", "SmallCNN"]


class MLP(nn.Module):
    """Multi-layer perceptron on flattened input.

    Parameters
    ----------
    in_shape : tuple of int
        Shape of one sample; it is flattened.
    n_classes : int
        Number of outputs (logits).
    width : int, default=64
        Hidden units per layer.
    depth : int, default=1
        Number of hidden layers (Linear + ReLU).

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import MLP
    >>> MLP(in_shape=(4,), n_classes=3)(torch.zeros(2, 4)).shape
    torch.Size([2, 3])
    """

    def __init__(self, *, in_shape, n_classes, width=64, depth=1):
        super().__init__()
        sizes = [math.prod(in_shape)] + [width] * depth
        layers = [nn.Flatten()]
        for n_in, n_out in itertools.pairwise(sizes):
            layers += [nn.Linear(n_in, n_out), nn.ReLU(inplace=True)]
        layers.append(nn.Linear(sizes[-1], n_classes))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        """Compute the class scores (logits).

        Parameters
        ----------
        x : torch.Tensor
            Inputs of shape (N, ...), flattened to (N, n_features).

        Returns
        -------
        torch.Tensor of shape (N, n_classes)
            Logits, one column per class.
        """
        return self.layers(x)


class SmallCNN(nn.Module):
    """Two 3x3 convolutions with BatchNorm, global average pooling, linear.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)``.
    n_classes : int
        Number of outputs (logits).
    width : int, default=16
        Channels of the first convolution (the second has ``2 * width``).

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import SmallCNN
    >>> SmallCNN(in_shape=(3, 8, 8), n_classes=10)(torch.zeros(2, 3, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, *, in_shape, n_classes, width=16):
        super().__init__()
        channels = check_image_shape(in_shape, "SmallCNN")[0]
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, 2 * width, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.classifier = nn.Linear(2 * width, n_classes)

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
