"""The public API: what ``skscat`` exports, and numpydoc validation of every public docstring.

As imbalanced-learn's ``test_docstring.py`` does, every public name (the top level and each
subpackage's ``__all__``) and every public method or property a public class defines itself is run
through :func:`numpydoc.validate.validate`. Ignored checks, each with its reason:

- ``ES01`` (no extended summary), ``SA01`` (no See Also), ``EX01`` (no Examples): optional sections;
  the estimators and the main functions have examples, run as doctests by their own tests.
- ``GL01`` / ``GL02``: where the summary starts after the opening quotes is layout, not content.
- ``RT02``: sklearn's style names the returned object (``self : object``), which RT02 rejects.
- ``SA04``: a See Also entry whose description is obvious from its name needs none.
- ``PR01`` on a dataclass whose missing parameters are all documented under Attributes: the result
  records (``Split``, ``RunSpec``, ``LocalSupportVectors``, ...) are read, not built, by users, and
  their generated ``__init__`` takes exactly the fields listed there.
- ``extra_repr`` of the torch modules is not validated: it is torch's ``repr`` hook, not called by users.
"""

import dataclasses
import importlib
import inspect

import pytest

import skscat

numpydoc_validate = pytest.importorskip("numpydoc.validate")

IGNORED = {"ES01", "SA01", "EX01", "GL01", "GL02", "RT02", "SA04"}
TORCH_HOOKS = {"extra_repr"}

SUBPACKAGES = [
    "skscat.analysis",
    "skscat.baselines",
    "skscat.datasets",
    "skscat.feature_selection",
    "skscat.networks",
    "skscat.parallel",
    "skscat.scattering",
    "skscat.scattering.filter_bank",  # a public module (the NumPy filters), with its own __all__
    "skscat.svm",
    "skscat.utils",
]


def _public_names():
    for module_name in ["skscat", *SUBPACKAGES]:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            if name != "__version__":
                yield module_name, name


def _own_members(cls):
    """Public methods and properties ``cls`` gets from skscat (itself or a private skscat base class).

    Members inherited from scikit-learn or torch carry their own library's docstring and are not
    checked here (the documentation does not show them either)."""
    names = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("skscat"):
            continue
        for attr, value in vars(klass).items():
            if attr.startswith("_") or attr in TORCH_HOOKS:
                continue
            if isinstance(value, (property, classmethod, staticmethod)) or inspect.isfunction(value):
                names.add(attr)
    return sorted(names)


def _docstring_targets():
    seen = set()
    for module_name, name in _public_names():
        obj = getattr(importlib.import_module(module_name), name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # constants (DATASETS, COLUMNS, ...) carry no docstring of their own
        # Document each object once, under the module that defines it publicly.
        key = (obj.__module__, obj.__qualname__)
        if key in seen:
            continue
        seen.add(key)
        yield f"{module_name}.{name}"
        if inspect.isclass(obj):
            yield from (f"{module_name}.{name}.{attr}" for attr in _own_members(obj))


def test_top_level_exports_are_consistent():
    assert sorted(skscat._PUBLIC) == sorted(n for n in skscat.__all__ if n != "__version__")
    assert skscat.__all__[-1] == "__version__"
    assert set(dir(skscat)) == set(skscat.__all__)
    for name, module_name in skscat._PUBLIC.items():
        assert getattr(skscat, name) is getattr(importlib.import_module(module_name), name)
        assert name in importlib.import_module(module_name).__all__


def test_every_public_estimator_and_module_is_at_the_top_level():
    import torch
    from sklearn.base import BaseEstimator

    exported = set(skscat.__all__)
    for module_name in ["skscat.scattering", "skscat.svm", "skscat.networks", "skscat.feature_selection"]:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, (BaseEstimator, torch.nn.Module)):
                assert name in exported, f"{module_name}.{name} is public but not exported by skscat"


def test_unknown_top_level_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'NotAThing'"):
        skscat.NotAThing  # noqa: B018


def test_api_reference_lists_every_public_name():
    """docs/api.rst names every public name (autosummary entry or ``py:data``), so none goes undocumented."""
    from pathlib import Path

    lines = (Path(__file__).resolve().parents[1] / "docs" / "api.rst").read_text().splitlines()
    entries = {line.strip() for line in lines if line.startswith("   ") and not line.strip().startswith(":")}
    entries |= {line.split("::")[1].strip() for line in lines if line.startswith(".. py:data::")}
    missing = [f"{m}.{n}" for m, n in _public_names() if m != "skscat" and n not in entries]
    assert not missing, f"add these to docs/api.rst: {missing}"


def _ignored(target, code):
    if code in IGNORED:
        return True
    if code != "PR01":
        return False
    obj = numpydoc_validate.Validator._load_obj(target)
    if not (inspect.isclass(obj) and dataclasses.is_dataclass(obj)):
        return False
    from numpydoc.docscrape import ClassDoc

    documented = {name.strip() for item in ClassDoc(obj)["Attributes"] for name in item.name.split(",")}
    return {field.name for field in dataclasses.fields(obj)} <= documented


@pytest.mark.parametrize("target", sorted(_docstring_targets()))
def test_docstring_passes_numpydoc_validation(target):
    result = numpydoc_validate.validate(target)
    errors = [f"{code}: {message}" for code, message in result["errors"] if not _ignored(target, code)]
    assert not errors, f"{target} ({result['file']}:{result['file_line']}):\n" + "\n".join(errors)
