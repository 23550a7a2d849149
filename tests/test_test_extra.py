"""The ``test`` extra is installed: a test that needs one of its packages skips only where it is absent.

Several tests ``pytest.importorskip`` a package of the extra (dask, zarr, pandas, numpydoc, ...), so a broken
install would turn them into silent skips. In CI (``CI=true``) a missing or too-old package of the extra is a
failure here; elsewhere it is a skip, as the shared data folder is.
"""

import importlib.metadata
import os

import pytest
from packaging.requirements import Requirement


def _test_requirements():
    """The requirements of skscat's ``test`` extra, from the installed package's metadata."""
    requirements = [Requirement(text) for text in importlib.metadata.requires("skscat") or []]
    return [r for r in requirements if r.marker is not None and r.marker.evaluate({"extra": "test"})]


def _problem(requirement):
    """Why ``requirement`` is not met, or None."""
    try:
        installed = importlib.metadata.version(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        return f"{requirement.name} is not installed"
    if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
        return f"{requirement.name} {installed} does not satisfy {requirement}"
    return None


def test_the_extra_is_read_from_the_metadata():
    names = {r.name for r in _test_requirements()}
    assert {"pytest", "dask", "zarr", "numpydoc", "skops"} <= names


@pytest.mark.parametrize("requirement", _test_requirements(), ids=str)
def test_test_extra_requirement_is_installed(requirement):
    problem = _problem(requirement)
    if problem is None:
        return
    message = f"{problem}: install the test extra (pip install -e '.[test]')"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def test_a_missing_requirement_is_reported():
    assert _problem(Requirement("surely-not-an-installed-distribution>=1")) == (
        "surely-not-an-installed-distribution is not installed"
    )
    assert "does not satisfy" in _problem(Requirement("pytest<1"))
