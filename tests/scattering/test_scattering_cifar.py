"""Scattering + SVM on the real CIFAR-10 subset beats the same SVM on raw pixels."""

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skscat.datasets import load_cifar10, small_sample_subset
from skscat.scattering import ScatteringTransformer

N_TRAIN = 1000  # 100 per class: keeps sklearn's SVC on 15,552 scattering features to seconds


@pytest.mark.data
def test_scattering_svm_beats_raw_pixels_on_cifar10(data_dir):
    X_train, y_train = load_cifar10(data_dir, subset="train", return_X_y=True)
    X_test, y_test = load_cifar10(data_dir, subset="test", return_X_y=True)
    subset = small_sample_subset(y_train, N_TRAIN, random_state=0)
    X_train, y_train = X_train[subset], y_train[subset]
    flat_train, flat_test = X_train.reshape(N_TRAIN, -1), X_test.reshape(len(X_test), -1)

    raw = make_pipeline(StandardScaler(), SVC()).fit(flat_train, y_train).score(flat_test, y_test)
    scattering = make_pipeline(ScatteringTransformer(J=2, device="cpu"), StandardScaler(), SVC())
    scat = scattering.fit(flat_train, y_train).score(flat_test, y_test)
    print(f"CIFAR-10 subset, {N_TRAIN} train / {len(y_test)} test: raw pixels {raw:.3f}, scattering J=2 {scat:.3f}")
    assert scattering[0].image_shape_ == (3, 32, 32)
    assert scat > raw + 0.05
