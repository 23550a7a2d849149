"""Plain-NumPy O(n^2) references and data sets with ties for the analysis tests."""

import numpy as np
import pytest


def _brute_neighbors(X, k, queries=None):
    """Sort each row by (float64 squared distance, index); a point is not its own neighbour."""
    X = np.asarray(X, dtype=np.float64)
    Q = X if queries is None else np.asarray(queries, dtype=np.float64)
    d2 = ((Q[:, None, :] - X[None, :, :]) ** 2).sum(-1)
    if queries is None:
        np.fill_diagonal(d2, np.inf)
    order = np.array([np.lexsort((np.arange(X.shape[0]), row))[:k] for row in d2])
    return np.sqrt(np.take_along_axis(d2, order, 1)), order


def _brute_lsv(X, y, k_max):
    """The talk's Gamma^k, written out point by point."""
    _, nb = _brute_neighbors(X, k_max)
    members = np.zeros((k_max, len(y)), dtype=bool)
    for i in range(len(y)):
        inside = y[nb[i, 0]] != y[i]
        members[0, i] = inside
        for k in range(2, k_max + 1):
            wrong = sum(int(y[nb[i, l]] != y[i]) for l in range(k))
            inside = inside and wrong > k / 2
            members[k - 1, i] = inside
    return members


@pytest.fixture
def brute_neighbors():
    return _brute_neighbors


@pytest.fixture
def brute_lsv():
    return _brute_lsv


def _datasets():
    rng = np.random.default_rng(0)
    gauss = rng.normal(size=(150, 6))
    centers = rng.normal(scale=4.0, size=(4, 5))
    clustered = centers[rng.integers(0, 4, 160)] + 0.3 * rng.normal(size=(160, 5))
    grid = rng.integers(0, 3, size=(120, 3)).astype(np.float64)  # many exact ties
    duplicates = np.repeat(rng.normal(size=(40, 4)), 3, axis=0)[rng.permutation(120)]  # exact duplicates
    offset = 1e4 + 1e-2 * rng.normal(size=(100, 8))  # |a|^2 + |b|^2 - 2ab cancels badly in float32
    return {"gauss": gauss, "clustered": clustered, "grid": grid, "duplicates": duplicates, "offset": offset}


DATASETS = _datasets()


@pytest.fixture(params=sorted(DATASETS))
def dataset(request):
    """(name, X, y): random, clustered and tied data, with 3 classes."""
    X = DATASETS[request.param]
    y = np.random.default_rng(1).integers(0, 3, X.shape[0])
    return request.param, X, y
