"""TorchSVC against sklearn.svm.SVC on scattering features of the real CIFAR-10 subset."""

import numpy as np
import pytest
from _parity import assert_same_model
from sklearn.svm import SVC

from skscat.datasets import load_cifar10
from skscat.scattering import ScatteringTransformer
from skscat.svm import TorchSVC


@pytest.mark.data
def test_scattering_features_of_cifar(data_dir):
    images, y = load_cifar10(data_dir, subset="train", return_X_y=True)
    images, y = images[:800], y[:800]
    features = ScatteringTransformer(J=2, pooling="mean", device="cpu").fit_transform(images)
    features = np.log1p(np.abs(features) * 100.0)
    X_train, y_train, X_test = features[:600], y[:600], features[600:]
    svc = SVC(C=10).fit(X_train, y_train)
    ours = TorchSVC(solver="torch", C=10, device="cpu").fit(X_train, y_train)
    assert_same_model(svc, ours, X_train, X_test)
