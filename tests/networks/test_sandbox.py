"""The sandbox CNN: parameter counts, shapes, probes and its non-linearities."""

import pickle

import pytest
import torch
from torch import nn

from skscat.networks import PartialReLU, SandboxCNN, SignSqrt, n_rectified_channels


def n_params(module):
    return sum(p.numel() for p in module.parameters())


def capture(net, x):
    """Inputs and outputs of every probed non-linearity, in depth order."""
    seen = []
    hooks = [
        net.get_submodule(name).register_forward_hook(lambda m, i, o: seen.append((i[0], o)))
        for name in net.probe_names
    ]
    with torch.no_grad():
        net(x)
    for hook in hooks:
        hook.remove()
    return seen


@pytest.mark.parametrize(("K", "expected"), [(512, 28_330_506), (32, 111_786), (16, 28_250)])
def test_parameter_count(K, expected):
    # 27 K (stem) + 12 * 9 K^2 (blocks) + 10 (K + 1) (linear): the paper's 28M at K=512.
    assert n_params(SandboxCNN(K=K)) == expected == 27 * K + 108 * K * K + 10 * (K + 1)


def test_no_conv_bias_and_no_batchnorm_affine():
    net = SandboxCNN(K=8)
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    norms = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    assert len(convs) == 13 and all(c.bias is None for c in convs)
    assert len(norms) == 13 and not any(n.affine for n in norms)
    assert [c.stride for c in convs].count((2, 2)) == 2


@pytest.mark.parametrize("size", [(32, 32), (24, 40)])
def test_forward_shape(size):
    net = SandboxCNN(K=8, n_classes=7, in_shape=(1, *size)).eval()
    assert net(torch.randn(3, 1, *size)).shape == (3, 7)


def test_probes_are_the_12_block_nonlinearities():
    net = SandboxCNN(K=8).eval()
    assert len(net.probe_names) == len(set(net.probe_names)) == 12
    outputs = [o for _, o in capture(net, torch.randn(2, 3, 32, 32))]
    assert [o.shape[-1] for o in outputs] == [32] * 4 + [16] * 4 + [8] * 4
    assert all(o.shape[:2] == (2, 8) for o in outputs)


@pytest.mark.parametrize(("K", "expected"), [(16, [0, 2, 5, 8, 11, 14, 16]), (10, [0, 1, 3, 5, 7, 9, 10])])
def test_rectified_channel_counts(K, expected):
    ratios = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1]
    assert [n_rectified_channels(r, K) for r in ratios] == expected


def test_rounding_is_half_up():
    assert n_rectified_channels(0.5, 5) == 3  # Python's round(2.5) would give 2
    assert n_rectified_channels(0.25, 10) == 3


def test_partial_relu_rectifies_exactly_the_first_k_channels():
    x = torch.randn(4, 6, 5, 5)
    y = PartialReLU(2)(x)
    assert torch.equal(y[:, :2], torch.relu(x[:, :2]))
    assert torch.equal(y[:, 2:], x[:, 2:])
    assert torch.equal(PartialReLU(0)(x), x)
    assert torch.equal(PartialReLU(6)(x), torch.relu(x))


@pytest.mark.parametrize("ratio", [0.0, 0.3, 1.0])
def test_partial_relu_in_every_block_layer(ratio):
    net = SandboxCNN(K=10, relu_ratio=ratio).eval()
    k = n_rectified_channels(ratio, 10)
    assert net.n_rectified == k
    for before, after in capture(net, torch.randn(2, 3, 16, 16)):
        assert (before < 0).any() and (before > 0).any()
        assert torch.equal(after[:, :k], torch.relu(before[:, :k]))
        assert torch.equal(after[:, k:], before[:, k:])


def test_stem_is_a_full_relu_unless_same():
    assert SandboxCNN(K=8, relu_ratio=0.25).stem[2].n_rectified == 8
    assert SandboxCNN(K=8, relu_ratio=0.25, stem_nonlinearity="same").stem[2].n_rectified == 2
    assert isinstance(SandboxCNN(K=8, nonlinearity="signsqrt", stem_nonlinearity="same").stem[2], SignSqrt)


def test_signsqrt_values():
    x = torch.tensor([-4.0, -1.0, 0.0, 0.25, 9.0])
    assert torch.allclose(SignSqrt(eps=0.0)(x), torch.tensor([-2.1, -1.1, 0.0, 0.6, 3.1]))
    expected = torch.sign(x) * (torch.sqrt(x.abs() + 1e-5) + 0.1)
    assert torch.equal(SignSqrt()(x), expected)


def test_signsqrt_jumps_at_zero_with_finite_gradient():
    x = torch.tensor([-1e-12, 0.0, 1e-12], requires_grad=True)
    y = SignSqrt()(x)
    assert (y[2] - y[0]).item() == pytest.approx(0.2 + 2 * 1e-5**0.5, rel=1e-4)
    y.sum().backward()
    assert torch.isfinite(x.grad).all()


def test_signsqrt_network_uses_it_everywhere_in_blocks():
    net = SandboxCNN(K=8, nonlinearity="signsqrt").eval()
    for before, after in capture(net, torch.randn(2, 3, 16, 16)):
        assert torch.equal(after, SignSqrt()(before))


def test_callable_nonlinearities():
    net = SandboxCNN(K=8, nonlinearity=torch.tanh).eval()
    for before, after in capture(net, torch.randn(2, 3, 16, 16)):
        assert torch.equal(after, torch.tanh(before))
    shared = nn.PReLU()
    net = SandboxCNN(K=8, nonlinearity=shared)
    modules = [net.get_submodule(n) for n in net.probe_names]
    assert all(isinstance(m, nn.PReLU) and m is not shared for m in modules)
    assert len({id(m.weight) for m in modules}) == 12
    assert isinstance(SandboxCNN(K=8, nonlinearity=nn.GELU).group1.block1.rho1, nn.GELU)


def test_dropout_only_in_training():
    net = SandboxCNN(K=8, dropout=0.4)
    x = torch.randn(2, 3, 16, 16)
    net.eval()
    assert torch.equal(net(x), net(x))
    net.train()
    assert not torch.equal(net(x), net(x))
    assert sum(isinstance(m, nn.Dropout) and m.p == 0.4 for m in net.modules()) == 6


def test_gradients_reach_every_convolution():
    net = SandboxCNN(K=8, nonlinearity="signsqrt")
    net(torch.randn(4, 3, 16, 16)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in net.parameters())


def test_pickles():
    net = SandboxCNN(K=8, relu_ratio=0.5).eval()
    copy = pickle.loads(pickle.dumps(net))
    x = torch.randn(2, 3, 16, 16)
    assert torch.equal(net(x), copy(x))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"K": 0}, "K=0"),
        ({"relu_ratio": 1.5}, "relu_ratio=1.5"),
        ({"nonlinearity": "signsqrt", "relu_ratio": 0.5}, "only applies to nonlinearity='relu'"),
        ({"nonlinearity": "tanh"}, "nonlinearity='tanh'"),
        ({"stem_nonlinearity": "gelu"}, "stem_nonlinearity='gelu'"),
        ({"dropout": 1.0}, "dropout=1.0"),
        ({"in_shape": (3072,)}, r"in_shape=\(C, H, W\)"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SandboxCNN(**{"K": 8, **kwargs})
