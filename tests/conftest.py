"""Shared fixtures: the real data folder, devices, and markers."""

import os
from pathlib import Path

import pytest
import torch

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA_DIR = SHARED / "data"
REFERENCE_DIR = SHARED / "reference"


def _need(path):
    """Return ``path``; skip locally, fail in CI when it is missing."""
    if path.exists():
        return path
    message = f"{path} is missing (the shared data/reference folder must sit beside the project)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def data_dir():
    """``../shared/data``: a failure in CI when missing, a skip elsewhere."""
    return _need(DATA_DIR)


@pytest.fixture(scope="session")
def reference_dir():
    """``../shared/reference``: a failure in CI when missing, a skip elsewhere."""
    return _need(REFERENCE_DIR)


@pytest.fixture
def one_torch_thread():
    """One intra-op torch thread for the test: tiny networks run fastest on one, and two
    spin-wait badly on a busy, oversubscribed CPU. Restores the previous count."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip_gpu = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip_gpu)
