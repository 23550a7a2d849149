"""Fixtures of the estimator tests."""

import pytest


@pytest.fixture(autouse=True)
def _one_torch_thread(one_torch_thread):
    """Every estimator test trains tiny networks: run them on one thread (see tests/conftest.py)."""
    yield
