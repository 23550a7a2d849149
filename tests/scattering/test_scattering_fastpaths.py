"""The speed paths of the scattering cascade give the plain algorithm's numbers, with gradients."""

import numpy as np
import pytest
import torch

from skscat.scattering import Scattering2D
from skscat.scattering._core import (
    _band_modulus,
    _filter_and_fold,
    _lowpass,
    fold_layout,
    scattering2d,
    separable_lowpass,
    unfold_layout,
)
from skscat.scattering.filter_bank import filter_bank


def _rand(*shape, dtype=torch.float64, seed=0):
    return torch.rand(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def _inputs(module, x):
    phi, psi, _ = module.cascade_filters(x.dtype)
    separable = [(getattr(module, f"_lowpass_rows_{res}").to(x.dtype), getattr(module, f"_lowpass_cols_{res}").to(x.dtype))
                 for res in range(module.J)]
    return module.pad(x.reshape(-1, *module.shape)), phi, psi, separable


def _numpy_periodize(product, k):
    """Mean of the k x k blocks of a spectrum: subsampling by k in space (NumPy, written out)."""
    *batch, M, N = product.shape
    return product.reshape(*batch, k, M // k, k, N // k).mean(axis=(-4, -2))


@pytest.mark.parametrize("k", [1, 2, 4])
def test_band_modulus_equals_numpy_fft(k):
    """|IFFT(periodize(FFT(u) * psi, k))|, the wavelet layer, against numpy.fft."""
    u = np.random.default_rng(2).standard_normal((2, 8, 16))
    psi = np.random.default_rng(3).standard_normal((3, 8, 16))
    spectrum = torch.fft.fft2(torch.from_numpy(u)).unsqueeze(1)
    got = _band_modulus(spectrum, torch.from_numpy(fold_layout(psi, k)))
    expected = np.abs(np.fft.ifft2(_numpy_periodize(np.fft.fft2(u)[:, None] * psi, k)))
    np.testing.assert_allclose(got.numpy(), expected, rtol=0, atol=1e-12)


def test_fourier_lowpass_equals_numpy_fft():
    u = np.random.default_rng(4).standard_normal((2, 16, 8))
    phi = np.random.default_rng(5).standard_normal((16, 8))
    got = _lowpass(torch.fft.fft2(torch.from_numpy(u)), torch.from_numpy(fold_layout(phi, 2)))
    expected = np.fft.ifft2(_numpy_periodize(np.fft.fft2(u) * phi, 2)).real[..., 1:-1, 1:-1]
    np.testing.assert_allclose(got.numpy(), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("k", [1, 2, 4])
def test_unfold_layout_inverts_fold_layout_exactly(k):
    filters = np.random.default_rng(6).standard_normal((3, 8, 16)).astype(np.float32)
    np.testing.assert_array_equal(unfold_layout(fold_layout(filters, k), k), filters)


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
    assert module.cascade_filters(torch.float64)[2] is None
    assert all(pair is not None for pair in module.cascade_filters(torch.float32)[2])


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
