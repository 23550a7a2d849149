"""The docstring examples of skscat.datasets run, offline, on small data sets written in the official layouts."""

import doctest
import importlib

import numpy as np
import pytest
from PIL import Image

MODULES = [
    "skscat.datasets._base",
    "skscat.datasets._caltech",
    "skscat.datasets._cifar",
    "skscat.datasets._download",
    "skscat.datasets._protocols",
    "skscat.datasets._resize",
    "skscat.datasets._stl10",
]
# The first classes of the real Caltech-101, so the examples read as they would on the real folder.
CALTECH_CLASSES = ["BACKGROUND_Google", "Faces", "Faces_easy", "Leopards"]


def _write_caltech(root):
    rng = np.random.default_rng(0)
    for name in CALTECH_CLASSES:
        (root / name).mkdir(parents=True)
        for i in range(2):
            pixels = rng.integers(0, 256, size=(30 + 10 * i, 40, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"image_{i + 1:04d}.jpg")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, tmp_path, writers, monkeypatch):
    writers.cifar10(tmp_path / "cifar-10-batches-py")
    writers.cifar100(tmp_path / "cifar-100-python")
    writers.stl10(tmp_path / "stl10_binary")
    _write_caltech(tmp_path / "caltech101" / "101_ObjectCategories")
    monkeypatch.setenv("SKSCAT_DATA", str(tmp_path))
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
