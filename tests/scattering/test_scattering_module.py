"""Scattering2D: shapes, dtypes, devices, gradients and the transform's stability properties."""

import numpy as np
import pytest
import torch

from skscat.scattering import Scattering2D, scattering_paths
from skscat.scattering.filter_bank import (
    filter_bank,
    periodize_filter_fft,
    reflect_pad_indices,
)

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def _rand(*shape, dtype=torch.float64, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


@pytest.mark.parametrize("J, L, max_order, expected", [(1, 8, 2, 9), (2, 8, 2, 81), (3, 8, 2, 217),
                                                       (4, 8, 2, 417), (2, 6, 1, 13), (3, 3, 2, 37)])
def test_number_of_paths(J, L, max_order, expected):
    assert Scattering2D(J, (2**J, 2**J), L=L, max_order=max_order).n_paths == expected
    assert len(scattering_paths(J, L, max_order)["order"]) == expected


@pytest.mark.parametrize("shape, J, out", [((32, 32), 2, (8, 8)), ((45, 37), 3, (5, 4)), ((28, 44), 2, (7, 11)),
                                           ((16, 16), 4, (1, 1)), ((17, 9), 3, (2, 1))])
def test_any_leading_dims_and_sizes(shape, J, out):
    module = Scattering2D(J, shape, L=4)
    x = _rand(2, 3, 1, *shape)
    S = module(x)
    assert S.shape == (2, 3, 1, module.n_paths, *out) and module.output_shape == out
    assert module(x[0, 0, 0]).shape == (module.n_paths, *out)
    torch.testing.assert_close(module(x[1, 2]), S[1, 2])


def test_float32_and_float64_agree():
    module = Scattering2D(2, (24, 24), L=8)
    x = _rand(3, 24, 24)
    S64 = module(x)
    S32 = module(x.float())
    assert S32.dtype == torch.float32 and S64.dtype == torch.float64
    assert (S32.double() - S64).abs().max() <= 1e-5 * S64.abs().max()


def test_gradcheck_float64():
    module = Scattering2D(2, (4, 5), L=2)  # orders 0, 1 and 2 on a tiny non-square image
    x = _rand(1, 4, 5).requires_grad_()
    assert torch.autograd.gradcheck(module, (x,), eps=1e-6, atol=1e-6)


def test_no_parameters_and_filters_follow_the_module():
    module = Scattering2D(2, (16, 16))
    assert list(module.parameters()) == []
    assert module.state_dict() == {}  # filters are rebuilt, not saved
    module.double()
    assert all(buffer.dtype in (torch.float64, torch.int64) for buffer in module.buffers())


def test_translation_changes_output_far_less_than_input():
    """A shift of a few pixels is a large change of the image, a small one of S_J x (J averages 2**J pixels)."""
    rng = np.random.default_rng(0)
    # A smooth periodic-free image: blurred noise, so the shift is not a near-identity.
    base = torch.from_numpy(rng.standard_normal((96, 96))).unsqueeze(0).unsqueeze(0)
    smooth = torch.nn.functional.avg_pool2d(base, 5, stride=1, padding=2)[0, 0]
    x = smooth[16:80, 16:80]
    shifted = smooth[16 + 2 : 80 + 2, 16 + 1 : 80 + 1]
    module = Scattering2D(4, (64, 64), L=8)
    input_change = (shifted - x).norm() / x.norm()
    S, S_shifted = module(x), module(shifted)
    output_change = (S_shifted - S).norm() / S.norm()
    assert input_change > 0.3
    assert output_change < 0.2 * input_change


def test_energy_is_dominated_by_low_orders():
    x = _rand(1, 32, 32)
    module = Scattering2D(3, (32, 32))
    S = module(x)[0]
    order = torch.from_numpy(module.paths["order"])
    energy = [float((S[order == m] ** 2).sum()) for m in (0, 1, 2)]
    assert energy[0] > energy[1] > energy[2] > 0


@pytest.mark.parametrize("device", DEVICES)
def test_runs_on_every_device(device):
    module = Scattering2D(2, (16, 16)).to(device)
    S = module(_rand(2, 16, 16, dtype=torch.float32).to(device))
    assert S.device.type == device and torch.isfinite(S).all()


@pytest.mark.gpu
def test_cuda_matches_cpu():
    x = _rand(4, 3, 32, 32)
    cpu = Scattering2D(3, (32, 32))
    torch.testing.assert_close(cpu.to("cuda")(x.cuda()).cpu(), Scattering2D(3, (32, 32))(x), rtol=1e-9, atol=1e-12)


def test_reflect_padding_indices_follow_kymatio():
    np.testing.assert_array_equal(reflect_pad_indices(4, 2, 2), [2, 1, 0, 1, 2, 3, 2, 1])
    # Padding as large as the axis: reflect by one less, then repeat the second samples.
    np.testing.assert_array_equal(reflect_pad_indices(4, 4, 4), [2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1])


def test_periodize_keeps_the_low_frequency_band():
    spectrum = np.arange(64.0).reshape(8, 8)
    cropped = periodize_filter_fft(spectrum, 1)
    np.testing.assert_array_equal(cropped, spectrum[np.ix_([0, 1, 6, 7], [0, 1, 6, 7])])


def test_filters_have_zero_mean_and_bounded_littlewood_paley_sum():
    bank = filter_bank(64, 64, J=3, L=8)
    psi = np.concatenate([levels[0] for levels in bank["psi"]])
    assert np.abs(psi[:, 0, 0]).max() < 1e-5  # zero mean: psi_hat(0) = 0
    littlewood_paley = (psi**2).sum(0) + bank["phi"][0] ** 2
    assert littlewood_paley.max() < 2.0 and bank["phi"][0][0, 0] == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("kwargs, message", [
    ({"J": 0, "shape": (8, 8)}, "J=0 is invalid"),
    ({"J": 4, "shape": (8, 8)}, "too small for J=4"),
    ({"J": 1, "shape": (8, 8), "L": 0}, "L=0 is invalid"),
    ({"J": 1, "shape": (8, 8), "max_order": 3}, "max_order=3 is invalid"),
])
def test_bad_parameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Scattering2D(**kwargs)


def test_bad_input_tensor():
    module = Scattering2D(1, (8, 8))
    with pytest.raises(ValueError, match=r"built for images of shape \(8, 8\).*shape=\(9, 8\)"):
        module(torch.zeros(1, 9, 8))
    with pytest.raises(TypeError, match="float32 or float64"):
        module(torch.zeros(1, 8, 8, dtype=torch.int64))
