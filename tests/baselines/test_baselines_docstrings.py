"""The docstring examples of skscat.baselines run and print what they show (every module that has some)."""

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import skscat.baselines
from skscat.baselines import _registry

# Found, not listed: a module that gains an example is run without editing this file.
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(skscat.baselines.__path__, "skscat.baselines.")
    if ">>>" in (Path(skscat.baselines.__path__[0]) / f"{info.name.rsplit('.', 1)[1]}.py").read_text()
)


def test_the_modules_with_examples_are_found():
    assert {"skscat.baselines._cache", "skscat.baselines._registry", "skscat.baselines._runner"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, monkeypatch):
    # register_baseline's example registers a baseline: into a copy of the registry, dropped afterwards.
    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
