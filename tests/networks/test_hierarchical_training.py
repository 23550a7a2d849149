"""The hierarchical CNN and its equivalent CNN trained through TorchCNNClassifier."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from skscat.networks import (
    HierarchicalCNN,
    HierarchicalEquivalentCNN,
    TorchCNNClassifier,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

def two_class_images(n=48, size=8, seed=0):
    """Class 1 images are brighter on their left half, class 0 on their right half."""
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 3, size, size)).astype(np.float32)
    X[y == 1, :, :, : size // 2] += 1.5
    X[y == 0, :, :, size // 2 :] += 1.5
    return X, y


def hierarchical(module, **params):
    defaults = {"module": module, "module__width": 4, "module__attribute_kernel": (3, 3),
                "module__block_strides": (2,), "max_epochs": 6, "batch_size": 16, "lr": 0.05,
                "lr_schedule": "constant", "crop_padding": 0, "horizontal_flip": False,
                "device": "cpu", "random_state": 0}
    return TorchCNNClassifier(**{**defaults, **params})


@pytest.mark.parametrize(("name", "cls"), [("hierarchical_cnn", HierarchicalCNN),
                                           ("hierarchical_equivalent_cnn", HierarchicalEquivalentCNN)])
def test_short_fit_learns(name, cls):
    X, y = two_class_images()
    clf = hierarchical(name).fit(X, y)
    assert type(clf.module_) is cls
    assert clf.history_["train_loss"][-1] < clf.history_["train_loss"][0]
    assert clf.score(X, y) >= 0.9


def test_grid_search_over_width():
    X, y = two_class_images()
    search = GridSearchCV(hierarchical("hierarchical_cnn", max_epochs=2), {"module__width": [2, 4]}, cv=2)
    search.fit(X, y)
    assert search.best_estimator_.module_.classifier.in_features == search.best_params_["module__width"]
