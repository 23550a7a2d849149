"""Regression tests of the fuzzing findings (issue 16) on the SVMs: any finite scale, clear refusals.

Every fit that hung before gets a bounded step budget (``max_iter``) and must
converge within it; nothing here is timed.
"""

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.svm import SVC

import skscat.svm._ovo as ovo_module
from skscat.svm import MeanNormGaussianSVC, TorchSVC, gaussian_kernel
from skscat.svm._kernels import check_finite_kernel

STEP_BUDGET = 100_000  # the hang ran to LIBSVM's 10,000,000 steps


@pytest.fixture(scope="module")
def problem():
    return make_classification(n_samples=150, n_features=8, n_informative=5, n_classes=3, random_state=0)


@pytest.mark.parametrize("solver", ["torch", "libsvm"])
@pytest.mark.parametrize("scale", [1e-30, 1e-20, 1e20, 1e30])
def test_rbf_fits_at_extreme_scales_like_svc(problem, scale, solver):
    X, y = problem
    model = TorchSVC(solver=solver, device="cpu", max_iter=STEP_BUDGET).fit(X * scale, y)
    assert model.fit_status_ == 0 and model.solver_path_ == {"torch": "full kernel"}.get(solver, solver)
    np.testing.assert_array_equal(model.predict(X * scale), SVC().fit(X * scale, y).predict(X * scale))
    unit = TorchSVC(solver="torch", device="cpu").fit(X, y)
    np.testing.assert_array_equal(model.predict(X * scale), unit.predict(X))
    assert np.isfinite(model._gamma) and np.isfinite(model.decision_function(X * scale)).all()


@pytest.mark.parametrize("scale", [2.0**-100, 2.0**-60, 2.0**60, 2.0**100])
def test_power_of_two_scales_give_the_unit_model_to_the_bit(problem, scale):
    X, y = problem
    unit = TorchSVC(solver="torch", device="cpu").fit(X, y)
    scaled = TorchSVC(solver="torch", device="cpu", max_iter=STEP_BUDGET).fit(X * scale, y)
    np.testing.assert_array_equal(scaled.dual_coef_, unit.dual_coef_)
    np.testing.assert_array_equal(scaled.intercept_, unit.intercept_)
    np.testing.assert_array_equal(scaled.n_iter_, unit.n_iter_)


@pytest.mark.parametrize("scale", [1e-30, 1e30])
def test_linear_kernel_at_extreme_scales(problem, scale):
    # The linear dual on X * s with C is the dual on X with C * s^2 (variables divided by s^2).
    X, y = problem
    model = TorchSVC(solver="torch", kernel="linear", C=0.01 / scale**2, device="cpu", max_iter=STEP_BUDGET).fit(X * scale, y)
    reference = SVC(kernel="linear", C=0.01).fit(X, y)
    assert model.fit_status_ == 0
    np.testing.assert_array_equal(model.predict(X * scale), reference.predict(X))


def test_non_finite_kernel_fails_fast(problem, monkeypatch):
    X, y = problem
    monkeypatch.setattr(ovo_module, "symmetric_kernel", lambda X, *a: torch.full((len(X), len(X)), torch.nan))
    with pytest.raises(ValueError, match="non-finite values.*gamma="):
        TorchSVC(solver="torch", device="cpu", max_iter=STEP_BUDGET).fit(X, y)
    with pytest.raises(ValueError, match="gamma=0.5"):
        check_finite_kernel(torch.tensor([[1.0, torch.inf]]), 0.5)


@pytest.mark.parametrize("gamma", [np.inf, np.nan, -1.0, 0.0])
def test_bad_gamma_is_refused_by_name(problem, gamma):
    X, y = problem
    with pytest.raises(ValueError, match="gamma"):
        TorchSVC(solver="torch", gamma=gamma, device="cpu").fit(X, y)


def test_mean_norm_float32_kernel_does_not_underflow_on_tiny_data():
    X, y = make_classification(n_samples=200, n_features=10, n_informative=6, n_classes=3, random_state=2)
    reference = MeanNormGaussianSVC(solver="libsvm", device="cpu").fit(X, y)
    for solver in ("libsvm", "torch"):
        tiny = MeanNormGaussianSVC(solver=solver, kernel_dtype="float32", device="cpu", max_iter=STEP_BUDGET)
        tiny.fit(X * 1e-20, y)
        assert (tiny.predict(X * 1e-20) == reference.predict(X)).mean() >= 0.99, solver


@pytest.mark.parametrize("scale", [1e-30, 1e-20, 1.0, 1e20, 1e30])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gaussian_kernel_at_any_scale(scale, dtype):
    A = np.random.default_rng(0).normal(size=(7, 4))
    expected = np.exp(-0.3 * ((A[:, None] - A[None]) ** 2).sum(-1))
    got = gaussian_kernel(A * scale, A * scale, 0.3 / scale**2, dtype=dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6)


@pytest.mark.parametrize("dtype", ["int32", "int64", "bool", "float16", "complex64", "nonsense"])
def test_gaussian_kernel_refuses_non_float_dtypes(dtype):
    A = np.ones((3, 2))
    with pytest.raises(ValueError, match="dtype must be 'float32' or 'float64'"):
        gaussian_kernel(A, A, 0.1, dtype=dtype)


@pytest.mark.parametrize("gamma", [-0.1, np.inf, np.nan, "0.1"])
def test_gaussian_kernel_refuses_bad_gamma(gamma):
    A = np.ones((3, 2))
    with pytest.raises(ValueError, match="gamma must be a finite number >= 0"):
        gaussian_kernel(A, A, gamma)


@pytest.mark.parametrize("solver", ["libsvm", "torch"])
def test_mean_norm_batch_size_does_not_change_the_model(solver):
    # batch_size=1 changed dual_coef_ by up to 0.009 (libsvm solver) through the kernel's product rounding.
    X, y = make_classification(n_samples=300, n_features=20, n_informative=8, n_classes=3, random_state=0)
    models = [MeanNormGaussianSVC(solver=solver, device="cpu", batch_size=b).fit(X, y) for b in (1, 2048)]
    np.testing.assert_array_equal(models[0].dual_coef_, models[1].dual_coef_)
    np.testing.assert_array_equal(models[0].intercept_, models[1].intercept_)
