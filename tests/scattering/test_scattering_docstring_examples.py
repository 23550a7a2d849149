"""The docstring examples of skscat.scattering run (on the CPU) and print what they show."""

import doctest
import importlib

import pytest

MODULES = [
    "skscat.scattering._color", "skscat.scattering._module", "skscat.scattering._paths",
    "skscat.scattering._roto", "skscat.scattering._transformers", "skscat.scattering.filter_bank",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name, one_torch_thread):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
