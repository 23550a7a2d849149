"""The multiscale hierarchical CNN: parameter counts, shapes, and the n-D convolutions."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from skscat.networks import (
    HierarchicalCNN,
    HierarchicalEquivalentCNN,
    HierarchicalLayer,
)

SMALL = {"width": 4, "attribute_kernel": (3, 3), "block_strides": (2, 1)}


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def test_default_parameter_count_is_the_papers():
    # Keras code: 432 + 1,584 + 9 * (288 + 39,424) + 170 weights, plus 928 BatchNorm gammas/betas.
    assert n_params(HierarchicalCNN()) == 360_522
    assert n_params(HierarchicalEquivalentCNN()) == 1_349_850


@pytest.mark.parametrize("width", [4, 8, 16])
def test_parameter_count_formula(width):
    hidden, (ka, kb), n_layers = 2 * width, (7, 11), 9
    layer = 9 * hidden + 2 * hidden + ka * kb * hidden * width + 2 * width
    expected = 27 * width + 2 * width + 9 * kb * width + 2 * width + n_layers * layer + 10 * width + 10
    assert n_params(HierarchicalCNN(width=width)) == expected


def test_depth_follows_blocks():
    net = HierarchicalCNN(block_strides=(2, 1, 2), layers_per_block=3)
    assert len(net.layers) == 1 + 3 * 3
    strides = [layer.spatial[0].stride for layer in net.layers]
    assert strides == [(1, 1), (2, 2), (1, 1), (1, 1), (1, 1), (1, 1), (1, 1), (2, 2), (1, 1), (1, 1)]
    assert len(HierarchicalEquivalentCNN(block_strides=(2, 1, 2), layers_per_block=3).layers) == 10


def test_probe_shapes_default_configuration():
    net = HierarchicalCNN().eval()
    shapes = {}
    for name in net.probe_names:
        net.get_submodule(name).register_forward_hook(lambda m, i, o, name=name: shapes.update({name: o.shape}))
    with torch.no_grad():
        assert net(torch.randn(1, 3, 16, 16)).shape == (1, 10)
    assert shapes["stem"] == (1, 16, 16, 16)
    assert shapes["lift"] == (1, 8, 16, 16, 16)  # (N, v1, v2, x, y)
    assert shapes["layers.0"] == (1, 8, 16, 16, 16)
    assert shapes["layers.1"] == (1, 8, 16, 8, 8)  # block 1: stride 2
    assert shapes["layers.5"] == (1, 8, 16, 4, 4)  # block 3: stride 2
    assert shapes["layers.8"] == (1, 8, 16, 4, 4)


@pytest.mark.parametrize("cls", [HierarchicalCNN, HierarchicalEquivalentCNN])
def test_forward_shape_other_inputs(cls):
    net = cls(in_shape=(1, 12, 20), n_classes=5, **SMALL).eval()
    assert net(torch.randn(2, 1, 12, 20)).shape == (2, 5)


def _randomise_batchnorm(module):
    for bn in module.modules():
        if isinstance(bn, nn.modules.batchnorm._BatchNorm):
            bn.running_mean.uniform_(-1, 1)
            bn.running_var.uniform_(0.5, 2)
            nn.init.uniform_(bn.weight, 0.5, 2)
            nn.init.uniform_(bn.bias, -1, 1)


def _bn(bn, y):
    """Eval-mode BatchNorm over dimension 1 of a tensor of any rank."""
    return F.batch_norm(y, bn.running_mean, bn.running_var, bn.weight, bn.bias, False, 0.0, bn.eps)


def _reference_layer(layer, x, stride):
    """The same layer as two Conv3d calls on the unfolded axes: no folding into the batch."""
    n, a, b, h, w = x.shape
    conv_s, bn_s = layer.spatial[0], layer.spatial[1]
    # A 4-D kernel of extent (1, 1, 3, 3) over (A, B, x, y) is a 3-D kernel (1, 3, 3) over (A*B, x, y).
    y = F.conv3d(x.reshape(n, 1, a * b, h, w), conv_s.weight.unsqueeze(2), stride=(1, stride, stride), padding=(0, 1, 1))
    y = F.elu(_bn(bn_s, y))  # (n, hidden, A*B, h2, w2)
    hidden, _, h2, w2 = y.shape[1:]
    conv_a, bn_a = layer.attribute[0], layer.attribute[1]
    ka, kb = conv_a.kernel_size
    # A 4-D kernel of extent (ka, kb, 1, 1) is a 3-D kernel (ka, kb, 1) over (A, B, positions).
    y = F.conv3d(y.reshape(n, hidden, a, b, h2 * w2), conv_a.weight.unsqueeze(-1), stride=(2, 2, 1),
                 padding=(ka // 2, kb // 2, 0))
    y = F.elu(_bn(bn_a, y)).mean(dim=2)  # average out the oldest attribute: (n, width, B', P)
    width, b2 = y.shape[1:3]
    return y.reshape(n, width, b2, h2, w2).transpose(1, 2)


@pytest.mark.parametrize("stride", [1, 2])
def test_layer_matches_a_direct_nd_convolution(stride):
    layer = HierarchicalLayer(width=6, hidden_width=5, attribute_kernel=(3, 5), stride=stride)
    _randomise_batchnorm(layer)
    layer.eval()
    x = torch.randn(2, 4, 6, 9, 7, dtype=torch.float64)
    layer.double()
    with torch.no_grad():
        got, expected = layer(x), _reference_layer(layer, x, stride)
    assert got.shape == (2, 3, 6, 9 if stride == 1 else 5, 7 if stride == 1 else 4)
    torch.testing.assert_close(got, expected)


def test_attribute_convolution_is_shared_across_positions():
    # Translating the input along x translates the output (circularly away from borders).
    layer = HierarchicalLayer(width=4, hidden_width=3, attribute_kernel=(3, 3)).eval()
    x = torch.zeros(1, 2, 4, 9, 9)
    x[..., 3, 3] = torch.randn(2, 4)
    shifted = torch.roll(x, shifts=2, dims=3)
    with torch.no_grad():
        torch.testing.assert_close(torch.roll(layer(x), shifts=2, dims=3), layer(shifted))


def test_gradients_reach_every_parameter():
    net = HierarchicalCNN(**SMALL)
    net(torch.randn(3, 3, 8, 8)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"attribute_kernel": (4, 11)}, r"attribute_kernel=\(4, 11\)"),
        ({"attribute_kernel": 7}, "attribute_kernel=7"),
        ({"block_strides": (3,)}, r"block_strides=\(3,\)"),
        ({"block_strides": ()}, "block_strides"),
        ({"width": 0}, "width=0"),
        ({"in_shape": (10,)}, r"in_shape=\(C, H, W\)"),
    ],
)
@pytest.mark.parametrize("cls", [HierarchicalCNN, HierarchicalEquivalentCNN])
def test_bad_parameters(cls, kwargs, match):
    with pytest.raises(ValueError, match=match):
        cls(**kwargs)
