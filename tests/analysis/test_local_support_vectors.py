"""Local support vectors: the talk's definition against a brute-force reference, the sklearn variant, errors."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier

from skscat.analysis import LocalSupportVectors, local_support_vectors


def test_matches_brute_force_reference(dataset, brute_lsv):
    _, X, y = dataset
    lsv = local_support_vectors(X, y, k_max=15, device="cpu")
    expected = brute_lsv(X, y, 15)
    np.testing.assert_array_equal(lsv.members, expected)
    np.testing.assert_array_equal(lsv.counts, expected.sum(1))
    assert lsv.counts.dtype == np.int64 and lsv.counts.shape == (15,)


def test_clustered_labels_give_few_support_vectors(brute_lsv):
    rng = np.random.default_rng(2)
    y = rng.integers(0, 3, 240)
    X = 3.0 * np.eye(3)[y] + 0.8 * rng.normal(size=(240, 3))
    lsv = local_support_vectors(X, y, k_max=31, device="cpu", memory_budget=2**20)
    np.testing.assert_array_equal(lsv.members, brute_lsv(X, y, 31))
    assert 0 < lsv.counts[0] < 60  # overlapping clusters: some, not most, points are 1-LSV


def test_sets_are_nested_and_k_is_documented():
    X = np.random.default_rng(3).normal(size=(100, 4))
    y = np.arange(100) % 4
    lsv = local_support_vectors(X, y, k_max=9, device="cpu")
    assert isinstance(lsv, LocalSupportVectors)
    assert np.all(lsv.members[1:] <= lsv.members[:-1])
    np.testing.assert_array_equal(lsv.k, np.arange(1, 10))
    assert lsv.neighbors.shape == (100, 9) and lsv.rule == "talk"


def test_string_labels():
    X = np.array([[0.0], [1.0], [2.0], [10.0], [11.0], [12.5]])
    y = np.array(["a", "a", "b", "b", "b", "b"])
    lsv = local_support_vectors(X, y, k_max=3, device="cpu")
    # point 2 (label b): neighbours 1 (a), 0 (a), 3 (b) -> wrong 1/1, 2/2, 2/3
    assert lsv.counts.tolist() == [1, 1, 1] and np.flatnonzero(lsv.members[2]).tolist() == [2]


def _sklearn_vote_reference(X, y, k_max):
    members = np.zeros((k_max, len(y)), dtype=bool)
    alive = np.ones(len(y), dtype=bool)
    for k in range(1, k_max + 1):
        pred = KNeighborsClassifier(n_neighbors=k).fit(X, y).predict(X)
        alive &= pred != y
        members[k - 1] = alive
    return members


@pytest.mark.parametrize("seed", [0, 1])
def test_sklearn_vote_variant_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, 150)
    X = np.eye(3)[y] + 0.9 * rng.normal(size=(150, 3))
    lsv = local_support_vectors(X, y, k_max=12, rule="sklearn_vote", device="cpu")
    np.testing.assert_array_equal(lsv.members, _sklearn_vote_reference(X, y, 12))
    assert lsv.counts[0] == 0  # with itself as a neighbour, the 1-vote is always right
    assert lsv.neighbors.shape == (150, 12)
    np.testing.assert_array_equal(lsv.neighbors[:, 0], np.arange(150))


def test_sklearn_vote_places_itself_among_duplicates_by_index():
    X = np.array([[0.0], [0.0], [0.0], [5.0]])
    y = np.array([1, 0, 0, 1])
    lsv = local_support_vectors(X, y, k_max=3, rule="sklearn_vote", device="cpu")
    assert lsv.neighbors[1].tolist() == [0, 1, 2] and lsv.neighbors[0].tolist() == [0, 1, 2]
    # point 1's 1-vote is point 0 (label 1): wrong; its 2-vote is a tie 1-1 -> smallest label 0: right
    assert lsv.members[:, 1].tolist() == [True, False, False]


def test_batch_and_budget_do_not_change_the_result():
    rng = np.random.default_rng(4)
    X = rng.integers(0, 3, size=(300, 3)).astype(np.float32)
    y = rng.integers(0, 2, 300)
    a = local_support_vectors(X, y, k_max=20, device="cpu")
    b = local_support_vectors(X, y, k_max=20, device="cpu", memory_budget=2**20)
    np.testing.assert_array_equal(a.members, b.members)


@pytest.mark.parametrize(
    "X, y, kwargs, match",
    [
        (np.zeros((10, 2)), np.zeros(9), {}, "X has 10 rows but y has 9 labels"),
        (np.zeros((10, 2)), np.zeros(10), {"k_max": 10}, r"k_max=10 must be smaller than the number of samples \(10\)"),
        (np.zeros((10, 2)), np.zeros(10), {"k_max": 0}, "k_max=0 must be a positive integer"),
        (np.zeros((10, 2)), np.zeros(10), {"k_max": 2.5}, "k_max=2.5"),
        (np.zeros((10, 2)), np.zeros(10), {"k_max": 3, "rule": "vote"}, "rule='vote' is not a rule"),
        (np.zeros((10, 2)), np.zeros((10, 2)), {"k_max": 3}, "y must be 1-D"),
        (np.full((10, 2), np.nan), np.zeros(10), {"k_max": 3}, "NaN"),
    ],
)
def test_bad_input(X, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        local_support_vectors(X, y, device="cpu", **kwargs)
