"""The sandbox CNN trained through TorchCNNClassifier: a short fit, pickling, a grid search over K."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skscat.networks import SandboxCNN, SignSqrt, TorchCNNClassifier

pytestmark = pytest.mark.usefixtures("one_torch_thread")

def two_class_images(n=64, size=8, seed=0):
    """Class 1 images are brighter on their left half, class 0 on their right half."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 3, size, size)).astype(np.float32)
    half = size // 2
    X[y == 1, :, :, :half] += 1.5
    X[y == 0, :, :, half:] += 1.5
    return X, y


def sandbox(**params):
    defaults = {"module": "sandbox_cnn", "module__K": 4, "max_epochs": 8, "batch_size": 16, "lr": 0.05,
                "lr_schedule": "constant", "crop_padding": 0, "horizontal_flip": False,
                "device": "cpu", "random_state": 0}
    return TorchCNNClassifier(**{**defaults, **params})


def test_short_fit_learns():
    X, y = two_class_images()
    clf = sandbox(module__K=8, module__relu_ratio=0.5).fit(X, y)
    assert isinstance(clf.module_, SandboxCNN)
    assert clf.module_.K == 8 and clf.module_.n_rectified == 4
    assert clf.history_["train_loss"].shape == (8,)
    assert clf.history_["train_loss"][-1] < clf.history_["train_loss"][0]
    assert clf.score(X, y) >= 0.9


def test_signsqrt_fit_pickles_and_predicts_the_same():
    X, y = two_class_images()
    clf = sandbox(module__nonlinearity="signsqrt", max_epochs=2).fit(X, y)
    assert isinstance(clf.module_.group3.block2.rho2, SignSqrt)
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params()["module__nonlinearity"] == "signsqrt"


def test_grid_search_over_width():
    X, y = two_class_images()
    search = GridSearchCV(sandbox(max_epochs=3), {"module__K": [2, 4]}, cv=2).fit(X, y)
    assert list(search.cv_results_["param_module__K"]) == [2, 4]
    assert search.best_estimator_.module_.K == search.best_params_["module__K"]
    n_params = [sum(p.numel() for p in SandboxCNN(K=k, n_classes=2).parameters()) for k in (2, 4)]
    assert n_params == [27 * k + 108 * k * k + 2 * (k + 1) for k in (2, 4)]
