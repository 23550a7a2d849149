"""docs/baselines.md's grid search over J and C on cached scattering features, as a test."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skscat import scattering
from skscat.baselines import CachedTransformer, MeanNormGaussianSVC, log_features
from skscat.datasets import PerClassSplit, mean_per_class_accuracy_scorer


def _cached_entries(folder):
    return sorted(p.parent.name for p in folder.rglob("output.pkl"))


def _search(memory, C_values):
    pipeline = Pipeline(
        [
            ("scattering", CachedTransformer(scattering.ScatteringTransformer(device="cpu"), memory=memory)),
            ("log", FunctionTransformer(log_features)),
            ("scale", StandardScaler()),
            ("svm", MeanNormGaussianSVC()),
        ]
    )
    grid = {"scattering__transformer__J": [1, 2], "svm__C": C_values}
    return GridSearchCV(
        pipeline,
        grid,
        cv=PerClassSplit(10, n_splits=2, random_state=0),
        scoring=mean_per_class_accuracy_scorer,
        n_jobs=2,
    )


def test_grid_search_over_J_and_C_reuses_cached_features(tmp_path):
    digits = load_digits()
    X, y = (digits.images[:200, None] / 16.0).astype(np.float32), digits.target[:200]
    first = _search(str(tmp_path), [1.0, 50.0]).fit(X, y)
    assert first.cv_results_["mean_test_score"].shape == (4,)
    assert first.best_score_ > 0.8
    entries = _cached_entries(tmp_path)
    assert len(entries) == 2 * 2 * 2 + 1  # J values x splits x (train, test) + the refit on all of X (best J)
    second = _search(str(tmp_path), [5.0]).fit(X, y)  # new C values: no scattering recomputed
    assert _cached_entries(tmp_path) == entries
    assert second.cv_results_["mean_test_score"].shape == (2,)
