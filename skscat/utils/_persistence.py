"""The types ``skops.io`` must be told to trust to load a skscat model."""

import torch

__all__ = ["trusted_types"]


def trusted_types(estimator):
    """List the types ``skops.io.loads`` must trust to load ``estimator``.

    skops loads NumPy arrays, built-in containers and scikit-learn's own
    estimators without being told; every other type in a file must be named
    in ``trusted=`` or loading fails with
    ``skops.io.exceptions.UntrustedTypesFoundException``. For a skscat model
    these are the skscat estimator classes it contains, a module class passed
    to :class:`~skscat.networks.TorchCNNClassifier` as ``module=``, and
    ``torch.device`` when a ``device`` parameter holds one. A skscat estimator's
    pickled state holds no torch objects (fitted attributes are NumPy arrays;
    a network travels as its weights), so nothing else of torch is needed.

    Parameters
    ----------
    estimator : estimator
        A skscat estimator, or any scikit-learn estimator containing skscat ones
        (a pipeline, a grid search, ...), fitted or not.

    Returns
    -------
    list of str
        Fully qualified type names, sorted. Types of other libraries that skops
        does not trust by default (for instance a grid search's scorer and
        splitter) are not listed: review them from
        ``skops.io.get_untrusted_types(data=...)``.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscat.scattering import ScatteringTransformer
    >>> from skscat.svm import TorchSVC
    >>> from skscat.utils import trusted_types
    >>> trusted_types(make_pipeline(ScatteringTransformer(J=1), StandardScaler(), TorchSVC()))
    ['skscat.scattering._transformers.ScatteringTransformer', 'skscat.svm._classes.TorchSVC']
    """
    found = set()
    _collect(estimator, found)
    return sorted(found)


def _collect(obj, found):
    if isinstance(obj, type):
        if _is_skscat(obj):
            found.add(_type_name(obj))
        return
    if isinstance(obj, torch.device):
        found.add("torch.device")
    elif _is_skscat(type(obj)):
        found.add(_type_name(type(obj)))
    # get_params(deep=False) and recursion reach every nested estimator (pipeline steps are tuples).
    if hasattr(obj, "get_params"):
        children = obj.get_params(deep=False).values()
    elif isinstance(obj, (list, tuple)):
        children = obj
    elif isinstance(obj, dict):
        children = obj.values()
    else:
        return
    for child in children:
        _collect(child, found)


def _is_skscat(cls):
    return cls.__module__ == "skscat" or cls.__module__.startswith("skscat.")


def _type_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"
