"""MeanNormGaussianSVC against LIBSVM one-vs-all on scattering features of the real CIFAR-10 subset."""

import numpy as np
import pytest
from _parity import assert_same_as_libsvm
from sklearn.preprocessing import StandardScaler

from skscat.datasets import load_cifar10
from skscat.scattering import ScatteringTransformer


@pytest.mark.data
def test_scattering_features_of_cifar(data_dir):
    images, y = load_cifar10(data_dir, subset="train", return_X_y=True)
    images, y = images[:1000], y[:1000]
    features = ScatteringTransformer(J=2, pooling="mean", device="cpu").fit_transform(images)
    features = np.log(np.abs(features) + 1e-6)  # the paper's log, then standardisation on the training rows
    features = StandardScaler().fit(features[:700]).transform(features)
    assert_same_as_libsvm(features[:700], y[:700], features[700:])
