"""The speed paths of the scattering cascade give the plain algorithm's numbers, with gradients."""

import numpy as np
import pytest
import torch

from skscat.scattering import Scattering2D
from skscat.scattering._core import (
    _fft2_real,
    _filter_and_fold,
    fold_layout,
    scattering2d,
    separable_lowpass,
)
from skscat.scattering.filter_bank import filter_bank


def _rand(*shape, dtype=torch.float64, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _inputs(module, x):
    phi, psi, _ = module._filters(x.dtype)
    separable = [(getattr(module, f"_lowpass_rows_{res}").to(x.dtype), getattr(module, f"_lowpass_cols_{res}").to(x.dtype))
                 for res in range(module.J)]
    return module.pad(x.reshape(-1, *module.shape)), phi, psi, separable


@pytest.mark.parametrize("shape", [(6, 8), (5, 7), (3, 4, 4)])
def test_real_fft_with_hermitian_half_equals_fft2(shape):
    u = _rand(*shape)
    torch.testing.assert_close(_fft2_real(u), torch.fft.fft2(u), rtol=0, atol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_block_major_fold_equals_product_then_periodize(k):
    spectrum = torch.randn(2, 3, 8, 16, dtype=torch.complex128, generator=torch.Generator().manual_seed(1))
    filters = np.random.default_rng(0).standard_normal((3, 8, 16))
    got = _filter_and_fold(spectrum, torch.from_numpy(fold_layout(filters, k)))
    product = spectrum * torch.from_numpy(filters)
    expected = product.reshape(2, 3, k, 8 // k, k, 16 // k).mean(dim=(2, 4))
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_separable_lowpass_equals_the_fourier_lowpass():
    """In float64, separable (A @ u @ B) and Fourier averaging differ only by phi's float32 rounding."""
    module = Scattering2D(3, (32, 28), L=4)
    x = _rand(2, 32, 28)
    padded, phi, psi, separable = _inputs(module, x)
    fourier = scattering2d(padded, phi, psi, 3, 2)
    in_space = scattering2d(padded, phi, psi, 3, 2, separable)
    assert (in_space - fourier).abs().max() <= 1e-6 * fourier.abs().max()


def test_non_separable_filter_is_refused():
    rng = np.random.default_rng(0)
    assert separable_lowpass(rng.standard_normal((8, 8)), 2) is None
    phi = filter_bank(16, 16, J=2)["phi"][0]
    rows, cols = separable_lowpass(phi, 4)
    assert rows.shape == (2, 16) and cols.shape == (16, 2)


def test_float32_uses_the_separable_path_and_float64_the_exact_one():
    module = Scattering2D(2, (16, 16))
    assert module._filters(torch.float64)[2] is None
    assert all(pair is not None for pair in module._filters(torch.float32)[2])


@pytest.mark.parametrize("chunk_elements", [1, 3000])
def test_chunking_does_not_change_the_result(chunk_elements):
    module = Scattering2D(2, (16, 16), L=4)
    x = _rand(5, 16, 16)
    padded, phi, psi, separable = _inputs(module, x)
    for lowpass in (None, separable):
        whole = scattering2d(padded, phi, psi, 2, 2, lowpass, chunk_elements=10**9)
        chunked = scattering2d(padded, phi, psi, 2, 2, lowpass, chunk_elements=chunk_elements)
        torch.testing.assert_close(chunked, whole, rtol=1e-12, atol=1e-14)


def test_gradcheck_through_the_separable_path():
    module = Scattering2D(2, (4, 5), L=2)
    x = _rand(2, 4, 5).requires_grad_()

    def transform(x):
        padded, phi, psi, separable = _inputs(module, x)
        return scattering2d(padded, phi, psi, 2, 2, separable, chunk_elements=1)  # chunked: writes into out

    assert torch.autograd.gradcheck(transform, (x,), eps=1e-6, atol=1e-6)


def test_gradients_flow_in_float32_training_mode():
    module = Scattering2D(2, (16, 16), L=4)
    x = _rand(3, 16, 16, dtype=torch.float32).requires_grad_()
    module(x).square().sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


@pytest.mark.parametrize("shape, J", [((32, 32), 2), ((45, 37), 3), ((4, 5), 2), ((16, 16), 4)])
def test_fast_reflect_padding_equals_the_index_gather(shape, J):
    module = Scattering2D(J, shape, L=2)
    x = _rand(2, 3, *shape)
    expected = x.index_select(-2, module._pad_index0).index_select(-1, module._pad_index1)
    assert torch.equal(module.pad(x), expected)
