"""Property-based tests (hypothesis) of nearest_neighbors and local_support_vectors.

Over sizes, dimensions, dtypes, scales (1e-30 .. 1e30 in float32, 1e-300 .. 1e300 in float64),
ties (points on an integer grid, duplicates) and parameter values: the neighbours equal a float64
brute force, the local support vectors do not depend on the scale, or the call raises a
``ValueError`` naming the parameter. Bounded: at most 40 points, 40 examples, derandomized.
"""

import math

import numpy as np
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from skscat.analysis import local_support_vectors, nearest_neighbors

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def _brute(X, k, queries=None):
    """Sort by (float64 squared distance, index) after an exact power-of-two rescaling of everything."""
    both = X if queries is None else np.vstack([X, queries])
    exponent = math.frexp(float(np.abs(both).max()) or 1.0)[1]
    Xs = np.ldexp(np.asarray(X, dtype=np.float64), -exponent)
    Q = Xs if queries is None else np.ldexp(np.asarray(queries, dtype=np.float64), -exponent)
    d2 = ((Q[:, None, :] - Xs[None, :, :]) ** 2).sum(-1)
    if queries is None:
        np.fill_diagonal(d2, np.inf)
    order = np.array([np.lexsort((np.arange(len(Xs)), row))[:k] for row in d2])
    return order


@st.composite
def point_sets(draw):
    n, d = draw(st.integers(2, 40)), draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    kind = draw(st.sampled_from(["gauss", "grid", "duplicates", "offset"]))
    if kind == "gauss":
        X = rng.normal(size=(n, d))
    elif kind == "grid":
        X = rng.integers(0, 3, size=(n, d)).astype(np.float64)  # many exact ties
    elif kind == "duplicates":
        X = np.repeat(rng.normal(size=((n + 1) // 2, d)), 2, axis=0)[:n]
    else:
        X = 1e4 + 1e-2 * rng.normal(size=(n, d))  # cancellation in |a|^2 + |b|^2 - 2ab
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    max_exponent = 30 if dtype == np.float32 else 300
    scale = 10.0 ** draw(st.integers(-max_exponent, max_exponent))
    event(kind)
    return (X * scale).astype(dtype)


@SETTINGS
@given(point_sets(), st.data())
def test_neighbours_equal_a_float64_brute_force(X, data):
    k = data.draw(st.integers(1, len(X) - 1))
    with_queries = data.draw(st.booleans())
    queries = X[::2] * X.dtype.type(0.5) if with_queries else None
    _, ind = nearest_neighbors(X, k, queries=queries, device="cpu", margin=data.draw(st.sampled_from([0, 1, 8])))
    np.testing.assert_array_equal(ind, _brute(X, k, queries))


@SETTINGS
@given(point_sets(), st.data())
def test_local_support_vectors_do_not_depend_on_the_scale(X, data):
    y = np.random.default_rng(0).integers(0, 3, len(X))
    k_max = data.draw(st.integers(1, len(X) - 1))
    rule = data.draw(st.sampled_from(["talk", "sklearn_vote"]))
    lsv = local_support_vectors(X, y, k_max, rule=rule, device="cpu")
    unit = np.ldexp(X.astype(np.float64), -math.frexp(float(np.abs(X).max()) or 1.0)[1])
    np.testing.assert_array_equal(lsv.members, local_support_vectors(unit, y, k_max, rule=rule, device="cpu").members)
    assert (np.diff(lsv.counts) <= 0).all()  # nested sets


@SETTINGS
@given(st.data())
def test_bad_parameters_name_the_parameter(data):
    X = np.random.default_rng(1).normal(size=(6, 2))
    name, value = data.draw(st.sampled_from([
        ("n_neighbors", 0), ("n_neighbors", 6), ("n_neighbors", 2.0), ("n_neighbors", True),
        ("margin", -1), ("margin", 0.5), ("memory_budget", 10), ("k_max", 0), ("k_max", 6), ("k_max", 1.5),
    ]))
    try:
        if name == "k_max":
            local_support_vectors(X, np.arange(6) % 2, value, device="cpu")
        else:
            nearest_neighbors(X, **{"n_neighbors": 2, name: value}, device="cpu")
    except ValueError as error:
        assert f"{name}=" in str(error)
    else:
        raise AssertionError(f"{name}={value!r} was accepted")
