"""The CVPR 2015 image sources: their identity is the shared fingerprint of what is read, in order."""

import numpy as np

from skscat.baselines._paper_data import load_source


def test_cifar_identity_follows_the_images_and_their_order(data_dir):
    small = load_source("cifar10", data_dir, n_classes=2, max_train_per_class=3, max_test_per_class=2)
    again = load_source("cifar10", data_dir, n_classes=2, max_train_per_class=3, max_test_per_class=2)
    larger = load_source("cifar10", data_dir, n_classes=2, max_train_per_class=4, max_test_per_class=2)
    assert small.identity == again.identity
    assert larger.identity != small.identity
    assert len(small.identity) == 40 and int(small.identity, 16) >= 0


def test_caltech_identity_follows_the_files(data_dir):
    two = load_source("caltech101", data_dir, n_classes=2, max_per_class=2)
    assert load_source("caltech101", data_dir, n_classes=2, max_per_class=2).identity == two.identity
    three = load_source("caltech101", data_dir, n_classes=2, max_per_class=3)
    assert three.identity != two.identity
    assert np.array_equal(np.bincount(three.target), [3, 3])
