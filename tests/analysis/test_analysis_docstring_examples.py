"""The docstring examples of skscat.analysis run (on the CPU) and print what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "skscat.analysis._depth", "skscat.analysis._lsv", "skscat.analysis._neighbors", "skscat.analysis._probes",
    "skscat.analysis._statistics", "skscat.analysis._weights",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_public_names_are_documented():
    from skscat import analysis

    for name in analysis.__all__:
        doc = getattr(analysis, name).__doc__ or ""
        assert "Parameters" in doc or "Attributes" in doc, name
