"""Exact blocked k-NN search: brute force, sklearn, ties, block sizes, devices."""

import numpy as np
import pytest
import torch
from sklearn.neighbors import NearestNeighbors

from skscat.analysis import _neighbors, nearest_neighbors


@pytest.mark.parametrize("budget", [2**20, 256 * 2**20])
def test_matches_brute_force_including_ties(dataset, brute_neighbors, budget):
    _, X, _ = dataset
    dist, ind = nearest_neighbors(X, 12, device="cpu", memory_budget=budget)
    ref_dist, ref_ind = brute_neighbors(X, 12)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-12, atol=1e-12)


def test_queries_match_brute_force(brute_neighbors):
    rng = np.random.default_rng(3)
    X = rng.integers(0, 4, size=(90, 2)).astype(np.float64)
    Q = rng.integers(0, 4, size=(25, 2)).astype(np.float64)
    dist, ind = nearest_neighbors(X, 7, queries=Q, device="cpu")
    ref_dist, ref_ind = brute_neighbors(X, 7, Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist)


def test_same_neighbors_as_sklearn():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(700, 32)).astype(np.float32)
    Q = rng.normal(size=(50, 32)).astype(np.float32)
    nn = NearestNeighbors(n_neighbors=9).fit(X)
    _, ind = nearest_neighbors(X, 9, device="cpu", memory_budget=2**20)
    np.testing.assert_array_equal(ind, nn.kneighbors(return_distance=False))
    dist, ind = nearest_neighbors(X, 9, queries=Q, device="cpu")
    ref_dist, ref_ind = nn.kneighbors(Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-5)


@pytest.mark.parametrize("margin", [0, 3, 50])
def test_result_does_not_depend_on_blocks_or_margin(margin):
    X = np.repeat(np.random.default_rng(5).integers(0, 3, size=(200, 4)), 2, axis=0).astype(np.float32)
    expected = nearest_neighbors(X, 10, device="cpu")
    got = nearest_neighbors(X, 10, device="cpu", memory_budget=2**20, margin=margin)
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(got[0], expected[0])


def test_float32_near_ties_are_certified_and_resolved(brute_neighbors, monkeypatch):
    # Points 1e-4 apart on a sphere of radius 1e3: float32 distances cannot order them.
    rng = np.random.default_rng(6)
    base = rng.normal(size=(1, 16))
    X = 1e3 * base / np.linalg.norm(base) + 1e-4 * rng.normal(size=(80, 16))
    X = np.concatenate([X, -X])
    calls = []
    original = _neighbors._Search._exact_row
    monkeypatch.setattr(_neighbors._Search, "_exact_row", lambda self, q, k: calls.append(q) or original(self, q, k))
    _, ind = nearest_neighbors(X, 5, device="cpu", margin=0)
    np.testing.assert_array_equal(ind, brute_neighbors(X, 5)[1])
    assert calls, "the float32 pass cannot certify these queries; the exact fallback must run"


def test_duplicates_are_neighbours_at_distance_zero():
    X = np.array([[1.0, 2.0], [5.0, 5.0], [1.0, 2.0], [1.0, 2.0]])
    dist, ind = nearest_neighbors(X, 2, device="cpu")
    assert ind[0].tolist() == [2, 3] and ind[3].tolist() == [0, 2]
    assert dist[0].tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_neighbors": 10}, r"n_neighbors=10 must be an integer in \[1, 9\]"),
        ({"n_neighbors": 0}, "n_neighbors=0"),
        ({"n_neighbors": 2, "queries": np.zeros((3, 2))}, "queries has 2 features but X has 3"),
        ({"n_neighbors": 2, "memory_budget": 10}, "memory_budget=10"),
    ],
)
def test_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nearest_neighbors(np.zeros((10, 3)), **kwargs)


def test_nan_is_rejected():
    X = np.zeros((10, 3))
    X[4, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        nearest_neighbors(X, 2, device="cpu")


def test_bad_device():
    with pytest.raises(ValueError, match="device='nonsense'"):
        nearest_neighbors(np.zeros((10, 3)), 2, device="nonsense")


@pytest.mark.gpu
def test_cuda_matches_cpu(dataset):
    _, X, _ = dataset
    cpu = nearest_neighbors(X, 8, device="cpu")
    gpu = nearest_neighbors(X, 8, device="cuda", memory_budget=2**20)
    np.testing.assert_array_equal(gpu[1], cpu[1])
    np.testing.assert_allclose(gpu[0], cpu[0], rtol=1e-12)


def test_input_arrays_are_not_modified():
    X = np.random.default_rng(7).normal(size=(30, 3)).astype(np.float32)
    before = X.copy()
    nearest_neighbors(X, 3, device="cpu")
    np.testing.assert_array_equal(X, before)
    assert torch.get_default_dtype() == torch.float32
