"""Fixtures of the baselines tests: test baselines registered for one test only."""

import pytest

from skscat.baselines import Baseline, _registry


@pytest.fixture
def register(monkeypatch):
    """``register(name, build, **fields)`` adds a baseline to the registry until the test ends."""

    def add(name, build, description="", **fields):
        baseline = Baseline(name, build, description, **fields)
        monkeypatch.setitem(_registry._REGISTRY, name, baseline)
        return baseline

    return add
