"""Hybrid scattering networks, residual baselines and the network registry."""

import io

import pytest
import torch
from torch import nn

from skscat.networks import (
    MLP,
    ScatMLP,
    ScatResNet10,
    ScatResNet10J4,
    ScatteringFrontEnd,
    ScatWRN,
    SharedLocalEncoder,
    SmallCNN,
    WideResNet,
    get_network,
    list_networks,
    register_network,
)
from skscat.scattering import scattering_paths

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _n_params(module):
    return sum(p.numel() for p in module.parameters())


def _on_meta(cls, **kwargs):
    """Build without allocating weights (parameter counts only)."""
    with torch.device("meta"):
        return cls(**kwargs)


def _n_paths(J, L=8):
    return len(scattering_paths(J, L)["order"])


# -- parameter counts (the papers' figures) ------------------------------------------------------


def test_scat_wrn_8_has_10_8_million_parameters():
    n = _n_params(_on_meta(ScatWRN, in_shape=(3, 32, 32), n_classes=10, width=8))
    assert n == pytest.approx(10.8e6, rel=0.005)


def test_wrn_16_8_has_11_0_million_parameters():
    n = _n_params(_on_meta(WideResNet, in_shape=(3, 32, 32), n_classes=10, depth=16, width=8))
    assert n == pytest.approx(11.0e6, rel=0.005)


def test_scat_resnet10_has_12_8_million_parameters():
    # The scattering has no parameters, so the trunk on 3 x 217 = 651 channels at 28x28 is the whole count.
    assert 3 * _n_paths(3) == 651
    net = _on_meta(ScatResNet10, in_shape=(651, 28, 28), n_classes=1000, precomputed=True)
    assert _n_params(net) == pytest.approx(12.8e6, rel=0.005)
    j4 = _on_meta(ScatResNet10J4, in_shape=(3 * _n_paths(4), 14, 14), n_classes=1000, precomputed=True)
    assert j4.trunk[0].in_channels == 1251


def test_precomputed_and_full_networks_have_the_same_parameters():
    full = ScatWRN(in_shape=(3, 16, 16), n_classes=10, width=1, L=4)
    pre = ScatWRN(in_shape=full.front_end.output_shape, n_classes=10, width=1, precomputed=True)
    assert [p.shape for p in full.parameters()] == [p.shape for p in pre.parameters()]


# -- forward shapes ----------------------------------------------------------------------------------


TINY = [
    (MLP, (3, 8, 8), {}),
    (SmallCNN, (3, 8, 8), {"width": 2}),
    (WideResNet, (3, 16, 16), {"depth": 10, "width": 1}),
    (ScatWRN, (3, 16, 16), {"width": 1, "L": 2}),
    (ScatResNet10, (3, 16, 16), {"width": 4, "J": 2, "L": 2}),
    (ScatResNet10J4, (1, 16, 16), {"width": 4, "L": 2}),
    (ScatMLP, (3, 16, 16), {"width": 8, "L": 2}),
    (SharedLocalEncoder, (3, 16, 16), {"encoder_widths": (8, 4), "fc_widths": (8,), "L": 2}),
]


@pytest.mark.parametrize(("cls", "in_shape", "params"), TINY, ids=[c.__name__ for c, _, _ in TINY])
def test_forward_shape(cls, in_shape, params):
    net = cls(in_shape=in_shape, n_classes=7, **params)
    assert net(torch.rand(3, *in_shape)).shape == (3, 7)


def test_front_end_output_shape_and_channels():
    front = ScatteringFrontEnd((3, 32, 32), J=2)
    assert front.n_channels == 243 and front.output_shape == (243, 8, 8)
    assert front(torch.rand(2, 3, 32, 32)).shape == (2, 243, 8, 8)


def test_front_end_channel_order_is_colour_major():
    front = ScatteringFrontEnd((3, 16, 16), J=2, L=2).eval()  # BN with its initial statistics: x / sqrt(1 + eps)
    x = torch.rand(2, 3, 16, 16)
    S = front.scattering(x)
    K = front.scattering.n_paths
    out = front(x) * (1 + front.bn.eps) ** 0.5
    torch.testing.assert_close(out[:, 2 * K + 5], S[:, 2, 5])


def test_sle_first_layer_is_encoder_0():
    net = SharedLocalEncoder(in_shape=(3, 16, 16), n_classes=4, encoder_widths=(6, 4), fc_widths=(8,), J=2, L=4)
    first = net.encoder[0]
    assert isinstance(first, nn.Conv2d) and first.kernel_size == (1, 1) and first.bias is None
    assert first.weight.shape == (6, 3 * net.front_end.scattering.n_paths, 1, 1)


# -- gradients -------------------------------------------------------------------------------------------


def test_gradients_reach_the_trunk_not_the_scattering():
    net = ScatWRN(in_shape=(3, 16, 16), n_classes=3, width=1, L=2)
    assert list(net.front_end.parameters()) == []
    assert all(not b.requires_grad for b in net.front_end.buffers())
    x = torch.rand(4, 3, 16, 16, requires_grad=True)
    net(x).square().sum().backward()
    for name, param in net.trunk.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name
    assert x.grad is not None and x.grad.abs().sum() > 0  # the scattering is differentiable


# -- errors -----------------------------------------------------------------------------------------------


def test_vectors_are_rejected_by_image_networks():
    with pytest.raises(ValueError, match=r"ScatteringFrontEnd needs images, in_shape=\(C, H, W\)"):
        ScatWRN(in_shape=(100,), n_classes=2)


def test_too_small_images_for_J():
    with pytest.raises(ValueError, match="too small for J=3"):
        ScatResNet10(in_shape=(3, 4, 4), n_classes=2, width=2)


def test_wrong_image_size_at_forward():
    net = ScatWRN(in_shape=(3, 16, 16), n_classes=2, width=1, L=2)
    with pytest.raises(ValueError, match=r"built for images of shape \(16, 16\)"):
        net(torch.rand(1, 3, 32, 32))


def test_wrn_depth_must_be_6n_plus_4():
    with pytest.raises(ValueError, match="depth=12 is invalid"):
        WideResNet(in_shape=(3, 32, 32), n_classes=10, depth=12)


# -- registry ----------------------------------------------------------------------------------------------


def test_registry_names():
    names = list_networks()
    for name in ("mlp", "small_cnn", "wrn", "scat_wrn", "scat_resnet10", "scat_resnet10_j4", "scat_mlp", "scat_sle"):
        assert name in names
    assert get_network("scat_wrn") is ScatWRN
    with pytest.raises(ValueError, match="not a registered network"):
        get_network("nope")


def test_a_name_cannot_be_taken_twice():
    register_network("scat_wrn", ScatWRN)  # same class: no-op
    with pytest.raises(ValueError, match="already registered for ScatWRN"):
        register_network("scat_wrn", WideResNet)


# -- devices -----------------------------------------------------------------------------------------------


@pytest.mark.gpu
def test_cpu_saved_network_loads_on_cuda_and_back():
    net = ScatWRN(in_shape=(3, 16, 16), n_classes=3, width=1, L=2).eval()
    x = torch.rand(2, 3, 16, 16)
    expected = net(x)
    buffer = io.BytesIO()
    torch.save(net.state_dict(), buffer)
    on_gpu = ScatWRN(in_shape=(3, 16, 16), n_classes=3, width=1, L=2).cuda().eval()
    on_gpu.load_state_dict(torch.load(io.BytesIO(buffer.getvalue()), map_location="cuda"))
    torch.testing.assert_close(on_gpu(x.cuda()).cpu(), expected, rtol=2e-3, atol=2e-3)  # TF32 convolutions
    torch.testing.assert_close(on_gpu.cpu()(x), expected, rtol=1e-5, atol=1e-6)
