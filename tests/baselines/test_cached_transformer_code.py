"""CachedTransformer keys its cache by the transformer's source too: edited code never returns stale features."""

import importlib
import sys
import textwrap

import numpy as np

from skscat.baselines import CachedTransformer
from skscat.baselines._cache import _cache_key
from skscat.scattering import ScatteringTransformer

SOURCE = textwrap.dedent("""
    from sklearn.base import BaseEstimator, TransformerMixin

    class PlusOne(TransformerMixin, BaseEstimator):
        calls = []

        def fit(self, X, y=None):
            self.n_features_in_ = X.shape[1]
            return self

        def transform(self, X):
            PlusOne.calls.append(len(X))
            return X + 1
""")


def test_an_edited_transformer_module_is_computed_again(tmp_path, monkeypatch):
    path = tmp_path / "edited_transformer_module.py"
    path.write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("edited_transformer_module")
    try:
        X = np.arange(6.0).reshape(3, 2)
        cached = CachedTransformer(module.PlusOne(), memory=tmp_path / "cache")
        np.testing.assert_array_equal(cached.fit_transform(X), X + 1)
        cached.fit_transform(X)
        assert module.PlusOne.calls == [3]  # the second call came from the cache
        path.write_text(SOURCE + "\n# edited: the cached features may be stale\n")
        np.testing.assert_array_equal(cached.fit_transform(X), X + 1)
        assert module.PlusOne.calls == [3, 3]
    finally:
        del sys.modules["edited_transformer_module"]


def test_skscat_transformers_are_keyed_by_their_subpackage_and_utils(monkeypatch):
    fitted = ScatteringTransformer(J=1, shape=(8, 8)).fit(np.zeros((1, 64)))
    seen = []
    monkeypatch.setattr("skscat.baselines._cache.source_fingerprint", lambda *m: seen.append(m) or "digest")
    assert _cache_key(fitted)[1] == "digest" and seen == [("skscat.scattering", "skscat.utils")]


def test_a_class_without_a_source_file_still_caches(tmp_path):
    namespace = {"__name__": "defined_interactively"}
    exec(SOURCE, namespace)  # noqa: S102 - a class whose module has no file, as in a notebook
    cls = namespace["PlusOne"]
    assert _cache_key(cls().fit(np.zeros((2, 2))))[1] is None
    cached = CachedTransformer(cls(), memory=str(tmp_path / "cache"))
    X = np.ones((2, 2))
    cached.fit_transform(X)
    np.testing.assert_array_equal(cached.fit_transform(X), X + 1)
    assert cls.calls == [2]
