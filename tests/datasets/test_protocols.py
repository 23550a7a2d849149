"""Protocol helpers: small-sample subsets, per-class splits, mean per-class accuracy."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, cross_val_score

from skscat.datasets import (
    PerClassSplit,
    mean_per_class_accuracy,
    mean_per_class_accuracy_scorer,
    per_class_subset,
    small_sample_subset,
)


def test_small_sample_subset_is_balanced_and_seeded():
    y = np.repeat(np.arange(10), 100)
    subsets = [small_sample_subset(y, 100, random_state=seed) for seed in range(3)]
    for indices in subsets:
        np.testing.assert_array_equal(np.bincount(y[indices]), [10] * 10)
        assert len(np.unique(indices)) == 100
    assert not np.array_equal(subsets[0], subsets[1])
    np.testing.assert_array_equal(subsets[2], small_sample_subset(y, 100, random_state=2))


def test_small_sample_subset_errors():
    y = np.repeat(np.arange(10), 5)
    with pytest.raises(ValueError, match="n_samples=105 is not a multiple of the 10 classes"):
        small_sample_subset(y, 105)
    with pytest.raises(ValueError, match="has 5 available samples, fewer than the 6"):
        small_sample_subset(y, 60)
    with pytest.raises(ValueError, match="n_per_class=0"):
        per_class_subset(y, 0)


def test_per_class_split_caltech_protocol():
    y = np.concatenate([np.full(n, label) for label, n in enumerate([31, 40, 80])])
    X = np.zeros((len(y), 2))
    splits = list(PerClassSplit(30, n_splits=3, random_state=0).split(X, y))
    assert len(splits) == 3
    for train, test in splits:
        np.testing.assert_array_equal(np.bincount(y[train]), [30, 30, 30])
        np.testing.assert_array_equal(np.bincount(y[test]), [1, 10, 50])
        assert not np.intersect1d(train, test).size
    assert not np.array_equal(splits[0][0], splits[1][0])
    again = list(PerClassSplit(30, n_splits=3, random_state=0).split(X, y))
    np.testing.assert_array_equal(again[1][1], splits[1][1])
    train, test = next(PerClassSplit(30, n_test_per_class=1, random_state=0).split(X, y))
    np.testing.assert_array_equal(np.bincount(y[test]), [1, 1, 1])
    assert "n_train_per_class=30" in repr(PerClassSplit())


def test_per_class_split_errors():
    y = np.repeat([0, 1], 10)
    with pytest.raises(ValueError, match="fewer than the 30"):
        next(PerClassSplit(30).split(np.zeros((20, 1)), y))
    with pytest.raises(ValueError, match="n_splits=0"):
        next(PerClassSplit(5, n_splits=0).split(np.zeros((20, 1)), y))
    with pytest.raises(ValueError, match="X has 19 samples but y has 20"):
        next(PerClassSplit(5).split(np.zeros((19, 1)), y))


def test_mean_per_class_accuracy():
    y_true = np.array([0, 0, 0, 0, 1, 2, 2])
    y_pred = np.array([0, 0, 0, 1, 1, 0, 2])
    assert mean_per_class_accuracy(y_true, y_pred) == pytest.approx((0.75 + 1 + 0.5) / 3)
    assert mean_per_class_accuracy(y_true, y_pred) == pytest.approx(balanced_accuracy_score(y_true, y_pred))
    assert mean_per_class_accuracy(["a", "b"], ["b", "b"]) == 0.5
    with pytest.raises(ValueError, match="must match"):
        mean_per_class_accuracy([0, 1], [0])


def test_scorer_in_grid_search():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 40)
    X = rng.normal(size=(120, 4)) + y[:, None]
    search = GridSearchCV(
        LogisticRegression(),
        {"C": [0.01, 1.0]},
        scoring=mean_per_class_accuracy_scorer,
        cv=PerClassSplit(30, n_splits=2, random_state=0),
    )
    search.fit(X, y)
    assert search.best_score_ > 0.7 and search.cv_results_["mean_test_score"].shape == (2,)
    scores = cross_val_score(
        LogisticRegression(),
        X,
        y,
        cv=PerClassSplit(30, n_splits=2, random_state=0),
        scoring=mean_per_class_accuracy_scorer,
    )
    assert scores.shape == (2,)
