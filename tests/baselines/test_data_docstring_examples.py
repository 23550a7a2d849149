"""The docstring examples of skscat.datasets and skscat.baselines run and print what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "skscat.datasets._caltech",
    "skscat.datasets._cifar",
    "skscat.datasets._download",
    "skscat.datasets._protocols",
    "skscat.datasets._resize",
    "skscat.datasets._stl10",
    "skscat.baselines._cache",
    "skscat.baselines._registry",
    "skscat.baselines._svm",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
