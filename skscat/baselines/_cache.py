"""Disk caching of a feature extractor's output (joblib.Memory)."""

import os

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted, check_memory

from skscat.utils._records import source_fingerprint

__all__ = ["CachedTransformer", "log_features"]

# Parameters that change how a result is computed, not what it is (the device: up to floating-point rounding).
_RUNTIME_PARAMS = frozenset({"verbose", "device", "batch_size", "n_jobs"})


def log_features(X):
    """Compute ``log(|X| + 1e-6)``: the paper's compression of scattering coefficients.

    Parameters
    ----------
    X : ndarray
        Scattering coefficients.

    Returns
    -------
    ndarray of the same shape and dtype
        The compressed coefficients.
    """
    return np.log(np.abs(np.asarray(X)) + 1e-6)


def _code_digest(cls):
    """Fingerprint of the source a transformer's output depends on: its skscat subpackage with skscat.utils,
    else its own module; None for a class whose module has no file (defined in ``__main__`` or interactively)."""
    parts = cls.__module__.split(".")
    modules = (".".join(parts[:2]), "skscat.utils") if parts[0] == "skscat" and len(parts) > 1 else (cls.__module__,)
    try:
        return source_fingerprint(*modules)
    except ValueError:
        return None


def _cache_key(fitted):
    """What determines the output: the class and its source, the parameters and the public fitted attributes."""
    params = {k: v for k, v in fitted.get_params(deep=False).items() if k not in _RUNTIME_PARAMS}
    state = {k: v for k, v in vars(fitted).items() if k.endswith("_") and not k.startswith("_")}
    cls = type(fitted)
    return f"{cls.__module__}.{cls.__qualname__}", _code_digest(cls), params, state


def _memory(memory):
    """``memory`` as :func:`sklearn.utils.validation.check_memory` takes it (it refuses path objects)."""
    return os.fspath(memory) if isinstance(memory, os.PathLike) else memory


def _transform(transformer, key, X):
    """Cached by joblib on (key, X); ``transformer`` itself is not hashed."""
    return transformer.transform(X)


class CachedTransformer(TransformerMixin, BaseEstimator):
    """Cache a transformer's ``transform`` output on disk with :class:`joblib.Memory`.

    Rerunning a baseline or a grid search over downstream parameters reuses
    the features instead of recomputing them. The cache key is the wrapped
    transformer's class and the source of its code (its skscat subpackage and
    ``skscat.utils``, or its own module: an edit recomputes, so a development
    checkout never gets stale features), its parameters (except ``verbose``, ``device``,
    ``batch_size`` and ``n_jobs``, which change how the features are
    computed, not what they are: CPU and CUDA differ by floating-point
    rounding, and a cache hit returns the first run's values), its public
    fitted attributes (names ending in ``_``) and the input array, so a
    transformer that learns statistics in ``fit`` is keyed by them too.

    Parameters
    ----------
    transformer : estimator
        A scikit-learn transformer (e.g.
        :class:`skscat.scattering.ScatteringTransformer`). It is cloned in ``fit``.
    memory : str, os.PathLike, joblib.Memory or None, default=None
        Cache folder; ``None`` disables caching (plain delegation).

    Attributes
    ----------
    transformer_ : estimator
        The fitted clone.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skscat.baselines import CachedTransformer
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> CachedTransformer(StandardScaler(), memory=None).fit_transform(X)[:, 0]
    array([-1.22474487,  0.        ,  1.22474487])
    """

    def __init__(self, transformer, *, memory=None):
        self.transformer = transformer
        self.memory = memory

    def fit(self, X, y=None, **fit_params):
        """Fit a clone of ``transformer``.

        Parameters
        ----------
        X : array-like
            Training input of the wrapped transformer.
        y : array-like, optional
            Targets, passed on.
        **fit_params : dict
            Passed to the wrapped ``fit``.

        Returns
        -------
        self : object
            The fitted wrapper.
        """
        self.transformer_ = clone(self.transformer).fit(X, y, **fit_params)
        return self

    def transform(self, X):
        """Transform ``X``, reading the result from the cache when it was computed before.

        Parameters
        ----------
        X : array-like
            Input of the wrapped transformer.

        Returns
        -------
        ndarray
            The wrapped transformer's output.
        """
        check_is_fitted(self)
        cached = check_memory(_memory(self.memory)).cache(_transform, ignore=["transformer"])
        return cached(transformer=self.transformer_, key=_cache_key(self.transformer_), X=X)

    def fit_transform(self, X, y=None, **fit_params):
        """Fit, then :meth:`transform` (through the cache).

        Parameters
        ----------
        X : array-like
            Training input of the wrapped transformer.
        y : array-like, optional
            Targets, passed on.
        **fit_params : dict
            Passed to the wrapped ``fit``.

        Returns
        -------
        ndarray
            The transformed ``X``.
        """
        return self.fit(X, y, **fit_params).transform(X)

    def get_feature_names_out(self, input_features=None):
        """Get the output feature names of the wrapped transformer.

        Parameters
        ----------
        input_features : array-like of str, optional
            Passed to the wrapped ``get_feature_names_out``.

        Returns
        -------
        ndarray of str
            The wrapped transformer's names.
        """
        check_is_fitted(self)
        return self.transformer_.get_feature_names_out(input_features)

    @property
    def n_features_in_(self):
        """Number of input features seen by the wrapped transformer."""
        return self.transformer_.n_features_in_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.transformer.__sklearn_tags__()
        tags.input_tags = inner.input_tags
        tags.requires_fit = inner.requires_fit
        return tags
