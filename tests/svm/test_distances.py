"""The package's one squared-distance computation, at every finite scale."""

import numpy as np
import pytest
import torch

from skscat.utils import scaled_squared_distances, squared_distances, squared_norms
from skscat.utils._distances import scale_exponent, times_power_of_two


def _points(dtype):
    generator = torch.Generator().manual_seed(0)
    A = torch.randn(6, 5, generator=generator, dtype=torch.float64)
    B = torch.randn(4, 5, generator=generator, dtype=torch.float64)
    return A, B, torch.cdist(A, B) ** 2


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("scale", [1e-30, 1e-20, 1.0, 1e19, 1e20, 1e30])
def test_scaled_distances_are_right_at_any_scale(dtype, scale):
    A, B, reference = _points(dtype)
    D, exponent = scaled_squared_distances((A * scale).to(dtype), (B * scale).to(dtype))
    assert torch.isfinite(D).all()
    unscaled = D.double() * 4.0**exponent / scale**2
    rtol = 1e-5 if dtype == torch.float32 else 1e-12
    np.testing.assert_allclose(unscaled.numpy(), reference.numpy(), rtol=rtol)


def test_float64_distances_in_original_units_at_1e20():
    A, B, reference = _points(torch.float64)
    np.testing.assert_allclose(squared_distances(A * 1e20, B * 1e20).numpy(), reference.numpy() * 1e40, rtol=1e-12)


def test_float32_overflow_is_inf_not_wrong():
    A, B, _ = _points(torch.float32)
    D = squared_distances((A * 1e30).float(), (B * 1e30).float())
    assert torch.isinf(D).all()  # true values ~1e60 exceed float32; never a finite wrong value


def test_safe_range_takes_the_direct_path_bit_for_bit():
    A, B, _ = _points(torch.float32)
    A, B = A.float() * 3, B.float() * 3
    assert scale_exponent(A, B) == 0
    sq = squared_norms(A)[:, None] + squared_norms(B)[None, :]
    direct = torch.addmm(sq, A, B.T, alpha=-2.0).clamp_(min=0.0)
    assert torch.equal(squared_distances(A, B), direct)


def test_power_of_two_scaling_is_exact():
    X = torch.randn(10, 3, generator=torch.Generator().manual_seed(1))
    for exponent in (-120, -64, 1, 100):  # results stay normal float32 numbers
        assert torch.equal(times_power_of_two(times_power_of_two(X, exponent), -exponent), X)


def test_empty_and_zero_inputs():
    zeros = torch.zeros(3, 2)
    assert scale_exponent(zeros, torch.zeros(0, 2)) == 0
    assert torch.equal(squared_distances(zeros, zeros), torch.zeros(3, 3))
