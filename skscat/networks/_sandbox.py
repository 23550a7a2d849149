"""The width-K "sandbox" CNN of Oyallon (CVPR 2017) and its non-linearities.

Thirteen plain 3x3 convolutions of width ``K`` (no pooling layers, no residual
connections, no biases), batch normalisation without learned affine, dropout
after each block, global average pooling and one linear layer. The
non-linearity is a parameter, to study how much of it a deep network needs:
ReLU on only the first ``k`` of the ``K`` channels ("partial ReLU"), the
discontinuous, non-contractive ``sign(x) (sqrt|x| + 0.1)``, or any callable.
"""

import copy
import math
import numbers
from collections import OrderedDict

import torch
from torch import nn

from ..utils import check_image_shape

__all__ = ["PartialReLU", "SandboxCNN", "SignSqrt", "n_rectified_channels"]

_NONLINEARITIES = ("relu", "signsqrt")


def n_rectified_channels(relu_ratio, K):
    """Number of channels a partial ReLU of ratio ``relu_ratio`` rectifies.

    ``k = floor(relu_ratio * K + 0.5)``: the ratio times the width, rounded
    half up (not Python's round-half-to-even), so ``0.5 * 5`` gives 3. The
    paper's code used ``floor(relu_ratio * K)``; the two differ by at most one
    channel (at K=16: ratio 0.1 gives 2 here and 1 there, 0.3 gives 5 and 4).

    Parameters
    ----------
    relu_ratio : float
        Fraction of rectified channels, in [0, 1].
    K : int
        Number of channels.

    Returns
    -------
    int
        ``k``, between 0 and ``K``.

    Examples
    --------
    >>> from skscat.networks import n_rectified_channels
    >>> [n_rectified_channels(r, 16) for r in (0, 0.1, 0.3, 0.5, 1)]
    [0, 2, 5, 8, 16]
    """
    # The small slack absorbs binary round-off such as 0.7 * 10 = 7.000000000000001.
    return min(K, max(0, math.floor(relu_ratio * K + 0.5 + 1e-9)))


class PartialReLU(nn.Module):
    """ReLU on the first ``n_rectified`` channels, the identity on the others.

    Parameters
    ----------
    n_rectified : int
        Number of leading channels (dimension 1) that are rectified; ``0`` is
        the identity and ``n_rectified >= C`` a full ReLU.

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import PartialReLU
    >>> PartialReLU(1)(torch.tensor([[-1.0, -2.0]]))
    tensor([[ 0., -2.]])
    """

    def __init__(self, n_rectified):
        super().__init__()
        self.n_rectified = int(n_rectified)

    def forward(self, x):
        """Rectify the first ``n_rectified`` channels, pass the others through.

        Parameters
        ----------
        x : torch.Tensor
            Input of shape (N, K, ...).

        Returns
        -------
        torch.Tensor
            Same shape as ``x``.
        """
        k = self.n_rectified
        if k <= 0:
            return x
        if k >= x.shape[1]:
            return torch.relu(x)
        return torch.cat([torch.relu(x[:, :k]), x[:, k:]], dim=1)

    def extra_repr(self):
        return f"n_rectified={self.n_rectified}"


class SignSqrt(nn.Module):
    """The point-wise ``rho(x) = sign(x) (sqrt(|x| + eps) + offset)``.

    Discontinuous at 0 (it jumps from ``-offset`` to ``+offset``) and not
    contractive, yet the sandbox CNN still learns with it (89 % on CIFAR-10 in
    the paper). ``sign(0) = 0``, so ``rho(0) = 0``.

    Parameters
    ----------
    offset : float, default=0.1
        The jump added to ``sqrt(|x|)``.
    eps : float, default=1e-5
        Added under the square root, as in the paper's code, so the gradient
        stays finite near 0 (it is at most ``1 / (2 sqrt(eps))``). ``eps=0``
        gives the textbook formula (forward only: its gradient at 0 is NaN).

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import SignSqrt
    >>> SignSqrt(eps=0.0)(torch.tensor([-4.0, 0.0, 0.25]))
    tensor([-2.1000,  0.0000,  0.6000])
    """

    def __init__(self, offset=0.1, eps=1e-5):
        super().__init__()
        self.offset = float(offset)
        self.eps = float(eps)

    def forward(self, x):
        """Apply ``sign(x) * (sqrt(|x| + eps) + offset)`` elementwise.

        Parameters
        ----------
        x : torch.Tensor
            Any input.

        Returns
        -------
        torch.Tensor
            Same shape as ``x``.
        """
        return torch.sign(x) * (torch.sqrt(x.abs() + self.eps) + self.offset)

    def extra_repr(self):
        return f"offset={self.offset}, eps={self.eps}"


class _Elementwise(nn.Module):
    """Wrap a plain callable (a function of a tensor) as a module, for hooks."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def forward(self, x):
        return self.function(x)

    def extra_repr(self):
        return getattr(self.function, "__qualname__", repr(self.function))


def _make_rho(nonlinearity, n_rectified):
    """A fresh non-linearity module (one per layer, so each can be hooked)."""
    if isinstance(nonlinearity, str):
        return PartialReLU(n_rectified) if nonlinearity == "relu" else SignSqrt()
    if isinstance(nonlinearity, nn.Module):
        return copy.deepcopy(nonlinearity)
    if isinstance(nonlinearity, type) and issubclass(nonlinearity, nn.Module):
        return nonlinearity()
    return _Elementwise(nonlinearity)


def _check_params(K, in_shape, n_classes, nonlinearity, relu_ratio, stem_nonlinearity, dropout):
    for name, value in (("K", K), ("n_classes", n_classes)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name}={value!r} is invalid: pass a positive integer.")
    if not (callable(nonlinearity) or nonlinearity in _NONLINEARITIES):
        raise ValueError(
            f"nonlinearity={nonlinearity!r} is invalid: pass 'relu', 'signsqrt', "
            "a torch.nn.Module (instance or class) or a function of a tensor."
        )
    if not isinstance(relu_ratio, numbers.Real) or not 0 <= relu_ratio <= 1:
        raise ValueError(f"relu_ratio={relu_ratio!r} is invalid: pass a number in [0, 1].")
    if relu_ratio != 1 and not (isinstance(nonlinearity, str) and nonlinearity == "relu"):
        raise ValueError(
            f"relu_ratio={relu_ratio!r} only applies to nonlinearity='relu' (got "
            f"nonlinearity={nonlinearity!r}): leave relu_ratio=1.0."
        )
    if stem_nonlinearity not in ("relu", "same"):
        raise ValueError(f"stem_nonlinearity={stem_nonlinearity!r} is invalid: pass 'relu' or 'same'.")
    if not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise ValueError(f"dropout={dropout!r} is invalid: pass a drop probability in [0, 1).")
    return check_image_shape(in_shape, "SandboxCNN")[0]


class SandboxCNN(nn.Module):
    """The 13-layer width-``K`` sandbox CNN of Oyallon (CVPR 2017).

    Layout (all convolutions 3x3, padding 1, no bias; every ``bn`` is a
    :class:`~torch.nn.BatchNorm2d` without learned affine, eps 1e-3 as in the
    paper's code)::

        stem:   conv 3 -> K, bn, rho
        group1: block1, block2                      (32 x 32 for CIFAR)
        group2: block1 (first conv stride 2), block2  (16 x 16)
        group3: block1 (first conv stride 2), block2  (8 x 8)
        block:  conv1 K -> K, bn1, rho1, conv2 K -> K, bn2, rho2, dropout
        head:   global average pooling, linear K -> n_classes (with bias)

    Parameter count ``27 K + 12 * 9 K**2 + (K + 1) * n_classes``: 28,311,552 +
    13,824 + 5,130 = 28,330,506 at K=512 (the paper's "28M") and 111,786 at
    K=32. The paper's 8x8 average pooling is a global mean here, so other
    input sizes work.

    Parameters
    ----------
    K : int, default=512
        Width (channels) of every convolution.
    in_shape : tuple of (int, int, int), default=(3, 32, 32)
        Shape ``(C, H, W)`` of one input image (only ``C`` shapes the
        network; :class:`~skscat.networks.TorchCNNClassifier` passes it).
    n_classes : int, default=10
        Number of outputs of the linear layer.
    nonlinearity : {"relu", "signsqrt"}, torch.nn.Module, type or callable, default="relu"
        ``rho`` after each of the 12 block convolutions. ``"relu"`` is a
        :class:`PartialReLU` of ratio ``relu_ratio``; ``"signsqrt"`` is
        :class:`SignSqrt`. A module instance is deep-copied for each layer, a
        module class is instantiated without arguments for each layer, and any
        other callable (a function of a tensor, returning a tensor of the same
        shape) is wrapped in a module. Use a module-level function, not a
        lambda, if the network must be pickled.
    relu_ratio : float, default=1.0
        With ``nonlinearity="relu"``: the ReLU acts on the first
        ``k = n_rectified_channels(relu_ratio, K)`` channels (``relu_ratio * K``
        rounded half up) and the identity on the other ``K - k``.
    stem_nonlinearity : {"relu", "same"}, default="relu"
        ``rho`` after the first convolution: a full ReLU whatever
        ``nonlinearity`` is, as in the paper's code, or ``"same"`` as the blocks.
    dropout : float, default=0.4
        Drop probability after each block (the paper's keep probability 0.6).

    Attributes
    ----------
    probe_names : tuple of str
        The 12 block non-linearities in depth order, ``"group{g}.block{b}.rho{i}"``
        (g in 1..3, b in 1..2, i in 1..2): submodule names whose outputs a
        forward hook captures (before dropout).
    n_rectified : int
        ``k``, the rectified channels per block layer (``K`` unless partial).

    Examples
    --------
    >>> import torch
    >>> from skscat.networks import SandboxCNN
    >>> net = SandboxCNN(K=8, relu_ratio=0.5).eval()
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    >>> net.probe_names[0], net.probe_names[-1]
    ('group1.block1.rho1', 'group3.block2.rho2')
    >>> net.get_submodule("group2.block1.rho2")
    PartialReLU(n_rectified=4)
    """

    def __init__(
        self,
        *,
        K=512,
        in_shape=(3, 32, 32),
        n_classes=10,
        nonlinearity="relu",
        relu_ratio=1.0,
        stem_nonlinearity="relu",
        dropout=0.4,
    ):
        super().__init__()
        in_channels = _check_params(K, in_shape, n_classes, nonlinearity, relu_ratio, stem_nonlinearity, dropout)
        self.K = int(K)
        self.n_rectified = n_rectified_channels(relu_ratio, K) if nonlinearity == "relu" else self.K

        def rho():
            return _make_rho(nonlinearity, self.n_rectified)

        stem_rho = PartialReLU(self.K) if stem_nonlinearity == "relu" else rho()
        self.stem = nn.Sequential(_conv(in_channels, K, 1), _bn(K), stem_rho)
        for g, stride in enumerate((1, 2, 2), start=1):
            blocks = [(f"block{b}", _block(K, stride if b == 1 else 1, rho, dropout)) for b in (1, 2)]
            self.add_module(f"group{g}", nn.Sequential(OrderedDict(blocks)))
        self.classifier = nn.Linear(K, n_classes)
        self.probe_names = tuple(
            f"group{g}.block{b}.rho{i}" for g in (1, 2, 3) for b in (1, 2) for i in (1, 2)
        )
        self.reset_parameters()

    def reset_parameters(self):
        """Initialise the convolutions (He normal, fan out) and the linear layer."""
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
        self.classifier.reset_parameters()

    def features(self, x):
        """Compute the K-channel map before average pooling.

        Parameters
        ----------
        x : torch.Tensor
            Images of shape (N, C, H, W).

        Returns
        -------
        torch.Tensor of shape (N, K, H / 4, W / 4)
            The last group's output.
        """
        return self.group3(self.group2(self.group1(self.stem(x))))

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
        return self.classifier(self.features(x).mean(dim=(2, 3)))


def _conv(n_in, n_out, stride):
    return nn.Conv2d(n_in, n_out, 3, stride=stride, padding=1, bias=False)


def _bn(n):
    return nn.BatchNorm2d(n, eps=1e-3, affine=False)


def _block(K, stride, rho, dropout):
    layers = [
        ("conv1", _conv(K, K, stride)), ("bn1", _bn(K)), ("rho1", rho()),
        ("conv2", _conv(K, K, 1)), ("bn2", _bn(K)), ("rho2", rho()),
        ("dropout", nn.Dropout(dropout)),
    ]
    return nn.Sequential(OrderedDict(layers))
