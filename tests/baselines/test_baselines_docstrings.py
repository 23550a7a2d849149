"""The docstring examples of skscat.baselines run and print what they show."""

import doctest
import importlib

import pytest

from skscat.baselines import _registry

MODULES = ["skscat.baselines._cache", "skscat.baselines._registry", "skscat.baselines._runner"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    # register_baseline's example registers a baseline: into a copy of the registry, dropped afterwards.
    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
