"""Intra-class distances, per-class PCA spectra and neighbour-distance histograms against NumPy."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from skscat.analysis import (
    class_pca_spectra,
    intra_class_distances,
    neighbor_distance_histograms,
)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 90)
    return rng.normal(size=(90, 4)) + 2 * np.eye(4)[y], y


def test_intra_and_inter_class_distances(data):
    X, y = data
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    stats = intra_class_distances(X, y, device="cpu")
    for c in range(3):
        same, other = y == c, y != c
        n = same.sum()
        assert stats["intra"][c] == pytest.approx(D[np.ix_(same, same)].sum() / (n * (n - 1)))
        assert stats["inter"][c] == pytest.approx(D[np.ix_(same, other)].mean())
    np.testing.assert_allclose(stats["ratio"], stats["intra"] / stats["inter"])
    with pytest.raises(ValueError, match="single class"):
        intra_class_distances(X, np.zeros(90), device="cpu")


def test_pca_spectra_match_sklearn(data):
    X, y = data
    spectra = class_pca_spectra(X, y)
    for row, c in enumerate(spectra["classes"]):
        expected = np.cumsum(PCA().fit(X[y == c]).explained_variance_ratio_)
        np.testing.assert_allclose(spectra["cumulative"][row], expected, atol=1e-10)


def test_neighbor_histograms(data, brute_neighbors):
    X, y = data
    h = neighbor_distance_histograms(X, y, n_neighbors=2, bins=7, device="cpu")
    dist, ind = brute_neighbors(X, 2)
    same = y[ind] == y[:, None]
    np.testing.assert_allclose(h["distances"], dist)
    np.testing.assert_array_equal(h["same_label"], same)
    np.testing.assert_array_equal(h["same"], np.histogram(dist[same], bins=h["bin_edges"])[0])
    assert h["same"].sum() + h["different"].sum() == 180 and h["bin_edges"].size == 8
