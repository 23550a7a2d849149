"""Multiscale hierarchical CNN (Jacobsen, Oyallon, Mallat, Smeulders 2017).

Each layer turns the channels of the previous one into a new *attribute* axis
and convolves over space and the two most recent attribute axes; the oldest
attribute axis is then averaged out, so the representation always has two
attribute axes (plus space). The design follows the authors' Keras code
(``HierarchicalCNN``): BN + ELU after every convolution, a first block that
lifts the channels into an attribute axis with a 3-D convolution, then
blocks of 4-D convolutions, and a head that averages over space and
attributes before one linear layer.

PyTorch has no 4-D convolution. The 4-D kernels of the paper's code are
separable: a spatial 3x3 kernel shared by every attribute slice, followed by a
kernel over the two attribute axes shared by every spatial position, each
followed by BN + ELU. Both halves are ordinary 2-D convolutions once the axes
they do not act on are folded into the batch dimension (see
:class:`HierarchicalLayer`).
"""

import math
import numbers

from torch import nn

from ..utils import check_image_shape

__all__ = ["HierarchicalCNN", "HierarchicalEquivalentCNN", "HierarchicalLayer"]

_BN_EPS = 1e-3  # Keras' default, used by the paper's code.


def _conv_bn_elu(conv, n_out, batch_norm=nn.BatchNorm2d):
    return nn.Sequential(conv, batch_norm(n_out, eps=_BN_EPS), nn.ELU(alpha=1.0))


def _halve(n):
    """Length of an axis after a stride-2 convolution with 'same' padding."""
    return math.ceil(n / 2)


class HierarchicalLayer(nn.Module):
    """One hierarchical layer: a separable 4-D convolution, then an average.

    Input ``(N, A, B, H, W)``: ``A`` the older and ``B`` the newer attribute
    axis. Output ``(N, ceil(B / 2), width, H', W')``: the old ``B`` axis
    (subsampled by 2) becomes the older axis and the ``width`` output channels
    the newest one, after ``A`` has been averaged out.

    1. Spatial part: the same 3x3 convolution ``1 -> hidden_width`` (spatial
       stride ``stride``) on every one of the ``A * B`` attribute slices, then
       BN + ELU. A convolution whose kernel has extent 1 along both attribute
       axes computes each slice independently of the others, exactly like a
       batch of independent images, so the slices are folded into the batch
       dimension: ``(N * A * B, 1, H, W)``. BatchNorm over the ``hidden_width``
       channels then averages over (N, A, B, H', W'), as in the paper's code.
    2. Attribute part: a convolution over ``(A, B)`` with kernel
       ``attribute_kernel``, stride 2 on both, ``hidden_width -> width``
       channels, shared by every spatial position, then BN + ELU. Its kernel
       has extent 1 along x and y, so positions are independent and are
       folded into the batch dimension: ``(N * H' * W', hidden, A, B)``.
    3. The mean over the subsampled ``A`` axis removes the oldest attribute.

    Parameters
    ----------
    width : int
        Output channels of the attribute convolution (length of the new axis).
    hidden_width : int
        Channels of the spatial convolution.
    attribute_kernel : tuple of (int, int)
        Kernel over (older, newer) attribute axes; odd sizes ('same' padding).
    stride : int
        Spatial stride (1 or 2).

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import HierarchicalLayer
    >>> layer = HierarchicalLayer(16, 32, (7, 11), stride=2)
    >>> layer(torch.zeros(2, 8, 16, 32, 32)).shape
    torch.Size([2, 8, 16, 16, 16])
    """

    def __init__(self, width, hidden_width, attribute_kernel, stride=1):
        super().__init__()
        ka, kb = attribute_kernel
        spatial = nn.Conv2d(1, hidden_width, 3, stride=stride, padding=1, bias=False)
        attribute = nn.Conv2d(hidden_width, width, (ka, kb), stride=2, padding=(ka // 2, kb // 2), bias=False)
        self.spatial = _conv_bn_elu(spatial, hidden_width)
        self.attribute = _conv_bn_elu(attribute, width)

    def forward(self, x):
        """Apply the layer: spatial convolution, then convolution along the attributes.

        Parameters
        ----------
        x : torch.Tensor
            Features of shape (N, A, B, H, W): two attribute axes and the image plane.

        Returns
        -------
        torch.Tensor of shape (N, B2, width, H2, W2)
            The oldest attribute axis averaged out, a new one appended.
        """
        n, a, b, h, w = x.shape
        y = self.spatial(x.reshape(n * a * b, 1, h, w))  # (n a b, hidden, h2, w2)
        hidden, h2, w2 = y.shape[1:]
        y = y.reshape(n, a, b, hidden, h2, w2).permute(0, 4, 5, 3, 1, 2)
        y = self.attribute(y.reshape(n * h2 * w2, hidden, a, b))  # (n h2 w2, width, a2, b2)
        y = y.mean(dim=2)  # average out the oldest attribute axis
        width, b2 = y.shape[1:]
        return y.reshape(n, h2, w2, width, b2).permute(0, 4, 3, 1, 2).contiguous()


class _AttributeLift(nn.Module):
    """The channels of the stem become attribute axis v1; a 3-D convolution adds v2.

    ``(N, C, H, W)`` is read as a one-channel volume ``(N, 1, C, H, W)``; the
    :class:`~torch.nn.Conv3d` over (v1, x, y) with kernel ``(k, 3, 3)`` and
    stride ``(2, 1, 1)`` gives ``(N, width, ceil(C / 2), H, W)``, returned as
    ``(N, ceil(C / 2), width, H, W)`` = (v1, v2).
    """

    def __init__(self, width, kernel):
        super().__init__()
        conv = nn.Conv3d(1, width, (kernel, 3, 3), stride=(2, 1, 1), padding=(kernel // 2, 1, 1), bias=False)
        self.conv = _conv_bn_elu(conv, width, nn.BatchNorm3d)

    def forward(self, x):
        return self.conv(x.unsqueeze(1)).transpose(1, 2).contiguous()


def _check_positive_int(**values):
    for name, value in values.items():
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}={value!r} is invalid: pass a positive integer.")


def _check_architecture(attribute_kernel, block_strides):
    kernel = tuple(attribute_kernel) if isinstance(attribute_kernel, (tuple, list)) else ()
    if len(kernel) != 2 or not all(isinstance(k, numbers.Integral) and k >= 1 and k % 2 for k in kernel):
        raise ValueError(
            f"attribute_kernel={attribute_kernel!r} is invalid: pass two odd positive integers, "
            "e.g. (7, 11), the kernel over the (older, newer) attribute axes."
        )
    strides = tuple(block_strides) if isinstance(block_strides, (tuple, list)) else ()
    if not strides or any(s not in (1, 2) for s in strides):
        raise ValueError(
            f"block_strides={block_strides!r} is invalid: pass a non-empty sequence of 1s and 2s, "
            "one spatial stride per block, e.g. (2, 1, 2, 1)."
        )
    return kernel, strides


def _check_hierarchical(network, in_shape, n_classes, width, hidden_width, attribute_kernel, block_strides,
                        layers_per_block):
    """Validate the arguments shared by both networks.

    Returns ``(in_channels, hidden_width, attribute_kernel, block_strides)``,
    with ``hidden_width=None`` resolved to ``2 * width``.
    """
    hidden_width = 2 * width if hidden_width is None else hidden_width
    _check_positive_int(n_classes=n_classes, width=width, hidden_width=hidden_width,
                        layers_per_block=layers_per_block)
    kernel, strides = _check_architecture(attribute_kernel, block_strides)
    return check_image_shape(in_shape, network)[0], hidden_width, kernel, strides


def _layer_strides(block_strides, layers_per_block):
    """Spatial stride of every hierarchical layer: the first block's layer, then the blocks."""
    strides = [1]
    for stride in block_strides:
        strides += [stride] + [1] * (layers_per_block - 1)
    return strides


def _probe_names(layers):
    """Names of the submodules whose outputs are the successive layers, for forward hooks."""
    return ("stem", "lift") + tuple(f"layers.{i}" for i in range(len(layers)))


class HierarchicalCNN(nn.Module):
    """Multiscale hierarchical CNN, as in the authors' Keras code for CIFAR-10.

    Layout (every convolution without bias and followed by BN + ELU)::

        stem:   conv 3x3, in_channels -> width                  (N, width, H, W)
        lift:   channels -> axis v1; Conv3d over (v1, x, y),
                kernel (attribute_kernel[1], 3, 3), stride (2, 1, 1)
                                                                (N, ceil(width/2), width, H, W)
        layers: 1 + len(block_strides) * layers_per_block HierarchicalLayer
                (the first block's one, then the blocks; the first layer of
                block i has spatial stride block_strides[i])
        head:   mean over space and the older attribute axis, linear width -> n_classes

    The default configuration is the paper's CIFAR-10 network (v_j=16, 7x11
    attribute kernels, 4 blocks of 2 layers, stride 2 in blocks 1 and 3):
    360,522 parameters (the paper's "0.36M"; 359,594 convolution and linear
    weights plus 928 BatchNorm scales and shifts).

    Memory: the spatial convolutions run on ``N * A * B`` one-channel images
    (``N * 8 * 16`` at the default width), i.e. ``A * B * hidden_width`` =
    4096 feature maps per image at full resolution; use small batches.

    Parameters
    ----------
    in_shape : tuple of (int, int, int), default=(3, 32, 32)
        Shape ``(C, H, W)`` of one input image (only ``C`` shapes the
        network; :class:`~skscat.networks.TorchCNNClassifier` passes it).
    n_classes : int, default=10
        Number of outputs.
    width : int, default=16
        Channels of the stem and of every attribute convolution (v_j in the
        paper's code); the representation has ``ceil(width/2) * width``
        features per position.
    hidden_width : int or None, default=None
        Channels of the spatial convolutions; ``None`` means ``2 * width``.
    attribute_kernel : tuple of (int, int), default=(7, 11)
        Kernel over the (older, newer) attribute axes; the lift's kernel along
        v1 is ``attribute_kernel[1]``. Odd sizes.
    block_strides : sequence of {1, 2}, default=(2, 1, 2, 1)
        Spatial stride of each block (its length is the number of blocks).
    layers_per_block : int, default=2
        Hierarchical layers per block.

    Attributes
    ----------
    probe_names : tuple of str
        Names of the submodules whose outputs are the successive layers
        (``"stem"``, ``"lift"``, ``"layers.0"``, ...), for forward hooks.

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import HierarchicalCNN
    >>> net = HierarchicalCNN()
    >>> sum(p.numel() for p in net.parameters())
    360522
    >>> small = HierarchicalCNN(width=4, attribute_kernel=(3, 3), block_strides=(2,)).eval()
    >>> small(torch.zeros(2, 3, 16, 16)).shape
    torch.Size([2, 10])
    """

    def __init__(
        self,
        *,
        in_shape=(3, 32, 32),
        n_classes=10,
        width=16,
        hidden_width=None,
        attribute_kernel=(7, 11),
        block_strides=(2, 1, 2, 1),
        layers_per_block=2,
    ):
        super().__init__()
        in_channels, hidden_width, kernel, strides = _check_hierarchical(
            "HierarchicalCNN", in_shape, n_classes, width, hidden_width, attribute_kernel, block_strides,
            layers_per_block,
        )
        stem = nn.Conv2d(in_channels, width, 3, padding=1, bias=False)
        self.stem = _conv_bn_elu(stem, width)
        self.lift = _AttributeLift(width, kernel[1])
        self.layers = nn.Sequential(*(
            HierarchicalLayer(width, hidden_width, kernel, stride)
            for stride in _layer_strides(strides, layers_per_block)
        ))
        self.classifier = nn.Linear(width, n_classes)
        self.probe_names = _probe_names(self.layers)
        _init_convolutions(self)

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
        y = self.layers(self.lift(self.stem(x)))  # (N, A, width, H', W')
        return self.classifier(y.mean(dim=(1, 3, 4)))


class HierarchicalEquivalentCNN(nn.Module):
    """The ordinary CNN with the depth and widths of a :class:`HierarchicalCNN`.

    Same parameters, same number of layers, strides, BN + ELU and head; every
    layer is a plain 3x3 :class:`~torch.nn.Conv2d` whose output has as many
    channels as the hierarchical layer has features per position: ``width``
    after the stem, then ``ceil(width/2) * width`` (128 at the default
    width) for the lift and every hierarchical layer. Where the hierarchical
    network ties weights along its attribute axes (convolutions), this one
    connects every channel to every channel: 1,349,850 parameters in the
    default configuration against 360,522.

    Parameters
    ----------
    in_shape : tuple of (int, int, int), default=(3, 32, 32)
        As in :class:`HierarchicalCNN`.
    n_classes : int, default=10
        As in :class:`HierarchicalCNN`.
    width : int, default=16
        As in :class:`HierarchicalCNN`.
    hidden_width : int or None, default=None
        Accepted for a like-for-like call and checked, but an ordinary CNN
        has no use for it.
    attribute_kernel : tuple of (int, int), default=(7, 11)
        Accepted and checked, like ``hidden_width``.
    block_strides : sequence of {1, 2}, default=(2, 1, 2, 1)
        As in :class:`HierarchicalCNN`.
    layers_per_block : int, default=2
        As in :class:`HierarchicalCNN`.

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import HierarchicalEquivalentCNN
    >>> sum(p.numel() for p in HierarchicalEquivalentCNN().parameters())
    1349850
    """

    def __init__(
        self,
        *,
        in_shape=(3, 32, 32),
        n_classes=10,
        width=16,
        hidden_width=None,
        attribute_kernel=(7, 11),
        block_strides=(2, 1, 2, 1),
        layers_per_block=2,
    ):
        super().__init__()
        # hidden_width and attribute_kernel are only checked: a plain CNN has no use for them.
        in_channels, _, _, strides = _check_hierarchical(
            "HierarchicalEquivalentCNN", in_shape, n_classes, width, hidden_width, attribute_kernel, block_strides,
            layers_per_block,
        )
        features = _halve(width) * width
        self.stem = _conv_bn_elu(nn.Conv2d(in_channels, width, 3, padding=1, bias=False), width)
        self.lift = _conv_bn_elu(nn.Conv2d(width, features, 3, padding=1, bias=False), features)
        self.layers = nn.Sequential(*(
            _conv_bn_elu(nn.Conv2d(features, features, 3, stride=stride, padding=1, bias=False), features)
            for stride in _layer_strides(strides, layers_per_block)
        ))
        self.classifier = nn.Linear(features, n_classes)
        self.probe_names = _probe_names(self.layers)
        _init_convolutions(self)

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
        return self.classifier(self.layers(self.lift(self.stem(x))).mean(dim=(2, 3)))


def _init_convolutions(module):
    for sub in module.modules():
        if isinstance(sub, (nn.Conv2d, nn.Conv3d)):
            nn.init.kaiming_normal_(sub.weight, mode="fan_out")
