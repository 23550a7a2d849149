"""The docstring examples of skscat.networks and of the shared mechanisms it uses run (on the CPU)."""

import doctest
import importlib

import pytest

WITH_EXAMPLES = [
    "skscat.networks._classifier", "skscat.networks._hierarchical", "skscat.networks._hybrid",
    "skscat.networks._resnet", "skscat.networks._sandbox", "skscat.networks._small",
    "skscat.utils._images", "skscat.utils._records",
]


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
