"""Named baselines: a registry that other subpackages (and users) extend.

A baseline is a recipe that builds an unfitted scikit-learn classifier taking
images of shape (n, C, H, W) from a :class:`BaselineConfig`. Register one with
:func:`register_baseline`; modules named in ``PLUGIN_MODULES`` (and
``skscat.baselines`` entry points of installed packages) are imported the first
time the registry is read, so their registrations appear in the command.
"""

import importlib
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

__all__ = [
    "PLUGIN_MODULES",
    "Baseline",
    "BaselineConfig",
    "get_baseline",
    "list_baselines",
    "register_baseline",
]

#: Modules imported before the registry is read; they may call register_baseline at import.
PLUGIN_MODULES = []

_REGISTRY = {}
_PLUGINS_LOADED = False


@dataclass(frozen=True)
class BaselineConfig:
    """Everything a baseline's ``build`` may use.

    Attributes
    ----------
    dataset : str
        Data set name ("digits", "cifar10", ...).
    image_shape : tuple of int
        (C, H, W) of the input images.
    n_classes : int
    J : int
        Scattering scale (2**J <= min(H, W)).
    L : int
        Number of wavelet orientations.
    device : str
        "cpu", "cuda", "auto", ...
    batch_size : int
        Images per batch in feature extraction.
    memory : joblib.Memory or str or None
        Feature cache.
    random_state : int
        Seed of the run.
    verbose : bool
        Progress bars.
    """

    dataset: str
    image_shape: tuple
    n_classes: int
    J: int
    L: int = 8
    device: str = "auto"
    batch_size: int = 256
    memory: Any = None
    random_state: int = 0
    verbose: bool = False


@dataclass(frozen=True)
class Baseline:
    """A named, reproducible classifier recipe.

    Parameters
    ----------
    name : str
        Command-line name (``--method``).
    build : callable
        ``build(config: BaselineConfig) -> estimator``: an unfitted classifier
        with ``fit(images, y)`` / ``predict(images)`` on (n, C, H, W) arrays.
    description : str
        One line for ``--list``.
    published : mapping of str to float
        Published accuracy (%) per data set name, shown beside the measured one.
    reference : str
        Where the published numbers come from.
    requires : callable, optional
        ``requires() -> str or None``: why the baseline cannot run here
        (e.g. a missing optional component), or None when it can.
    """

    name: str
    build: Callable
    description: str = ""
    published: Mapping[str, float] = field(default_factory=dict)
    reference: str = ""
    requires: Callable | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or self.name.startswith("-") or " " in self.name:
            raise ValueError(f"name={self.name!r} is not a command-line name; use a non-empty word like 'my-svm'.")
        for field_name in ("build", "requires"):
            value = getattr(self, field_name)
            if not callable(value) and not (field_name == "requires" and value is None):
                raise TypeError(f"{field_name}={value!r} is not callable; pass a function (see Baseline's docstring).")

    def unavailable(self):
        """Say why this baseline cannot run here.

        Returns
        -------
        str or None
            The reason, or None when it can run.
        """
        return self.requires() if self.requires is not None else None


def register_baseline(baseline, *, replace=False):
    """Add ``baseline`` to the registry.

    Parameters
    ----------
    baseline : Baseline
        The recipe to register under ``baseline.name``.
    replace : bool, default=False
        Allow overwriting a baseline of the same name.

    Returns
    -------
    Baseline
        ``baseline``, so the call can be used as an expression.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from sklearn.svm import LinearSVC
    >>> from skscat.baselines import Baseline, register_baseline
    >>> def build(config):
    ...     flatten = FunctionTransformer(lambda X: X.reshape(len(X), -1))
    ...     return make_pipeline(flatten, LinearSVC())
    >>> _ = register_baseline(Baseline("pixels-linear", build, "linear SVM on pixels"), replace=True)
    """
    if not isinstance(baseline, Baseline):
        raise TypeError(f"register_baseline expects a Baseline, got {type(baseline).__name__}.")
    if baseline.name in _REGISTRY and not replace:
        raise ValueError(
            f"a baseline named {baseline.name!r} is already registered; pass replace=True "
            "to overwrite it or choose another name."
        )
    _REGISTRY[baseline.name] = baseline
    return baseline


def _load_plugins():
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for module in PLUGIN_MODULES:
        try:
            importlib.import_module(module)
        except ImportError as exc:  # an optional part that is absent or broken must not break the others
            warnings.warn(f"skscat.baselines: could not import plugin module {module!r}: {exc}", stacklevel=3)
    for point in entry_points(group="skscat.baselines"):
        point.load()


def list_baselines():
    """List the registered baselines (plugins included).

    Returns
    -------
    list of str
        Their names, sorted.
    """
    _load_plugins()
    return sorted(_REGISTRY)


def get_baseline(name):
    """Get the registered baseline called ``name``.

    Parameters
    ----------
    name : str
        A name from :func:`list_baselines`.

    Returns
    -------
    Baseline
        The registered recipe.

    Raises
    ------
    ValueError
        Unknown name; the message lists the registered ones.
    """
    _load_plugins()
    if name not in _REGISTRY:
        raise ValueError(f"method={name!r} is not a registered baseline. Use one of {sorted(_REGISTRY)}.")
    return _REGISTRY[name]
