"""Fits leave torch's process-wide settings as they were: threads, precision, exceptions."""

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification

import skscat.svm._ovo as ovo_module
from skscat.svm import MeanNormGaussianSVC, TorchSVC
from skscat.utils._torch_state import cpu_threads, full_precision_matmul


@pytest.fixture
def settings():
    """Non-default settings a user may have chosen, restored after the test."""
    threads, precision = torch.get_num_threads(), torch.get_float32_matmul_precision()
    torch.set_num_threads(2)
    torch.set_float32_matmul_precision("high")
    yield 2, "high"
    torch.set_num_threads(threads)
    torch.set_float32_matmul_precision(precision)


def _data(seed=0, n=160):
    return make_classification(n_samples=n, n_features=8, n_informative=5, n_classes=3, random_state=seed)


def _current():
    return torch.get_num_threads(), torch.get_float32_matmul_precision()


@pytest.mark.parametrize("estimator", [TorchSVC(solver="torch", device="cpu"), MeanNormGaussianSVC(device="cpu")])
def test_fit_and_predict_leave_settings(settings, estimator):
    X, y = _data()
    estimator.fit(X, y).predict(X)
    assert _current() == settings


def test_fit_that_raises_leaves_settings(settings, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("solver failed")

    monkeypatch.setattr(ovo_module, "solve", fail)
    X, y = _data()
    with pytest.raises(RuntimeError, match="solver failed"):
        TorchSVC(solver="torch", device="cpu").fit(X, y)
    assert _current() == settings


def test_scopes_switch_inside_and_nest():
    with full_precision_matmul(), cpu_threads(1, torch.device("cpu")):
        assert _current() == (1, "highest")
        with cpu_threads(3, "cpu"):
            assert torch.get_num_threads() == 3
        assert torch.get_num_threads() == 1


def _fit_after(barrier, X, y):
    barrier.wait()  # every thread enters fit at the same moment
    return TorchSVC(solver="torch", C=10, device="cpu").fit(X, y).predict(X)


def test_concurrent_fits_give_each_their_own_model(settings):
    problems = [_data(seed) for seed in range(4)]
    sequential = [TorchSVC(solver="torch", C=10, device="cpu").fit(X, y).predict(X) for X, y in problems]
    for _ in range(3):  # the race left the precision changed in 1 of 3 trials before
        barrier = threading.Barrier(len(problems))
        with ThreadPoolExecutor(len(problems)) as pool:
            futures = [pool.submit(_fit_after, barrier, X, y) for X, y in problems]
            results = [future.result() for future in futures]  # re-raises a thread's error
        for got, expected in zip(results, sequential):
            np.testing.assert_array_equal(got, expected)
        assert _current() == settings
