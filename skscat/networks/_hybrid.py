"""Hybrid networks: a fixed scattering front end followed by a learned network.

Oyallon, Belilovsky and Zagoruyko (ICCV 2017; TPAMI 2018). Every network
here starts with :class:`ScatteringFrontEnd`: order-2 Morlet scattering of
each colour channel (no learned parameters), reshaped to ``C * K`` channels
(``K`` paths per colour channel), then ``BatchNorm2d(C * K, affine=False)``.

Channel order of the front end's output: channel ``c * K + p`` is colour
channel ``c`` and scattering path ``p``, with ``p`` indexing the path table
``front_end.scattering.paths`` (kymatio's order: order 0; order 1 by
``(j1, theta1)``; order 2 by ``(j1, theta1, j2, theta2)``).
"""

import itertools
import math

from torch import nn

from ..scattering import Scattering2D
from ..utils import check_image_shape
from ._resnet import residual_trunk

__all__ = ["ScatMLP", "ScatResNet10", "ScatResNet10J4", "ScatWRN", "ScatteringFrontEnd", "SharedLocalEncoder"]


class ScatteringFrontEnd(nn.Module):
    """Scattering of each channel, flattened to ``C * K`` channels, then BN without affine.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of one image; ``2**J <= min(H, W)``.
    J : int
        Number of scales.
    L : int, default=8
        Number of orientations.
    precomputed : bool, default=False
        The input already is scattering coefficients ``(C * K, H', W')``
        (e.g. from :class:`~skscat.scattering.ScatteringTransformer`, computed
        once): only the BatchNorm is applied, ``J`` and ``L`` are unused.

    Attributes
    ----------
    scattering : Scattering2D or None
        The fixed transform (no parameters); ``scattering.paths`` is its path
        table. ``None`` when ``precomputed``.
    n_channels : int
        ``C * K`` output channels (243 for colour images, J=2, L=8).
    output_shape : tuple of int
        ``(C * K, H', W')``.
    bn : torch.nn.BatchNorm2d
        ``affine=False``: it only standardises the coefficients.
    """

    def __init__(self, in_shape, J, L=8, precomputed=False):
        super().__init__()
        channels, height, width = check_image_shape(in_shape, "ScatteringFrontEnd")
        if precomputed:
            self.scattering = None
            self.n_channels, self.output_shape = channels, (channels, height, width)
        else:
            self.scattering = Scattering2D(J=J, shape=(height, width), L=L)
            self.n_channels = channels * self.scattering.n_paths
            self.output_shape = (self.n_channels, *self.scattering.output_shape)
        self.bn = nn.BatchNorm2d(self.n_channels, affine=False)

    def forward(self, x):
        """Scatter the images (unless precomputed) and batch-normalise the channels.

        Parameters
        ----------
        x : torch.Tensor
            Images of shape (N, C, H, W), or scattering coefficients when ``precomputed``.

        Returns
        -------
        torch.Tensor of shape (N, n_channels, H / 2**J, W / 2**J)
            The normalised scattering channels.
        """
        if self.scattering is not None:
            S = self.scattering(x)
            x = S.reshape(S.shape[0], self.n_channels, *S.shape[-2:])
        return self.bn(x)


class ScatWRN(nn.Module):
    """Scattering (J=2) + WRN-12-k trunk, the CIFAR hybrid network.

    Front end (``3 x 81 = 243`` channels at 8x8 for 32x32 colour images),
    then conv3x3 to ``16 k``, BN, ReLU, two blocks of width ``32 k`` and two of
    ``64 k`` (all stride 1), global average pool, linear. ``width=8`` has
    10.8M parameters, as in the paper.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of one image.
    n_classes : int
        Number of logits.
    width : int, default=8
        Widening factor ``k``.
    J : int, default=2
        Scattering scales.
    L : int, default=8
        Scattering orientations.
    precomputed : bool, default=False
        Input is already scattering coefficients, ``in_shape=(C * K, H', W')``
        (see :class:`ScatteringFrontEnd`): compute them once, train faster,
        but no image-space augmentation.

    Attributes
    ----------
    front_end : ScatteringFrontEnd
    trunk : torch.nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import ScatWRN
    >>> net = ScatWRN(in_shape=(3, 32, 32), n_classes=10, width=1)
    >>> net(torch.rand(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(self, *, in_shape, n_classes, width=8, J=2, L=8, precomputed=False):
        super().__init__()
        self.front_end = ScatteringFrontEnd(in_shape, J, L, precomputed)
        groups = [(32 * width, 2, 1), (64 * width, 2, 1)]
        self.trunk = residual_trunk(self.front_end.n_channels, 16 * width, groups, n_classes)

    def forward(self, x):
        """Compute the class scores (logits).

        Parameters
        ----------
        x : torch.Tensor
            Images of shape (N, C, H, W) (scattering coefficients when ``precomputed``).

        Returns
        -------
        torch.Tensor of shape (N, n_classes)
            Logits, one column per class.
        """
        return self.trunk(self.front_end(x))


class ScatResNet10(nn.Module):
    """Scattering (J=3) + ResNet-10 trunk, the ImageNet hybrid network.

    For 224x224 colour images: 651 channels at 28x28, conv3x3 to ``width``
    (256), BN, ReLU, two blocks of ``width``, two of ``2 * width`` (the first
    with stride 2), average pool, linear. 12.8M parameters with 1000 classes.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of one image.
    n_classes : int
        Number of logits.
    width : int, default=256
        Width of the stem and the first group.
    J : int, default=3
        Scattering scales (see :class:`ScatResNet10J4` for J=4).
    L : int, default=8
        Scattering orientations.
    precomputed : bool, default=False
        Input is already scattering coefficients (see :class:`ScatteringFrontEnd`).

    Attributes
    ----------
    front_end : ScatteringFrontEnd
    trunk : torch.nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import ScatResNet10
    >>> net = ScatResNet10(in_shape=(3, 32, 32), n_classes=5, width=8, L=4)
    >>> net(torch.rand(2, 3, 32, 32)).shape
    torch.Size([2, 5])
    """

    def __init__(self, *, in_shape, n_classes, width=256, J=3, L=8, precomputed=False):
        super().__init__()
        self.front_end = ScatteringFrontEnd(in_shape, J, L, precomputed)
        groups = [(width, 2, 1), (2 * width, 2, 2)]
        self.trunk = residual_trunk(self.front_end.n_channels, width, groups, n_classes)

    def forward(self, x):
        """Compute the class scores (logits).

        Parameters
        ----------
        x : torch.Tensor
            Images of shape (N, C, H, W) (scattering coefficients when ``precomputed``).

        Returns
        -------
        torch.Tensor of shape (N, n_classes)
            Logits, one column per class.
        """
        return self.trunk(self.front_end(x))


class ScatResNet10J4(ScatResNet10):
    """:class:`ScatResNet10` with J=4 scattering (1251 channels at 14x14 for 224x224 input).

    Same parameters as :class:`ScatResNet10`, with ``J=4`` by default.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of one image.
    n_classes : int
        Number of logits.
    width : int, default=256
        Width of the stem and the first group.
    J : int, default=4
        Scattering scales.
    L : int, default=8
        Scattering orientations.
    precomputed : bool, default=False
        Input is already scattering coefficients (see :class:`ScatteringFrontEnd`).
    """

    def __init__(self, *, in_shape, n_classes, width=256, J=4, L=8, precomputed=False):
        super().__init__(in_shape=in_shape, n_classes=n_classes, width=width, J=J, L=L, precomputed=precomputed)


def _mlp_head(sizes, n_classes):
    """Flatten, Linear-BN-ReLU layers ``sizes[0] -> sizes[1] -> ...``, then a linear layer to ``n_classes``."""
    layers = [nn.Flatten()]
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [nn.Linear(n_in, n_out, bias=False), nn.BatchNorm1d(n_out), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], n_classes))


class ScatMLP(nn.Module):
    """Scattering + multi-layer perceptron (the talk's "5-layer perceptron", 85 % on CIFAR-10).

    Front end, flatten, ``depth`` hidden layers (Linear-BN-ReLU) of ``width``
    units and a linear output layer: ``depth=4`` gives five linear layers.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of one image.
    n_classes : int
        Number of logits.
    width : int, default=1024
        Hidden units per layer.
    depth : int, default=4
        Number of hidden layers.
    J : int, default=2
        Scattering scales.
    L : int, default=8
        Scattering orientations.
    precomputed : bool, default=False
        Input is already scattering coefficients (see :class:`ScatteringFrontEnd`).

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import ScatMLP
    >>> net = ScatMLP(in_shape=(3, 16, 16), n_classes=10, width=32, L=4)
    >>> net(torch.rand(2, 3, 16, 16)).shape
    torch.Size([2, 10])
    """

    def __init__(self, *, in_shape, n_classes, width=1024, depth=4, J=2, L=8, precomputed=False):
        super().__init__()
        self.front_end = ScatteringFrontEnd(in_shape, J, L, precomputed)
        self.mlp = _mlp_head([math.prod(self.front_end.output_shape)] + [width] * depth, n_classes)

    def forward(self, x):
        """Compute the class scores (logits).

        Parameters
        ----------
        x : torch.Tensor
            Images of shape (N, C, H, W) (scattering coefficients when ``precomputed``).

        Returns
        -------
        torch.Tensor of shape (N, n_classes)
            Logits, one column per class.
        """
        return self.mlp(self.front_end(x))


class SharedLocalEncoder(nn.Module):
    """Scattering (J=4) + Shared Local Encoder: 1x1 convolutions, then fully connected layers.

    The encoder applies the same small network (1x1 convolutions, BN, ReLU)
    to the scattering coefficients at every position; fully connected layers
    (Linear-BN-ReLU) then combine the positions. The widths were not
    published; the defaults (encoder 1024, 512, 128; FC 1024, 1024) are ours.

    The first layer, ``encoder[0]`` (a bias-free ``Conv2d`` with weight of
    shape ``(encoder_widths[0], C * K, 1, 1)``), is the ``W1`` whose Fourier
    transform along ``theta1`` (and ``theta2``) the paper studies. Its input
    channel ``c * K + p`` is colour ``c`` and path ``p`` of
    ``front_end.scattering.paths``.

    Parameters
    ----------
    in_shape : tuple of int
        ``(C, H, W)`` of one image; ``2**J <= min(H, W)``.
    n_classes : int
        Number of logits.
    encoder_widths : tuple of int, default=(1024, 512, 128)
        Output channels of the 1x1 convolutions.
    fc_widths : tuple of int, default=(1024, 1024)
        Hidden units of the fully connected layers.
    J : int, default=4
        Scattering scales.
    L : int, default=8
        Scattering orientations.
    precomputed : bool, default=False
        Input is already scattering coefficients (see :class:`ScatteringFrontEnd`).

    Attributes
    ----------
    front_end : ScatteringFrontEnd
    encoder : torch.nn.Sequential
        ``encoder[0]`` is the first 1x1 convolution ``W1``.
    classifier : torch.nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import SharedLocalEncoder
    >>> net = SharedLocalEncoder(in_shape=(3, 32, 32), n_classes=10, encoder_widths=(16, 8),
    ...                          fc_widths=(32,), L=4)
    >>> tuple(net.encoder[0].weight.shape), net(torch.rand(2, 3, 32, 32)).shape
    ((16, 339, 1, 1), torch.Size([2, 10]))
    """

    def __init__(self, *, in_shape, n_classes, encoder_widths=(1024, 512, 128), fc_widths=(1024, 1024), J=4, L=8,
                 precomputed=False):
        super().__init__()
        self.front_end = ScatteringFrontEnd(in_shape, J, L, precomputed)
        n_in, height, width = self.front_end.output_shape
        layers = []
        for n_out in encoder_widths:
            layers += [nn.Conv2d(n_in, n_out, 1, bias=False), nn.BatchNorm2d(n_out), nn.ReLU(inplace=True)]
            n_in = n_out
        self.encoder = nn.Sequential(*layers)
        self.classifier = _mlp_head([n_in * height * width, *fc_widths], n_classes)

    def forward(self, x):
        """Compute the class scores (logits).

        Parameters
        ----------
        x : torch.Tensor
            Images of shape (N, C, H, W) (scattering coefficients when ``precomputed``).

        Returns
        -------
        torch.Tensor of shape (N, n_classes)
            Logits, one column per class.
        """
        return self.classifier(self.encoder(self.front_end(x)))
